// runMigrationTask (mode 3, the migration as a one-off ECS task) against the simulator, then the
// calls table checked against every call those runs made.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import {
  ECS_MODE_CALLS,
  explainStoppedTask,
  runMigrationTask,
  taskConsoleUrl,
} from '../../../packages/migrate/src/index.js';
import {
  REGION,
  SECRET_ARN,
  SECRET_NAME,
  SECURITY_GROUPS,
  SUBNETS,
  WatchingLogger,
  database,
  ecs,
  ecsSim,
  logs,
  node,
  options,
  registerApp,
  runTaskCalls,
  sim,
  useEcsSimulator,
  work,
} from './ecs-fixtures.js';

useEcsSimulator();

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
