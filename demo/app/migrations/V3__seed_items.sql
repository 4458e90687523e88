INSERT INTO items (name, price_cents) VALUES ('coffee', 250), ('tea', 200);
