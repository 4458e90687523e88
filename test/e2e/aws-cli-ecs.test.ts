/**
 * Protocol fidelity of the simulator's ECS (awsJson1_1,
 * `AmazonEC2ContainerServiceV20141113`), checked with the AWS CLI. Tasks run
 * their commands for real (node, on this machine) and write to the Logs
 * module. Rows build on each other: a task definition is registered, tasks
 * are run, described, listed and stopped.
 *
 * @needs awscli
 */
import { CLI_REGION, CLI_USER, describeCliFidelity, type CliRow } from '../support/aws-cli.js';
import { createEcsService, type EcsSimulator } from '../../tools/aws-sim/services/ecs.js';
import { createLogsService, type LogsSimulator } from '../../tools/aws-sim/services/logs.js';

interface EcsState {
  ecs: EcsSimulator;
  logs: LogsSimulator;
}
type Row = CliRow<EcsState>;

const ACCOUNT = '123456789012';
const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;
const NETWORK =
  'awsvpcConfiguration={subnets=[subnet-0a1b2c3d],securityGroups=[sg-0a1b2c3d],assignPublicIp=DISABLED}';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

const TASK_DEFINITION = {
  family: 'cli-migrate',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  executionRoleArn: EXECUTION_ROLE,
  containerDefinitions: [
    {
      name: 'app',
      image: `${ACCOUNT}.dkr.ecr.${CLI_REGION}.amazonaws.com/app:abc123`,
      command: ['node', 'server.js'],
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/cli-migrate',
          'awslogs-region': CLI_REGION,
          'awslogs-stream-prefix': 'ecs',
          'awslogs-create-group': 'true',
        },
      },
    },
  ],
};

/** Task ARNs one row hands to later ones. */
const tasks: { finished?: string; running?: string } = {};

const runArgs = (command: string[], extra: string[] = []) => [
  'ecs',
  'run-task',
  '--cluster',
  'cli',
  '--task-definition',
  'cli-migrate',
  '--launch-type',
  'FARGATE',
  '--network-configuration',
  NETWORK,
  '--started-by',
  'deploy-actions',
  '--overrides',
  JSON.stringify({ containerOverrides: [{ name: 'app', command }] }),
  ...extra,
];

const rows: Row[] = [
  {
    name: 'register-task-definition',
    operation: 'ecs:RegisterTaskDefinition',
    args: () => [
      'ecs',
      'register-task-definition',
      '--cli-input-json',
      JSON.stringify(TASK_DEFINITION),
    ],
    check: ({ output }) =>
      expect(output).toEqual({
        taskDefinition: expect.objectContaining({
          taskDefinitionArn: `arn:aws:ecs:${CLI_REGION}:${ACCOUNT}:task-definition/cli-migrate:1`,
          family: 'cli-migrate',
          revision: 1,
          status: 'ACTIVE',
          compatibilities: ['EC2', 'FARGATE'],
          registeredAt: expect.stringMatching(ISO),
          registeredBy: CLI_USER.arn,
          containerDefinitions: [expect.objectContaining({ name: 'app', essential: true })],
        }),
      }),
  },
  {
    name: 'register-task-definition: Fargate without awsvpc',
    operation: 'ecs:RegisterTaskDefinition',
    args: () => [
      'ecs',
      'register-task-definition',
      '--cli-input-json',
      JSON.stringify({ ...TASK_DEFINITION, networkMode: 'bridge' }),
    ],
    expectError: 'ClientException',
  },
  {
    name: 'describe-task-definition by family, with tags',
    operation: 'ecs:DescribeTaskDefinition',
    args: () => [
      'ecs',
      'describe-task-definition',
      '--task-definition',
      'cli-migrate',
      '--include',
      'TAGS',
    ],
    check: ({ output }) =>
      expect(output).toEqual({
        taskDefinition: expect.objectContaining({ revision: 1, networkMode: 'awsvpc' }),
        tags: [],
      }),
  },
  {
    name: 'describe-task-definition: not found',
    operation: 'ecs:DescribeTaskDefinition',
    args: () => ['ecs', 'describe-task-definition', '--task-definition', 'cli-migrate:7'],
    expectError: 'ClientException',
    check: ({ stderr }) => expect(stderr).toContain('Unable to describe task definition.'),
  },
  {
    name: 'run-task runs the override command',
    operation: 'ecs:RunTask',
    args: () => runArgs(['node', '-e', 'console.log("migrated"); process.exit(2)']),
    check: ({ output }) => {
      expect(output).toEqual({
        tasks: [
          expect.objectContaining({
            lastStatus: 'PROVISIONING',
            desiredStatus: 'RUNNING',
            launchType: 'FARGATE',
            startedBy: 'deploy-actions',
            createdAt: expect.stringMatching(ISO),
            taskArn: expect.stringMatching(
              new RegExp(`^arn:aws:ecs:${CLI_REGION}:${ACCOUNT}:task/cli/[0-9a-f]{32}$`),
            ),
          }),
        ],
        failures: [],
      });
      tasks.finished = (output!.tasks as Array<{ taskArn: string }>)[0]!.taskArn;
    },
  },
  {
    name: 'describe-tasks: stopped by its essential container, exit code and logs',
    operation: 'ecs:DescribeTasks',
    arrange: (f) => f.state.ecs.control.waitStopped(tasks.finished!),
    args: () => ['ecs', 'describe-tasks', '--cluster', 'cli', '--tasks', tasks.finished!],
    check: ({ output }, f) => {
      expect(output).toEqual({
        tasks: [
          expect.objectContaining({
            lastStatus: 'STOPPED',
            desiredStatus: 'STOPPED',
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
            stoppedAt: expect.stringMatching(ISO),
            containers: [
              expect.objectContaining({ name: 'app', lastStatus: 'STOPPED', exitCode: 2 }),
            ],
          }),
        ],
        failures: [],
      });
      const id = tasks.finished!.split('/').at(-1)!;
      expect(f.state.logs.control.messages('/ecs/cli-migrate', `ecs/app/${id}`)).toEqual([
        'migrated',
      ]);
    },
  },
  {
    name: 'describe-tasks: an unknown task is a MISSING failure',
    operation: 'ecs:DescribeTasks',
    args: () => [
      'ecs',
      'describe-tasks',
      '--cluster',
      'cli',
      '--tasks',
      '0123456789abcdef0123456789abcdef',
    ],
    check: ({ output }) =>
      expect(output).toEqual({
        tasks: [],
        failures: [
          {
            arn: `arn:aws:ecs:${CLI_REGION}:${ACCOUNT}:task/cli/0123456789abcdef0123456789abcdef`,
            reason: 'MISSING',
          },
        ],
      }),
  },
  {
    name: 'run-task: a long-running task',
    operation: 'ecs:RunTask',
    args: () => runArgs(['node', '-e', 'setInterval(() => {}, 1000)']),
    check: ({ output }) => {
      tasks.running = (output!.tasks as Array<{ taskArn: string }>)[0]!.taskArn;
    },
  },
  {
    name: 'list-tasks',
    operation: 'ecs:ListTasks',
    arrange: (f) => f.state.ecs.control.waitRunning(tasks.running!),
    args: () => ['ecs', 'list-tasks', '--cluster', 'cli', '--started-by', 'deploy-actions'],
    check: ({ output }) => expect(output).toEqual({ taskArns: [tasks.running] }),
  },
  {
    name: 'stop-task',
    operation: 'ecs:StopTask',
    args: () => [
      'ecs',
      'stop-task',
      '--cluster',
      'cli',
      '--task',
      tasks.running!,
      '--reason',
      'deploy-actions: the workflow run was cancelled',
    ],
    check: async ({ output }, f) => {
      expect(output).toEqual({
        task: expect.objectContaining({
          desiredStatus: 'STOPPED',
          stopCode: 'UserInitiated',
          stoppedReason: 'deploy-actions: the workflow run was cancelled',
        }),
      });
      const stopped = await f.state.ecs.control.waitStopped(tasks.running!);
      expect(stopped.containers[0]?.exitCode).toBe(143);
    },
  },
  {
    name: 'stop-task: unknown task',
    operation: 'ecs:StopTask',
    args: () => [
      'ecs',
      'stop-task',
      '--cluster',
      'cli',
      '--task',
      'ffffffffffffffffffffffffffffffff',
    ],
    expectError: 'InvalidParameterException',
  },
  {
    name: 'run-task: capacity failure in failures[]',
    operation: 'ecs:RunTask',
    arrange: (f) =>
      f.state.ecs.control.failRunTask({
        reason:
          'Capacity is unavailable at this time. Please try again later or in a different availability zone',
      }),
    args: () => runArgs(['true']),
    check: ({ output }) =>
      expect(output).toEqual({
        tasks: [],
        failures: [
          {
            reason:
              'Capacity is unavailable at this time. Please try again later or in a different availability zone',
          },
        ],
      }),
  },
  {
    // The CLI does not check enums itself: the request reaches the simulator's model check.
    name: "run-task: a launch type outside the model's enum",
    operation: 'ecs:RunTask',
    args: () => [
      'ecs',
      'run-task',
      '--cluster',
      'cli',
      '--task-definition',
      'cli-migrate',
      '--launch-type',
      'LAMBDA',
    ],
    expectError: 'ClientException',
    check: ({ stderr }) =>
      expect(stderr).toContain(
        "1 validation error detected: Value 'LAMBDA' at 'launchType' failed to satisfy constraint: Member must satisfy enum value set: [",
      ),
  },
  {
    name: 'run-task: the cluster does not exist',
    operation: 'ecs:RunTask',
    args: () => ['ecs', 'run-task', '--cluster', 'nope', '--task-definition', 'cli-migrate'],
    expectError: 'ClusterNotFoundException',
  },
  {
    name: 'run-task: the task definition does not exist',
    operation: 'ecs:RunTask',
    args: () => ['ecs', 'run-task', '--cluster', 'cli', '--task-definition', 'nope'],
    expectError: 'InvalidParameterException',
    check: ({ stderr }) => expect(stderr).toContain('TaskDefinition not found.'),
  },
  {
    name: 'run-task: awsvpc without a network configuration',
    operation: 'ecs:RunTask',
    args: () => [
      'ecs',
      'run-task',
      '--cluster',
      'cli',
      '--task-definition',
      'cli-migrate',
      '--launch-type',
      'FARGATE',
    ],
    expectError: 'InvalidParameterException',
  },
];

describeCliFidelity<EcsState>('ECS', {
  services: () => {
    const logs = createLogsService();
    const ecs = createEcsService({ logs });
    ecs.control.addCluster('cli', { region: CLI_REGION });
    return {
      services: [logs, ecs],
      state: { ecs, logs },
      close: () => ecs.control.close(),
    };
  },
  covers: ['ecs'],
  credentials: () => CLI_USER,
  rows,
});
