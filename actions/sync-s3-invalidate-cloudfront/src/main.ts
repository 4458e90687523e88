import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  Inputs,
  githubIdToken,
  output,
  runContext,
  runnerLogger,
  writeSummary,
  type Logger,
} from '@deploy-actions/action-kit';
import { createClient, openAwsSession, type AwsSession } from '@deploy-actions/aws';
import {
  CloudFrontInvalidator,
  createS3Client,
  distributionArn,
  findBucketOrigin,
  scanBuild,
  syncToS3,
  type DistributionInfo,
  type Invalidator,
  type SyncInputs,
  type SyncReport,
} from '@deploy-actions/s3-sync';
import { getInputs } from './inputs.js';
import { summarySections } from './summary.js';

const ACTION = 'sync-s3-invalidate-cloudfront';

export async function main(): Promise<void> {
  const { aws, sync } = getInputs(new Inputs());
  const logger = runnerLogger();
  // Everything local (a missing or empty build, a link leaving it) fails before any AWS call.
  const scanned = await scanBuild(sync, logger);

  const session = await openAwsSession(aws, ACTION, { getIdToken: githubIdToken, logger });
  const s3 = createS3Client(session, { concurrency: sync.concurrency });
  const cloudfront = await openDistribution(session, sync, logger);
  try {
    const report = await syncToS3(
      {
        ...sync,
        originPath: cloudfront?.info.origin.originPath ?? '',
        deployId: deployId(process.env),
        scanned,
      },
      { s3, invalidator: cloudfront?.invalidator, logger },
    );
    setOutputs(report);
    await writeSummary(summarySections(report, cloudfront?.info));
  } finally {
    s3.destroy();
    cloudfront?.client.destroy();
  }
}

/**
 * This execution of the step: the same for every retry inside it, new for a
 * re-run of the workflow. The invalidation's CallerReference is derived from it
 * (and from what the deploy wrote), so a retried CreateInvalidation returns the
 * invalidation already made instead of starting a second one.
 */
function deployId(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_RUN_ID) return undefined;
  const run = runContext(env);
  return [run.repository, run.runId, run.runAttempt, env.GITHUB_JOB, env.GITHUB_ACTION]
    .map((part) => part ?? '')
    .join('/');
}

interface Distribution {
  client: CloudFrontClient;
  invalidator: Invalidator;
  info: DistributionInfo;
}

/**
 * The distribution's origin for the bucket (its origin path maps keys to
 * URLs) and the invalidator. None without a distribution-id or with
 * invalidation: none. Looked up in a dry run too: the plan shows real paths.
 */
async function openDistribution(
  session: AwsSession,
  sync: SyncInputs,
  logger: Logger,
): Promise<Distribution | undefined> {
  if (sync.distributionId === undefined) {
    if (sync.invalidation !== 'none') logger.info('No distribution-id: nothing is invalidated.');
    return undefined;
  }
  if (sync.invalidation === 'none') {
    logger.info(`invalidation: none: distribution ${sync.distributionId} is left alone.`);
    return undefined;
  }
  const client = createClient(CloudFrontClient, session);
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
  return { client, invalidator, info: { id: distribution.id, origin } };
}

function setOutputs(report: SyncReport): void {
  output('uploaded', report.uploaded);
  output('metadata-updated', report.metadataUpdated);
  output('unchanged', report.unchanged);
  output('deleted', report.deleted);
  output('bytes-uploaded', report.bytesUploaded);
  output('invalidation-id', report.invalidationId ?? '');
  output('invalidated-paths', JSON.stringify(report.invalidatedPaths));
}
