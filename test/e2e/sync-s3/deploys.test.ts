/** @needs awscli s3rver */
// sync-s3-invalidate-cloudfront end to end, what a deploy does: uploads, headers, invalidations,
// deletes within the prefix and max-deletes, what leaves source-dir, and inputs refused early.
// The committed bundle runs under Node 24 against s3rver and the simulator's CloudFront (setup.ts
// says how, and why with s3rver's own keys).
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Inputs } from '@deploy-actions/action-kit/engine';
import { S3_SYNC_CALLS, readSyncInputs } from '../../../packages/s3-sync/src/index.js';
import { REPO_ROOT, visibleLog } from '../../support/harness.js';
import {
  ACTION,
  IMMUTABLE,
  cloudfront,
  expectBucketToEqualBuild,
  headObject,
  listKeys,
  newBucket,
  putObject,
  s3Ops,
  sha256,
  siteV1,
  sync,
  touchAll,
  useSyncServices,
  work,
  writeBuild,
} from './setup.js';

useSyncServices();

// --- Scenarios ------------------------------------------------------------------------

describe('a site deployed, redeployed, changed, re-headed and trimmed', () => {
  let bucket: string;
  let distributionId: string;
  let dir: string;
  const base = () => ({ 'source-dir': dir, bucket, 'distribution-id': distributionId });

  beforeAll(async () => {
    bucket = await newBucket('life');
    distributionId = cloudfront.addDistribution({ bucket }).id;
    dir = writeBuild(path.join(work, 'life'), siteV1());
  });

  test('first deploy uploads every file, entry files last, with per-file headers; nothing to invalidate', async () => {
    const result = await sync(base());
    expect(result.exitCode).toBe(0);
    const files = Object.keys(siteV1());
    expect(result.outputs).toEqual({
      uploaded: String(files.length),
      'metadata-updated': '0',
      unchanged: '0',
      deleted: '0',
      'bytes-uploaded': String(
        Object.values(siteV1()).reduce((sum, c) => sum + Buffer.byteLength(c), 0),
      ),
      'invalidation-id': '',
      'invalidated-paths': '[]',
    });
    await expectBucketToEqualBuild(bucket, dir);

    // Every non-entry file went before the first entry file.
    const puts = s3Ops(result, 'PutObject');
    const entries = ['index.html', 'docs/index.html', 'manifest.json', 'sw.js'];
    const firstEntry = Math.min(...entries.map((e) => puts.indexOf(e)));
    expect(puts.slice(firstEntry).sort()).toEqual([...entries].sort());
    // New keys were never cached: no invalidation was asked for.
    expect(result.cloudfront.map((r) => r.operation)).toEqual(['GetDistributionConfig']);

    expect(result.summary).toContain(`Synced s3://${bucket}/`);
    expect(result.summary).toContain('Largest uploads');
    expect(result.summary).toContain('Slowest uploads');
  });

  test('the AWS CLI sees the headers each file should have', async () => {
    const expected: Record<string, [string, string]> = {
      'index.html': ['text/html; charset=utf-8', 'no-cache'],
      'docs/index.html': ['text/html; charset=utf-8', 'no-cache'],
      'assets/index-Bx3d9aZ1.js': ['text/javascript; charset=utf-8', IMMUTABLE],
      'assets/index-a1b2c3d4e5.css': ['text/css; charset=utf-8', IMMUTABLE],
      'assets/logo-9f8e7d6c5b.png': ['image/png', IMMUTABLE],
      'robots.txt': ['text/plain; charset=utf-8', 'no-cache'],
      'manifest.json': ['application/json; charset=utf-8', 'no-cache'],
      'sw.js': ['text/javascript; charset=utf-8', 'no-cache'],
      'data/blob.unknownext': ['application/octet-stream', 'no-cache'],
    };
    for (const [key, [contentType, cacheControl]] of Object.entries(expected)) {
      const head = await headObject(bucket, key);
      expect([key, head.ContentType, head.CacheControl]).toEqual([key, contentType, cacheControl]);
    }
  });

  test('a redeploy after touching every file uploads nothing and invalidates nothing', async () => {
    touchAll(dir);
    const result = await sync(base());
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      uploaded: '0',
      'metadata-updated': '0',
      unchanged: String(Object.keys(siteV1()).length),
      'bytes-uploaded': '0',
      'invalidation-id': '',
    });
    expect(
      result.s3.filter((c) => c.operation !== 'ListObjectsV2' && c.operation !== 'HeadObject'),
    ).toEqual([]);
    expect(result.cloudfront.map((r) => r.operation)).toEqual(['GetDistributionConfig']);
  });

  test('one changed file is one upload, and its paths with directory aliases are invalidated', async () => {
    writeFileSync(path.join(dir, 'docs/index.html'), '<!doctype html><h1>Docs, v2</h1>');
    const result = await sync(base());
    expect(result.exitCode).toBe(0);
    expect(s3Ops(result, 'PutObject')).toEqual(['docs/index.html']);
    expect(result.outputs.uploaded).toBe('1');
    const paths = ['/docs', '/docs/', '/docs/index.html'];
    expect(JSON.parse(result.outputs['invalidated-paths']!)).toEqual(paths);
    const invalidations = cloudfront.invalidations(distributionId);
    expect(invalidations).toHaveLength(1);
    expect(invalidations[0]).toMatchObject({
      id: result.outputs['invalidation-id'],
      status: 'Completed',
    });
    expect([...invalidations[0]!.paths].sort()).toEqual(paths);
    expect(result.cloudfront.map((r) => r.operation)).toContain('GetInvalidation');
    await expectBucketToEqualBuild(bucket, dir);
  });

  test('a header-only change is fixed by CopyObject, not re-uploaded, and invalidated', async () => {
    const result = await sync({
      ...base(),
      'cache-control': 'robots.txt: public, max-age=3600',
      'content-type': '*.unknownext: application/x-blob',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      uploaded: '0',
      'metadata-updated': '2',
      'bytes-uploaded': '0',
    });
    expect(s3Ops(result, 'PutObject')).toEqual([]);
    expect(s3Ops(result, 'CopyObject').sort()).toEqual(['data/blob.unknownext', 'robots.txt']);
    expect(JSON.parse(result.outputs['invalidated-paths']!)).toEqual([
      '/data/blob.unknownext',
      '/robots.txt',
    ]);
    const robots = await headObject(bucket, 'robots.txt');
    expect(robots.CacheControl).toBe('public, max-age=3600');
    expect(robots.ContentType).toBe('text/plain; charset=utf-8');
    expect(robots.Metadata.sha256).toBe(sha256('User-agent: *\n'));
    expect((await headObject(bucket, 'data/blob.unknownext')).ContentType).toBe(
      'application/x-blob',
    );
  });

  test('a dry run prints the plan in the log and summary and changes nothing', async () => {
    writeFileSync(path.join(dir, 'assets/index-Cz4e0bA2.js'), 'console.log("v2");');
    writeFileSync(path.join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /private\n');
    rmSync(path.join(dir, 'sw.js'));
    const result = await sync({ ...base(), 'dry-run': 'true' });
    expect(result.exitCode).toBe(0);
    const log = visibleLog(result);
    expect(log).toContain('upload assets/index-Cz4e0bA2.js');
    expect(log).toContain('upload robots.txt');
    expect(log).toContain('delete sw.js');
    expect(log).toContain('invalidate /sw.js');
    expect(log).toContain('Dry run: nothing was changed.');
    expect(result.summary).toContain('Would upload');
    expect(result.summary).toContain('Would delete (after the invalidation)');
    expect(result.summary).toContain('assets/index-Cz4e0bA2.js');
    // Without this run's rule, the blob's Content-Type goes back to the default: a header fix.
    expect(log).toContain('fix headers of data/blob.unknownext');
    expect(result.outputs).toMatchObject({
      uploaded: '2',
      'metadata-updated': '1',
      deleted: '1',
      'invalidation-id': '',
    });
    expect(result.s3.filter((c) => !['ListObjectsV2', 'HeadObject'].includes(c.operation))).toEqual(
      [],
    );
    expect(result.cloudfront.map((r) => r.operation)).toEqual(['GetDistributionConfig']);
    expect(await listKeys(bucket)).toContain('sw.js');
  });

  test('stale objects are deleted only after the invalidation completed', async () => {
    const result = await sync(base());
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ uploaded: '2', 'metadata-updated': '1', deleted: '1' });
    const deleteCall = result.s3.find((c) => c.operation === 'DeleteObjects');
    expect(deleteCall).toBeDefined();
    const lastPut = Math.max(
      ...result.s3.filter((c) => c.operation === 'PutObject').map((c) => c.time),
    );
    const invalidation = cloudfront
      .invalidations(distributionId)
      .find((i) => i.id === result.outputs['invalidation-id']);
    expect(invalidation?.status).toBe('Completed');
    expect([...invalidation!.paths].sort()).toEqual([
      '/data/blob.unknownext',
      '/robots.txt',
      '/sw.js',
    ]);
    // Created after the last upload; the delete came after a GetInvalidation that found it completed.
    const create = result.cloudfront.find((r) => r.operation === 'CreateInvalidation')!;
    expect(create.time.getTime()).toBeGreaterThanOrEqual(lastPut);
    expect(deleteCall!.time).toBeGreaterThanOrEqual(invalidation!.createTime.getTime() + 1_000);
    const lastPoll = result.cloudfront.filter((r) => r.operation === 'GetInvalidation').at(-1)!;
    expect(deleteCall!.time).toBeGreaterThanOrEqual(lastPoll.time.getTime());
    await expectBucketToEqualBuild(bucket, dir);
  });
});

describe('deletes stay under the prefix and within max-deletes', () => {
  let bucket: string;
  let distributionId: string;
  let dir: string;

  beforeAll(async () => {
    bucket = await newBucket('prefix');
    distributionId = cloudfront.addDistribution({ bucket, originPath: '/site' }).id;
    dir = writeBuild(path.join(work, 'prefix'), {
      'index.html': '<h1>site</h1>',
      'app.0a1b2c3d4e.js': 'x',
    });
    for (const key of ['site/old-1.js', 'site/old-2.js', 'site/old-3.js']) {
      await putObject(bucket, key, 'old');
    }
    for (const key of ['other/keep.js', 'site-old/keep.js', 'keep.txt']) {
      await putObject(bucket, key, 'not ours');
    }
  });

  test('more stale objects than max-deletes: fails before changing anything', async () => {
    const result = await sync({
      'source-dir': dir,
      bucket,
      prefix: 'site',
      'distribution-id': distributionId,
      'max-deletes': '2',
    });
    expect(result.exitCode).toBe(1);
    expect(visibleLog(result)).toContain(
      `3 objects under s3://${bucket}/site/ would be deleted, more than max-deletes (2); nothing was changed`,
    );
    expect(result.s3.map((c) => c.operation).filter((o) => o !== 'ListObjectsV2')).toEqual([]);
    expect(result.cloudfront.map((r) => r.operation)).toEqual(['GetDistributionConfig']);
    expect(await listKeys(bucket)).toEqual([
      'keep.txt',
      'other/keep.js',
      'site-old/keep.js',
      'site/old-1.js',
      'site/old-2.js',
      'site/old-3.js',
    ]);
  });

  test('within max-deletes: deletes only under the prefix; paths mapped through the origin path', async () => {
    const result = await sync({
      'source-dir': dir,
      bucket,
      prefix: '/site/',
      'distribution-id': distributionId,
      'max-deletes': '3',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ uploaded: '2', deleted: '3' });
    expect(JSON.parse(result.outputs['invalidated-paths']!)).toEqual([
      '/old-1.js',
      '/old-2.js',
      '/old-3.js',
    ]);
    expect(await listKeys(bucket)).toEqual([
      'keep.txt',
      'other/keep.js',
      'site-old/keep.js',
      'site/app.0a1b2c3d4e.js',
      'site/index.html',
    ]);
    expect(
      // Bucket-level calls (ListObjectsV2 with Prefix=site/, DeleteObjects) have no key in the path.
      result.s3.every((c) => c.key === '' || c.key.startsWith('site/')),
    ).toBe(true);
  });
});

describe('what is published from source-dir', () => {
  test('dotfiles and dot-directories stay out unless included by name; links inside are followed', async () => {
    const bucket = await newBucket('dots');
    const dir = writeBuild(path.join(work, 'dots'), {
      'index.html': '<h1>hi</h1>',
      '.env': 'SECRET=1',
      '.git/config': '[core]',
      '.well-known/security.txt': 'Contact: mailto:security@example.com',
      'nested/.npmrc': 'token',
      'real/file.txt': 'linked',
    });
    symlinkSync(path.join(dir, 'real/file.txt'), path.join(dir, 'alias.txt'));
    const first = await sync({ 'source-dir': dir, bucket });
    expect(first.exitCode).toBe(0);
    expect(await listKeys(bucket)).toEqual(['alias.txt', 'index.html', 'real/file.txt']);

    const second = await sync({ 'source-dir': dir, bucket, include: '**\n.well-known/**' });
    expect(second.exitCode).toBe(0);
    expect(await listKeys(bucket)).toEqual([
      '.well-known/security.txt',
      'alias.txt',
      'index.html',
      'real/file.txt',
    ]);
  });

  test('a symbolic link leaving source-dir fails the step before any AWS call', async () => {
    const bucket = await newBucket('escape');
    const outside = path.join(work, 'outside-secret.txt');
    writeFileSync(outside, 'do not publish');
    const dir = writeBuild(path.join(work, 'escape'), { 'index.html': '<h1>hi</h1>' });
    mkdirSync(path.join(dir, 'assets'));
    symlinkSync(outside, path.join(dir, 'assets/leak.txt'));
    const result = await sync({ 'source-dir': dir, bucket });
    expect(result.exitCode).toBe(1);
    expect(visibleLog(result)).toContain('assets/leak.txt in source-dir is a symbolic link to');
    expect(result.s3).toEqual([]);
    expect(result.requests).toEqual([]);
    expect(await listKeys(bucket)).toEqual([]);
  });
});

describe('bad input fails before any AWS call, naming the input', () => {
  let dir: string;
  beforeAll(() => {
    dir = writeBuild(path.join(work, 'bad-input'), { 'index.html': 'x' });
    mkdirSync(path.join(work, 'empty-build'), { recursive: true });
  });

  test.each([
    [{ bucket: 'My_Bucket' }, "Input 'bucket'"],
    [{ bucket: 's3://site/path' }, "Input 'bucket'"],
    [{ prefix: 'a/../b' }, "Input 'prefix'"],
    [{ include: '*.{js' }, "Input 'include'"],
    [{ 'cache-control': '*.html no-cache' }, "Input 'cache-control'"],
    [{ 'cache-control': '*.js: max-age=forever' }, "Input 'cache-control'"],
    [{ 'content-type': '*.wasm: wasm' }, "Input 'content-type'"],
    [{ invalidation: 'some' }, "Input 'invalidation'"],
    [{ 'distribution-id': 'd123.cloudfront.net' }, "Input 'distribution-id'"],
    [{ 'max-deletes': '-1' }, "Input 'max-deletes'"],
    [{ concurrency: '0' }, "Input 'concurrency'"],
    [{ 'invalidation-timeout': 'soon' }, "Input 'invalidation-timeout'"],
    [{ 'role-to-assume': 'deploy' }, "Input 'role-to-assume'"],
    [{ 'source-dir': '/nonexistent/build' }, "Input 'source-dir'"],
    [{ 'source-dir': 'EMPTY' }, 'holds no file to upload'],
  ])('%j', async (inputs, message) => {
    const given = { ...inputs } as Record<string, string>;
    if (given['source-dir'] === 'EMPTY') given['source-dir'] = path.join(work, 'empty-build');
    const result = await sync({
      'source-dir': dir,
      bucket: 'never-touched',
      'distribution-id': 'E2QWRUHAPOMQZL',
      ...given,
    });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(message);
    expect(result.requests).toEqual([]);
    expect(result.s3).toEqual([]);
  });
});

test("the engine's input defaults are the ones action.yml declares", () => {
  const metadata = parseYaml(
    readFileSync(path.join(REPO_ROOT, 'actions', ACTION, 'action.yml'), 'utf8'),
  ) as { inputs: Record<string, { default?: string }> };
  const required = { 'source-dir': 'dist', bucket: 'site-bucket' };
  const withYamlDefaults = readSyncInputs(
    new Inputs(
      (name) =>
        required[name as keyof typeof required] ?? metadata.inputs[name]?.default ?? undefined,
    ),
  );
  const withEngineFallbacks = readSyncInputs(
    new Inputs((name) => required[name as keyof typeof required]),
  );
  const comparable = (v: typeof withYamlDefaults) => ({
    ...v,
    cacheControlRules: v.cacheControlRules.length,
    contentTypeRules: v.contentTypeRules.length,
  });
  expect(comparable(withYamlDefaults)).toEqual(comparable(withEngineFallbacks));
});

test("the README's IAM section grants every action the engine's calls need", () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'actions', ACTION, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## IAM permissions'));
  const actions = new Set(S3_SYNC_CALLS.flatMap((call) => call.actions));
  expect(actions.size).toBeGreaterThan(5);
  for (const action of actions)
    expect([action, section.includes(`\`${action}\``)]).toEqual([action, true]);
});
