import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ECRClient } from '@aws-sdk/client-ecr';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  UserError,
  describeError,
  githubIdToken,
  output,
  runContext,
  runProcess,
  runnerLogger,
  writeSummary,
  type Logger,
} from '@deploy-actions/action-kit';
import { deployOutputs } from '@deploy-actions/apprunner';
import { createClient, openAwsSession, type AwsSession } from '@deploy-actions/aws';
import { buildPushOutputs, prepareBuild, type BuildPushOptions } from '@deploy-actions/ecr';
import {
  discoverMigrations,
  ecsTaskOutputs,
  migrateOutputs,
  readCaBundle,
  secretParts,
  type EcsRunContext,
} from '@deploy-actions/migrate';
import { createS3Client, scanBuild, syncOutputs, type LocalFile } from '@deploy-actions/s3-sync';
import { failedChecks, failureMessage, resultsJson } from '@deploy-actions/smoke';
import type { S3Client } from '@aws-sdk/client-s3';
import { getInputs, type PipelineInputs } from './inputs.js';
import { rollBack, rollbackFailure } from './rollback.js';
import {
  appRunnerImageOf,
  deployFailure,
  newState,
  runBuild,
  runDeploy,
  runEcsMigrationStage,
  runMigrationStage,
  runSiteSync,
  runSmoke,
  stage,
  type PipelineState,
  type StageName,
} from './stages.js';
import { summarySections } from './summary.js';

const ACTION = 'deploy';

interface Clients {
  ecr?: ECRClient;
  apprunner?: AppRunnerClient;
  secretsManager?: SecretsManagerClient;
  s3?: S3Client;
  cloudfront?: CloudFrontClient;
}

export async function main(): Promise<void> {
  // Every input of every stage, validated before anything runs.
  const plan = getInputs();
  const logger = runnerLogger();
  maskSecrets(plan, logger);
  for (const warning of plan.warnings) logger.warning(warning);

  const state = newState(plannedStages(plan));
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    // What can be checked on the runner is checked before the first AWS call.
    const local = await prepareLocal(plan, logger);
    // One credential assumption for the whole run: every client comes from this session.
    const session = plan.aws
      ? await openAwsSession(plan.aws, ACTION, { getIdToken: githubIdToken, logger })
      : undefined;
    const clients = createClients(plan, session);
    try {
      await runPipeline(plan, local, clients, state, { logger, session, signal: cancel.signal });
    } finally {
      for (const client of Object.values(clients)) client?.destroy();
    }
  } catch (error) {
    state.failure = describeError(error);
    throw error;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    setOutputs(plan, state);
    await writeSummary(summarySections(state));
  }
}

function plannedStages(plan: PipelineInputs): StageName[] {
  const stages: [StageName, unknown][] = [
    ['build-push-ecr', plan.build],
    ['run-migrations', plan.migrate],
    ['deploy-apprunner-and-wait', plan.deploy],
    ['sync-s3-invalidate-cloudfront', plan.site],
    ['smoke-test', plan.smoke],
  ];
  return stages.filter(([, inputs]) => inputs !== undefined).map(([name]) => name);
}

/** Before anything could print them: build secrets and every form of the database password. */
function maskSecrets(plan: PipelineInputs, logger: Logger): void {
  for (const value of plan.build?.build.buildSecrets.values() ?? []) logger.mask(value);
  const url = plan.migrate?.kind === 'runner' ? plan.migrate.options.database.url : undefined;
  if (url !== undefined) for (const part of secretParts(url)) logger.mask(part);
}

interface LocalState {
  build: BuildPushOptions | undefined;
  scannedSite: LocalFile[] | undefined;
  workspaceDir: string;
}

/** The checkout's part: build context, migration files, the site's files; no AWS call, no push. */
async function prepareLocal(plan: PipelineInputs, logger: Logger): Promise<LocalState> {
  const workspaceDir = process.env.GITHUB_WORKSPACE || process.cwd();
  const build = plan.build
    ? await prepareBuild(plan.build, { env: process.env, runProcess })
    : undefined;
  const migrate = plan.migrate?.kind === 'runner' ? plan.migrate.options : undefined;
  if (migrate?.mode.kind === 'sql') {
    await discoverMigrations(migrate.mode.migrationsDir, { workspaceDir });
    await readCaBundle(migrate.ssl.caFile, workspaceDir);
  }
  const scannedSite = plan.site ? await scanBuild(plan.site, logger) : undefined;
  return { build, scannedSite, workspaceDir };
}

function createClients(plan: PipelineInputs, session: AwsSession | undefined): Clients {
  if (!session) return {};
  return {
    ...(plan.build && { ecr: createClient(ECRClient, session) }),
    ...(plan.deploy && { apprunner: createClient(AppRunnerClient, session) }),
    ...(plan.migrate?.kind === 'runner' &&
      plan.migrate.options.database.secretId !== undefined && {
        secretsManager: createClient(SecretsManagerClient, session),
      }),
    ...(plan.site && {
      s3: createS3Client(session, { concurrency: plan.site.concurrency }),
      ...(plan.site.distributionId !== undefined &&
        plan.site.invalidation !== 'none' && {
          cloudfront: createClient(CloudFrontClient, session),
        }),
    }),
  };
}

async function runPipeline(
  plan: PipelineInputs,
  local: LocalState,
  clients: Clients,
  state: PipelineState,
  context: { logger: Logger; session: AwsSession | undefined; signal: AbortSignal },
): Promise<void> {
  const { logger, session, signal } = context;
  const region = session?.region ?? '';

  if (local.build) {
    const options = local.build;
    await stage(state, 'build-push-ecr', logger, () =>
      logger.group('build-push-ecr', () =>
        runBuild(options, { ecr: clients.ecr!, region, logger }, state),
      ),
    );
  }

  if (plan.migrate?.kind === 'ecs') {
    // Inside the VPC: ECS and CloudWatch Logs clients from this run's one session.
    const ecs = plan.migrate;
    const run = ecsRunContext();
    await stage(state, 'run-migrations', logger, () =>
      logger.group('run-migrations', () =>
        runEcsMigrationStage(ecs, { session: session!, logger, signal, run }, state),
      ),
    );
  } else if (plan.migrate) {
    const options = {
      ...plan.migrate.options,
      appliedBy: appliedBy(),
      workspaceDir: local.workspaceDir,
    };
    await stage(state, 'run-migrations', logger, () =>
      logger.group('run-migrations', () =>
        runMigrationStage(
          options,
          { logger, secretsManager: clients.secretsManager, region: session?.region },
          state,
        ),
      ),
    );
  }

  if (plan.deploy) {
    const deploy = plan.deploy;
    await stage(state, 'deploy-apprunner-and-wait', logger, async () => {
      const image = deploy.image ?? appRunnerImageOf(state.build!, region);
      state.deployImage = image.identifier;
      const report = await logger.group('deploy-apprunner-and-wait', () =>
        runDeploy(deploy, image, { client: clients.apprunner!, region, logger }),
      );
      state.deploy = report;
      if (!report.succeeded) throw deployFailure(report);
    });
  }

  if (plan.site && local.scannedSite) {
    const site = plan.site;
    const scanned = local.scannedSite;
    await stage(state, 'sync-s3-invalidate-cloudfront', logger, () =>
      logger.group('sync-s3-invalidate-cloudfront', () =>
        runSiteSync(
          site,
          scanned,
          { s3: clients.s3!, cloudfront: clients.cloudfront, deployId: deployId(), logger },
          state,
        ),
      ),
    );
  }

  if (plan.smoke) {
    const smoke = plan.smoke;
    await stage(state, 'smoke-test', logger, async () => {
      const report = await logger.group('smoke-test', () =>
        runSmoke(smoke.checks, smoke.options, { logger, signal }),
      );
      state.smoke = report;
      if (report.passed) return;
      // The new version is live and fails: go back to the one before, if this step deployed it.
      if (state.deploy?.succeeded && plan.deploy) {
        if (plan.rollbackOnFailure) {
          state.rollback = await rollBack(
            state.deploy,
            plan.deploy,
            { checks: smoke.rollbackChecks, options: smoke.options },
            { client: clients.apprunner!, region, logger, signal },
          );
        }
        throw rollbackFailure(state.deploy, report, state.rollback);
      }
      throw new UserError(failureMessage(report) ?? 'Smoke test failed.');
    });
  }
}

/** The run (and attempt) that applies the migrations: the history's applied_by. */
function appliedBy(): string {
  const context = runContext();
  return context.runAttempt === '1'
    ? context.runUrl
    : `${context.runUrl}/attempts/${context.runAttempt}`;
}

/** The run, for the migration task's client token and the reason it is stopped with. */
function ecsRunContext(): EcsRunContext {
  const context = runContext();
  return {
    runId: context.runId,
    runAttempt: context.runAttempt,
    runUrl: appliedBy(),
    job: process.env.GITHUB_JOB ?? '',
    step: process.env.GITHUB_ACTION ?? '',
  };
}

/**
 * This execution of the step, for the invalidation's CallerReference: the same
 * for every retry inside it, new for a re-run of the workflow.
 */
function deployId(): string | undefined {
  const env = process.env;
  if (!env.GITHUB_RUN_ID) return undefined;
  const run = runContext(env);
  return [run.repository, run.runId, run.runAttempt, env.GITHUB_JOB, env.GITHUB_ACTION]
    .map((part) => part ?? '')
    .join('/');
}

function setOutputs(plan: PipelineInputs, state: PipelineState): void {
  output('stages', JSON.stringify(Object.fromEntries(state.results)));
  const build = state.build;
  if (build) {
    const built = buildPushOutputs(build);
    output('build-image', built.image);
    output('image-tag-uri', built['image-tag-uri']);
    output('digest', built.digest);
    output('tags', built.tags);
    output('registry', built.registry);
    output('repository-uri', built['repository-uri']);
    output('skipped', built.skipped);
    output('scan-findings', built['scan-findings']);
  }
  const migrated = state.migrations
    ? migrateOutputs(state.migrations)
    : state.migrationTask && ecsTaskOutputs(state.migrationTask);
  if (migrated) {
    output('applied', migrated.applied ?? '');
    output('applied-versions', migrated['applied-versions'] ?? '');
    output('pending', migrated.pending ?? '');
    output('current-version', migrated['current-version'] ?? '');
    output('migrations-duration', migrated.duration ?? '');
  }
  const deploy = state.deploy;
  if (deploy) {
    const deployed = deployOutputs(deploy);
    output('service-arn', deployed['service-arn']);
    output('service-url', deployed['service-url']);
    output('operation-id', deployed['operation-id']);
    output('status', deployed.status);
    output('previous-image', deployed['previous-image']);
    output('deploy-duration', deployed.duration);
    // After a rollback, what serves is what the rollback left.
    output('deploy-image', state.rollback?.report?.image ?? deployed.image);
  }
  if (state.site) {
    const synced = syncOutputs(state.site.report);
    output('uploaded', synced.uploaded ?? '');
    output('metadata-updated', synced['metadata-updated'] ?? '');
    output('unchanged', synced.unchanged ?? '');
    output('deleted', synced.deleted ?? '');
    output('bytes-uploaded', synced['bytes-uploaded'] ?? '');
    output('invalidation-id', synced['invalidation-id'] ?? '');
    output('invalidated-paths', synced['invalidated-paths'] ?? '[]');
  }
  if (state.smoke) {
    output('passed', state.smoke.passed);
    output('failed-checks', failedChecks(state.smoke).join(','));
    output('results', resultsJson(state.smoke));
  }
  const rolledBack = state.rollback?.report?.succeeded === true;
  output('rolled-back', rolledBack);
  output(
    'rollback-smoke-passed',
    state.rollback?.smoke === undefined ? '' : state.rollback.smoke.passed,
  );
}
