/**
 * Waiting for a deployment operation to end, independent of who runs it: the
 * caller supplies an OperationSource that reads one operation and maps its
 * statuses to phases. Polling starts
 * fast and backs off with full jitter to a ceiling; throttling and transient
 * server errors slow it down and never end it.
 */
import {
  formatDuration,
  poll,
  type BackoffOptions,
  type Clock,
  type Logger,
} from '@deploy-actions/action-kit/engine';
import { errorCode, isTransient } from '@deploy-actions/aws';

export type OperationPhase =
  'pending' | 'in-progress' | 'rolling-back' | 'succeeded' | 'rolled-back' | 'failed';

export interface OperationSnapshot {
  id: string;
  /** The provider's name for it, e.g. UPDATE_SERVICE. */
  type: string;
  /** The provider's status word, e.g. ROLLBACK_IN_PROGRESS. */
  status: string;
  phase: OperationPhase;
  startedAt?: Date;
  endedAt?: Date;
}

export interface OperationSource {
  /** The operation as the provider reports it now, or undefined when it is not listed (yet). */
  read(operationId: string): Promise<OperationSnapshot | undefined>;
}

export const TERMINAL_PHASES: ReadonlySet<OperationPhase> = new Set([
  'succeeded',
  'rolled-back',
  'failed',
]);

export function isTerminal(phase: OperationPhase): boolean {
  return TERMINAL_PHASES.has(phase);
}

/** Fast first polls (a short operation is noticed quickly), then a ceiling that spares the API. */
export const DEFAULT_POLL_BACKOFF: BackoffOptions = { initialMs: 2_000, maxMs: 15_000 };
/** No two polls closer than this, whatever the jitter draws. */
const MIN_POLL_INTERVAL_MS = 1_000;
/** Progress lines at least this often while the status does not change. */
const HEARTBEAT_MS = 60_000;

export interface TrackOptions {
  operationId: string;
  /** How the operation is named in log lines, e.g. "deployment" or "the running UPDATE_SERVICE". */
  label: string;
  /** The clock time after which the wait gives up. */
  deadline: number;
  backoff?: BackoffOptions;
}

export interface TrackDeps {
  logger: Logger;
  clock: Clock;
  /** The step was cancelled: stop waiting (the operation goes on in App Runner). */
  signal?: AbortSignal;
}

export type TrackResult =
  | { ended: true; operation: OperationSnapshot; polls: number; elapsedMs: number }
  | {
      ended: false;
      /** The last state seen before the deadline, if the operation was ever listed. */
      operation: OperationSnapshot | undefined;
      polls: number;
      elapsedMs: number;
      /** The wait ended because the step was cancelled, not at the deadline. */
      cancelled?: boolean;
    };

export async function trackOperation(
  source: OperationSource,
  options: TrackOptions,
  deps: TrackDeps,
): Promise<TrackResult> {
  const backoff = options.backoff ?? DEFAULT_POLL_BACKOFF;
  const progress = progressReporter(options.label, deps);
  let last: OperationSnapshot | undefined;
  let consecutiveTransientErrors = 0;
  const result = await poll<OperationSnapshot>({
    label: options.label,
    timeoutMs: Math.max(0, options.deadline - deps.clock.now()),
    backoff,
    clock: deps.clock,
    ...(deps.signal && { signal: deps.signal }),
    attempt: async () => {
      let snapshot: OperationSnapshot | undefined;
      try {
        snapshot = await source.read(options.operationId);
      } catch (error) {
        if (!isTransient(error)) throw error;
        consecutiveTransientErrors++;
        deps.logger.info(
          `Reading ${options.label} was throttled or failed transiently (${errorCode(error) ?? 'error'}); slowing down`,
        );
        return {
          done: false,
          status: last?.status,
          retryAfterMs: throttledDelay(backoff, consecutiveTransientErrors),
        };
      }
      consecutiveTransientErrors = 0;
      if (snapshot) {
        last = snapshot;
        progress.report(snapshot);
      }
      if (snapshot && isTerminal(snapshot.phase)) return { done: true, value: snapshot };
      return {
        done: false,
        status: snapshot?.status ?? 'NOT_LISTED_YET',
        retryAfterMs: MIN_POLL_INTERVAL_MS,
      };
    },
  });
  if (result.ok) {
    return {
      ended: true,
      operation: result.value,
      polls: result.attempts,
      elapsedMs: result.elapsedMs,
    };
  }
  return {
    ended: false,
    operation: last,
    polls: result.attempts,
    elapsedMs: result.elapsedMs,
    ...(result.reason === 'aborted' && { cancelled: true }),
  };
}

/** After n throttled reads in a row, wait at least initial·2ⁿ (up to the ceiling). */
function throttledDelay(backoff: BackoffOptions, consecutive: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** consecutive);
}

/** Logs a line when the status changes, and a heartbeat while it does not. */
function progressReporter(label: string, deps: TrackDeps) {
  const started = deps.clock.now();
  let lastStatus: string | undefined;
  let lastLineAt = started;
  return {
    report(snapshot: OperationSnapshot): void {
      const now = deps.clock.now();
      if (snapshot.status === lastStatus && now - lastLineAt < HEARTBEAT_MS) return;
      lastStatus = snapshot.status;
      lastLineAt = now;
      deps.logger.info(
        `${label} ${snapshot.type} ${snapshot.id}: ${snapshot.status} (${formatDuration(now - started)})`,
      );
    },
  };
}
