import { ECRClient } from '@aws-sdk/client-ecr';
import {
  Inputs,
  githubIdToken,
  runProcess,
  runnerLogger,
  UserError,
  setOutputs,
  withCancel,
  writeSummary,
  type Logger,
  type RunProcess,
} from '@deploy-actions/action-kit';
import { createClient, openAwsSession, type AwsInputs } from '@deploy-actions/aws';
import {
  buildAndPush,
  buildOnly,
  buildPushOutputs,
  enforceScanGate,
  prepareBuild,
  summarizeBuildPush,
  type BuildPushOptions,
  type BuildPushResult,
} from '@deploy-actions/ecr';
import { getInputs } from './inputs.js';

export async function main(): Promise<void> {
  const logger = runnerLogger();
  // Masked while read, so that not even an invalid line's error can show a value.
  const { aws, options } = getInputs(new Inputs(), process.env, (value) => logger.mask(value));
  const buildOptions = await prepareBuild(options, { env: process.env, runProcess });
  const result = options.push
    ? await pushToEcr(aws, buildOptions, logger)
    : await buildOnly(buildOptions, { runProcess, logger });
  setOutputs(buildPushOutputs(result));
  await writeSummary(summarizeBuildPush(result));
  const failOn = options.scan.mode === 'wait' ? options.scan.failOn : undefined;
  enforceScanGate(result.scan, failOn, logger, {
    message: '',
    hint: 'The image was pushed but should not be deployed.',
  });
}

async function pushToEcr(
  aws: AwsInputs,
  options: BuildPushOptions,
  logger: Logger,
): Promise<BuildPushResult> {
  const session = await openAwsSession(aws, 'build-push-ecr', {
    getIdToken: githubIdToken,
    logger,
  });
  const ecr = createClient(ECRClient, session);
  // A cancelled job stops docker (build or push) and makes no ECR call after it.
  return withCancel(async (signal) => {
    const cancellable: RunProcess = (command, args, processOptions) =>
      runProcess(command, args, { ...processOptions, signal });
    try {
      return await buildAndPush(options, {
        ecr,
        runProcess: cancellable,
        logger,
        region: session.region,
      });
    } catch (error) {
      if (!signal.aborted) throw error;
      throw new UserError('The step was cancelled: docker was stopped; nothing is deployed.', {
        hint: 'An image pushed before the cancel stays in the repository; a re-run builds again or, with skip-if-exists, reuses it.',
      });
    }
  });
}
