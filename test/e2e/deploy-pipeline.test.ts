/** @needs docker registry postgres s3rver */
// The root action (action.yml at the repository root, bundle in actions/deploy/dist) end to
// end: one step that builds with a real Docker daemon and pushes to a real registry behind
// the ECR simulator, migrates the machine's PostgreSQL, deploys on the App Runner simulator,
// publishes a site to s3rver with the CloudFront simulator, and smoke-tests a local HTTP
// server that plays the deployed service: it answers according to the image App Runner says
// is live, reporting the commit that image was built from (its tag in the registry), and it
// is broken for one commit, so a rollback really makes it healthy again. With ecs-cluster the
// migration stage runs as a one-off task on the ECS simulator, which really runs the task's
// command (node-pg-migrate, as a team's image would) against the machine's PostgreSQL.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startAwsEnvironment, type AwsTestEnvironment } from '../../tools/services/aws-env.js';
import type { RequestLogEntry } from '../../tools/aws-sim/index.js';
import {
  appRunnerCalls,
  createAppRunnerService,
  type AppRunnerSimulator,
} from '../../tools/aws-sim/services/apprunner.js';
import {
  createCloudFrontService,
  type CloudFrontSimulator,
} from '../../tools/aws-sim/services/cloudfront.js';
import { createEcrService } from '../../tools/aws-sim/services/ecr.js';
import { createEcsService, type EcsSimulator } from '../../tools/aws-sim/services/ecs.js';
import { createLogsService, type LogsSimulator } from '../../tools/aws-sim/services/logs.js';
import {
  createSecretsManagerService,
  type SecretsManagerSimulator,
} from '../../tools/aws-sim/services/secrets-manager.js';
import { createTestDatabase, type TestDatabase } from '../../tools/services/databases.js';
import {
  startDockerDaemon,
  startRegistry,
  type DockerDaemon,
  type Registry,
} from '../../tools/services/docker.js';
import { REPO_ROOT, runAction, visibleLog, type ActionRun } from '../support/harness.js';
import { startScriptedServer, type ScriptedServer } from '../../tools/services/http-servers.js';
import { RegistryClient } from '../../tools/services/registry-client.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../../tools/services/s3rver.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
/** How App Runner names the repository's images (the registry behind it is local). */
const ECR_REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team/api`;
const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
const GOOD_SHA = '1111111111111111111111111111111111111111';
const BAD_SHA = 'baaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaad';
const ECS_SHA = '3333333333333333333333333333333333333333';
const HISTORY = 'deploy_actions_schema_history';
const TEST_TIMEOUT = 300_000;

let docker: DockerDaemon;
let registry: Registry;
let images: RegistryClient;
let apprunner: AppRunnerSimulator;
let cloudfront: CloudFrontSimulator;
let secretsManager: SecretsManagerSimulator;
let logsSim: LogsSimulator;
let ecsSim: EcsSimulator;
let aws: AwsTestEnvironment;
let s3rver: S3rverHandle;
let service: ScriptedServer;
let work: string;
const databases: TestDatabase[] = [];
/** Versions (commits) whose build is broken: the service answers 500 while one is live. */
const broken = new Set<string>([BAD_SHA]);

/** The version a live image reports: its tag, or the commit its digest was tagged with. */
async function versionOf(image: string | undefined): Promise<string> {
  if (image === undefined) return 'none';
  const tag = /:([\w.-]+)$/.exec(image)?.[1];
  if (tag && !image.includes('@')) return tag;
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
  if (!digest) return 'unknown';
  const tags = await images.tagsOf('team/api', digest);
  return tags.find((t) => /^[0-9a-f]{40}$/.test(t)) ?? 'unknown';
}

/** The deployed service of `name`, as a client sees it: /<name>/health. */
function playService(name: string): string {
  const route = `/${name}/health`;
  service.route(route, async () => {
    const version = await versionOf(apprunner.liveImage(name));
    return broken.has(version)
      ? { status: 500, body: { status: 'error', version } }
      : { status: 200, body: { status: 'ok', version } };
  });
  return `${service.origin}${route}`;
}

function seedService(name: string): void {
  apprunner.addService({
    name,
    image: `${ECR_REPO}:v1`,
    accessRoleArn: ACCESS_ROLE,
    autoDeployments: false,
    port: '8080',
  });
}

/** A checkout: a Dockerfile whose image differs per commit, migrations, a site. */
function checkout(label: string, sha: string): string {
  const dir = path.join(work, label);
  mkdirSync(path.join(dir, 'app'), { recursive: true });
  writeFileSync(path.join(dir, 'app/Dockerfile'), 'FROM scratch\nCOPY version.txt /\n');
  writeFileSync(path.join(dir, 'app/version.txt'), `${sha}\n`);
  mkdirSync(path.join(dir, 'db/migrations'), { recursive: true });
  writeFileSync(
    path.join(dir, 'db/migrations/V1__users.sql'),
    'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n',
  );
  writeFileSync(
    path.join(dir, 'db/migrations/V2__users_email.sql'),
    'CREATE UNIQUE INDEX users_email ON users (email);\n',
  );
  return dir;
}

async function pipeline(
  inputs: Record<string, string>,
  options: { sha?: string; workspace?: string; env?: Record<string, string> } = {},
): Promise<ActionRun> {
  return runAction({
    action: 'deploy',
    inputs,
    oidc: aws.oidc,
    simulator: aws.simulator,
    github: {
      ...(options.sha === undefined ? {} : { sha: options.sha }),
      ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
    },
    env: { DOCKER_HOST: docker.host, ...options.env },
    timeoutMs: 240_000,
  });
}

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('postgres');
  databases.push(db);
  return db;
}

const requests = (run: ActionRun) => run.requests as RequestLogEntry[];
const operations = (run: ActionRun) => requests(run).map((r) => `${r.service}:${r.operation}`);
const errorLine = (run: ActionRun) =>
  run.annotations.find((a) => a.level === 'error')?.message ?? '';
/** Where each stage's log group starts: they must come in pipeline order. */
const groupPositions = (run: ActionRun, names: string[]) =>
  names.map((name) => run.log.indexOf(`::group::${name}`));
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The cells of the job summary's table under `<h3>heading</h3>`, header row first. */
function summaryTable(summary: string, heading: string): string[][] {
  const match = new RegExp(`<h3>${escapeRegExp(heading)}</h3>[^]*?<table>([^]*?)</table>`).exec(
    summary,
  );
  if (!match) throw new Error(`The summary has no table under "${heading}":\n${summary}`);
  return [...match[1]!.matchAll(/<tr>([^]*?)<\/tr>/g)].map(([, row]) =>
    [...row!.matchAll(/<t[hd]>([^]*?)<\/t[hd]>/g)].map(([, cell]) => cell!),
  );
}

/** A two-or-more-column table as first cell → the other cells. */
const rowsByName = (table: string[][]) =>
  Object.fromEntries(table.slice(1).map(([name, ...cells]) => [name!, cells]));

beforeAll(async () => {
  [docker, registry, s3rver] = await Promise.all([
    startDockerDaemon(),
    startRegistry(),
    startS3rver(),
  ]);
  images = new RegistryClient(registry);
  apprunner = createAppRunnerService({ operationDurationMs: 300, rollbackDurationMs: 200 });
  cloudfront = createCloudFrontService({ invalidationDurationMs: 300 });
  secretsManager = createSecretsManagerService();
  logsSim = createLogsService();
  // ECS resolves a container's secret as the task execution role would: from Secrets Manager.
  ecsSim = createEcsService({
    logs: logsSim,
    resolveSecret: (id) =>
      [...secretsManager.secrets.values()]
        .find((secret) => secret.arn === id || secret.name === id)
        ?.versions.find((version) => version.stages.includes('AWSCURRENT'))?.value,
  });
  aws = await startAwsEnvironment({
    services: [createEcrService(registry), apprunner, cloudfront, secretsManager, logsSim, ecsSim],
  });
  ecsSim.control.addCluster('app', { region: REGION });
  aws.simulator.addCredentials({
    ...S3RVER_CREDENTIALS,
    arn: `arn:aws:iam::${ACCOUNT}:user/deployer`,
  });
  service = await startScriptedServer({});
  work = mkdtempSync(path.join(tmpdir(), 'deploy-pipeline-'));
}, 180_000);

afterAll(async () => {
  await ecsSim?.control.close();
  await Promise.all([
    aws?.close(),
    docker?.close(),
    registry?.close(),
    service?.close(),
    ...databases.map((db) => db.drop()),
  ]);
  await s3rver?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('backend: build → migrate → deploy → smoke', () => {
  let run: ActionRun;
  let db: TestDatabase;
  let digest: string;

  beforeAll(async () => {
    seedService('api-pipeline');
    db = await database();
    const dir = checkout('backend', GOOD_SHA);
    run = await pipeline(
      {
        ...aws.inputs,
        repository: 'team/api',
        context: 'app',
        'build-tags': 'latest',
        'tag-mutability': 'MUTABLE',
        'migrations-dir': 'db/migrations',
        // PostgreSQL trusts local connections here; the password is for the masking checks.
        'database-url': db.url.replace('postgres@', 'postgres:pw-s3cret-42@'),
        ssl: 'disable',
        service: 'api-pipeline',
        'deploy-timeout': '60s',
        url: playService('api-pipeline'),
        'expect-version': GOOD_SHA,
        'version-path': 'version',
        'smoke-timeout': '20s',
        interval: '200ms',
      },
      { sha: GOOD_SHA, workspace: dir },
    );
    digest = (await images.getManifest('team/api', GOOD_SHA))?.digest ?? '';
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
  });

  test('the image built is the image App Runner runs, by digest', () => {
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.outputs).toMatchObject({
      'build-image': `${registry.address}/team/api@${digest}`,
      digest,
      tags: `${GOOD_SHA},latest`,
      skipped: 'false',
      'deploy-image': `${ECR_REPO}@${digest}`,
      'previous-image': `${ECR_REPO}:v1`,
      status: 'SUCCEEDED',
      'service-url': `https://${apprunner.service('api-pipeline').url}`,
      passed: 'true',
      'rolled-back': 'false',
    });
    expect(apprunner.liveImage('api-pipeline')).toBe(`${ECR_REPO}@${digest}`);
    const [update] = appRunnerCalls(requests(run), 'UpdateService');
    expect(update?.params).toMatchObject({
      SourceConfiguration: { ImageRepository: { ImageIdentifier: `${ECR_REPO}@${digest}` } },
    });
  });

  test('the migrations ran before the deploy, against the real database', async () => {
    expect(run.outputs).toMatchObject({ applied: '2', 'applied-versions': '1,2', pending: '0' });
    const applied = await db.query<{ version: string }>(
      `SELECT version FROM ${HISTORY} ORDER BY version`,
    );
    expect(applied.map((row) => row.version)).toEqual(['1', '2']);
    expect(await db.query('SELECT * FROM users')).toEqual([]);
    expect(run.masked).toContain('pw-s3cret-42');
  });

  test('one credential assumption, every client from it', () => {
    const sts = operations(run).filter((op) => op.startsWith('sts:'));
    expect(sts).toEqual(['sts:AssumeRoleWithWebIdentity']);
    const keys = new Set(
      requests(run)
        .filter((r) => r.service !== 'sts')
        .map((r) => r.accessKeyId),
    );
    expect(keys.size).toBe(1);
    expect(operations(run)).toEqual(
      expect.arrayContaining(['ecr:DescribeRepositories', 'apprunner:UpdateService']),
    );
  });

  test('one job summary covers every stage', () => {
    for (const heading of [
      'deploy',
      'build-push-ecr',
      'run-migrations: Migrated',
      'deploy-apprunner-and-wait',
      'smoke-test',
    ]) {
      expect(run.summary).toContain(`<h3>${heading}`);
    }
    expect(run.summary).toContain('Every stage succeeded.');
    expect(run.summary).toContain(`${ECR_REPO}:v1 → ${ECR_REPO}@${digest}`);
  });
});

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
      expect(JSON.parse(run.outputs.stages!)).toEqual({
        'run-migrations': 'failed',
        'deploy-apprunner-and-wait': 'not run',
      });
      expect(operations(run).filter((op) => op.startsWith('apprunner:'))).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});

describe('a version whose smoke test fails is rolled back', () => {
  let run: ActionRun;
  let digest: string;

  beforeAll(async () => {
    seedService('api-broken');
    const dir = checkout('broken', BAD_SHA);
    run = await pipeline(
      {
        ...aws.inputs,
        repository: 'team/api',
        context: 'app',
        scan: 'off',
        service: 'api-broken',
        'deploy-timeout': '60s',
        url: playService('api-broken'),
        'expect-version': BAD_SHA,
        'version-path': 'version',
        'smoke-timeout': '20s',
        interval: '200ms',
        'fail-fast-statuses': '401,403,500',
      },
      { sha: BAD_SHA, workspace: dir },
    );
    digest = (await images.getManifest('team/api', BAD_SHA))?.digest ?? '';
  }, TEST_TIMEOUT);

  test('the step fails, saying the version failed and the previous one is healthy again', () => {
    expect(run.exitCode).toBe(1);
    expect(errorLine(run)).toContain(
      `The new version (${ECR_REPO}@${digest}) failed the smoke test (${service.origin}/api-broken/health) and was rolled back: api-broken serves ${ECR_REPO}:v1 again, which passes the smoke test.`,
    );
    expect(visibleLog(run)).not.toMatch(/\n\s+at /);
  });

  test('previous-image was deployed again, waited for, and serves', () => {
    expect(apprunner.liveImage('api-broken')).toBe(`${ECR_REPO}:v1`);
    const updates = appRunnerCalls(requests(run), 'UpdateService').filter((c) => !c.fault);
    expect(
      updates.map(
        (c) =>
          (c.params as { SourceConfiguration: { ImageRepository: { ImageIdentifier: string } } })
            .SourceConfiguration.ImageRepository.ImageIdentifier,
      ),
    ).toEqual([`${ECR_REPO}@${digest}`, `${ECR_REPO}:v1`]);
    const [rollback, deploy] = apprunner.operationsOf('api-broken');
    expect(deploy!.status).toBe('SUCCEEDED');
    expect(rollback!.status).toBe('SUCCEEDED');
    expect(run.outputs).toMatchObject({
      status: 'SUCCEEDED',
      passed: 'false',
      'rolled-back': 'true',
      'rollback-smoke-passed': 'true',
      'deploy-image': `${ECR_REPO}:v1`,
      'previous-image': `${ECR_REPO}:v1`,
    });
    expect(JSON.parse(run.outputs.stages!)).toMatchObject({
      'build-push-ecr': 'succeeded',
      'deploy-apprunner-and-wait': 'succeeded',
      'smoke-test': 'failed',
    });
  });

  test('the summary shows the failed version, the rollback and its result', () => {
    const overview = rowsByName(summaryTable(run.summary, 'deploy'));
    expect(overview['smoke-test']?.[0]).toBe('❌ failed');
    expect(overview.rollback?.[0]).toBe('✅ rolled back, healthy');
    expect(overview.rollback?.[1]).toMatch(
      new RegExp(`^${escapeRegExp(`${ECR_REPO}:v1`)}; smoke test: All 1 check passed in `),
    );

    const rollback = rowsByName(summaryTable(run.summary, 'Rollback'));
    expect(rollback['Failed version']).toEqual([`${ECR_REPO}@${digest}`]);
    expect(rollback['Its smoke test']?.[0]).toMatch(/Failed: .*\/api-broken\/health/);
    expect(rollback['Rolled back to']).toEqual([`${ECR_REPO}:v1`]);
    expect(rollback['Rollback deploy']?.[0]).toMatch(
      /^SUCCEEDED \(UPDATE_SERVICE [0-9a-f-]{36}\) in /,
    );
    expect(rollback['Serving now']).toEqual([`${ECR_REPO}:v1`]);
    expect(rollback['Smoke test after rollback']?.[0]).toMatch(/^All 1 check passed in /);

    // Both smoke results in full: the new version's 500, the old version's pass.
    const failed = summaryTable(run.summary, 'smoke-test (new version)');
    expect(failed.slice(1).map((row) => row.join(' | '))).toEqual([
      expect.stringMatching(/api-broken\/health.*❌.*500/),
    ]);
    const passed = summaryTable(run.summary, 'smoke-test (after rollback)');
    expect(passed.slice(1).map((row) => row.join(' | '))).toEqual([
      expect.stringMatching(/api-broken\/health.*✅/),
    ]);
    expect(run.summary).toContain('<h3>Rollback: deploy-apprunner-and-wait</h3>');
  });

  test(
    'rollback-on-failure: false leaves the failed version live and says so',
    async () => {
      seedService('api-no-rollback');
      const again = await pipeline(
        {
          ...aws.inputs,
          service: 'api-no-rollback',
          image: `${ECR_REPO}@${digest}`,
          'deploy-timeout': '60s',
          url: playService('api-no-rollback'),
          'smoke-timeout': '10s',
          'fail-fast-statuses': '500',
          'rollback-on-failure': 'false',
        },
        { sha: BAD_SHA },
      );
      expect(again.exitCode).toBe(1);
      expect(errorLine(again)).toContain('rollback-on-failure is false, so it is still live');
      expect(apprunner.liveImage('api-no-rollback')).toBe(`${ECR_REPO}@${digest}`);
      expect(again.outputs['rolled-back']).toBe('false');
      expect(operations(again)).not.toContain('ecr:DescribeRepositories');
    },
    TEST_TIMEOUT,
  );
});

describe('front end: sync + invalidate, then smoke', () => {
  test(
    'publishes the site, invalidates, and the smoke test sees the new build',
    async () => {
      const bucket = `site-${process.pid}`;
      await s3rver.createBucket(bucket);
      const distributionId = cloudfront.addDistribution({ bucket }).id;
      // The previous release: its page is replaced (so invalidated), its bundle is stale.
      for (const [key, body] of [
        ['index.html', '<!doctype html><title>build 41</title>'],
        ['assets/app-0e1d2c3b.js', 'console.log(41);\n'],
      ]) {
        await s3rver.client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      }
      const dir = path.join(work, 'frontend');
      mkdirSync(path.join(dir, 'dist/assets'), { recursive: true });
      writeFileSync(
        path.join(dir, 'dist/index.html'),
        '<!doctype html><title>build 42</title><script src="/assets/app-3f9a1c2b.js"></script>',
      );
      writeFileSync(path.join(dir, 'dist/assets/app-3f9a1c2b.js'), 'console.log(42);\n');
      // The CDN in front of the bucket: serves what the bucket holds.
      service.route('/site/', async () => {
        try {
          const object = await s3rver
            .client()
            .send(new GetObjectCommand({ Bucket: bucket, Key: 'index.html' }));
          return { status: 200, body: await object.Body!.transformToString() };
        } catch {
          return { status: 404, body: 'NoSuchKey' };
        }
      });

      const run = await pipeline(
        {
          'aws-region': REGION,
          'source-dir': 'dist',
          bucket,
          'distribution-id': distributionId,
          checks: `- name: home page\n  url: ${service.origin}/site/\n  expect-body-contains: build 42\n`,
          'smoke-timeout': '20s',
          interval: '200ms',
        },
        {
          workspace: dir,
          env: {
            AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
            AWS_ENDPOINT_URL_S3: s3rver.endpoint,
          },
        },
      );
      expect(visibleLog(run)).not.toMatch(/::error::/);
      expect(run.exitCode).toBe(0);
      expect(JSON.parse(run.outputs.stages!)).toEqual({
        'sync-s3-invalidate-cloudfront': 'succeeded',
        'smoke-test': 'succeeded',
      });
      expect(run.outputs).toMatchObject({ uploaded: '2', deleted: '1', passed: 'true' });
      const invalidations = cloudfront.invalidations(distributionId);
      expect(invalidations).toHaveLength(1);
      expect(run.outputs['invalidation-id']).toBe(invalidations[0]!.id);
      expect(invalidations[0]!.status).toBe('Completed');
      expect(JSON.parse(run.outputs['invalidated-paths']!)).toEqual(
        expect.arrayContaining(['/index.html']),
      );
      const positions = groupPositions(run, ['sync-s3-invalidate-cloudfront', 'smoke-test']);
      expect(positions[0]).toBeGreaterThanOrEqual(0);
      expect(positions[1]).toBeGreaterThan(positions[0]!);
      // No role to assume: the ambient credentials, and nothing else of AWS was asked.
      expect(operations(run).filter((op) => !op.startsWith('cloudfront:'))).toEqual([]);
      expect(run.summary).toContain('<h3>sync-s3-invalidate-cloudfront: Synced');
      expect(run.summary).toContain('<h3>smoke-test</h3>');
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
