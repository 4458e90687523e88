import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import {
  Inputs,
  githubIdToken,
  output,
  runnerLogger,
  writeSummary,
} from '@deploy-actions/action-kit';
import { createClient, openAwsSession } from '@deploy-actions/aws';
import { DeployFailedError, deployToAppRunner, type DeployReport } from '@deploy-actions/apprunner';
import { getInputs } from './inputs.js';
import { summarySections } from './summary.js';

export async function main(): Promise<void> {
  const { aws, options } = getInputs(new Inputs());
  const logger = runnerLogger();
  const session = await openAwsSession(aws, 'deploy-apprunner-and-wait', {
    getIdToken: githubIdToken,
    logger,
  });
  const client = createClient(AppRunnerClient, session);
  let report: DeployReport;
  try {
    report = await deployToAppRunner(options, { client, region: session.region, logger });
  } catch (error) {
    // A deployment that ran and failed still says what is live and where to look.
    if (error instanceof DeployFailedError) {
      setOutputs(error.report);
      await writeSummary(summarySections(error.report));
    }
    throw error;
  }
  setOutputs(report);
  await writeSummary(summarySections(report));
}

function setOutputs(report: DeployReport): void {
  output('service-arn', report.serviceArn);
  output('service-url', report.serviceUrl ?? '');
  output('operation-id', report.operation?.id ?? '');
  output('status', report.status);
  output('image', report.image ?? '');
  output('previous-image', report.previousImage ?? '');
  output('duration', Math.round(report.durationMs / 1000));
}
