/** @needs postgres mariadb */
// run-migrations end to end, the migration command on the runner and as an ECS task, bad inputs
// and the permissions table:
// the committed bundle under Node 24, as the runner runs it, against the machine's real
// PostgreSQL and MariaDB (a fresh database per test, reached with a password so that masking
// is exercised), with the AWS simulator for secrets.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RUN_MIGRATIONS_PERMISSIONS } from '../../../packages/migrate/src/index.js';
import type { RequestLogEntry } from '../../../tools/aws-sim/index.js';
import { runAction, visibleLog } from '../../support/harness.js';
import {
  RUN_URL,
  SECURITY_GROUP,
  SUBNET,
  USERS,
  aws,
  awsCalls,
  checkout,
  commandScript,
  countingServer,
  database,
  ecsCalls,
  ecsSetup,
  ecsSim,
  migrate,
  tableExists,
  useMigrationServices,
} from './setup.js';

useMigrationServices();

// --- mode 2: your own migration command -----------------------------------------------------
test('command mode: the tool gets the URL in DATABASE_URL, its output is in a log group, exit 0 passes', async () => {
  const target = await database('postgres');
  const work = await checkout();
  await commandScript(work, 'postgres', 'DATABASE_URL', 'CREATE TABLE made_by_tool (id int)');

  const run = await migrate(work, { 'database-url': target.url, command: 'node migrate.cjs' });

  expect(run.exitCode).toBe(0);
  expect(await tableExists(target, 'made_by_tool')).toBe(true);
  expect(run.log).toMatch(/^::group::Running node migrate\.cjs$/m);
  expect(run.log).toMatch(/^tool: 1 migration applied$/m);
  expect(run.outputs).toEqual({
    applied: '',
    'applied-versions': '',
    pending: '',
    'current-version': '',
    duration: expect.stringMatching(/^\d+\.\d$/),
    'task-definition-arn': '',
  });
  expect(run.summary).toContain('Ran node migrate.cjs: exit code 0');
});

test('command mode: a hostile tool can neither issue workflow commands nor see the runner tokens', async () => {
  const target = await database('postgres');
  const work = await checkout();
  // Prints workflow commands and what it can see of the runner's secrets.
  await writeFile(
    path.join(work.root, 'hostile.cjs'),
    `console.log('::error title=pwned::the tool wrote an annotation');
     console.log('::add-mask::migrating');
     console.log('::set-output name=applied::99');
     console.log('::stop-commands::' + 'guess');
     console.log('seen: ' + ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'RUNNER_SECRET_ECHO']
       .filter((name) => process.env[name] !== undefined).join(',') + '.');`,
  );
  const run = await migrate(
    work,
    { 'database-url': target.url, command: 'node hostile.cjs' },
    {
      env: {
        ACTIONS_RUNTIME_TOKEN: 'runtime-token-value',
        AWS_SECRET_ACCESS_KEY: 'aws-secret-value',
        RUNNER_SECRET_ECHO: 'not allow-listed',
      },
    },
  );
  expect(run.exitCode).toBe(0);
  expect(
    run.annotations.filter((a) => /pwned/.test(`${a.properties.title ?? ''} ${a.message}`)),
  ).toEqual([]);
  expect(run.outputs.applied).toBe('');
  expect(run.log).toMatch(/^seen: \.$/m);
  // Our own lines after the tool are processed again: the summary still has its table.
  expect(run.summary).toContain('Ran node hostile.cjs: exit code 0');
});

test('command mode: database-url-env names the variable (MariaDB); a non-zero exit fails the step', async () => {
  const target = await database('mysql');
  const work = await checkout();
  await commandScript(work, 'mysql', 'APP_DB', 'CREATE TABLE half_done (id int)', 3);

  const run = await migrate(work, {
    'database-url': target.url,
    command: 'node migrate.cjs',
    'database-url-env': 'APP_DB',
  });

  expect(run.exitCode).toBe(1);
  expect(await tableExists(target, 'half_done')).toBe(true);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toContain('The migration command node migrate.cjs failed with exit code 3');
  expect(message).toContain('tool: boom, giving up');
  expect(run.summary).toContain('Migration command failed');
  expect(run.summary).toContain('tool: boom, giving up');
});

// --- mode 3: the command as a one-off ECS task inside the VPC --------------------------------

test('ECS mode: the task runs the migration inside the "VPC", its logs stream into the job log', async () => {
  const { target, work, taskDefinition, inputs } = await ecsSetup('postgres');
  await commandScript(work, 'postgres', 'DATABASE_URL', 'CREATE TABLE made_in_task (id int)');

  const run = await migrate(work, { ...inputs, command: 'node migrate.cjs' }, { oidc: true });

  expect(run.exitCode).toBe(0);
  expect(await tableExists(target, 'made_in_task')).toBe(true);
  expect(run.log).toMatch(/^tool: 1 migration applied$/m);
  expect(run.log).toMatch(/^::group::Running node migrate\.cjs as an ECS task in app$/m);
  const calls = ecsCalls(run);
  expect(calls).toEqual(
    expect.arrayContaining([
      'ecs:DescribeTaskDefinition',
      'ecs:RunTask',
      'ecs:DescribeTasks',
      'logs:GetLogEvents',
    ]),
  );
  expect(calls).not.toContain('secretsmanager:GetSecretValue');
  // The secret travels by reference: neither the URL nor the password is in any request.
  const runTask = (run.requests as RequestLogEntry[]).find((r) => r.operation === 'RunTask')!;
  expect(runTask.params).toMatchObject({
    cluster: 'app',
    launchType: 'FARGATE',
    overrides: { containerOverrides: [{ name: 'app', command: ['node', 'migrate.cjs'] }] },
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [SUBNET],
        securityGroups: [SECURITY_GROUP],
        assignPublicIp: 'DISABLED',
      },
    },
  });
  expect(JSON.stringify(run.requests)).not.toContain(target.password);
  expect(JSON.stringify(run.requests)).not.toContain(encodeURIComponent(target.password));
  expect(run.outputs).toEqual({
    applied: '',
    'applied-versions': '',
    pending: '',
    'current-version': '',
    duration: expect.stringMatching(/^\d+\.\d$/),
    // Without image, the task definition's own revision ran.
    'task-definition-arn': expect.stringMatching(
      new RegExp(`task-definition/${taskDefinition}:1$`),
    ),
  });
  expect(run.summary).toContain('run-migrations: Migrated in an ECS task');
  expect(run.summary).toContain(`task-definition/${taskDefinition}:1`);
  expect(run.summary).toContain('app: exit code 0');
  expect(run.summary).toMatch(
    /https:\/\/us-east-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\/app\/tasks\/[0-9a-f]{32}/,
  );
});

test('ECS mode (MariaDB): a non-zero exit code of the container fails the step with its output', async () => {
  const { target, work, inputs } = await ecsSetup('mysql');
  await commandScript(work, 'mysql', 'DATABASE_URL', 'CREATE TABLE half_done (id int)', 3);

  const run = await migrate(work, { ...inputs, command: 'node migrate.cjs' }, { oidc: true });

  expect(run.exitCode).toBe(1);
  expect(await tableExists(target, 'half_done')).toBe(true);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toMatch(
    /failed in ECS task [0-9a-f]{32} with exit code 3: tool: boom, giving up/,
  );
  expect(run.summary).toContain('Migration failed in an ECS task');
  expect(run.summary).toContain('app: exit code 3');
});

test('ECS mode: a task that never starts reports stopCode and stoppedReason', async () => {
  const { work, taskDefinition, inputs } = await ecsSetup('postgres');
  ecsSim.control.script(taskDefinition, {
    neverStarts: {
      stoppedReason:
        'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:0123456: not found',
      from: 'PROVISIONING',
    },
  });

  const run = await migrate(work, { ...inputs, command: 'node migrate.cjs' }, { oidc: true });

  expect(run.exitCode).toBe(1);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toContain('CannotPullContainerError');
  expect(run.summary).toContain('TaskFailedToStart');
  expect(run.summary).toContain('CannotPullContainerError');
});

test('ECS mode: cancelling the workflow (SIGTERM) stops the task', async () => {
  const { work, taskDefinition, inputs } = await ecsSetup('postgres');
  await writeFile(
    path.join(work.root, 'hang.cjs'),
    'console.log("migrating forever"); setInterval(() => {}, 1000);',
  );

  const run = await runAction({
    action: 'run-migrations',
    inputs: { ...inputs, command: 'node hang.cjs' },
    cwd: work.root,
    github: { workspace: work.root },
    simulator: aws.simulator,
    oidc: aws.oidc,
    timeoutMs: 15_000,
  });

  expect(run.exitCode).toBe(1);
  expect(ecsCalls(run)).toContain('ecs:StopTask');
  const tasks = [...ecsSim.control.tasks.values()].filter(
    (task) => String(task.taskDefinition.family) === taskDefinition,
  );
  expect(tasks).toHaveLength(1);
  const stopped = await ecsSim.control.waitStopped(tasks[0]!.arn, 20_000);
  expect(stopped.stopCode).toBe('UserInitiated');
  expect(stopped.stoppedReason).toContain(`${RUN_URL}/4242`);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toContain('was stopped because the workflow run was cancelled');
  expect(run.log).toMatch(/^migrating forever$/m);
});

test('ECS mode: a database-url is refused (it would travel in plain text), before any AWS call', async () => {
  const { work, inputs } = await ecsSetup('postgres');
  const before = aws.simulator.requestLog.length;
  const run = await migrate(
    work,
    { ...inputs, command: 'node migrate.cjs', 'database-url': 'postgres://a:pw-secret@db/shop' },
    { oidc: true },
  );
  expect(run.exitCode).toBe(1);
  expect(run.annotations[0]?.message).toContain("Input 'database-url'");
  expect(visibleLog(run)).not.toContain('pw-secret');
  expect(aws.simulator.requestLog.length).toBe(before);
});

// --- bad inputs fail before touching anything -----------------------------------------------

describe('bad inputs fail before any AWS call or database connection', () => {
  const cases: [string, (port: number) => Record<string, string>, string, RegExp][] = [
    [
      'no mode',
      (port) => ({ 'database-url': `postgres://app:pw-secret@127.0.0.1:${port}/shop` }),
      '',
      /Input 'migrations-dir': got nothing, expected a folder of SQL migrations .* or else a command/,
    ],
    [
      'two modes',
      (port) => ({
        'database-url': `postgres://app:pw-secret@127.0.0.1:${port}/shop`,
        'migrations-dir': 'db/migrations',
        command: 'npm run migrate',
      }),
      '',
      /Input 'command': got "npm run migrate", expected nothing, since migrations-dir is set too/,
    ],
    [
      'a bad URL (no database name), its password not shown',
      () => ({
        'database-url': 'postgres://app:pw-secret@db.example.com:5432',
        'migrations-dir': 'db/migrations',
      }),
      '',
      /Input 'database-url': got "postgres:\/\/app:\*\*\*@db\.example\.com:5432\/", expected a URL such as .*it has no database name/,
    ],
    [
      'a jdbc URL',
      () => ({
        'database-url': 'jdbc:postgresql://db:5432/shop?password=pw-secret',
        'migrations-dir': 'db/migrations',
      }),
      '',
      /drop the "jdbc:" prefix/,
    ],
    [
      'a missing directory, with a secret to fetch',
      () => ({
        'database-url-secret-id': 'prod/db',
        'migrations-dir': 'db/nope',
        ...aws.inputs,
      }),
      '',
      /Input 'migrations-dir': got "db\/nope"/,
    ],
    [
      'badly named files, with a secret to fetch',
      () => ({
        'database-url-secret-id': 'prod/db',
        'migrations-dir': 'db/migrations',
        ...aws.inputs,
      }),
      'V2_one_underscore.sql',
      /V2_one_underscore\.sql/,
    ],
    [
      'dry-run with a command',
      (port) => ({
        'database-url': `postgres://app:pw-secret@127.0.0.1:${port}/shop`,
        command: 'npm run migrate',
        'dry-run': 'true',
      }),
      '',
      /Input 'dry-run': got "true", expected false with command/,
    ],
    [
      'a secret ARN in another region than aws-region',
      () => ({
        'database-url-secret-id':
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf',
        'migrations-dir': 'db/migrations',
        ...aws.inputs,
      }),
      '',
      /expected a secret in us-east-1 .* or set aws-region: eu-west-1/,
    ],
    [
      'ecs-cluster with migrations-dir',
      () => ({
        'ecs-cluster': 'app',
        'task-definition': 'shop-api',
        'container-name': 'app',
        'migrations-dir': 'db/migrations',
        ...aws.inputs,
      }),
      '',
      /Input 'migrations-dir': got "db\/migrations", expected nothing with ecs-cluster/,
    ],
    [
      'ecs-cluster without task-definition',
      () => ({ 'ecs-cluster': 'app', command: 'npm run migrate', ...aws.inputs }),
      '',
      /Input 'task-definition': got nothing, expected a value/,
    ],
    [
      'an unreadable ssl-ca-file',
      (port) => ({
        'database-url': `postgres://app:pw-secret@127.0.0.1:${port}/shop`,
        'migrations-dir': 'db/migrations',
        'ssl-ca-file': 'certs/missing.pem',
      }),
      '',
      /Input 'ssl-ca-file': got "certs\/missing\.pem"/,
    ],
  ];

  test.each(cases)('%s', async (_name, inputs, extraFile, expected) => {
    const server = await countingServer();
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    if (extraFile) await work.write(extraFile, 'SELECT 1;');
    const before = aws.simulator.requestLog.length;

    const run = await migrate(work, inputs(server.port), { oidc: true });

    expect(run.exitCode).toBe(1);
    const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(message).toMatch(expected);
    expect(message).not.toContain('pw-secret');
    expect(visibleLog(run)).not.toMatch(/pw-secret|\n\s+at /);
    expect(aws.simulator.requestLog.length).toBe(before);
    expect(server.connections()).toBe(0);
    expect(run.outputs).toEqual({});
  });
});

// --- the permissions table ------------------------------------------------------------------

test('every AWS call the runs above made is declared in RUN_MIGRATIONS_PERMISSIONS (or is the OIDC sign-in)', () => {
  const declared = new Set<string>(RUN_MIGRATIONS_PERMISSIONS.map((p) => p.operation));
  expect(awsCalls.size).toBeGreaterThan(0);
  expect(
    [...awsCalls].filter((call) => call !== 'sts:AssumeRoleWithWebIdentity' && !declared.has(call)),
  ).toEqual([]);
});
