/** Time, injectable so that polling logic is tested without waiting. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences matter. */
  now(): number;
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface BackoffOptions {
  /** The first delay's ceiling. */
  initialMs: number;
  /** No delay ever exceeds this. */
  maxMs: number;
  /** Growth per attempt; 2 unless said otherwise. */
  factor?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, 2015): a
 * uniformly random delay between 0 and the exponential ceiling, so that many
 * clients retrying at once spread out instead of arriving in waves.
 * `attempt` counts from 0.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const factor = options.factor ?? 2;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.initialMs * factor ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

export type PollStep<T> =
  | { done: true; value: T }
  /** Not yet. `retryAfterMs` (e.g. from a Retry-After header) is a floor for the next wait. */
  | { done: false; status?: string; retryAfterMs?: number };

export interface PollOptions<T> {
  /** Named in progress lines and timeouts. */
  label: string;
  /** One try. Throwing ends the poll with that error. */
  attempt: (attemptNumber: number) => Promise<PollStep<T>>;
  /** Total time allowed, measured from the call. */
  timeoutMs: number;
  backoff: BackoffOptions;
  clock?: Clock;
  signal?: AbortSignal;
  /** Called before each wait, for progress lines. */
  onWait?: (info: {
    attempt: number;
    delayMs: number;
    status: string | undefined;
    elapsedMs: number;
  }) => void;
}

export type PollResult<T> =
  | { ok: true; value: T; attempts: number; elapsedMs: number }
  | {
      ok: false;
      reason: 'timeout' | 'aborted';
      lastStatus: string | undefined;
      attempts: number;
      elapsedMs: number;
    };

/**
 * Tries until `attempt` says done, the deadline passes or `signal` aborts.
 * A wait never runs past the deadline: the last try happens at the deadline
 * at the latest, so a poll never takes longer than `timeoutMs` plus one try.
 */
export async function poll<T>(options: PollOptions<T>): Promise<PollResult<T>> {
  const clock = options.clock ?? systemClock;
  const start = clock.now();
  const deadline = start + options.timeoutMs;
  let lastStatus: string | undefined;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) {
      return {
        ok: false,
        reason: 'aborted',
        lastStatus,
        attempts: attempt - 1,
        elapsedMs: clock.now() - start,
      };
    }
    const step = await options.attempt(attempt);
    if (step.done)
      return { ok: true, value: step.value, attempts: attempt, elapsedMs: clock.now() - start };
    lastStatus = step.status ?? lastStatus;
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      return {
        ok: false,
        reason: 'timeout',
        lastStatus,
        attempts: attempt,
        elapsedMs: clock.now() - start,
      };
    }
    const jittered = backoffDelay(attempt - 1, options.backoff);
    const delayMs = Math.min(remaining, Math.max(jittered, step.retryAfterMs ?? 0));
    options.onWait?.({ attempt, delayMs, status: lastStatus, elapsedMs: clock.now() - start });
    await clock.sleep(delayMs, options.signal);
  }
}

/**
 * A clock for tests: sleeping advances time instantly. `sleeps` records every
 * requested wait so tests can assert on the schedule.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private time = 0) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += Math.max(0, ms);
  }
  advance(ms: number): void {
    this.time += ms;
  }
}
