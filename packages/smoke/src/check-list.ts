/**
 * The `checks` input: a YAML list of checks, each a map of the keys below,
 * read into normalised checks over the run-wide defaults.
 */
import { InputError, closest, durationValue, yamlValue } from '@deploy-actions/action-kit/engine';
import {
  HOUR_MS,
  SMOKE_DURATION,
  addBody,
  describeValue,
  expectHeaderField,
  headerField,
  isPlainObject,
  jsonField,
  parseMethod,
  parseRegex,
  statusField,
  text,
} from './check-fields.js';
import type { Check } from './types.js';
import { parseUrl, redactUrlText } from './url.js';

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

export type CheckDefaults = Omit<Check, 'name' | 'url'>;

export function parseCheckList(text: string, defaults: CheckDefaults): Check[] {
  const document = yamlValue('checks', text, 'a YAML list of checks');
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
    check.maxLatencyMs = durationValue(field('max-latency'), maxLatency, {
      minMs: 1,
      maxMs: HOUR_MS,
      ...SMOKE_DURATION,
    });
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
  const suggestion = closest(key, CHECK_KEYS);
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

function firstLine(value: string): string {
  const lines = value.trim().split('\n');
  return lines.length > 1 ? `${lines[0]}…` : (lines[0] ?? '');
}
