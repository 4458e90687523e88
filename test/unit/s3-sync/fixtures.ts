/**
 * Shared by the s3-sync sync tests: the engine against a real S3 server (s3rver) with a fake
 * CloudFront invalidator; a client middleware records every S3 command so tests can check order.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MemoryLogger } from '@deploy-actions/action-kit/engine';
import {
  DEFAULT_UPLOAD_LAST,
  createS3Client,
  syncToS3,
  type Invalidator,
  type SyncOptions,
  type SyncReport,
} from '../../../packages/s3-sync/src/index.js';
import {
  S3RVER_CREDENTIALS,
  S3RVER_REGION,
  startS3rver,
  type S3rverHandle,
} from '../../../tools/services/s3rver.js';

// Live bindings: set by the hooks of useSyncBucket().
export let server: S3rverHandle;
export let admin: S3Client;
export let work: string;
export let dist: string;
export let bucket: string;
let bucketCount = 0;

/** One s3rver per test file, and a fresh bucket and build directory per test. */
export function useSyncBucket(): void {
  beforeAll(async () => {
    server = await startS3rver();
    admin = server.client();
  });

  afterAll(async () => {
    await server?.close();
  });

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 's3-sync-'));
    dist = path.join(work, 'dist');
    await mkdir(dist);
    bucket = `sync-test-${process.pid}-${++bucketCount}`;
    await server.createBucket(bucket);
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });
}

/** What happened, in order: S3 commands (start and end) and invalidator calls. */
export type Event = { event: string; key?: string };

export interface Deploy {
  report: SyncReport;
  events: Event[];
  logger: MemoryLogger;
}

export const MUTATING = [
  'PutObjectCommand',
  'CopyObjectCommand',
  'DeleteObjectsCommand',
  'DeleteObjectCommand',
  'CreateMultipartUploadCommand',
  'UploadPartCommand',
  'CompleteMultipartUploadCommand',
];

export function recordingClient(events: Event[], concurrency: number): S3Client {
  const client = createS3Client(
    {
      region: S3RVER_REGION,
      credentials: S3RVER_CREDENTIALS,
      maxAttempts: 2,
      actionName: 'sync-s3-invalidate-cloudfront',
    },
    { concurrency, endpoint: server.endpoint },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key;
      events.push({ event: `start ${context.commandName}`, key });
      const result = await next(args);
      events.push({ event: `end ${context.commandName}`, key });
      return result;
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return client;
}

export class FakeInvalidator implements Invalidator {
  readonly created: string[][] = [];
  constructor(
    private readonly events: Event[],
    private readonly waitOutcome: () => Promise<void> = () =>
      new Promise((resolve) => setTimeout(resolve, 30)),
  ) {}
  async create(paths: readonly string[]): Promise<string> {
    this.created.push([...paths]);
    this.events.push({ event: 'invalidation created' });
    return `I${this.created.length}`;
  }
  async wait(): Promise<void> {
    await this.waitOutcome();
    this.events.push({ event: 'invalidation completed' });
  }
}

export function options(overrides: Partial<SyncOptions> = {}): SyncOptions {
  return {
    sourceDir: dist,
    bucket,
    prefix: '',
    include: ['**'],
    exclude: [],
    uploadLast: DEFAULT_UPLOAD_LAST,
    cacheControlRules: [],
    contentTypeRules: [],
    delete: true,
    maxDeletes: 100,
    invalidation: 'changed',
    invalidationMaxPaths: 100,
    originPath: '',
    waitForInvalidation: true,
    invalidationTimeoutMs: 60_000,
    concurrency: 4,
    dryRun: false,
    ...overrides,
  };
}

export async function deploy(
  overrides: Partial<SyncOptions> = {},
  makeInvalidator?: (events: Event[]) => Invalidator,
): Promise<Deploy> {
  const events: Event[] = [];
  const logger = new MemoryLogger();
  const opts = options(overrides);
  const s3 = recordingClient(events, opts.concurrency);
  try {
    const invalidator = makeInvalidator?.(events);
    const report = await syncToS3(opts, { s3, logger, ...(invalidator ? { invalidator } : {}) });
    return { report, events, logger };
  } finally {
    s3.destroy();
  }
}

/** Deploys expecting failure; returns the error and what was sent. */
export async function failedDeploy(
  overrides: Partial<SyncOptions> = {},
  makeInvalidator?: (events: Event[]) => Invalidator,
) {
  const events: Event[] = [];
  const opts = options(overrides);
  const s3 = recordingClient(events, opts.concurrency);
  try {
    const invalidator = makeInvalidator?.(events);
    await syncToS3(opts, {
      s3,
      logger: new MemoryLogger(),
      ...(invalidator ? { invalidator } : {}),
    });
  } catch (error) {
    return { error: error as Error, events };
  } finally {
    s3.destroy();
  }
  throw new Error('expected the sync to fail');
}

export async function put(relPath: string, content: string | Buffer = relPath): Promise<void> {
  const full = path.join(dist, relPath);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, content);
}

export const SITE: Record<string, string> = {
  'index.html': '<script src="/assets/index-BxA3d9_Z.js"></script>',
  'docs/index.html': '<h1>Docs</h1>',
  'assets/index-BxA3d9_Z.js': 'console.log("app")',
  'assets/index-CJbLrb3L.css': 'body{}',
  'favicon.ico': 'icon',
  'sw.js': 'self.addEventListener("fetch", () => {})',
  'data/unknown.xyz123': 'opaque',
};

export async function writeSite(files: Record<string, string> = SITE): Promise<void> {
  for (const [relPath, content] of Object.entries(files)) await put(relPath, content);
}

export async function head(key: string) {
  return admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

export async function body(key: string): Promise<string> {
  const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToString();
}

export async function keys(): Promise<string[]> {
  const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

export function commands(events: Event[], name: string): string[] {
  return events.filter((e) => e.event === `start ${name}`).map((e) => e.key ?? '');
}

export function mutations(events: Event[]): Event[] {
  return events.filter((e) => MUTATING.some((m) => e.event === `start ${m}`));
}

export const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** The pending-invalidation record of a deploy to the whole bucket. */
export const RECORD = '.deploy-actions/pending-invalidation.json';
