/** Check URLs: parsed strictly, and shown with any password hidden. */
import { InputError } from '@deploy-actions/action-kit/engine';

/** Absolute http(s) URLs only; returns the normalised form. */
export function parseUrl(value: string, input: string): string {
  const expected = 'an absolute http:// or https:// URL, such as https://api.example.com/health';
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InputError(input, redactUrlText(value), expected);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new InputError(input, redactUrl(url.href), expected);
  }
  return url.href;
}

/** The URL with any password replaced by ***, for logs, results and summaries. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.href;
  } catch {
    return redactUrlText(url);
  }
}

export function redactUrlText(text: string): string {
  return text.replace(/(\/\/[^/:@\s]*:)[^/@\s]*@/, '$1***@');
}
