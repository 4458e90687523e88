/** @needs awscli s3rver */
// sync-s3-invalidate-cloudfront end to end, when things go wrong: readers during a deploy, a deploy
// killed midway, CloudFront throttling and limits, a role that may not read invalidations, and an
// interrupted deploy's pending invalidation. The committed bundle runs under Node 24 against
// s3rver and the simulator's CloudFront (setup.ts says how).
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { visibleLog } from '../../support/harness.js';
import { S3RVER_CREDENTIALS } from '../../../tools/services/s3rver.js';
import {
  RECORD,
  type SyncRun,
  aws,
  cloudfront,
  expectBucketToEqualBuild,
  getBytes,
  headObject,
  isRecord,
  listKeys,
  newBucket,
  proxy,
  recordOps,
  s3Ops,
  s3rver,
  siteV1,
  sync,
  touchAll,
  useSyncServices,
  versionedSite,
  work,
  writeBuild,
} from './setup.js';

useSyncServices();

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
