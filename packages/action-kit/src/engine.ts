// The GitHub-free half of the kit: everything here may be used by engines in
// packages/, by the CLI and by benchmarks. Nothing here imports @actions/*.
export { UserError, InputError, describeError } from './errors.js';
export { type Logger, type AnnotationLocation, MemoryLogger, consoleLogger } from './logger.js';
export { parseDuration, formatDuration, formatDurationInput } from './duration.js';
export {
  type Clock,
  type BackoffOptions,
  type PollStep,
  type PollOptions,
  type PollResult,
  systemClock,
  backoffDelay,
  poll,
  FakeClock,
} from './poll.js';
export {
  Inputs,
  runnerInputSource,
  splitList,
  integerValue,
  durationValue,
  yamlValue,
  parseKeyValueLines,
  type InputSource,
  type IntegerOptions,
  type DurationOptions,
  type KeyValueOptions,
} from './inputs.js';
export { closest, type ClosestOptions } from './closest.mjs';
export { runProcess, type RunProcess, type ProcessOptions, type ProcessResult } from './process.js';
export { cancelSignal, withCancel, type Cancellation } from './cancel.js';
export {
  runContext,
  runAttemptUrl,
  stepContext,
  stepExecutionId,
  type RunContext,
  type StepContext,
} from './run-context.js';
export { childEnv, ENV_PATTERN, type ChildEnvOptions } from './child-env.js';
