/**
 * Every AWS call the s3-sync engine makes, with the IAM actions it needs and
 * the resources they apply to: the source for the least-privilege policy of
 * sync-s3-invalidate-cloudfront (workflows-examples/iam/) and its README.
 * Each call site goes through callWith(S3_SYNC_TABLE, '<Operation>', …), so a
 * call missing from the table is a compile error and its AccessDenied names
 * the entry's first IAM action; test/unit/iam-policies.test.ts checks that
 * every command the engine sends goes through it.
 *
 * Resource templates use `{bucket}`, `{prefix}` ('' or `site/`),
 * `{account}`, `{distributionId}`, and for KMS `{region}` and `{keyId}`.
 */
import { defineCalls, type AwsCall, type CallName } from '@deploy-actions/aws';

/** The old name of this engine's entry type: every entry is the suite-wide AwsCall. */
export type AwsCallDeclaration = AwsCall;

const OBJECTS = 'arn:aws:s3:::{bucket}/{prefix}*';
const DISTRIBUTION = 'arn:aws:cloudfront::{account}:distribution/{distributionId}';

export const S3_SYNC_TABLE = defineCalls({
  ListObjectsV2: {
    service: 's3',
    operation: 'ListObjectsV2',
    actions: ['s3:ListBucket'],
    resource: 'arn:aws:s3:::{bucket}',
    conditions: { 's3:prefix': '{prefix}*' },
    when: 'always: every object under the prefix (also tells HeadObject a 404 from a 403)',
  },
  HeadObject: {
    service: 's3',
    operation: 'HeadObject',
    actions: ['s3:GetObject'],
    resource: OBJECTS,
    when: 'for each local file whose key the bucket already holds (hash and headers)',
  },
  GetObject: {
    service: 's3',
    operation: 'GetObject',
    actions: ['s3:GetObject'],
    resource: OBJECTS,
    when: 'when invalidating and the listing holds {prefix}.deploy-actions/pending-invalidation.json, the paths an interrupted deploy did not invalidate (dry runs too)',
  },
  PutObject: {
    service: 's3',
    operation: 'PutObject',
    actions: ['s3:PutObject'],
    resource: OBJECTS,
    when: 'new and changed files below the multipart threshold; the pending-invalidation record, before the first overwrite when invalidating (not in a dry run)',
  },
  CreateMultipartUpload: {
    service: 's3',
    operation: 'CreateMultipartUpload',
    actions: ['s3:PutObject'],
    resource: OBJECTS,
    when: 'new and changed files from the multipart threshold up',
  },
  UploadPart: {
    service: 's3',
    operation: 'UploadPart',
    actions: ['s3:PutObject'],
    resource: OBJECTS,
    when: 'multipart uploads',
  },
  CompleteMultipartUpload: {
    service: 's3',
    operation: 'CompleteMultipartUpload',
    actions: ['s3:PutObject'],
    resource: OBJECTS,
    when: 'multipart uploads',
  },
  AbortMultipartUpload: {
    service: 's3',
    operation: 'AbortMultipartUpload',
    actions: ['s3:AbortMultipartUpload'],
    resource: OBJECTS,
    when: 'a multipart upload that failed (its parts are removed, not left billed)',
  },
  CopyObject: {
    service: 's3',
    operation: 'CopyObject',
    // A copy onto the same key: authorized as the write, which also reads the source.
    actions: ['s3:PutObject', 's3:GetObject'],
    resource: OBJECTS,
    when: 'unchanged bytes whose headers must change (copy onto itself, metadata replaced)',
  },
  DeleteObjects: {
    service: 's3',
    operation: 'DeleteObjects',
    actions: ['s3:DeleteObject'],
    resource: OBJECTS,
    when: 'stale objects, with delete: true, after the invalidation completed',
  },
  DeleteObject: {
    service: 's3',
    operation: 'DeleteObject',
    actions: ['s3:DeleteObject'],
    resource: OBJECTS,
    when: 'the pending-invalidation record, once the invalidation covering its paths was created (without the permission the record is emptied by PutObject instead)',
  },
  GetDistributionConfig: {
    service: 'cloudfront',
    operation: 'GetDistributionConfig',
    actions: ['cloudfront:GetDistributionConfig'],
    resource: DISTRIBUTION,
    when: 'with distribution-id and invalidation other than none (dry runs too): the origin path',
  },
  CreateInvalidation: {
    service: 'cloudfront',
    operation: 'CreateInvalidation',
    actions: ['cloudfront:CreateInvalidation'],
    resource: DISTRIBUTION,
    when: 'when cached paths changed (not in a dry run)',
  },
  GetInvalidation: {
    service: 'cloudfront',
    operation: 'GetInvalidation',
    actions: ['cloudfront:GetInvalidation'],
    resource: DISTRIBUTION,
    when: 'waiting for the invalidation: wait-for-invalidation: true, or stale objects to delete',
  },
  kmsKey: {
    service: 'kms',
    operation: '*',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'arn:aws:kms:{region}:{account}:key/{keyId}',
    when: "only for a bucket encrypted with a customer managed KMS key (SSE-KMS): S3 calls KMS with the role's permissions on uploads and copies",
  },
});

/** The table's entries as a list (the KMS entry is S3's doing, not a call of ours). */
export const S3_SYNC_CALLS: readonly AwsCall[] = Object.values(S3_SYNC_TABLE);

/** An operation the engine sends. */
export type S3SyncOperation = CallName<typeof S3_SYNC_TABLE>;

/** The table's calls by operation (the same entries), without the KMS permission. */
export const S3_SYNC_BY_OPERATION = Object.fromEntries(
  S3_SYNC_CALLS.filter((call) => call.operation !== '*').map((call) => [call.operation, call]),
) as Readonly<Pick<typeof S3_SYNC_TABLE, S3SyncOperation>>;
