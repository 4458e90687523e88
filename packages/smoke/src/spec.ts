/**
 * Turns the action's inputs into validated, normalised checks and options.
 * Every mistake fails here, before any request, with an InputError naming the
 * input (down to `checks[2].expect-status`), the value and the expected form.
 * Header values never appear in these messages: they are often credentials.
 */
import { parse as parseYaml } from 'yaml';
import { InputError, parseDuration } from '@deploy-actions/action-kit/engine';
import { parseJsonPath } from './json-path.js';
import { EMPTY_STATUS_SET, parseStatusRanges, type StatusSet } from './status.js';
import {
  HTTP_METHODS,
  type Check,
  type HeaderExpectation,
  type HttpMethod,
  type JsonExpectation,
  type SmokeOptions,
  type VersionExpectation,
} from './types.js';

/** The inputs that shape the checks. Undefined or blank means "not given". */
export interface CheckInputs {
  url?: string;
  checks?: string;
  expectStatus?: string;
  expectVersion?: string;
  versionPath?: string;
  headers?: string;
}

/**
 * Every input of the action, as text. Undefined means "not given" and takes the
 * default below. For failFastStatuses an empty text (or `none`) means "retry
 * every status", which differs from not giving it.
 */
export interface SmokeInputs extends CheckInputs {
  timeout?: string;
  requestTimeout?: string;
  interval?: string;
  consecutiveSuccesses?: string;
  failFastStatuses?: string;
  caFile?: string;
  tlsMinDays?: string;
}

/** The same defaults as action.yml, for callers without a runner (CLI, tests). */
export const SMOKE_DEFAULTS = {
  expectStatus: '200-299',
  timeout: '5m',
  requestTimeout: '10s',
  interval: '2s',
  consecutiveSuccesses: '1',
  failFastStatuses: '401,403',
  tlsMinDays: '0',
} as const;

export const CHECK_KEYS = [
  'name',
  'url',
  'method',
  'headers',
  'body',
  'expect-status',
  'expect-body-contains',
  'expect-body-regex',
  'expect-json',
  'expect-header',
  'max-latency',
] as const;

/** Inputs of the action that people sometimes put inside a check by mistake. */
const RUN_WIDE_INPUTS = [
  'timeout',
  'request-timeout',
  'interval',
  'consecutive-successes',
  'fail-fast-statuses',
  'expect-version',
  'version-path',
  'ca-file',
  'tls-min-days',
];

const HOUR_MS = 3_600_000;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const JSON_PATH_FORM = 'a JSON path such as version, build.sha or $.data.version';
const DURATION_FORM = 'a duration such as 500ms, 30s, 5m or 1h (plain numbers are seconds)';

export function parseSmokeInputs(inputs: SmokeInputs): { checks: Check[]; options: SmokeOptions } {
  const options: SmokeOptions = {
    timeoutMs: durationInput('timeout', inputs.timeout, SMOKE_DEFAULTS.timeout, 100, 6 * HOUR_MS),
    requestTimeoutMs: durationInput(
      'request-timeout',
      inputs.requestTimeout,
      SMOKE_DEFAULTS.requestTimeout,
      10,
      HOUR_MS,
    ),
    intervalMs: durationInput('interval', inputs.interval, SMOKE_DEFAULTS.interval, 10, HOUR_MS),
    consecutiveSuccesses: integerInput(
      'consecutive-successes',
      inputs.consecutiveSuccesses ?? SMOKE_DEFAULTS.consecutiveSuccesses,
      1,
      100,
    ),
    failFastStatuses: failFastInput(inputs.failFastStatuses),
    tlsMinDays: integerInput(
      'tls-min-days',
      inputs.tlsMinDays ?? SMOKE_DEFAULTS.tlsMinDays,
      0,
      3650,
    ),
  };
  const caFile = given(inputs.caFile);
  if (caFile !== undefined) options.caFile = caFile;
  return { checks: parseChecks(inputs), options };
}

/** The checks: one from `url`, or a YAML list from `checks`; global inputs are the defaults. */
export function parseChecks(inputs: CheckInputs): Check[] {
  const defaults = checkDefaults(inputs);
  const url = given(inputs.url);
  const checks = given(inputs.checks);
  if (url !== undefined && checks !== undefined) {
    throw new InputError(
      'url',
      url,
      'nothing when checks is set: give either url (one check) or checks (a list)',
    );
  }
  if (url !== undefined) {
    const target = parseUrl(url, 'url');
    return [{ ...defaults, name: redactUrlText(url.trim()), url: target }];
  }
  if (checks === undefined) {
    throw new InputError('url', undefined, 'a URL to check, or a YAML list of checks in checks');
  }
  return parseCheckList(checks, defaults);
}

type CheckDefaults = Omit<Check, 'name' | 'url'>;

function checkDefaults(inputs: CheckInputs): CheckDefaults {
  const version = versionInputs(inputs.expectVersion, inputs.versionPath);
  return {
    method: 'GET',
    headers: headerLines(inputs.headers ?? '', 'headers'),
    expectStatus: requiredStatuses(
      inputs.expectStatus ?? SMOKE_DEFAULTS.expectStatus,
      'expect-status',
    ),
    expectJson: [],
    expectHeaders: [],
    ...(version && { version }),
  };
}

function parseCheckList(text: string, defaults: CheckDefaults): Check[] {
  const document = parseYamlInput(text, 'checks');
  if (!Array.isArray(document) || document.length === 0) {
    const mapHint = isPlainObject(document) ? ' (this is one map: start each check with "- ")' : '';
    throw new InputError(
      'checks',
      firstLine(text),
      `a YAML list of checks, each starting with "- ", such as "- url: https://…"${mapHint}`,
    );
  }
  const checks = document.map((item, index) => parseCheck(item, `checks[${index}]`, defaults));
  assertUniqueNames(checks);
  return checks;
}

function parseYamlInput(text: string, input: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new InputError(
      input,
      firstLine(text),
      `a YAML list of checks (${reason.replace(/:$/, '')})`,
    );
  }
}

function parseCheck(item: unknown, where: string, defaults: CheckDefaults): Check {
  if (!isPlainObject(item)) {
    throw new InputError(
      where,
      describeValue(item),
      'a map of check keys, such as "url: https://…"',
    );
  }
  for (const key of Object.keys(item)) assertKnownKey(key, where);
  const field = (key: (typeof CHECK_KEYS)[number]) => `${where}.${key}`;
  const urlText = text(item.url, field('url'));
  if (urlText === undefined) {
    throw new InputError(
      field('url'),
      undefined,
      'an absolute http:// or https:// URL (url is required)',
    );
  }
  const url = parseUrl(urlText, field('url'));
  const method = parseMethod(text(item.method, field('method')), field('method'));
  const check: Check = {
    ...defaults,
    name: checkName(item.name, urlText, field('name')),
    url,
    method,
    headers: { ...defaults.headers, ...headerField(item.headers, field('headers')) },
    expectStatus:
      statusField(item['expect-status'], field('expect-status')) ?? defaults.expectStatus,
    expectJson: jsonField(item['expect-json'], field('expect-json')),
    expectHeaders: expectHeaderField(item['expect-header'], field('expect-header')),
  };
  addBody(check, item.body, field('body'));
  const contains = text(item['expect-body-contains'], field('expect-body-contains'));
  if (contains !== undefined && contains !== '') check.bodyContains = contains;
  const regex = text(item['expect-body-regex'], field('expect-body-regex'));
  if (regex !== undefined) check.bodyRegex = parseRegex(regex, field('expect-body-regex'));
  const maxLatency = text(item['max-latency'], field('max-latency'));
  if (maxLatency !== undefined) {
    check.maxLatencyMs = durationInput(field('max-latency'), maxLatency, undefined, 1, HOUR_MS);
  }
  return check;
}

function assertKnownKey(key: string, where: string): void {
  if ((CHECK_KEYS as readonly string[]).includes(key)) return;
  const allowed = `one of the check keys: ${CHECK_KEYS.join(', ')}`;
  if (RUN_WIDE_INPUTS.includes(key)) {
    throw new InputError(
      where,
      key,
      `${allowed} (${key} is an input of the action that applies to every check: set it under with:)`,
    );
  }
  const suggestion = nearest(key, CHECK_KEYS);
  throw new InputError(
    where,
    key,
    `${allowed}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
  );
}

function checkName(value: unknown, urlText: string, input: string): string {
  const name = text(value, input)?.trim();
  if (name === undefined) return redactUrlText(urlText.trim());
  if (name === '' || /[,\r\n]/.test(name)) {
    throw new InputError(
      input,
      name,
      'a name without commas or line breaks (the failed-checks output lists names separated by commas)',
    );
  }
  return name;
}

function assertUniqueNames(checks: readonly Check[]): void {
  const seen = new Map<string, number>();
  checks.forEach((check, index) => {
    const first = seen.get(check.name);
    if (first !== undefined) {
      throw new InputError(
        `checks[${index}].name`,
        check.name,
        `a name no other check has (checks[${first}] has it too; a check without a name is named by its URL)`,
      );
    }
    seen.set(check.name, index);
  });
}

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

function redactUrlText(text: string): string {
  return text.replace(/(\/\/[^/:@\s]*:)[^/@\s]*@/, '$1***@');
}

function parseMethod(value: string | undefined, input: string): HttpMethod {
  if (value === undefined) return 'GET';
  const method = HTTP_METHODS.find((m) => m === value.trim().toUpperCase());
  if (method === undefined) throw new InputError(input, value, `one of ${HTTP_METHODS.join(', ')}`);
  return method;
}

/** A string body as it is; a YAML map or list as JSON, with a JSON content type unless one is set. */
function addBody(check: Check, value: unknown, input: string): void {
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

function statusField(value: unknown, input: string): StatusSet | undefined {
  if (value === undefined || value === null) return undefined;
  const textValue = Array.isArray(value) ? value.map(String).join(',') : text(value, input);
  return requiredStatuses(textValue ?? '', input);
}

function requiredStatuses(value: string, input: string): StatusSet {
  const set = parseStatusRanges(value, input);
  if (set.ranges.length === 0) {
    throw new InputError(input, value, 'at least one status code or range, such as 200-299');
  }
  return set;
}

function failFastInput(value: string | undefined): StatusSet {
  const textValue = value ?? SMOKE_DEFAULTS.failFastStatuses;
  if (/^\s*none\s*$/i.test(textValue)) return EMPTY_STATUS_SET;
  return parseStatusRanges(textValue, 'fail-fast-statuses');
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

/**
 * `key<separator>value` lines; blank lines and `#` comments are skipped. Values
 * keep any further separators. With hideValues, an error shows only the start
 * of the line, since header lines carry credentials.
 */
export function parseKeyValueLines(
  value: string,
  options: { separator: '=' | ':'; input: string; form: string; hideValues?: boolean },
): [string, string][] {
  const entries: [string, string][] = [];
  for (const line of value.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const at = trimmed.indexOf(options.separator);
    const key = at > 0 ? trimmed.slice(0, at).trim() : '';
    if (key === '') {
      const shown = options.hideValues ? `${trimmed.split(/[\s:=]/)[0]} …` : trimmed;
      throw new InputError(options.input, shown, options.form);
    }
    entries.push([key, trimmed.slice(at + 1).trim()]);
  }
  return entries;
}

const HEADER_FORM = '"Name: value" lines, such as "Authorization: Bearer …"';

function headerLines(value: string, input: string): Record<string, string> {
  const entries = parseKeyValueLines(value, {
    separator: ':',
    input,
    form: HEADER_FORM,
    hideValues: true,
  });
  return headerRecord(entries, input);
}

function headerField(value: unknown, input: string): Record<string, string> {
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

function expectHeaderField(value: unknown, input: string): HeaderExpectation[] {
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

function jsonField(value: unknown, input: string): JsonExpectation[] {
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

function versionInputs(
  expectVersion: string | undefined,
  versionPath: string | undefined,
): VersionExpectation | undefined {
  const expected = given(expectVersion);
  const path = given(versionPath);
  if (expected === undefined && path === undefined) return undefined;
  if (expected === undefined) {
    // An empty expect-version next to a version-path usually means the expression that
    // should give it (an output of an earlier step, say) came out empty. Checking nothing
    // would let the old version pass, so this is an error, not "no version check".
    throw new InputError(
      'expect-version',
      expectVersion,
      'the version the service must report, since version-path is set (if you wrote an expression here, it came out empty)',
    );
  }
  if (path === undefined) {
    throw new InputError(
      'version-path',
      versionPath,
      `where the service reports its version, required with expect-version: ${JSON_PATH_FORM}, or header:<name>`,
    );
  }
  return { expected: expected.trim(), path: path.trim(), source: parseVersionPath(path.trim()) };
}

function parseVersionPath(path: string): VersionExpectation['source'] {
  const header = /^header:(.*)$/i.exec(path);
  if (header) {
    const name = header[1]!.trim();
    if (!HEADER_NAME.test(name)) {
      throw new InputError(
        'version-path',
        path,
        'header:<name> with a header name such as x-app-version',
      );
    }
    return { kind: 'header', name: name.toLowerCase() };
  }
  const segments = parseJsonPath(path);
  if (segments === undefined) {
    throw new InputError('version-path', path, `${JSON_PATH_FORM}, or header:<name>`);
  }
  return { kind: 'json', segments };
}

function durationInput(
  input: string,
  value: string | undefined,
  fallback: string | undefined,
  minMs: number,
  maxMs: number,
): number {
  const textValue = given(value) ?? fallback;
  const ms = textValue === undefined ? undefined : parseDuration(textValue);
  if (ms === undefined || ms < minMs || ms > maxMs) {
    throw new InputError(input, value, `${DURATION_FORM}, from ${minMs}ms to ${maxMs / HOUR_MS}h`);
  }
  return ms;
}

function integerInput(input: string, value: string, min: number, max: number): number {
  const trimmed = value.trim();
  const parsed = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(parsed >= min && parsed <= max)) {
    throw new InputError(input, value, `a whole number from ${min} to ${max}`);
  }
  return parsed;
}

/** A YAML scalar as text; undefined for a missing key or an empty value. */
function text(value: unknown, input: string): string | undefined {
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

function given(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

function firstLine(value: string): string {
  const lines = value.trim().split('\n');
  return lines.length > 1 ? `${lines[0]}…` : (lines[0] ?? '');
}

/** The allowed word closest to `word`, when it is close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const normalised = word
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .replace(/[_\s]+/g, '-')
    .toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(normalised, candidate);
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(1, Math.floor(best.candidate.length / 3))
    ? best.candidate
    : undefined;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
