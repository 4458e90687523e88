/**
 * runPipeline: the stages a plan selects, in the registry's order, with one
 * AWS session for all of them. Whatever stops the run (a stage that fails, a
 * missing Dockerfile, credentials refused) ends up in the returned state with
 * everything done before it; the shell writes outputs and the summary from it,
 * then fails the step with `state.error`.
 */
import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  UserError,
  describeError,
  runAttemptUrl,
  stepExecutionId,
  type Clock,
  type StepContext,
  type Logger,
  type RunProcess,
} from '@deploy-actions/action-kit/engine';
import { createClient, type AwsInputs, type AwsSession } from '@deploy-actions/aws';
import { prepareBuild, type BuildPushOptions } from '@deploy-actions/ecr';
import { checkMigrationFiles, ecsRunContext, secretParts } from '@deploy-actions/migrate';
import { createS3Client, scanBuild, type LocalFile } from '@deploy-actions/s3-sync';
import type { PipelineInputs } from './inputs.js';
import { STAGES, type StageKey } from './registry.js';
import type { StageResult } from './result.js';
import { ecrImagePinner } from './pin-image.js';
import { rollBack, rollbackFailure } from './rollback.js';
import {
  appRunnerImageOf,
  buildStage,
  deployStage,
  ecsMigrationsStage,
  migrationsStage,
  siteStage,
  smokeStage,
} from './stages.js';
import { newState, type PipelineState } from './state.js';

/** The workflow run and step this pipeline runs in. */
export type RunInfo = StepContext;

/** Everything the pipeline needs from outside: no runner, no GitHub, no globals. */
export interface PipelineDeps {
  logger: Logger;
  /** Assumes the credentials once for the whole run (role-to-assume, or the default chain). */
  openSession: (aws: AwsInputs) => Promise<AwsSession>;
  /** Aborted when the job is cancelled: waits end, an ECS task is stopped. */
  signal: AbortSignal;
  runProcess: RunProcess;
  run: RunInfo;
  /** GITHUB_WORKSPACE and the commit the build reads. */
  env: NodeJS.ProcessEnv;
  /** Waits and deadlines of the deploys and smoke tests; injectable for tests. */
  clock?: Clock;
}

interface Clients {
  ecr?: ECRClient;
  apprunner?: AppRunnerClient;
  secretsManager?: SecretsManagerClient;
  s3?: S3Client;
  cloudfront?: CloudFrontClient;
}

interface LocalState {
  build: BuildPushOptions | undefined;
  scannedSite: LocalFile[] | undefined;
  workspaceDir: string;
}

interface Context {
  plan: PipelineInputs;
  deps: PipelineDeps;
  local: LocalState;
  clients: Clients;
  session: AwsSession | undefined;
  state: PipelineState;
}

export async function runPipeline(
  plan: PipelineInputs,
  deps: PipelineDeps,
): Promise<PipelineState> {
  const { logger } = deps;
  maskSecrets(plan, logger);
  for (const warning of plan.warnings) logger.warning(warning);
  const state = newState(
    STAGES.filter((stage) => plan[stage.key] !== undefined).map((s) => s.action),
  );
  try {
    // What can be checked on the runner is checked before the first AWS call.
    const local = await prepareLocal(plan, deps);
    // One credential assumption for the whole run: every client comes from this session.
    const session = plan.aws ? await deps.openSession(plan.aws) : undefined;
    const clients = createClients(plan, session);
    try {
      const context: Context = { plan, deps, local, clients, session, state };
      for (const stage of STAGES) {
        if (plan[stage.key] === undefined) continue;
        // Cancelled: no stage starts after the signal (no new write to AWS).
        if (deps.signal.aborted) {
          stop(state, { status: 'cancelled', error: cancelledBefore(stage.action) });
          break;
        }
        logger.info(`▶ ${stage.action}`);
        const ran = await logger
          .group(stage.action, () => RUN[stage.key](context))
          .catch((error: unknown): StageResult<unknown> => ({ status: 'failed', error }));
        // A stage that ends once the step is cancelled was cut short: never a reason to roll back.
        const result: StageResult<unknown> =
          ran.status === 'failed' && deps.signal.aborted ? { ...ran, status: 'cancelled' } : ran;
        state.results.set(stage.action, result.status);
        if (result.status === 'cancelled') {
          stop(state, result);
          break;
        }
        if (result.status === 'failed') {
          stop(state, stage.key === 'smoke' ? await afterFailedSmoke(context, result) : result);
          break;
        }
      }
    } finally {
      for (const client of Object.values(clients)) client?.destroy();
    }
  } catch (error) {
    stop(state, { status: 'failed', error });
  }
  return state;
}

function cancelledBefore(action: string): UserError {
  return new UserError(`The step was cancelled before ${action} started; no later stage ran.`, {
    hint: 'The summary says where each stage was left; run the workflow again to finish the deploy.',
  });
}

function stop(state: PipelineState, result: StageResult<unknown>): void {
  state.error = result.error;
  state.failure = describeError(result.error);
}

/**
 * Each stage: its engine call, its report recorded in the state whether it
 * succeeded or not.
 */
const RUN: Record<StageKey, (context: Context) => Promise<StageResult<unknown>>> = {
  build: async ({ deps, local, clients, session, state }) => {
    const result = await buildStage(local.build!, {
      ecr: clients.ecr!,
      region: session?.region ?? '',
      logger: deps.logger,
      // A cancel stops docker (build or push); no stage starts after it.
      runProcess: (command, args, options) =>
        deps.runProcess(command, args, { ...options, signal: deps.signal }),
    });
    state.build = result.report;
    return result;
  },
  migrations: async ({ plan, deps, local, clients, session, state }) => {
    const migrations = plan.migrations!;
    if (migrations.kind === 'ecs') {
      // Inside the VPC: ECS and CloudWatch Logs clients from this run's one session.
      // RunTask cannot change an image: the task runs a revision with the version being deployed.
      const image = migrationImage(plan, state);
      const result = await ecsMigrationsStage(
        image === undefined ? migrations : { ...migrations, mode: { ...migrations.mode, image } },
        {
          session: session!,
          logger: deps.logger,
          signal: deps.signal,
          run: ecsRunContext(deps.run),
        },
      );
      state.migrationTask = result.report;
      return result;
    }
    const options = {
      ...migrations.options,
      appliedBy: runAttemptUrl(deps.run),
      workspaceDir: local.workspaceDir,
    };
    const result = await migrationsStage(options, {
      logger: deps.logger,
      secretsManager: clients.secretsManager,
      region: session?.region,
      signal: deps.signal,
    });
    state.migrations = result.report;
    return result;
  },
  deploy: async ({ plan, deps, clients, session, state }) => {
    const deploy = plan.deploy!;
    const region = session?.region ?? '';
    const image = deploy.image ?? appRunnerImageOf(state.build!, region);
    state.deployImage = image.identifier;
    const result = await deployStage(deploy, image, {
      client: clients.apprunner!,
      region,
      logger: deps.logger,
      signal: deps.signal,
      ...(deps.clock && { clock: deps.clock }),
      // The rollback goes to the digest that ran before, not where its tag points by then.
      ...(plan.rollbackOnFailure &&
        clients.ecr && { pinImage: ecrImagePinner(clients.ecr, region, deps.logger) }),
    });
    state.deploy = result.report;
    return result;
  },
  site: async ({ plan, deps, local, clients, state }) => {
    const result = await siteStage(plan.site!, local.scannedSite!, {
      s3: clients.s3!,
      cloudfront: clients.cloudfront,
      deployId: stepExecutionId(deps.run),
      logger: deps.logger,
      signal: deps.signal,
    });
    state.site = result.report;
    return result;
  },
  smoke: async ({ plan, deps, state }) => {
    const smoke = plan.smoke!;
    const result = await smokeStage(smoke.checks, smoke.options, {
      logger: deps.logger,
      signal: deps.signal,
      ...(deps.clock && { clock: deps.clock }),
    });
    state.smoke = result.report;
    return result;
  },
};

/**
 * The new version is live and fails its smoke test: go back to the one
 * before, if this step deployed it, and fail saying how that went.
 */
async function afterFailedSmoke(
  { plan, deps, clients, session, state }: Context,
  result: StageResult<unknown>,
): Promise<StageResult<unknown>> {
  if (!state.deploy?.succeeded || !plan.deploy || !plan.smoke || !state.smoke) return result;
  if (plan.rollbackOnFailure) {
    state.rollback = await rollBack(
      state.deploy,
      plan.deploy,
      { checks: plan.smoke.rollbackChecks, options: plan.smoke.options },
      {
        client: clients.apprunner!,
        region: session?.region ?? '',
        logger: deps.logger,
        signal: deps.signal,
        ...(deps.clock && { clock: deps.clock }),
      },
    );
  }
  return { ...result, error: rollbackFailure(state.deploy, state.smoke, state.rollback) };
}

/** Before anything could print them: build secrets and every form of the database password. */
function maskSecrets(plan: PipelineInputs, logger: Logger): void {
  for (const value of plan.build?.build.buildSecrets.values() ?? []) logger.mask(value);
  const migrations = plan.migrations;
  const url = migrations?.kind === 'runner' ? migrations.options.database.url : undefined;
  if (url !== undefined) for (const part of secretParts(url)) logger.mask(part);
}

/** The checkout's part: build context, migration files, the site's files; no AWS call, no push. */
async function prepareLocal(plan: PipelineInputs, deps: PipelineDeps): Promise<LocalState> {
  const workspaceDir = deps.env.GITHUB_WORKSPACE || process.cwd();
  const build = plan.build
    ? await prepareBuild(plan.build, { env: deps.env, runProcess: deps.runProcess })
    : undefined;
  if (plan.migrations?.kind === 'runner') {
    await checkMigrationFiles(plan.migrations.options, workspaceDir);
  }
  const scannedSite = plan.site ? await scanBuild(plan.site, deps.logger) : undefined;
  return { build, scannedSite, workspaceDir };
}

function createClients(plan: PipelineInputs, session: AwsSession | undefined): Clients {
  if (!session) return {};
  const migrations = plan.migrations;
  return {
    ...((plan.build || (plan.deploy && plan.rollbackOnFailure)) && {
      ecr: createClient(ECRClient, session),
    }),
    ...(plan.deploy && { apprunner: createClient(AppRunnerClient, session) }),
    ...(migrations?.kind === 'runner' &&
      migrations.options.database.secretId !== undefined && {
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

/**
 * The image an ECS migration runs: the one this step built (by digest), else
 * the one the deploy stage was given; none when nothing is deployed (the task
 * definition's own image then runs).
 */
function migrationImage(plan: PipelineInputs, state: PipelineState): string | undefined {
  return state.build?.image ?? plan.deploy?.image?.identifier;
}
