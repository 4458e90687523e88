import { spawn } from 'node:child_process';

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, then stdin is closed (e.g. a password for --password-stdin). */
  input?: string;
  /** Each output line (stdout and stderr), as it arrives. */
  onLine?: (line: string) => void;
  /** How many trailing lines to keep for error messages. */
  keepLines?: number;
  signal?: AbortSignal;
}

export interface ProcessResult {
  exitCode: number;
  /** The last `keepLines` lines of output. */
  tail: string[];
}

/** Runs a program with an argument list (never a shell string) and streams its output by line. */
export type RunProcess = (
  command: string,
  args: readonly string[],
  options?: ProcessOptions,
) => Promise<ProcessResult>;

export const runProcess: RunProcess = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const keep = options.keepLines ?? 30;
    const tail: string[] = [];
    const child = spawn(command, [...args], {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > keep) tail.shift();
      options.onLine?.(line);
    };
    const stdout = lineReader(onLine);
    const stderr = lineReader(onLine);
    child.stdout.on('data', stdout.push);
    child.stderr.on('data', stderr.push);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new Error(`${command} was not found on PATH`));
      else reject(error);
    });
    child.on('close', (code, signal) => {
      stdout.flush();
      stderr.flush();
      resolve({ exitCode: code ?? (signal ? 128 : 1), tail });
    });
    child.stdin.on('error', () => undefined); // a program that exits without reading stdin is not our error
    child.stdin.end(options.input ?? '');
  });

function lineReader(onLine: (line: string) => void) {
  let pending = '';
  return {
    push: (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    flush: () => {
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}
