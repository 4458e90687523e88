/**
 * The types the engine's modules share: files, objects, the plan, the options
 * and the report. A leaf: it imports no module of the engine but rules.ts's
 * HeaderRule (itself a leaf but for globs.ts), so any module can use it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Clock, Logger } from '@deploy-actions/action-kit/engine';
import type { HeaderRule } from './rules.js';

/** A file of the build output, hashed. */
export interface LocalFile {
  /** Path below source-dir with `/` separators: the object key below the prefix. */
  relPath: string;
  /** Where to read it (a symlink inside source-dir is read through its target). */
  absPath: string;
  size: number;
  /** Hex SHA-256 of the bytes: stored on the object as `x-amz-meta-sha256`. */
  sha256: string;
  /** Hex MD5 of the bytes: compared with plain single-part ETags, sent as Content-MD5. */
  md5: string;
}

/** The headers this engine manages on every object. */
export interface ObjectHeaders {
  contentType: string;
  cacheControl: string;
}

/** An object as ListObjectsV2 shows it. */
export interface ListedObject {
  key: string;
  size: number;
  /** Without the surrounding quotes. */
  etag: string;
}

/** What HeadObject tells about an object: its content hash (when we stored one) and headers. */
export interface ObjectDetails {
  size: number;
  etag: string;
  /** Undefined when the object was not uploaded by this engine (or its metadata was replaced). */
  sha256: string | undefined;
  contentType: string | undefined;
  cacheControl: string | undefined;
}

export type InvalidationMode = 'changed' | 'all' | 'none';

/**
 * The CloudFront side of a deploy, implemented next to the CloudFront client.
 * The engine calls `create` after every upload finished and deletes stale
 * objects only once `wait` resolved.
 */
export interface Invalidator {
  /**
   * Starts an invalidation of viewer paths (`/docs/index.html`, `/assets/*`), at most
   * 3,000 of them with at most 15 wildcards. Returns the invalidation id.
   * `callerReference` is the same for retries of one deploy, so a retried request
   * does not start a second invalidation.
   */
  create(paths: readonly string[], callerReference: string): Promise<string>;
  /**
   * Resolves when the invalidation completed, or at once when `signal` aborts;
   * rejects (UserError) when `timeoutMs` passed first.
   */
  wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

/** Keys whose cached copies an earlier, interrupted deploy left stale. */
export interface PendingInvalidation {
  /** Object keys, with the prefix. */
  keys: string[];
  /** Everything under the deploy's root: the record could not be read. */
  all: boolean;
  /** Why `all`: what was wrong with the record. */
  problem?: string;
}

export type UploadReason = 'new' | 'changed';

export interface PlannedUpload {
  key: string;
  file: LocalFile;
  headers: ObjectHeaders;
  entry: boolean;
  reason: UploadReason;
}

/** Same bytes, wrong headers: fixed in place by CopyObject with MetadataDirective REPLACE. */
export interface PlannedMetadataUpdate {
  key: string;
  file: LocalFile;
  headers: ObjectHeaders;
  entry: boolean;
  /** For the log: `cache-control: "no-cache" → "public, max-age=31536000, immutable"`. */
  changes: string[];
  /** The ETag of the version compared: the copy is refused if the object changed since. */
  etag: string;
}

export interface SyncPlan {
  /** Every non-entry file before any entry file. */
  uploads: PlannedUpload[];
  metadataUpdates: PlannedMetadataUpdate[];
  unchanged: string[];
  /** Stale keys to delete (empty when delete is off). */
  deletes: string[];
  /** Stale keys left in place because delete is off. */
  staleKept: string[];
  /** Including the pending invalidation's paths, when there is one. */
  invalidationPaths: string[];
  warnings: string[];
  /**
   * Keys this deploy overwrites (changed content) or re-heads: CloudFront may
   * hold their old versions. Before the first of these writes, the engine
   * records them as a pending invalidation (pending.ts).
   */
  overwrittenKeys?: string[];
  /** The earlier deploy's pending invalidation merged into this plan, if any. */
  pendingInvalidation?: PendingInvalidation;
}

export interface MultipartSettings {
  /** Files of at least this size go by multipart upload. */
  thresholdBytes: number;
  partBytes: number;
}

export type TransferMethod = 'put' | 'multipart' | 'copy';

export interface SyncOptions {
  sourceDir: string;
  bucket: string;
  /** Key prefix: '' (whole bucket) or `site/`; normalised again here. */
  prefix: string;
  include: string[];
  exclude: string[];
  /** Entry files, uploaded after every other file (DEFAULT_UPLOAD_LAST). */
  uploadLast: string[];
  /** User rules, tried before the single-page-app defaults. */
  cacheControlRules: HeaderRule[];
  contentTypeRules: HeaderRule[];
  delete: boolean;
  /** Above this many stale objects the sync fails before changing anything. */
  maxDeletes: number;
  invalidation: InvalidationMode;
  invalidationMaxPaths: number;
  /** The distribution origin's path for this bucket: '' or `/site`. */
  originPath: string;
  /**
   * Wait until the invalidation completed. Without waiting, the step ends once
   * the invalidation was created, unless stale objects are to be deleted: they
   * are deleted only after it completed, so the sync waits for them anyway.
   */
  waitForInvalidation: boolean;
  invalidationTimeoutMs: number;
  concurrency: number;
  dryRun: boolean;
  multipart?: MultipartSettings;
  /**
   * Identifies this execution of the deploy (e.g. `<repository>/<run id>/<run
   * attempt>/<job>/<step>`): the invalidation's CallerReference is derived from
   * it (invalidationCallerReference), so no retry can create a second
   * invalidation. A random id when absent.
   */
  deployId?: string;
  /**
   * The build as scanBuild() hashed it with these options. A caller that
   * scans before opening its AWS session (so a missing or empty build fails
   * before any AWS call) passes it here; otherwise syncToS3 scans.
   */
  scanned?: readonly LocalFile[];
}

export interface SyncDeps {
  s3: S3Client;
  /** Absent when no distribution is configured: nothing is invalidated. */
  invalidator?: Invalidator;
  logger: Logger;
  clock?: Clock;
  /**
   * The step's cancel: after it, no upload, header fix, delete or invalidation
   * starts (those in flight finish), and the invalidation wait ends at once.
   */
  signal?: AbortSignal;
}

export interface TransferRecord {
  key: string;
  bytes: number;
  ms: number;
  method: TransferMethod;
}

export interface SyncReport {
  dryRun: boolean;
  /** `s3://bucket/prefix` */
  target: string;
  plan: SyncPlan;
  /** In a dry run: what would have been done. */
  uploaded: number;
  metadataUpdated: number;
  unchanged: number;
  deleted: number;
  bytesUploaded: number;
  invalidationId: string | undefined;
  invalidatedPaths: string[];
  /** One per upload or header fix, in completion order. Empty in a dry run. */
  transfers: TransferRecord[];
  durationMs: number;
  /** Set when the signal cut the sync short: what was done and what was left, in a sentence. */
  cancelled?: string;
}
