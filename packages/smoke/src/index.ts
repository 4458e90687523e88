/**
 * The engine of the smoke-test action: HTTP checks after a deploy, right in
 * both directions (never pass an old or broken version, never fail a healthy
 * one over a transient blip).
 *
 * Flow: parseSmokeInputs (every input validated, checks normalised) →
 * runSmokeTests (checks in parallel; each polls with backoff until it has
 * enough passes in a row, fails fast, or the deadline passes; see runner.ts)
 * → report.ts for the outputs, the job summary and the failure message.
 * What is retried and what fails fast is decided and explained in evaluate.ts.
 */
export {
  parseSmokeInputs,
  parseChecks,
  SMOKE_DEFAULTS,
  type CheckInputs,
  type SmokeInputs,
} from './spec.js';
export { CHECK_KEYS } from './check-list.js';
export { parseRegex } from './check-fields.js';
export { parseUrl, redactUrl } from './url.js';
export { readSmokeInputs } from './inputs.js';
export { parseStatusRanges, statusMatches, EMPTY_STATUS_SET, type StatusSet } from './status.js';
export {
  parseJsonPath,
  lookupJsonPath,
  formatJsonPath,
  formatJsonValue,
  type JsonPathSegment,
  type JsonLookup,
} from './json-path.js';
export { parseRetryAfter, retryAfterFromHeaders } from './retry-after.js';
export {
  sendRequest,
  createAgents,
  classifyNetworkError,
  MAX_BODY_BYTES,
  MAX_REDIRECTS,
  type HttpRequest,
  type HttpAgents,
  type SendOptions,
  type HttpOutcome,
  type HttpResponse,
  type HttpFailure,
  type RedirectHop,
  type CertificateInfo,
  type NetworkError,
  type NetworkErrorKind,
} from './http.js';
export { defaultCertificateAuthorities, loadCertificateAuthorities } from './trust.js';
export {
  evaluate,
  versionMatches,
  describeExpectations,
  excerpt,
  type Evaluation,
  type EvaluationContext,
} from './evaluate.js';
export { runSmokeTests, MAX_BACKOFF_MS, USER_AGENT, type SmokeDeps } from './runner.js';
export {
  failedChecks,
  resultsJson,
  reportHeadline,
  summaryRows,
  failureMessage,
} from './report.js';
export {
  HTTP_METHODS,
  type HttpMethod,
  type Check,
  type CheckResult,
  type SmokeOptions,
  type SmokeReport,
  type Verdict,
  type VersionExpectation,
  type VersionSource,
  type JsonExpectation,
  type HeaderExpectation,
} from './types.js';
