/**
 * sync-s3-invalidate-cloudfront against `aws s3 sync --delete` (Debian's AWS
 * CLI v2, /usr/bin/aws), on the same generated build of a React-like single
 * page app (2,000+ files: hashed JS chunks and their source maps, CSS, images,
 * fonts, HTML pages), against the same s3rver, in one run:
 *
 * 1. First upload to an empty bucket.
 * 2. Redeploy of an identical build after a fresh CI build (every file has a
 *    new modification time): the CLI decides by size and time, ours by content.
 * 3. One changed file in a fresh CI build (every file touched, one file's bytes
 *    changed).
 *
 * Ours is the committed dist/ bundle under Node 24, run by tools/runner as
 * the runner runs it, with default inputs (concurrency 8) and no distribution
 * (the CLI invalidates nothing either). The peer runs with the CLI's defaults
 * (10 concurrent requests). Each repetition alternates which goes first.
 *
 * Run: npm run bench -- bench/s3-sync   (BENCH_REPETITIONS=3 by default)
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runIsolated } from '../../tools/runner/index.mjs';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../../tools/services/s3rver.js';
import { report, timeRuns, type Comparison } from '../support/report.js';

const run = promisify(execFile);
const AWS_CLI = '/usr/bin/aws';
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);

let s3rver: S3rverHandle;
let work: string;
let build: string;
let buckets = 0;

// --- The build --------------------------------------------------------------------

/** Deterministic PRNG (mulberry32), so every run generates the same build. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A log-normal size around `median` bytes, clamped: bundles have few big files and many small ones. */
function size(random: () => number, median: number, min: number, max: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.round(Math.min(max, Math.max(min, median * Math.exp(normal * 0.9))));
}

function hex(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(random() * 16).toString(16);
  return out;
}

/** Incompressible bytes (as minified and image files nearly are), from the seeded PRNG. */
function bytes(random: () => number, length: number): Buffer {
  const buffer = Buffer.alloc(Math.ceil(length / 4) * 4);
  for (let i = 0; i < buffer.length; i += 4) buffer.writeUInt32LE((random() * 2 ** 32) >>> 0, i);
  return buffer.subarray(0, length);
}

interface BuildStats {
  files: number;
  bytes: number;
}

/**
 * The shape of a large create-react-app / Vite production build: an index.html
 * and route pages, 900 JS chunks with a source map each, 2 vendor bundles,
 * CSS chunks, images (png, jpg, webp, svg), fonts and a few root files.
 */
function generateBuild(dir: string): BuildStats {
  const random = prng(20_251_123);
  const files: [string, Buffer | string][] = [];
  const chunks: string[] = [];
  for (let i = 0; i < 900; i++) {
    const name = `static/js/${i}.${hex(random, 8)}.chunk.js`;
    files.push([name, bytes(random, size(random, 6_000, 300, 250_000))]);
    files.push([`${name}.map`, bytes(random, size(random, 18_000, 800, 900_000))]);
    chunks.push(name);
  }
  for (const vendor of ['vendors', 'main']) {
    const name = `static/js/${vendor}.${hex(random, 8)}.js`;
    files.push([name, bytes(random, 900_000 + Math.floor(random() * 600_000))]);
    files.push([`${name}.map`, bytes(random, 3_000_000)]);
    chunks.push(name);
  }
  for (let i = 0; i < 120; i++) {
    files.push([
      `static/css/${i}.${hex(random, 8)}.chunk.css`,
      bytes(random, size(random, 3_000, 200, 60_000)),
    ]);
  }
  const images = ['png', 'jpg', 'webp', 'svg'];
  for (let i = 0; i < 300; i++) {
    const ext = images[i % images.length]!;
    files.push([
      `static/media/img-${i}.${hex(random, 8)}.${ext}`,
      bytes(random, size(random, 25_000, 400, 600_000)),
    ]);
  }
  for (let i = 0; i < 40; i++) {
    files.push([
      `static/media/font-${i}.${hex(random, 8)}.woff2`,
      bytes(random, size(random, 40_000, 15_000, 120_000)),
    ]);
  }
  const page = (title: string) =>
    `<!doctype html><html><head><title>${title}</title>${chunks
      .slice(0, 3)
      .map((c) => `<script defer src="/${c}"></script>`)
      .join('')}</head><body><div id="root"></div></body></html>\n${'<!-- pad -->'.repeat(200)}`;
  files.push(['index.html', page('Home')]);
  for (let i = 0; i < 60; i++) files.push([`app/route-${i}/index.html`, page(`Route ${i}`)]);
  files.push(['favicon.ico', bytes(random, 15_000)]);
  files.push(['manifest.json', '{"short_name":"App","start_url":"."}']);
  files.push(['robots.txt', 'User-agent: *\n']);
  files.push(['asset-manifest.json', JSON.stringify({ files: chunks })]);
  files.push(['service-worker.js', 'self.addEventListener("fetch", () => {});']);

  rmSync(dir, { recursive: true, force: true });
  let total = 0;
  for (const [rel, content] of files) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
    total += Buffer.byteLength(content);
  }
  return { files: files.length, bytes: total };
}

function filesOf(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((entry) => {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    return entry.isDirectory() ? filesOf(dir, child) : [child];
  });
}

/** What a fresh CI build does: every file written again, so every modification time is new. */
let touches = 0;
function touchAll(dir: string): void {
  const later = new Date(Date.now() + 60_000 * ++touches);
  for (const rel of filesOf(dir)) utimesSync(path.join(dir, rel), later, later);
}

// --- The two deployers ------------------------------------------------------------

async function newBucket(): Promise<string> {
  const bucket = `bench-${process.pid}-${++buckets}`;
  await s3rver.createBucket(bucket);
  return bucket;
}

/** Our action: the dist bundle under Node 24, as the runner runs it. Returns the files uploaded. */
async function ours(bucket: string): Promise<number> {
  const result = await runIsolated({
    action: 'sync-s3-invalidate-cloudfront',
    inputs: { 'source-dir': build, bucket, 'aws-region': 'us-east-1' },
    env: {
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3rver.endpoint,
    },
    timeoutMs: 1_800_000,
  });
  if (result.exitCode !== 0) throw new Error(`our sync failed:\n${result.log.slice(-4000)}`);
  return Number(result.outputs.uploaded);
}

/** `aws s3 sync <build> s3://<bucket> --delete`, as workflows run it today. Returns the files uploaded. */
async function peer(bucket: string): Promise<number> {
  const { stdout } = await run(
    AWS_CLI,
    [
      's3',
      'sync',
      build,
      `s3://${bucket}`,
      '--delete',
      '--no-progress',
      '--endpoint-url',
      s3rver.endpoint,
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: work,
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: path.join(work, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 1_800_000,
    },
  );
  return stdout.split('\n').filter((line) => line.startsWith('upload:')).length;
}

async function keyCount(bucket: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await s3rver
      .client()
      .send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    count += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return count;
}

/** Times both deployers `REPETITIONS` times, alternating which goes first; records the last upload counts. */
async function compare(
  prepare: () => Promise<{ ours: string; peer: string }>,
): Promise<{ ours: number[]; peer: number[]; oursUploads: number; peerUploads: number }> {
  const samples = { ours: [] as number[], peer: [] as number[], oursUploads: 0, peerUploads: 0 };
  for (let rep = 0; rep < REPETITIONS; rep++) {
    const targets = await prepare();
    const runOurs = async () => {
      samples.ours.push(
        ...(await timeRuns(1, async () => void (samples.oursUploads = await ours(targets.ours)))),
      );
    };
    const runPeer = async () => {
      samples.peer.push(
        ...(await timeRuns(1, async () => void (samples.peerUploads = await peer(targets.peer)))),
      );
    };
    if (rep % 2 === 0) {
      await runOurs();
      await runPeer();
    } else {
      await runPeer();
      await runOurs();
    }
  }
  return samples;
}

beforeAll(async () => {
  s3rver = await startS3rver();
  work = mkdtempSync(path.join(tmpdir(), 'bench-s3-sync-'));
  build = path.join(work, 'build');
}, 120_000);

afterAll(async () => {
  await s3rver?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('sync-s3-invalidate-cloudfront vs aws s3 sync', async () => {
  const stats = generateBuild(build);
  if (stats.files < 2000) throw new Error(`the build has only ${stats.files} files`);

  // 1. First upload: a new empty bucket for each side and repetition.
  const first = await compare(async () => ({ ours: await newBucket(), peer: await newBucket() }));
  if (first.oursUploads !== stats.files || first.peerUploads !== stats.files) {
    throw new Error(
      `first upload: ours ${first.oursUploads}, peer ${first.peerUploads} of ${stats.files}`,
    );
  }

  // The buckets the later scenarios redeploy to, each holding the build.
  const target = { ours: await newBucket(), peer: await newBucket() };
  await ours(target.ours);
  await peer(target.peer);
  for (const bucket of [target.ours, target.peer]) {
    const count = await keyCount(bucket);
    if (count !== stats.files) throw new Error(`${bucket} holds ${count} of ${stats.files} files`);
  }

  // 2. Fresh CI build of the same sources: every file touched, no byte changed.
  const touched = await compare(async () => {
    touchAll(build);
    return target;
  });
  if (touched.oursUploads !== 0)
    throw new Error(`ours uploaded ${touched.oursUploads} unchanged files`);

  // 3. Fresh CI build with one changed file (a route page's text).
  let edit = 0;
  const oneChanged = await compare(async () => {
    touchAll(build);
    writeFileSync(
      path.join(build, 'app/route-7/index.html'),
      `<!doctype html><p>edit ${++edit}</p>`,
    );
    return target;
  });
  if (oneChanged.oursUploads !== 1)
    throw new Error(`ours uploaded ${oneChanged.oursUploads} files for one change`);

  const measurement = (samples: {
    ours: number[];
    peer: number[];
    oursUploads: number;
    peerUploads: number;
  }): Pick<Comparison, 'ours' | 'peer'> => ({
    ours: {
      name: 'sync-s3-invalidate-cloudfront',
      samplesMs: samples.ours,
      counts: { uploads: samples.oursUploads },
    },
    peer: {
      name: 'aws s3 sync --delete',
      samplesMs: samples.peer,
      counts: { uploads: samples.peerUploads },
    },
  });
  report(
    'S3 sync',
    [
      {
        scenario: `First upload (${stats.files} files, ${(stats.bytes / 1e6).toFixed(0)} MB)`,
        ...measurement(first),
      },
      { scenario: 'Redeploy, fresh CI build, nothing changed', ...measurement(touched) },
      { scenario: 'Fresh CI build, one file changed', ...measurement(oneChanged) },
    ],
    [
      `Build: ${stats.files} files, ${(stats.bytes / 1e6).toFixed(1)} MB (900 JS chunks + source maps, 2 vendor bundles, 120 CSS, 300 images, 40 fonts, 61 HTML pages, root files). s3rver on 127.0.0.1; ours with default inputs (concurrency 8), the CLI with its defaults (10 requests). ${REPETITIONS} repetitions, alternating which runs first.`,
    ],
  );
});
