/**
 * Mode 3: the migration runs inside the VPC, as a one-off ECS task of the
 * app's own task definition, because a GitHub-hosted runner cannot reach a
 * database in private subnets.
 *
 * 1. DescribeTaskDefinition (the revision it resolves to is the one run, so
 *    a revision registered meanwhile cannot slip in): the named container,
 *    its awslogs settings (stream `<awslogs-stream-prefix>/<container>/<task
 *    id>`) and where its database URL comes from.
 * 2. RunTask with the migration command as the container's command override,
 *    startedBy `deploy-actions`, a client token (a retried request starts one
 *    task, not two), FARGATE or a capacity provider strategy, and the awsvpc
 *    network. Capacity `failures[]` are retried a few times with backoff;
 *    other failures are explained.
 * 3. DescribeTasks until STOPPED (PROVISIONING, PENDING, RUNNING,
 *    DEPROVISIONING — or straight to STOPPED), streaming the container's
 *    CloudWatch Logs (GetLogEvents from the head, following nextForwardToken
 *    until it repeats) into the log as lines arrive, and draining them once
 *    more after the task stopped.
 * 4. The named container's exit code decides; sidecars are ignored (and
 *    stopped, when the migration container is done but an essential sidecar
 *    keeps the task alive). A task whose container never ran is reported by
 *    its stopCode, stoppedReason and the container's reason, in words. A
 *    cancelled run (the AbortSignal) or a timeout stops the task.
 *
 * The database URL is passed by reference, never by value: ECS container
 * overrides accept `environment` but not `secrets` (aws/containers-roadmap
 * #1269), and an environment override is stored in the task's description
 * and in CloudTrail for anyone with ecs:DescribeTasks to read. So, as teams
 * running migrations on ECS do, the task definition's container references
 * the secret (`"secrets": [{"name": "DATABASE_URL", "valueFrom": "<secret
 * ARN>"}]`) and ECS fetches it with the execution role when the task starts.
 * With a secret id, this engine checks that the task definition references
 * that very secret before it runs anything. For images that fetch their own
 * secrets, `secretIdEnv` passes the secret's id (not its value) instead.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
  type ECSClient,
  type Failure,
  type KeyValuePair,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  UserError,
  backoffDelay,
  formatDuration,
  poll,
  systemClock,
  type BackoffOptions,
  type Clock,
  type Logger,
} from '@deploy-actions/action-kit/engine';
import { callAws, errorCode, translateAwsError } from '@deploy-actions/aws';
import { formatCommandLine } from './command.js';
import { redact, secretParts } from './url.js';

export interface EcsModeCall {
  /** `*`: checked by AWS on our behalf (iam:PassRole by RunTask), not sent by the engine. */
  operation?: '*';
  /** The IAM action. */
  action: string;
  resource: string;
  why: string;
}

/**
 * Every AWS call mode 3 makes, keyed by operation, for the README's IAM
 * section and the least-privilege policy (run-migrations-ecs.json). The call
 * sites below name the IAM action of their errors from here
 * (`ECS_MODE_CALLS.RunTask.action`), so an operation missing from the table is
 * a compile error. `operation: '*'`: a permission AWS checks on our behalf,
 * not a call of ours.
 */
export const ECS_MODE_CALLS = {
  DescribeTaskDefinition: {
    action: 'ecs:DescribeTaskDefinition',
    resource: '*',
    why: 'read the container, its log settings and its secrets (this action takes no resource)',
  },
  RunTask: {
    action: 'ecs:RunTask',
    resource: 'arn:aws:ecs:<region>:<account>:task-definition/<family>:*',
    why: 'start the migration task (condition ecs:cluster narrows it to the cluster)',
  },
  DescribeTasks: {
    action: 'ecs:DescribeTasks',
    resource: 'arn:aws:ecs:<region>:<account>:task/<cluster>/*',
    why: 'follow the task to STOPPED',
  },
  StopTask: {
    action: 'ecs:StopTask',
    resource: 'arn:aws:ecs:<region>:<account>:task/<cluster>/*',
    why: 'stop the task when the run is cancelled or times out, or sidecars outlive the migration',
  },
  GetLogEvents: {
    action: 'logs:GetLogEvents',
    resource:
      'arn:aws:logs:<region>:<account>:log-group:<awslogs-group>:log-stream:<awslogs-stream-prefix>/<container>/*',
    why: "stream the container's output into the job log",
  },
  PassRole: {
    operation: '*',
    action: 'iam:PassRole',
    resource: "the task definition's taskRoleArn and executionRoleArn",
    why: 'RunTask hands both roles to ECS (condition iam:PassedToService = ecs-tasks.amazonaws.com)',
  },
} as const satisfies Record<string, EcsModeCall>;

export const STARTED_BY = 'deploy-actions';
/** Failures[] reasons worth trying RunTask again for. */
const TRANSIENT_FAILURE =
  /Capacity is unavailable|RESOURCE:(CPU|MEMORY|ENI|GPU)|insufficient capacity/i;
const DEFAULT_POLL: BackoffOptions = { initialMs: 3_000, maxMs: 6_000 };
const TAIL_LINES = 30;
const MAX_PAGES_PER_READ = 100;
/** DescribeTasks may not know a task for a moment after RunTask (eventual consistency). */
const MISSING_GRACE_MS = 60_000;

export type LaunchChoice =
  | { launchType: 'FARGATE' | 'EC2' | 'EXTERNAL'; platformVersion?: string }
  | {
      capacityProviderStrategy: Array<{ capacityProvider: string; weight?: number; base?: number }>;
      platformVersion?: string;
    };

export interface TaskNetwork {
  subnets: string[];
  securityGroups?: string[];
  assignPublicIp?: boolean;
}

/** Where the task's database URL comes from. It is never passed by value. */
export interface TaskDatabase {
  /** The environment variable the command reads the URL from (database-url-env). */
  urlEnv: string;
  /** database-url-secret-id: the task definition must reference this secret (checked). */
  secretId?: string;
  /**
   * Instead: pass the secret's id (not its value) in this variable, for images whose
   * entrypoint fetches it (the task role then needs secretsmanager:GetSecretValue).
   */
  secretIdEnv?: string;
}

/** Mode 3 as the inputs describe it (see ecs-inputs.ts). */
export interface EcsMode {
  kind: 'ecs';
  cluster: string;
  taskDefinition: string;
  containerName: string;
  argv: string[];
  network?: TaskNetwork;
  launch?: LaunchChoice;
  urlEnv: string;
  secretIdEnv?: string;
  timeoutMs: number;
}

export interface EcsTaskOptions {
  /** Cluster name or ARN. */
  cluster: string;
  /** family, family:revision or ARN. */
  taskDefinition: string;
  /** The container that runs the migration; its exit code decides. */
  containerName: string;
  /** The migration command, replacing the container's command. */
  argv: readonly string[];
  network?: TaskNetwork;
  /** Absent: the cluster's default capacity provider strategy (or EC2 when it has none). */
  launch?: LaunchChoice;
  database: TaskDatabase;
  /** Region of the cluster (for messages and the console link). */
  region: string;
  /** How long to wait for the task to stop before stopping it. */
  timeoutMs: number;
  /** Makes RunTask idempotent across retries of this step; random when absent. */
  clientToken?: string;
  /** The run's URL: named in StopTask reasons. */
  runUrl?: string;
  /** RunTask attempts when failures[] report a lack of capacity; 3 by default. */
  runTaskAttempts?: number;
  /** DescribeTasks/GetLogEvents polling; 3 s growing to 6 s (full jitter) by default. */
  poll?: BackoffOptions;
  /** Wait after the task stopped for the last log events to arrive; 3 s by default. */
  logSettleMs?: number;
}

export interface EcsTaskDeps {
  ecs: ECSClient;
  /** A client for the awslogs region, or a factory given that region. */
  logs: CloudWatchLogsClient | ((region: string) => CloudWatchLogsClient);
  logger: Logger;
  clock?: Clock;
  /** Aborts when the workflow run is cancelled: the task is then stopped. */
  signal?: AbortSignal;
}

export interface TaskLogTarget {
  group: string;
  stream: string;
  region: string;
}

export interface EcsTaskOutcome {
  cluster: string;
  taskDefinitionArn: string;
  containerName: string;
  argv: string[];
  taskArn?: string;
  taskId?: string;
  consoleUrl?: string;
  logs?: TaskLogTarget & { consoleUrl: string };
  lastStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  /** The named container's exit code; null when it never ran (or the run was abandoned). */
  exitCode: number | null;
  containerReason?: string;
  /** Where the task's database URL comes from, in words (never the value). */
  databaseFrom: string;
  durationMs: number;
  /** The last lines of the container's output, for the summary. */
  outputTail: string[];
  warnings: string[];
  failure?: UserError;
}

/** The ECS console page of a task. */
export function taskConsoleUrl(region: string, cluster: string, taskId: string): string {
  const name = clusterName(cluster);
  return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(name)}/tasks/${taskId}`;
}

/** The CloudWatch console page of a log stream. */
export function logStreamConsoleUrl(target: TaskLogTarget): string {
  const escape = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');
  return `https://${target.region}.console.aws.amazon.com/cloudwatch/home?region=${target.region}#logsV2:log-groups/log-group/${escape(target.group)}/log-events/${escape(target.stream)}`;
}

/** A RunTask client token (up to 64 ASCII characters) from stable parts such as the run id and attempt. */
export function taskClientToken(...parts: string[]): string {
  return parts
    .join('-')
    .replace(/[^\x21-\x7e]/g, '_')
    .slice(0, 60);
}

export async function runMigrationTask(
  options: EcsTaskOptions,
  deps: EcsTaskDeps,
): Promise<EcsTaskOutcome> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const display = formatCommandLine(options.argv);
  const definition = await describeTaskDefinition(options, deps);
  const taskDefinitionArn = definition.taskDefinitionArn!;
  const container = findContainer(definition, options.containerName, options.taskDefinition);
  const database = planDatabaseReference(container, definition, options.database);
  const masked = database.mask.flatMap((secret) => secretParts(secret));
  for (const part of masked) deps.logger.mask(part);
  checkNetwork(definition, options);
  const warnings = [...database.warnings];
  const logSetting = awslogsSetting(container, options.region);
  if ('problem' in logSetting) warnings.push(logSetting.problem);
  for (const warning of warnings) deps.logger.warning(warning);

  const outcome: EcsTaskOutcome = {
    cluster: options.cluster,
    taskDefinitionArn,
    containerName: options.containerName,
    argv: [...options.argv],
    exitCode: null,
    databaseFrom: database.source,
    durationMs: 0,
    outputTail: [],
    warnings,
  };
  const finish = (failure?: UserError): EcsTaskOutcome => ({
    ...outcome,
    durationMs: clock.now() - started,
    ...(failure ? { failure } : {}),
  });

  return deps.logger.group(`Running ${display} as an ECS task in ${options.cluster}`, async () => {
    deps.logger.info(
      `Task definition ${taskDefinitionArn}, container ${options.containerName}; ${options.database.urlEnv}: ${database.source}.`,
    );
    const run = await startTask(options, definition, database.environment, deps, clock);
    if ('failure' in run) return finish(run.failure);
    const task = run.task;
    const taskId = task.taskArn!.split('/').at(-1)!;
    outcome.taskArn = task.taskArn;
    outcome.taskId = taskId;
    outcome.consoleUrl = taskConsoleUrl(options.region, options.cluster, taskId);
    deps.logger.info(`Started task ${taskId}: ${outcome.consoleUrl}`);
    let follower: LogFollower | undefined;
    if ('group' in logSetting) {
      const target = {
        ...logSetting,
        stream: `${logSetting.prefix}/${options.containerName}/${taskId}`,
      };
      outcome.logs = {
        group: target.group,
        stream: target.stream,
        region: target.region,
        consoleUrl: logStreamConsoleUrl(target),
      };
      const client = typeof deps.logs === 'function' ? deps.logs(target.region) : deps.logs;
      follower = new LogFollower(client, target, (line) => {
        deps.logger.info(line);
        outcome.outputTail.push(redact(line, masked));
        if (outcome.outputTail.length > TAIL_LINES) outcome.outputTail.shift();
      });
      deps.logger.info(`Container output (CloudWatch Logs ${target.group} ${target.stream}):`);
    }
    const waited = await waitForTask(options, task, follower, deps, clock);
    Object.assign(outcome, waited.state);
    return finish(waited.failure);
  });
}

// --- the task definition ------------------------------------------------------

async function describeTaskDefinition(
  options: EcsTaskOptions,
  deps: EcsTaskDeps,
): Promise<TaskDefinition> {
  const context = {
    action: ECS_MODE_CALLS.DescribeTaskDefinition.action,
    resource: options.taskDefinition,
    region: options.region,
  };
  try {
    const response = await deps.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: options.taskDefinition }),
    );
    if (!response.taskDefinition?.taskDefinitionArn)
      throw new Error('DescribeTaskDefinition answered without a task definition');
    return response.taskDefinition;
  } catch (error) {
    // ECS answers a missing task definition with a ClientException, not a NotFound code.
    if (
      errorCode(error) === 'ClientException' &&
      /Unable to describe task definition/i.test(String((error as Error).message))
    ) {
      throw new UserError(
        `The task definition ${options.taskDefinition} (task-definition) was not found in ${options.region}.`,
        {
          cause: error,
          hint: 'Give its family (latest ACTIVE revision), family:revision or ARN, and check aws-region: task definitions are per region and account.',
        },
      );
    }
    throw translateAwsError(error, context);
  }
}

function findContainer(
  definition: TaskDefinition,
  name: string,
  reference: string,
): ContainerDefinition {
  const containers = definition.containerDefinitions ?? [];
  const container = containers.find((c) => c.name === name);
  if (!container) {
    throw new UserError(
      `The task definition ${reference} has no container named ${name} (container-name); it has ${containers.map((c) => c.name).join(', ') || 'none'}.`,
    );
  }
  return container;
}

function checkNetwork(definition: TaskDefinition, options: EcsTaskOptions): void {
  const awsvpc = definition.networkMode === 'awsvpc';
  const subnets = options.network?.subnets ?? [];
  if (awsvpc && subnets.length === 0) {
    throw new UserError(
      `The task definition ${definition.family}:${definition.revision} uses the awsvpc network mode, so the task needs subnets (subnets).`,
      {
        hint: 'Give the private subnets that can reach the database (and ECR, Secrets Manager and CloudWatch Logs, through a NAT gateway or VPC endpoints), and security-groups the database accepts.',
      },
    );
  }
  if (!awsvpc && options.network !== undefined && subnets.length > 0) {
    throw new UserError(
      `The task definition ${definition.family}:${definition.revision} uses the ${definition.networkMode ?? 'bridge'} network mode: subnets and security-groups apply only to awsvpc.`,
      {
        hint: 'Leave subnets and security-groups out, or use a task definition with networkMode awsvpc.',
      },
    );
  }
}

interface DatabaseReference {
  environment: KeyValuePair[];
  source: string;
  warnings: string[];
  /** Plain values the task definition exposes, to be masked in the log. */
  mask: string[];
}

/**
 * Where the container gets its database URL, and what (if anything) the
 * override must add. Throws when a secret id is given that the task
 * definition does not reference, since ECS cannot take it in an override.
 */
export function planDatabaseReference(
  container: ContainerDefinition,
  definition: Pick<TaskDefinition, 'family' | 'revision' | 'executionRoleArn'>,
  database: TaskDatabase,
): DatabaseReference {
  const { urlEnv, secretId, secretIdEnv } = database;
  const secrets = container.secrets ?? [];
  const urlSecret = secrets.find((s) => s.name === urlEnv);
  const plain = container.environment?.find((e) => e.name === urlEnv);
  const where = `${definition.family}:${definition.revision}`;
  const mask = plain?.value ? [plain.value] : [];
  if (secretIdEnv !== undefined) {
    if (secretId === undefined) {
      throw new UserError(
        `database-url-secret-id-env (${secretIdEnv}) passes a secret's id to the task, but no database-url-secret-id is set.`,
      );
    }
    return {
      environment: [{ name: secretIdEnv, value: secretId }],
      source: `the secret ${secretId}, fetched by the container itself (its id is in ${secretIdEnv})`,
      warnings: [],
      mask,
    };
  }
  if (urlSecret) {
    if (secretId !== undefined && !sameSecret(urlSecret.valueFrom ?? '', secretId)) {
      throw new UserError(
        `The task definition ${where} gives container ${container.name} its ${urlEnv} from ${urlSecret.valueFrom}, but database-url-secret-id is ${secretId}.`,
        {
          hint: `Make them name the same secret, or leave database-url-secret-id out to use the task definition's.`,
        },
      );
    }
    return {
      environment: [],
      source: `the secret ${urlSecret.valueFrom}, referenced by the task definition (ECS fetches it with the execution role)`,
      warnings: [],
      mask,
    };
  }
  if (secretId !== undefined) {
    const referencing = secrets.filter((s) => sameSecret(s.valueFrom ?? '', secretId));
    if (referencing.length > 0) {
      return {
        environment: [],
        source: `the secret ${secretId}, referenced by the task definition as ${referencing.map((s) => s.name).join(', ')}`,
        warnings: [],
        mask,
      };
    }
    throw new UserError(
      `The task definition ${where} does not reference the secret ${secretId} (database-url-secret-id) in container ${container.name}, and ECS cannot pass a secret in a RunTask override.`,
      {
        hint: `Add to the container definition "secrets": [{"name": "${urlEnv}", "valueFrom": "<the secret's ARN>"}] (the execution role${definition.executionRoleArn ? ` ${definition.executionRoleArn}` : ''} needs secretsmanager:GetSecretValue on it), or set database-url-secret-id-env to hand the image the secret's id to fetch itself.`,
      },
    );
  }
  if (plain) {
    return {
      environment: [],
      source: `the task definition's plain environment variable ${urlEnv}`,
      warnings: [
        `The task definition ${where} puts ${urlEnv} in container ${container.name}'s plain environment, where anyone allowed ecs:DescribeTaskDefinition can read it. Store it in Secrets Manager and reference it under "secrets" instead.`,
      ],
      mask,
    };
  }
  const others = secrets.map((s) => s.name).join(', ');
  return {
    environment: [],
    source: `nothing the task definition declares${others ? ` (its secrets: ${others})` : ''}`,
    warnings: [
      `Container ${container.name} of ${where} gets no ${urlEnv} from the task definition${others ? ` (its secrets are ${others})` : ''}: the migration command must find the database by itself.`,
    ],
    mask,
  };
}

const SECRET_ARN = /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:([^:]+))(?::.*)?$/;

/** Does a `valueFrom` (ARN, possibly with `:json-key:stage:version`) name the secret `secretId` (name, partial or full ARN)? */
export function sameSecret(valueFrom: string, secretId: string): boolean {
  const from = SECRET_ARN.exec(valueFrom);
  if (!from) return valueFrom === secretId;
  const [, arn, fullName] = from as unknown as [string, string, string];
  const wanted = SECRET_ARN.exec(secretId);
  const withSuffix = (base: string, candidate: string) =>
    candidate === base || new RegExp(`^${escapeRegExp(base)}-[A-Za-z0-9]{6}$`).test(candidate);
  if (wanted) return withSuffix(wanted[1]!, arn);
  return withSuffix(secretId, fullName);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type AwslogsSetting = { group: string; prefix: string; region: string } | { problem: string };

/** The container's awslogs settings, or why its output cannot be streamed. */
export function awslogsSetting(container: ContainerDefinition, region: string): AwslogsSetting {
  const log = container.logConfiguration;
  if (!log) {
    return {
      problem: `Container ${container.name} has no logConfiguration, so its output goes nowhere this action can read; add the awslogs log driver to see it here.`,
    };
  }
  if (log.logDriver !== 'awslogs') {
    return {
      problem: `Container ${container.name} logs with ${log.logDriver}, not awslogs: its output is not streamed here; read it where ${log.logDriver} sends it.`,
    };
  }
  const group = log.options?.['awslogs-group'];
  const prefix = log.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) {
    return {
      problem: `Container ${container.name}'s awslogs settings lack ${group ? 'awslogs-stream-prefix' : 'awslogs-group'}, so its log stream's name cannot be known: its output is not streamed here.`,
    };
  }
  return { group, prefix, region: log.options?.['awslogs-region'] ?? region };
}

// --- RunTask ------------------------------------------------------------------

async function startTask(
  options: EcsTaskOptions,
  definition: TaskDefinition,
  environment: KeyValuePair[],
  deps: EcsTaskDeps,
  clock: Clock,
): Promise<{ task: Task } | { failure: UserError }> {
  const attempts = options.runTaskAttempts ?? 3;
  const baseToken = (options.clientToken ?? randomUUID()).slice(0, 60);
  const awsvpc = definition.networkMode === 'awsvpc';
  for (let attempt = 1; ; attempt++) {
    const response = await callAws(
      {
        action: ECS_MODE_CALLS.RunTask.action,
        resource: definition.taskDefinitionArn,
        region: options.region,
      },
      () =>
        deps.ecs.send(
          new RunTaskCommand({
            cluster: options.cluster,
            taskDefinition: definition.taskDefinitionArn,
            count: 1,
            startedBy: STARTED_BY,
            clientToken: attempt === 1 ? baseToken : `${baseToken}-${attempt}`,
            ...launchParameters(options.launch),
            ...(awsvpc && options.network
              ? {
                  networkConfiguration: {
                    awsvpcConfiguration: {
                      subnets: options.network.subnets,
                      ...(options.network.securityGroups?.length
                        ? { securityGroups: options.network.securityGroups }
                        : {}),
                      assignPublicIp: options.network.assignPublicIp ? 'ENABLED' : 'DISABLED',
                    },
                  },
                }
              : {}),
            overrides: {
              containerOverrides: [
                {
                  name: options.containerName,
                  command: [...options.argv],
                  ...(environment.length ? { environment } : {}),
                },
              ],
            },
          }),
        ),
    );
    const task = response.tasks?.[0];
    if (task?.taskArn) return { task };
    const failures = response.failures ?? [];
    const transient =
      failures.length > 0 && failures.every((f) => TRANSIENT_FAILURE.test(f.reason ?? ''));
    if (!transient || attempt >= attempts || deps.signal?.aborted) {
      return { failure: runTaskFailure(failures, options, attempt) };
    }
    const delay = backoffDelay(attempt, { initialMs: 5_000, maxMs: 30_000, ...options.poll });
    deps.logger.info(
      `RunTask started nothing: ${describeFailures(failures)}. Trying again in ${formatDuration(delay)} (attempt ${attempt + 1} of ${attempts}).`,
    );
    await clock.sleep(delay, deps.signal);
  }
}

function launchParameters(launch: LaunchChoice | undefined) {
  if (launch === undefined) return {};
  const platform = launch.platformVersion ? { platformVersion: launch.platformVersion } : {};
  if ('launchType' in launch) return { launchType: launch.launchType, ...platform };
  return { capacityProviderStrategy: launch.capacityProviderStrategy, ...platform };
}

function describeFailures(failures: Failure[]): string {
  if (failures.length === 0) return 'no task and no failure reported';
  return failures
    .map(
      (f) =>
        `${f.reason ?? 'unknown reason'}${f.detail ? ` (${f.detail})` : ''}${f.arn ? ` [${f.arn}]` : ''}`,
    )
    .join('; ');
}

function runTaskFailure(failures: Failure[], options: EcsTaskOptions, attempts: number): UserError {
  const reasons = describeFailures(failures);
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const text = failures.map((f) => f.reason ?? '').join(' ');
  let hint: string;
  if (/Capacity is unavailable|insufficient capacity/i.test(text)) {
    hint =
      'AWS had no capacity for the task: run the workflow again later, give subnets in several availability zones, or use a capacity provider strategy with FARGATE as well as FARGATE_SPOT.';
  } else if (/RESOURCE:ENI/.test(text)) {
    hint =
      'No network interface could be created: the subnets may be out of free IP addresses, or the account at its ENI limit.';
  } else if (/RESOURCE:(CPU|MEMORY)/.test(text)) {
    hint =
      "The cluster's container instances lack the CPU or memory the task definition asks for: add capacity, or use FARGATE.";
  } else if (/No Container Instances/i.test(text)) {
    hint =
      'The cluster has no EC2 container instances: use launch-type FARGATE (or a capacity provider strategy) for a one-off task.';
  } else if (/MISSING/.test(text)) {
    hint = `Check the cluster (${options.cluster}) and the region.`;
  } else {
    hint = 'See "API failure reasons" in the Amazon ECS Developer Guide.';
  }
  return new UserError(`ECS did not start the migration task${tries}: ${reasons}.`, { hint });
}

// --- waiting ------------------------------------------------------------------

interface WaitResult {
  state: Partial<EcsTaskOutcome>;
  failure?: UserError;
}

async function waitForTask(
  options: EcsTaskOptions,
  started: Task,
  follower: LogFollower | undefined,
  deps: EcsTaskDeps,
  clock: Clock,
): Promise<WaitResult> {
  const taskArn = started.taskArn!;
  const taskId = taskArn.split('/').at(-1)!;
  const consoleUrl = taskConsoleUrl(options.region, options.cluster, taskId);
  let task: Task = started;
  let lastReported = '';
  let missingSince: number | undefined;
  const report = (current: Task) => {
    const status = `${current.lastStatus ?? '?'}${current.desiredStatus && current.desiredStatus !== 'RUNNING' ? ` (desired ${current.desiredStatus})` : ''}`;
    if (status !== lastReported) {
      deps.logger.info(`Task ${taskId}: ${status}.`);
      lastReported = status;
    }
  };
  report(task);
  const result = await poll<Task>({
    label: `ECS task ${taskId}`,
    timeoutMs: options.timeoutMs,
    backoff: options.poll ?? DEFAULT_POLL,
    clock,
    ...(deps.signal ? { signal: deps.signal } : {}),
    attempt: async () => {
      const response = await callAws(
        { action: ECS_MODE_CALLS.DescribeTasks.action, resource: taskArn, region: options.region },
        () =>
          deps.ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: [taskArn] })),
      );
      const current = response.tasks?.[0];
      if (!current) {
        missingSince ??= clock.now();
        if (clock.now() - missingSince > MISSING_GRACE_MS) {
          throw new UserError(
            `ECS no longer knows the task ${taskId} (${describeFailures(response.failures ?? [])}).`,
            { hint: `Look for it in the console: ${consoleUrl}` },
          );
        }
        return { done: false, status: 'MISSING' };
      }
      missingSince = undefined;
      task = current;
      report(current);
      if (follower && current.lastStatus !== 'PROVISIONING' && current.lastStatus !== 'PENDING') {
        await follower.read();
      }
      if (current.lastStatus === 'STOPPED') return { done: true, value: current };
      const migration = current.containers?.find((c) => c.name === options.containerName);
      if (
        migration?.lastStatus === 'STOPPED' &&
        migration.exitCode != null &&
        current.desiredStatus !== 'STOPPED'
      ) {
        // The migration is over but an essential sidecar keeps the task alive.
        await stopTask(
          options,
          taskArn,
          'deploy-actions: the migration container exited; stopping the other containers',
          deps,
        );
        return { done: true, value: current };
      }
      return { done: false, status: current.lastStatus };
    },
  });

  if (!result.ok) {
    const why =
      result.reason === 'aborted'
        ? 'the workflow run was cancelled'
        : `it did not stop within ${formatDuration(options.timeoutMs)}`;
    await stopTask(
      options,
      taskArn,
      `deploy-actions: ${why}${options.runUrl ? ` (${options.runUrl})` : ''}`,
      deps,
    );
    deps.logger.info(`Stopped task ${taskId}: ${why}.`);
    if (follower) await follower.read().catch(() => undefined);
    return {
      state: taskState(task, options.containerName),
      failure: new UserError(
        result.reason === 'aborted'
          ? `The migration task ${taskId} was stopped because the workflow run was cancelled (last status ${result.lastStatus ?? task.lastStatus ?? 'unknown'}).`
          : `The migration task ${taskId} did not finish within ${formatDuration(options.timeoutMs)} (last status ${result.lastStatus ?? task.lastStatus ?? 'unknown'}); it was stopped.`,
        {
          hint:
            result.reason === 'aborted'
              ? `A migration stopped part-way leaves what its tool committed; check the database before the next run. Task: ${consoleUrl}`
              : `Raise the task timeout if migrations take longer, or look at the task: ${consoleUrl}`,
        },
      ),
    };
  }

  const final = result.value;
  if (follower) {
    await follower.read();
    const settle = options.logSettleMs ?? 3_000;
    if (settle > 0) {
      await clock.sleep(settle, deps.signal);
      await follower.read();
    }
  }
  const state = taskState(final, options.containerName);
  deps.logger.info(
    `Task ${taskId} ${final.lastStatus === 'STOPPED' ? 'stopped' : 'finished'}${final.stopCode ? ` (${final.stopCode}${final.stoppedReason ? `: ${final.stoppedReason}` : ''})` : ''}; container ${options.containerName} ${state.exitCode != null ? `exited with code ${state.exitCode}` : 'never ran'}.`,
  );
  return { state, failure: judge(final, options, consoleUrl, follower?.lastLine) };
}

function taskState(task: Task, containerName: string): Partial<EcsTaskOutcome> {
  const container = task.containers?.find((c) => c.name === containerName);
  return {
    lastStatus: task.lastStatus,
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    exitCode: container?.exitCode ?? null,
    ...(container?.reason ? { containerReason: container.reason } : {}),
  };
}

/** The named container's exit code decides; a container that never ran is explained. */
function judge(
  task: Task,
  options: EcsTaskOptions,
  consoleUrl: string,
  lastLine: string | undefined,
): UserError | undefined {
  const taskId = task.taskArn!.split('/').at(-1)!;
  const container = task.containers?.find((c) => c.name === options.containerName);
  const display = formatCommandLine(options.argv);
  const exitCode = container?.exitCode;
  if (exitCode === 0) return undefined;
  if (exitCode != null) {
    const memory = /OutOfMemory/i.test(container?.reason ?? '');
    const detail = memory
      ? ': the container ran out of memory'
      : lastLine
        ? `: ${lastLine.trim()}`
        : '';
    return new UserError(
      `The migration command ${display} failed in ECS task ${taskId} with exit code ${exitCode}${detail}.`,
      {
        hint: memory
          ? `Give the task definition more memory. Task: ${consoleUrl}`
          : `Its output is in the log above. Task: ${consoleUrl}`,
      },
    );
  }
  const explained = explainStoppedTask(task, options.containerName);
  return new UserError(
    `The migration task ${taskId} stopped before container ${options.containerName} ran (${task.stopCode ?? 'no stop code'}): ${explained.what}`,
    { hint: `${explained.hint} Task: ${consoleUrl}` },
  );
}

/** Why a task stopped without the named container running, in plain words, with what to do. */
export function explainStoppedTask(
  task: Task,
  containerName: string,
): { what: string; hint: string } {
  const container = task.containers?.find((c) => c.name === containerName);
  const reasons = [task.stoppedReason, container?.reason].filter((r): r is string => Boolean(r));
  const unique = [...new Set(reasons)];
  const raw = unique.join(' — ') || 'ECS gave no reason';
  const text = unique.join(' ');
  const image = container?.image ?? 'the image';
  if (/CannotPullContainerError/i.test(text)) {
    return {
      what: `ECS could not pull the image ${image}. (${raw})`,
      hint: 'Check that the image tag or digest exists, that the task execution role may pull it (ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer), and that the subnets reach ECR: a NAT gateway, VPC endpoints for ecr.api, ecr.dkr and S3, or assign-public-ip in a public subnet.',
    };
  }
  if (/ResourceInitializationError/i.test(text) && /secret|asm|ssm/i.test(text)) {
    return {
      what: `ECS could not fetch the task's secrets before starting it. (${raw})`,
      hint: "The task execution role needs secretsmanager:GetSecretValue on the secret (and kms:Decrypt for a customer-managed key), the secret must exist in the task's region, and the subnets need a route to Secrets Manager (NAT gateway or VPC endpoint).",
    };
  }
  if (/ResourceInitializationError/i.test(text) && /log/i.test(text)) {
    return {
      what: `ECS could not set up the container's CloudWatch log stream. (${raw})`,
      hint: 'Create the log group named in awslogs-group (or set awslogs-create-group and allow logs:CreateLogGroup), and let the task execution role use logs:CreateLogStream and logs:PutLogEvents.',
    };
  }
  if (/ResourceInitializationError/i.test(text)) {
    return {
      what: `ECS could not prepare the task's resources. (${raw})`,
      hint: 'Common causes: the VPC lacks DNS resolution or DNS hostnames, or the subnets have no route to the AWS services the task needs.',
    };
  }
  if (/CannotStartContainerError/i.test(text)) {
    return {
      what: `The container could not start. (${raw})`,
      hint: /executable file not found/i.test(text)
        ? "The command's program does not exist in the image: use a program the image has (check the command input and the image's PATH)."
        : 'Check the command and the image.',
    };
  }
  if (/Capacity is unavailable|Timeout waiting for network interface/i.test(text)) {
    return {
      what: `AWS could not find capacity or a network interface for the task. (${raw})`,
      hint: 'Run the workflow again later, or give subnets in more availability zones.',
    };
  }
  if (task.stopCode === 'UserInitiated') {
    return {
      what: `Someone or something stopped the task before it ran. (${raw})`,
      hint: 'Look at who called StopTask (CloudTrail), and run the workflow again.',
    };
  }
  if (task.stopCode === 'SpotInterruption') {
    return {
      what: `The Spot capacity was reclaimed. (${raw})`,
      hint: 'Run migrations on FARGATE rather than FARGATE_SPOT.',
    };
  }
  return {
    what: raw,
    hint: 'See "Amazon ECS stopped task error codes" in the Amazon ECS Developer Guide.',
  };
}

async function stopTask(
  options: EcsTaskOptions,
  taskArn: string,
  reason: string,
  deps: EcsTaskDeps,
): Promise<void> {
  try {
    const context = {
      action: ECS_MODE_CALLS.StopTask.action,
      resource: taskArn,
      region: options.region,
    };
    await callAws(context, () =>
      deps.ecs.send(
        new StopTaskCommand({
          cluster: options.cluster,
          task: taskArn,
          reason: reason.slice(0, 255),
        }),
      ),
    );
  } catch (error) {
    deps.logger.warning(
      `Could not stop the task ${taskArn}: ${error instanceof Error ? error.message : String(error)}. Stop it by hand: ${taskConsoleUrl(options.region, options.cluster, taskArn.split('/').at(-1)!)}`,
    );
  }
}

// --- CloudWatch Logs ------------------------------------------------------------

/**
 * Follows one log stream from its head: each read fetches every page that
 * has arrived, following nextForwardToken until it comes back unchanged
 * (CloudWatch's sign that there is nothing newer yet). A stream that does
 * not exist yet (the container has not written) is simply empty.
 */
export class LogFollower {
  private token: string | undefined;
  lastLine: string | undefined;
  lines = 0;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly target: TaskLogTarget,
    private readonly onLine: (line: string) => void,
  ) {}

  async read(): Promise<number> {
    let count = 0;
    for (let page = 0; page < MAX_PAGES_PER_READ; page++) {
      let response;
      try {
        response = await this.client.send(
          new GetLogEventsCommand({
            logGroupName: this.target.group,
            logStreamName: this.target.stream,
            startFromHead: true,
            ...(this.token ? { nextToken: this.token } : {}),
          }),
        );
      } catch (error) {
        if (errorCode(error) === 'ResourceNotFoundException') return count;
        throw translateAwsError(error, {
          action: ECS_MODE_CALLS.GetLogEvents.action,
          resource: `${this.target.group}:log-stream:${this.target.stream}`,
          region: this.target.region,
        });
      }
      for (const event of response.events ?? []) {
        const message = (event.message ?? '').replace(/\r?\n$/, '');
        for (const line of message.split(/\r?\n/)) {
          this.onLine(line);
          if (saysSomething(line)) this.lastLine = line;
        }
        count++;
        this.lines++;
      }
      const next = response.nextForwardToken;
      const caughtUp =
        next === undefined || next === this.token || (response.events ?? []).length === 0;
      if (next !== undefined) this.token = next;
      if (caughtUp) return count;
    }
    return count;
  }
}

function clusterName(cluster: string): string {
  return /:cluster\/(.+)$/.exec(cluster)?.[1] ?? cluster;
}

/** A line worth quoting as the failure's cause: not blank, not just the brackets that close a JSON dump. */
function saysSomething(line: string): boolean {
  return /[\p{L}\p{N}]/u.test(line);
}
