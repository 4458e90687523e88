/**
 * The record of a pending invalidation: what makes an interrupted deploy's
 * invalidation survive the process.
 *
 * The gap it closes: a deploy overwrites `index.html`, then is killed (job
 * cancelled, runner lost, CloudFront refusing) before it created the
 * invalidation. The re-run finds `index.html` already holding the new bytes —
 * unchanged by content — and would invalidate nothing, so CloudFront keeps
 * serving the old page until its TTL expires: the bucket converges, the site
 * does not. So before the first overwrite (or header fix) whose path needs
 * invalidating, the engine writes the keys it is about to make stale to
 * `<prefix>.deploy-actions/pending-invalidation.json`; a deploy that finds the
 * record merges those keys into its own invalidation, and the record is removed
 * once an invalidation covering them was *created*.
 *
 * Decisions:
 * - Created is enough, completed is not needed: CloudFront carries out an
 *   invalidation it accepted whether or not anyone waits for it. Keeping the
 *   record until completion would only make a run killed while waiting
 *   invalidate the same paths a second time. (A run killed between
 *   CreateInvalidation and the removal does that too: harmless, and the only
 *   way to never lose one.)
 * - Keys, not viewer paths, relative to the prefix: the re-run maps them
 *   through its own origin path and collapses them with its own paths under
 *   its own limits. A record that cannot be read (corrupt, another format)
 *   makes the deploy invalidate everything under its root, the safe side.
 * - Deletes need no record: stale objects are deleted only after the
 *   invalidation was created (and completed), so a re-run that finds them
 *   still there plans and invalidates them again.
 * - The key is reserved: any path with a `.deploy-actions` segment is never
 *   uploaded (the build may not contain one), compared or deleted by the sync.
 *   It is a dot-directory, which include/exclude leave out by default anyway.
 * - Served by accident: it lies under the prefix, so while it exists (from an
 *   interrupted deploy to the next one) a distribution serving the prefix
 *   answers `/.deploy-actions/pending-invalidation.json`. It is written with
 *   `Cache-Control: no-store` (never cached by browsers; CloudFront keeps it no
 *   longer than the cache policy's minimum TTL, which overrides no-store when
 *   above 0: 1 second under the managed CachingOptimized policy) and holds
 *   only paths of the site itself and a time: nothing that is not public already.
 *   To hide it completely, deny s3:GetObject on the bucket's `.deploy-actions`
 *   keys to the CloudFront principal in the bucket policy (the deploy role
 *   still reads it).
 * - With no invalidation (no distribution, `invalidation: none`) no record is
 *   written, and one found is left for a later deploy that invalidates.
 * - A role that may not delete (`delete: false` policies without
 *   s3:DeleteObject) cannot remove the record: it is emptied instead.
 */
import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { UserError, type Clock } from '@deploy-actions/action-kit/engine';
import { callWith, errorCode, translateAwsError } from '@deploy-actions/aws';
import { S3_SYNC_TABLE } from './calls.js';
import { objectArn } from './remote.js';
import type { PendingInvalidation } from './types.js';

/** The directory name reserved for the engine's own objects, at any depth under the prefix. */
export const RESERVED_DIRECTORY = '.deploy-actions';
/** The record, relative to the prefix. */
export const PENDING_INVALIDATION_FILE = `${RESERVED_DIRECTORY}/pending-invalidation.json`;
export const PENDING_INVALIDATION_CACHE_CONTROL = 'no-store';
const CONTENT_TYPE = 'application/json; charset=utf-8';
const FORMAT = 1;

/** The record's key: `<prefix>.deploy-actions/pending-invalidation.json`. */
export function pendingInvalidationKey(prefix: string): string {
  return `${prefix}${PENDING_INVALIDATION_FILE}`;
}

/** True for a path (relative to the prefix) inside the engine's reserved directory. */
export function isReservedPath(relPath: string): boolean {
  return relPath.split('/').includes(RESERVED_DIRECTORY);
}

/** The engine's own directory is not the build's to write: fails on a file inside one. */
export function assertNoReservedFiles(files: readonly { relPath: string }[]): void {
  const reserved = files.find((file) => isReservedPath(file.relPath));
  if (reserved === undefined) return;
  throw new UserError(
    `${reserved.relPath} is inside a ${RESERVED_DIRECTORY} directory, which this action reserves for its own records (${PENDING_INVALIDATION_FILE}).`,
    { hint: `Leave ${RESERVED_DIRECTORY} out of the build, or out of include.` },
  );
}

/** The record's body: keys relative to the prefix, sorted; `all` only when set. */
export function formatPendingInvalidation(
  prefix: string,
  pending: Pick<PendingInvalidation, 'keys' | 'all'>,
  writtenAt: Date,
): string {
  const keys = [...new Set(pending.keys)].map((key) => relativeKey(prefix, key)).sort();
  return `${JSON.stringify(
    {
      about:
        'Written by deploy-actions sync-s3-invalidate-cloudfront before it overwrote objects CloudFront may have cached; removed once their invalidation was created. The next deploy to this prefix invalidates these paths too. Delete it by hand only after invalidating them.',
      format: FORMAT,
      writtenAt: writtenAt.toISOString(),
      ...(pending.all ? { all: true } : {}),
      keys,
    },
    null,
    2,
  )}\n`;
}

/**
 * Reads a record's body. Undefined when it records nothing (an emptied
 * record). A record that is not one this engine wrote means: invalidate all.
 */
export function parsePendingInvalidation(
  prefix: string,
  text: string,
): PendingInvalidation | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return unreadable('it is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) return unreadable('it is not a JSON object');
  const record = parsed as { format?: unknown; keys?: unknown; all?: unknown };
  if (record.format !== FORMAT)
    return unreadable(`unknown format ${JSON.stringify(record.format)}`);
  if (!Array.isArray(record.keys) || !record.keys.every(isRelativeKey)) {
    return unreadable('"keys" is not a list of object keys relative to the prefix');
  }
  const all = record.all === true;
  const keys = [...new Set(record.keys as string[])].map((key) => `${prefix}${key}`).sort();
  if (!all && keys.length === 0) return undefined;
  return { keys, all };
}

function unreadable(problem: string): PendingInvalidation {
  return { keys: [], all: true, problem };
}

function isRelativeKey(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value !== '' &&
    !value.startsWith('/') &&
    Buffer.byteLength(value) <= 1024 &&
    !isReservedPath(value)
  );
}

function relativeKey(prefix: string, key: string): string {
  if (!key.startsWith(prefix)) throw new Error(`${key} is not under the prefix ${prefix}`);
  return key.slice(prefix.length);
}

/** The record under the prefix; undefined when it is gone or records nothing. */
export async function readPendingInvalidation(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<PendingInvalidation | undefined> {
  const key = pendingInvalidationKey(prefix);
  const text = await callWith(
    S3_SYNC_TABLE,
    'GetObject',
    { resource: objectArn(bucket, key) },
    async (): Promise<string | undefined> => {
      const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await answer.Body?.transformToString('utf8')) ?? '';
    },
    {
      onError: (error, context) => {
        const code = errorCode(error);
        if (code === 'NoSuchKey' || code === 'NotFound') return undefined;
        throw translateAwsError(error, context);
      },
    },
  );
  return text === undefined ? undefined : parsePendingInvalidation(prefix, text);
}

/** Writes (or replaces) the record, with no-store: it must never be cached. */
export async function writePendingInvalidation(
  s3: S3Client,
  bucket: string,
  prefix: string,
  pending: Pick<PendingInvalidation, 'keys' | 'all'>,
  clock: Clock,
): Promise<void> {
  const key = pendingInvalidationKey(prefix);
  const body = Buffer.from(formatPendingInvalidation(prefix, pending, new Date(clock.now())));
  await callWith(S3_SYNC_TABLE, 'PutObject', { resource: objectArn(bucket, key) }, () =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentMD5: createHash('md5').update(body).digest('base64'),
        ContentType: CONTENT_TYPE,
        CacheControl: PENDING_INVALIDATION_CACHE_CONTROL,
      }),
    ),
  );
}

export type RemovalOutcome = 'removed' | 'emptied';

/**
 * Removes the record once its invalidation was created. A role without
 * s3:DeleteObject empties it instead (an empty record records nothing). Any
 * other failure is thrown: the caller reports it without failing the deploy,
 * since the worst a left record does is one more invalidation of its paths.
 */
export async function removePendingInvalidation(
  s3: S3Client,
  bucket: string,
  prefix: string,
  clock: Clock,
): Promise<RemovalOutcome> {
  const key = pendingInvalidationKey(prefix);
  const removed = await callWith(
    S3_SYNC_TABLE,
    'DeleteObject',
    { resource: objectArn(bucket, key) },
    async () => {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    },
    {
      onError: (error, context) => {
        const code = errorCode(error);
        if (code === 'AccessDenied' || code === 'AccessDeniedException') return false;
        throw translateAwsError(error, context);
      },
    },
  );
  if (removed) return 'removed';
  await writePendingInvalidation(s3, bucket, prefix, { keys: [], all: false }, clock);
  return 'emptied';
}
