import * as core from '@actions/core';
import { resumeCommands } from './commands.js';
import { UserError, describeError } from './errors.js';

/**
 * The one entry point of every action: runs `main` and turns anything thrown
 * into a failed step with a clean message. A user error shows its message and
 * hint (and an annotation at its file and line when it has one); anything else
 * shows its type and message. The stack is printed only with RUNNER_DEBUG=1.
 */
export async function run(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    resumeCommands();
    reportFailure(error);
  } finally {
    resumeCommands();
  }
}

function reportFailure(error: unknown): void {
  if (process.env.RUNNER_DEBUG === '1' && error instanceof Error && error.stack) {
    core.info(error.stack);
  }
  const message = describeError(error);
  const location = error instanceof UserError ? error.location : undefined;
  if (location?.file) {
    // One annotation, at the place to fix (setFailed would add a second, unlocated one).
    core.error(message, { file: location.file, startLine: location.line });
    process.exitCode = core.ExitCode.Failure;
    return;
  }
  core.setFailed(message);
}
