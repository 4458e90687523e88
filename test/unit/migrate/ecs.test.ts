/**
 * Mode 3 (the migration as a one-off ECS task) against the simulator's ECS
 * and CloudWatch Logs, whose tasks run their commands for real on this
 * machine — one of them a migration of the local PostgreSQL.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { Inputs, InputError, MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import {
  ECS_MODE_CALLS,
  explainStoppedTask,
  planDatabaseReference,
  ecsTaskOutputs,
  readEcsMode,
  readMigrationImage,
  revisionWithImage,
  runMigrationTask,
  summarizeEcsTask,
  sameSecret,
  taskConsoleUrl,
  type EcsTaskOptions,
} from '../../../packages/migrate/src/index.js';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import { createEcsService, type EcsSimulator } from '../../../tools/aws-sim/services/ecs.js';
import { createLogsService, type LogsSimulator } from '../../../tools/aws-sim/services/logs.js';
import { createTestDatabase, type TestDatabase } from '../../../tools/services/databases.js';

const REGION = 'eu-west-1';
const CREDENTIALS = {
  accessKeyId: 'AKIAMIGRATEECSTEST01',
  secretAccessKey: 'migrate-ecs-secret',
  arn: 'arn:aws:iam::123456789012:user/deployer',
};
const SECRET_NAME = 'prod/db';
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:123456789012:secret:${SECRET_NAME}-AbC123`;
const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';
const SUBNETS = ['subnet-0a1b2c3d4e5f67890'];
const SECURITY_GROUPS = ['sg-0a1b2c3d4e5f67890'];

/** A logger that lets a test act when a line shows up (to prove lines arrive while the task runs). */
class WatchingLogger extends MemoryLogger {
  private watchers: Array<{ line: string; then: () => void }> = [];
  when(line: string, then: () => void): void {
    this.watchers.push({ line, then });
  }
  override info(message: string): void {
    super.info(message);
    for (const w of this.watchers.filter((w) => w.line === message)) w.then();
  }
  // The container's lines are third-party output.
  override output(line: string): void {
    super.output(line);
    for (const w of this.watchers.filter((w) => w.line === line)) w.then();
  }
}

let sim: AwsSimulator;
let ecsSim: EcsSimulator;
let logsSim: LogsSimulator;
let ecs: ECSClient;
let logs: CloudWatchLogsClient;
let database: TestDatabase;
let work: string;
let family = 0;

beforeAll(async () => {
  database = await createTestDatabase('postgres');
  work = await mkdtemp(path.join(tmpdir(), 'migrate-ecs-'));
  sim = await startAwsSimulator();
  sim.addCredentials(CREDENTIALS);
  logsSim = createLogsService();
  ecsSim = createEcsService({
    logs: logsSim,
    resolveSecret: (id) => (id === SECRET_ARN ? database.url : undefined),
  });
  sim.register(logsSim);
  sim.register(ecsSim);
  ecsSim.control.addCluster('app', { region: REGION });
  const config = { endpoint: sim.url, region: REGION, credentials: CREDENTIALS };
  ecs = new ECSClient(config);
  logs = new CloudWatchLogsClient(config);
});

afterAll(async () => {
  ecs?.destroy();
  logs?.destroy();
  await ecsSim?.control.close();
  await sim?.close();
  await database?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Registers the app's Fargate task definition: container `app` (plus any others), awslogs, the URL secret. */
function registerApp(
  extra: { app?: Partial<ContainerDefinition>; others?: ContainerDefinition[] } = {},
) {
  const name = `app-${++family}`;
  logsSim.control.createGroup(`/ecs/${name}`);
  const log = {
    logDriver: 'awslogs',
    options: {
      'awslogs-group': `/ecs/${name}`,
      'awslogs-region': REGION,
      'awslogs-stream-prefix': 'ecs',
    },
  };
  const definition = ecsSim.control.registerTaskDefinition(
    {
      family: name,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: EXECUTION_ROLE,
      containerDefinitions: [
        {
          name: 'app',
          image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:abc123',
          command: ['node', 'server.js'],
          workingDirectory: process.cwd(),
          secrets: [{ name: 'DATABASE_URL', valueFrom: SECRET_ARN }],
          logConfiguration: log,
          ...extra.app,
        },
        ...(extra.others ?? []).map((c) => ({ logConfiguration: log, ...c })),
      ] as never,
    },
    REGION,
  );
  return { family: name, arn: String(definition.taskDefinitionArn) };
}

function options(taskDefinition: string, argv: string[], more: Partial<EcsTaskOptions> = {}) {
  return {
    cluster: 'app',
    taskDefinition,
    containerName: 'app',
    argv,
    network: { subnets: SUBNETS, securityGroups: SECURITY_GROUPS, assignPublicIp: false },
    launch: { launchType: 'FARGATE' },
    database: { urlEnv: 'DATABASE_URL' },
    region: REGION,
    timeoutMs: 30_000,
    poll: { initialMs: 20, maxMs: 60 },
    logSettleMs: 20,
    ...more,
  } satisfies EcsTaskOptions;
}

const node = (script: string) => ['node', '-e', script];

function runTaskCalls() {
  return sim.requestLog.filter((e) => e.operation === 'RunTask');
}

describe('runMigrationTask', () => {
  test('success: RunTask as ECS expects it, output streamed while the task runs, exit code 0', async () => {
    const td = registerApp();
    const flag = path.join(work, 'go-on');
    const logger = new WatchingLogger();
    logger.when('first line', () => void writeFile(flag, ''));
    const script = `console.log("first line"); const t = setInterval(() => { if (require("fs").existsSync(${JSON.stringify(flag)})) { console.log("second line"); clearInterval(t); } }, 20)`;
    const before = runTaskCalls().length;
    const outcome = await runMigrationTask(
      options(td.family, node(script), {
        database: { urlEnv: 'DATABASE_URL', secretId: SECRET_NAME },
        clientToken: 'run-42-attempt-1',
      }),
      { ecs, logs, logger },
    );

    expect(outcome.failure).toBeUndefined();
    expect(outcome).toMatchObject({
      exitCode: 0,
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      taskDefinitionArn: td.arn,
      outputTail: ['first line', 'second line'],
    });
    expect(outcome.databaseFrom).toContain(
      `the secret ${SECRET_ARN}, referenced by the task definition`,
    );
    expect(outcome.consoleUrl).toBe(
      `https://${REGION}.console.aws.amazon.com/ecs/v2/clusters/app/tasks/${outcome.taskId}`,
    );
    expect(outcome.logs).toMatchObject({
      group: `/ecs/${td.family}`,
      stream: `ecs/app/${outcome.taskId}`,
      region: REGION,
    });
    const text = logger.text();
    expect(text).toContain(`Started task ${outcome.taskId}: ${outcome.consoleUrl}`);
    expect(text.indexOf('first line')).toBeLessThan(text.indexOf('second line'));
    expect(text).toMatch(/Task [0-9a-f]{32}: RUNNING\./);

    const [call] = runTaskCalls().slice(before);
    expect(call?.params).toEqual({
      cluster: 'app',
      taskDefinition: td.arn,
      count: 1,
      startedBy: 'deploy-actions',
      clientToken: 'run-42-attempt-1',
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: SUBNETS,
          securityGroups: SECURITY_GROUPS,
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: { containerOverrides: [{ name: 'app', command: node(script) }] },
    });
  });

  test('a real migration of PostgreSQL inside the task; the second run fails with the exit code and the error', async () => {
    const td = registerApp();
    const migration = node(
      [
        'const pg = require("pg");',
        'const client = new pg.Client({ connectionString: process.env.DATABASE_URL });',
        'client.connect()',
        '  .then(() => client.query("CREATE TABLE widgets (id int PRIMARY KEY, name text NOT NULL)"))',
        '  .then(() => { console.log("applied V1__widgets"); return client.end(); })',
        '  .catch((e) => { console.error("migration failed: " + e.message); process.exit(1); });',
      ].join('\n'),
    );
    const first = await runMigrationTask(options(td.family, migration), {
      ecs,
      logs,
      logger: new MemoryLogger(),
    });
    expect(first.failure).toBeUndefined();
    expect(first.outputTail).toEqual(['applied V1__widgets']);
    const tables = await database.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_name = 'widgets'",
    );
    expect(tables).toEqual([{ table_name: 'widgets' }]);
    // The URL never travels in the request: the task definition references the secret.
    expect(JSON.stringify(runTaskCalls())).not.toContain(database.url);

    const second = await runMigrationTask(options(td.family, migration), {
      ecs,
      logs,
      logger: new MemoryLogger(),
    });
    expect(second.exitCode).toBe(1);
    expect(second.failure).toBeInstanceOf(UserError);
    expect(second.failure?.message).toBe(
      `The migration command ${migration[0]} -e '${migration[2]!.replace(/'/g, `'\\''`)}' failed in ECS task ${second.taskId} with exit code 1: migration failed: relation "widgets" already exists.`,
    );
    expect(second.failure?.hint).toContain(second.consoleUrl);
  });

  test('the failure quotes the last line that says something, not the brackets closing a JSON dump', async () => {
    const td = registerApp();
    const script = node(
      'console.error("error: relation \\"orders\\" does not exist"); console.error("{\\n  code: \\"42P01\\"\\n}"); process.exit(1)',
    );
    const run = await runMigrationTask(options(td.family, script), {
      ecs,
      logs,
      logger: new MemoryLogger(),
    });
    expect(run.exitCode).toBe(1);
    expect(run.failure?.message).toMatch(/with exit code 1: code: "42P01"\.$/);
  });

  test('a sidecar is ignored: non-essential and stopped by ECS, or essential and stopped by the action', async () => {
    const forever = node('console.log("sidecar up"); setInterval(() => {}, 1000)');
    const passive = registerApp({
      others: [{ name: 'agent', image: 'agent', essential: false, command: forever }],
    });
    const a = await runMigrationTask(options(passive.family, node('console.log("done")')), {
      ecs,
      logs,
      logger: new MemoryLogger(),
    });
    expect(a.failure).toBeUndefined();
    expect(a.exitCode).toBe(0);
    const stoppedA = ecsSim.control.tasks.get(a.taskArn!)!;
    expect(stoppedA.containers.find((c) => c.name === 'agent')?.exitCode).toBe(143);

    // The migration container is not essential and the sidecar is: the task would run forever.
    const keeper = registerApp({
      app: { essential: false },
      others: [{ name: 'agent', image: 'agent', command: forever }],
    });
    const b = await runMigrationTask(options(keeper.family, node('process.exit(0)')), {
      ecs,
      logs,
      logger: new MemoryLogger(),
    });
    expect(b.failure).toBeUndefined();
    expect(b.exitCode).toBe(0);
    const stop = sim.requestLog.filter((e) => e.operation === 'StopTask').at(-1);
    expect(stop?.params).toMatchObject({
      task: b.taskArn,
      reason: 'deploy-actions: the migration container exited; stopping the other containers',
    });
    await ecsSim.control.waitStopped(b.taskArn!);
  });

  test('a task that never starts: stopCode, stoppedReason and the container reason in plain words', async () => {
    const td = registerApp();
    const reason =
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:abc123: not found';
    ecsSim.control.script(td.family, { neverStarts: { stoppedReason: reason } });
    const logger = new MemoryLogger();
    const outcome = await runMigrationTask(options(td.family, node('1')), { ecs, logs, logger });
    expect(outcome).toMatchObject({
      exitCode: null,
      stopCode: 'TaskFailedToStart',
      stoppedReason: reason,
      containerReason: reason,
    });
    expect(outcome.failure?.message).toBe(
      `The migration task ${outcome.taskId} stopped before container app ran (TaskFailedToStart): ECS could not pull the image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:abc123. (${reason})`,
    );
    expect(outcome.failure?.hint).toContain('ecr:BatchGetImage');
    expect(outcome.failure?.hint).toContain(outcome.consoleUrl);
    expect(logger.text()).toContain('container app never ran');
  });

  test('a secret ECS cannot fetch is explained as such', async () => {
    const td = registerApp({
      app: { secrets: [{ name: 'DATABASE_URL', valueFrom: `${SECRET_ARN.slice(0, -1)}X` }] },
    });
    const outcome = await runMigrationTask(options(td.family, node('1')), {
      ecs,
      logs,
      logger: new MemoryLogger(),
    });
    expect(outcome.failure?.message).toContain("ECS could not fetch the task's secrets");
    expect(outcome.failure?.hint).toContain('secretsmanager:GetSecretValue');
  });

  test('RunTask failures[]: capacity is retried, and explained when it lasts', async () => {
    const td = registerApp();
    const capacity =
      'Capacity is unavailable at this time. Please try again later or in a different availability zone';
    ecsSim.control.failRunTask({ reason: capacity }, 2);
    const logger = new MemoryLogger();
    const retried = await runMigrationTask(options(td.family, node('1'), { runTaskAttempts: 3 }), {
      ecs,
      logs,
      logger,
    });
    expect(retried.failure).toBeUndefined();
    expect(logger.text()).toContain(`RunTask started nothing: ${capacity}. Trying again in`);

    ecsSim.control.failRunTask({ reason: capacity }, 2);
    const failed = await runMigrationTask(options(td.family, node('1'), { runTaskAttempts: 2 }), {
      ecs,
      logs,
      logger: new MemoryLogger(),
    });
    expect(failed.taskArn).toBeUndefined();
    expect(failed.failure?.message).toBe(
      `ECS did not start the migration task after 2 attempts: ${capacity}.`,
    );
    expect(failed.failure?.hint).toContain('availability zones');

    const ec2 = await runMigrationTask(
      options(td.family, node('1'), { launch: { launchType: 'EC2' }, network: undefined }),
      { ecs, logs, logger: new MemoryLogger() },
    ).catch((error: unknown) => error);
    // awsvpc needs subnets: refused before RunTask.
    expect(ec2).toBeInstanceOf(UserError);
    expect((ec2 as Error).message).toContain('needs subnets (subnets)');
  });

  test('cancellation stops the task with a reason', async () => {
    const td = registerApp();
    const controller = new AbortController();
    const logger = new WatchingLogger();
    logger.when('waiting for the lock', () => controller.abort());
    const outcome = await runMigrationTask(
      options(td.family, node('console.log("waiting for the lock"); setInterval(() => {}, 1000)'), {
        runUrl: 'https://github.com/org/app/actions/runs/42',
      }),
      { ecs, logs, logger, signal: controller.signal },
    );
    expect(outcome.failure?.message).toMatch(
      /^The migration task [0-9a-f]{32} was stopped because the workflow run was cancelled/,
    );
    const stop = sim.requestLog.filter((e) => e.operation === 'StopTask').at(-1);
    expect(stop?.params).toEqual({
      cluster: 'app',
      task: outcome.taskArn,
      reason:
        'deploy-actions: the workflow run was cancelled (https://github.com/org/app/actions/runs/42)',
    });
    const stopped = await ecsSim.control.waitStopped(outcome.taskArn!);
    expect([stopped.stopCode, stopped.containers[0]?.exitCode]).toEqual(['UserInitiated', 143]);
  });

  test('a task that outlives the timeout is stopped', async () => {
    const td = registerApp();
    const outcome = await runMigrationTask(
      options(td.family, node('setInterval(() => {}, 1000)'), { timeoutMs: 300 }),
      { ecs, logs, logger: new MemoryLogger() },
    );
    expect(outcome.failure?.message).toContain('did not finish within 300ms');
    const stopped = await ecsSim.control.waitStopped(outcome.taskArn!);
    expect(stopped.stopCode).toBe('UserInitiated');
  });

  test('refused before RunTask: unknown task definition, unknown container, a secret the task definition does not reference', async () => {
    const td = registerApp();
    const before = runTaskCalls().length;
    const deps = { ecs, logs, logger: new MemoryLogger() };
    const errors = await Promise.all([
      runMigrationTask(options('nope:3', node('1')), deps).catch((e: unknown) => e),
      runMigrationTask(options(td.family, node('1'), { containerName: 'web' }), deps).catch(
        (e: unknown) => e,
      ),
      runMigrationTask(
        options(td.family, node('1'), {
          database: { urlEnv: 'DATABASE_URL', secretId: 'other/db' },
        }),
        deps,
      ).catch((e: unknown) => e),
    ]);
    expect(errors.map((e) => (e as Error).message)).toEqual([
      `The task definition nope:3 (task-definition) was not found in ${REGION}.`,
      `The task definition ${td.family} has no container named web (container-name); it has app.`,
      `The task definition ${td.family}:1 gives container app its DATABASE_URL from ${SECRET_ARN}, but database-url-secret-id is other/db.`,
    ]);
    expect(errors.every((e) => e instanceof UserError)).toBe(true);
    expect(runTaskCalls().length).toBe(before);
  });

  test('the secret id in an environment variable, for images that fetch it themselves', async () => {
    const td = registerApp({ app: { secrets: [] } });
    const outcome = await runMigrationTask(
      options(td.family, node('console.log(process.env.DB_SECRET_ID, process.env.DATABASE_URL)'), {
        database: { urlEnv: 'DATABASE_URL', secretId: SECRET_ARN, secretIdEnv: 'DB_SECRET_ID' },
      }),
      { ecs, logs, logger: new MemoryLogger() },
    );
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputTail).toEqual([`${SECRET_ARN} undefined`]);
    expect(runTaskCalls().at(-1)?.params).toMatchObject({
      overrides: {
        containerOverrides: [
          { name: 'app', environment: [{ name: 'DB_SECRET_ID', value: SECRET_ARN }] },
        ],
      },
    });
  });
});

describe('with the image being deployed', () => {
  const NEW_IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:${'c'.repeat(64)}`;

  test('registers a revision running the image in the migration container and runs that revision', async () => {
    const td = registerApp({
      others: [
        {
          name: 'proxy',
          image: 'public.ecr.aws/envoy:v1',
          essential: false,
          command: ['node', '-e', 'setTimeout(() => {}, 10)'],
        },
      ],
    });
    const logger = new MemoryLogger();
    const before = sim.requestLog.length;
    const outcome = await runMigrationTask(
      options(td.family, node('console.log("migrated")'), { image: NEW_IMAGE }),
      { ecs, logs, logger },
    );
    expect(outcome.failure).toBeUndefined();
    expect(outcome.taskDefinitionArn).toBe(td.arn.replace(/:1$/, ':2'));
    expect(outcome).toMatchObject({ image: NEW_IMAGE, registeredFrom: td.arn });

    const calls = sim.requestLog.slice(before);
    const register = calls.find((c) => c.operation === 'RegisterTaskDefinition')!;
    const containers = (register.params as { containerDefinitions: ContainerDefinition[] })
      .containerDefinitions;
    expect(containers.map((c) => [c.name, c.image])).toEqual([
      ['app', NEW_IMAGE],
      ['proxy', 'public.ecr.aws/envoy:v1'],
    ]);
    // Only what RegisterTaskDefinition accepts: no read-only field of the description.
    for (const field of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ]) {
      expect(register.params).not.toHaveProperty(field);
    }
    expect(register.params).toMatchObject({
      family: td.family,
      executionRoleArn: EXECUTION_ROLE,
      cpu: '256',
    });
    const run = calls.find((c) => c.operation === 'RunTask')!;
    expect(run.params).toMatchObject({ taskDefinition: outcome.taskDefinitionArn });
    expect(calls.map((c) => c.operation).indexOf('RegisterTaskDefinition')).toBeLessThan(
      calls.map((c) => c.operation).indexOf('RunTask'),
    );
    expect(logger.text()).toContain(
      `Registered ${outcome.taskDefinitionArn} (from ${td.arn}) with app running ${NEW_IMAGE}.`,
    );
    const table = summarizeEcsTask(outcome)[0]!.table!;
    expect(table).toContainEqual([
      'Task definition',
      `${outcome.taskDefinitionArn} (registered from ${td.arn})`,
    ]);
    expect(table).toContainEqual(['Image', NEW_IMAGE]);
    expect(ecsTaskOutputs(outcome)['task-definition-arn']).toBe(outcome.taskDefinitionArn);
  });

  test('an unknown container is refused before anything is registered', async () => {
    const td = registerApp();
    const before = sim.requestLog.length;
    await expect(
      runMigrationTask(options(td.family, node('1'), { image: NEW_IMAGE, containerName: 'web' }), {
        ecs,
        logs,
        logger: new MemoryLogger(),
      }),
    ).rejects.toThrow('has no container named web');
    expect(sim.requestLog.slice(before).map((c) => c.operation)).toEqual([
      'DescribeTaskDefinition',
    ]);
  });

  test('revisionWithImage keeps everything registrable and the tags', () => {
    const request = revisionWithImage(
      {
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app:7',
        family: 'app',
        revision: 7,
        status: 'ACTIVE',
        compatibilities: ['EC2', 'FARGATE'],
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.ecr-auth' }],
        registeredAt: new Date(0),
        registeredBy: 'arn:aws:iam::123456789012:role/ci',
        requiresCompatibilities: ['FARGATE'],
        taskRoleArn: 'arn:aws:iam::123456789012:role/app',
        volumes: [{ name: 'tmp' }],
        containerDefinitions: [
          { name: 'app', image: 'old:1', environment: [{ name: 'A', value: 'b' }] },
        ],
      },
      'app',
      'new@sha256:' + 'd'.repeat(64),
      [{ key: 'team', value: 'shop' }],
    );
    expect(request).toEqual({
      family: 'app',
      requiresCompatibilities: ['FARGATE'],
      taskRoleArn: 'arn:aws:iam::123456789012:role/app',
      volumes: [{ name: 'tmp' }],
      containerDefinitions: [
        {
          name: 'app',
          image: 'new@sha256:' + 'd'.repeat(64),
          environment: [{ name: 'A', value: 'b' }],
        },
      ],
      tags: [{ key: 'team', value: 'shop' }],
    });
  });
});

describe('readMigrationImage', () => {
  const read = (values: Record<string, string>) =>
    readMigrationImage(new Inputs((name) => values[name]));
  test.each([
    `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:${'a'.repeat(64)}`,
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:3f9c2d1',
    'localhost:5000/api:v1',
  ])('accepts %s with ecs-cluster', (image) => {
    expect(read({ 'ecs-cluster': 'app', image })).toBe(image);
  });
  test.each<[Record<string, string>, RegExp]>([
    [{ image: 'api:v1' }, /Input 'image'.*nothing without ecs-cluster/],
    [{ 'ecs-cluster': 'app', image: 'Shop/API' }, /Input 'image'.*an image reference/],
    [{ 'ecs-cluster': 'app', image: 'api@sha256:short' }, /Input 'image'.*an image reference/],
    [{ 'ecs-cluster': 'app', image: 'api:v1; rm -rf /' }, /Input 'image'/],
  ])('refuses %j', (values, message) => {
    expect(() => read(values)).toThrow(InputError);
    expect(() => read(values)).toThrow(message);
  });
  test('absent: the task definition runs its own image', () => {
    expect(read({ 'ecs-cluster': 'app' })).toBeUndefined();
  });
});

describe('planDatabaseReference', () => {
  const definition = { family: 'app', revision: 7, executionRoleArn: EXECUTION_ROLE };

  test('a URL in the plain environment is masked and warned about', () => {
    const url = 'postgres://app:hunter2@db:5432/app';
    const plan = planDatabaseReference(
      { name: 'app', environment: [{ name: 'DATABASE_URL', value: url }] },
      definition,
      { urlEnv: 'DATABASE_URL' },
    );
    expect(plan.mask).toEqual([url]);
    expect(plan.warnings[0]).toContain("puts DATABASE_URL in container app's plain environment");
    expect(plan.environment).toEqual([]);
  });

  test('a secret referenced under other names (RDS JSON keys) is accepted', () => {
    const plan = planDatabaseReference(
      {
        name: 'app',
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: `${SECRET_ARN}:password::` },
          { name: 'DB_HOST', valueFrom: `${SECRET_ARN}:host::` },
        ],
      },
      definition,
      { urlEnv: 'DATABASE_URL', secretId: SECRET_NAME },
    );
    expect(plan.source).toBe(
      `the secret ${SECRET_NAME}, referenced by the task definition as DB_PASSWORD, DB_HOST`,
    );
  });

  test('a secret not referenced at all: says what to add to the task definition', () => {
    let caught: unknown;
    try {
      planDatabaseReference({ name: 'app' }, definition, {
        urlEnv: 'DATABASE_URL',
        secretId: SECRET_NAME,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toContain(
      'ECS cannot pass a secret in a RunTask override',
    );
    expect((caught as UserError).hint).toContain(
      '"secrets": [{"name": "DATABASE_URL", "valueFrom": "<the secret\'s ARN>"}]',
    );
  });

  test.each<[string, string, boolean]>([
    [SECRET_ARN, SECRET_NAME, true],
    [SECRET_ARN, SECRET_ARN, true],
    [`${SECRET_ARN}:url::`, SECRET_ARN, true],
    [SECRET_ARN, `arn:aws:secretsmanager:${REGION}:123456789012:secret:${SECRET_NAME}`, true],
    [SECRET_ARN, 'prod', false],
    [SECRET_ARN, 'prod/db-other', false],
    [
      'arn:aws:ssm:eu-west-1:123456789012:parameter/db',
      'arn:aws:ssm:eu-west-1:123456789012:parameter/db',
      true,
    ],
  ])('sameSecret(%s, %s) is %s', (valueFrom, secretId, expected) => {
    expect(sameSecret(valueFrom, secretId)).toBe(expected);
  });
});

describe('explainStoppedTask and the calls table', () => {
  test('ResourceInitializationError about logs, and an unknown reason verbatim', () => {
    const logs = explainStoppedTask(
      {
        stoppedReason:
          'ResourceInitializationError: failed to validate logger args: The specified log group does not exist.',
        containers: [{ name: 'app' }],
      },
      'app',
    );
    expect(logs.what).toContain("could not set up the container's CloudWatch log stream");
    const other = explainStoppedTask({ stoppedReason: 'Something new', containers: [] }, 'app');
    expect(other.what).toBe('Something new');
  });

  test('ECS_MODE_CALLS names every call the engine makes', () => {
    const declared = Object.values(ECS_MODE_CALLS).map((c) => c.actions[0]);
    expect(declared).toEqual([
      'ecs:DescribeTaskDefinition',
      'ecs:RegisterTaskDefinition',
      'ecs:TagResource',
      'ecs:RunTask',
      'ecs:DescribeTasks',
      'ecs:StopTask',
      'logs:GetLogEvents',
      'iam:PassRole',
    ]);
    const made = new Set(
      sim.requestLog.map((e) => `${e.service}:${e.operation}`).filter((c) => !c.startsWith('sts')),
    );
    for (const call of made) expect(declared).toContain(call);
    // Keyed by the operation the engine sends (the key its call sites look up).
    for (const [key, call] of Object.entries(ECS_MODE_CALLS)) {
      expect(call.actions[0].split(':')[1]).toBe(key);
    }
    expect(taskConsoleUrl(REGION, 'arn:aws:ecs:eu-west-1:123456789012:cluster/app', 'abc')).toBe(
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/app/tasks/abc',
    );
  });
});

describe('readEcsMode', () => {
  const read = (values: Record<string, string>) => readEcsMode(new Inputs((name) => values[name]));
  const base = {
    'ecs-cluster': 'app',
    'task-definition': 'app:3',
    'container-name': 'app',
    command: 'npm run migrate',
    subnets: 'subnet-0a1b2c3d4e5f67890, subnet-0a1b2c3d',
    'security-groups': 'sg-0a1b2c3d',
  };

  test('reads the task, network and launch', () => {
    expect(read(base)).toEqual({
      kind: 'ecs',
      cluster: 'app',
      taskDefinition: 'app:3',
      containerName: 'app',
      argv: ['npm', 'run', 'migrate'],
      network: {
        subnets: ['subnet-0a1b2c3d4e5f67890', 'subnet-0a1b2c3d'],
        securityGroups: ['sg-0a1b2c3d'],
        assignPublicIp: false,
      },
      launch: { launchType: 'FARGATE' },
      urlEnv: 'DATABASE_URL',
      timeoutMs: 30 * 60_000,
    });
    expect(
      read({ ...base, 'capacity-provider-strategy': 'FARGATE:1:1, FARGATE_SPOT:3' }).launch,
    ).toEqual({
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      ],
    });
  });

  test.each<[Record<string, string>, string]>([
    [{ subnets: 'subnet-xyz' }, 'subnets'],
    [{ 'security-groups': 'default' }, 'security-groups'],
    [{ 'launch-type': 'LAMBDA' }, 'launch-type'],
    [{ 'capacity-provider-strategy': 'FARGATE', 'launch-type': 'FARGATE' }, 'launch-type'],
    [{ 'database-url': 'postgres://u:p@h/d' }, 'database-url'],
    [{ 'database-url-secret-id-env': 'DB_SECRET' }, 'database-url-secret-id-env'],
    [{ 'assign-public-ip': 'true', 'launch-type': 'EC2' }, 'assign-public-ip'],
    [{ 'task-timeout': '1s' }, 'task-timeout'],
    [{ command: 'migrate | tee out' }, 'command'],
  ])('refuses %j', (values, input) => {
    let caught: unknown;
    try {
      read({ ...base, ...values });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).input).toBe(input);
    expect((caught as InputError).message).not.toContain('u:p@');
  });
});
