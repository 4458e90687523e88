/**
 * The sync engine against a real S3 server (s3rver), with a fake CloudFront
 * invalidator. Every S3 command is recorded by a client middleware, so tests
 * can assert which calls were made and in which order.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import {
  DEFAULT_UPLOAD_LAST,
  IMMUTABLE,
  MiB,
  NO_CACHE,
  createS3Client,
  parseCacheControlRules,
  scanBuild,
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

let server: S3rverHandle;
let admin: S3Client;
let work: string;
let dist: string;
let bucket: string;
let bucketCount = 0;

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

/** What happened, in order: S3 commands (start and end) and invalidator calls. */
type Event = { event: string; key?: string };

interface Deploy {
  report: SyncReport;
  events: Event[];
  logger: MemoryLogger;
}

const MUTATING = [
  'PutObjectCommand',
  'CopyObjectCommand',
  'DeleteObjectsCommand',
  'DeleteObjectCommand',
  'CreateMultipartUploadCommand',
  'UploadPartCommand',
  'CompleteMultipartUploadCommand',
];

function recordingClient(events: Event[], concurrency: number): S3Client {
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

class FakeInvalidator implements Invalidator {
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

function options(overrides: Partial<SyncOptions> = {}): SyncOptions {
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

async function deploy(
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
async function failedDeploy(
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

async function put(relPath: string, content: string | Buffer = relPath): Promise<void> {
  const full = path.join(dist, relPath);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, content);
}

const SITE: Record<string, string> = {
  'index.html': '<script src="/assets/index-BxA3d9_Z.js"></script>',
  'docs/index.html': '<h1>Docs</h1>',
  'assets/index-BxA3d9_Z.js': 'console.log("app")',
  'assets/index-CJbLrb3L.css': 'body{}',
  'favicon.ico': 'icon',
  'sw.js': 'self.addEventListener("fetch", () => {})',
  'data/unknown.xyz123': 'opaque',
};

async function writeSite(files: Record<string, string> = SITE): Promise<void> {
  for (const [relPath, content] of Object.entries(files)) await put(relPath, content);
}

async function head(key: string) {
  return admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

async function body(key: string): Promise<string> {
  const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToString();
}

async function keys(): Promise<string[]> {
  const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

function commands(events: Event[], name: string): string[] {
  return events.filter((e) => e.event === `start ${name}`).map((e) => e.key ?? '');
}

function mutations(events: Event[]): Event[] {
  return events.filter((e) => MUTATING.some((m) => e.event === `start ${m}`));
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** The pending-invalidation record of a deploy to the whole bucket. */
const RECORD = '.deploy-actions/pending-invalidation.json';

test('first deploy uploads every file with its Content-Type, Cache-Control and hash', async () => {
  await writeSite();
  const { report } = await deploy();
  expect(report).toMatchObject({ uploaded: 7, metadataUpdated: 0, unchanged: 0, deleted: 0 });
  expect(report.bytesUploaded).toBe(
    Object.values(SITE).reduce((sum, content) => sum + Buffer.byteLength(content), 0),
  );
  expect(await keys()).toEqual(Object.keys(SITE).sort());
  const expected: Record<string, [string, string]> = {
    'index.html': ['text/html; charset=utf-8', NO_CACHE],
    'assets/index-BxA3d9_Z.js': ['text/javascript; charset=utf-8', IMMUTABLE],
    'assets/index-CJbLrb3L.css': ['text/css; charset=utf-8', IMMUTABLE],
    'favicon.ico': ['image/vnd.microsoft.icon', NO_CACHE],
    'sw.js': ['text/javascript; charset=utf-8', NO_CACHE],
    'data/unknown.xyz123': ['application/octet-stream', NO_CACHE],
  };
  for (const [key, [contentType, cacheControl]] of Object.entries(expected)) {
    const object = await head(key);
    expect([key, object.ContentType, object.CacheControl]).toEqual([
      key,
      contentType,
      cacheControl,
    ]);
    expect(object.Metadata?.sha256).toBe(sha256(SITE[key]!));
  }
  expect(await body('index.html')).toBe(SITE['index.html']);
});

test('a redeploy of identical bytes with new modification times uploads nothing', async () => {
  await writeSite();
  await deploy();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await writeSite();
  const { report, events } = await deploy({}, (e) => new FakeInvalidator(e));
  expect(report).toMatchObject({ uploaded: 0, metadataUpdated: 0, unchanged: 7, deleted: 0 });
  expect(report.invalidationId).toBeUndefined();
  expect(mutations(events)).toEqual([]);
  expect(events.some((e) => e.event === 'invalidation created')).toBe(false);
});

test('one changed file is one upload, and only overwritten keys are invalidated', async () => {
  await writeSite();
  await deploy();
  await put('docs/index.html', '<h1>Docs v2</h1>');
  await put('assets/new-DmPa3qQK.js', 'new');
  let invalidator: FakeInvalidator | undefined;
  const { report, events } = await deploy({}, (e) => (invalidator = new FakeInvalidator(e)));
  // And the record of the pending invalidation, removed once it was created.
  expect(commands(events, 'PutObjectCommand').sort()).toEqual([
    RECORD,
    'assets/new-DmPa3qQK.js',
    'docs/index.html',
  ]);
  expect(commands(events, 'DeleteObjectCommand')).toEqual([RECORD]);
  expect(report).toMatchObject({ uploaded: 2, unchanged: 6, invalidationId: 'I1' });
  expect(invalidator!.created).toEqual([['/docs', '/docs/', '/docs/index.html']]);
  expect(await body('docs/index.html')).toBe('<h1>Docs v2</h1>');
});

test('a header-only rule change is fixed by CopyObject, not re-uploaded', async () => {
  await writeSite();
  await deploy();
  const rules = parseCacheControlRules('assets/**: public, max-age=600\n*.ico: public, max-age=60');
  let invalidator: FakeInvalidator | undefined;
  const { report, events } = await deploy(
    { cacheControlRules: rules },
    (e) => (invalidator = new FakeInvalidator(e)),
  );
  expect(commands(events, 'PutObjectCommand')).toEqual([RECORD]);
  expect(commands(events, 'CopyObjectCommand').sort()).toEqual([
    'assets/index-BxA3d9_Z.js',
    'assets/index-CJbLrb3L.css',
    'favicon.ico',
  ]);
  expect(report).toMatchObject({ uploaded: 0, metadataUpdated: 3, unchanged: 4 });
  const fixed = await head('assets/index-BxA3d9_Z.js');
  expect(fixed.CacheControl).toBe('public, max-age=600');
  expect(fixed.ContentType).toBe('text/javascript; charset=utf-8');
  expect(fixed.Metadata?.sha256).toBe(sha256(SITE['assets/index-BxA3d9_Z.js']!));
  expect(await body('assets/index-BxA3d9_Z.js')).toBe(SITE['assets/index-BxA3d9_Z.js']);
  expect(invalidator!.created[0]).toEqual([
    '/assets/index-BxA3d9_Z.js',
    '/assets/index-CJbLrb3L.css',
    '/favicon.ico',
  ]);
});

test('stale objects are deleted only after the invalidation completed, and only under the prefix', async () => {
  const outside = ['site-old/index.html', 'other/page.html', 'root.txt', 'sitemap.xml'];
  for (const key of outside) {
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  }
  await writeSite();
  await deploy({ prefix: 'site' });
  await rm(path.join(dist, 'docs'), { recursive: true });
  await rm(path.join(dist, 'favicon.ico'));
  let invalidator: FakeInvalidator | undefined;
  const { report, events } = await deploy(
    { prefix: '/site/', originPath: '/site' },
    (e) => (invalidator = new FakeInvalidator(e)),
  );
  expect(report).toMatchObject({ deleted: 2, invalidationId: 'I1' });
  expect(invalidator!.created[0]).toEqual(['/docs', '/docs/', '/docs/index.html', '/favicon.ico']);
  const order = events.map((e) => e.event);
  expect(order.indexOf('start DeleteObjectsCommand')).toBeGreaterThan(
    order.indexOf('invalidation completed'),
  );
  expect(order.indexOf('invalidation completed')).toBeGreaterThan(
    order.indexOf('invalidation created'),
  );
  const remaining = await keys();
  expect(remaining).toEqual(
    [...outside, ...Object.keys(SITE).map((k) => `site/${k}`)]
      .filter((k) => k !== 'site/docs/index.html' && k !== 'site/favicon.ico')
      .sort(),
  );
});

test('when the invalidation does not complete, nothing is deleted', async () => {
  await writeSite();
  await deploy();
  await rm(path.join(dist, 'favicon.ico'));
  const timeout = new UserError('Invalidation I1 did not complete within 1m.');
  const { error, events } = await failedDeploy(
    {},
    (e) => new FakeInvalidator(e, () => Promise.reject(timeout)),
  );
  expect(error).toBe(timeout);
  expect(commands(events, 'DeleteObjectsCommand')).toEqual([]);
  expect(await keys()).toContain('favicon.ico');
});

test('wait-for-invalidation false: the step ends once the invalidation is created', async () => {
  await writeSite();
  await deploy();
  await put('index.html', 'v2');
  let invalidator: FakeInvalidator | undefined;
  const { report, events, logger } = await deploy(
    { waitForInvalidation: false },
    (e) => (invalidator = new FakeInvalidator(e)),
  );
  expect(report.invalidationId).toBe('I1');
  expect(invalidator!.created).toEqual([['/', '/index.html']]);
  expect(events.map((e) => e.event)).not.toContain('invalidation completed');
  expect(logger.text()).toContain('not waiting for it (wait-for-invalidation: false)');
});

test('wait-for-invalidation false still waits before deleting stale objects', async () => {
  await writeSite();
  await deploy();
  await put('index.html', 'v2');
  await rm(path.join(dist, 'favicon.ico'));
  const { report, events, logger } = await deploy(
    { waitForInvalidation: false },
    (e) => new FakeInvalidator(e),
  );
  expect(report.deleted).toBe(1);
  const order = events.map((e) => e.event);
  expect(order.indexOf('invalidation completed')).toBeGreaterThan(-1);
  expect(order.indexOf('start DeleteObjectsCommand')).toBeGreaterThan(
    order.indexOf('invalidation completed'),
  );
  expect(logger.text()).toContain('waiting for it anyway: 1 stale objects');
});

test('a build scanned beforehand (scanBuild) is not scanned again', async () => {
  await writeSite();
  const logger = new MemoryLogger();
  const scanned = await scanBuild(options(), logger);
  expect(scanned.map((f) => f.relPath)).toEqual(Object.keys(SITE).sort());
  expect(logger.text()).toContain('7 files');
  await put('late.txt', 'written after the scan');
  const { report } = await deploy({ scanned });
  expect(report.uploaded).toBe(7);
  expect(await keys()).not.toContain('late.txt');
});

test('scanBuild fails on an empty build and on bad globs, before anything else', async () => {
  const logger = new MemoryLogger();
  await expect(scanBuild(options(), logger)).rejects.toThrow('holds no file to upload');
  await expect(scanBuild(options({ exclude: ['!x'] }), logger)).rejects.toThrow("Input 'exclude'");
});

test('more stale objects than max-deletes: fails, and nothing is uploaded or deleted', async () => {
  await writeSite();
  await deploy();
  for (const relPath of ['favicon.ico', 'sw.js', 'data/unknown.xyz123'])
    await rm(path.join(dist, relPath));
  await put('new.html', 'new');
  const { error, events } = await failedDeploy({ maxDeletes: 2 });
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toContain('3 objects under s3://');
  expect(error.message).toContain('more than max-deletes (2)');
  expect(mutations(events)).toEqual([]);
  expect(await keys()).toEqual(Object.keys(SITE).sort());
});

test('dotfiles are not uploaded; a symlink leaving source-dir fails before any AWS call', async () => {
  await writeSite();
  await put('.env', 'SECRET=1');
  await put('.git/config', '[core]');
  const { report } = await deploy();
  expect(report.uploaded).toBe(7);
  expect(await keys()).toEqual(Object.keys(SITE).sort());

  await writeFile(path.join(work, 'outside.txt'), 'not for the web');
  await symlink(path.join(work, 'outside.txt'), path.join(dist, 'leak.txt'));
  const { error, events } = await failedDeploy();
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toContain('leak.txt in source-dir is a symbolic link to');
  expect(events).toEqual([]);
  expect(await keys()).not.toContain('leak.txt');
});

test('bad input fails before any AWS call', async () => {
  await writeSite();
  const emptyBuild = path.join(work, 'empty');
  await mkdir(emptyBuild);
  for (const bad of [
    { sourceDir: emptyBuild },
    { bucket: 'Not_A_Bucket' },
    { sourceDir: path.join(work, 'missing') },
    { include: ['*.{js'] },
    { prefix: 'a/../b' },
    { concurrency: 0 },
  ]) {
    const { error, events } = await failedDeploy(bad);
    expect(error).toBeInstanceOf(UserError);
    expect(events).toEqual([]);
  }
});

test('a dry run reports the plan and changes nothing', async () => {
  await writeSite();
  await deploy();
  await put('index.html', 'changed');
  await put('new.js', 'new');
  await rm(path.join(dist, 'favicon.ico'));
  const before = await Promise.all(
    (await keys()).map(async (k) => [k, (await head(k)).ETag, await body(k)]),
  );
  let invalidator: FakeInvalidator | undefined;
  const { report, events, logger } = await deploy(
    { dryRun: true, cacheControlRules: parseCacheControlRules('*.css: no-store') },
    (e) => (invalidator = new FakeInvalidator(e)),
  );
  expect(report).toMatchObject({ dryRun: true, uploaded: 2, metadataUpdated: 1, deleted: 1 });
  expect(report.plan.deletes).toEqual(['favicon.ico']);
  expect(report.invalidatedPaths).toEqual([
    '/',
    '/assets/index-CJbLrb3L.css',
    '/favicon.ico',
    '/index.html',
  ]);
  expect(mutations(events)).toEqual([]);
  expect(invalidator!.created).toEqual([]);
  const after = await Promise.all(
    (await keys()).map(async (k) => [k, (await head(k)).ETag, await body(k)]),
  );
  expect(after).toEqual(before);
  expect(logger.text()).toContain('upload index.html');
  expect(logger.text()).toContain('delete favicon.ico');
  expect(logger.text()).toContain('Dry run: nothing was changed.');
});

test('a multipart upload carries the hash and is unchanged on redeploy', async () => {
  const large = randomBytes(20 * MiB);
  await put('video/intro.mp4', large);
  await put('index.html', '<video src="/video/intro.mp4"></video>');
  const multipart = { thresholdBytes: 8 * MiB, partBytes: 5 * MiB };
  const first = await deploy({ multipart });
  expect(commands(first.events, 'CreateMultipartUploadCommand')).toEqual(['video/intro.mp4']);
  expect(commands(first.events, 'UploadPartCommand')).toHaveLength(4);
  expect(first.report.transfers.find((t) => t.key === 'video/intro.mp4')?.method).toBe('multipart');
  const object = await head('video/intro.mp4');
  expect(object.Metadata?.sha256).toBe(sha256(large));
  expect(object.ContentType).toBe('video/mp4');
  expect(object.ContentLength).toBe(large.length);

  await put('video/intro.mp4', large);
  const second = await deploy({ multipart });
  expect(second.report).toMatchObject({ uploaded: 0, unchanged: 2 });
  expect(mutations(second.events)).toEqual([]);
});

test('every non-entry upload finishes before the first entry upload starts', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 12; i++) {
    files[`assets/chunk${i}-Bx${i}A3d9.js`] = 'x'.repeat(1000 * (i + 1));
    files[`page${i}.html`] = `<p>${i}</p>`;
  }
  files['sw.js'] = 'sw';
  await writeSite(files);
  const { events } = await deploy({ concurrency: 6 });
  const puts = events.filter((e) => e.event.endsWith('PutObjectCommand'));
  const isEntry = (key = '') => key.endsWith('.html') || key === 'sw.js';
  const lastNonEntryEnd = Math.max(
    ...puts.map((e, i) => (e.event.startsWith('end') && !isEntry(e.key) ? i : -1)),
  );
  const firstEntryStart = puts.findIndex((e) => e.event.startsWith('start') && isEntry(e.key));
  expect(puts.filter((e) => e.event.startsWith('start'))).toHaveLength(25);
  expect(lastNonEntryEnd).toBeGreaterThan(0);
  expect(firstEntryStart).toBeGreaterThan(lastNonEntryEnd);
});

test('objects uploaded by another tool: same bytes are kept (MD5 ETag), wrong headers are fixed', async () => {
  await writeSite();
  for (const key of ['index.html', 'favicon.ico']) {
    await admin.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: SITE[key],
        ContentType: key === 'index.html' ? 'text/html; charset=utf-8' : 'image/x-icon',
        CacheControl: 'no-cache',
      }),
    );
  }
  const { events, report } = await deploy();
  expect(commands(events, 'PutObjectCommand')).not.toContain('index.html');
  expect(commands(events, 'PutObjectCommand')).not.toContain('favicon.ico');
  expect(commands(events, 'CopyObjectCommand')).toEqual(['favicon.ico']);
  expect(report).toMatchObject({ uploaded: 5, metadataUpdated: 1, unchanged: 1 });
  expect((await head('favicon.ico')).ContentType).toBe('image/vnd.microsoft.icon');
});

test('more than 1,000 objects: the listing pages, and a redeploy uploads nothing', async () => {
  const files: Record<string, string> = { 'index.html': 'home' };
  for (let i = 0; i < 1010; i++) files[`p/${String(i).padStart(4, '0')}.txt`] = `page ${i}`;
  await writeSite(files);
  const first = await deploy({ concurrency: 16 });
  expect(first.report.uploaded).toBe(1011);
  const second = await deploy({ concurrency: 16 });
  expect(second.report).toMatchObject({ uploaded: 0, unchanged: 1011, deleted: 0 });
  expect(commands(second.events, 'ListObjectsV2Command')).toHaveLength(2);
});

test('with a custom endpoint, DeleteObjects carries Content-MD5 and no CRC32', async () => {
  await writeSite();
  await deploy();
  await rm(path.join(dist, 'favicon.ico'));
  const headers: Record<string, string>[] = [];
  const s3 = recordingClient([], 2);
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteObjectsCommand') {
        headers.push({ ...(args.request as { headers: Record<string, string> }).headers });
      }
      return next(args);
    },
    { step: 'deserialize', name: 'captureHeaders' },
  );
  await syncToS3(options(), { s3, logger: new MemoryLogger() });
  s3.destroy();
  expect(headers).toHaveLength(1);
  const names = Object.keys(headers[0]!).map((n) => n.toLowerCase());
  expect(names).toContain('content-md5');
  expect(names.filter((n) => n.startsWith('x-amz-checksum-'))).toEqual([]);
  expect(await keys()).not.toContain('favicon.ico');
});

// --- An interrupted deploy's invalidation is not lost (pending-invalidation record) ----------

/** CloudFront never accepts the invalidation: the deploy fails after its uploads. */
class RefusingInvalidator implements Invalidator {
  attempts = 0;
  async create(): Promise<string> {
    this.attempts++;
    throw new UserError('CloudFront did not accept the invalidation within 10s');
  }
  async wait(): Promise<void> {
    throw new Error('never created');
  }
}

async function record(prefix = ''): Promise<Record<string, unknown>> {
  return JSON.parse(await body(`${prefix}${RECORD}`)) as Record<string, unknown>;
}

/** Deploys v1 of SITE, then overwrites docs/index.html and favicon.ico in a deploy that never invalidates. */
async function interruptedDeploy(overrides: Partial<SyncOptions> = {}) {
  await writeSite();
  await deploy(overrides);
  await put('docs/index.html', '<h1>Docs v2</h1>');
  await put('favicon.ico', 'icon v2');
  await put('assets/new-DmPa3qQK.js', 'new');
  const refusing = new RefusingInvalidator();
  const failed = await failedDeploy(overrides, () => refusing);
  expect(failed.error.message).toContain('did not accept the invalidation');
  expect(refusing.attempts).toBe(1);
  return failed;
}

test('a deploy interrupted before its invalidation: the re-run invalidates what it overwrote, once', async () => {
  const { events } = await interruptedDeploy();
  // The overwrites happened; the record of their paths was written before the first of them.
  expect(await body('docs/index.html')).toBe('<h1>Docs v2</h1>');
  const recordWritten = events.findIndex(
    (e) => e.event === 'end PutObjectCommand' && e.key === RECORD,
  );
  const firstOverwrite = events.findIndex(
    (e) =>
      e.event === 'start PutObjectCommand' &&
      (e.key === 'docs/index.html' || e.key === 'favicon.ico'),
  );
  expect(recordWritten).toBeGreaterThan(-1);
  expect(firstOverwrite).toBeGreaterThan(recordWritten);
  expect(commands(events, 'PutObjectCommand').filter((k) => k === RECORD)).toHaveLength(1);
  expect(await record()).toMatchObject({ format: 1, keys: ['docs/index.html', 'favicon.ico'] });
  const stored = await head(RECORD);
  expect(stored.CacheControl).toBe('no-store');
  expect(stored.ContentType).toBe('application/json; charset=utf-8');

  // The re-run finds every file unchanged, and still invalidates the overwritten paths.
  let invalidator: FakeInvalidator | undefined;
  const rerun = await deploy({}, (e) => (invalidator = new FakeInvalidator(e)));
  expect(rerun.report).toMatchObject({ uploaded: 0, metadataUpdated: 0, unchanged: 8 });
  expect(invalidator!.created).toEqual([['/docs', '/docs/', '/docs/index.html', '/favicon.ico']]);
  expect(rerun.report.invalidatedPaths).toEqual([
    '/docs',
    '/docs/',
    '/docs/index.html',
    '/favicon.ico',
  ]);
  expect(commands(rerun.events, 'GetObjectCommand')).toEqual([RECORD]);
  expect(commands(rerun.events, 'PutObjectCommand')).toEqual([]);
  // Removed once the invalidation was created, before it completed.
  const order = rerun.events.map((e) => e.event);
  const removed = order.indexOf('start DeleteObjectCommand');
  expect(commands(rerun.events, 'DeleteObjectCommand')).toEqual([RECORD]);
  expect(removed).toBeGreaterThan(order.indexOf('invalidation created'));
  expect(removed).toBeLessThan(order.indexOf('invalidation completed'));
  expect(rerun.logger.text()).toContain('was interrupted before invalidating them');
  expect(await keys()).not.toContain(RECORD);

  // And then an identical redeploy writes nothing at all and invalidates nothing.
  let third: FakeInvalidator | undefined;
  const again = await deploy({}, (e) => (third = new FakeInvalidator(e)));
  expect(mutations(again.events)).toEqual([]);
  expect(commands(again.events, 'GetObjectCommand')).toEqual([]);
  expect(third!.created).toEqual([]);
});

test('the record is written before the first overwrite, not before new files, and only once', async () => {
  await writeSite();
  await deploy();
  const files: Record<string, string> = {};
  for (let i = 0; i < 6; i++) files[`assets/chunk${i}-Bx${i}A3d9.js`] = 'x'.repeat(1000 * (i + 1));
  await writeSite(files);
  await put('index.html', 'v2');
  await put('docs/index.html', 'docs v2');
  const { events } = await deploy({ concurrency: 3 }, (e) => new FakeInvalidator(e));
  const puts = events.filter((e) => e.event.startsWith('start PutObjectCommand')).map((e) => e.key);
  // Phase 1 (new assets) went without it; the entry files waited for it.
  expect(puts.indexOf(RECORD)).toBe(6);
  expect(puts.filter((k) => k === RECORD)).toHaveLength(1);
  const recordEnd = events.findIndex((e) => e.event === 'end PutObjectCommand' && e.key === RECORD);
  for (const key of ['index.html', 'docs/index.html']) {
    expect(
      events.findIndex((e) => e.event === 'start PutObjectCommand' && e.key === key),
    ).toBeGreaterThan(recordEnd);
  }
  expect(await keys()).not.toContain(RECORD);
});

test('a second interrupted deploy adds its keys to the record; a header fix counts as an overwrite', async () => {
  await interruptedDeploy();
  await put('index.html', 'home v2');
  const rules = parseCacheControlRules('*.css: public, max-age=60');
  const { events } = await failedDeploy(
    { cacheControlRules: rules },
    () => new RefusingInvalidator(),
  );
  const recordWritten = events.findIndex(
    (e) => e.event === 'end PutObjectCommand' && e.key === RECORD,
  );
  expect(recordWritten).toBeGreaterThan(-1);
  expect(events.findIndex((e) => e.event === 'start CopyObjectCommand')).toBeGreaterThan(
    recordWritten,
  );
  expect((await record()).keys).toEqual([
    'assets/index-CJbLrb3L.css',
    'docs/index.html',
    'favicon.ico',
    'index.html',
  ]);

  // Nothing new to overwrite: the record already holds it, and is not written again.
  const again = await failedDeploy({ cacheControlRules: rules }, () => new RefusingInvalidator());
  expect(mutations(again.events)).toEqual([]);

  let invalidator: FakeInvalidator | undefined;
  await deploy({ cacheControlRules: rules }, (e) => (invalidator = new FakeInvalidator(e)));
  expect(invalidator!.created).toEqual([
    [
      '/',
      '/assets/index-CJbLrb3L.css',
      '/docs',
      '/docs/',
      '/docs/index.html',
      '/favicon.ico',
      '/index.html',
    ],
  ]);
  expect(await keys()).not.toContain(RECORD);
});

test('under a prefix and an origin path, the record lives under the prefix and maps through the origin path', async () => {
  const options = { prefix: 'site/', originPath: '/site' };
  await interruptedDeploy(options);
  expect(await keys()).toContain(`site/${RECORD}`);
  expect((await record('site/')).keys).toEqual(['docs/index.html', 'favicon.ico']);
  let invalidator: FakeInvalidator | undefined;
  await deploy(options, (e) => (invalidator = new FakeInvalidator(e)));
  expect(invalidator!.created).toEqual([['/docs', '/docs/', '/docs/index.html', '/favicon.ico']]);
  expect(await keys()).not.toContain(`site/${RECORD}`);
});

test('invalidation none or no distribution: no record is written; one found is left, unread, with a warning', async () => {
  await writeSite();
  await deploy();
  await put('index.html', 'v2');
  const none = await deploy({ invalidation: 'none' }, (e) => new FakeInvalidator(e));
  expect(commands(none.events, 'PutObjectCommand')).toEqual(['index.html']);
  await put('index.html', 'v3');
  const noDistribution = await deploy();
  expect(commands(noDistribution.events, 'PutObjectCommand')).toEqual(['index.html']);

  await interruptedDeploy();
  const before = await body(RECORD);
  await put('index.html', 'v4');
  const left = await deploy();
  expect(commands(left.events, 'GetObjectCommand')).toEqual([]);
  expect(commands(left.events, 'PutObjectCommand')).toEqual(['index.html']);
  expect(left.report.plan.warnings.join('\n')).toContain('left for the next deploy that does');
  expect(left.logger.text()).toContain(RECORD);
  expect(await body(RECORD)).toBe(before);
});

test('a dry run reports the pending paths and writes nothing', async () => {
  await interruptedDeploy();
  const before = await body(RECORD);
  let invalidator: FakeInvalidator | undefined;
  const { report, events, logger } = await deploy(
    { dryRun: true },
    (e) => (invalidator = new FakeInvalidator(e)),
  );
  expect(report.invalidatedPaths).toEqual(['/docs', '/docs/', '/docs/index.html', '/favicon.ico']);
  expect(report.plan.pendingInvalidation?.keys).toEqual(['docs/index.html', 'favicon.ico']);
  expect(mutations(events)).toEqual([]);
  expect(invalidator!.created).toEqual([]);
  expect(logger.text()).toContain('would invalidate them too');
  expect(logger.text()).toContain('invalidate /docs/index.html');
  expect(await body(RECORD)).toBe(before);
});

test('an unreadable record invalidates everything under the root, then is removed', async () => {
  await writeSite();
  await deploy({ prefix: 'app' });
  await admin.send(
    new PutObjectCommand({ Bucket: bucket, Key: `app/${RECORD}`, Body: '{"keys": [truncated' }),
  );
  let invalidator: FakeInvalidator | undefined;
  const { report, logger } = await deploy(
    { prefix: 'app' },
    (e) => (invalidator = new FakeInvalidator(e)),
  );
  expect(report.uploaded).toBe(0);
  expect(invalidator!.created).toEqual([['/app/*']]);
  expect(logger.text()).toContain('cannot be read (it is not JSON)');
  expect(await keys()).not.toContain(`app/${RECORD}`);
});

test('the reserved directory is never deleted as stale, and a build may not contain it', async () => {
  await writeSite();
  await deploy();
  await admin.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `nested/${RECORD}`,
      Body: '{"format":1,"keys":[]}',
    }),
  );
  const include = ['**', '**/.deploy-actions/**'];
  const { report } = await deploy({ include }, (e) => new FakeInvalidator(e));
  expect(report.deleted).toBe(0);
  expect(await keys()).toContain(`nested/${RECORD}`);

  await put('.deploy-actions/pending-invalidation.json', '{}');
  const { error, events } = await failedDeploy({ include: ['**', '.deploy-actions/**'] });
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toContain('reserves for its own records');
  expect(events).toEqual([]);
});

test('a role that may not delete: the record is emptied instead, and then records nothing', async () => {
  await interruptedDeploy();
  const events: Event[] = [];
  const s3 = recordingClient(events, 4);
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteObjectCommand') {
        throw Object.assign(new Error('Access Denied'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'denyDeleteObject' },
  );
  const logger = new MemoryLogger();
  const invalidator = new FakeInvalidator(events);
  try {
    await syncToS3(options(), { s3, logger, invalidator });
  } finally {
    s3.destroy();
  }
  expect(invalidator.created).toHaveLength(1);
  expect(logger.text()).toContain('emptied instead of removed');
  expect(await record()).toMatchObject({ keys: [] });

  let next: FakeInvalidator | undefined;
  const again = await deploy({}, (e) => (next = new FakeInvalidator(e)));
  expect(commands(again.events, 'GetObjectCommand')).toEqual([RECORD]);
  expect(mutations(again.events)).toEqual([]);
  expect(next!.created).toEqual([]);
});

test('when the invalidation was created but did not complete, the record is gone anyway', async () => {
  await interruptedDeploy();
  const timeout = new UserError('Invalidation I1 did not complete within 1m.');
  let invalidator: FakeInvalidator | undefined;
  const { error } = await failedDeploy(
    {},
    (e) => (invalidator = new FakeInvalidator(e, () => Promise.reject(timeout))),
  );
  expect(error).toBe(timeout);
  expect(invalidator!.created).toHaveLength(1);
  expect(await keys()).not.toContain(RECORD);
});
