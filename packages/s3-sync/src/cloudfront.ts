/**
 * The CloudFront side of a deploy: which origin of the distribution serves the
 * bucket (its origin path maps keys to viewer paths), and an Invalidator that
 * creates one invalidation per deploy and waits for it.
 *
 * - The CallerReference is derived from the deploy (invalidationCallerReference):
 *   a retried CreateInvalidation carries the same one, so CloudFront answers it
 *   with the invalidation the first attempt created, never a second one — also
 *   when the first answer was lost on the way back.
 * - TooManyInvalidationsInProgress (3,000 paths or 15 wildcard paths in progress
 *   per distribution), throttling, 5xx answers and dropped connections are
 *   retried with exponential backoff and full jitter (action-kit poll), bounded
 *   by the invalidation timeout; the SDK's own retries handle short bursts first.
 * - Waiting polls GetInvalidation with progress lines. A role that may create
 *   invalidations but not read them fails at once, saying so, instead of
 *   polling until the timeout.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  CreateInvalidationCommand,
  GetDistributionConfigCommand,
  GetInvalidationCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import {
  UserError,
  formatDuration,
  poll,
  type BackoffOptions,
  type Clock,
  type Logger,
  type PollStep,
} from '@deploy-actions/action-kit/engine';
import {
  callWith,
  errorCode,
  isTransient,
  translateAwsError,
  type AwsCallContext,
} from '@deploy-actions/aws';
import { S3_SYNC_TABLE } from './calls.js';
import { normaliseOriginPath } from './names.js';
import type { Invalidator } from './types.js';

/** `arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL`; any account (`*`) when unknown. */
export function distributionArn(
  distributionId: string,
  account: { partition?: string; accountId?: string } = {},
): string {
  return `arn:${account.partition ?? 'aws'}:cloudfront::${account.accountId ?? '*'}:distribution/${distributionId}`;
}

export interface DistributionRef {
  id: string;
  /** For the IAM hints of translated errors. */
  arn: string;
}

// --- Origin lookup ----------------------------------------------------------

/** What the deploy needs to know of the distribution. */
export interface BucketOrigin {
  /** The origin that serves the bucket; undefined when none does. */
  originId: string | undefined;
  domainName: string | undefined;
  /** '' or `/site` (normalised). */
  originPath: string;
  /** Set when no origin serves the bucket: said in the log and summary. */
  warning: string | undefined;
}

/** The fields of a CloudFront origin this lookup reads. */
export interface OriginLike {
  Id?: string;
  DomainName?: string;
  OriginPath?: string;
}

const REGION = '[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d{1,2}';
/**
 * What follows `<bucket>.` in an S3 origin's domain name: the REST endpoint
 * (`s3`, `s3.<region>`, `s3-<region>`, `s3.dualstack.<region>`, `s3-external-1`)
 * or the website endpoint (`s3-website-<region>`, `s3-website.<region>`).
 */
const S3_ENDPOINT = new RegExp(
  `^s3(?:-website|-external-1)?(?:[.-](?:dualstack\\.)?${REGION})?\\.amazonaws\\.com(?:\\.cn)?$`,
);

/** True when an origin domain name is one of the bucket's S3 endpoints. */
export function isBucketDomain(domainName: string, bucket: string): boolean {
  const host = domainName.toLowerCase().replace(/\.$/, '');
  return host.startsWith(`${bucket}.`) && S3_ENDPOINT.test(host.slice(bucket.length + 1));
}

/**
 * The origin serving the bucket. With several (behaviours that map paths to
 * different folders of one bucket), the one whose origin path holds the deploy's
 * prefix wins, the deepest first; then one below the prefix; then the first.
 */
export function pickBucketOrigin<T extends OriginLike>(
  origins: readonly T[],
  bucket: string,
  prefix: string,
): T | undefined {
  const candidates = origins.filter((o) => isBucketDomain(o.DomainName ?? '', bucket));
  const keyPrefix = (o: T) => {
    const path = normaliseOriginPath(o.OriginPath ?? '');
    return path === '' ? '' : `${path.slice(1)}/`;
  };
  const holdingPrefix = candidates
    .filter((o) => prefix.startsWith(keyPrefix(o)))
    .sort((a, b) => keyPrefix(b).length - keyPrefix(a).length);
  return (
    holdingPrefix[0] ?? candidates.find((o) => keyPrefix(o).startsWith(prefix)) ?? candidates[0]
  );
}

/**
 * Reads the distribution's configuration (GetDistributionConfig) and finds
 * the origin serving the bucket. A distribution without one is not an error
 * (a custom domain in front of the bucket's website endpoint is a valid
 * set-up), but the paths are then invalidated as the keys' own paths, and a
 * warning says so.
 */
export async function findBucketOrigin(
  client: CloudFrontClient,
  distribution: DistributionRef,
  target: { bucket: string; prefix: string },
): Promise<BucketOrigin> {
  const origins = await distributionOrigins(client, distribution);
  const origin = pickBucketOrigin(origins, target.bucket, target.prefix);
  if (origin === undefined) {
    const names = origins.map((o) => o.DomainName).join(', ') || 'none';
    return {
      originId: undefined,
      domainName: undefined,
      originPath: '',
      warning: `Distribution ${distribution.id} has no origin for bucket ${target.bucket} (its origins: ${names}): invalidation paths are the object keys' own paths.`,
    };
  }
  return {
    originId: origin.Id,
    domainName: origin.DomainName,
    originPath: normaliseOriginPath(origin.OriginPath ?? ''),
    warning: undefined,
  };
}

/** The distribution's origins, read with GetDistributionConfig. */
async function distributionOrigins(
  client: CloudFrontClient,
  distribution: DistributionRef,
): Promise<OriginLike[]> {
  return callWith(
    S3_SYNC_TABLE,
    'GetDistributionConfig',
    { resource: distribution.arn },
    async () => {
      const response = await client.send(new GetDistributionConfigCommand({ Id: distribution.id }));
      return response.DistributionConfig?.Origins?.Items ?? [];
    },
    {
      onError: (error, context) => {
        if (errorCode(error) === 'NoSuchDistribution') {
          throw noSuchDistribution(distribution.id, error);
        }
        throw translateAwsError(error, context);
      },
    },
  );
}

// --- Invalidations ----------------------------------------------------------

/** What identifies one deploy's invalidation. */
export interface CallerReferenceInput {
  /**
   * Unique per execution of the deploy step, the same for every retry inside
   * it: e.g. `<repository>/<run id>/<run attempt>/<job>/<step>`. Without it,
   * a random id is used (still the same for every retry of this process).
   */
  deployId?: string;
  bucket: string;
  prefix: string;
  /** The paths of the batch: the same deploy with other paths is another invalidation. */
  paths: readonly string[];
  /**
   * What the deploy wrote, e.g. `put key sha256` / `delete key` lines: a deploy id
   * reused for other content (a local run, a test harness) still gets a new reference.
   */
  changes?: readonly string[];
}

/** CloudFront keeps CallerReferences per distribution; this keeps ours short and readable. */
const CALLER_REFERENCE_PREFIX = 'deploy-actions-s3-sync';

/**
 * The CallerReference of a deploy's invalidation: `deploy-actions-s3-sync-<hash>`
 * over the deploy id, the target, the paths and what the deploy wrote. Retries
 * of one deploy send the same reference (CloudFront then returns the
 * invalidation already made); a re-run of the workflow (a new run attempt) or a
 * later deploy gets a new one, as it must: reusing an old reference would return
 * an old, completed invalidation while the new uploads stay cached. The paths
 * are part of it, so the same deploy id with another batch can never meet
 * InvalidationBatchAlreadyExists.
 */
export function invalidationCallerReference(input: CallerReferenceInput): string {
  const deployId = input.deployId ?? `random-${randomUUID()}`;
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        deployId,
        input.bucket,
        input.prefix,
        [...input.paths].sort(),
        [...(input.changes ?? [])].sort(),
      ]),
    )
    .digest('hex')
    .slice(0, 40);
  return `${CALLER_REFERENCE_PREFIX}-${hash}`;
}

export interface CloudFrontInvalidatorOptions {
  client: CloudFrontClient;
  distribution: DistributionRef;
  logger: Logger;
  /** How long create() keeps retrying while CloudFront refuses for a transient reason. */
  createTimeoutMs: number;
  clock?: Clock;
  /** Between CreateInvalidation attempts. */
  createBackoff?: BackoffOptions;
  /** Between GetInvalidation polls. */
  waitBackoff?: BackoffOptions;
}

/**
 * CloudFront frees in-progress capacity only as other invalidations finish,
 * which takes tens of seconds at least: retries start at a few seconds.
 */
export const CREATE_BACKOFF: BackoffOptions = { initialMs: 4_000, maxMs: 30_000 };
export const WAIT_BACKOFF: BackoffOptions = { initialMs: 2_000, maxMs: 15_000 };
/** Full jitter may draw a delay near zero; polls of an invalidation are at least this far apart. */
export const MIN_POLL_INTERVAL_MS = 1_000;

export class CloudFrontInvalidator implements Invalidator {
  private readonly client: CloudFrontClient;
  private readonly distribution: DistributionRef;
  private readonly logger: Logger;

  constructor(private readonly options: CloudFrontInvalidatorOptions) {
    this.client = options.client;
    this.distribution = options.distribution;
    this.logger = options.logger;
  }

  async create(paths: readonly string[], callerReference: string): Promise<string> {
    const input = {
      DistributionId: this.distribution.id,
      InvalidationBatch: {
        CallerReference: callerReference,
        Paths: { Quantity: paths.length, Items: [...paths] },
      },
    };
    this.logger.info(
      `Creating an invalidation of ${paths.length} paths on ${this.distribution.id} (CallerReference ${callerReference})`,
    );
    let lastError: unknown;
    const result = await poll<string>({
      label: `CreateInvalidation on ${this.distribution.id}`,
      timeoutMs: this.options.createTimeoutMs,
      backoff: this.options.createBackoff ?? CREATE_BACKOFF,
      clock: this.options.clock,
      attempt: () =>
        callWith<typeof S3_SYNC_TABLE, PollStep<string>>(
          S3_SYNC_TABLE,
          'CreateInvalidation',
          { resource: this.distribution.arn },
          async () => {
            const response = await this.client.send(new CreateInvalidationCommand(input));
            return { done: true, value: invalidationId(response.Invalidation?.Id) };
          },
          {
            onError: (error, context) => {
              if (!isRetryableCreateError(error)) {
                throw this.explainCreateError(error, callerReference, context);
              }
              lastError = error;
              // Full jitter may draw ~0: CloudFront frees capacity only as invalidations finish.
              return {
                done: false,
                status: describeAnswer(error),
                retryAfterMs: MIN_POLL_INTERVAL_MS,
              };
            },
          },
        ),
      onWait: ({ attempt, delayMs, status }) =>
        this.logger.info(
          `CreateInvalidation attempt ${attempt}: ${status}; retrying in ${formatDuration(delayMs)} with the same CallerReference`,
        ),
    });
    if (result.ok) return result.value;
    throw createTimedOut(this.distribution.id, this.options.createTimeoutMs, lastError);
  }

  async wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const result = await poll<void>({
      label: `invalidation ${id}`,
      timeoutMs,
      ...(signal && { signal }),
      backoff: this.options.waitBackoff ?? WAIT_BACKOFF,
      clock: this.options.clock,
      attempt: async () => {
        const status = await this.readStatus(id);
        if (status === 'Completed') return { done: true, value: undefined };
        return { done: false, status, retryAfterMs: MIN_POLL_INTERVAL_MS };
      },
      onWait: ({ delayMs, status, elapsedMs }) =>
        this.logger.info(
          `Invalidation ${id}: ${status} after ${formatDuration(elapsedMs)}; next check in ${formatDuration(delayMs)}`,
        ),
    });
    // Cancelled: the invalidation goes on in CloudFront; the caller says so.
    if (result.ok || result.reason === 'aborted') return;
    throw new UserError(
      `Invalidation ${id} of distribution ${this.distribution.id} did not complete within ${formatDuration(timeoutMs)} (last status: ${result.lastStatus ?? 'unknown'}).`,
      {
        hint: "CloudFront usually completes an invalidation within minutes: raise invalidation-timeout, or look at the distribution's Invalidations tab. The new files are uploaded; stale objects were not deleted.",
      },
    );
  }

  /** The invalidation's status; a transient failure of the call is reported as a status, to poll again. */
  private async readStatus(id: string): Promise<string> {
    return callWith(
      S3_SYNC_TABLE,
      'GetInvalidation',
      { resource: this.distribution.arn },
      async () => {
        const response = await this.client.send(
          new GetInvalidationCommand({ DistributionId: this.distribution.id, Id: id }),
        );
        return response.Invalidation?.Status ?? 'unknown';
      },
      {
        onError: (error, context) => {
          if (isTransient(error)) return `GetInvalidation failed (${describeAnswer(error)})`;
          throw this.explainWaitError(error, id, context);
        },
      },
    );
  }

  private explainCreateError(
    error: unknown,
    callerReference: string,
    context: AwsCallContext,
  ): Error {
    const code = errorCode(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'NoSuchDistribution') return noSuchDistribution(this.distribution.id, error);
    if (code === 'InvalidationBatchAlreadyExists') {
      return new UserError(
        `CloudFront already has an invalidation with CallerReference ${callerReference} on ${this.distribution.id}, for other paths: ${message}`,
        {
          cause: error,
          hint: 'Two deploys used the same deploy id: give each step execution its own (run id, attempt, job and step).',
        },
      );
    }
    if (
      code === 'BatchTooLarge' ||
      code === 'InvalidArgument' ||
      code === 'InconsistentQuantities'
    ) {
      return new UserError(
        `CloudFront refused the invalidation paths for ${this.distribution.id} (${code}): ${message}`,
        {
          cause: error,
          hint: 'Lower invalidation-max-paths (paths are then collapsed into wildcards), or use invalidation: all.',
        },
      );
    }
    return translateAwsError(error, context);
  }

  private explainWaitError(error: unknown, id: string, context: AwsCallContext): Error {
    const code = errorCode(error);
    if (code === 'AccessDenied' || code === 'AccessDeniedException') {
      return new UserError(
        `Invalidation ${id} was created, but AWS denied ${context.action} on ${this.distribution.arn}, so this step cannot tell when it completes: ${(error as Error).message}`,
        {
          cause: error,
          hint: `Grant the role "${context.action}" on "${this.distribution.arn}" (the step waits for the invalidation before deleting stale objects). Without that permission, set wait-for-invalidation: false and delete: false.`,
        },
      );
    }
    if (code === 'NoSuchInvalidation') {
      return new UserError(
        `Invalidation ${id} of distribution ${this.distribution.id} does not exist any more: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return translateAwsError(error, context);
  }
}

function noSuchDistribution(id: string, cause: unknown): UserError {
  return new UserError(`CloudFront distribution ${id} does not exist.`, {
    cause,
    hint: "Check distribution-id: the ID in the CloudFront console (e.g. E2QWRUHAPOMQZL), of a distribution in the role's account. Distributions are global, not per region.",
  });
}

function isRetryableCreateError(error: unknown): boolean {
  return errorCode(error) === 'TooManyInvalidationsInProgress' || isTransient(error);
}

function invalidationId(id: string | undefined): string {
  if (id === undefined || id === '') {
    throw new UserError('CloudFront answered CreateInvalidation without an invalidation id.');
  }
  return id;
}

/** `TooManyInvalidationsInProgress: Processing your request will …`, `HTTP 503 ServiceUnavailable`. */
function describeAnswer(error: unknown): string {
  const code = errorCode(error) ?? 'error';
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata
    ?.httpStatusCode;
  const message = error instanceof Error && error.message !== code ? `: ${error.message}` : '';
  return `${status !== undefined ? `HTTP ${status} ` : ''}${code}${message}`;
}

function createTimedOut(distributionId: string, timeoutMs: number, lastError: unknown): UserError {
  const tooMany = errorCode(lastError) === 'TooManyInvalidationsInProgress';
  return new UserError(
    `CloudFront did not accept the invalidation for distribution ${distributionId} within ${formatDuration(timeoutMs)}: ${describeAnswer(lastError)}`,
    {
      cause: lastError,
      hint: tooMany
        ? 'The distribution has too many invalidations in progress (3,000 paths, or 15 wildcard paths, at a time). Wait for them to finish or raise invalidation-timeout; then run the step again with invalidation: all, since the files are already uploaded.'
        : 'CloudFront kept failing; run the step again with invalidation: all (the files are already uploaded).',
    },
  );
}
