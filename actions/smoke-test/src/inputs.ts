import type { Inputs } from '@deploy-actions/action-kit';
import { parseSmokeInputs, type Check, type SmokeOptions } from '@deploy-actions/smoke';

/** Reads every input; the engine validates them all before the first request. */
export function getInputs(inputs: Inputs): { checks: Check[]; options: SmokeOptions } {
  return parseSmokeInputs({
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
  });
}
