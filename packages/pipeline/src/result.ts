/**
 * One failure protocol for every stage. The engines report a failure each in
 * their own way (a thrown DeployFailedError carrying the report, a thrown
 * MigrationRunError carrying the result, an ECS outcome's `failure`, a smoke
 * report's `passed`, a scan's blocking findings); the adapters here turn each
 * into a StageResult, so the pipeline reads every stage the same way.
 */
import { UserError } from '@deploy-actions/action-kit/engine';
import { DeployFailedError, type DeployReport } from '@deploy-actions/apprunner';
import { blockingFindingsError, type BuildPushResult } from '@deploy-actions/ecr';
import {
  MigrationRunError,
  type EcsTaskOutcome,
  type MigrateResult,
} from '@deploy-actions/migrate';
import { failureMessage, type SmokeReport } from '@deploy-actions/smoke';

/** How a stage ended as the `stages` output and the summary show it. */
export type StageStatus = 'succeeded' | 'failed' | 'cancelled' | 'not run';

/**
 * How one stage that ran ended. A stage that ends after the step was
 * cancelled is `cancelled`, not failed: it says nothing of the version.
 */
export interface StageResult<R> {
  status: 'succeeded' | 'failed' | 'cancelled';
  /** What the stage produced, also when it failed part-way (files applied, a deploy rolled back). */
  report?: R;
  /** Why it failed: the error the step fails with. */
  error?: unknown;
}

/** How to read one engine's way of failing. */
export interface StageAdapter<R> {
  /** A report the engine returned that is still a failure, as the step's error. */
  failure?: (report: R) => Error | undefined;
  /** The report a thrown error carries, if any. */
  partial?: (error: unknown) => R | undefined;
}

/** Runs a stage's engine call and reads its ending through the stage's adapter. */
export async function settle<R>(
  run: () => Promise<R>,
  adapter: StageAdapter<R> = {},
): Promise<StageResult<R>> {
  let report: R;
  try {
    report = await run();
  } catch (error) {
    const partial = adapter.partial?.(error);
    return partial === undefined
      ? { status: 'failed', error }
      : { status: 'failed', report: partial, error };
  }
  const error = adapter.failure?.(report);
  return error ? { status: 'failed', report, error } : { status: 'succeeded', report };
}

/** Findings at or above fail-on-severity stop the pipeline before anything is deployed. */
export const buildAdapter = (failOn: string): StageAdapter<BuildPushResult> => ({
  failure: (result) => {
    const blocking = result.scan && 'counts' in result.scan ? result.scan.blocking : [];
    if (blocking.length === 0) return undefined;
    return blockingFindingsError(blocking, failOn, { message: 'Nothing was deployed.', hint: '' });
  },
});

/** A failed migration or command still reports what it did before it failed. */
export const migrationsAdapter: StageAdapter<MigrateResult> = {
  partial: (error) => (error instanceof MigrationRunError ? error.result : undefined),
};

/** A task that failed (or was stopped on cancel) returns its outcome with the failure in it. */
export const ecsAdapter: StageAdapter<EcsTaskOutcome> = {
  failure: (outcome) => outcome.failure,
};

/** A deploy that did not succeed (App Runner rolled it back, it timed out…) carries its report. */
export const deployAdapter: StageAdapter<DeployReport> = {
  partial: (error) => (error instanceof DeployFailedError ? error.report : undefined),
  failure: (report) => (report.succeeded ? undefined : new DeployFailedError(report)),
};

/** A smoke test that did not pass returns its report; the failure is in `passed`. */
export const smokeAdapter: StageAdapter<SmokeReport> = {
  failure: (report) =>
    report.passed ? undefined : new UserError(failureMessage(report) ?? 'Smoke test failed.'),
};
