/**
 * Mode 2: the user's own migration tool (prisma, knex, node-pg-migrate,
 * flyway, `npm run migrate`…). The command is an argument list run without a
 * shell, with the database URL in one environment variable and otherwise an
 * allow-listed environment (no runner tokens, no AWS credentials unless
 * named); its output goes to the log line by line, never read as workflow
 * commands, and its exit code decides. A cancelled step interrupts it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  ENV_PATTERN,
  InputError,
  UserError,
  childEnv,
  formatDuration,
  systemClock,
  type Clock,
  type Logger,
} from '@deploy-actions/action-kit/engine';
import { redact } from './url.js';

export interface ExecOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborted when the step is cancelled: the program gets SIGINT, then SIGTERM, then SIGKILL. */
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Null when a signal ended the process. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs a program with arguments (never through a shell). Rejects only when it cannot start. */
export type Exec = (argv: readonly string[], options: ExecOptions) => Promise<ExecResult>;

export interface CommandOptions {
  argv: readonly string[];
  /** The environment variable that receives the URL (database-url-env). */
  urlEnv: string;
  url: string;
  cwd?: string;
  /** The environment to pick from; the runner's own by default. */
  env?: NodeJS.ProcessEnv;
  /** Variable names (or NAME_* prefixes) the command may see beyond the base allow-list. */
  allowEnv?: readonly string[];
  /** Strings to blank out of the output the outcome keeps (the log is masked by the runner). */
  secrets?: readonly string[];
}

export interface CommandDeps {
  logger: Logger;
  exec?: Exec;
  clock?: Clock;
  signal?: AbortSignal;
}

export interface CommandOutcome {
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** The last lines of output, secrets blanked out, for the summary. */
  outputTail: string[];
  failure?: UserError;
}

const TAIL_LINES = 30;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function runMigrationCommand(
  options: CommandOptions,
  deps: CommandDeps,
): Promise<CommandOutcome> {
  const exec = deps.exec ?? spawnExec;
  const clock = deps.clock ?? systemClock;
  const display = formatCommandLine(options.argv);
  const tail: string[] = [];
  const started = clock.now();
  const result = await deps.logger.group(`Running ${display}`, () =>
    exec(options.argv, {
      env: childEnv(options.env ?? process.env, {
        allow: options.allowEnv,
        set: { [options.urlEnv]: options.url },
      }),
      cwd: options.cwd,
      signal: deps.signal,
      onLine: (line) => {
        deps.logger.output(line);
        tail.push(redact(line, options.secrets ?? []));
        if (tail.length > TAIL_LINES) tail.shift();
      },
    }).catch((error: unknown) => {
      throw cannotStart(options.argv, error);
    }),
  );
  const durationMs = clock.now() - started;
  deps.logger.info(
    `${display} ended with ${describeExit(result)} after ${formatDuration(durationMs)}.`,
  );
  const outcome = {
    argv: [...options.argv],
    exitCode: result.exitCode,
    signal: result.signal,
    durationMs,
    outputTail: tail,
  };
  if (result.exitCode === 0) return outcome;
  if (deps.signal?.aborted) {
    return {
      ...outcome,
      failure: new UserError(
        `The step was cancelled: the migration command ${display} was interrupted (${describeExit(result)}).`,
        {
          hint: 'Migrations the tool applied before the interruption stay applied; run the step again to finish.',
        },
      ),
    };
  }
  const lastLine = [...tail].reverse().find((line) => line.trim() !== '');
  return {
    ...outcome,
    failure: new UserError(
      `The migration command ${display} failed with ${describeExit(result)}${lastLine ? `: ${lastLine.trim()}` : ''}.`,
      { hint: `Its output is in the log group "Running ${display}".` },
    ),
  };
}

function describeExit(result: ExecResult): string {
  return result.exitCode === null
    ? `signal ${result.signal ?? '?'}`
    : `exit code ${result.exitCode}`;
}

function cannotStart(argv: readonly string[], error: unknown): UserError {
  const code = (error as { code?: unknown })?.code;
  const program = argv[0] ?? '';
  if (code === 'ENOENT') {
    return new UserError(`Could not start the migration command: "${program}" was not found.`, {
      cause: error,
      hint: 'Install it in an earlier step (npm ci, a setup action…); the command runs without a shell, so it must be a program on PATH or a path relative to the working directory.',
    });
  }
  if (code === 'EACCES') {
    return new UserError(`Could not start the migration command: "${program}" is not executable.`, {
      cause: error,
      hint: `Make it executable (git update-index --chmod=+x ${program}), or run it through its interpreter (node, bash…).`,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(`Could not start the migration command "${program}": ${message}`, {
    cause: error,
  });
}

/** Starts the program directly (shell: false) and reports its output line by line. */
export const spawnExec: Exec = (argv, options) =>
  new Promise((resolve, reject) => {
    const [program, ...args] = argv;
    if (program === undefined) return reject(new Error('empty command'));
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: child.stdout }).on('line', (line) => options.onLine(line, 'stdout'));
    createInterface({ input: child.stderr }).on('line', (line) => options.onLine(line, 'stderr'));
    const stop = interruptOnAbort(child, options.signal);
    child.once('error', (error) => (stop(), reject(error)));
    child.once('close', (exitCode, signal) => (stop(), resolve({ exitCode, signal })));
  });

/** After SIGINT, the runner kills the step about 10 s later: escalate well before that. */
export const INTERRUPT_ESCALATION_MS = [4_000, 7_000] as const;

/**
 * Passes a cancellation on as the runner does to the step: SIGINT (the tool
 * can release its lock and roll back), then SIGTERM, then SIGKILL.
 */
function interruptOnAbort(child: ChildProcess, signal: AbortSignal | undefined): () => void {
  if (signal === undefined) return () => undefined;
  const timers: NodeJS.Timeout[] = [];
  const onAbort = () => {
    child.kill('SIGINT');
    timers.push(setTimeout(() => child.kill('SIGTERM'), INTERRUPT_ESCALATION_MS[0]).unref());
    timers.push(setTimeout(() => child.kill('SIGKILL'), INTERRUPT_ESCALATION_MS[1]).unref());
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    signal.removeEventListener('abort', onAbort);
    for (const timer of timers) clearTimeout(timer);
  };
}

/** Reads command-env: variable names or NAME_* prefixes, as a list input gives them. */
export function validateEnvAllowList(entries: readonly string[], input = 'command-env'): string[] {
  for (const entry of entries) {
    if (!ENV_PATTERN.test(entry)) {
      throw new InputError(
        input,
        entry,
        'environment variable names or NAME_* prefixes (letters, digits and _), separated by commas or new lines',
      );
    }
  }
  return [...entries];
}

/** Validates database-url-env: a name a program can read from its environment. */
export function validateEnvName(name: string, input = 'database-url-env'): string {
  if (!ENV_NAME.test(name)) {
    throw new InputError(
      input,
      name,
      'an environment variable name: letters, digits and _, not starting with a digit',
    );
  }
  return name;
}

const SHELL_OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')', '`']);

/**
 * Splits the command input into arguments the way a POSIX shell splits
 * words: whitespace separates them, '…' is literal, "…" allows \" \\ \$ \`,
 * a backslash outside quotes keeps the next character, a backslash at the end
 * of a line continues it, and # starts a comment. Nothing else of a shell
 * happens, so pipes, redirections, && and $VARIABLES are refused rather than
 * passed on as arguments nobody meant.
 */
export function parseCommandLine(text: string, input = 'command'): string[] {
  const fail = (why: string) =>
    new InputError(
      input,
      text,
      `a command and its arguments, as for a shell without its features (${why})`,
    );
  const args: string[] = [];
  let current: string | undefined;
  const append = (chars: string) => {
    current = (current ?? '') + chars;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      if (current !== undefined) args.push(current);
      current = undefined;
    } else if (char === '#' && current === undefined) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (char === '\\') {
      if (text[i + 1] === '\n') i++;
      else if (i + 1 < text.length) append(text[++i]!);
    } else if (char === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) throw fail("a ' is never closed");
      append(text.slice(i + 1, end));
      i = end;
    } else if (char === '"') {
      i = readDoubleQuoted(text, i, append, fail);
    } else if (char === '$' && /[A-Za-z_{(]/.test(text[i + 1] ?? '')) {
      throw fail(
        'no shell expands $variables here: the tool reads the URL from its environment variable itself',
      );
    } else if (SHELL_OPERATORS.has(char)) {
      throw fail(
        `"${char}" is shell syntax and there is no shell: put pipelines and redirections in a script (npm run migrate), or run bash -c '…' explicitly`,
      );
    } else append(char);
  }
  if (current !== undefined) args.push(current);
  if (args.length === 0) throw fail('it is empty');
  return args;
}

function readDoubleQuoted(
  text: string,
  opening: number,
  append: (chars: string) => void,
  fail: (why: string) => InputError,
): number {
  let value = '';
  for (let i = opening + 1; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"') {
      append(value);
      return i;
    }
    if (char === '\\' && /["\\$`\n]/.test(text[i + 1] ?? '')) {
      if (text[i + 1] !== '\n') value += text[i + 1];
      i++;
    } else if (char === '$' && /[A-Za-z_{(]/.test(text[i + 1] ?? '')) {
      throw fail('no shell expands $variables here, not even inside "…"');
    } else if (char === '`') {
      throw fail('no shell runs `…` here');
    } else value += char;
  }
  throw fail('a " is never closed');
}

/** The argument list as one could type it into a shell, for the log. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
