/**
 * The `build-secrets` reader: `id=value` lines (or one line of comma-separated
 * pairs, as the other map inputs) whose values must never reach a log. Every
 * value-looking part is handed to `mask` before it is checked, and an error
 * names the line and the id, never the text of the line.
 */
import { InputError } from '@deploy-actions/action-kit/engine';

const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const FORM = 'id=value lines (ids of letters, digits, _ . -)';

export function parseBuildSecrets(
  text: string | undefined,
  mask: (value: string) => void = () => {},
): Map<string, string> {
  if (text === undefined) return new Map();
  const parts = !text.includes('\n') ? text.split(',') : text.split(/\r?\n/);
  // Masked first, so that nothing said below (or by anyone later) shows a value.
  for (const part of parts) {
    const trimmed = part.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const at = trimmed.indexOf('=');
    const value = at >= 0 ? trimmed.slice(at + 1).trim() : trimmed;
    if (value !== '') mask(value);
  }
  const secrets = new Map<string, string>();
  parts.forEach((part, index) => {
    const trimmed = part.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const where =
      parts.length > 1 ? `${text.includes('\n') ? 'line' : 'entry'} ${index + 1}` : 'the value';
    const at = trimmed.indexOf('=');
    const id = at > 0 ? trimmed.slice(0, at).trim() : '';
    if (at < 0)
      throw secretError(`${where} has no '=' (its text is not shown: it may be a secret)`);
    if (!SECRET_ID.test(id)) {
      const shown = id === '' ? 'an empty id' : `the id ${JSON.stringify(id)}`;
      throw secretError(`${where} has ${shown}`);
    }
    if (secrets.has(id)) throw secretError(`${where} repeats the id ${id}`);
    secrets.set(id, trimmed.slice(at + 1).trim());
  });
  return secrets;
}

function secretError(what: string): InputError {
  // InputError would quote the line; the description of the line stands in for it.
  const error = new InputError('build-secrets', undefined, FORM);
  error.message = `Input 'build-secrets': ${what}; expected ${FORM}, each id once.`;
  return error;
}
