import { InputError, type Inputs } from '@deploy-actions/action-kit';
import { readAwsInputs, type AwsInputs } from '@deploy-actions/aws';
import {
  ECS_MODE_INPUTS,
  readEcsMode,
  readMigrateInputs,
  type EcsMode,
  type MigrateInputs,
} from '@deploy-actions/migrate';

/** Modes 1 and 2: the built-in migrator or a command, run on the runner. */
export interface RunnerInputs {
  kind: 'runner';
  /** The engine's options, without who applies them and where the checkout is (main adds those). */
  options: MigrateInputs & { connectTimeoutMs: number };
  /** Set only when the run calls AWS (a database URL in Secrets Manager): no region needed otherwise. */
  aws: AwsInputs | undefined;
  /** Inputs that were set but have no effect, in words. */
  warnings: string[];
}

/** Mode 3: the command as a one-off ECS task inside the VPC. */
export interface EcsInputs {
  kind: 'ecs';
  mode: EcsMode;
  /** The secret the task definition must reference (database-url-secret-id), if named. */
  secretId: string | undefined;
  aws: AwsInputs;
  warnings: string[];
}

export type ActionInputs = RunnerInputs | EcsInputs;

const DEFAULT_CONNECT_TIMEOUT = '30s';
const SECRET_ARN_REGION = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/;
const SECRET_ID = /^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[\w/+=.@-]{1,512}$/;
/** Inputs of the runner's own database session, which an ECS task does not use. */
const RUNNER_ONLY_INPUTS = [
  'lock-timeout',
  'statement-timeout',
  'connect-timeout',
  'ssl',
  'ssl-ca-file',
];

/**
 * Reads and validates every input before anything touches AWS or the
 * database. `ecs-cluster` selects mode 3 (the engine's readEcsMode reads its
 * inputs); otherwise the engine's readMigrateInputs reads modes 1 and 2
 * (mode, database, ssl, timeouts, command). This adds the connection timeout
 * and the AWS inputs, read only when something calls AWS.
 */
export function getInputs(inputs: Inputs, env: NodeJS.ProcessEnv = process.env): ActionInputs {
  if (inputs.optional('ecs-cluster') !== undefined) return getEcsInputs(inputs, env);
  const { options, warnings } = readMigrateInputs(inputs);
  const connectTimeoutMs = inputs.duration('connect-timeout', {
    fallback: DEFAULT_CONNECT_TIMEOUT,
    minMs: 1_000,
    maxMs: 600_000,
  });
  if (options.mode.kind === 'command' && inputs.optional('connect-timeout') !== undefined) {
    warnings.push('The input connect-timeout has no effect with command; it is ignored.');
  }
  for (const name of ECS_MODE_INPUTS) {
    if (inputs.optional(name) !== undefined) {
      warnings.push(`The input ${name} has no effect without ecs-cluster; it is ignored.`);
    }
  }
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
  return { kind: 'runner', options: { ...options, connectTimeoutMs }, aws, warnings };
}

function getEcsInputs(inputs: Inputs, env: NodeJS.ProcessEnv): EcsInputs {
  const migrationsDir = inputs.optional('migrations-dir');
  if (migrationsDir !== undefined) {
    throw new InputError(
      'migrations-dir',
      migrationsDir,
      'nothing with ecs-cluster: the task runs command (your migration tool, from your image); the built-in migrator runs on the runner, so use it from a runner inside the VPC',
    );
  }
  for (const name of ['dry-run', 'allow-out-of-order']) {
    if (inputs.boolean(name, false)) {
      throw new InputError(
        name,
        inputs.optional(name),
        "false with ecs-cluster: only the built-in migrator knows what would run; use your tool's own option in the command",
      );
    }
  }
  // Required in mode 3; the engine checks their form (through a helper the metadata test cannot
  // see, hence the plain reads here).
  inputs.required('task-definition');
  inputs.required('container-name');
  // Refuses database-url (it would travel as a plain value in RunTask) and requires command.
  const mode = readEcsMode(inputs);
  const secretId = inputs.optional('database-url-secret-id');
  if (secretId !== undefined && !SECRET_ID.test(secretId)) {
    throw new InputError(
      'database-url-secret-id',
      secretId,
      'a Secrets Manager secret name or ARN (letters, digits and /_+=.@-)',
    );
  }
  const aws = readAwsInputs(inputs, env);
  if (secretId !== undefined) checkSecretRegion(secretId, aws.region);
  const warnings = RUNNER_ONLY_INPUTS.filter((name) => inputs.optional(name) !== undefined).map(
    (name) =>
      `The input ${name} has no effect with ecs-cluster (the task opens its own connection); it is ignored.`,
  );
  return { kind: 'ecs', mode, secretId, aws, warnings };
}

function checkSecretRegion(secretId: string, region: string): void {
  const secretRegion = SECRET_ARN_REGION.exec(secretId)?.[1];
  if (secretRegion !== undefined && secretRegion !== region) {
    throw new InputError(
      'database-url-secret-id',
      secretId,
      `a secret in ${region} (the AWS region of this step), or set aws-region: ${secretRegion}`,
    );
  }
}
