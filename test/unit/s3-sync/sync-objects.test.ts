// S3 object handling: multipart uploads, entry files uploaded last, objects from other tools,
// paged listings, and DeleteObjects' checksum on custom endpoints.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MemoryLogger } from '@deploy-actions/action-kit/engine';
import { MiB, syncToS3 } from '../../../packages/s3-sync/src/index.js';
import {
  SITE,
  admin,
  bucket,
  commands,
  deploy,
  dist,
  head,
  keys,
  mutations,
  options,
  put,
  recordingClient,
  sha256,
  useSyncBucket,
  writeSite,
} from './fixtures.js';

useSyncBucket();

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
