import {
  githubIdToken,
  output,
  runContext,
  runProcess,
  runnerInputSource,
  runnerLogger,
  writeSummary,
} from '@deploy-actions/action-kit';
import { openAwsSession } from '@deploy-actions/aws';
import {
  pipelineOutputs,
  pipelineSummary,
  readPipelineInputs,
  runPipeline,
  type RunInfo,
} from '@deploy-actions/pipeline';

const ACTION = 'deploy';

export async function main(): Promise<void> {
  // Every input of every stage, validated before anything runs.
  const plan = readPipelineInputs(runnerInputSource(), process.env);
  const logger = runnerLogger();
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const state = await runPipeline(plan, {
    logger,
    openSession: (aws) => openAwsSession(aws, ACTION, { getIdToken: githubIdToken, logger }),
    signal: cancel.signal,
    runProcess,
    run: runInfo(),
    env: process.env,
  }).finally(() => process.off('SIGINT', onSignal).off('SIGTERM', onSignal));
  for (const [name, value] of Object.entries(pipelineOutputs(state))) output(name, value);
  await writeSummary(pipelineSummary(state));
  if (state.error !== undefined) throw state.error;
}

function runInfo(env: NodeJS.ProcessEnv = process.env): RunInfo {
  return {
    ...runContext(env),
    job: env.GITHUB_JOB ?? '',
    step: env.GITHUB_ACTION ?? '',
    inWorkflow: Boolean(env.GITHUB_RUN_ID),
  };
}
