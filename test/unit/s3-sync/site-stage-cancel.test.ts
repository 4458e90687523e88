/**
 * The root pipeline's site stage passes the step's cancel to the sync: a cancelled sync is no
 * success (the run then marks the stage cancelled) and still carries its report.
 */
import { MemoryLogger } from '@deploy-actions/action-kit/engine';
import { siteStage } from '../../../packages/pipeline/src/stages.js';
import { scanBuild } from '../../../packages/s3-sync/src/index.js';
import {
  keys,
  mutations,
  options,
  put,
  recordingClient,
  useSyncBucket,
  type Event,
} from './fixtures.js';

useSyncBucket();

it('a signal aborted before the site stage: nothing written, the stage does not succeed', async () => {
  await put('index.html', 'home');
  const opts = options();
  const logger = new MemoryLogger();
  const scanned = await scanBuild(opts, logger);
  const events: Event[] = [];
  const s3 = recordingClient(events, opts.concurrency);
  try {
    const result = await siteStage({ ...opts, distributionId: undefined }, scanned, {
      s3,
      cloudfront: undefined,
      deployId: undefined,
      logger,
      signal: AbortSignal.abort(),
    });
    expect(result.status).toBe('failed');
    expect((result.error as Error).message).toMatch(/^Cancelled after 0 of 1 uploads/);
    expect(result.report?.report.uploaded).toBe(0);
    expect(mutations(events)).toEqual([]);
    expect(await keys()).toEqual([]);
  } finally {
    s3.destroy();
  }
});
