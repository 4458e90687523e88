import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { Logger } from '@deploy-actions/action-kit/engine';
import { CloudFrontInvalidator, distributionArn, findBucketOrigin } from './cloudfront.js';
import type { DistributionInfo } from './report.js';
import type { Invalidator } from './types.js';

export interface OpenedDistribution {
  invalidator: Invalidator;
  info: DistributionInfo;
}

/**
 * The distribution's origin for the bucket (its origin path maps keys to
 * URLs) and the invalidator; none without a distribution-id or with
 * invalidation: none. Looked up in a dry run too: the plan shows real paths.
 */
export async function openDistribution(
  sync: {
    distributionId: string | undefined;
    invalidation: string;
    bucket: string;
    prefix: string;
    invalidationTimeoutMs: number;
  },
  client: CloudFrontClient | undefined,
  logger: Logger,
): Promise<OpenedDistribution | undefined> {
  if (sync.distributionId === undefined || client === undefined) {
    if (sync.invalidation !== 'none') logger.info('No distribution-id: nothing is invalidated.');
    return undefined;
  }
  if (sync.invalidation === 'none') {
    logger.info(`invalidation: none: distribution ${sync.distributionId} is left alone.`);
    return undefined;
  }
  const distribution = { id: sync.distributionId, arn: distributionArn(sync.distributionId) };
  const origin = await findBucketOrigin(client, distribution, {
    bucket: sync.bucket,
    prefix: sync.prefix,
  });
  if (origin.warning !== undefined) logger.warning(origin.warning);
  else
    logger.info(
      `Distribution ${distribution.id} serves the bucket from origin ${origin.originId ?? '?'}${origin.originPath === '' ? '' : ` with origin path ${origin.originPath}`}`,
    );
  const invalidator = new CloudFrontInvalidator({
    client,
    distribution,
    logger,
    createTimeoutMs: sync.invalidationTimeoutMs,
  });
  return { invalidator, info: { id: distribution.id, origin } };
}
