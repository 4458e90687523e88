import type { Inputs } from '@deploy-actions/action-kit';
import { readAwsInputs, type AwsInputs } from '@deploy-actions/aws';
import {
  checkSecretRegion,
  readEcsInputs,
  readMigrationImage,
  readRunnerMigrateInputs,
  type EcsInputs as EcsModeInputs,
  type RunnerMigrateInputs,
} from '@deploy-actions/migrate';

/** Modes 1 and 2: the built-in migrator or a command, run on the runner. */
export interface RunnerInputs {
  kind: 'runner';
  /** The engine's options, without who applies them and where the checkout is (main adds those). */
  options: RunnerMigrateInputs['options'];
  /** Set only when the run calls AWS (a database URL in Secrets Manager): no region needed otherwise. */
  aws: AwsInputs | undefined;
  /** Inputs that were set but have no effect, in words. */
  warnings: string[];
}

/** Mode 3: the command as a one-off ECS task inside the VPC. */
export interface EcsInputs extends EcsModeInputs {
  kind: 'ecs';
  aws: AwsInputs;
}

export type ActionInputs = RunnerInputs | EcsInputs;

/**
 * Reads and validates every input before anything touches AWS or the
 * database. `ecs-cluster` selects mode 3 (the engine's readEcsInputs reads
 * its inputs); otherwise the engine's readRunnerMigrateInputs reads modes 1
 * and 2. This adds the AWS inputs, read only when something calls AWS.
 */
export function getInputs(inputs: Inputs, env: NodeJS.ProcessEnv = process.env): ActionInputs {
  if (inputs.optional('ecs-cluster') !== undefined) {
    const ecs = readEcsInputs(inputs);
    const image = readMigrationImage(inputs);
    const aws = readAwsInputs(inputs, env);
    if (ecs.secretId !== undefined) checkSecretRegion(ecs.secretId, aws.region);
    return { kind: 'ecs', ...ecs, mode: { ...ecs.mode, ...(image ? { image } : {}) }, aws };
  }
  readMigrationImage(inputs); // refused without ecs-cluster
  const { options, warnings } = readRunnerMigrateInputs(inputs);
  const secretId = options.database.secretId;
  let aws: AwsInputs | undefined;
  if (secretId !== undefined) {
    aws = readAwsInputs(inputs, env);
    checkSecretRegion(secretId, aws.region);
  } else if (inputs.optional('role-to-assume') !== undefined) {
    warnings.push(
      'The input role-to-assume has no effect: with database-url nothing calls AWS; it is ignored.',
    );
  }
  return { kind: 'runner', options, aws, warnings };
}
