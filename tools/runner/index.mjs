// @ts-check
// The runner emulator: runs this repository's actions as the GitHub runner does (INPUT_*, the
// runner's files, workflow commands and masking, Node 24). In tools/ because the CLI (bin/), the
// demo, the benchmarks and the tests all run actions through it, and none of them owns it.
export { REPO_ROOT, ROOT_ACTION, actionPaths, listActions, loadAction } from './actions.mjs';
export { inputEnv, inputVariable, isExpression } from './inputs.mjs';
export {
  LogTranslator,
  Masker,
  assertNoMaskedValueLeaked,
  parseAnnotations,
  parseCommand,
  parseMasks,
  unescapeData,
  unescapeProperty,
  visibleLog,
} from './commands.mjs';
export {
  RUNNER_FILE_VARIABLES,
  createRunnerFiles,
  parseFileCommands,
  readRunnerFiles,
  runnerFileEnv,
  runnerFiles,
} from './files.mjs';
export { node24Path } from './node.mjs';
export { runBundle, runEnv } from './run.mjs';
export { runIsolated } from './isolated.mjs';
export { formatResult, runInTerminal } from './terminal.mjs';
export { decodeEntities, displayWidth, renderTable, summaryToText } from './summary-text.mjs';

/** @typedef {import('./actions.mjs').ActionInfo} ActionInfo */
/** @typedef {import('./actions.mjs').ActionInput} ActionInput */
/** @typedef {import('./actions.mjs').ActionOutput} ActionOutput */
/** @typedef {import('./commands.mjs').Annotation} Annotation */
/** @typedef {import('./files.mjs').RunnerFiles} RunnerFiles */
/** @typedef {import('./run.mjs').BundleRun} BundleRun */
/** @typedef {import('./run.mjs').BundleRunOptions} BundleRunOptions */
/** @typedef {import('./isolated.mjs').GithubContext} GithubContext */
/** @typedef {import('./isolated.mjs').IsolatedRun} IsolatedRun */
/** @typedef {import('./isolated.mjs').IsolatedRunOptions} IsolatedRunOptions */
/** @typedef {import('./isolated.mjs').OidcEndpoint} OidcEndpoint */
/** @typedef {import('./isolated.mjs').SimulatorLike} SimulatorLike */
/** @typedef {import('./terminal.mjs').RunResult} RunResult */
/** @typedef {import('./terminal.mjs').TerminalRunOptions} TerminalRunOptions */
