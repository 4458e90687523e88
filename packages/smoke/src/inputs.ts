/**
 * The smoke-test inputs as given, read in one place for the action and the
 * root pipeline (which reads them under its own names through readRenamed:
 * `timeout` is its `smoke-timeout`). parseSmokeInputs validates them.
 */
import type { Inputs } from '@deploy-actions/action-kit/engine';
import type { SmokeInputs } from './spec.js';

export function readSmokeInputs(inputs: Inputs): SmokeInputs {
  return {
    url: inputs.optional('url'),
    checks: inputs.optional('checks'),
    expectStatus: inputs.optional('expect-status'),
    expectVersion: inputs.optional('expect-version'),
    versionPath: inputs.optional('version-path'),
    headers: inputs.optional('headers'),
    timeout: inputs.optional('timeout'),
    requestTimeout: inputs.optional('request-timeout'),
    interval: inputs.optional('interval'),
    consecutiveSuccesses: inputs.optional('consecutive-successes'),
    failFastStatuses: inputs.optional('fail-fast-statuses'),
    caFile: inputs.optional('ca-file'),
    tlsMinDays: inputs.optional('tls-min-days'),
    forwardHeadersOnRedirect: inputs.optional('forward-headers-on-redirect'),
  };
}
