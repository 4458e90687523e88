import { UserError } from '@deploy-actions/action-kit/engine';
import type { PathMatcher } from './globs.js';
import type { HeaderPolicy } from './headers.js';
import { planInvalidation } from './invalidation.js';
import { assertNoReservedFiles, isReservedPath } from './pending.js';
import type {
  InvalidationMode,
  ListedObject,
  LocalFile,
  ObjectDetails,
  ObjectHeaders,
  PendingInvalidation,
  PlannedMetadataUpdate,
  PlannedUpload,
  SyncPlan,
  UploadReason,
} from './types.js';

/** CopyObject copies at most 5 GiB in one request; a larger object is re-uploaded instead. */
export const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;
const MAX_KEY_BYTES = 1024;

export interface PlanInput {
  bucket: string;
  /** '' or `site/`: every key read, written or deleted starts with it. */
  prefix: string;
  files: readonly LocalFile[];
  /** The objects under the prefix. */
  listed: ReadonlyMap<string, ListedObject>;
  /** HeadObject results for the listed keys that also exist locally. */
  details: ReadonlyMap<string, ObjectDetails>;
  headers: HeaderPolicy;
  /** Entry files (upload-last): uploaded after every other file. */
  isEntry: PathMatcher;
  /** Whether a path is this deploy's to manage (include/exclude): only those are deleted. */
  inScope: PathMatcher;
  delete: boolean;
  maxDeletes: number;
  invalidation: {
    mode: InvalidationMode;
    originPath: string;
    maxPaths: number;
    maxWildcards?: number;
  };
  /**
   * Keys an earlier, interrupted deploy overwrote without invalidating them
   * (its pending-invalidation record): invalidated with this deploy's paths.
   */
  pendingInvalidation?: PendingInvalidation;
}

/**
 * Turns local files, what the bucket holds and the rules into the list of
 * changes. Pure: nothing is read or written here. Fails (before anything has
 * changed) when more objects would be deleted than max-deletes allows.
 */
export function planSync(input: PlanInput): SyncPlan {
  const uploads: PlannedUpload[] = [];
  const metadataUpdates: PlannedMetadataUpdate[] = [];
  const unchanged: string[] = [];
  assertNoReservedFiles(input.files);
  for (const file of input.files) {
    const key = objectKey(input.prefix, file.relPath);
    const headers = input.headers.headersFor(file.relPath);
    const entry = input.isEntry(file.relPath);
    const verdict = compareWithRemote(file, headers, input.listed.get(key), input.details.get(key));
    if (verdict.action === 'upload') {
      uploads.push({ key, file, headers, entry, reason: verdict.reason });
    } else if (verdict.action === 'update-metadata') {
      metadataUpdates.push({
        key,
        file,
        headers,
        entry,
        changes: verdict.changes,
        etag: verdict.etag,
      });
    } else {
      unchanged.push(key);
    }
  }
  const stale = staleKeys(input);
  if (input.delete) assertWithinMaxDeletes(input, stale);
  const deletes = input.delete ? stale : [];
  const overwritten = [
    ...uploads.filter((u) => u.reason === 'changed').map((u) => u.key),
    ...metadataUpdates.map((u) => u.key),
  ].sort();
  const pending = input.pendingInvalidation;
  const invalidation = planInvalidation({
    ...input.invalidation,
    staleKeys: [...overwritten, ...deletes, ...(pending?.keys ?? [])],
    changedAnything:
      uploads.length + metadataUpdates.length + deletes.length > 0 || pending !== undefined,
    coverAll: pending?.all === true,
    prefix: input.prefix,
  });
  return {
    uploads: orderUploads(uploads),
    metadataUpdates: orderUploads(metadataUpdates),
    unchanged,
    deletes,
    staleKept: input.delete ? [] : stale,
    invalidationPaths: invalidation.paths,
    warnings: invalidation.warnings,
    overwrittenKeys: overwritten,
    ...(pending === undefined ? {} : { pendingInvalidation: pending }),
  };
}

export type Verdict =
  | { action: 'upload'; reason: UploadReason }
  | { action: 'update-metadata'; changes: string[]; etag: string }
  | { action: 'unchanged' };

/**
 * Same content when the object's stored SHA-256 equals the file's. An object
 * without one (uploaded by another tool) counts as the same only when its
 * ETag is a plain MD5 equal to the file's: multipart ETags (`…-3`) and SSE-KMS
 * ETags are not MD5s of the content and never match, so such an object is
 * uploaded once and carries the hash from then on.
 */
export function compareWithRemote(
  file: LocalFile,
  desired: ObjectHeaders,
  listed: ListedObject | undefined,
  details: ObjectDetails | undefined,
): Verdict {
  if (listed === undefined) return { action: 'upload', reason: 'new' };
  if (details === undefined || !sameContent(file, details)) {
    return { action: 'upload', reason: 'changed' };
  }
  const changes = headerChanges(desired, details);
  if (changes.length === 0) return { action: 'unchanged' };
  if (file.size > COPY_OBJECT_MAX_BYTES) return { action: 'upload', reason: 'changed' };
  return { action: 'update-metadata', changes, etag: details.etag };
}

function sameContent(file: LocalFile, remote: ObjectDetails): boolean {
  if (remote.size !== file.size) return false;
  if (remote.sha256 !== undefined) return remote.sha256 === file.sha256;
  return /^[0-9a-f]{32}$/.test(remote.etag) && remote.etag === file.md5;
}

function headerChanges(desired: ObjectHeaders, remote: ObjectDetails): string[] {
  const changes: string[] = [];
  if (normaliseHeader(remote.contentType) !== normaliseHeader(desired.contentType)) {
    changes.push(`content-type: ${describe(remote.contentType)} → "${desired.contentType}"`);
  }
  if (normaliseHeader(remote.cacheControl) !== normaliseHeader(desired.cacheControl)) {
    changes.push(`cache-control: ${describe(remote.cacheControl)} → "${desired.cacheControl}"`);
  }
  return changes;
}

/** Header values compared without regard to letter case or spacing around `;` and `,`. */
function normaliseHeader(value: string | undefined): string {
  return (value ?? '')
    .trim()
    .toLowerCase()
    .replace(/\s*([;,])\s*/g, '$1 ');
}

function describe(value: string | undefined): string {
  return value === undefined ? '(none)' : `"${value}"`;
}

/**
 * Listed keys under the prefix, in scope, with no local file. Folder markers
 * (`docs/`) are no files; the engine's own records (`.deploy-actions/`) are not the build's.
 */
function staleKeys(input: PlanInput): string[] {
  const localKeys = new Set(input.files.map((file) => objectKey(input.prefix, file.relPath)));
  return [...input.listed.keys()]
    .filter(
      (key) =>
        key.startsWith(input.prefix) &&
        !key.endsWith('/') &&
        !localKeys.has(key) &&
        !isReservedPath(key.slice(input.prefix.length)) &&
        input.inScope(key.slice(input.prefix.length)),
    )
    .sort();
}

function assertWithinMaxDeletes(input: PlanInput, stale: readonly string[]): void {
  if (stale.length <= input.maxDeletes) return;
  const examples = stale.slice(0, 5).join(', ');
  throw new UserError(
    `${stale.length} objects under s3://${input.bucket}/${input.prefix} would be deleted, more than max-deletes (${input.maxDeletes}); nothing was changed. First ones: ${examples}.`,
    {
      hint: 'If the build really dropped that many files, raise max-deletes for this run; otherwise check source-dir, prefix and include/exclude.',
    },
  );
}

export function objectKey(prefix: string, relPath: string): string {
  const key = `${prefix}${relPath}`;
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new UserError(`The object key for ${relPath} is longer than S3's 1,024 bytes.`, {
      hint: 'Shorten the path in the build output or the prefix.',
    });
  }
  return key;
}

/** Non-entry files first; within each group the largest first, so long transfers start early. */
function orderUploads<T extends { key: string; entry: boolean; file: LocalFile }>(
  items: readonly T[],
): T[] {
  return [...items].sort(
    (a, b) =>
      Number(a.entry) - Number(b.entry) ||
      b.file.size - a.file.size ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}
