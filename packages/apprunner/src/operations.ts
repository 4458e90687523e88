/** App Runner operations (ListOperations) as the tracker's OperationSource. */
import type { OperationSummary } from '@aws-sdk/client-apprunner';
import type { AppRunnerApi } from './api.js';
import {
  isTerminal,
  type OperationPhase,
  type OperationSnapshot,
  type OperationSource,
} from './track.js';

const PHASES: Record<string, OperationPhase> = {
  PENDING: 'pending',
  IN_PROGRESS: 'in-progress',
  ROLLBACK_IN_PROGRESS: 'rolling-back',
  SUCCEEDED: 'succeeded',
  ROLLBACK_SUCCEEDED: 'rolled-back',
  FAILED: 'failed',
  ROLLBACK_FAILED: 'failed',
};

/** An unknown status is treated as still running: the deadline, not a guess, ends the wait. */
export function phaseOf(status: string | undefined): OperationPhase {
  return PHASES[status ?? ''] ?? 'in-progress';
}

export function toSnapshot(operation: OperationSummary): OperationSnapshot {
  return {
    id: operation.Id ?? '',
    type: operation.Type ?? 'OPERATION',
    status: operation.Status ?? 'UNKNOWN',
    phase: phaseOf(operation.Status),
    ...(operation.StartedAt && { startedAt: operation.StartedAt }),
    ...(operation.EndedAt && { endedAt: operation.EndedAt }),
  };
}

export function appRunnerOperations(api: AppRunnerApi, serviceArn: string): OperationSource {
  return {
    async read(operationId) {
      const found = await api.findOperation(
        serviceArn,
        (operation) => operation.Id === operationId,
      );
      return found ? toSnapshot(found) : undefined;
    },
  };
}

/**
 * The operation that keeps the service busy, if any. App Runner runs one
 * operation at a time and lists the newest first, so only the newest matters.
 */
export async function findRunningOperation(
  api: AppRunnerApi,
  serviceArn: string,
): Promise<OperationSnapshot | undefined> {
  const newest = await api.findOperation(serviceArn, () => true);
  if (!newest) return undefined;
  const snapshot = toSnapshot(newest);
  return isTerminal(snapshot.phase) ? undefined : snapshot;
}
