/**
 * Judges one response against one check: pure, so every rule is tested on its
 * own. The first rule that fails decides, in this order: network error, status,
 * certificate lifetime, version, headers, body text, body regex, JSON values,
 * latency. The version comes early because "the old version still answers" is
 * the most useful thing to say about a response that is wrong in several ways.
 *
 * What is retried and what fails fast (stops the check at once):
 * - A status outside expect-status that is in fail-fast-statuses fails fast
 *   (a wrong credential does not fix itself); a status the check expects never
 *   does, so `expect-status: 401` can test that auth is enforced.
 * - A TLS verification error fails fast: an untrusted, expired or misnamed
 *   certificate will not become valid while we wait.
 * - A certificate expiring within tls-min-days fails fast for the same reason.
 * - A redirect from https to plain http fails fast: it is refused, not followed.
 * - Everything else (refused, reset, timeout, DNS, other statuses, wrong body,
 *   old version, slow response) is retried: those are the states a service
 *   passes through while a deploy settles.
 */
import { formatDuration } from '@deploy-actions/action-kit/engine';
import type { HttpOutcome, HttpResponse, NetworkError } from './http.js';
import { formatJsonValue, lookupJsonPath } from './json-path.js';
import { statusMatches, type StatusSet } from './status.js';
import type { Check, JsonExpectation, VersionExpectation } from './types.js';

export interface EvaluationContext {
  failFastStatuses: StatusSet;
  /** 0 disables the certificate lifetime rule. */
  tlsMinDays: number;
}

export interface Evaluation {
  ok: boolean;
  /** Stop retrying: this will not change by waiting. */
  failFast: boolean;
  /** One line: why it passed or failed. */
  reason: string;
  /** What the deciding rule wanted (for a pass: everything the check wants). */
  expected: string;
  /** What came back for that rule. */
  received: string;
}

type Rule = (
  check: Check,
  response: HttpResponse,
  context: EvaluationContext,
) => Evaluation | undefined;

const RULES: readonly Rule[] = [
  statusRule,
  certificateRule,
  versionRule,
  headerRule,
  bodyContainsRule,
  bodyRegexRule,
  jsonRule,
  latencyRule,
];

const EXCERPT_CHARS = 200;
const STATUS_EXCERPT_CHARS = 100;

export function evaluate(
  check: Check,
  outcome: HttpOutcome,
  context: EvaluationContext,
): Evaluation {
  if (outcome.kind === 'error') return networkFailure(outcome.error);
  for (const rule of RULES) {
    const failure = rule(check, outcome, context);
    if (failure) return failure;
  }
  return pass(check, outcome);
}

function fail(reason: string, expected: string, received: string, failFast = false): Evaluation {
  return { ok: false, failFast, reason, expected, received };
}

function networkFailure(error: NetworkError): Evaluation {
  if (error.code === 'INSECURE_REDIRECT') {
    // The server sends us there on purpose; waiting will not change it.
    return fail(
      `${error.message}; not retried`,
      'no redirect from https to http',
      error.message,
      true,
    );
  }
  if (error.kind !== 'tls-verify') return fail(error.message, 'a response', error.message);
  const untrusted = /SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(error.code);
  const advice = untrusted
    ? 'not retried; if the server uses a private CA, trust it with ca-file'
    : 'not retried: a certificate problem does not fix itself';
  return fail(`${error.message}; ${advice}`, 'a trusted, valid certificate', error.message, true);
}

function statusRule(check: Check, response: HttpResponse, context: EvaluationContext) {
  if (statusMatches(check.expectStatus, response.status)) return undefined;
  const failFast = statusMatches(context.failFastStatuses, response.status);
  const body =
    response.body.trim() === '' ? '' : ` (body: ${excerpt(response, STATUS_EXCERPT_CHARS)})`;
  const notRetried = failFast ? `; ${response.status} is a fail-fast status, not retried` : '';
  return fail(
    `expected status ${check.expectStatus.text}, got ${response.status}${body}${notRetried}`,
    `status ${check.expectStatus.text}`,
    `status ${response.status}`,
    failFast,
  );
}

function certificateRule(_check: Check, response: HttpResponse, context: EvaluationContext) {
  const certificate = response.certificate;
  if (context.tlsMinDays <= 0 || certificate === undefined) return undefined;
  if (certificate.daysRemaining >= context.tlsMinDays) return undefined;
  const lifetime = describeLifetime(certificate.daysRemaining);
  return fail(
    `certificate ${lifetime} (< tls-min-days ${context.tlsMinDays}), on ${certificate.validTo}; not retried`,
    `a certificate valid for at least ${context.tlsMinDays} days`,
    `certificate ${lifetime}, on ${certificate.validTo}`,
    true,
  );
}

function describeLifetime(days: number): string {
  if (days <= 0) return 'has expired';
  if (days < 1) return `expires in ${Math.floor(days * 24)} hours`;
  // Whole days, rounded down: "13 days (< tls-min-days 14)" never contradicts itself.
  const whole = Math.floor(days);
  return `expires in ${whole} ${whole === 1 ? 'day' : 'days'}`;
}

function versionRule(check: Check, response: HttpResponse) {
  const version = check.version;
  if (version === undefined) return undefined;
  const wanted = `version '${version.expected}' at ${version.path}`;
  const reported = reportedVersion(version, response);
  if ('missing' in reported)
    return fail(`expected ${wanted}, but ${reported.missing}`, wanted, reported.missing);
  if (versionMatches(version.expected, reported.value)) return undefined;
  return fail(`expected ${wanted}, got '${reported.value}'`, wanted, `version '${reported.value}'`);
}

function reportedVersion(
  version: VersionExpectation,
  response: HttpResponse,
): { value: string } | { missing: string } {
  if (version.source.kind === 'header') {
    const value = response.headers[version.source.name];
    return value === undefined
      ? { missing: `the response has no ${version.source.name} header` }
      : { value };
  }
  const document = parseJson(response);
  if (!document.ok) return { missing: `the body is not JSON: ${excerpt(response)}` };
  const found = lookupJsonPath(document.value, version.source.segments);
  return found.found
    ? { value: formatJsonValue(found.value) }
    : { missing: `the body has nothing at ${found.missingAt}: ${excerpt(response)}` };
}

const COMMIT_SHA = /^[0-9a-f]{7,64}$/i;

/**
 * Exact equality, except between two commit SHAs, where the shorter may be a
 * prefix of the longer: services often report the 7-12 character short SHA of
 * the full `github.sha`. Prefixes are never accepted for other versions, or
 * '1.2' would pass for '1.2.3'.
 */
export function versionMatches(expected: string, reported: string): boolean {
  const a = expected.trim();
  const b = reported.trim();
  if (a === b) return true;
  if (!COMMIT_SHA.test(a) || !COMMIT_SHA.test(b)) return false;
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  return longer.toLowerCase().startsWith(shorter.toLowerCase());
}

function headerRule(check: Check, response: HttpResponse) {
  for (const { name, value } of check.expectHeaders) {
    const actual = response.headers[name];
    const wanted = value === '' ? `header ${name}` : `header ${name} containing '${value}'`;
    if (actual === undefined)
      return fail(`expected ${wanted}, but the response has none`, wanted, `no ${name} header`);
    if (!actual.toLowerCase().includes(value.toLowerCase())) {
      return fail(`expected ${wanted}, got '${actual}'`, wanted, `${name}: ${actual}`);
    }
  }
  return undefined;
}

function bodyContainsRule(check: Check, response: HttpResponse) {
  const text = check.bodyContains;
  if (text === undefined || response.body.includes(text)) return undefined;
  return fail(
    `expected body to contain '${text}', got ${excerpt(response)}`,
    `body containing '${text}'`,
    excerpt(response),
  );
}

function bodyRegexRule(check: Check, response: HttpResponse) {
  const regex = check.bodyRegex;
  if (regex === undefined || regex.test(response.body)) return undefined;
  return fail(
    `expected body to match ${regex}, got ${excerpt(response)}`,
    `body matching ${regex}`,
    excerpt(response),
  );
}

function jsonRule(check: Check, response: HttpResponse) {
  if (check.expectJson.length === 0) return undefined;
  const document = parseJson(response);
  if (!document.ok) {
    const wanted = check.expectJson.map(describeJson).join(', ');
    return fail(
      `expected JSON with ${wanted}, but the body is not JSON: ${excerpt(response)}`,
      `JSON with ${wanted}`,
      excerpt(response),
    );
  }
  for (const expectation of check.expectJson) {
    const failure = jsonExpectationFailure(expectation, document.value, response);
    if (failure) return failure;
  }
  return undefined;
}

function jsonExpectationFailure(
  expectation: JsonExpectation,
  document: unknown,
  response: HttpResponse,
) {
  const wanted = `${expectation.path} to be '${expectation.value}'`;
  const found = lookupJsonPath(document, expectation.segments);
  if (!found.found) {
    return fail(
      `expected ${wanted}, but the body has nothing at ${found.missingAt}: ${excerpt(response)}`,
      describeJson(expectation),
      `nothing at ${found.missingAt}`,
    );
  }
  const actual = formatJsonValue(found.value);
  if (actual === expectation.value || JSON.stringify(found.value) === expectation.value)
    return undefined;
  return fail(
    `expected ${wanted}, got '${actual}'`,
    describeJson(expectation),
    `${expectation.path}=${actual}`,
  );
}

function describeJson(expectation: JsonExpectation): string {
  return `${expectation.path}=${expectation.value}`;
}

function latencyRule(check: Check, response: HttpResponse) {
  const max = check.maxLatencyMs;
  if (max === undefined || response.latencyMs <= max) return undefined;
  const latency = formatDuration(response.latencyMs);
  return fail(
    `latency ${latency} exceeds max-latency ${formatDuration(max)}`,
    `latency at most ${formatDuration(max)}`,
    `latency ${latency}`,
  );
}

function pass(check: Check, response: HttpResponse): Evaluation {
  const reported = check.version ? reportedVersion(check.version, response) : undefined;
  const version = reported && 'value' in reported ? `, version '${reported.value}'` : '';
  return {
    ok: true,
    failFast: false,
    reason: `status ${response.status}${version}`,
    expected: describeExpectations(check),
    received: `status ${response.status}${version} in ${formatDuration(response.latencyMs)}`,
  };
}

/** Everything a check wants, in words: `status 200-299; version 'abc' at build.sha; …`. */
export function describeExpectations(check: Check): string {
  return [
    `status ${check.expectStatus.text}`,
    check.version && `version '${check.version.expected}' at ${check.version.path}`,
    ...check.expectHeaders.map(({ name, value }) =>
      value === '' ? `header ${name}` : `header ${name} containing '${value}'`,
    ),
    check.bodyContains !== undefined && `body containing '${check.bodyContains}'`,
    check.bodyRegex && `body matching ${check.bodyRegex}`,
    ...check.expectJson.map(describeJson),
    check.maxLatencyMs !== undefined && `latency at most ${formatDuration(check.maxLatencyMs)}`,
  ]
    .filter((part): part is string => typeof part === 'string')
    .join('; ');
}

function parseJson(response: HttpResponse): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(response.body) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The body as messages show it: quoted, whitespace collapsed, cut at `chars`. */
export function excerpt(
  response: Pick<HttpResponse, 'body' | 'bodyTruncated'>,
  chars = EXCERPT_CHARS,
): string {
  const collapsed = response.body.replace(/\s+/g, ' ').trim();
  if (collapsed === '') return 'an empty body';
  const cut = collapsed.length > chars || response.bodyTruncated;
  return `'${collapsed.slice(0, chars)}${cut ? '…' : ''}'`;
}
