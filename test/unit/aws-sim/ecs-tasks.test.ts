// The simulator's ECS through the real SDK client: task definitions, and tasks whose commands
// really run on this machine (secrets, logs, exit codes, sidecars, StopTask, RunTask errors).
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { rejectionOf } from './helpers.js';
import {
  EXECUTION_ROLE,
  NETWORK,
  REGION,
  SECRET_ARN,
  ecs,
  ecsSim,
  logsSim,
  useEcsLogsSimulator,
} from './ecs-logs-fixtures.js';

useEcsLogsSimulator();

describe('ECS', () => {
  let family = 0;
  /** Registers a Fargate task definition with awslogs for these containers. */
  async function register(
    containers: ContainerDefinition[],
    extra: { logGroup?: string; createGroup?: boolean } = {},
  ) {
    const name = `unit-${++family}`;
    const logGroup = extra.logGroup ?? `/ecs/${name}`;
    if (extra.logGroup === undefined) logsSim.control.createGroup(logGroup);
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: EXECUTION_ROLE,
        containerDefinitions: containers.map((c) => ({
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': logGroup,
              'awslogs-region': REGION,
              'awslogs-stream-prefix': 'ecs',
              ...(extra.createGroup ? { 'awslogs-create-group': 'true' } : {}),
            },
          },
          ...c,
        })),
      }),
    );
    return { family: name, arn: taskDefinition!.taskDefinitionArn!, logGroup };
  }

  async function run(input: Partial<RunTaskCommandInput> & { taskDefinition: string }) {
    return ecs.send(
      new RunTaskCommand({
        cluster: 'app',
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        startedBy: 'unit-test',
        ...input,
      }),
    );
  }

  async function describe1(taskArn: string) {
    const { tasks } = await ecs.send(
      new DescribeTasksCommand({ cluster: 'app', tasks: [taskArn] }),
    );
    return tasks![0]!;
  }

  test('RegisterTaskDefinition fills in defaults; DescribeTaskDefinition finds family, family:revision and ARN', async () => {
    const td = await register([{ name: 'app', image: 'app:1', command: ['true'] }]);
    const a = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: td.family }));
    expect(a.taskDefinition).toMatchObject({
      taskDefinitionArn: `arn:aws:ecs:${REGION}:123456789012:task-definition/${td.family}:1`,
      revision: 1,
      status: 'ACTIVE',
      networkMode: 'awsvpc',
      compatibilities: ['EC2', 'FARGATE'],
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        expect.objectContaining({ name: 'app', essential: true, cpu: 0, environment: [] }),
      ],
    });
    expect(a.taskDefinition?.registeredAt).toBeInstanceOf(Date);
    const b = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: `${td.family}:1` }),
    );
    const c = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: td.arn }));
    expect([b.taskDefinition?.revision, c.taskDefinition?.revision]).toEqual([1, 1]);
    const missing = await rejectionOf(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${td.family}:9` })),
    );
    expect([missing.name, missing.message]).toEqual([
      'ClientException',
      'Unable to describe task definition.',
    ]);
  });

  test('Fargate task definitions must be awsvpc and have an execution role for awslogs', async () => {
    const bridge = await rejectionOf(
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'bad',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: [{ name: 'x', image: 'x' }],
        }),
      ),
    );
    expect(bridge.name).toBe('ClientException');
    expect(bridge.message).toContain('awsvpc');
  });

  test('a task runs its command for real: secrets, overrides, statuses, exit code and logs', async () => {
    const td = await register([
      {
        name: 'app',
        image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:abc',
        entryPoint: ['node'],
        command: ['-e', 'console.log("server")'],
        environment: [{ name: 'FROM_DEFINITION', value: 'td' }],
        secrets: [{ name: 'DATABASE_URL', valueFrom: `${SECRET_ARN}:url::` }],
      },
    ]);
    const script =
      'console.log(process.env.DATABASE_URL); console.log(process.env.FROM_DEFINITION, process.env.EXTRA); console.error("to stderr"); process.exit(3)';
    const { tasks, failures } = await run({
      taskDefinition: td.arn,
      overrides: {
        containerOverrides: [
          { name: 'app', command: ['-e', script], environment: [{ name: 'EXTRA', value: 'x' }] },
        ],
      },
    });
    expect(failures).toEqual([]);
    const started = tasks![0]!;
    expect(started).toMatchObject({
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      startedBy: 'unit-test',
      group: `family:${td.family}`,
      platformVersion: '1.4.0',
    });
    expect(started.taskArn).toMatch(
      new RegExp(`^arn:aws:ecs:${REGION}:123456789012:task/app/[0-9a-f]{32}$`),
    );
    expect(started.overrides?.containerOverrides?.[0]).toMatchObject({
      name: 'app',
      command: ['-e', script],
    });
    const state = await ecsSim.control.waitStopped(started.taskArn!);
    expect(state.history).toEqual([
      'PROVISIONING',
      'PENDING',
      'RUNNING',
      'DEPROVISIONING',
      'STOPPED',
    ]);
    const stopped = await describe1(started.taskArn!);
    expect(stopped).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [expect.objectContaining({ name: 'app', lastStatus: 'STOPPED', exitCode: 3 })],
    });
    expect(stopped.stoppedAt).toBeInstanceOf(Date);
    const taskId = started.taskArn!.split('/').at(-1)!;
    expect(logsSim.control.messages(td.logGroup, `ecs/app/${taskId}`).sort()).toEqual(
      ['postgres://app:s3cret@db.internal:5432/app', 'td x', 'to stderr'].sort(),
    );
  });

  test('a non-essential sidecar does not decide; it is stopped when the essential container exits', async () => {
    const td = await register([
      {
        name: 'migrate',
        image: 'app',
        command: ['node', '-e', 'setTimeout(() => process.exit(0), 100)'],
      },
      {
        name: 'sidecar',
        image: 'agent',
        essential: false,
        command: ['node', '-e', 'console.log("sidecar up"); setInterval(() => {}, 1000)'],
      },
    ]);
    const { tasks } = await run({ taskDefinition: td.arn });
    await ecsSim.control.waitStopped(tasks![0]!.taskArn!);
    const stopped = await describe1(tasks![0]!.taskArn!);
    const byName = Object.fromEntries(stopped.containers!.map((c) => [c.name, c.exitCode]));
    expect(byName).toEqual({ migrate: 0, sidecar: 143 });
    expect(stopped.stopCode).toBe('EssentialContainerExited');
  });

  test('a task that never starts stops with TaskFailedToStart and no exit code, even straight from PROVISIONING', async () => {
    const td = await register([{ name: 'app', image: 'app:missing', command: ['true'] }]);
    const reason =
      'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref app:missing: not found';
    ecsSim.control.script(td.family, {
      neverStarts: { stoppedReason: reason, from: 'PROVISIONING' },
    });
    const { tasks } = await run({ taskDefinition: td.arn });
    const state = await ecsSim.control.waitStopped(tasks![0]!.taskArn!);
    expect(state.history).toEqual(['PROVISIONING', 'DEPROVISIONING', 'STOPPED']);
    const stopped = await describe1(tasks![0]!.taskArn!);
    expect(stopped).toMatchObject({ stopCode: 'TaskFailedToStart', stoppedReason: reason });
    expect(stopped.containers?.[0]?.exitCode).toBeUndefined();
    expect(stopped.containers?.[0]?.reason).toBe(reason);
  });

  test('a secret the execution role cannot fetch, a missing log group, a missing program', async () => {
    const secret = await register([
      {
        name: 'app',
        image: 'app',
        command: ['true'],
        secrets: [{ name: 'DATABASE_URL', valueFrom: `${SECRET_ARN}x` }],
      },
    ]);
    const noGroup = await register([{ name: 'app', image: 'app', command: ['true'] }], {
      logGroup: '/ecs/never-created',
    });
    const noProgram = await register([
      { name: 'app', image: 'app', command: ['no-such-program-xyz'] },
    ]);
    const results = [];
    for (const td of [secret, noGroup, noProgram]) {
      const { tasks } = await run({ taskDefinition: td.arn });
      await ecsSim.control.waitStopped(tasks![0]!.taskArn!);
      results.push(await describe1(tasks![0]!.taskArn!));
    }
    expect(results[0]).toMatchObject({ stopCode: 'TaskFailedToStart' });
    expect(results[0]!.stoppedReason).toMatch(
      /^ResourceInitializationError: unable to pull secrets/,
    );
    expect(results[1]!.stoppedReason).toMatch(/The specified log group does not exist/);
    expect(results[2]!.containers?.[0]?.reason).toMatch(
      /^CannotStartContainerError: .*"no-such-program-xyz": executable file not found in \$PATH/,
    );
    expect(results[2]!.containers?.[0]?.exitCode).toBeUndefined();
  });

  test('StopTask stops a running task (UserInitiated, SIGTERM exit code)', async () => {
    const td = await register([
      { name: 'app', image: 'app', command: ['node', '-e', 'setInterval(() => {}, 1000)'] },
    ]);
    const { tasks } = await run({ taskDefinition: td.arn });
    const arn = tasks![0]!.taskArn!;
    await ecsSim.control.waitRunning(arn);
    const listed = await ecs.send(new ListTasksCommand({ cluster: 'app', family: td.family }));
    expect(listed.taskArns).toEqual([arn]);
    const { task } = await ecs.send(
      new StopTaskCommand({ cluster: 'app', task: arn, reason: 'cancelled' }),
    );
    expect(task).toMatchObject({
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'cancelled',
    });
    await ecsSim.control.waitStopped(arn);
    expect((await describe1(arn)).containers?.[0]?.exitCode).toBe(143);
    const missing = await rejectionOf(
      ecs.send(new StopTaskCommand({ cluster: 'app', task: 'ffffffffffffffffffffffffffffffff' })),
    );
    expect([missing.name, missing.message]).toEqual([
      'InvalidParameterException',
      'The referenced task was not found.',
    ]);
  });

  test('RunTask: failures[], idempotent client token, and the errors callers meet', async () => {
    const td = await register([{ name: 'app', image: 'app', command: ['true'] }]);
    const capacity =
      'Capacity is unavailable at this time. Please try again later or in a different availability zone';
    ecsSim.control.failRunTask({ reason: capacity });
    expect(await run({ taskDefinition: td.arn })).toMatchObject({
      tasks: [],
      failures: [{ reason: capacity }],
    });

    const once = await run({ taskDefinition: td.arn, clientToken: 'same-token' });
    const twice = await run({ taskDefinition: td.arn, clientToken: 'same-token' });
    expect(twice.tasks![0]!.taskArn).toBe(once.tasks![0]!.taskArn);

    const errors = await Promise.all([
      rejectionOf(run({ taskDefinition: td.arn, cluster: 'nope' })),
      rejectionOf(run({ taskDefinition: 'nope' })),
      rejectionOf(run({ taskDefinition: td.arn, networkConfiguration: undefined })),
      rejectionOf(
        run({
          taskDefinition: td.arn,
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT' }],
        }),
      ),
      rejectionOf(
        run({ taskDefinition: td.arn, overrides: { containerOverrides: [{ name: 'other' }] } }),
      ),
    ]);
    expect(errors.map((e) => `${e.name}: ${e.message}`)).toEqual([
      'ClusterNotFoundException: Cluster not found.',
      'InvalidParameterException: TaskDefinition not found.',
      "InvalidParameterException: Network Configuration must be provided when networkMode 'awsvpc' is specified.",
      'InvalidParameterException: Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
      'InvalidParameterException: Override for container named other is not a container in the TaskDefinition.',
    ]);

    const spot = await run({
      taskDefinition: td.arn,
      launchType: undefined,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    });
    expect(spot.tasks![0]).toMatchObject({
      capacityProviderName: 'FARGATE_SPOT',
      launchType: 'FARGATE',
    });

    const missing = await ecs.send(
      new DescribeTasksCommand({ cluster: 'app', tasks: ['0123456789abcdef0123456789abcdef'] }),
    );
    expect(missing).toMatchObject({
      tasks: [],
      failures: [{ reason: 'MISSING', arn: expect.stringMatching(/:task\/app\/0123456789abcdef/) }],
    });
  });
});
