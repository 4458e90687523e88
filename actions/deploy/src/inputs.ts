/**
 * Every input of the root pipeline, read and validated together before any
 * stage runs: a migration stage without a database fails before the build
 * starts, not after the image was pushed.
 *
 * Names: each stage's inputs keep the name its own action gives them, except
 * where two stages share one; those carry the stage's prefix (build-tags and
 * deploy-tags, migrations-dry-run and sync-dry-run, deploy-timeout and
 * smoke-timeout). test/unit/root-action-names.test.ts holds action.yml to
 * that rule. The engines' own readers are used, the same ones
 * the stages' actions call (readBuildPushInputs, readMigrateInputs,
 * readEcsInputs, readDeployInputs, readSyncInputs, readSmokeInputs,
 * readAwsInputs), with the renames applied by readRenamed so that their
 * errors name the inputs the user wrote.
 */
import path from 'node:path';
import {
  InputError,
  Inputs,
  runnerInputSource,
  type InputSource,
} from '@deploy-actions/action-kit';
import { readDeployInputs, type DeployInputs } from '@deploy-actions/apprunner';
import { readAwsInputs, type AwsInputs } from '@deploy-actions/aws';
import { readBuildPushInputs, type BuildPushInputs } from '@deploy-actions/ecr';
import {
  ECS_MODE_INPUTS,
  checkSecretRegion,
  ignoredEcsInputs,
  readEcsInputs,
  readMigrateInputs,
  type EcsInputs,
  type MigrateInputs,
} from '@deploy-actions/migrate';
import { readSyncInputs, type SyncInputs } from '@deploy-actions/s3-sync';
import {
  parseSmokeInputs,
  readSmokeInputs,
  type Check,
  type SmokeOptions,
} from '@deploy-actions/smoke';
import { readRenamed } from './rename.js';

/**
 * The migration stage: the built-in migrator or a command on the runner, or
 * (with ecs-cluster) the command as a one-off ECS task inside the VPC, for a
 * database the runner cannot reach.
 */
export type MigrateStageInputs =
  | { kind: 'runner'; options: MigrateInputs & { connectTimeoutMs: number }; warnings: string[] }
  | ({ kind: 'ecs' } & EcsInputs);

export interface SmokeStageInputs {
  checks: Check[];
  options: SmokeOptions;
  /**
   * The same checks without expect-version, for the re-run against the
   * rolled-back version (which reports its own, older version).
   */
  rollbackChecks: Check[];
}

export interface PipelineInputs {
  /** Undefined when no stage calls AWS (e.g. migrations with database-url and a smoke test). */
  aws: AwsInputs | undefined;
  /**
   * build-push-ecr's inputs, except: `tags` is `build-tags` (the App Runner
   * stage has tags of its own), and there is no `push` (the pipeline deploys
   * what it pushed; a build-only check is build-push-ecr's job).
   */
  build: BuildPushInputs | undefined;
  migrate: MigrateStageInputs | undefined;
  /**
   * deploy-apprunner-and-wait's inputs, except: `timeout` is `deploy-timeout`
   * and `tags` is `deploy-tags` (the smoke and build stages have a timeout
   * and tags too); `image` is undefined when the build stage supplies it; and
   * there is no `wait` (the smoke test and a rollback need the version live).
   */
  deploy: DeployInputs | undefined;
  site: SyncInputs | undefined;
  smoke: SmokeStageInputs | undefined;
  rollbackOnFailure: boolean;
  /** Inputs that were set but have no effect, in words. */
  warnings: string[];
}

/**
 * Inputs without a default that belong to one stage: set while their stage
 * does not run, they are a mistake (a forgotten selector, or a typo in it),
 * reported before anything runs. Inputs with a default cannot be told apart
 * from the default, so they are not listed.
 */
const STAGE_INPUTS: readonly { stage: string; selector: string; inputs: readonly string[] }[] = [
  {
    stage: 'build',
    selector: 'repository',
    inputs: [
      'tag-mutability-exclusions',
      'lifecycle-keep-images',
      'dockerfile',
      'build-args',
      'build-secrets',
      'target',
      'labels',
      'platforms',
      'build-tags',
      'ignore-vulnerabilities',
    ],
  },
  {
    stage: 'migrations',
    selector: 'migrations-dir or command',
    inputs: [
      'database-url',
      'database-url-secret-id',
      'database-url-env',
      'lock-timeout',
      'statement-timeout',
      'connect-timeout',
      'ssl',
      'ssl-ca-file',
      ...ECS_MODE_INPUTS,
    ],
  },
  {
    stage: 'App Runner',
    selector: 'service',
    inputs: [
      'image',
      'env',
      'secrets',
      'port',
      'cpu',
      'memory',
      'access-role-arn',
      'instance-role-arn',
      'health-check-protocol',
      'health-check-path',
      'health-check-interval',
      'health-check-timeout',
      'health-check-healthy-threshold',
      'health-check-unhealthy-threshold',
      'auto-scaling-configuration-arn',
      'vpc-connector-arn',
      'auto-deployments',
      'deploy-tags',
    ],
  },
  {
    stage: 'site',
    selector: 'bucket',
    inputs: ['source-dir', 'include', 'exclude', 'upload-last', 'distribution-id'],
  },
  {
    stage: 'smoke',
    selector: 'url or checks',
    inputs: ['expect-version', 'version-path', 'headers', 'ca-file'],
  },
];
/** Never shown in an error message. */
const SECRET_INPUTS = new Set(['database-url', 'build-secrets', 'headers']);

export function getInputs(
  source: InputSource = runnerInputSource(),
  env: NodeJS.ProcessEnv = process.env,
): PipelineInputs {
  const inputs = new Inputs(source);
  const runs = {
    build: inputs.optional('repository') !== undefined,
    migrate:
      inputs.optional('migrations-dir') !== undefined || inputs.optional('command') !== undefined,
    deploy: inputs.optional('service') !== undefined,
    site: inputs.optional('bucket') !== undefined,
    smoke: inputs.optional('url') !== undefined || inputs.optional('checks') !== undefined,
  };
  const selected = [runs.build, runs.migrate, runs.deploy, runs.site, runs.smoke];
  STAGE_INPUTS.forEach((stage, index) => {
    if (selected[index]) return;
    for (const name of stage.inputs) {
      const value = inputs.optional(name);
      if (value === undefined) continue;
      throw new InputError(
        name,
        SECRET_INPUTS.has(name) ? '***' : value,
        `nothing without ${stage.selector}: it belongs to the ${stage.stage} stage, which runs only when ${stage.selector} is set`,
      );
    }
  });
  if (!selected.some(Boolean)) {
    throw new InputError(
      'repository',
      undefined,
      'at least one stage: repository (build), migrations-dir or command (migrations), service (App Runner), bucket (site) or url/checks (smoke test)',
    );
  }
  const warnings: string[] = [];
  const rollbackOnFailure = inputs.boolean('rollback-on-failure', true);

  // Migrations first: what they need (a database) is the mistake most worth catching before a build.
  const migrate = runs.migrate ? readMigrateStage(source, inputs) : undefined;
  const secretId = migrate?.kind === 'ecs' ? migrate.secretId : migrate?.options.database.secretId;
  const inEcs = migrate?.kind === 'ecs';
  const needsAws = runs.build || runs.deploy || runs.site || inEcs || secretId !== undefined;
  const aws = needsAws ? readAwsInputs(inputs, env) : undefined;
  if (!aws && inputs.optional('role-to-assume') !== undefined) {
    warnings.push('The input role-to-assume has no effect: no stage of this run calls AWS.');
  }
  if (aws && secretId !== undefined) checkSecretRegion(secretId, aws.region);
  const build = runs.build
    ? readRenamed(source, { tags: 'build-tags' }, (renamed) =>
        readBuildPushInputs(renamed, () => ({ push: true, region: aws!.region })),
      )
    : undefined;
  const deploy = runs.deploy
    ? readRenamed(source, { timeout: 'deploy-timeout', tags: 'deploy-tags' }, (renamed) =>
        readDeployInputs(renamed, aws!.region, { building: runs.build }),
      )
    : undefined;
  const site = runs.site
    ? readRenamed(source, { 'dry-run': 'sync-dry-run' }, (renamed) => readSyncInputs(renamed))
    : undefined;
  const smoke = runs.smoke ? readSmokeStage(source) : undefined;
  if (migrate) warnings.push(...migrate.warnings);
  if (runs.build && !runs.deploy) {
    warnings.push(
      'The image is built and pushed but not deployed: set service to deploy it to App Runner.',
    );
  }
  if (rollbackOnFailure && deploy && !smoke) {
    warnings.push(
      'rollback-on-failure has no effect without a smoke test (url or checks): App Runner itself rolls back a version that fails its health checks.',
    );
  }
  return {
    aws,
    build,
    migrate,
    deploy,
    site: site && { ...site, sourceDir: resolveWorkspacePath(site.sourceDir, env) },
    smoke,
    rollbackOnFailure,
    warnings,
  };
}

function readMigrateStage(source: InputSource, inputs: Inputs): MigrateStageInputs {
  if (inputs.optional('ecs-cluster') !== undefined) {
    const ecs = readRenamed(source, { 'dry-run': 'migrations-dry-run' }, (renamed) =>
      readEcsInputs(renamed),
    );
    return { kind: 'ecs', ...ecs };
  }
  const { options, warnings } = readRenamed(
    source,
    { 'dry-run': 'migrations-dry-run' },
    (renamed) => readMigrateInputs(renamed),
  );
  const connectTimeoutMs = inputs.duration('connect-timeout', {
    fallback: '30s',
    minMs: 1_000,
    maxMs: 600_000,
  });
  if (options.mode.kind === 'command' && inputs.optional('connect-timeout') !== undefined) {
    warnings.push('The input connect-timeout has no effect with command; it is ignored.');
  }
  warnings.push(...ignoredEcsInputs(inputs));
  return { kind: 'runner', options: { ...options, connectTimeoutMs }, warnings };
}

function readSmokeStage(source: InputSource): SmokeStageInputs {
  return readRenamed(source, { timeout: 'smoke-timeout' }, (renamed) => {
    const given = readSmokeInputs(renamed);
    const { checks, options } = parseSmokeInputs(given);
    const rollback = parseSmokeInputs({
      ...given,
      expectVersion: undefined,
      versionPath: undefined,
    });
    return { checks, options, rollbackChecks: rollback.checks };
  });
}

/** Relative to the workspace, as the runner's other steps see it. */
export function resolveWorkspacePath(relative: string, env: NodeJS.ProcessEnv): string {
  return path.resolve(env.GITHUB_WORKSPACE || process.cwd(), relative);
}
