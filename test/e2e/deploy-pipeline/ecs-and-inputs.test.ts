/** @needs docker registry postgres s3rver */
// The root action (action.yml at the repository root, bundle in actions/deploy/dist) end to end,
// with the migration stage as a one-off task on the ECS simulator, which really runs the task's
// command (node-pg-migrate, as a team's image would) against the machine's PostgreSQL; and the
// stage inputs, validated together before anything runs. setup.ts describes the services.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runAction, visibleLog, type ActionRun } from '../../support/harness.js';
import {
  ACCOUNT,
  ECR_REPO,
  ECS_SHA,
  GOOD_SHA,
  REGION,
  TEST_TIMEOUT,
  apprunner,
  aws,
  checkout,
  database,
  ecsSim,
  errorLine,
  groupPositions,
  images,
  logsSim,
  operations,
  pipeline,
  playService,
  requests,
  secretsManager,
  seedService,
  usePipelineServices,
} from './setup.js';

usePipelineServices();

describe('backend with the migrations as an ECS task inside the VPC', () => {
  const SUBNET = 'subnet-0a1b2c3d4e5f67890';
  const SECURITY_GROUP = 'sg-0a1b2c3d4e5f67890';
  /** The node-pg-migrate the image ships: the task runs it as a team's image would. */
  const NODE_PG_MIGRATE = path.join(
    REPO_ROOT,
    'node_modules/node-pg-migrate/bin/node-pg-migrate.js',
  );
  let family = 0;

  /**
   * A checkout whose migrations are node-pg-migrate's (SQL files with Up/Down sections), and the
   * app's Fargate task definition: container `app` running in that checkout, DATABASE_URL from a
   * Secrets Manager secret, output to an awslogs group.
   */
  async function ecsApp(label: string, migrations: string[]) {
    const db = await database();
    const dir = checkout(label, ECS_SHA);
    mkdirSync(path.join(dir, 'migrations'), { recursive: true });
    migrations.forEach((sql, i) =>
      writeFileSync(
        path.join(dir, 'migrations', `${1_700_000_000_001 + i}_step-${i + 1}.sql`),
        `-- Up Migration\n${sql}\n-- Down Migration\nSELECT 1;\n`,
      ),
    );
    const password = `pw-task-${process.pid}-${label}`;
    const secret = secretsManager.addSecret(
      `ecs/${label}-db-${process.pid}`,
      db.url.replace('postgres@', `postgres:${password}@`),
    );
    const name = `shop-api-${process.pid}-${++family}`;
    logsSim.control.createGroup(`/ecs/${name}`);
    ecsSim.control.registerTaskDefinition(
      {
        family: name,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
        containerDefinitions: [
          {
            name: 'app',
            image: `${ECR_REPO}:${ECS_SHA}`,
            command: ['node', 'server.js'],
            workingDirectory: dir,
            secrets: [{ name: 'DATABASE_URL', valueFrom: secret.arn }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': `/ecs/${name}`,
                'awslogs-region': REGION,
                'awslogs-stream-prefix': 'ecs',
              },
            },
          },
        ],
      },
      REGION,
    );
    const inputs = {
      ...aws.inputs,
      repository: 'team/api',
      context: 'app',
      scan: 'off',
      command: `node ${NODE_PG_MIGRATE} up -m migrations`,
      'ecs-cluster': 'app',
      'task-definition': name,
      'container-name': 'app',
      subnets: SUBNET,
      'security-groups': SECURITY_GROUP,
      'database-url-secret-id': secret.name,
      'deploy-timeout': '60s',
      'smoke-timeout': '20s',
      interval: '200ms',
    };
    return { db, dir, name, password, inputs };
  }

  const migrationTasks = (name: string) =>
    [...ecsSim.control.tasks.values()].filter((task) => task.taskDefinition.family === name);

  describe('the task migrates, then the version is deployed and smoke-tested', () => {
    let run: ActionRun;
    let app: Awaited<ReturnType<typeof ecsApp>>;

    beforeAll(async () => {
      seedService('api-ecs');
      app = await ecsApp('ecs', [
        'CREATE TABLE accounts (id serial PRIMARY KEY, email text NOT NULL);',
        'CREATE UNIQUE INDEX accounts_email ON accounts (email);',
      ]);
      run = await pipeline(
        {
          ...app.inputs,
          service: 'api-ecs',
          url: playService('api-ecs'),
          'expect-version': ECS_SHA,
          'version-path': 'version',
        },
        { sha: ECS_SHA, workspace: app.dir },
      );
    }, TEST_TIMEOUT);

    test('succeeds, every stage in order', () => {
      expect(visibleLog(run)).not.toMatch(/::error::/);
      expect(run.exitCode).toBe(0);
      expect(JSON.parse(run.outputs.stages!)).toEqual({
        'build-push-ecr': 'succeeded',
        'run-migrations': 'succeeded',
        'deploy-apprunner-and-wait': 'succeeded',
        'smoke-test': 'succeeded',
      });
      const positions = groupPositions(run, [
        'build-push-ecr',
        'run-migrations',
        'deploy-apprunner-and-wait',
        'smoke-test',
      ]);
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(run.outputs).toMatchObject({
        status: 'SUCCEEDED',
        passed: 'true',
        applied: '',
        'migrations-duration': expect.stringMatching(/^\d+\.\d$/),
      });
    });

    test("the task's command migrated the real database, its output in the job log", async () => {
      const applied = await app.db.query<{ name: string }>(
        'SELECT name FROM pgmigrations ORDER BY id',
      );
      expect(applied.map((row) => row.name)).toEqual([
        '1700000000001_step-1',
        '1700000000002_step-2',
      ]);
      expect(await app.db.query('SELECT * FROM accounts')).toEqual([]);
      expect(run.log).toMatch(/^Migrations complete!$/m);
      const [task] = migrationTasks(app.name);
      expect(task?.containers[0]?.exitCode).toBe(0);
      expect(task?.containers[0]?.argv).toEqual([
        'node',
        NODE_PG_MIGRATE,
        'up',
        '-m',
        'migrations',
      ]);
    });

    test('RunTask: the awsvpc network, the command override, the URL only by reference', () => {
      const runTask = requests(run).find((r) => r.operation === 'RunTask');
      expect(runTask?.params).toMatchObject({
        cluster: 'app',
        launchType: 'FARGATE',
        startedBy: 'deploy-actions',
        overrides: {
          containerOverrides: [
            { name: 'app', command: ['node', NODE_PG_MIGRATE, 'up', '-m', 'migrations'] },
          ],
        },
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [SUBNET],
            securityGroups: [SECURITY_GROUP],
            assignPublicIp: 'DISABLED',
          },
        },
      });
      expect(operations(run)).not.toContain('secretsmanager:GetSecretValue');
      expect(JSON.stringify(run.requests)).not.toContain(app.password);
    });

    test('the task ran the image this step built: a revision registered for it, named in the outputs', () => {
      const ops = operations(run);
      expect(ops).toContain('ecs:RegisterTaskDefinition');
      expect(ops.indexOf('ecs:RegisterTaskDefinition')).toBeLessThan(ops.indexOf('ecs:RunTask'));
      const register = requests(run).find((r) => r.operation === 'RegisterTaskDefinition');
      const containers = (
        register?.params as { containerDefinitions: { name: string; image: string }[] }
      ).containerDefinitions;
      expect(containers.map((c) => [c.name, c.image])).toEqual([
        ['app', run.outputs['build-image']],
      ]);
      expect(run.outputs['build-image']).toMatch(/@sha256:[0-9a-f]{64}$/);
      const revision = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${app.name}:2`;
      expect(run.outputs['task-definition-arn']).toBe(revision);
      const runTask = requests(run).find((r) => r.operation === 'RunTask');
      expect(runTask?.params).toMatchObject({ taskDefinition: revision });
      const [task] = migrationTasks(app.name);
      expect(task?.taskDefinition.revision).toBe(2);
      expect(run.summary).toContain(`${revision} (registered from`);
    });

    test('one credential assumption: ECS and CloudWatch Logs clients from it too', () => {
      expect(operations(run).filter((op) => op.startsWith('sts:'))).toEqual([
        'sts:AssumeRoleWithWebIdentity',
      ]);
      const calls = requests(run).filter((r) => r.service !== 'sts');
      expect(new Set(calls.map((r) => r.accessKeyId)).size).toBe(1);
      expect(operations(run)).toEqual(
        expect.arrayContaining([
          'ecs:DescribeTaskDefinition',
          'ecs:RunTask',
          'ecs:DescribeTasks',
          'logs:GetLogEvents',
          'apprunner:UpdateService',
        ]),
      );
      // The migrations ran before the deploy started.
      const ops = operations(run);
      expect(ops.lastIndexOf('ecs:DescribeTasks')).toBeLessThan(
        ops.indexOf('apprunner:UpdateService'),
      );
    });

    test('the summary has the task: where it ran, how it ended, its logs', () => {
      expect(run.summary).toContain('<h3>run-migrations: Migrated in an ECS task</h3>');
      expect(run.summary).toContain(`task-definition/${app.name}:1`);
      expect(run.summary).toContain('app: exit code 0');
      expect(run.summary).toMatch(/ECS task [0-9a-f]{32} in app: exit code 0/);
      expect(run.summary).toContain('Every stage succeeded.');
    });
  });

  test(
    'a failing migration task stops the pipeline: nothing is deployed',
    async () => {
      seedService('api-ecs-broken');
      const app = await ecsApp('ecs-broken', [
        'CREATE TABLE orders (id serial PRIMARY KEY);',
        'ALTER TABLE no_such_table ADD COLUMN total int;',
      ]);
      const run = await pipeline(
        {
          ...app.inputs,
          service: 'api-ecs-broken',
          url: playService('api-ecs-broken'),
        },
        { sha: ECS_SHA, workspace: app.dir },
      );

      expect(run.exitCode).toBe(1);
      expect(errorLine(run)).toMatch(/failed in ECS task [0-9a-f]{32} with exit code [1-9]/);
      // The tool's own stack trace is in the log (its output); the step's error has none.
      expect(errorLine(run)).not.toMatch(/\n\s+at /);
      expect(JSON.parse(run.outputs.stages!)).toEqual({
        'build-push-ecr': 'succeeded',
        'run-migrations': 'failed',
        'deploy-apprunner-and-wait': 'not run',
        'smoke-test': 'not run',
      });
      // node-pg-migrate ran the batch in one transaction: the failure rolled the first one back.
      expect(await app.db.query('SELECT name FROM pgmigrations')).toEqual([]);
      expect(run.log).toMatch(/no_such_table/);
      const [task] = migrationTasks(app.name);
      expect(task?.containers[0]?.exitCode).not.toBe(0);
      // The deploy stage never ran: no App Runner call at all, the old version still serves.
      expect(operations(run).filter((op) => op.startsWith('apprunner:'))).toEqual([]);
      expect(apprunner.liveImage('api-ecs-broken')).toBe(`${ECR_REPO}:v1`);
      expect(run.summary).toContain('The pipeline stopped at run-migrations');
      expect(run.summary).toContain('<h3>run-migrations: Migration failed in an ECS task</h3>');
      expect(run.outputs.status).toBeUndefined();
    },
    TEST_TIMEOUT,
  );
  test(
    'a cancelled workflow (SIGTERM) stops the migration task, and nothing is deployed',
    async () => {
      seedService('api-ecs-cancel');
      const app = await ecsApp('ecs-cancel', []);
      writeFileSync(
        path.join(app.dir, 'hang.cjs'),
        'console.log("migrating forever"); setInterval(() => {}, 1000);',
      );
      // No build stage: the image is given, so the task starts within a few seconds.
      const { repository: _r, context: _c, scan: _s, ...inputs } = app.inputs;
      const run = await runAction({
        action: 'deploy',
        inputs: {
          ...inputs,
          command: 'node hang.cjs',
          service: 'api-ecs-cancel',
          image: `${ECR_REPO}:v2`,
        },
        oidc: aws.oidc,
        simulator: aws.simulator,
        github: { sha: ECS_SHA, workspace: app.dir },
        // The runner's cancellation: SIGTERM to the step's process.
        timeoutMs: 20_000,
      });

      expect(run.exitCode).toBe(1);
      expect(run.log).toMatch(/^migrating forever$/m);
      expect(operations(run)).toContain('ecs:StopTask');
      const [task] = migrationTasks(app.name);
      const stopped = await ecsSim.control.waitStopped(task!.arn, 20_000);
      expect(stopped.stopCode).toBe('UserInitiated');
      expect(errorLine(run)).toContain('was stopped because the workflow run was cancelled');
      // Cut short by the cancel: cancelled, not failed; no later stage started.
      expect(JSON.parse(run.outputs.stages!)).toEqual({
        'run-migrations': 'cancelled',
        'deploy-apprunner-and-wait': 'not run',
      });
      expect(operations(run).filter((op) => op.startsWith('apprunner:'))).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});

describe('stage inputs are validated together before anything runs', () => {
  const backend = () => ({
    ...aws.inputs,
    repository: 'team/never',
    context: 'app',
    service: 'api-never',
    url: 'https://api.example.com/health',
  });

  test.each([
    [
      'a migration stage without a database',
      { 'migrations-dir': 'db/migrations' },
      /^Input 'database-url': got nothing, expected a database URL/,
    ],
    [
      'a database without a migration stage',
      { 'database-url': 'postgres://u:p@db.internal/app' },
      /^Input 'database-url': got "\*\*\*", expected nothing without migrations-dir or command/,
    ],
    [
      'an image as well as a build',
      { image: `${ECR_REPO}:v9` },
      /^Input 'image': got .*, expected nothing when repository is set/,
    ],
    ['a smoke option (renamed)', { 'smoke-timeout': 'soon' }, /^Input 'smoke-timeout': got "soon"/],
    [
      'a sync option (renamed)',
      { bucket: 'www-example-com', 'source-dir': 'dist', 'sync-dry-run': 'maybe' },
      /^Input 'sync-dry-run': got "maybe", expected true or false/,
    ],
    ['an App Runner option', { 'deploy-timeout': 'forever' }, /^Input 'deploy-timeout': got/],
    [
      'a build option (renamed)',
      { 'build-tags': 'bad tag' },
      /^Input 'build-tags': got "bad tag", expected/,
    ],
    [
      'an App Runner option (renamed)',
      { 'deploy-tags': 'aws:team=api' },
      /^Input 'deploy-tags': got "aws:team", expected tag keys/,
    ],
    [
      'an ECS input without a migration stage',
      { 'ecs-cluster': 'app' },
      /^Input 'ecs-cluster': got "app", expected nothing without migrations-dir or command/,
    ],
    [
      'an ECS migration with a database URL (it would travel in plain text)',
      {
        command: 'npm run migrate',
        'ecs-cluster': 'app',
        'task-definition': 'shop-api',
        'container-name': 'app',
        'database-url': 'postgres://u:p@db.internal/app',
      },
      /^Input 'database-url': got "\*\*\*", expected nothing with ecs-cluster/,
    ],
    [
      'an ECS migration with migrations-dry-run (renamed)',
      {
        command: 'npm run migrate',
        'ecs-cluster': 'app',
        'task-definition': 'shop-api',
        'container-name': 'app',
        'migrations-dry-run': 'true',
      },
      /^Input 'migrations-dry-run': got "true", expected false with ecs-cluster/,
    ],
  ])('%s', async (_label, extra, message) => {
    const dir = checkout('never', GOOD_SHA);
    const run = await pipeline({ ...backend(), ...extra }, { sha: GOOD_SHA, workspace: dir });
    expect(run.exitCode).toBe(1);
    expect(errorLine(run)).toMatch(message);
    // Nothing ran: no STS, no ECR, no App Runner call, no image in the registry.
    expect(run.requests).toEqual([]);
    expect(await images.getManifest('team/never', GOOD_SHA)).toBeUndefined();
    expect(run.summary).toBe('');
    expect(visibleLog(run)).not.toMatch(/\n\s+at /);
    expect(visibleLog(run)).not.toContain('postgres://u:p@');
  });

  test('no stage at all', async () => {
    const run = await pipeline({ ...aws.inputs });
    expect(run.exitCode).toBe(1);
    expect(errorLine(run)).toMatch(/^Input 'repository': got nothing, expected at least one stage/);
    expect(run.requests).toEqual([]);
  });
});
