/**
 * The inputs of mode 3 (a one-off ECS task inside the VPC), read and
 * validated before any AWS call. `ecs-cluster` selects the mode; the
 * migration command comes from `command`, which here is the container's
 * command override rather than a process on the runner.
 */
import { InputError, type Inputs } from '@deploy-actions/action-kit/engine';
import { parseCommandLine, validateEnvName } from '../command.js';
import type { EcsMode, LaunchChoice, TaskNetwork } from './types.js';
import { checkSecretId } from '../inputs.js';

/** Inputs only mode 3 reads (ecs-cluster selects it). */
export const ECS_MODE_INPUTS = [
  'ecs-cluster',
  'task-definition',
  'container-name',
  'subnets',
  'security-groups',
  'assign-public-ip',
  'launch-type',
  'capacity-provider-strategy',
  'platform-version',
  'task-timeout',
  'database-url-secret-id-env',
] as const;

export const LAUNCH_TYPES = ['FARGATE', 'EC2', 'EXTERNAL'] as const;
export const DEFAULT_TASK_TIMEOUT = '30m';

const SUBNET = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const CLUSTER = /^(?:arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/;
const TASK_DEFINITION =
  /^(?:arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}(?::\d+)?$/;
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const PROVIDER = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?(?::(\d+))?$/;
const PLATFORM_VERSION = /^(?:LATEST|\d+\.\d+\.\d+)$/;

/** Inputs of the runner's own database session, which an ECS task does not use. */
const RUNNER_ONLY_INPUTS = [
  'lock-timeout',
  'statement-timeout',
  'connect-timeout',
  'ssl',
  'ssl-ca-file',
];

/** Mode 3 as the inputs give it. */
export interface EcsInputs {
  mode: EcsMode;
  /** The secret the task definition must reference (database-url-secret-id), if named. */
  secretId: string | undefined;
  /** Inputs that were set but have no effect in this mode, in words for a warning. */
  warnings: string[];
}

/**
 * Every input of mode 3, when ecs-cluster is set (run-migrations and the
 * root pipeline's migration stage): refuses what only the built-in migrator
 * does, reads the task (readEcsMode) and the secret it must reference. The
 * caller reads the AWS inputs and checks the secret's region against them.
 */
export function readEcsInputs(inputs: Inputs): EcsInputs {
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
  // Required in mode 3; readEcsMode checks their form (through a helper the metadata test cannot
  // see, hence the plain reads here).
  inputs.required('task-definition');
  inputs.required('container-name');
  // Refuses database-url (it would travel as a plain value in RunTask) and requires command.
  const mode = readEcsMode(inputs);
  const secretId = inputs.optional('database-url-secret-id');
  if (secretId !== undefined) checkSecretId(secretId);
  const warnings = RUNNER_ONLY_INPUTS.filter((name) => inputs.optional(name) !== undefined).map(
    (name) =>
      `The input ${name} has no effect with ecs-cluster (the task opens its own connection); it is ignored.`,
  );
  return { mode, secretId, warnings };
}

/** Without ecs-cluster: the mode 3 inputs that were set anyway, in words for a warning. */
export function ignoredEcsInputs(inputs: Inputs): string[] {
  return ECS_MODE_INPUTS.filter((name) => inputs.optional(name) !== undefined).map(
    (name) => `The input ${name} has no effect without ecs-cluster; it is ignored.`,
  );
}

/** Reads mode 3 from the inputs; call it when ecs-cluster is set. */
export function readEcsMode(inputs: Inputs): EcsMode {
  const cluster = matching(inputs, 'ecs-cluster', CLUSTER, 'a cluster name or ARN');
  const taskDefinition = matching(
    inputs,
    'task-definition',
    TASK_DEFINITION,
    'a task definition family, family:revision or ARN',
  );
  const containerName = matching(
    inputs,
    'container-name',
    CONTAINER_NAME,
    'the name of the container in the task definition that runs the migration',
  );
  if (inputs.optional('database-url') !== undefined) {
    throw new InputError(
      'database-url',
      '***',
      'nothing with ecs-cluster: a URL given here would travel as a plain value in the RunTask request, visible in the task description and CloudTrail. Reference the secret in the task definition (and optionally name it in database-url-secret-id)',
    );
  }
  const secretIdEnv = inputs.optional('database-url-secret-id-env');
  if (secretIdEnv !== undefined && inputs.optional('database-url-secret-id') === undefined) {
    throw new InputError(
      'database-url-secret-id-env',
      secretIdEnv,
      'nothing unless database-url-secret-id names the secret whose id the task should receive',
    );
  }
  const network = readNetwork(inputs);
  const launch = readLaunch(inputs);
  if (
    network?.assignPublicIp &&
    launch !== undefined &&
    'launchType' in launch &&
    launch.launchType !== 'FARGATE'
  ) {
    throw new InputError(
      'assign-public-ip',
      'true',
      `false with launch-type ${launch.launchType}: only Fargate tasks get a public IP`,
    );
  }
  return {
    kind: 'ecs',
    cluster,
    taskDefinition,
    containerName,
    argv: parseCommandLine(inputs.required('command')),
    ...(network ? { network } : {}),
    ...(launch ? { launch } : {}),
    urlEnv: validateEnvName(inputs.string('database-url-env', 'DATABASE_URL')),
    ...(secretIdEnv !== undefined
      ? { secretIdEnv: validateEnvName(secretIdEnv, 'database-url-secret-id-env') }
      : {}),
    timeoutMs: inputs.duration('task-timeout', {
      fallback: DEFAULT_TASK_TIMEOUT,
      minMs: 10_000,
      maxMs: 6 * 3_600_000,
    }),
  };
}

function matching(inputs: Inputs, name: string, pattern: RegExp, expected: string): string {
  const value = inputs.required(name);
  if (!pattern.test(value)) throw new InputError(name, value, expected);
  return value;
}

function readNetwork(inputs: Inputs): TaskNetwork | undefined {
  const subnets = inputs.list('subnets');
  const securityGroups = inputs.list('security-groups');
  const assignPublicIp = inputs.boolean('assign-public-ip', false);
  for (const subnet of subnets) {
    if (!SUBNET.test(subnet)) {
      throw new InputError('subnets', subnet, 'subnet ids such as subnet-0a1b2c3d4e5f67890');
    }
  }
  for (const group of securityGroups) {
    if (!SECURITY_GROUP.test(group)) {
      throw new InputError(
        'security-groups',
        group,
        'security group ids such as sg-0a1b2c3d4e5f67890',
      );
    }
  }
  if (subnets.length === 0) {
    if (securityGroups.length > 0 || assignPublicIp) {
      throw new InputError(
        'subnets',
        undefined,
        'the subnets to run the task in, since security-groups or assign-public-ip is set',
      );
    }
    return undefined;
  }
  if (subnets.length > 16) {
    throw new InputError('subnets', subnets.join(','), 'at most 16 subnets (an ECS limit)');
  }
  if (securityGroups.length > 5) {
    throw new InputError(
      'security-groups',
      securityGroups.join(','),
      'at most 5 security groups (an ECS limit)',
    );
  }
  return { subnets, securityGroups, assignPublicIp };
}

function readLaunch(inputs: Inputs): LaunchChoice {
  const strategyText = inputs.optional('capacity-provider-strategy');
  const platformVersion = inputs.optional('platform-version');
  if (platformVersion !== undefined && !PLATFORM_VERSION.test(platformVersion)) {
    throw new InputError('platform-version', platformVersion, 'LATEST or a version such as 1.4.0');
  }
  const platform = platformVersion ? { platformVersion } : {};
  if (strategyText === undefined) {
    return { launchType: inputs.choice('launch-type', LAUNCH_TYPES, 'FARGATE'), ...platform };
  }
  if (inputs.optional('launch-type') !== undefined) {
    throw new InputError(
      'launch-type',
      inputs.optional('launch-type'),
      'nothing, since capacity-provider-strategy is set: ECS takes one or the other',
    );
  }
  const strategy = inputs.list('capacity-provider-strategy').map((item) => {
    const match = PROVIDER.exec(item);
    const weight = match?.[2] === undefined ? undefined : Number(match[2]);
    const base = match?.[3] === undefined ? undefined : Number(match[3]);
    if (
      !match ||
      (weight !== undefined && weight > 1000) ||
      (base !== undefined && base > 100_000)
    ) {
      throw new InputError(
        'capacity-provider-strategy',
        item,
        'items provider[:weight[:base]] such as FARGATE:1:1, FARGATE_SPOT:3 (weight 0-1000, base 0-100000)',
      );
    }
    return {
      capacityProvider: match[1]!,
      ...(weight !== undefined ? { weight } : {}),
      ...(base !== undefined ? { base } : {}),
    };
  });
  if (strategy.length > 20) {
    throw new InputError('capacity-provider-strategy', strategyText, 'at most 20 providers');
  }
  if (strategy.filter((s) => (s.base ?? 0) > 0).length > 1) {
    throw new InputError(
      'capacity-provider-strategy',
      strategyText,
      'a base on one provider at most (an ECS rule)',
    );
  }
  return { capacityProviderStrategy: strategy, ...platform };
}
