/**
 * What a cancelled sync did and left, for its report and summary: the step's
 * cancel stops new writes, so the bucket holds a mix the next deploy finishes.
 */
import type { SyncPlan, TransferRecord } from './types.js';

export interface CancelledState {
  plan: SyncPlan;
  transfers: readonly TransferRecord[];
  /** Set once CreateInvalidation returned. */
  invalidationId: string | undefined;
  /** The invalidation had completed when the sync stopped. */
  invalidationCompleted: boolean;
  /** Where the overwritten keys are recorded for the next deploy, if they are. */
  recordWhere: string | undefined;
}

/** Resolves when `signal` aborts (at once when it already has); never rejects. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

export function cancelledMessage(state: CancelledState): string {
  const { plan, transfers } = state;
  const uploads = transfers.filter((t) => t.method !== 'copy').length;
  const fixes = transfers.length - uploads;
  const parts = [`Cancelled after ${uploads} of ${plan.uploads.length} uploads`];
  if (plan.metadataUpdates.length > 0) {
    parts[0] += ` and ${fixes} of ${plan.metadataUpdates.length} header updates`;
  }
  parts.push(
    plan.deletes.length === 0
      ? 'nothing to delete'
      : `nothing deleted (${plan.deletes.length} stale objects left for the next deploy)`,
  );
  if (state.invalidationId !== undefined) {
    parts.push(
      state.invalidationCompleted
        ? `invalidation ${state.invalidationId} completed`
        : `invalidation ${state.invalidationId} still in progress — it completes on its own`,
    );
  } else if (plan.invalidationPaths.length > 0) {
    parts.push(
      state.recordWhere === undefined
        ? 'no invalidation created'
        : `no invalidation created (the overwritten keys are recorded in ${state.recordWhere} for the next deploy)`,
    );
  }
  return `${parts.join('; ')}. Run the deploy again to finish it.`;
}
