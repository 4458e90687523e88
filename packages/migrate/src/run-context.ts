import { runAttemptUrl, type RunContext } from '@deploy-actions/action-kit/engine';
import type { EcsRunContext } from './ecs-run.js';

/**
 * The migration task's run context: its client token and stop reason name
 * the run, the attempt, the job and the step (GITHUB_JOB, GITHUB_ACTION).
 */
export function ecsRunContext(context: RunContext, env: NodeJS.ProcessEnv): EcsRunContext {
  return {
    runId: context.runId,
    runAttempt: context.runAttempt,
    runUrl: runAttemptUrl(context),
    job: env.GITHUB_JOB ?? '',
    step: env.GITHUB_ACTION ?? '',
  };
}
