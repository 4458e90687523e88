// @ts-check
// Runs an action's committed bundle as the GitHub runner runs a step: under Node 24, with the
// INPUT_* variables, the runner's files and RUNNER_TEMP, then reads what the step left behind.
import { Buffer } from 'node:buffer';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { clearTimeout, setTimeout } from 'node:timers';
import { parseAnnotations, parseMasks } from './commands.mjs';
import {
  RUNNER_FILE_VARIABLES,
  createRunnerFiles,
  readRunnerFiles,
  runnerFileEnv,
  runnerFiles,
} from './files.mjs';
import { inputEnv } from './inputs.mjs';
import { node24Path } from './node.mjs';

/** @typedef {import('./actions.mjs').ActionInfo} ActionInfo */
/** @typedef {import('./commands.mjs').Annotation} Annotation */

/**
 * The commit of the working directory, for actions that tag or record by commit (GITHUB_SHA).
 * @param {string} cwd
 * @returns {string | undefined}
 */
function gitHead(cwd) {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    return /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @typedef {object} RunEnvOptions
 * @property {Pick<ActionInfo, 'name' | 'inputs'>} action
 * @property {Record<string, string>} values input name → value
 * @property {string} temp RUNNER_TEMP, where the runner's files are
 * @property {string} cwd
 * @property {string} [workspace] GITHUB_WORKSPACE (`cwd` by default)
 * @property {NodeJS.ProcessEnv} [base] the environment the run starts from (process.env by default)
 * @property {Record<string, string>} [extra] added last, e.g. endpoints or credentials
 */

/**
 * The environment of one step: `base` without any INPUT_* or runner file of its own, plus the
 * runner's files in `temp`, the inputs and `extra`. Outside a workflow GITHUB_SHA is the
 * checkout's HEAD and GITHUB_REPOSITORY a local name, unless `base` says otherwise.
 * @param {RunEnvOptions} options
 * @returns {Record<string, string>}
 */
export function runEnv({
  action,
  values,
  temp,
  cwd,
  workspace = cwd,
  base = process.env,
  extra = {},
}) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || name.startsWith('INPUT_') || RUNNER_FILE_VARIABLES.includes(name)) {
      continue;
    }
    env[name] = value;
  }
  Object.assign(env, runnerFileEnv(runnerFiles(temp)), {
    RUNNER_TEMP: temp,
    GITHUB_WORKSPACE: workspace,
  });
  if (!env.GITHUB_SHA) {
    const sha = gitHead(cwd);
    if (sha) env.GITHUB_SHA = sha;
  }
  env.GITHUB_REPOSITORY ??= 'local/deploy-actions-cli';
  Object.assign(env, inputEnv(action, values), extra);
  return env;
}

/**
 * @typedef {object} BundleRunOptions
 * @property {Pick<ActionInfo, 'name' | 'inputs' | 'bundle'>} action
 * @property {Record<string, string>} [values]
 * @property {string} [cwd]
 * @property {string} [workspace]
 * @property {NodeJS.ProcessEnv} [base]
 * @property {Record<string, string>} [extra]
 * @property {string} [temp] RUNNER_TEMP to use (kept); by default a new one, removed after the run
 * @property {string} [node] the Node binary (Node 24 by default)
 * @property {AbortSignal} [signal] cancels the run as a cancelled job would (SIGTERM)
 * @property {number} [timeoutMs] SIGTERM after this long
 * @property {(text: string) => void} [onStdout] the step's stdout as it comes
 * @property {(text: string) => void} [onStderr] the step's stderr as it comes
 */

/**
 * @typedef {object} BundleRun
 * @property {number | null} exitCode
 * @property {NodeJS.Signals | null} signal
 * @property {string} log stdout and stderr, interleaved as written
 * @property {Record<string, string>} outputs
 * @property {string} summary
 * @property {Record<string, string>} state
 * @property {Record<string, string>} exportedEnv
 * @property {string} exportedPath
 * @property {Annotation[]} annotations
 * @property {string[]} masked values the step registered with ::add-mask::
 * @property {number} durationMs
 */

/**
 * Runs `action`'s bundle as one step and resolves with what a workflow would see.
 * @param {BundleRunOptions} options
 * @returns {Promise<BundleRun>}
 */
export async function runBundle({
  action,
  values = {},
  cwd = process.cwd(),
  workspace,
  base,
  extra,
  temp: givenTemp,
  node,
  signal,
  timeoutMs,
  onStdout,
  onStderr,
}) {
  if (!existsSync(action.bundle)) {
    throw new Error(
      `${action.name} has no bundle at ${action.bundle}: run 'npm run build -- ${action.name}'.`,
    );
  }
  // This machine's Node 24, looked up in this process's environment, not the step's.
  const binary = node ?? node24Path();
  const temp = givenTemp ?? (await mkdtemp(path.join(tmpdir(), `deploy-actions-${action.name}-`)));
  try {
    const files = await createRunnerFiles(temp);
    const env = runEnv({ action, values, temp, cwd, workspace, base, extra });
    const started = Date.now();
    /** @type {Buffer[]} */
    const chunks = [];
    const child = spawn(binary, [action.bundle], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = new StringDecoder('utf8');
    const stderr = new StringDecoder('utf8');
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
      chunks.push(chunk);
      onStdout?.(stdout.write(chunk));
    });
    child.stderr.on('data', (/** @type {Buffer} */ chunk) => {
      chunks.push(chunk);
      onStderr?.(stderr.write(chunk));
    });
    const cancel = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', cancel, { once: true });
    const timer = timeoutMs === undefined ? undefined : setTimeout(cancel, timeoutMs);
    /** @type {{ exitCode: number | null, exitSignal: NodeJS.Signals | null }} */
    const ended = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, killedBy) => resolve({ exitCode: code, exitSignal: killedBy }));
    }).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
    });
    onStdout?.(stdout.end());
    onStderr?.(stderr.end());
    const log = Buffer.concat(chunks).toString('utf8');
    return {
      exitCode: ended.exitCode,
      signal: ended.exitSignal,
      log,
      ...(await readRunnerFiles(files)),
      annotations: parseAnnotations(log),
      masked: parseMasks(log),
      durationMs: Date.now() - started,
    };
  } finally {
    if (givenTemp === undefined) await rm(temp, { recursive: true, force: true });
  }
}
