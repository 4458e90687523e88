// A deploy's uploads (headers, hashes, copies for header-only changes) and when stale objects
// are deleted relative to the CloudFront invalidation.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { UserError } from '@deploy-actions/action-kit/engine';
import {
  IMMUTABLE,
  NO_CACHE,
  parseCacheControlRules,
} from '../../../packages/s3-sync/src/index.js';
import {
  FakeInvalidator,
  RECORD,
  SITE,
  admin,
  body,
  bucket,
  commands,
  deploy,
  dist,
  failedDeploy,
  head,
  keys,
  mutations,
  put,
  sha256,
  useSyncBucket,
  writeSite,
} from './fixtures.js';

useSyncBucket();

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
