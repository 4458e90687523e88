/** The shapes of smoke-test: a check as parsed, the run's options, and what each check found. */
import type { JsonPathSegment } from './json-path.js';
import type { CrossOriginRedirect } from './redirect.js';
import type { StatusSet } from './status.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Where the service reports its version: a JSON path in the body, or a response header. */
export type VersionSource =
  { kind: 'json'; segments: JsonPathSegment[] } | { kind: 'header'; name: string };

export interface VersionExpectation {
  expected: string;
  /** As the user wrote it (`build.sha`, `header:x-app-version`), for messages. */
  path: string;
  source: VersionSource;
}

export interface JsonExpectation {
  /** As written, for messages. */
  path: string;
  segments: JsonPathSegment[];
  /** Compared with the value found: strings as they are, other values as JSON. */
  value: string;
}

export interface HeaderExpectation {
  /** Lower case. */
  name: string;
  /** Text the header's value must contain, ignoring case; empty: the header must be present. */
  value: string;
}

/** One normalised check: every default applied, every value validated. */
export interface Check {
  name: string;
  /** Absolute http(s) URL, normalised by the URL parser. May hold a password: show redactUrl(). */
  url: string;
  method: HttpMethod;
  /** Lower-case names; the global headers merged under the check's own. */
  headers: Record<string, string>;
  body?: string;
  expectStatus: StatusSet;
  bodyContains?: string;
  bodyRegex?: RegExp;
  expectJson: JsonExpectation[];
  expectHeaders: HeaderExpectation[];
  maxLatencyMs?: number;
  version?: VersionExpectation;
}

/** How the whole run behaves; the action shell builds this with parseSmokeInputs. */
export interface SmokeOptions {
  /** Overall deadline for all checks, from the start of the run. */
  timeoutMs: number;
  /** Deadline of one request, redirects included. */
  requestTimeoutMs: number;
  /** The first backoff ceiling after a failure, and the spacing between consecutive passes. */
  intervalMs: number;
  /** The largest wait after a failure; 30s unless said otherwise (never less than intervalMs). */
  maxIntervalMs?: number;
  /** Passes in a row a check needs; a failure resets the count. */
  consecutiveSuccesses: number;
  /** Statuses that fail a check at once (unless the check expects them). */
  failFastStatuses: StatusSet;
  /** Fail an https check whose certificate expires in fewer days; 0 disables. */
  tlsMinDays: number;
  /** PEM file of extra certificate authorities, trusted in addition to the default roots. */
  caFile?: string;
  /** Send the checks' headers on after a redirect to another origin; they stay behind by default. */
  forwardHeadersOnRedirect?: boolean;
}

/** `cancelled`: the step was cancelled before the check could decide. */
export type Verdict = 'passed' | 'failed' | 'cancelled';

export interface CheckResult {
  name: string;
  /** The check's URL with any password hidden. */
  url: string;
  verdict: Verdict;
  /** Requests made. */
  attempts: number;
  /** The pass streak at the end. */
  consecutivePasses: number;
  lastStatus?: number;
  latencyMs?: number;
  /** Why it passed or failed, in one line. */
  reason: string;
  /** What the deciding rule wanted, e.g. `status 200-299`. */
  expected: string;
  /** What came back for that rule, e.g. `status 503`. */
  received: string;
  /** The last attempt was redirected to another origin (the reason says so too). */
  crossOrigin?: CrossOriginRedirect;
}

export interface SmokeReport {
  passed: boolean;
  /** The step was cancelled while checks were undecided: not a verdict on the version. */
  cancelled?: boolean;
  results: CheckResult[];
  durationMs: number;
}
