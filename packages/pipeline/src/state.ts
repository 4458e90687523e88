/**
 * What a pipeline run produced: how each planned stage ended, each stage's
 * report, the rollback, and the error that stopped the run. runPipeline
 * returns it; the outputs and the summary are written from it.
 */
import type { DeployReport } from '@deploy-actions/apprunner';
import type { BuildPushResult } from '@deploy-actions/ecr';
import type { EcsTaskOutcome, MigrateResult } from '@deploy-actions/migrate';
import type { DistributionInfo, SyncReport } from '@deploy-actions/s3-sync';
import type { SmokeReport } from '@deploy-actions/smoke';
import type { StageName } from './registry.js';
import type { StageStatus } from './result.js';

export interface PipelineState {
  results: Map<StageName, StageStatus>;
  build?: BuildPushResult;
  /** The image the App Runner stage was asked to deploy. */
  deployImage?: string;
  migrations?: MigrateResult;
  /** The migration stage's ECS task (ecs-cluster), instead of migrations. */
  migrationTask?: EcsTaskOutcome;
  deploy?: DeployReport;
  site?: SiteReport;
  smoke?: SmokeReport;
  rollback?: RollbackRecord;
  /** The error that stopped the pipeline, in one line. */
  failure?: string;
  /** The error that stopped the pipeline, as the step fails with it. */
  error?: unknown;
}

export interface SiteReport {
  report: SyncReport;
  distribution: DistributionInfo | undefined;
}

export interface RollbackRecord {
  /** Why there was no rollback, when there was none. */
  skipped?: string;
  report?: DeployReport;
  /** The deploy of previous-image failed: its error. */
  error?: string;
  smoke?: SmokeReport;
}

export function newState(planned: readonly StageName[]): PipelineState {
  return { results: new Map(planned.map((stage) => [stage, 'not run' as const])) };
}
