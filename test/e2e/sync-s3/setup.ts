// Shared setup of the sync-s3-invalidate-cloudfront end-to-end tests: s3rver behind a proxy that
// records every S3 call in order, the simulator's CloudFront, builds written to disk, the action
// run with s3rver's keys as ambient credentials, and the AWS CLI as an independent S3 client.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startAwsEnvironment, type AwsTestEnvironment } from '../../../tools/services/aws-env.js';
import type { RequestLogEntry } from '../../../tools/aws-sim/index.js';
import {
  createCloudFrontService,
  type CloudFrontSimulator,
} from '../../../tools/aws-sim/services/cloudfront.js';
import { runAction, type ActionRun } from '../../support/harness.js';
import {
  S3RVER_CREDENTIALS,
  startS3rver,
  type S3rverHandle,
} from '../../../tools/services/s3rver.js';

export const ACTION = 'sync-s3-invalidate-cloudfront';
export const AWS_CLI = '/usr/bin/aws';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const run = promisify(execFile);

export let s3rver: S3rverHandle;
export let proxy: S3Proxy;
export let aws: AwsTestEnvironment;
export let cloudfront: CloudFrontSimulator;
export let work: string;
export let bucketCount = 0;

// --- A recording proxy in front of s3rver -----------------------------------------

export interface S3Call {
  operation: string;
  key: string;
  time: number;
}

export interface S3Proxy {
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

export type Build = Record<string, string | Buffer>;

export function writeBuild(dir: string, files: Build): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

export function filesOf(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((entry) => {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    return entry.isDirectory() ? filesOf(dir, child) : [child];
  });
}

/** What a fresh CI build does to every file: a new modification time. */
export function touchAll(dir: string): void {
  const later = new Date(Date.now() + 3_600_000);
  for (const rel of filesOf(dir)) utimesSync(path.join(dir, rel), later, later);
}

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** A small React-like build: hashed bundles, entry files, an image, odd extensions. */
export function siteV1(): Build {
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

export function newBucketName(label: string): string {
  return `e2e-${label}-${process.pid}-${++bucketCount}`;
}

export async function newBucket(label: string): Promise<string> {
  const bucket = newBucketName(label);
  await s3rver.createBucket(bucket);
  return bucket;
}

export interface SyncRun extends ActionRun {
  s3: S3Call[];
  cloudfront: RequestLogEntry[];
}

export async function sync(
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
export const RECORD = '.deploy-actions/pending-invalidation.json';
export const isRecord = (key: string) => key.endsWith(RECORD);

/** The keys of the site's objects an operation touched (the pending-invalidation record: recordOps). */
export const s3Ops = (r: SyncRun, operation: string) =>
  r.s3.filter((c) => c.operation === operation && !isRecord(c.key)).map((c) => c.key);

/** What a run did to the pending-invalidation record, in order. */
export const recordOps = (r: SyncRun) =>
  r.s3.filter((c) => isRecord(c.key)).map((c) => c.operation);

// --- The AWS CLI, an independent client -----------------------------------------------

export async function cli<T = Record<string, unknown>>(args: string[]): Promise<T> {
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

export interface HeadObject {
  ContentType: string;
  CacheControl?: string;
  ContentLength: number;
  ETag: string;
  Metadata: Record<string, string>;
}

export const headObject = (bucket: string, key: string) =>
  cli<HeadObject>(['s3api', 'head-object', '--bucket', bucket, '--key', key]);

export async function listKeys(bucket: string, prefix = ''): Promise<string[]> {
  const listed = await cli<{ Contents?: { Key: string }[] }>([
    's3api',
    'list-objects-v2',
    '--bucket',
    bucket,
    ...(prefix ? ['--prefix', prefix] : []),
  ]);
  return (listed.Contents ?? []).map((o) => o.Key).sort();
}

export async function getBytes(bucket: string, key: string): Promise<Buffer> {
  const answer = await s3rver.client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

export async function putObject(bucket: string, key: string, body: string): Promise<void> {
  await s3rver.client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** The bucket holds exactly the build: same keys (listed by the AWS CLI), same bytes, each with its SHA-256. */
export async function expectBucketToEqualBuild(
  bucket: string,
  dir: string,
  prefix = '',
): Promise<void> {
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

// A build of about 100 files, two versions: hashed assets differ, index.html links them.
export function versionedSite(version: string, count = 60): Build {
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

/** Starts s3rver, its recording proxy and the simulator for the test file; removes the builds after. */
export function useSyncServices(): void {
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
}
