/** @needs docker registry postgres s3rver */
// The root action (action.yml at the repository root, bundle in actions/deploy/dist) end to end,
// App Runner and the site: one step builds with a real Docker daemon and pushes to a real registry
// behind the ECR simulator, migrates the machine's PostgreSQL, deploys on the App Runner simulator
// and smoke-tests the service (rolled back when the smoke test fails), or publishes a site to
// s3rver with the CloudFront simulator. setup.ts describes the services.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { appRunnerCalls } from '../../../tools/aws-sim/services/apprunner.js';
import { type TestDatabase } from '../../../tools/services/databases.js';
import { visibleLog, type ActionRun } from '../../support/harness.js';
import { S3RVER_CREDENTIALS } from '../../../tools/services/s3rver.js';
import {
  BAD_SHA,
  ECR_REPO,
  GOOD_SHA,
  HISTORY,
  REGION,
  TEST_TIMEOUT,
  apprunner,
  aws,
  checkout,
  cloudfront,
  database,
  errorLine,
  escapeRegExp,
  groupPositions,
  images,
  operations,
  pipeline,
  playService,
  registry,
  requests,
  rowsByName,
  s3rver,
  seedService,
  service,
  summaryTable,
  usePipelineServices,
  work,
} from './setup.js';

usePipelineServices();

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
