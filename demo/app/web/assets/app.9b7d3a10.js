/* global fetch, document */
// A hashed asset, as a bundler names it: cached for a year, never invalidated.
fetch('/api/items')
  .then((response) => response.json())
  .then((items) => {
    document.getElementById('items').innerHTML = items
      .map((item) => `<li>${item.name}: ${(item.price_cents / 100).toFixed(2)}</li>`)
      .join('');
  });
