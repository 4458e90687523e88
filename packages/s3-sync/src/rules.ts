import { InputError } from '@deploy-actions/action-kit/engine';
import { compileGlob, globProblem, type PathMatcher } from './globs.js';

/** `glob: value`, e.g. `*.html: no-cache`. Rules are tried in order; the first match wins. */
export interface HeaderRule {
  glob: string;
  value: string;
  matches: PathMatcher;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
const DIRECTIVE = new RegExp(`^(${TOKEN})(?:=(${TOKEN}|${QUOTED}))?$`);
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:\\s*;\\s*${TOKEN}=(?:${TOKEN}|${QUOTED}))*$`);
const NUMERIC_DIRECTIVES = new Set([
  'max-age',
  's-maxage',
  'stale-while-revalidate',
  'stale-if-error',
]);

/** Parses the `cache-control` input: one `glob: directives` rule per line. */
export function parseCacheControlRules(text: string, input = 'cache-control'): HeaderRule[] {
  return parseHeaderRules(text, {
    input,
    example: '*.html: no-cache',
    valueProblem: cacheControlProblem,
  });
}

/** Parses the `content-type` input: one `glob: media type` rule per line. */
export function parseContentTypeRules(text: string, input = 'content-type'): HeaderRule[] {
  return parseHeaderRules(text, {
    input,
    example: '*.wasm: application/wasm',
    valueProblem: (value) =>
      MEDIA_TYPE.test(value) ? undefined : 'the value is not a media type such as text/plain',
  });
}

interface RuleSyntax {
  input: string;
  example: string;
  /** Why the value is not acceptable, or undefined when it is. */
  valueProblem: (value: string) => string | undefined;
}

/**
 * Lines are split at the first `:` (header values here never contain one).
 * Commas belong to values (`public, max-age=60`), so only newlines separate rules.
 */
function parseHeaderRules(text: string, syntax: RuleSyntax): HeaderRule[] {
  const rules: HeaderRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fail = (problem: string) =>
      new InputError(
        syntax.input,
        line,
        `one rule per line in the form "glob: value", e.g. "${syntax.example}" (line ${index + 1}: ${problem})`,
      );
    const colon = line.indexOf(':');
    if (colon < 0) throw fail('no ":" between glob and value');
    const glob = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (glob === '') throw fail('the glob is empty');
    if (value === '') throw fail('the value is empty');
    const badGlob = globProblem(glob);
    if (badGlob !== undefined) throw fail(`bad glob "${glob}": ${badGlob}`);
    const badValue = syntax.valueProblem(value);
    if (badValue !== undefined) throw fail(badValue);
    rules.push({ glob, value, matches: compileGlob(glob, { dot: true }) });
  });
  return rules;
}

/** Checks Cache-Control syntax (RFC 9111 §5.2): comma-separated `name` or `name=value`. */
export function cacheControlProblem(value: string): string | undefined {
  for (const directive of value.split(',').map((d) => d.trim())) {
    const match = DIRECTIVE.exec(directive);
    if (!match) return `"${directive}" is not a Cache-Control directive such as max-age=60`;
    const name = match[1]!.toLowerCase();
    if (NUMERIC_DIRECTIVES.has(name) && !/^\d+$/.test(match[2] ?? '')) {
      return `${name} needs a number of seconds, e.g. ${name}=60`;
    }
  }
  return undefined;
}

/** The first rule whose glob matches the path, or undefined. */
export function firstMatchingRule(
  rules: readonly HeaderRule[],
  relPath: string,
): HeaderRule | undefined {
  return rules.find((rule) => rule.matches(relPath));
}
