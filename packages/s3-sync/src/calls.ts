/**
 * Every AWS call the s3-sync engine makes, with the IAM actions it needs and
 * the resources they apply to: the source for the least-privilege policy of
 * sync-s3-invalidate-cloudfront (workflows-examples/iam/) and its README.
 * test/unit/s3-sync/calls.test.ts checks that each command the engine's
 * source sends is declared here, and nothing else.
 *
 * The engine takes its error labels from here too: each call site names the
 * IAM action of its error messages as `S3_SYNC_BY_OPERATION.<Operation>.actions[0]`,
 * so the table is what the code uses, and test/unit/iam-policies.test.ts
 * checks every send is labelled from its entry.
 *
 * Resource templates use `{bucket}`, `{prefix}` ('' or `site/`),
 * `{account}`, `{distributionId}`, and for KMS `{region}` and `{keyId}`.
 */

export interface AwsCallDeclaration {
  service: 's3' | 'cloudfront' | 'kms';
  /** The API operation (SDK command without `Command`); `*` for implicit calls (KMS by S3). */
  operation: string;
  /**
   * The IAM actions the call needs. The first is the one AWS authorizes the
   * request as, and the one an access-denied message of the call names.
   */
  actions: readonly [string, ...string[]];
  resource: string;
  /** IAM condition keys the policy should set, e.g. `s3:prefix`. */
  conditions?: Readonly<Record<string, string>>;
  /** When the call is made. */
  when: string;
}

const OBJECTS = 'arn:aws:s3:::{bucket}/{prefix}*';
const DISTRIBUTION = 'arn:aws:cloudfront::{account}:distribution/{distributionId}';

const DECLARED = [
  {
    service: 's3',
    operation: 'ListObjectsV2',
    actions: ['s3:ListBucket'],
    resource: 'arn:aws:s3:::{bucket}',
    conditions: { 's3:prefix': '{prefix}*' },
    when: 'always: every object under the prefix (also tells HeadObject a 404 from a 403)',
  },
  {
    service: 's3',
    operation: 'HeadObject',
    actions: ['s3:GetObject'],
    resource: OBJECTS,
    when: 'for each local file whose key the bucket already holds (hash and headers)',
  },
  {
    service: 's3',
    operation: 'GetObject',
    actions: ['s3:GetObject'],
    resource: OBJECTS,
    when: 'when invalidating and the listing holds {prefix}.deploy-actions/pending-invalidation.json, the paths an interrupted deploy did not invalidate (dry runs too)',
  },
  {
    service: 's3',
    operation: 'PutObject',
    actions: ['s3:PutObject'],
    resource: OBJECTS,
    when: 'new and changed files below the multipart threshold; the pending-invalidation record, before the first overwrite when invalidating (not in a dry run)',
  },
  {
    service: 's3',
    operation: 'CreateMultipartUpload',
    actions: ['s3:PutObject'],
    resource: OBJECTS,
    when: 'new and changed files from the multipart threshold up',
  },
  {
    service: 's3',
    operation: 'UploadPart',
    actions: ['s3:PutObject'],
    resource: OBJECTS,
    when: 'multipart uploads',
  },
  {
    service: 's3',
    operation: 'CompleteMultipartUpload',
    actions: ['s3:PutObject'],
    resource: OBJECTS,
    when: 'multipart uploads',
  },
  {
    service: 's3',
    operation: 'AbortMultipartUpload',
    actions: ['s3:AbortMultipartUpload'],
    resource: OBJECTS,
    when: 'a multipart upload that failed (its parts are removed, not left billed)',
  },
  {
    service: 's3',
    operation: 'CopyObject',
    // A copy onto the same key: authorized as the write, which also reads the source.
    actions: ['s3:PutObject', 's3:GetObject'],
    resource: OBJECTS,
    when: 'unchanged bytes whose headers must change (copy onto itself, metadata replaced)',
  },
  {
    service: 's3',
    operation: 'DeleteObjects',
    actions: ['s3:DeleteObject'],
    resource: OBJECTS,
    when: 'stale objects, with delete: true, after the invalidation completed',
  },
  {
    service: 's3',
    operation: 'DeleteObject',
    actions: ['s3:DeleteObject'],
    resource: OBJECTS,
    when: 'the pending-invalidation record, once the invalidation covering its paths was created (without the permission the record is emptied by PutObject instead)',
  },
  {
    service: 'cloudfront',
    operation: 'GetDistributionConfig',
    actions: ['cloudfront:GetDistributionConfig'],
    resource: DISTRIBUTION,
    when: 'with distribution-id and invalidation other than none (dry runs too): the origin path',
  },
  {
    service: 'cloudfront',
    operation: 'CreateInvalidation',
    actions: ['cloudfront:CreateInvalidation'],
    resource: DISTRIBUTION,
    when: 'when cached paths changed (not in a dry run)',
  },
  {
    service: 'cloudfront',
    operation: 'GetInvalidation',
    actions: ['cloudfront:GetInvalidation'],
    resource: DISTRIBUTION,
    when: 'waiting for the invalidation: wait-for-invalidation: true, or stale objects to delete',
  },
  {
    service: 'kms',
    operation: '*',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'arn:aws:kms:{region}:{account}:key/{keyId}',
    when: "only for a bucket encrypted with a customer managed KMS key (SSE-KMS): S3 calls KMS with the role's permissions on uploads and copies",
  },
] as const satisfies readonly AwsCallDeclaration[];

export const S3_SYNC_CALLS: readonly AwsCallDeclaration[] = DECLARED;

/** An operation the engine sends (the KMS entry is S3's doing, not a call of ours). */
export type S3SyncOperation = Exclude<(typeof DECLARED)[number]['operation'], '*'>;

/**
 * S3_SYNC_CALLS by operation (the same entries): where call sites read the
 * IAM action their errors name, e.g. `S3_SYNC_BY_OPERATION.PutObject.actions[0]`.
 * An operation not in the table is a compile error.
 */
export const S3_SYNC_BY_OPERATION = Object.fromEntries(
  S3_SYNC_CALLS.filter((call) => call.operation !== '*').map((call) => [call.operation, call]),
) as Readonly<Record<S3SyncOperation, AwsCallDeclaration>>;
