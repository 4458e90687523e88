/**
 * The job's GitHub context, read from the runner's environment variables: a
 * plain reader (no @actions/*), so engines and the CLI can take it as data.
 */
export interface RunContext {
  repository: string;
  runId: string;
  runAttempt: string;
  sha: string;
  serverUrl: string;
  eventName: string;
  /** The run's page, for "who applied this" records and links. */
  runUrl: string;
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const repository = env.GITHUB_REPOSITORY ?? 'local/unknown';
  const runId = env.GITHUB_RUN_ID ?? '0';
  return {
    repository,
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    sha: env.GITHUB_SHA ?? '',
    serverUrl,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    runUrl: `${serverUrl}/${repository}/actions/runs/${runId}`,
  };
}

/** The run (and attempt) doing the work: migration history's applied_by, task start reasons. */
export function runAttemptUrl(context: RunContext): string {
  return context.runAttempt === '1'
    ? context.runUrl
    : `${context.runUrl}/attempts/${context.runAttempt}`;
}

/** The step within its run: job, step id, and whether a workflow runs it at all. */
export interface StepContext extends RunContext {
  job: string;
  /** The step's id (GITHUB_ACTION). */
  step: string;
  /** False outside a workflow run (no GITHUB_RUN_ID), e.g. the CLI. */
  inWorkflow: boolean;
}

export function stepContext(env: NodeJS.ProcessEnv = process.env): StepContext {
  return {
    ...runContext(env),
    job: env.GITHUB_JOB ?? '',
    step: env.GITHUB_ACTION ?? '',
    inWorkflow: Boolean(env.GITHUB_RUN_ID),
  };
}

/**
 * This execution of the step: the same for every retry inside it, new for a
 * re-run of the workflow (idempotency tokens derive from it). Undefined
 * outside a workflow run.
 */
export function stepExecutionId(step: StepContext): string | undefined {
  if (!step.inWorkflow) return undefined;
  return [step.repository, step.runId, step.runAttempt, step.job, step.step].join('/');
}
