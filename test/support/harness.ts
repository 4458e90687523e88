/**
 * The tests' names for tools/runner's isolated run (runAction → ActionRun) and the readers of
 * its result; the runner emulator itself lives in tools/runner.
 */
export {
  REPO_ROOT,
  assertNoMaskedValueLeaked,
  node24Path,
  parseAnnotations,
  parseFileCommands,
  runIsolated as runAction,
  visibleLog,
  type Annotation,
  type GithubContext,
  type IsolatedRun as ActionRun,
  type IsolatedRunOptions as RunActionOptions,
  type OidcEndpoint,
  type SimulatorLike,
} from '../../tools/runner/index.mjs';
