// The runner-facing kit for actions/*: everything here may talk to the runner.
// Engines import '@deploy-actions/action-kit/engine' instead.
export * from './engine.js';
export { secretForms } from './mask.js';
export { maskSecret, runnerLogger, output, githubIdToken } from './github.js';
export { writeSummary, escapeHtml, type SummarySection } from './summary.js';
export { run } from './run.js';
export { setOutputs, type Outputs } from './outputs.js';
