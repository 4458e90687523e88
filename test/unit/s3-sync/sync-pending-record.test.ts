// The pending-invalidation record: an interrupted deploy's invalidation is not lost, and the
// re-run invalidates what it overwrote exactly once.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import {
  parseCacheControlRules,
  syncToS3,
  type Invalidator,
  type SyncOptions,
} from '../../../packages/s3-sync/src/index.js';
import {
  FakeInvalidator,
  RECORD,
  admin,
  body,
  bucket,
  commands,
  deploy,
  failedDeploy,
  head,
  keys,
  mutations,
  options,
  put,
  recordingClient,
  useSyncBucket,
  writeSite,
  type Event,
} from './fixtures.js';

useSyncBucket();

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
