/**
 * Readers of the fields a check may set, from an input's text or a YAML
 * value: headers, expected headers, JSON expectations, statuses, regular
 * expressions and methods. Header values never appear in their errors.
 */
import { InputError, parseKeyValueLines } from '@deploy-actions/action-kit/engine';
import { parseJsonPath } from './json-path.js';
import { parseStatusRanges, type StatusSet } from './status.js';
import {
  HTTP_METHODS,
  type Check,
  type HeaderExpectation,
  type HttpMethod,
  type JsonExpectation,
} from './types.js';

export const HOUR_MS = 3_600_000;
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const JSON_PATH_FORM = 'a JSON path such as version, build.sha or $.data.version';
/** How smoke-test's duration errors read: `a duration such as 500ms, …, from 10ms to 1h`. */
export const SMOKE_DURATION = { examples: '500ms, 30s, 5m or 1h', boundsAs: 'input' } as const;

export function parseMethod(value: string | undefined, input: string): HttpMethod {
  if (value === undefined) return 'GET';
  const method = HTTP_METHODS.find((m) => m === value.trim().toUpperCase());
  if (method === undefined) throw new InputError(input, value, `one of ${HTTP_METHODS.join(', ')}`);
  return method;
}

/** A string body as it is; a YAML map or list as JSON, with a JSON content type unless one is set. */
export function addBody(check: Check, value: unknown, input: string): void {
  if (value === undefined || value === null) return;
  const structured = typeof value === 'object';
  const body = structured ? JSON.stringify(value) : String(value);
  if (check.method === 'GET' || check.method === 'HEAD') {
    throw new InputError(
      input,
      body.slice(0, 60),
      `no body with method ${check.method}: set method to POST, PUT or PATCH to send one`,
    );
  }
  check.body = body;
  if (structured && check.headers['content-type'] === undefined) {
    check.headers = { ...check.headers, 'content-type': 'application/json' };
  }
}

export function statusField(value: unknown, input: string): StatusSet | undefined {
  if (value === undefined || value === null) return undefined;
  const textValue = Array.isArray(value) ? value.map(String).join(',') : text(value, input);
  return requiredStatuses(textValue ?? '', input);
}

export function requiredStatuses(value: string, input: string): StatusSet {
  const set = parseStatusRanges(value, input);
  if (set.ranges.length === 0) {
    throw new InputError(input, value, 'at least one status code or range, such as 200-299');
  }
  return set;
}

/** A JavaScript regular expression: `pattern` or `/pattern/flags`. */
export function parseRegex(value: string, input: string): RegExp {
  const literal = /^\/(.+)\/([dgimsuvy]*)$/s.exec(value.trim());
  try {
    // The g and y flags make test() stateful between responses: drop them.
    return literal
      ? new RegExp(literal[1]!, literal[2]!.replace(/[gy]/g, ''))
      : new RegExp(value.trim());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(input, value, `a JavaScript regular expression (${reason})`);
  }
}

const HEADER_FORM = '"Name: value" lines, such as "Authorization: Bearer …"';

export function headerLines(value: string, input: string): Record<string, string> {
  const entries = parseKeyValueLines(value, {
    separator: ':',
    input,
    form: HEADER_FORM,
    hideValues: true,
  });
  return headerRecord(entries, input);
}

export function headerField(value: unknown, input: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (isPlainObject(value)) {
    return headerRecord(
      Object.entries(value).map(([name, v]) => [name, scalarText(v, `${input}.${name}`, true)]),
      input,
    );
  }
  if (typeof value === 'string') return headerLines(value, input);
  throw new InputError(input, describeValue(value), `a map of headers or ${HEADER_FORM}`);
}

function headerRecord(entries: [string, string][], input: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of entries) {
    const lower = validHeaderName(name, input);
    if (headers[lower] !== undefined) {
      throw new InputError(input, name, `each header once (${name} is repeated)`);
    }
    headers[lower] = value;
  }
  return headers;
}

function validHeaderName(name: string, input: string): string {
  if (!HEADER_NAME.test(name)) {
    throw new InputError(input, name, 'header names of letters, digits and - (such as X-Api-Key)');
  }
  return name.toLowerCase();
}

export function expectHeaderField(value: unknown, input: string): HeaderExpectation[] {
  if (value === undefined || value === null) return [];
  const entries = isPlainObject(value)
    ? Object.entries(value).map(([name, v]): [string, string] => [
        name,
        scalarText(v, `${input}.${name}`),
      ])
    : typeof value === 'string'
      ? parseKeyValueLines(value, { separator: ':', input, form: HEADER_FORM })
      : undefined;
  if (entries === undefined) {
    throw new InputError(input, describeValue(value), `a map of headers or ${HEADER_FORM}`);
  }
  return Object.entries(headerRecord(entries, input)).map(([name, v]) => ({ name, value: v }));
}

export function jsonField(value: unknown, input: string): JsonExpectation[] {
  if (value === undefined || value === null) return [];
  const form = `path=value lines, where path is ${JSON_PATH_FORM}`;
  const entries = isPlainObject(value)
    ? Object.entries(value).map(([path, v]): [string, string] => [
        path,
        scalarText(v, `${input}.${path}`),
      ])
    : typeof value === 'string'
      ? parseKeyValueLines(value, { separator: '=', input, form })
      : undefined;
  if (entries === undefined) throw new InputError(input, describeValue(value), form);
  const seen = new Set<string>();
  return entries.map(([path, expected]) => {
    const segments = parseJsonPath(path);
    if (segments === undefined) throw new InputError(input, `${path}=${expected}`, form);
    if (seen.has(path)) throw new InputError(input, path, `each path once (${path} is repeated)`);
    seen.add(path);
    return { path, segments, value: expected };
  });
}

/** A YAML scalar as text; undefined for a missing key or an empty value. */
export function text(value: unknown, input: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return scalarText(value, input);
}

function scalarText(value: unknown, input: string, hideValue = false): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return '';
  throw new InputError(
    input,
    hideValue ? undefined : describeValue(value),
    'a single value (text or number)',
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}
