/**
 * Every input of the root pipeline, read and validated together before any
 * stage runs: a migration stage without a database fails before the build
 * starts, not after the image was pushed.
 *
 * Names: each stage's inputs keep the name its own action gives them, except
 * where two stages share one; those carry the stage's prefix, as the STAGES
 * registry declares (build-tags, migrations-dry-run, deploy-timeout…). The
 * engines' own readers are used, the same ones the stages' actions call,
 * with the renames applied by readRenamed so that their errors name the
 * inputs the user wrote.
 */
import path from 'node:path';
import { InputError, Inputs, type InputSource } from '@deploy-actions/action-kit/engine';
import { readDeployInputs, type DeployInputs } from '@deploy-actions/apprunner';
import { readAwsInputs, type AwsInputs } from '@deploy-actions/aws';
import { readBuildPushInputs, type BuildPushInputs } from '@deploy-actions/ecr';
import {
  checkSecretRegion,
  readEcsInputs,
  readRunnerMigrateInputs,
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
import { STAGES, stageOf, type StageDeclaration, type StageKey } from './registry.js';
import { readRenamed } from './rename.js';
import { STAGE_ONLY_INPUTS } from './stage-inputs.generated.js';

/**
 * The migration stage: the built-in migrator or a command on the runner, or
 * (with ecs-cluster) the command as a one-off ECS task inside the VPC, for a
 * database the runner cannot reach.
 */
export type MigrationsStageInputs =
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
  migrations: MigrationsStageInputs | undefined;
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

/** Never shown in an error message. */
const SECRET_INPUTS = new Set(['database-url', 'build-secrets', 'headers']);

const selectorText = (stage: StageDeclaration) => stage.selectedBy.join(' or ');

/**
 * Reads and validates the inputs of every stage the inputs select, before
 * anything runs. `source` gives the root action's inputs (the runner's
 * INPUT_* variables, or the CLI's flags); `env` the region fallbacks and the
 * workspace.
 */
/** `mask` receives every secret value as it is read (build-secrets), before any check of it. */
export function readPipelineInputs(
  source: InputSource,
  env: NodeJS.ProcessEnv,
  mask?: (value: string) => void,
): PipelineInputs {
  const inputs = new Inputs(source);
  const runs = Object.fromEntries(
    STAGES.map((stage) => [
      stage.key,
      stage.selectedBy.some((name) => inputs.optional(name) !== undefined),
    ]),
  ) as Record<StageKey, boolean>;
  // Inputs without a default belong to one stage: set while it does not run, they are a mistake
  // (a forgotten selector, or a typo in it), reported before anything runs.
  for (const stage of STAGES) {
    if (runs[stage.key]) continue;
    for (const name of STAGE_ONLY_INPUTS[stage.key]) {
      const value = inputs.optional(name);
      if (value === undefined) continue;
      throw new InputError(
        name,
        SECRET_INPUTS.has(name) ? '***' : value,
        `nothing without ${selectorText(stage)}: it belongs to the ${stage.label} stage, which runs only when ${selectorText(stage)} is set`,
      );
    }
  }
  if (!STAGES.some((stage) => runs[stage.key])) {
    throw new InputError(
      STAGES[0].selectedBy[0],
      undefined,
      `at least one stage: ${STAGES.map((stage) => `${selectorText(stage)} (${stage.label})`).join(', ')}`,
    );
  }
  const warnings: string[] = [];
  const rollbackOnFailure = inputs.boolean('rollback-on-failure', true);

  // Migrations first: what they need (a database) is the mistake most worth catching before a build.
  const migrations = runs.migrations ? readMigrationsStage(source, inputs) : undefined;
  const secretId =
    migrations?.kind === 'ecs' ? migrations.secretId : migrations?.options.database.secretId;
  const inEcs = migrations?.kind === 'ecs';
  const needsAws = runs.build || runs.deploy || runs.site || inEcs || secretId !== undefined;
  const aws = needsAws ? readAwsInputs(inputs, env) : undefined;
  if (!aws && inputs.optional('role-to-assume') !== undefined) {
    warnings.push('The input role-to-assume has no effect: no stage of this run calls AWS.');
  }
  if (aws && secretId !== undefined) checkSecretRegion(secretId, aws.region);
  const build = runs.build
    ? readRenamed(source, stageOf('build').inputRenames, (renamed) =>
        readBuildPushInputs(renamed, () => ({ push: true, region: aws!.region }), mask),
      )
    : undefined;
  const deploy = runs.deploy
    ? readRenamed(source, stageOf('deploy').inputRenames, (renamed) =>
        readDeployInputs(renamed, aws!.region, { building: runs.build }),
      )
    : undefined;
  const site = runs.site
    ? readRenamed(source, stageOf('site').inputRenames, (renamed) => readSyncInputs(renamed))
    : undefined;
  const smoke = runs.smoke ? readSmokeStage(source) : undefined;
  if (migrations) warnings.push(...migrations.warnings);
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
    migrations,
    deploy,
    site: site && { ...site, sourceDir: resolveWorkspacePath(site.sourceDir, env) },
    smoke,
    rollbackOnFailure,
    warnings,
  };
}

function readMigrationsStage(source: InputSource, inputs: Inputs): MigrationsStageInputs {
  const renames = stageOf('migrations').inputRenames;
  if (inputs.optional('ecs-cluster') !== undefined) {
    const ecs = readRenamed(source, renames, (renamed) => readEcsInputs(renamed));
    return { kind: 'ecs', ...ecs };
  }
  const { options, warnings } = readRenamed(source, renames, (renamed) =>
    readRunnerMigrateInputs(renamed),
  );
  return { kind: 'runner', options, warnings };
}

function readSmokeStage(source: InputSource): SmokeStageInputs {
  return readRenamed(source, stageOf('smoke').inputRenames, (renamed) => {
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
