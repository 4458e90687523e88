import {
  HeadObjectCommand,
  paginateListObjectsV2,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { callWith, errorCode, translateAwsError } from '@deploy-actions/aws';
import { S3_SYNC_TABLE } from './calls.js';
import { mapConcurrently } from './pool.js';
import type { ListedObject, ObjectDetails } from './types.js';

/** User metadata holding the object's SHA-256 (sent as `x-amz-meta-sha256`). */
export const SHA256_METADATA = 'sha256';
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function objectArn(bucket: string, key = ''): string {
  return key === '' ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** Every object under the prefix (ListObjectsV2, 1,000 per page). */
export async function listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<Map<string, ListedObject>> {
  const objects = new Map<string, ListedObject>();
  await callWith(S3_SYNC_TABLE, 'ListObjectsV2', { resource: objectArn(bucket) }, async () => {
    const pages = paginateListObjectsV2(
      { client: s3, pageSize: 1000 },
      { Bucket: bucket, ...(prefix === '' ? {} : { Prefix: prefix }) },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || !object.Key.startsWith(prefix)) continue;
        objects.set(object.Key, {
          key: object.Key,
          size: object.Size ?? 0,
          etag: unquote(object.ETag),
        });
      }
    }
  });
  return objects;
}

/**
 * HeadObject for each key: the stored content hash and headers, which
 * ListObjectsV2 does not return. A key deleted since the listing is left out.
 */
export async function describeObjects(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
  concurrency: number,
): Promise<Map<string, ObjectDetails>> {
  const described = await mapConcurrently(keys, concurrency, (key) =>
    describeObject(s3, bucket, key),
  );
  const details = new Map<string, ObjectDetails>();
  keys.forEach((key, i) => {
    const found = described[i];
    if (found !== undefined) details.set(key, found);
  });
  return details;
}

async function describeObject(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<ObjectDetails | undefined> {
  const head = await callWith<typeof S3_SYNC_TABLE, HeadObjectCommandOutput | undefined>(
    S3_SYNC_TABLE,
    'HeadObject',
    { resource: objectArn(bucket, key) },
    () => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
    {
      onError: (error, context) => {
        const code = errorCode(error);
        if (code === 'NotFound' || code === 'NoSuchKey') return undefined;
        throw translateAwsError(error, context);
      },
    },
  );
  if (head === undefined) return undefined;
  const sha256 = head.Metadata?.[SHA256_METADATA]?.toLowerCase();
  return {
    size: head.ContentLength ?? 0,
    etag: unquote(head.ETag),
    sha256: sha256 !== undefined && SHA256_HEX.test(sha256) ? sha256 : undefined,
    contentType: head.ContentType,
    cacheControl: head.CacheControl,
  };
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}
