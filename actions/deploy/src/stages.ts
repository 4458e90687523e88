/**
 * The stages of the pipeline, each a call into its engine with clients made
 * from the run's one AWS session, and the record the summary and outputs are
 * written from. The order is fixed: build-push-ecr → run-migrations (on the
 * runner, or as an ECS task inside the VPC) →
 * deploy-apprunner-and-wait → sync-s3-invalidate-cloudfront → smoke-test,
 * each stage running only when its inputs were given, and a failure stopping
 * the stages after it.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UserError, runProcess, type Logger } from '@deploy-actions/action-kit';
import {
  DeployFailedError,
  deployToAppRunner,
  parseImageReference,
  type DeployDeps,
  type DeployInputs,
  type DeployReport,
  type ImageReference,
} from '@deploy-actions/apprunner';
import type { AwsSession } from '@deploy-actions/aws';
import { buildAndPush, type BuildPushOptions, type BuildPushResult } from '@deploy-actions/ecr';
import {
  MigrationRunError,
  runEcsMigration,
  runMigrations,
  type EcsInputs,
  type EcsRunContext,
  type EcsTaskOutcome,
  type MigrateOptions,
  type MigrateResult,
} from '@deploy-actions/migrate';
import {
  CloudFrontInvalidator,
  distributionArn,
  findBucketOrigin,
  syncToS3,
  type DistributionInfo,
  type LocalFile,
  type SyncInputs,
  type SyncReport,
} from '@deploy-actions/s3-sync';
import {
  runSmokeTests,
  type Check,
  type SmokeDeps,
  type SmokeOptions,
  type SmokeReport,
} from '@deploy-actions/smoke';

export const STAGES = [
  'build-push-ecr',
  'run-migrations',
  'deploy-apprunner-and-wait',
  'sync-s3-invalidate-cloudfront',
  'smoke-test',
] as const;
export type StageName = (typeof STAGES)[number];
export type StageResult = 'succeeded' | 'failed' | 'not run';

/** What each stage that ran produced; the summary and the outputs read it. */
export interface PipelineState {
  results: Map<StageName, StageResult>;
  build?: BuildPushResult;
  /** The image the App Runner stage was asked to deploy. */
  deployImage?: string;
  migrations?: MigrateResult;
  /** The migration stage's ECS task (ecs-cluster), instead of migrations. */
  migrationTask?: EcsTaskOutcome;
  deploy?: DeployReport;
  site?: { report: SyncReport; distribution: DistributionInfo | undefined };
  smoke?: SmokeReport;
  rollback?: RollbackRecord;
  /** The error that stopped the pipeline, in one line. */
  failure?: string;
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

/** Runs one stage, recording how it ended; a failure is recorded and thrown on. */
export async function stage<T>(
  state: PipelineState,
  name: StageName,
  logger: Logger,
  fn: () => Promise<T>,
): Promise<T> {
  logger.info(`▶ ${name}`);
  try {
    const value = await fn();
    state.results.set(name, 'succeeded');
    return value;
  } catch (error) {
    state.results.set(name, 'failed');
    throw error;
  }
}

// --- build-push-ecr ---------------------------------------------------------------------------

export async function runBuild(
  options: BuildPushOptions,
  deps: { ecr: ECRClient; region: string; logger: Logger },
  state: PipelineState,
): Promise<BuildPushResult> {
  const result = await buildAndPush(options, { ...deps, runProcess });
  state.build = result;
  const blocking = result.scan && 'counts' in result.scan ? result.scan.blocking : [];
  if (result.scan && !('counts' in result.scan)) deps.logger.warning(result.scan.message);
  if (blocking.length > 0) {
    const worst = blocking
      .slice(0, 5)
      .map((f) => `${f.id} (${f.severity}, ${f.packageName} ${f.installedVersion})`)
      .join('; ');
    throw new UserError(
      `The image has ${blocking.length} finding(s) at or above ${options.scan.mode === 'wait' ? options.scan.failOn : ''}: ${worst}${blocking.length > 5 ? '; …' : ''}. Nothing was deployed.`,
      {
        hint: 'Update the affected packages, or list accepted ids in ignore-vulnerabilities.',
      },
    );
  }
  return result;
}

/**
 * The App Runner ImageIdentifier of the image built: the private ECR form
 * `<registry id>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:…`, from
 * what ECR reported (registry id, repository name, digest) and the region the
 * repository lives in. It is the image output's reference for any ECR
 * repository; built from its parts, it is App Runner's documented form even
 * when a repository URI is spelled otherwise.
 */
export function appRunnerImageOf(build: BuildPushResult, region: string): ImageReference {
  const identifier = `${build.registryId}.dkr.ecr.${region}.amazonaws.com/${build.repositoryName}@${build.digest}`;
  return parseImageReference('repository', identifier);
}

// --- run-migrations ---------------------------------------------------------------------------

export async function runMigrationStage(
  options: MigrateOptions,
  deps: { logger: Logger; secretsManager: SecretsManagerClient | undefined; region?: string },
  state: PipelineState,
): Promise<MigrateResult> {
  try {
    state.migrations = await runMigrations(options, deps);
    return state.migrations;
  } catch (error) {
    if (error instanceof MigrationRunError) state.migrations = error.result;
    throw error;
  }
}

/**
 * With ecs-cluster: the command as a one-off ECS task inside the VPC, its
 * clients from the run's one session. A task that fails (or is stopped when
 * the run is cancelled) fails the stage, so nothing is deployed.
 */
export async function runEcsMigrationStage(
  inputs: EcsInputs,
  deps: { session: AwsSession; logger: Logger; signal: AbortSignal; run: EcsRunContext },
  state: PipelineState,
): Promise<EcsTaskOutcome> {
  const outcome = await runEcsMigration(inputs, deps);
  state.migrationTask = outcome;
  if (outcome.failure) throw outcome.failure;
  return outcome;
}

// --- deploy-apprunner-and-wait ----------------------------------------------------------------

export async function runDeploy(
  stageInputs: DeployInputs,
  image: ImageReference,
  deps: DeployDeps,
): Promise<DeployReport> {
  try {
    return await deployToAppRunner(
      {
        service: stageInputs.service,
        image,
        settings: stageInputs.settings,
        createIfMissing: stageInputs.createIfMissing,
        redeployIfUnchanged: stageInputs.redeployIfUnchanged,
        wait: true,
        timeoutMs: stageInputs.timeoutMs,
      },
      deps,
    );
  } catch (error) {
    if (error instanceof DeployFailedError) return error.report;
    throw error;
  }
}

/** A report that did not succeed, as the error that stops the pipeline. */
export function deployFailure(report: DeployReport): DeployFailedError {
  return new DeployFailedError(report);
}

// --- sync-s3-invalidate-cloudfront ------------------------------------------------------------

export async function runSiteSync(
  sync: SyncInputs,
  scanned: LocalFile[],
  deps: {
    s3: S3Client;
    cloudfront: CloudFrontClient | undefined;
    deployId: string | undefined;
    logger: Logger;
  },
  state: PipelineState,
): Promise<SyncReport> {
  const { logger } = deps;
  let distribution: DistributionInfo | undefined;
  let invalidator: CloudFrontInvalidator | undefined;
  if (sync.distributionId === undefined || deps.cloudfront === undefined) {
    if (sync.invalidation !== 'none') logger.info('No distribution-id: nothing is invalidated.');
  } else if (sync.invalidation === 'none') {
    logger.info(`invalidation: none: distribution ${sync.distributionId} is left alone.`);
  } else {
    const ref = { id: sync.distributionId, arn: distributionArn(sync.distributionId) };
    const origin = await findBucketOrigin(deps.cloudfront, ref, {
      bucket: sync.bucket,
      prefix: sync.prefix,
    });
    if (origin.warning !== undefined) logger.warning(origin.warning);
    distribution = { id: ref.id, origin };
    invalidator = new CloudFrontInvalidator({
      client: deps.cloudfront,
      distribution: ref,
      logger,
      createTimeoutMs: sync.invalidationTimeoutMs,
    });
  }
  const report = await syncToS3(
    {
      ...sync,
      originPath: distribution?.origin.originPath ?? '',
      deployId: deps.deployId,
      scanned,
    },
    { s3: deps.s3, invalidator, logger },
  );
  state.site = { report, distribution };
  return report;
}

// --- smoke-test -------------------------------------------------------------------------------

export function runSmoke(
  checks: Check[],
  options: SmokeOptions,
  deps: SmokeDeps,
): Promise<SmokeReport> {
  return runSmokeTests(checks, options, deps);
}
