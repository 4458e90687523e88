/**
 * Each stage of the pipeline as one call into its engine, with clients made
 * from the run's one AWS session, ending in a StageResult (result.ts): the
 * pipeline reads every stage's ending the same way.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger, RunProcess } from '@deploy-actions/action-kit/engine';
import { UserError } from '@deploy-actions/action-kit/engine';
import {
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
} from '@deploy-actions/s3-sync';
import {
  runSmokeTests,
  type Check,
  type SmokeDeps,
  type SmokeOptions,
  type SmokeReport,
} from '@deploy-actions/smoke';
import {
  buildAdapter,
  deployAdapter,
  ecsAdapter,
  migrationsAdapter,
  settle,
  smokeAdapter,
  type StageResult,
} from './result.js';
import type { SiteReport } from './state.js';

// --- build-push-ecr ---------------------------------------------------------------------------

export function buildStage(
  options: BuildPushOptions,
  deps: { ecr: ECRClient; region: string; logger: Logger; runProcess: RunProcess },
): Promise<StageResult<BuildPushResult>> {
  return settle(
    async () => {
      const result = await buildAndPush(options, deps);
      if (result.scan && !('counts' in result.scan)) deps.logger.warning(result.scan.message);
      return result;
    },
    buildAdapter(options.scan.mode === 'wait' ? options.scan.failOn : ''),
  );
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

export function migrationsStage(
  options: MigrateOptions,
  deps: {
    logger: Logger;
    secretsManager: SecretsManagerClient | undefined;
    region?: string;
    signal?: AbortSignal;
  },
): Promise<StageResult<MigrateResult>> {
  return settle(() => runMigrations(options, deps), migrationsAdapter);
}

/**
 * With ecs-cluster: the command as a one-off ECS task inside the VPC, its
 * clients from the run's one session. A task that fails (or is stopped when
 * the run is cancelled) fails the stage, so nothing is deployed.
 */
export function ecsMigrationsStage(
  inputs: EcsInputs,
  deps: { session: AwsSession; logger: Logger; signal: AbortSignal; run: EcsRunContext },
): Promise<StageResult<EcsTaskOutcome>> {
  return settle(() => runEcsMigration(inputs, deps), ecsAdapter);
}

// --- deploy-apprunner-and-wait ----------------------------------------------------------------

export function deployStage(
  stageInputs: DeployInputs,
  image: ImageReference,
  deps: DeployDeps,
): Promise<StageResult<DeployReport>> {
  return settle(
    () =>
      deployToAppRunner(
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
      ),
    deployAdapter,
  );
}

/** The deploy's report, also of a deploy that did not succeed; an error without one is thrown. */
export async function runDeploy(
  stageInputs: DeployInputs,
  image: ImageReference,
  deps: DeployDeps,
): Promise<DeployReport> {
  const result = await deployStage(stageInputs, image, deps);
  if (result.report === undefined) throw result.error;
  return result.report;
}

// --- sync-s3-invalidate-cloudfront ------------------------------------------------------------

export function siteStage(
  sync: SyncInputs,
  scanned: LocalFile[],
  deps: {
    s3: S3Client;
    cloudfront: CloudFrontClient | undefined;
    deployId: string | undefined;
    logger: Logger;
    signal: AbortSignal;
  },
): Promise<StageResult<SiteReport>> {
  // A sync the cancel cut short is no success: the run marks the stage cancelled.
  return settle(() => syncSite(sync, scanned, deps), {
    failure: ({ report }) =>
      report.cancelled === undefined ? undefined : new UserError(report.cancelled),
  });
}

async function syncSite(
  sync: SyncInputs,
  scanned: LocalFile[],
  deps: Parameters<typeof siteStage>[2],
): Promise<SiteReport> {
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
    { s3: deps.s3, invalidator, logger, signal: deps.signal },
  );
  return { report, distribution };
}

// --- smoke-test -------------------------------------------------------------------------------

export function smokeStage(
  checks: Check[],
  options: SmokeOptions,
  deps: SmokeDeps,
): Promise<StageResult<SmokeReport>> {
  return settle(() => runSmokeTests(checks, options, deps), smokeAdapter);
}

/** The smoke test's report, passed or not. */
export function runSmoke(
  checks: Check[],
  options: SmokeOptions,
  deps: SmokeDeps,
): Promise<SmokeReport> {
  return runSmokeTests(checks, options, deps);
}
