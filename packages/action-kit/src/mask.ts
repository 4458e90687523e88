/**
 * The forms in which a secret could reach a log: itself, each of its lines
 * (the runner masks line by line), and its URL-encoded form (a password inside
 * a connection string is often percent-encoded).
 */
export function secretForms(secret: string): string[] {
  if (secret.trim() === '') return [];
  const forms = new Set<string>([secret]);
  for (const line of secret.split(/\r?\n/)) {
    if (line.trim().length > 0) forms.add(line);
  }
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) forms.add(encoded);
  return [...forms];
}
