/**
 * Third-party output in the job log: a line a program prints could be a
 * workflow command (`::add-mask::`, `::error::`, `::stop-commands::`), which
 * the runner would obey. Before such output the runner is told to stop
 * processing commands until a random token comes back; anything of ours
 * resumes them first.
 */
import { randomBytes } from 'node:crypto';
import { EOL } from 'node:os';

let token: string | undefined;

/** Writes a line of third-party output with workflow commands off. */
export function writeVerbatim(line: string, write = stdoutWrite): void {
  if (token === undefined) {
    token = randomBytes(16).toString('hex');
    write(`::stop-commands::${token}${EOL}`);
  }
  write(`${line}${EOL}`);
}

/** Turns workflow commands back on, if third-party output turned them off. */
export function resumeCommands(write = stdoutWrite): void {
  if (token === undefined) return;
  write(`::${token}::${EOL}`);
  token = undefined;
}

function stdoutWrite(text: string): void {
  process.stdout.write(text);
}
