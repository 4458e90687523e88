// A whole deploy through syncToS3 with the real invalidator: only changed paths are invalidated,
// and stale objects are deleted only after the invalidation completed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_UPLOAD_LAST,
  findBucketOrigin,
  createS3Client,
  syncToS3,
  type SyncOptions,
} from '../../../packages/s3-sync/src/index.js';
import { S3RVER_CREDENTIALS, S3RVER_REGION, startS3rver } from '../../../tools/services/s3rver.js';
import {
  MINUTE,
  client,
  clock,
  cloudfront,
  distributionRef,
  invalidator,
  logger,
  useCloudFrontSimulator,
} from './cloudfront-fixtures.js';

useCloudFrontSimulator();

describe('a deploy through syncToS3 with the real invalidator', () => {
  test('one changed page: its paths with aliases, through the origin path, one invalidation; stale objects deleted after it completed', async () => {
    const s3rver = await startS3rver();
    const work = await mkdtemp(path.join(tmpdir(), 's3-sync-cloudfront-'));
    const s3 = createS3Client(
      {
        region: S3RVER_REGION,
        credentials: S3RVER_CREDENTIALS,
        maxAttempts: 2,
        actionName: 'test',
      },
      { concurrency: 4, endpoint: s3rver.endpoint },
    );
    try {
      const bucket = `cf-sync-${process.pid}`;
      await s3rver.createBucket(bucket);
      const { id } = cloudfront.addDistribution({ bucket, originPath: '/app' });
      const dist = path.join(work, 'dist');
      const write = async (rel: string, content: string) => {
        await mkdir(path.dirname(path.join(dist, rel)), { recursive: true });
        await writeFile(path.join(dist, rel), content);
      };
      await write('index.html', '<h1>home</h1>');
      await write('docs/index.html', '<h1>docs v1</h1>');
      await write('old.html', 'to be removed');
      const origin = await findBucketOrigin(client, distributionRef(id), {
        bucket,
        prefix: 'app/',
      });
      const options: SyncOptions = {
        sourceDir: dist,
        bucket,
        prefix: 'app/',
        include: ['**'],
        exclude: [],
        uploadLast: DEFAULT_UPLOAD_LAST,
        cacheControlRules: [],
        contentTypeRules: [],
        delete: true,
        maxDeletes: 10,
        invalidation: 'changed',
        invalidationMaxPaths: 100,
        originPath: origin.originPath,
        waitForInvalidation: true,
        invalidationTimeoutMs: 10 * MINUTE,
        concurrency: 4,
        dryRun: false,
        deployId: 'org/app/42/1/deploy/web',
      };
      const deps = { s3, invalidator: invalidator(id), logger, clock };
      const first = await syncToS3(options, deps);
      expect(first.uploaded).toBe(3);
      expect(first.invalidationId).toBeUndefined(); // new keys: nothing was cached
      expect(cloudfront.invalidations(id)).toEqual([]);

      await write('docs/index.html', '<h1>docs v2</h1>');
      await rm(path.join(dist, 'old.html'));
      const second = await syncToS3({ ...options, deployId: 'org/app/43/1/deploy/web' }, deps);
      expect(second).toMatchObject({ uploaded: 1, deleted: 1 });
      const [made, ...more] = cloudfront.invalidations(id);
      expect(more).toEqual([]);
      expect(made).toMatchObject({
        id: second.invalidationId,
        paths: ['/docs', '/docs/', '/docs/index.html', '/old.html'],
        callerReference: expect.stringMatching(/^deploy-actions-s3-sync-[0-9a-f]{40}$/),
        status: 'Completed',
      });
      // DeleteObjects ran only after the invalidation was seen Completed.
      const lines = logger.lines;
      const completed = lines.findIndex((l) => /Invalidation \S+ completed in/.test(l));
      const deleted = lines.indexOf('deleted app/old.html');
      expect(completed).toBeGreaterThan(-1);
      expect(deleted).toBeGreaterThan(completed);
    } finally {
      s3.destroy();
      await s3rver.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
