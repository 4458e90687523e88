import { runAttemptUrl, type StepContext } from '@deploy-actions/action-kit/engine';
import type { EcsRunContext } from './ecs/session.js';

/**
 * The migration task's run context: its client token and stop reason name
 * the run, the attempt, the job and the step.
 */
export function ecsRunContext(step: StepContext): EcsRunContext {
  return {
    runId: step.runId,
    runAttempt: step.runAttempt,
    runUrl: runAttemptUrl(step),
    job: step.job,
    step: step.step,
  };
}
