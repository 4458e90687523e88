// The root action's engine: read the plan, run it, report it. Nothing here talks to the runner;
// actions/deploy is the shell that does.
export {
  readPipelineInputs,
  type PipelineInputs,
  type MigrationsStageInputs,
  type SmokeStageInputs,
} from './inputs.js';
export { runPipeline, type PipelineDeps, type RunInfo } from './run.js';
export { pipelineOutputs } from './outputs.js';
export { pipelineSummary, type SummarySection } from './summary.js';
export type { PipelineState, RollbackRecord, SiteReport } from './state.js';
export { type StageResult, type StageStatus } from './result.js';
export {
  STAGES,
  SESSION_INPUTS,
  stageOf,
  type StageDeclaration,
  type StageKey,
  type StageName,
} from './registry.js';
