/**
 * The engine of sync-s3-invalidate-cloudfront: content-hash diff, per-file
 * headers, entry files last, deletes after the invalidation, minimal invalidation.
 *
 * How a deploy runs (syncToS3): validate options (validate.ts, the one
 * validator; inputs.ts reads within its limits, names.ts holds the naming
 * rules) → hash source-dir → list the
 * prefix and HeadObject the keys that also exist locally → plan (pure, see
 * plan.ts) → upload non-entry files → upload entry files → invalidate and wait
 * → delete stale objects. Decisions worth knowing:
 * - Content identity is the SHA-256 stored on each object as x-amz-meta-sha256,
 *   read with HeadObject: it survives multipart uploads and SSE-KMS (whose ETags
 *   are no MD5), needs no manifest that could drift from the bucket, and sees
 *   objects changed out of band. Objects without it (another tool's) are kept
 *   when their ETag is a plain MD5 equal to the file's; otherwise uploaded once.
 * - Header changes on identical bytes use CopyObject (REPLACE) onto the object.
 * - Stale = under the prefix, matched by include/exclude, absent locally.
 * - CloudFront (cloudfront.ts): the distribution's origin for the bucket gives
 *   the origin path; CloudFrontInvalidator creates the invalidation with a
 *   CallerReference derived from the deploy (invalidationCallerReference), so a
 *   retried request cannot create a second one; it retries what is transient
 *   (TooManyInvalidationsInProgress, throttling, 5xx) and waits for it.
 * - An interrupted deploy's invalidation is not lost (pending.ts): before the
 *   first overwrite or header fix whose path needs invalidating, the keys are
 *   recorded in `<prefix>.deploy-actions/pending-invalidation.json` (no-store);
 *   a deploy finding the record invalidates them too, and removes it once its
 *   invalidation was created. `.deploy-actions` is reserved: never uploaded,
 *   compared or deleted as part of the build.
 * - calls.ts: S3_SYNC_TABLE, every AWS call the engine makes and its IAM actions;
 *   every call site goes through callWith(S3_SYNC_TABLE, '<Operation>', …).
 * - types.ts: the types the modules share (files, plan, options, report); it
 *   imports no module back, so the modules form no import cycle.
 */
export { syncToS3, scanBuild } from './sync.js';
export type {
  SyncOptions,
  SyncDeps,
  SyncReport,
  TransferRecord,
  Invalidator,
  InvalidationMode,
  LocalFile,
  ListedObject,
  ObjectDetails,
  ObjectHeaders,
  SyncPlan,
  PlannedUpload,
  PlannedMetadataUpdate,
  UploadReason,
  PendingInvalidation,
  MultipartSettings,
} from './types.js';
export { readSyncInputs, INVALIDATION_MODES, type SyncInputs } from './inputs.js';
export {
  validateBucketName,
  normalisePrefix,
  normaliseOriginPath,
  validateDistributionId,
} from './names.js';
export { validateSyncOptions, SYNC_LIMITS } from './validate.js';
export {
  createS3Client,
  s3ClientConfig,
  customS3Endpoint,
  useContentMd5ForDeleteObjects,
  type S3ClientOptions,
} from './client.js';
export {
  parseCacheControlRules,
  parseContentTypeRules,
  cacheControlProblem,
  type HeaderRule,
} from './rules.js';
export {
  contentTypeFor,
  defaultCacheControl,
  isContentHashed,
  createHeaderPolicy,
  DEFAULT_UPLOAD_LAST,
  IMMUTABLE,
  NO_CACHE,
  type HeaderPolicy,
} from './headers.js';
export {
  compileGlob,
  compileGlobs,
  createFileFilter,
  splitGlobList,
  validateGlob,
  validateGlobs,
  type FileFilter,
  type PathMatcher,
} from './globs.js';
export { scanSourceDir, type ScanOptions } from './local.js';
export { listObjects, describeObjects, SHA256_METADATA } from './remote.js';
export { planSync, compareWithRemote, type PlanInput, type Verdict } from './plan.js';
export {
  planInvalidation,
  viewerPath,
  viewerPathsForKey,
  deploymentRoot,
  collapsePaths,
  encodePath,
  CLOUDFRONT_MAX_PATHS,
  CLOUDFRONT_MAX_WILDCARDS,
  type InvalidationRequest,
  type InvalidationPlan,
} from './invalidation.js';
export { DEFAULT_MULTIPART, MiB, partSizeFor } from './transfer.js';
export {
  syncOutputs,
  SYNC_OUTPUTS,
  summarizeSync,
  summarizeDistribution,
  type DistributionInfo,
  planLines,
  planSummary,
  formatBytes,
  type SummaryBlock,
} from './report.js';
export {
  CloudFrontInvalidator,
  invalidationCallerReference,
  findBucketOrigin,
  pickBucketOrigin,
  isBucketDomain,
  distributionArn,
  CREATE_BACKOFF,
  WAIT_BACKOFF,
  MIN_POLL_INTERVAL_MS,
  type BucketOrigin,
  type CallerReferenceInput,
  type CloudFrontInvalidatorOptions,
  type DistributionRef,
  type OriginLike,
} from './cloudfront.js';
// The suite-wide classifier, under the name this engine exported it as.
export { isTransient as isTransientError } from '@deploy-actions/aws';
export {
  S3_SYNC_TABLE,
  S3_SYNC_CALLS,
  S3_SYNC_BY_OPERATION,
  type AwsCallDeclaration,
  type S3SyncOperation,
} from './calls.js';
export {
  PENDING_INVALIDATION_FILE,
  PENDING_INVALIDATION_CACHE_CONTROL,
  RESERVED_DIRECTORY,
  pendingInvalidationKey,
  isReservedPath,
  formatPendingInvalidation,
  parsePendingInvalidation,
  readPendingInvalidation,
} from './pending.js';
export { openDistribution, type OpenedDistribution } from './distribution.js';
