/**
 * The SHA-256 metadata an upload stores always matches the stored bytes, even when a file
 * changes between the scan and its upload: small files (PutObject) and multipart uploads alike.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { MemoryLogger } from '@deploy-actions/action-kit/engine';
import { scanBuild, syncToS3 } from '../../../packages/s3-sync/src/index.js';
import {
  admin,
  bucket,
  commands,
  keys,
  options,
  put,
  recordingClient,
  sha256,
  useSyncBucket,
  type Event,
} from './fixtures.js';

useSyncBucket();

async function stored(key: string): Promise<{ bytes: Buffer; hash: string | undefined }> {
  const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from(await object.Body!.transformToByteArray());
  return { bytes, hash: object.Metadata?.['sha256'] };
}

/** Scans, lets `between` change the build, then syncs the scanned files. */
async function syncAfterChange(thresholdBytes: number, between: () => Promise<void>) {
  const opts = options({ multipart: { thresholdBytes, partBytes: 8 * 1024 * 1024 } });
  const logger = new MemoryLogger();
  const scanned = await scanBuild(opts, logger);
  await between();
  const events: Event[] = [];
  const s3 = recordingClient(events, opts.concurrency);
  try {
    return await syncToS3({ ...opts, scanned }, { s3, logger }).then(
      (report) => ({ report, error: undefined, events }),
      (error: Error) => ({ report: undefined, error, events }),
    );
  } finally {
    s3.destroy();
  }
}

describe.each([
  ['a small file (PutObject)', 1024 * 1024],
  ['a multipart upload', 0],
])('%s changed after the scan', (_name, thresholdBytes) => {
  it('is never stored with the hash of other bytes', async () => {
    await put('app.js', 'planned bytes');
    const { error, events } = await syncAfterChange(thresholdBytes, () =>
      put('app.js', 'bytes written after the scan'),
    );
    expect(error?.message).toBe('app.js changed while the sync was running.');
    if ((await keys()).includes('app.js')) {
      const object = await stored('app.js');
      expect(object.hash).toBe(sha256(object.bytes));
    }
    // s3rver has no ListMultipartUploads: the commands show the upload was not completed.
    expect(commands(events, 'CompleteMultipartUploadCommand')).toEqual([]);
  });

  it('stores the hash of the bytes sent when nothing changed', async () => {
    await put('app.js', 'planned bytes');
    const { error } = await syncAfterChange(thresholdBytes, async () => {});
    expect(error).toBeUndefined();
    const object = await stored('app.js');
    expect(object.bytes.toString()).toBe('planned bytes');
    expect(object.hash).toBe(sha256('planned bytes'));
  });
});
