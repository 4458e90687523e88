import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Transform, pipeline } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { UserError } from '@deploy-actions/action-kit/engine';
import { callWith, errorCode, translateAwsError } from '@deploy-actions/aws';
import { S3_SYNC_TABLE } from './calls.js';
import type {
  MultipartSettings,
  PlannedMetadataUpdate,
  PlannedUpload,
  TransferMethod,
} from './types.js';
import { SHA256_METADATA, objectArn } from './remote.js';

export const MiB = 1024 * 1024;
/** Parts of one multipart upload in flight at once. */
export const MULTIPART_QUEUE_SIZE = 4;
const MIN_PART_BYTES = 5 * MiB;
const MAX_PARTS = 10_000;
/** DeleteObjects takes at most 1,000 keys per request. */
export const DELETE_BATCH_SIZE = 1000;

export const DEFAULT_MULTIPART: MultipartSettings = {
  thresholdBytes: 16 * MiB,
  partBytes: 8 * MiB,
};

/**
 * Uploads one file with its headers and content hash. Files under the
 * threshold are read into memory and sent by PutObject with Content-MD5: a
 * buffer can be resent when the SDK retries (a consumed stream cannot), and
 * hashing it again proves the bytes are the ones planned. Larger files stream
 * through a multipart upload, whose parts are retried one by one.
 *
 * Both paths hash the bytes actually sent. The SHA-256 metadata is fixed before
 * the first byte goes (it is a header of PutObject and CreateMultipartUpload),
 * so a file whose bytes differ from the planned hash fails the upload rather
 * than storing another hash: the multipart upload is aborted before it
 * completes, and S3 never holds a hash that does not match its bytes.
 */
export async function uploadFile(
  s3: S3Client,
  bucket: string,
  upload: PlannedUpload,
  multipart: MultipartSettings,
): Promise<TransferMethod> {
  const params = {
    Bucket: bucket,
    Key: upload.key,
    ContentType: upload.headers.contentType,
    CacheControl: upload.headers.cacheControl,
    Metadata: { [SHA256_METADATA]: upload.file.sha256 },
  };
  const target = { resource: objectArn(bucket, upload.key) };
  if (upload.file.size >= multipart.thresholdBytes) {
    // Upload sends CreateMultipartUpload, UploadPart, CompleteMultipartUpload (and AbortMultipartUpload
    // on failure), all authorized as s3:PutObject.
    await callWith(S3_SYNC_TABLE, 'CreateMultipartUpload', target, () =>
      new Upload({
        client: s3,
        // pipeline, not pipe: a read error (the file was removed) must reach Upload too.
        params: {
          ...params,
          Body: pipeline(createReadStream(upload.file.absPath), verifying(upload), () => {}),
        },
        partSize: partSizeFor(upload.file.size, multipart.partBytes),
        queueSize: MULTIPART_QUEUE_SIZE,
        leavePartsOnError: false,
      }).done(),
    );
    return 'multipart';
  }
  const body = await readFile(upload.file.absPath);
  assertUnchangedSincePlanned(upload, body);
  await callWith(S3_SYNC_TABLE, 'PutObject', target, () =>
    s3.send(
      new PutObjectCommand({
        ...params,
        Body: body,
        ContentLength: body.length,
        ContentMD5: Buffer.from(upload.file.md5, 'hex').toString('base64'),
      }),
    ),
  );
  return 'put';
}

/** Big enough for S3's 10,000-part limit, never under its 5 MiB minimum. */
export function partSizeFor(size: number, preferred: number): number {
  return Math.max(preferred, MIN_PART_BYTES, Math.ceil(size / MAX_PARTS));
}

function assertUnchangedSincePlanned(upload: PlannedUpload, body: Buffer): void {
  if (createHash('sha256').update(body).digest('hex') === upload.file.sha256) return;
  throw changedError(upload);
}

/**
 * Passes the bytes through while hashing them; at the end of the file, errors
 * when they are not the planned ones, so that Upload aborts the multipart
 * upload instead of completing it.
 */
function verifying(upload: PlannedUpload): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      callback(hash.digest('hex') === upload.file.sha256 ? null : changedError(upload));
    },
  });
}

function changedError(upload: PlannedUpload): UserError {
  return new UserError(`${upload.file.relPath} changed while the sync was running.`, {
    hint: 'Run the sync after the build has finished writing source-dir.',
  });
}

/**
 * Rewrites an object's headers without sending its bytes again: CopyObject
 * onto itself with MetadataDirective REPLACE. CopySourceIfMatch makes S3
 * refuse if the object changed since it was compared.
 */
export async function updateMetadata(
  s3: S3Client,
  bucket: string,
  update: PlannedMetadataUpdate,
): Promise<void> {
  await callWith(
    S3_SYNC_TABLE,
    'CopyObject',
    { resource: objectArn(bucket, update.key) },
    () =>
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: update.key,
          CopySource: `${bucket}/${update.key.split('/').map(encodeURIComponent).join('/')}`,
          CopySourceIfMatch: `"${update.etag}"`,
          MetadataDirective: 'REPLACE',
          ContentType: update.headers.contentType,
          CacheControl: update.headers.cacheControl,
          Metadata: { [SHA256_METADATA]: update.file.sha256 },
        }),
      ),
    {
      onError: (error, context) => {
        if (errorCode(error) === 'PreconditionFailed') {
          throw new UserError(`s3://${bucket}/${update.key} changed while the sync was running.`, {
            cause: error,
            hint: 'Another deploy may be writing to the same prefix; run this one again.',
          });
        }
        throw translateAwsError(error, context);
      },
    },
  );
}

/** Deletes keys in batches of 1,000; a key S3 could not delete fails the step. */
export async function deleteKeys(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
): Promise<void> {
  for (let start = 0; start < keys.length; start += DELETE_BATCH_SIZE) {
    const batch = keys.slice(start, start + DELETE_BATCH_SIZE);
    const result = await callWith(
      S3_SYNC_TABLE,
      'DeleteObjects',
      { resource: objectArn(bucket, batch[0]) },
      () =>
        s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
    );
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new UserError(
        `S3 did not delete ${failed.length} of ${batch.length} objects; the first, ${first.Key}, with ${first.Code}: ${first.Message}`,
        {
          hint: `Grant the role "${S3_SYNC_TABLE.DeleteObjects.actions[0]}" on "${objectArn(bucket)}/*" and check for object locks.`,
        },
      );
    }
  }
}
