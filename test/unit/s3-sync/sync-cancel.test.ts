/**
 * The step's cancel (deps.signal): no upload, delete or invalidation starts after it, the
 * invalidation wait ends at once, and the report says what was done and what was left.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { MemoryLogger } from '@deploy-actions/action-kit/engine';
import {
  syncToS3,
  type Invalidator,
  type SyncOptions,
} from '../../../packages/s3-sync/src/index.js';
import {
  calls,
  cloudfront,
  clock,
  invalidator as realInvalidator,
  useCloudFrontSimulator,
} from './cloudfront-fixtures.js';
import {
  FakeInvalidator,
  bucket,
  commands,
  dist,
  keys,
  mutations,
  options,
  put,
  recordingClient,
  useSyncBucket,
  type Event,
} from './fixtures.js';

useSyncBucket();
useCloudFrontSimulator();

async function sync(
  overrides: Partial<SyncOptions>,
  deps: { signal: AbortSignal; invalidator?: Invalidator; onEnd?: (command: string) => void },
) {
  const events: Event[] = [];
  const opts = options(overrides);
  const s3 = recordingClient(events, opts.concurrency);
  if (deps.onEnd) {
    const onEnd = deps.onEnd;
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        onEnd(context.commandName ?? '');
        return result;
      },
      { step: 'initialize', name: 'abortAfter' },
    );
  }
  const logger = new MemoryLogger();
  try {
    const report = await syncToS3(opts, {
      s3,
      logger,
      signal: deps.signal,
      ...(deps.invalidator && { invalidator: deps.invalidator }),
    });
    return { report, events, logger };
  } finally {
    s3.destroy();
  }
}

/** A bucket holding an earlier deploy: a page that changes and a file no longer built. */
async function earlierDeploy(): Promise<void> {
  await put('index.html', 'v1');
  await put('old.js', 'stale');
  await sync({}, { signal: new AbortController().signal });
  await put('index.html', 'v2');
  for (const name of ['a.js', 'b.js', 'c.js', 'd.js']) await put(name, name);
  await rm(path.join(dist, 'old.js'));
}

describe('syncToS3 with a cancel signal', () => {
  it('starts nothing when the signal aborted before the run', async () => {
    await earlierDeploy();
    const before = await keys();
    const { report, events } = await sync(
      {},
      { signal: AbortSignal.abort(), invalidator: new FakeInvalidator([]) },
    );
    expect(mutations(events)).toEqual([]);
    expect(await keys()).toEqual(before);
    expect(report.uploaded).toBe(0);
    expect(report.deleted).toBe(0);
    expect(report.invalidationId).toBeUndefined();
    expect(report.cancelled).toBe(
      'Cancelled after 0 of 5 uploads; nothing deleted (1 stale objects left for the next deploy); no invalidation created. Run the deploy again to finish it.',
    );
  });

  it('aborted mid-upload: later files are not uploaded and nothing is deleted', async () => {
    await earlierDeploy();
    const controller = new AbortController();
    const invalidator = new FakeInvalidator([]);
    const { report, events, logger } = await sync(
      { concurrency: 1 },
      {
        signal: controller.signal,
        invalidator,
        onEnd: (command) => {
          if (command === 'PutObjectCommand') controller.abort();
        },
      },
    );
    expect(commands(events, 'PutObjectCommand')).toEqual(['a.js']);
    expect(commands(events, 'DeleteObjectsCommand')).toEqual([]);
    expect(invalidator.created).toEqual([]);
    expect(await keys()).toEqual(['a.js', 'index.html', 'old.js']);
    expect(report.uploaded).toBe(1);
    expect(report.cancelled).toMatch(/^Cancelled after 1 of 5 uploads; nothing deleted/);
    expect(logger.lines.some((line) => line.includes('Cancelled after 1 of 5 uploads'))).toBe(true);
  });

  it('aborted during the invalidation wait: returns at once, saying the invalidation goes on', async () => {
    await earlierDeploy();
    const controller = new AbortController();
    // Never completes: only the signal can end the wait.
    const invalidator = new FakeInvalidator([], () => new Promise(() => {}));
    const create = invalidator.create.bind(invalidator);
    invalidator.create = async (paths) => {
      const id = await create(paths);
      setTimeout(() => controller.abort(), 20);
      return id;
    };
    const started = Date.now();
    const { report, events } = await sync({}, { signal: controller.signal, invalidator });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(report.uploaded).toBe(5);
    expect(commands(events, 'DeleteObjectsCommand')).toEqual([]);
    expect(await keys()).toContain('old.js');
    expect(report.invalidationId).toBe('I1');
    expect(report.cancelled).toBe(
      'Cancelled after 5 of 5 uploads; nothing deleted (1 stale objects left for the next deploy); invalidation I1 still in progress — it completes on its own. Run the deploy again to finish it.',
    );
  });

  it('with the real invalidator: no GetInvalidation after the cancel, the invalidation stays in progress', async () => {
    await earlierDeploy();
    const { id } = cloudfront.addDistribution({ bucket });
    const controller = new AbortController();
    const real = realInvalidator(id);
    const invalidator: Invalidator = {
      create: async (paths, reference) => {
        const created = await real.create(paths, reference);
        controller.abort();
        return created;
      },
      wait: (invalidationId, timeoutMs, signal) => real.wait(invalidationId, timeoutMs, signal),
    };
    const { report, events } = await sync({}, { signal: controller.signal, invalidator });
    expect(calls('GetInvalidation')).toEqual([]);
    expect(cloudfront.invalidations(id).map((i) => i.status)).toEqual(['InProgress']);
    expect(clock.now()).toBe(0);
    expect(commands(events, 'DeleteObjectsCommand')).toEqual([]);
    expect(report.cancelled).toContain(
      `invalidation ${report.invalidationId} still in progress — it completes on its own`,
    );
  });

  it('a signal that never aborts changes nothing', async () => {
    await earlierDeploy();
    const { report } = await sync(
      {},
      { signal: new AbortController().signal, invalidator: new FakeInvalidator([]) },
    );
    expect(report.cancelled).toBeUndefined();
    expect(report.deleted).toBe(1);
    expect(await keys()).not.toContain('old.js');
  });
});
