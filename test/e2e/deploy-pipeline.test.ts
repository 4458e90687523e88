// The root action (action.yml at the repository root, bundle in actions/deploy/dist) end to
// end: one step that builds with a real Docker daemon and pushes to a real registry behind
// the ECR simulator, migrates the machine's PostgreSQL, deploys on the App Runner simulator,
// publishes a site to s3rver with the CloudFront simulator, and smoke-tests a local HTTP
// server that plays the deployed service: it answers according to the image App Runner says
// is live, reporting the commit that image was built from (its tag in the registry), and it
// is broken for one commit, so a rollback really makes it healthy again.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startAwsEnvironment, type AwsTestEnvironment } from '../support/aws-env.js';
import type { RequestLogEntry } from '../support/aws-sim/index.js';
import {
  appRunnerCalls,
  createAppRunnerService,
  type AppRunnerSimulator,
} from '../support/aws-sim/services/apprunner.js';
import {
  createCloudFrontService,
  type CloudFrontSimulator,
} from '../support/aws-sim/services/cloudfront.js';
import { createEcrService } from '../support/aws-sim/services/ecr.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import {
  startDockerDaemon,
  startRegistry,
  type DockerDaemon,
  type Registry,
} from '../support/docker.js';
import { runAction, visibleLog, type ActionRun } from '../support/harness.js';
import { startScriptedServer, type ScriptedServer } from '../support/http-servers.js';
import { RegistryClient } from '../support/registry-client.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../support/s3rver.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
/** How App Runner names the repository's images (the registry behind it is local). */
const ECR_REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team/api`;
const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
const GOOD_SHA = '1111111111111111111111111111111111111111';
const BAD_SHA = 'baaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaad';
const HISTORY = 'deploy_actions_schema_history';
const TEST_TIMEOUT = 300_000;

let docker: DockerDaemon;
let registry: Registry;
let images: RegistryClient;
let apprunner: AppRunnerSimulator;
let cloudfront: CloudFrontSimulator;
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

beforeAll(async () => {
  [docker, registry, s3rver] = await Promise.all([
    startDockerDaemon(),
    startRegistry(),
    startS3rver(),
  ]);
  images = new RegistryClient(registry);
  apprunner = createAppRunnerService({ operationDurationMs: 300, rollbackDurationMs: 200 });
  cloudfront = createCloudFrontService({ invalidationDurationMs: 300 });
  aws = await startAwsEnvironment({
    services: [createEcrService(registry), apprunner, cloudfront],
  });
  aws.simulator.addCredentials({
    ...S3RVER_CREDENTIALS,
    arn: `arn:aws:iam::${ACCOUNT}:user/deployer`,
  });
  service = await startScriptedServer({});
  work = mkdtempSync(path.join(tmpdir(), 'deploy-pipeline-'));
}, 180_000);

afterAll(async () => {
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
        'image-tags': 'latest',
        'tag-mutability': 'MUTABLE',
        'migrations-dir': 'db/migrations',
        // PostgreSQL trusts local connections here; the password is for the masking checks.
        'database-url': db.url.replace('postgres@', 'postgres:pw-s3cret-42@'),
        ssl: 'disable',
        service: 'api-pipeline',
        'deploy-timeout': '60s',
        'smoke-url': playService('api-pipeline'),
        'expect-version': GOOD_SHA,
        'version-path': 'version',
        'smoke-timeout': '20s',
        'smoke-interval': '200ms',
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
      image: `${registry.address}/team/api@${digest}`,
      digest,
      'image-tags': `${GOOD_SHA},latest`,
      'build-skipped': 'false',
      'live-image': `${ECR_REPO}@${digest}`,
      'previous-image': `${ECR_REPO}:v1`,
      'deploy-status': 'SUCCEEDED',
      'service-url': `https://${apprunner.service('api-pipeline').url}`,
      'smoke-passed': 'true',
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
        'smoke-url': playService('api-broken'),
        'expect-version': BAD_SHA,
        'version-path': 'version',
        'smoke-timeout': '20s',
        'smoke-interval': '200ms',
        'smoke-fail-fast-statuses': '401,403,500',
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
      'deploy-status': 'SUCCEEDED',
      'smoke-passed': 'false',
      'rolled-back': 'true',
      'rollback-smoke-passed': 'true',
      'live-image': `${ECR_REPO}:v1`,
      'previous-image': `${ECR_REPO}:v1`,
    });
    expect(JSON.parse(run.outputs.stages!)).toMatchObject({
      'build-push-ecr': 'succeeded',
      'deploy-apprunner-and-wait': 'succeeded',
      'smoke-test': 'failed',
    });
  });

  test('the summary shows the failed version, the rollback and its result', () => {
    expect(run.summary).toContain('<h3>Rollback</h3>');
    expect(run.summary).toContain(`${ECR_REPO}@${digest}`);
    expect(run.summary).toContain('rolled back, healthy');
    expect(run.summary).toContain('<h3>smoke-test (new version)</h3>');
    expect(run.summary).toContain('<h3>smoke-test (after rollback)</h3>');
    expect(run.summary).toContain('<h3>Rollback: deploy-apprunner-and-wait</h3>');
    // Both smoke results: the new version's 500 and the old version's pass.
    expect(run.summary).toMatch(/❌ failed.*500/s);
    expect(run.summary).toContain('All 1 check passed');
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
          'smoke-url': playService('api-no-rollback'),
          'smoke-timeout': '10s',
          'smoke-fail-fast-statuses': '500',
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
          'smoke-checks': `- name: home page\n  url: ${service.origin}/site/\n  expect-body-contains: build 42\n`,
          'smoke-timeout': '20s',
          'smoke-interval': '200ms',
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
      expect(run.outputs).toMatchObject({ uploaded: '2', deleted: '1', 'smoke-passed': 'true' });
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
    'smoke-url': 'https://api.example.com/health',
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
