import {
  cancelSignal,
  githubIdToken,
  runProcess,
  runnerInputSource,
  runnerLogger,
  setOutputs,
  stepContext,
  writeSummary,
} from '@deploy-actions/action-kit';
import { openAwsSession } from '@deploy-actions/aws';
import {
  pipelineOutputs,
  pipelineSummary,
  readPipelineInputs,
  runPipeline,
} from '@deploy-actions/pipeline';

const ACTION = 'deploy';

export async function main(): Promise<void> {
  const logger = runnerLogger();
  // Every input of every stage, validated before anything runs; secrets masked as they are read.
  const plan = readPipelineInputs(runnerInputSource(), process.env, (value) => logger.mask(value));
  const cancel = cancelSignal();
  const state = await runPipeline(plan, {
    logger,
    openSession: (aws) => openAwsSession(aws, ACTION, { getIdToken: githubIdToken, logger }),
    signal: cancel.signal,
    runProcess,
    run: stepContext(),
    env: process.env,
  }).finally(() => cancel.dispose());
  setOutputs(pipelineOutputs(state));
  await writeSummary(pipelineSummary(state));
  if (state.error !== undefined) throw state.error;
}
