/**
 * ECS in the simulator (awsJson1_1, `AmazonEC2ContainerServiceV20141113`):
 * task definitions, clusters (made with `control.addCluster`), and one-off
 * tasks that really run. RunTask starts each container's command (entryPoint
 * + command, the override's command if given) as a process on this machine,
 * without a shell, with the container's environment, its `secrets` resolved
 * through `resolveSecret` (as the execution role would fetch them) and the
 * override's environment on top — so a migration task really migrates the
 * local PostgreSQL or MariaDB. Output lines become log events of the
 * container's awslogs stream `<awslogs-stream-prefix>/<container>/<task id>`
 * in the Logs module, as the awslogs driver writes them.
 *
 * A task walks lastStatus PROVISIONING → PENDING → RUNNING → DEPROVISIONING
 * → STOPPED, with desiredStatus, stopCode (EssentialContainerExited,
 * TaskFailedToStart, UserInitiated), stoppedReason and each container's
 * exitCode or reason as DescribeTasks reports them. An essential container's
 * exit stops the task (the others get SIGTERM, then SIGKILL after their
 * stopTimeout); a non-essential one (a sidecar) does not. Scripts
 * (`control.script`) make a task never start (CannotPullContainerError,
 * ResourceInitializationError: STOPPED with TaskFailedToStart and no exit
 * code, possibly straight from PROVISIONING) or linger in a state; RunTask
 * `failures` (capacity) come from `control.failRunTask`.
 *
 * Differences from ECS, on purpose: the image is not pulled (its name is only
 * reported) and a container without entryPoint/command cannot start, since
 * there is no image to take a default command from; processes run in the
 * container's workingDirectory (or the system temp folder) with only PATH,
 * LANG and the AWS_* variables Fargate sets from this machine's environment;
 * a launch type EC2 cluster has no container instances unless
 * `addCluster(name, { containerInstances })` says so. Regions and accounts
 * are not separate namespaces. Wire shapes are checked with the AWS CLI
 * (test/e2e/aws-cli-ecs.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { constants as osConstants } from 'node:os';
import { createInterface } from 'node:readline';
import { SimError } from '../errors.js';
import type { JsonObject, JsonResult, JsonServiceModule, RequestContext } from '../types.js';
import type { LogsSimulator } from './logs.js';

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const DEFAULT_CLUSTER = 'default';
/** The default stop timeout of a container is 30 s in ECS; the simulator's processes are quick. */
const DEFAULT_STOP_TIMEOUT_MS = 2_000;

export interface NeverStarts {
  /** The task's stoppedReason, e.g. `CannotPullContainerError: …`. */
  stoppedReason: string;
  /** The named container's (or every container's) reason; the stoppedReason when absent. */
  containerReason?: string;
  /** Only this container gets `containerReason` (the others get none). */
  container?: string;
  /** TaskFailedToStart unless given. */
  stopCode?: string;
  /** The state the task stops from: PENDING (default) or PROVISIONING (it is never seen PENDING). */
  from?: 'PROVISIONING' | 'PENDING';
}

export interface TaskScript {
  /** Time spent in each state before the next; 30 ms unless given. */
  provisioningMs?: number;
  pendingMs?: number;
  deprovisioningMs?: number;
  /** The task never runs its containers. */
  neverStarts?: NeverStarts;
}

export interface ClusterOptions {
  /** Capacity providers associated with the cluster; FARGATE and FARGATE_SPOT by default. */
  capacityProviders?: string[];
  /** Registered EC2 container instances; 0 by default, so launch type EC2 reports a failure. */
  containerInstances?: number;
  region?: string;
}

export interface RunTaskFailure {
  reason: string;
  detail?: string;
  arn?: string;
}

export interface ContainerState {
  name: string;
  arn: string;
  definition: JsonObject;
  essential: boolean;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  runtimeId?: string;
  process?: ChildProcess;
  /** The argv the simulator started (after overrides). */
  argv?: string[];
  /** The environment the process got from the task (not the machine's PATH etc.). */
  taskEnvironment?: Record<string, string>;
  log?: { group: string; stream: string };
}

export interface TaskState {
  arn: string;
  id: string;
  clusterArn: string;
  region: string;
  taskDefinition: JsonObject;
  lastStatus: string;
  desiredStatus: string;
  launchType?: string;
  capacityProviderName?: string;
  startedBy?: string;
  group: string;
  overrides: JsonObject;
  network?: JsonObject;
  containers: ContainerState[];
  stopCode?: string;
  stoppedReason?: string;
  times: Partial<Record<TaskTime, Date>>;
  version: number;
  /** Every lastStatus the task has had, in order (for tests: each state is seen here even when no poll saw it). */
  history: string[];
  tags: JsonObject[];
  eniId: string;
  privateIp: string;
  script: TaskScript;
  timers: Set<NodeJS.Timeout>;
  stopped: Promise<void>;
  markStopped: () => void;
}

type TaskTime =
  | 'createdAt'
  | 'pullStartedAt'
  | 'pullStoppedAt'
  | 'startedAt'
  | 'connectivityAt'
  | 'stoppingAt'
  | 'executionStoppedAt'
  | 'stoppedAt';

interface ClusterState {
  name: string;
  arn: string;
  capacityProviders: string[];
  containerInstances: number;
}

export interface EcsControl {
  /** Creates a cluster (ECS's CreateCluster is not simulated); returns its ARN. */
  addCluster(name: string, options?: ClusterOptions): string;
  /** Registers a task definition as RegisterTaskDefinition does; returns the description. */
  registerTaskDefinition(definition: JsonObject, region?: string): JsonObject;
  /** How tasks of a family (or `*`, every family) behave from the next RunTask on. */
  script(family: string, script: TaskScript): void;
  /** The next `times` RunTask calls answer with this failure and start nothing. */
  failRunTask(failure: RunTaskFailure, times?: number): void;
  readonly tasks: Map<string, TaskState>;
  /** Resolves when the task is STOPPED (rejects after `timeoutMs`, 30 s by default). */
  waitStopped(taskArnOrId: string, timeoutMs?: number): Promise<TaskState>;
  /** Resolves when the task is RUNNING (rejects after `timeoutMs`). */
  waitRunning(taskArnOrId: string, timeoutMs?: number): Promise<TaskState>;
  /** Kills every process still running and clears every timer. */
  close(): Promise<void>;
}

export interface EcsSimulator extends JsonServiceModule {
  control: EcsControl;
}

export interface EcsOptions {
  /** Where the awslogs driver writes container output. */
  logs: LogsSimulator;
  /**
   * Resolves a container secret's `valueFrom` (a Secrets Manager or SSM ARN, without a JSON key)
   * to its value, as the task execution role would; undefined when there is no such secret.
   */
  resolveSecret?: (secretId: string) => string | undefined;
  accountId?: string;
}

export function createEcsService(options: EcsOptions): EcsSimulator {
  const accountId = options.accountId ?? '123456789012';
  const logs = options.logs.control;
  const families = new Map<string, JsonObject[]>();
  const clusters = new Map<string, ClusterState>();
  const tasks = new Map<string, TaskState>();
  const byClientToken = new Map<string, string[]>();
  const scripts = new Map<string, TaskScript>();
  const runFailures: RunTaskFailure[] = [];
  const tagsOf = new Map<string, JsonObject[]>();
  const arnPrefix = (region: string) => `arn:aws:ecs:${region}:${accountId}`;

  // --- task definitions -----------------------------------------------------

  const register = (params: JsonObject, region: string, registeredBy?: string): JsonObject => {
    const family = String(params.family ?? '');
    if (!FAMILY.test(family)) {
      throw new SimError(
        'ClientException',
        'Family contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.',
      );
    }
    const containers = (params.containerDefinitions as JsonObject[] | undefined) ?? [];
    if (containers.length === 0)
      throw new SimError('ClientException', 'Container list cannot be empty.');
    const names = new Set<string>();
    for (const c of containers) {
      if (!c.name)
        throw new SimError('ClientException', 'Container.name should not be null or empty.');
      if (!c.image)
        throw new SimError('ClientException', 'Container.image should not be null or empty.');
      if (names.has(String(c.name))) {
        throw new SimError('ClientException', `Duplicate container name: ${String(c.name)}.`);
      }
      names.add(String(c.name));
    }
    if (!containers.some((c) => c.essential !== false)) {
      throw new SimError(
        'ClientException',
        'A task definition must have at least one essential container.',
      );
    }
    const networkMode = String(params.networkMode ?? 'bridge');
    const requires = (params.requiresCompatibilities as string[] | undefined) ?? [];
    const usesAwslogs = containers.some(
      (c) => (c.logConfiguration as JsonObject | undefined)?.logDriver === 'awslogs',
    );
    const usesSecrets = containers.some(
      (c) => ((c.secrets as unknown[] | undefined) ?? []).length > 0,
    );
    if (requires.includes('FARGATE')) {
      if (networkMode !== 'awsvpc') {
        throw new SimError('ClientException', 'Fargate only supports network mode ‘awsvpc’.');
      }
      if (params.cpu === undefined) {
        throw new SimError(
          'ClientException',
          "Fargate requires that 'cpu' be defined at the task level.",
        );
      }
      if (params.memory === undefined) {
        throw new SimError(
          'ClientException',
          "Fargate requires that 'memory' be defined at the task level.",
        );
      }
      if (usesAwslogs && !params.executionRoleArn) {
        throw new SimError(
          'ClientException',
          'Fargate requires task definition to have execution role ARN to support log driver awslogs.',
        );
      }
    }
    if (usesSecrets && !params.executionRoleArn) {
      throw new SimError(
        'ClientException',
        "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
      );
    }
    const revisions = families.get(family) ?? [];
    const revision = revisions.length + 1;
    const fargateReady =
      networkMode === 'awsvpc' && params.cpu !== undefined && params.memory !== undefined;
    const definition: JsonObject = {
      taskDefinitionArn: `${arnPrefix(region)}:task-definition/${family}:${revision}`,
      containerDefinitions: containers.map(withContainerDefaults),
      family,
      ...(params.taskRoleArn ? { taskRoleArn: params.taskRoleArn } : {}),
      ...(params.executionRoleArn ? { executionRoleArn: params.executionRoleArn } : {}),
      networkMode,
      revision,
      volumes: (params.volumes as JsonObject[] | undefined) ?? [],
      status: 'ACTIVE',
      requiresAttributes: requiredAttributes(
        networkMode,
        usesAwslogs,
        usesSecrets,
        Boolean(params.executionRoleArn),
      ),
      placementConstraints: (params.placementConstraints as JsonObject[] | undefined) ?? [],
      compatibilities: fargateReady ? ['EC2', 'FARGATE'] : ['EC2'],
      ...(requires.length ? { requiresCompatibilities: requires } : {}),
      ...(params.cpu !== undefined ? { cpu: String(params.cpu) } : {}),
      ...(params.memory !== undefined ? { memory: String(params.memory) } : {}),
      ...(params.runtimePlatform ? { runtimePlatform: params.runtimePlatform } : {}),
      registeredAt: new Date() as unknown as JsonObject,
      ...(registeredBy ? { registeredBy } : {}),
    };
    revisions.push(definition);
    families.set(family, revisions);
    tagsOf.set(
      String(definition.taskDefinitionArn),
      (params.tags as JsonObject[] | undefined) ?? [],
    );
    return definition;
  };

  /** `family`, `family:revision` or an ARN; undefined when there is none. */
  const findDefinition = (reference: string): JsonObject | undefined => {
    const match =
      /^(?:arn:aws[a-z-]*:ecs:[^:]+:\d{12}:task-definition\/)?([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(
        reference,
      );
    if (!match) return undefined;
    const revisions = families.get(match[1]!) ?? [];
    if (match[2] === undefined) return revisions.at(-1);
    return revisions[Number(match[2]) - 1];
  };

  // --- clusters -------------------------------------------------------------

  const addCluster = (name: string, clusterOptions: ClusterOptions = {}): string => {
    const arn = `${arnPrefix(clusterOptions.region ?? 'us-east-1')}:cluster/${name}`;
    clusters.set(name, {
      name,
      arn,
      capacityProviders: clusterOptions.capacityProviders ?? ['FARGATE', 'FARGATE_SPOT'],
      containerInstances: clusterOptions.containerInstances ?? 0,
    });
    return arn;
  };
  const clusterOf = (params: JsonObject): ClusterState => {
    const reference = String(params.cluster ?? DEFAULT_CLUSTER);
    const name = /:cluster\/(.+)$/.exec(reference)?.[1] ?? reference;
    const cluster = clusters.get(name);
    if (!cluster) throw new SimError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  };
  const findTask = (cluster: ClusterState, reference: string): TaskState | undefined => {
    const id = reference.split('/').at(-1) ?? reference;
    const task = [...tasks.values()].find((t) => t.id === id || t.arn === reference);
    return task && task.clusterArn === cluster.arn ? task : undefined;
  };

  // --- the life of a task ---------------------------------------------------

  const later = (task: TaskState, ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      task.timers.delete(timer);
      fn();
    }, ms);
    task.timers.add(timer);
  };
  const touch = (task: TaskState, status?: string, time?: TaskTime) => {
    if (status && status !== task.lastStatus) {
      task.lastStatus = status;
      task.history.push(status);
    }
    if (time && !task.times[time]) task.times[time] = new Date();
    task.version += 1;
  };
  const clearTimers = (task: TaskState) => {
    for (const timer of task.timers) clearTimeout(timer);
    task.timers.clear();
  };

  const stopRequested = (task: TaskState, stopCode: string, reason: string) => {
    if (task.desiredStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    touch(task, undefined, 'stoppingAt');
  };

  /** Containers are all stopped: DEPROVISIONING, then STOPPED. */
  const deprovision = (task: TaskState) => {
    if (task.lastStatus === 'DEPROVISIONING' || task.lastStatus === 'STOPPED') return;
    clearTimers(task);
    for (const c of task.containers) if (c.lastStatus !== 'STOPPED') c.lastStatus = 'STOPPED';
    touch(task, 'DEPROVISIONING', 'executionStoppedAt');
    later(task, task.script.deprovisioningMs ?? 30, () => {
      touch(task, 'STOPPED', 'stoppedAt');
      task.markStopped();
    });
  };

  /** The task stops before any container ran (never started, or stopped while pending). */
  const stopBeforeStart = (
    task: TaskState,
    stopCode: string,
    reason: string,
    containerReason?: { reason: string; container?: string },
  ) => {
    stopRequested(task, stopCode, reason);
    for (const c of task.containers) {
      c.lastStatus = 'STOPPED';
      if (
        containerReason &&
        (containerReason.container === undefined || containerReason.container === c.name)
      ) {
        c.reason = containerReason.reason;
      }
    }
    deprovision(task);
  };

  const failToStart = (task: TaskState, never: NeverStarts) =>
    stopBeforeStart(task, never.stopCode ?? 'TaskFailedToStart', never.stoppedReason, {
      reason: never.containerReason ?? never.stoppedReason,
      container: never.container,
    });

  const containerStopped = (task: TaskState, container: ContainerState) => {
    container.lastStatus = 'STOPPED';
    container.process = undefined;
    touch(task);
    if (container.essential) {
      stopRequested(task, 'EssentialContainerExited', 'Essential container in task exited');
      for (const other of task.containers) terminate(other);
    }
    if (task.containers.every((c) => c.lastStatus === 'STOPPED')) deprovision(task);
  };

  /** SIGTERM, then SIGKILL after the container's stopTimeout. */
  const terminate = (container: ContainerState) => {
    const child = container.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const seconds = container.definition.stopTimeout;
    const timer = setTimeout(
      () => child.kill('SIGKILL'),
      typeof seconds === 'number' ? seconds * 1000 : DEFAULT_STOP_TIMEOUT_MS,
    );
    child.once('close', () => clearTimeout(timer));
  };

  const startContainers = (task: TaskState) => {
    // The execution role's work first: secrets and log streams, then the processes.
    const prepared: Array<{ container: ContainerState; env: Record<string, string> }> = [];
    for (const container of task.containers) {
      const secrets = resolveSecrets(container.definition, options.resolveSecret);
      if ('failure' in secrets) {
        failToStart(task, { stoppedReason: secrets.failure, containerReason: secrets.failure });
        return;
      }
      const log = container.definition.logConfiguration as JsonObject | undefined;
      if (log?.logDriver === 'awslogs') {
        const opts = (log.options as Record<string, string> | undefined) ?? {};
        const group = opts['awslogs-group'] ?? '';
        const prefix = opts['awslogs-stream-prefix'];
        const stream = prefix
          ? `${prefix}/${container.name}/${task.id}`
          : randomBytes(32).toString('hex');
        if (
          !logs.openStream(group, stream, { createGroup: opts['awslogs-create-group'] === 'true' })
        ) {
          const reason = `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1`;
          failToStart(task, { stoppedReason: reason, containerReason: reason });
          return;
        }
        container.log = { group, stream };
      }
      const overrideEnv = containerOverride(task, container.name)?.environment as
        JsonObject[] | undefined;
      prepared.push({
        container,
        env: {
          ...pairs(container.definition.environment),
          ...secrets.values,
          ...pairs(overrideEnv),
        },
      });
    }
    touch(task, 'RUNNING', 'startedAt');
    touch(task, undefined, 'pullStoppedAt');
    touch(task, undefined, 'connectivityAt');
    for (const { container, env } of prepared) runContainer(task, container, env);
  };

  const runContainer = (
    task: TaskState,
    container: ContainerState,
    env: Record<string, string>,
  ) => {
    const override = containerOverride(task, container.name);
    const entryPoint = (container.definition.entryPoint as string[] | undefined) ?? [];
    const command =
      (override?.command as string[] | undefined) ??
      (container.definition.command as string[] | undefined) ??
      [];
    const argv = [...entryPoint, ...command];
    container.argv = argv;
    container.taskEnvironment = env;
    const cwd =
      typeof container.definition.workingDirectory === 'string'
        ? container.definition.workingDirectory
        : tmpdir();
    const cannotStart = (why: string) => {
      container.reason = `CannotStartContainerError: ResourceInitializationError: failed to create new container runtime task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${why}: unknown`;
      containerStopped(task, container);
    };
    if (argv.length === 0) {
      cannotStart(
        'no command: the AWS simulator runs commands on this machine and has no image to take a default command from',
      );
      return;
    }
    if (!existsSync(cwd)) {
      cannotStart(`chdir to cwd ("${cwd}") set in config.json failed: no such file or directory`);
      return;
    }
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd,
      env: { ...machineEnvironment(task.region), ...env },
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    container.process = child;
    let failed = false;
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      failed = true;
      const why =
        error.code === 'ENOENT'
          ? `exec: "${argv[0]}": executable file not found in $PATH`
          : `exec: "${argv[0]}": ${error.message}`;
      cannotStart(why);
    });
    if (child.pid === undefined) return;
    container.lastStatus = 'RUNNING';
    container.runtimeId = `${task.id}-${randomBytes(5).toString('hex')}`;
    const write = (line: string) => {
      if (container.log) logs.append(container.log.group, container.log.stream, line);
    };
    createInterface({ input: child.stdout! }).on('line', write);
    createInterface({ input: child.stderr! }).on('line', write);
    child.once('close', (code, signal) => {
      if (failed) return;
      container.exitCode = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
      containerStopped(task, container);
    });
  };

  const begin = (task: TaskState) => {
    const never = task.script.neverStarts;
    later(task, task.script.provisioningMs ?? 30, () => {
      if (never && never.from === 'PROVISIONING') return failToStart(task, never);
      touch(task, 'PENDING', 'pullStartedAt');
      later(task, task.script.pendingMs ?? 30, () => {
        if (never) return failToStart(task, never);
        startContainers(task);
      });
    });
  };

  const stopTask = (task: TaskState, reason: string) => {
    if (task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED') {
      return;
    }
    if (task.lastStatus === 'PROVISIONING' || task.lastStatus === 'PENDING') {
      clearTimers(task);
      stopBeforeStart(task, 'UserInitiated', reason);
      return;
    }
    stopRequested(task, 'UserInitiated', reason);
    for (const c of task.containers) terminate(c);
  };

  // --- wire shapes ----------------------------------------------------------

  const describeTask = (task: TaskState): JsonResult => {
    const definition = task.taskDefinition;
    const awsvpc = definition.networkMode === 'awsvpc';
    const fargate =
      task.launchType === 'FARGATE' || task.capacityProviderName?.startsWith('FARGATE');
    const eniStatus =
      task.lastStatus === 'PROVISIONING'
        ? 'PRECREATED'
        : task.lastStatus === 'STOPPED'
          ? 'DELETED'
          : 'ATTACHED';
    const attachmentId = uuidFrom(task.id);
    const subnets =
      ((task.network?.awsvpcConfiguration as JsonObject | undefined)?.subnets as
        string[] | undefined) ?? [];
    return {
      ...(awsvpc
        ? {
            attachments: [
              {
                id: attachmentId,
                type: 'ElasticNetworkInterface',
                status: eniStatus,
                details: [
                  { name: 'subnetId', value: subnets[0] ?? '' },
                  { name: 'networkInterfaceId', value: task.eniId },
                  { name: 'macAddress', value: '0e:5a:3c:00:00:01' },
                  {
                    name: 'privateDnsName',
                    value: `ip-${task.privateIp.replace(/\./g, '-')}.ec2.internal`,
                  },
                  { name: 'privateIPv4Address', value: task.privateIp },
                ],
              },
            ],
          }
        : { attachments: [] }),
      attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
      availabilityZone: `${task.region}a`,
      ...(task.capacityProviderName ? { capacityProviderName: task.capacityProviderName } : {}),
      clusterArn: task.clusterArn,
      ...(task.times.connectivityAt
        ? { connectivity: 'CONNECTED', connectivityAt: task.times.connectivityAt }
        : {}),
      containers: task.containers.map((c) => ({
        containerArn: c.arn,
        taskArn: task.arn,
        name: c.name,
        image: String(c.definition.image),
        ...(c.runtimeId ? { runtimeId: c.runtimeId } : {}),
        lastStatus: c.lastStatus,
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
        ...(c.reason !== undefined ? { reason: c.reason } : {}),
        networkBindings: [],
        networkInterfaces: awsvpc ? [{ attachmentId, privateIpv4Address: task.privateIp }] : [],
        healthStatus: 'UNKNOWN',
        cpu: String(c.definition.cpu ?? 0),
        ...(c.definition.memory !== undefined ? { memory: String(c.definition.memory) } : {}),
      })),
      ...(definition.cpu !== undefined ? { cpu: definition.cpu } : {}),
      createdAt: task.times.createdAt,
      desiredStatus: task.desiredStatus,
      enableExecuteCommand: false,
      ...(task.times.executionStoppedAt
        ? { executionStoppedAt: task.times.executionStoppedAt }
        : {}),
      group: task.group,
      healthStatus: 'UNKNOWN',
      lastStatus: task.lastStatus,
      ...(task.launchType ? { launchType: task.launchType } : {}),
      ...(definition.memory !== undefined ? { memory: definition.memory } : {}),
      overrides: task.overrides,
      ...(fargate ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
      ...(task.times.pullStartedAt ? { pullStartedAt: task.times.pullStartedAt } : {}),
      ...(task.times.pullStoppedAt ? { pullStoppedAt: task.times.pullStoppedAt } : {}),
      ...(task.times.startedAt ? { startedAt: task.times.startedAt } : {}),
      ...(task.startedBy ? { startedBy: task.startedBy } : {}),
      ...(task.stopCode ? { stopCode: task.stopCode } : {}),
      ...(task.times.stoppedAt ? { stoppedAt: task.times.stoppedAt } : {}),
      ...(task.stoppedReason !== undefined ? { stoppedReason: task.stoppedReason } : {}),
      ...(task.times.stoppingAt ? { stoppingAt: task.times.stoppingAt } : {}),
      tags: task.tags,
      taskArn: task.arn,
      taskDefinitionArn: String(definition.taskDefinitionArn),
      version: task.version,
      ...(fargate ? { ephemeralStorage: { sizeInGiB: 20 } } : {}),
    };
  };

  // --- RunTask --------------------------------------------------------------

  const runTask = (params: JsonObject, ctx: RequestContext): JsonResult => {
    const cluster = clusterOf(params);
    const definition = findDefinition(String(params.taskDefinition ?? ''));
    if (!definition) throw new SimError('InvalidParameterException', 'TaskDefinition not found.');
    const token =
      params.clientToken === undefined ? undefined : `${cluster.arn} ${String(params.clientToken)}`;
    const earlier = token === undefined ? undefined : byClientToken.get(token);
    if (earlier) {
      return { tasks: earlier.map((arn) => describeTask(tasks.get(arn)!)), failures: [] };
    }
    const strategy = params.capacityProviderStrategy as JsonObject[] | undefined;
    if (params.launchType !== undefined && strategy !== undefined) {
      throw new SimError(
        'InvalidParameterException',
        'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
      );
    }
    const compatibilities = definition.compatibilities as string[];
    let launchType = params.launchType as string | undefined;
    let capacityProviderName: string | undefined;
    if (strategy !== undefined) {
      const unknown = strategy.find(
        (s) => !cluster.capacityProviders.includes(String(s.capacityProvider)),
      );
      if (unknown) {
        throw new SimError(
          'InvalidParameterException',
          'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
        );
      }
      capacityProviderName = String(
        strategy.find((s) => Number(s.base ?? 0) > 0)?.capacityProvider ??
          strategy[0]?.capacityProvider,
      );
      if (capacityProviderName.startsWith('FARGATE') && !compatibilities.includes('FARGATE')) {
        throw new SimError(
          'InvalidParameterException',
          'Task definition does not support launch_type FARGATE.',
        );
      }
    } else {
      launchType ??= 'EC2';
      if (!compatibilities.includes(launchType)) {
        throw new SimError(
          'InvalidParameterException',
          `Task definition does not support launch_type ${launchType}.`,
        );
      }
    }
    const network = params.networkConfiguration as JsonObject | undefined;
    const awsvpc = network?.awsvpcConfiguration as JsonObject | undefined;
    if (definition.networkMode === 'awsvpc') {
      if (!awsvpc) {
        throw new SimError(
          'InvalidParameterException',
          "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        );
      }
      if (!Array.isArray(awsvpc.subnets) || awsvpc.subnets.length === 0) {
        throw new SimError('InvalidParameterException', 'subnets can not be empty.');
      }
      if (awsvpc.assignPublicIp === 'ENABLED' && launchType === 'EC2') {
        throw new SimError(
          'InvalidParameterException',
          'Assign public IP is not supported for this launch type.',
        );
      }
    } else if (network !== undefined) {
      throw new SimError(
        'InvalidParameterException',
        'Network Configuration is not valid for the given networkMode of this task definition.',
      );
    }
    const containerDefinitions = definition.containerDefinitions as JsonObject[];
    const overrides = (params.overrides as JsonObject | undefined) ?? {};
    const containerOverrides = (overrides.containerOverrides as JsonObject[] | undefined) ?? [];
    for (const override of containerOverrides) {
      if (!containerDefinitions.some((c) => c.name === override.name)) {
        throw new SimError(
          'InvalidParameterException',
          `Override for container named ${String(override.name)} is not a container in the TaskDefinition.`,
        );
      }
    }
    const count = Number(params.count ?? 1);
    if (!Number.isInteger(count) || count < 1 || count > 10) {
      throw new SimError('InvalidParameterException', 'count must be between 1 and 10.');
    }
    const scripted = runFailures.shift();
    if (scripted) {
      return {
        tasks: [],
        failures: [
          {
            ...(scripted.arn ? { arn: scripted.arn } : {}),
            reason: scripted.reason,
            ...(scripted.detail ? { detail: scripted.detail } : {}),
          },
        ],
      };
    }
    if (launchType === 'EC2' && cluster.containerInstances === 0) {
      return {
        tasks: [],
        failures: [{ reason: 'No Container Instances were found in your cluster.' }],
      };
    }
    const started: TaskState[] = [];
    for (let i = 0; i < count; i++) {
      const id = randomBytes(16).toString('hex');
      const arn = `${arnPrefix(ctx.region)}:task/${cluster.name}/${id}`;
      let markStopped = () => {};
      const stopped = new Promise<void>((resolve) => (markStopped = resolve));
      const task: TaskState = {
        arn,
        id,
        clusterArn: cluster.arn,
        region: ctx.region,
        taskDefinition: definition,
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        ...(launchType && strategy === undefined ? { launchType } : {}),
        ...(capacityProviderName
          ? {
              capacityProviderName,
              launchType: capacityProviderName.startsWith('FARGATE') ? 'FARGATE' : 'EC2',
            }
          : {}),
        ...(params.startedBy !== undefined ? { startedBy: String(params.startedBy) } : {}),
        group: String(params.group ?? `family:${String(definition.family)}`),
        overrides: {
          containerOverrides: containerDefinitions.map(
            (c): JsonObject =>
              containerOverrides.find((o) => o.name === c.name) ?? { name: String(c.name) },
          ),
          inferenceAcceleratorOverrides: [],
          ...Object.fromEntries(
            Object.entries(overrides).filter(([k]) => k !== 'containerOverrides'),
          ),
        },
        ...(network ? { network } : {}),
        containers: containerDefinitions.map((c) => ({
          name: String(c.name),
          arn: `${arnPrefix(ctx.region)}:container/${cluster.name}/${id}/${randomUUID()}`,
          definition: c,
          essential: c.essential !== false,
          lastStatus: 'PENDING',
        })),
        times: { createdAt: ctx.now() },
        version: 1,
        history: ['PROVISIONING'],
        tags: (params.tags as JsonObject[] | undefined) ?? [],
        eniId: `eni-${randomBytes(8).toString('hex').slice(0, 17)}`,
        privateIp: `10.0.${1 + (parseInt(id.slice(0, 2), 16) % 250)}.${1 + (parseInt(id.slice(2, 4), 16) % 250)}`,
        script: scripts.get(String(definition.family)) ?? scripts.get('*') ?? {},
        timers: new Set(),
        stopped,
        markStopped: () => markStopped(),
      };
      tasks.set(arn, task);
      started.push(task);
      begin(task);
    }
    if (token !== undefined)
      byClientToken.set(
        token,
        started.map((t) => t.arn),
      );
    return { tasks: started.map(describeTask), failures: [] };
  };

  const operations: JsonServiceModule['operations'] = {
    RegisterTaskDefinition: (params, ctx): JsonResult => {
      const taskDefinition = register(params, ctx.region, ctx.caller?.arn);
      const tags = tagsOf.get(String(taskDefinition.taskDefinitionArn)) ?? [];
      return { taskDefinition, ...(tags.length ? { tags } : {}) };
    },

    DescribeTaskDefinition: (params): JsonResult => {
      const definition = findDefinition(String(params.taskDefinition ?? ''));
      if (!definition) throw new SimError('ClientException', 'Unable to describe task definition.');
      const include = (params.include as string[] | undefined) ?? [];
      return {
        taskDefinition: definition,
        ...(include.includes('TAGS')
          ? { tags: tagsOf.get(String(definition.taskDefinitionArn)) ?? [] }
          : {}),
      };
    },

    RunTask: runTask,

    DescribeTasks: (params): JsonResult => {
      const cluster = clusterOf(params);
      const references = (params.tasks as string[] | undefined) ?? [];
      if (references.length === 0 || references.length > 100) {
        throw new SimError('InvalidParameterException', 'Tasks cannot be empty.');
      }
      const found: JsonResult[] = [];
      const failures: JsonObject[] = [];
      for (const reference of references) {
        const task = findTask(cluster, reference);
        if (task) found.push(describeTask(task));
        else {
          failures.push({
            arn: reference.startsWith('arn:')
              ? reference
              : `${cluster.arn.replace(':cluster/', ':task/')}/${reference}`,
            reason: 'MISSING',
          });
        }
      }
      return { tasks: found, failures };
    },

    StopTask: (params): JsonResult => {
      const cluster = clusterOf(params);
      const task = findTask(cluster, String(params.task ?? ''));
      if (!task)
        throw new SimError('InvalidParameterException', 'The referenced task was not found.');
      const reason = params.reason === undefined ? 'Task stopped by user' : String(params.reason);
      if (reason.length > 255) {
        throw new SimError(
          'InvalidParameterException',
          'Reason can not be longer than 255 characters.',
        );
      }
      stopTask(task, reason);
      return { task: describeTask(task) };
    },

    ListTasks: (params): JsonResult => {
      const cluster = clusterOf(params);
      const desired = String(params.desiredStatus ?? 'RUNNING');
      const matching = [...tasks.values()].filter(
        (t) =>
          t.clusterArn === cluster.arn &&
          t.desiredStatus === desired &&
          (params.family === undefined || t.taskDefinition.family === params.family) &&
          (params.startedBy === undefined || t.startedBy === params.startedBy) &&
          (params.launchType === undefined || t.launchType === params.launchType),
      );
      const size = Number(params.maxResults ?? 100);
      if (!Number.isInteger(size) || size < 1 || size > 100) {
        throw new SimError('InvalidParameterException', 'maxResults must be between 1 and 100.');
      }
      const offset = params.nextToken === undefined ? 0 : decodeOffset(String(params.nextToken));
      const end = offset + size;
      return {
        taskArns: matching.slice(offset, end).map((t) => t.arn),
        ...(end < matching.length
          ? { nextToken: Buffer.from(`offset:${end}`).toString('base64url') }
          : {}),
      };
    },
  };

  const waitFor = async (
    reference: string,
    done: (t: TaskState) => boolean,
    what: string,
    timeoutMs = 30_000,
  ) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = [...tasks.values()].find((t) => t.arn === reference || t.id === reference);
      if (task && done(task)) return task;
      if (Date.now() > deadline)
        throw new Error(`The simulated task ${reference} was not ${what} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  const control: EcsControl = {
    addCluster,
    registerTaskDefinition: (definition, region = 'us-east-1') => register(definition, region),
    script: (family, script) => void scripts.set(family, script),
    failRunTask: (failure, times = 1) => {
      for (let i = 0; i < times; i++) runFailures.push(failure);
    },
    tasks,
    waitStopped: (reference, timeoutMs) =>
      waitFor(reference, (t) => t.lastStatus === 'STOPPED', 'STOPPED', timeoutMs),
    waitRunning: (reference, timeoutMs) =>
      waitFor(reference, (t) => t.lastStatus === 'RUNNING', 'RUNNING', timeoutMs),
    async close() {
      const exits: Promise<unknown>[] = [];
      for (const task of tasks.values()) {
        clearTimers(task);
        for (const c of task.containers) {
          const child = c.process;
          if (child && child.exitCode === null && child.signalCode === null) {
            exits.push(new Promise((resolve) => child.once('close', resolve)));
            child.kill('SIGKILL');
          }
        }
      }
      await Promise.all(exits);
      for (const task of tasks.values()) clearTimers(task);
    },
  };

  return {
    name: 'ecs',
    endpointEnvSuffix: 'ECS',
    protocol: 'json',
    jsonVersion: '1.1',
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    operations,
    control,
  };
}

function containerOverride(task: TaskState, name: string): JsonObject | undefined {
  return (task.overrides.containerOverrides as JsonObject[]).find((o) => o.name === name);
}

/** What ECS fills in for a container definition that leaves them out. */
function withContainerDefaults(container: JsonObject): JsonObject {
  return {
    cpu: 0,
    portMappings: [],
    essential: true,
    environment: [],
    mountPoints: [],
    volumesFrom: [],
    systemControls: [],
    ...container,
  };
}

function requiredAttributes(
  networkMode: string,
  awslogs: boolean,
  secrets: boolean,
  executionRole: boolean,
): JsonObject[] {
  const names = ['com.amazonaws.ecs.capability.docker-remote-api.1.18'];
  if (awslogs) names.push('com.amazonaws.ecs.capability.logging-driver.awslogs');
  if (awslogs && executionRole) names.push('ecs.capability.execution-role-awslogs');
  if (secrets) names.push('ecs.capability.secrets.asm.environment-variables');
  if (networkMode === 'awsvpc') names.push('ecs.capability.task-eni');
  return names.map((name) => ({ name }));
}

function pairs(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of (list as JsonObject[] | undefined) ?? []) {
    if (entry.name !== undefined) out[String(entry.name)] = String(entry.value ?? '');
  }
  return out;
}

/**
 * Resolves `secrets` as the agent does with the execution role: a Secrets Manager ARN, optionally
 * followed by `:json-key:version-stage:version-id`, or an SSM parameter.
 */
function resolveSecrets(
  container: JsonObject,
  resolve: ((secretId: string) => string | undefined) | undefined,
): { values: Record<string, string> } | { failure: string } {
  const values: Record<string, string> = {};
  for (const secret of (container.secrets as JsonObject[] | undefined) ?? []) {
    const valueFrom = String(secret.valueFrom ?? '');
    const parts = valueFrom.split(':');
    const isAsm = parts[2] === 'secretsmanager';
    const secretId = isAsm ? parts.slice(0, 7).join(':') : valueFrom;
    const jsonKey = isAsm ? parts[7] : undefined;
    const raw = resolve?.(secretId);
    const failure = (why: string) => ({
      failure: `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): ${why}`,
    });
    if (raw === undefined) {
      return failure(
        `failed to fetch secret ${secretId} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
      );
    }
    if (jsonKey) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = undefined;
      }
      const value = (parsed as Record<string, unknown> | undefined)?.[jsonKey];
      if (value === undefined) {
        return failure(`retrieved secret from Secrets Manager did not contain json key ${jsonKey}`);
      }
      values[String(secret.name)] = typeof value === 'string' ? value : JSON.stringify(value);
    } else {
      values[String(secret.name)] = raw;
    }
  }
  return { values };
}

/** What a Fargate container finds in its environment besides the task's variables. */
function machineEnvironment(region: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
  };
}

function uuidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function decodeOffset(token: string): number {
  const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  if (!decoded) throw new SimError('InvalidParameterException', 'Invalid nextToken.');
  return Number(decoded[1]);
}
