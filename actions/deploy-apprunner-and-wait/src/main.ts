import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import {
  Inputs,
  githubIdToken,
  runnerLogger,
  setOutputs,
  withCancel,
  writeSummary,
} from '@deploy-actions/action-kit';
import { createClient, openAwsSession } from '@deploy-actions/aws';
import {
  DeployFailedError,
  deployOutputs,
  deployToAppRunner,
  summarizeDeploy,
  type DeployReport,
} from '@deploy-actions/apprunner';
import { getInputs } from './inputs.js';

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
    // A cancelled job stops waiting and starts no new write; the operation goes on in App Runner.
    report = await withCancel((signal) =>
      deployToAppRunner(options, { client, region: session.region, logger, signal }),
    );
  } catch (error) {
    // A deployment that ran and failed still says what is live and where to look.
    if (error instanceof DeployFailedError) {
      setOutputs(deployOutputs(error.report));
      await writeSummary(summarizeDeploy(error.report));
    }
    throw error;
  }
  setOutputs(deployOutputs(report));
  await writeSummary(summarizeDeploy(report));
}
