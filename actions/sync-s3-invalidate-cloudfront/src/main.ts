import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  Inputs,
  githubIdToken,
  runnerLogger,
  setOutputs,
  stepContext,
  stepExecutionId,
  writeSummary,
} from '@deploy-actions/action-kit';
import { createClient, openAwsSession } from '@deploy-actions/aws';
import {
  createS3Client,
  openDistribution,
  scanBuild,
  syncOutputs,
  syncToS3,
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
  // Only when something is invalidated; the engine says why not otherwise.
  const client =
    sync.distributionId !== undefined && sync.invalidation !== 'none'
      ? createClient(CloudFrontClient, session)
      : undefined;
  const cloudfront = await openDistribution(sync, client, logger);
  try {
    const report = await syncToS3(
      {
        ...sync,
        originPath: cloudfront?.info.origin.originPath ?? '',
        // The invalidation's CallerReference derives from it: a retried
        // CreateInvalidation returns the one already made.
        deployId: stepExecutionId(stepContext()),
        scanned,
      },
      { s3, invalidator: cloudfront?.invalidator, logger },
    );
    setOutputs(syncOutputs(report));
    await writeSummary(summarySections(report, cloudfront?.info));
  } finally {
    s3.destroy();
    client?.destroy();
  }
}
