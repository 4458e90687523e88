// The CLI's modules in one place, for the tests and the demo (types in index.d.mts).
export {
  REPO_ROOT,
  actionHelp,
  actionPaths,
  listActions,
  loadAction,
  mainHelp,
  wrap,
} from './actions.mjs';
export {
  UsageError,
  closest,
  inputEnv,
  inputVariable,
  parseCommandLine,
  resolveInputs,
} from './args.mjs';
export { main } from './cli.mjs';
export {
  LogTranslator,
  Masker,
  parseCommand,
  parseFileCommands,
  unescapeData,
  unescapeProperty,
} from './log.mjs';
export { formatResult, nodeBinary, runAction, runEnv } from './run.mjs';
export { decodeEntities, displayWidth, renderTable, summaryToText } from './summary-text.mjs';
