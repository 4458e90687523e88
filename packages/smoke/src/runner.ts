/**
 * Runs every check in parallel until each has passed `consecutiveSuccesses`
 * times in a row, failed fast, or the overall deadline has passed.
 *
 * Schedule of one check (the kit's poll does the waiting and the deadline):
 * - After a failure: exponential backoff with full jitter, from `intervalMs`
 *   up to 30s (or maxIntervalMs); a Retry-After header is a floor. The first
 *   wait is random in [0, interval) by design of full jitter.
 * - Between passes of a streak: a fixed `intervalMs`, so N passes in a row
 *   take about (N-1) intervals, not a backoff that grows with each success.
 *   A failure resets the streak.
 * - No wait runs past the deadline, and the last try starts at the deadline
 *   at the latest: a run ends within timeout + one request-timeout.
 *
 * Header values never reach the log (only names), and values that may be
 * credentials are masked in case a server echoes them into a body we quote.
 */
import {
  formatDuration,
  poll,
  systemClock,
  type Clock,
  type Logger,
  type PollResult,
  type PollStep,
} from '@deploy-actions/action-kit/engine';
import { evaluate, type Evaluation, type EvaluationContext } from './evaluate.js';
import {
  createAgents,
  sendRequest,
  type HttpAgents,
  type HttpOutcome,
  type HttpResponse,
} from './http.js';
import { describeCrossOrigin } from './redirect.js';
import { retryAfterFromHeaders } from './retry-after.js';
import { redactUrl } from './url.js';
import { statusMatches } from './status.js';
import { loadCertificateAuthorities } from './trust.js';
import type { Check, CheckResult, SmokeOptions, SmokeReport } from './types.js';

export const MAX_BACKOFF_MS = 30_000;
export const USER_AGENT = 'deploy-actions-smoke-test';

export interface SmokeDeps {
  logger: Logger;
  /** Waits and the deadline; requests themselves always run in real time. */
  clock?: Clock;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Cancels the run: waits end, requests in flight are aborted, checks fail as cancelled. */
  signal?: AbortSignal;
}

interface Run {
  options: SmokeOptions;
  deps: SmokeDeps;
  clock: Clock;
  agents: HttpAgents;
  deadline: number;
  context: EvaluationContext;
}

interface Attempted {
  outcome: HttpOutcome;
  evaluation: Evaluation;
}

/** What one check has seen so far. */
interface CheckState {
  attempts: number;
  streak: number;
  last?: Attempted;
  lastFailure?: Evaluation;
}

/**
 * Runs the checks. Throws only for a bad ca-file (an InputError), before any
 * request; every check outcome, good or bad, is in the report.
 */
export async function runSmokeTests(
  checks: readonly Check[],
  options: SmokeOptions,
  deps: SmokeDeps,
): Promise<SmokeReport> {
  const clock = deps.clock ?? systemClock;
  const extraAuthorities = options.caFile ? await loadCertificateAuthorities(options.caFile) : [];
  maskCredentials(checks, deps.logger);
  logPlan(checks, options, deps.logger);
  const agents = createAgents(extraAuthorities);
  const started = clock.now();
  const run: Run = {
    options,
    deps,
    clock,
    agents,
    deadline: started + options.timeoutMs,
    context: { failFastStatuses: options.failFastStatuses, tlsMinDays: options.tlsMinDays },
  };
  try {
    const results = await Promise.all(checks.map((check) => runCheck(check, run)));
    return {
      passed: results.every((result) => result.verdict === 'passed'),
      cancelled: results.some((result) => result.verdict === 'cancelled'),
      results,
      durationMs: clock.now() - started,
    };
  } finally {
    agents.destroy();
  }
}

async function runCheck(check: Check, run: Run): Promise<CheckResult> {
  const { options, deps, clock } = run;
  const state: CheckState = { attempts: 0, streak: 0 };
  const result = await poll<Evaluation>({
    label: check.name,
    timeoutMs: Math.max(0, run.deadline - clock.now()),
    clock,
    ...(deps.signal && { signal: deps.signal }),
    backoff: {
      initialMs: options.intervalMs,
      maxMs: Math.max(options.maxIntervalMs ?? MAX_BACKOFF_MS, options.intervalMs),
      ...(deps.random && { random: deps.random }),
    },
    attempt: () => attemptUntilStreak(check, state, run),
    onWait: ({ delayMs, status }) => {
      if (!deps.signal?.aborted) {
        deps.logger.info(`${check.name}: ${status}; next try in ${formatDuration(delayMs)}`);
      }
    },
  });
  const checkResult = toCheckResult(check, state, result, options.consecutiveSuccesses);
  deps.logger.info(
    `${check.name}: ${checkResult.verdict} after ${plural(checkResult.attempts, 'attempt')}: ${checkResult.reason}`,
  );
  return checkResult;
}

/**
 * One poll attempt: requests until a failure (the poll then backs off) or a
 * full streak of passes (done). Passes within a streak are spaced by the
 * interval here, since the poll's backoff is for failures.
 */
async function attemptUntilStreak(
  check: Check,
  state: CheckState,
  run: Run,
): Promise<PollStep<Evaluation>> {
  const needed = run.options.consecutiveSuccesses;
  for (;;) {
    const { outcome, evaluation } = await attemptOnce(check, state, run);
    const line = `attempt ${state.attempts} (${describeOutcome(outcome)})`;
    if (!evaluation.ok) {
      state.streak = 0;
      if (evaluation.failFast) {
        run.deps.logger.info(`${check.name}: ${line}: ${evaluation.reason}`);
        return { done: true, value: evaluation };
      }
      const retryAfterMs =
        outcome.kind === 'response' ? retryAfterFromHeaders(outcome.headers) : undefined;
      return {
        done: false,
        status: `${line}: ${evaluation.reason}`,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      };
    }
    state.streak++;
    const streak = `${state.streak} of ${needed} passes in a row`;
    if (state.streak >= needed) {
      run.deps.logger.info(`${check.name}: ${line}: passed${needed > 1 ? `, ${streak}` : ''}`);
      return { done: true, value: evaluation };
    }
    const remaining = run.deadline - run.clock.now();
    if (remaining <= 0 || run.deps.signal?.aborted) {
      return { done: false, status: `${line}: passed, ${streak}` };
    }
    const spacing = Math.min(run.options.intervalMs, remaining);
    run.deps.logger.info(
      `${check.name}: ${line}: passed, ${streak}; next check in ${formatDuration(spacing)}`,
    );
    await run.clock.sleep(spacing, run.deps.signal);
  }
}

async function attemptOnce(check: Check, state: CheckState, run: Run): Promise<Attempted> {
  const outcome = await sendRequest(
    {
      url: check.url,
      method: check.method,
      fixedHeaders: { 'user-agent': USER_AGENT },
      headers: check.headers,
      ...(check.body !== undefined && { body: check.body }),
    },
    {
      agents: run.agents,
      timeoutMs: run.options.requestTimeoutMs,
      ...(run.deps.signal && { signal: run.deps.signal }),
      // A redirect the check expects (expect-status: 301) is the answer, not a hop.
      followRedirect: (status) => !statusMatches(check.expectStatus, status),
      ...(run.options.forwardHeadersOnRedirect && { forwardHeadersOnRedirect: true }),
    },
  );
  const evaluation = evaluate(check, outcome, run.context);
  state.attempts++;
  state.last = { outcome, evaluation };
  if (!evaluation.ok) state.lastFailure = evaluation;
  return state.last;
}

function toCheckResult(
  check: Check,
  state: CheckState,
  result: PollResult<Evaluation>,
  needed: number,
): CheckResult {
  const response = state.last?.outcome.kind === 'response' ? state.last.outcome : undefined;
  const checkResult = toVerdict(check, state, result, needed, response);
  const crossOrigin = state.last?.outcome.crossOrigin;
  if (!crossOrigin) return checkResult;
  return {
    ...checkResult,
    reason: `${checkResult.reason}; ${describeCrossOrigin(crossOrigin)}`,
    crossOrigin,
  };
}

function toVerdict(
  check: Check,
  state: CheckState,
  result: PollResult<Evaluation>,
  needed: number,
  response: HttpResponse | undefined,
): CheckResult {
  const base = {
    name: check.name,
    url: redactUrl(check.url),
    attempts: state.attempts,
    consecutivePasses: state.streak,
    ...(response && { lastStatus: response.status, latencyMs: response.latencyMs }),
  };
  if (result.ok) {
    const { ok, reason, expected, received } = result.value;
    const inARow = ok && needed > 1 ? `; ${needed} passes in a row` : '';
    return {
      ...base,
      verdict: ok ? 'passed' : 'failed',
      reason: `${reason}${inARow}`,
      expected,
      received,
    };
  }
  const verdict = result.reason === 'aborted' ? 'cancelled' : 'failed';
  return { ...base, verdict, ...unfinishedReason(state, result.reason, needed) };
}

/** Why a check that neither passed nor failed fast failed at the deadline, or was cancelled. */
function unfinishedReason(
  state: CheckState,
  why: 'timeout' | 'aborted',
  needed: number,
): Pick<CheckResult, 'reason' | 'expected' | 'received'> {
  const last = state.last?.evaluation;
  if (why === 'aborted') {
    const lastReason = last && !last.ok ? `; the last attempt: ${last.reason}` : '';
    return {
      reason: `cancelled after ${plural(state.attempts, 'attempt')}${lastReason}`,
      expected: last?.expected ?? 'a response',
      received: 'cancelled',
    };
  }
  if (last && !last.ok)
    return { reason: last.reason, expected: last.expected, received: last.received };
  const before = state.lastFailure ? `; the failure before: ${state.lastFailure.reason}` : '';
  return {
    reason: `passed only ${state.streak} of ${needed} times in a row before the timeout${before}`,
    expected: `${needed} passes in a row`,
    received: `${state.streak} in a row`,
  };
}

/** `503, 12ms` or `200 from https://…/login after 2 redirects, 30ms` or `no response, 10.0s`. */
function describeOutcome(outcome: HttpOutcome): string {
  const latency = formatDuration(outcome.latencyMs);
  const status = outcome.kind === 'response' ? String(outcome.status) : 'no response';
  const hops = outcome.redirects.length;
  const origin = outcome.crossOrigin ? ', another origin' : '';
  const via =
    hops > 0 ? ` from ${redactUrl(outcome.url)} after ${plural(hops, 'redirect')}${origin}` : '';
  return `${status}${via}, ${latency}`;
}

function logPlan(checks: readonly Check[], options: SmokeOptions, logger: Logger): void {
  const streak =
    options.consecutiveSuccesses > 1
      ? `, ${options.consecutiveSuccesses} passes in a row each`
      : '';
  logger.info(
    `Smoke testing ${plural(checks.length, 'check')}: timeout ${formatDuration(options.timeoutMs)}, request-timeout ${formatDuration(options.requestTimeoutMs)}, interval ${formatDuration(options.intervalMs)}${streak}`,
  );
  for (const check of checks) {
    const names = Object.keys(check.headers);
    const headers = names.length > 0 ? ` (headers: ${names.join(', ')})` : '';
    logger.info(`${check.name}: ${check.method} ${redactUrl(check.url)}${headers}`);
  }
}

/** Headers whose values are never credentials, so masking them would only garble the log. */
const PLAIN_HEADERS = new Set([
  'accept',
  'accept-language',
  'cache-control',
  'content-type',
  'pragma',
  'user-agent',
]);
/** Shorter values cannot be meaningful secrets, and masking them would mangle every log line. */
const MIN_MASKED_LENGTH = 4;

function maskCredentials(checks: readonly Check[], logger: Logger): void {
  const secrets = new Set<string>();
  for (const check of checks) {
    for (const [name, value] of Object.entries(check.headers)) {
      if (PLAIN_HEADERS.has(name)) continue;
      secrets.add(value.trim());
      // "Bearer abc": a server that echoes the token alone must not reveal it either.
      const credential = /^\S+\s+(\S+)$/.exec(value.trim())?.[1];
      if (name.endsWith('authorization') && credential) secrets.add(credential);
    }
    const password = new URL(check.url).password;
    if (password) secrets.add(password).add(decodePercent(password));
  }
  for (const secret of secrets) if (secret.length >= MIN_MASKED_LENGTH) logger.mask(secret);
}

function decodePercent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
