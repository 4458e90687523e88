/**
 * Turns the action's inputs into validated, normalised checks and options.
 * Every mistake fails here, before any request, with an InputError naming the
 * input (down to `checks[2].expect-status`), the value and the expected form.
 * Header values never appear in these messages: they are often credentials.
 */
import { InputError, durationValue, integerValue } from '@deploy-actions/action-kit/engine';
import { parseJsonPath } from './json-path.js';
import { EMPTY_STATUS_SET, parseStatusRanges, type StatusSet } from './status.js';
import {
  HEADER_NAME,
  HOUR_MS,
  JSON_PATH_FORM,
  SMOKE_DURATION,
  headerLines,
  requiredStatuses,
} from './check-fields.js';
import { parseCheckList, type CheckDefaults } from './check-list.js';
import type { Check, SmokeOptions, VersionExpectation } from './types.js';
import { parseUrl, redactUrlText } from './url.js';

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

export function parseSmokeInputs(inputs: SmokeInputs): { checks: Check[]; options: SmokeOptions } {
  const options: SmokeOptions = {
    timeoutMs: durationValue('timeout', inputs.timeout, {
      fallback: SMOKE_DEFAULTS.timeout,
      minMs: 100,
      maxMs: 6 * HOUR_MS,
      ...SMOKE_DURATION,
    }),
    requestTimeoutMs: durationValue('request-timeout', inputs.requestTimeout, {
      fallback: SMOKE_DEFAULTS.requestTimeout,
      minMs: 10,
      maxMs: HOUR_MS,
      ...SMOKE_DURATION,
    }),
    intervalMs: durationValue('interval', inputs.interval, {
      fallback: SMOKE_DEFAULTS.interval,
      minMs: 10,
      maxMs: HOUR_MS,
      ...SMOKE_DURATION,
    }),
    consecutiveSuccesses: integerValue('consecutive-successes', inputs.consecutiveSuccesses, {
      fallback: Number(SMOKE_DEFAULTS.consecutiveSuccesses),
      min: 1,
      max: 100,
    }),
    failFastStatuses: failFastInput(inputs.failFastStatuses),
    tlsMinDays: integerValue('tls-min-days', inputs.tlsMinDays, {
      fallback: Number(SMOKE_DEFAULTS.tlsMinDays),
      min: 0,
      max: 3650,
    }),
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

function failFastInput(value: string | undefined): StatusSet {
  const textValue = value ?? SMOKE_DEFAULTS.failFastStatuses;
  if (/^\s*none\s*$/i.test(textValue)) return EMPTY_STATUS_SET;
  return parseStatusRanges(textValue, 'fail-fast-statuses');
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
function given(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
