/** @needs awscli s3rver */
// sync-s3-invalidate-cloudfront end to end: the committed bundle under Node 24
// against a real S3 server (s3rver, behind a recording proxy that shows every
// S3 call the action makes, in order) and the simulator's CloudFront. Objects
// and headers are checked with the AWS CLI as an independent client.
//
// Credentials: s3rver accepts only its own access key (S3RVER), so the action
// runs with those as ambient credentials (the default chain, as after
// aws-actions/configure-aws-credentials); the simulator accepts them too.
// OIDC role assumption is covered by the other actions' end-to-end tests and
// by packages/aws's tests: STS-issued keys would be refused by s3rver.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Inputs } from '@deploy-actions/action-kit/engine';
import { S3_SYNC_CALLS, readSyncInputs } from '../../packages/s3-sync/src/index.js';
import { startAwsEnvironment, type AwsTestEnvironment } from '../../tools/services/aws-env.js';
import type { RequestLogEntry } from '../../tools/aws-sim/index.js';
import {
  createCloudFrontService,
  type CloudFrontSimulator,
} from '../../tools/aws-sim/services/cloudfront.js';
import { REPO_ROOT, runAction, visibleLog, type ActionRun } from '../support/harness.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../../tools/services/s3rver.js';

const ACTION = 'sync-s3-invalidate-cloudfront';
const AWS_CLI = '/usr/bin/aws';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const run = promisify(execFile);

let s3rver: S3rverHandle;
let proxy: S3Proxy;
let aws: AwsTestEnvironment;
let cloudfront: CloudFrontSimulator;
let work: string;
let bucketCount = 0;

// --- A recording proxy in front of s3rver -----------------------------------------

interface S3Call {
  operation: string;
  key: string;
  time: number;
}

interface S3Proxy {
  endpoint: string;
  calls: S3Call[];
  /** Delay every PutObject by this long (widens the window a concurrent reader sees). */
  putLatencyMs: number;
  /** After this many PutObject calls, hold every further request unanswered. */
  holdAfterPuts: number | undefined;
  close(): Promise<void>;
}

/** Names the S3 operation of a path-style request, as the S3 API reference defines them. */
function operationOf(req: http.IncomingMessage, url: URL): string {
  const q = url.searchParams;
  const keyed = url.pathname.split('/').filter(Boolean).length > 1;
  switch (req.method) {
    case 'GET':
      if (!keyed) return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      return 'GetObject';
    case 'HEAD':
      return keyed ? 'HeadObject' : 'HeadBucket';
    case 'PUT':
      if (!keyed) return 'CreateBucket';
      if (q.has('uploadId')) return 'UploadPart';
      return req.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (q.has('delete')) return 'DeleteObjects';
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      return 'POST';
    case 'DELETE':
      return q.has('uploadId') ? 'AbortMultipartUpload' : keyed ? 'DeleteObject' : 'DeleteBucket';
    default:
      return req.method ?? '?';
  }
}

async function startProxy(target: string): Promise<S3Proxy> {
  const upstream = new URL(target);
  const held: http.ServerResponse[] = [];
  let puts = 0;
  const state: S3Proxy = {
    endpoint: '',
    calls: [],
    putLatencyMs: 0,
    holdAfterPuts: undefined,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      const operation = operationOf(req, url);
      const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
      if (state.holdAfterPuts !== undefined && puts >= state.holdAfterPuts) {
        held.push(res);
        return;
      }
      if (operation === 'PutObject') {
        puts++;
        if (state.putLatencyMs > 0) await delay(state.putLatencyMs);
      }
      state.calls.push({ operation, key, time: Date.now() });
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

// --- Builds -------------------------------------------------------------------------

type Build = Record<string, string | Buffer>;

function writeBuild(dir: string, files: Build): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

function filesOf(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((entry) => {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    return entry.isDirectory() ? filesOf(dir, child) : [child];
  });
}

/** What a fresh CI build does to every file: a new modification time. */
function touchAll(dir: string): void {
  const later = new Date(Date.now() + 3_600_000);
  for (const rel of filesOf(dir)) utimesSync(path.join(dir, rel), later, later);
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** A small React-like build: hashed bundles, entry files, an image, odd extensions. */
function siteV1(): Build {
  return {
    'index.html':
      '<!doctype html><script type="module" src="/assets/index-Bx3d9aZ1.js"></script><link rel="stylesheet" href="/assets/index-a1b2c3d4e5.css">',
    'docs/index.html': '<!doctype html><h1>Docs</h1>',
    'assets/index-Bx3d9aZ1.js': 'console.log("v1");\n'.repeat(50),
    'assets/index-a1b2c3d4e5.css': 'body { color: black; }\n',
    'assets/logo-9f8e7d6c5b.png': Buffer.alloc(2048, 7),
    'robots.txt': 'User-agent: *\n',
    'manifest.json': '{"name":"app"}',
    'sw.js': 'self.addEventListener("fetch", () => {});',
    'data/blob.unknownext': Buffer.from([1, 2, 3]),
  };
}

// --- Running the action -------------------------------------------------------------

function newBucketName(label: string): string {
  return `e2e-${label}-${process.pid}-${++bucketCount}`;
}

async function newBucket(label: string): Promise<string> {
  const bucket = newBucketName(label);
  await s3rver.createBucket(bucket);
  return bucket;
}

interface SyncRun extends ActionRun {
  s3: S3Call[];
  cloudfront: RequestLogEntry[];
}

async function sync(
  inputs: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<SyncRun> {
  const before = proxy.calls.length;
  const result = await runAction({
    action: ACTION,
    inputs: { 'aws-region': 'us-east-1', 'max-attempts': '3', ...inputs },
    simulator: aws.simulator,
    env: {
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: proxy.endpoint,
    },
    timeoutMs: options.timeoutMs,
  });
  return {
    ...result,
    s3: proxy.calls.slice(before),
    cloudfront: (result.requests as RequestLogEntry[]).filter((r) => r.service === 'cloudfront'),
  };
}

/** The engine's record of a pending invalidation, in a deploy to the whole bucket. */
const RECORD = '.deploy-actions/pending-invalidation.json';
const isRecord = (key: string) => key.endsWith(RECORD);

/** The keys of the site's objects an operation touched (the pending-invalidation record: recordOps). */
const s3Ops = (r: SyncRun, operation: string) =>
  r.s3.filter((c) => c.operation === operation && !isRecord(c.key)).map((c) => c.key);

/** What a run did to the pending-invalidation record, in order. */
const recordOps = (r: SyncRun) => r.s3.filter((c) => isRecord(c.key)).map((c) => c.operation);

// --- The AWS CLI, an independent client -----------------------------------------------

async function cli<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const { stdout } = await run(
    AWS_CLI,
    [...args, '--endpoint-url', s3rver.endpoint, '--region', 'us-east-1', '--output', 'json'],
    {
      env: {
        PATH: process.env.PATH,
        HOME: work,
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        AWS_CONFIG_FILE: path.join(work, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_PAGER: '',
      },
      timeout: 60_000,
    },
  );
  return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
}

interface HeadObject {
  ContentType: string;
  CacheControl?: string;
  ContentLength: number;
  ETag: string;
  Metadata: Record<string, string>;
}

const headObject = (bucket: string, key: string) =>
  cli<HeadObject>(['s3api', 'head-object', '--bucket', bucket, '--key', key]);

async function listKeys(bucket: string, prefix = ''): Promise<string[]> {
  const listed = await cli<{ Contents?: { Key: string }[] }>([
    's3api',
    'list-objects-v2',
    '--bucket',
    bucket,
    ...(prefix ? ['--prefix', prefix] : []),
  ]);
  return (listed.Contents ?? []).map((o) => o.Key).sort();
}

async function getBytes(bucket: string, key: string): Promise<Buffer> {
  const answer = await s3rver.client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

async function putObject(bucket: string, key: string, body: string): Promise<void> {
  await s3rver.client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** The bucket holds exactly the build: same keys (listed by the AWS CLI), same bytes, each with its SHA-256. */
async function expectBucketToEqualBuild(bucket: string, dir: string, prefix = ''): Promise<void> {
  const files = filesOf(dir).sort();
  expect(await listKeys(bucket, prefix)).toEqual(files.map((f) => `${prefix}${f}`).sort());
  for (const file of files) {
    const local = readFileSync(path.join(dir, file));
    expect((await getBytes(bucket, `${prefix}${file}`)).equals(local)).toBe(true);
    const head = await s3rver
      .client()
      .send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}${file}` }));
    expect(head.Metadata?.sha256).toBe(sha256(local));
  }
}

// --- Fixture --------------------------------------------------------------------------

beforeAll(async () => {
  s3rver = await startS3rver();
  proxy = await startProxy(s3rver.endpoint);
  cloudfront = createCloudFrontService({ invalidationDurationMs: 1_000 });
  aws = await startAwsEnvironment({ services: [cloudfront] });
  aws.simulator.addCredentials({
    ...S3RVER_CREDENTIALS,
    arn: 'arn:aws:iam::123456789012:user/deployer',
  });
  work = mkdtempSync(path.join(tmpdir(), 'sync-s3-e2e-'));
}, 60_000);

afterAll(async () => {
  await Promise.all([proxy?.close(), aws?.close()]);
  await s3rver?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

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

// A build of about 100 files, two versions: hashed assets differ, index.html links them.
function versionedSite(version: string, count = 60): Build {
  const build: Build = {};
  const refs: string[] = [];
  for (let i = 0; i < count; i++) {
    const hash = sha256(`${version}-${i}`).slice(0, 10);
    const name = `assets/chunk-${i}.${hash}.js`;
    build[name] = `/* ${version} chunk ${i} */\n`.repeat(40 + i);
    refs.push(name);
  }
  build['assets/app.css'] = `/* ${version} */ body{}`;
  refs.push('assets/app.css');
  build['index.html'] =
    `<!doctype html><!-- ${version} -->\n` +
    refs.map((r) => `<script src="/${r}"></script>`).join('\n') +
    '\n</html>';
  return build;
}

describe('availability and recovery', () => {
  test('while v2 is deployed over v1, a reader of index.html and its assets never gets a 404', async () => {
    const bucket = await newBucket('reader');
    const distributionId = cloudfront.addDistribution({ bucket }).id;
    const dir = path.join(work, 'reader');
    writeBuild(dir, versionedSite('v1'));
    expect(
      (await sync({ 'source-dir': dir, bucket, 'distribution-id': distributionId })).exitCode,
    ).toBe(0);

    const client = s3rver.client();
    const stats = { pages: 0, assets: 0, notFound: [] as string[], versions: new Set<string>() };
    const fetchText = async (key: string): Promise<string | undefined> => {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await answer.Body!.transformToString();
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
          ?.httpStatusCode;
        if (status === 404) stats.notFound.push(key);
        return undefined; // s3rver may answer other errors while it rewrites a file in place
      }
    };
    const readOnce = async () => {
      const page = await fetchText('index.html');
      if (page === undefined) return;
      stats.pages++;
      const version = /<!-- (v\d) -->/.exec(page)?.[1];
      if (version) stats.versions.add(version);
      // Only complete references: a page read while s3rver rewrites it may be cut short.
      const refs = [...page.matchAll(/src="\/([^"]+)"/g)].map((m) => m[1]!);
      await Promise.all(
        refs.map(async (ref) => {
          if ((await fetchText(ref)) !== undefined) stats.assets++;
        }),
      );
    };
    await readOnce();
    writeBuild(dir, versionedSite('v2'));
    proxy.putLatencyMs = 15;
    let deploying = true;
    const reader = (async () => {
      while (deploying) await readOnce();
    })();
    try {
      const result = await sync({ 'source-dir': dir, bucket, 'distribution-id': distributionId });
      expect(result.exitCode).toBe(0);
      expect(result.outputs.deleted).toBe('60');
    } finally {
      proxy.putLatencyMs = 0;
      deploying = false;
      await reader;
    }
    await readOnce();
    expect(stats.notFound).toEqual([]);
    expect(stats.pages).toBeGreaterThan(3);
    expect(stats.assets).toBeGreaterThan(100);
    expect([...stats.versions].sort()).toEqual(['v1', 'v2']);
    await expectBucketToEqualBuild(bucket, dir);
  });

  test('a deploy killed midway and run again converges to exactly the build', async () => {
    const bucket = await newBucket('killed');
    const distributionId = cloudfront.addDistribution({ bucket }).id;
    const dir = path.join(work, 'killed');
    writeBuild(dir, versionedSite('v1', 30));
    expect(
      (await sync({ 'source-dir': dir, bucket, 'distribution-id': distributionId })).exitCode,
    ).toBe(0);
    writeBuild(dir, versionedSite('v2', 30));

    proxy.holdAfterPuts = proxy.calls.filter((c) => c.operation === 'PutObject').length + 10;
    let killed: SyncRun;
    try {
      killed = await sync(
        { 'source-dir': dir, bucket, 'distribution-id': distributionId, concurrency: '2' },
        { timeoutMs: 15_000 },
      );
    } finally {
      proxy.holdAfterPuts = undefined;
    }
    expect(killed.signal).toBe('SIGTERM');
    const uploadedBeforeKill = s3Ops(killed, 'PutObject');
    expect(uploadedBeforeKill).toHaveLength(10);
    expect(uploadedBeforeKill).not.toContain('index.html');
    expect(s3Ops(killed, 'DeleteObjects')).toEqual([]);
    // The old page still works: its assets were not deleted.
    const keys = await listKeys(bucket);
    for (const asset of Object.keys(versionedSite('v1', 30))) expect(keys).toContain(asset);

    const rerun = await sync({ 'source-dir': dir, bucket, 'distribution-id': distributionId });
    expect(rerun.exitCode).toBe(0);
    expect(rerun.outputs).toMatchObject({ uploaded: String(32 - 10), deleted: '30' });
    expect(rerun.outputs.unchanged).toBe('10');
    await expectBucketToEqualBuild(bucket, dir);
  });
});

describe('CloudFront trouble', () => {
  test('throttling and 5xx on CloudFront still end in exactly one invalidation', async () => {
    const bucket = await newBucket('faults');
    const distributionId = cloudfront.addDistribution({ bucket }).id;
    const dir = writeBuild(path.join(work, 'faults'), siteV1());
    expect(
      (await sync({ 'source-dir': dir, bucket, 'distribution-id': distributionId })).exitCode,
    ).toBe(0);
    writeFileSync(path.join(dir, 'index.html'), '<h1>v2</h1>');

    const faults = [
      aws.simulator.faults.add({
        service: 'cloudfront',
        operation: 'CreateInvalidation',
        kind: 'throttle',
        count: 2,
      }),
      aws.simulator.faults.add({
        service: 'cloudfront',
        operation: 'CreateInvalidation',
        kind: 'server-error',
        status: 503,
        count: 2,
      }),
      aws.simulator.faults.add({
        service: 'cloudfront',
        operation: 'GetInvalidation',
        kind: 'server-error',
        count: 2,
      }),
    ];
    let result: SyncRun;
    try {
      result = await sync({
        'source-dir': dir,
        bucket,
        'distribution-id': distributionId,
        // The SDK retries within a call (3 attempts); the engine retries the rest with backoff.
        'max-attempts': '3',
      });
    } finally {
      for (const id of faults) aws.simulator.faults.remove(id);
    }
    expect(result.exitCode).toBe(0);
    const creates = result.cloudfront.filter((r) => r.operation === 'CreateInvalidation');
    expect(creates.map((r) => r.status)).toEqual([400, 400, 503, 503, 201]);
    const references = new Set(
      creates.map((r) => JSON.stringify((r.params as { body?: unknown }).body)),
    );
    expect(references.size).toBe(1);
    expect(visibleLog(result)).toContain('with the same CallerReference');
    const invalidations = cloudfront.invalidations(distributionId);
    expect(invalidations).toHaveLength(1);
    expect(invalidations[0]).toMatchObject({
      id: result.outputs['invalidation-id'],
      status: 'Completed',
    });
    expect([...invalidations[0]!.paths].sort()).toEqual(['/', '/index.html']);
  });

  test('TooManyInvalidationsInProgress is waited out; still one invalidation of ours', async () => {
    const bucket = await newBucket('busy');
    const distributionId = cloudfront.addDistribution({ bucket }).id;
    const dir = writeBuild(path.join(work, 'busy'), siteV1());
    expect(
      (await sync({ 'source-dir': dir, bucket, 'distribution-id': distributionId })).exitCode,
    ).toBe(0);
    writeFileSync(path.join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /\n');

    // Another deploy's 15 wildcard invalidations fill the distribution's wildcard budget for 3s.
    cloudfront.setInvalidationDuration(3_000);
    const client = new CloudFrontClient({
      region: 'us-east-1',
      endpoint: aws.simulator.url,
      credentials: S3RVER_CREDENTIALS,
    });
    try {
      for (let i = 0; i < 15; i++) {
        await client.send(
          new CreateInvalidationCommand({
            DistributionId: distributionId,
            InvalidationBatch: {
              CallerReference: `other-${i}`,
              Paths: { Quantity: 1, Items: [`/other-${i}/*`] },
            },
          }),
        );
      }
    } finally {
      client.destroy();
      cloudfront.setInvalidationDuration(1_000);
    }
    const result = await sync({
      'source-dir': dir,
      bucket,
      'distribution-id': distributionId,
      invalidation: 'all',
    });
    expect(result.exitCode).toBe(0);
    const creates = result.cloudfront.filter((r) => r.operation === 'CreateInvalidation');
    expect(creates[0]?.errorCode).toBe('TooManyInvalidationsInProgress');
    expect(creates.at(-1)?.status).toBe(201);
    const ours = cloudfront
      .invalidations(distributionId)
      .filter((i) => !i.callerReference.startsWith('other-'));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.paths).toEqual(['/*']);
    expect(ours[0]!.status).toBe('Completed');
  });

  test('a role that may not read invalidations is told so, not timed out; nothing is deleted', async () => {
    const bucket = await newBucket('denied');
    const distributionId = cloudfront.addDistribution({ bucket }).id;
    const dir = writeBuild(path.join(work, 'denied'), siteV1());
    expect(
      (await sync({ 'source-dir': dir, bucket, 'distribution-id': distributionId })).exitCode,
    ).toBe(0);
    rmSync(path.join(dir, 'robots.txt'));
    cloudfront.denyGetInvalidation();
    let result: SyncRun;
    try {
      result = await sync({ 'source-dir': dir, bucket, 'distribution-id': distributionId });
    } finally {
      cloudfront.denyGetInvalidation(false);
    }
    expect(result.exitCode).toBe(1);
    expect(visibleLog(result)).toContain('cloudfront:GetInvalidation');
    expect(visibleLog(result)).not.toMatch(/did not complete within/);
    expect(result.s3.map((c) => c.operation)).not.toContain('DeleteObjects');
    expect(await listKeys(bucket)).toContain('robots.txt');
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

describe('an interrupted deploy is not forgotten by CloudFront', () => {
  test('killed after overwriting files, before its invalidation: the re-run invalidates them once', async () => {
    const bucket = await newBucket('pending');
    const distributionId = cloudfront.addDistribution({ bucket }).id;
    const dir = writeBuild(path.join(work, 'pending'), siteV1());
    const inputs = { 'source-dir': dir, bucket, 'distribution-id': distributionId };
    expect((await sync(inputs)).exitCode).toBe(0);
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><h1>v2</h1>');
    writeFileSync(path.join(dir, 'docs/index.html'), '<!doctype html><h1>Docs v2</h1>');
    writeFileSync(path.join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /drafts\n');
    writeFileSync(path.join(dir, 'assets/extra-7c6b5a4d3e.js'), 'console.log("new");');

    // CloudFront takes the CreateInvalidation request and never answers in time (and, were the
    // hold ever over, refuses it): the job is cancelled while the step waits for it.
    const held = [
      aws.simulator.faults.add({
        service: 'cloudfront',
        operation: 'CreateInvalidation',
        kind: 'latency',
        latencyMs: 600_000,
      }),
      aws.simulator.faults.add({
        service: 'cloudfront',
        operation: 'CreateInvalidation',
        kind: 'server-error',
      }),
    ];
    let killed: SyncRun;
    let createsReceived: number | undefined;
    try {
      killed = await sync(inputs, { timeoutMs: 30_000 });
    } finally {
      createsReceived = aws.simulator.faults.list().find((f) => f.id === held[0])?.fired;
      for (const id of held) aws.simulator.faults.remove(id);
    }
    expect(killed.signal).toBe('SIGTERM');
    // It was killed waiting for CloudFront: every upload was done, no invalidation exists.
    expect(createsReceived).toBe(1);
    expect(cloudfront.invalidations(distributionId)).toEqual([]);
    const overwritten = ['docs/index.html', 'index.html', 'robots.txt'];
    expect(s3Ops(killed, 'PutObject').sort()).toEqual(
      ['assets/extra-7c6b5a4d3e.js', ...overwritten].sort(),
    );
    // The record was written once, before the first overwrite, and holds the overwritten keys.
    expect(recordOps(killed)).toEqual(['PutObject']);
    const recordAt = killed.s3.findIndex((c) => isRecord(c.key));
    const firstOverwrite = killed.s3.findIndex(
      (c) => c.operation === 'PutObject' && overwritten.includes(c.key),
    );
    expect(firstOverwrite).toBeGreaterThan(recordAt);
    const record = JSON.parse((await getBytes(bucket, RECORD)).toString('utf8')) as {
      keys: string[];
    };
    expect(record.keys).toEqual(overwritten);
    const head = await headObject(bucket, RECORD);
    expect([head.CacheControl, head.ContentType]).toEqual([
      'no-store',
      'application/json; charset=utf-8',
    ]);

    // The re-run finds every file unchanged, and still invalidates what the killed run overwrote.
    const rerun = await sync(inputs);
    expect(rerun.exitCode).toBe(0);
    const paths = ['/', '/docs', '/docs/', '/docs/index.html', '/index.html', '/robots.txt'];
    expect(rerun.outputs).toMatchObject({
      uploaded: '0',
      'metadata-updated': '0',
      unchanged: String(Object.keys(siteV1()).length + 1),
      'invalidated-paths': JSON.stringify(paths),
    });
    const invalidations = cloudfront.invalidations(distributionId);
    expect(invalidations).toHaveLength(1);
    expect(invalidations[0]).toMatchObject({
      id: rerun.outputs['invalidation-id'],
      status: 'Completed',
    });
    expect([...invalidations[0]!.paths].sort()).toEqual(paths);
    // Read, then removed once the invalidation was created.
    expect(recordOps(rerun)).toEqual(['GetObject', 'DeleteObject']);
    const create = rerun.cloudfront.find((r) => r.operation === 'CreateInvalidation')!;
    const removal = rerun.s3.find((c) => c.operation === 'DeleteObject')!;
    expect(removal.time).toBeGreaterThanOrEqual(create.time.getTime());
    expect(visibleLog(rerun)).toContain('was interrupted before invalidating them');
    expect(rerun.summary).toContain(
      'Also invalidated the paths of 3 objects that an earlier, interrupted deploy overwrote',
    );
    await expectBucketToEqualBuild(bucket, dir);

    // The record is gone: the next identical deploy writes and invalidates nothing.
    touchAll(dir);
    const third = await sync(inputs);
    expect(third.exitCode).toBe(0);
    expect(third.s3.filter((c) => !['ListObjectsV2', 'HeadObject'].includes(c.operation))).toEqual(
      [],
    );
    expect(third.cloudfront.map((r) => r.operation)).toEqual(['GetDistributionConfig']);
    expect(cloudfront.invalidations(distributionId)).toHaveLength(1);
  });
});
