// The deploy-actions CLI end to end: `node bin/deploy-actions.mjs smoke-test …` as a user runs
// it, against real local HTTP servers. It runs the committed smoke-test bundle and prints the
// log, outputs and summary as text; usage errors stop it before any request is sent.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../support/harness.js';
import {
  startScriptedServer,
  startVersionServer,
  type ScriptedServer,
  type VersionServer,
} from '../../tools/services/http-servers.js';

const CLI = path.join(REPO_ROOT, 'bin/deploy-actions.mjs');
const SHA = 'c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let healthy: VersionServer;
let broken: ScriptedServer;

beforeAll(async () => {
  healthy = await startVersionServer({ oldVersion: SHA, newVersion: SHA, path: '/health' });
  broken = await startScriptedServer({
    '/health': { status: 503, body: { status: 'error', error: 'database unreachable' } },
    // Echoes the credential it got in its error body, which the smoke test quotes in its log.
    '/private': (request) => ({
      status: 500,
      body: { error: `rejected ${request.headers.authorization ?? ''}` },
    }),
  });
});

afterAll(async () => {
  await Promise.all([healthy?.close(), broken?.close()]);
});

test('a passing smoke test: exit 0, the log, outputs and the summary table as text', async () => {
  const run = await cli([
    'smoke-test',
    '--url',
    `${healthy.origin}/health`,
    '--expect-version',
    SHA,
    '--version-path=version',
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`${healthy.origin}/health: passed after 1 attempt`);
  expect(run.stdout).toMatch(/^passed +true$/m);
  expect(run.stdout).toMatch(/^failed-checks$/m);
  expect(run.stdout).toMatch(/^results +\[\{"name":/m);
  // The summary's HTML table as aligned text.
  expect(run.stdout).toMatch(/^Check +URL +Verdict +Attempts/m);
  expect(run.stdout).toMatch(
    new RegExp(`^${healthy.origin}/health +${healthy.origin}/health +✅ passed +1 +200 `, 'm'),
  );
  expect(run.stdout).not.toMatch(/<table|<td|&#|::/);
  expect(healthy.count('/health')).toBeGreaterThanOrEqual(1);
});

test('a failing smoke test: exit 1, the error as a readable line, outputs still printed', async () => {
  const run = await cli([
    'smoke-test',
    '--url',
    `${broken.origin}/health`,
    '--timeout',
    '2s',
    '--interval',
    '200ms',
  ]);
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/^Error: Smoke test failed: 1 of 1 check failed/m);
  expect(run.stdout).toMatch(/^passed +false$/m);
  expect(run.stdout).toMatch(/❌ failed/);
  expect(run.stderr).toContain('smoke-test failed (exit code 1)');
});

test("an invalid value fails in the action's own validation, naming the input, before any request", async () => {
  const before = broken.count();
  const run = await cli([
    'smoke-test',
    '--url',
    `${broken.origin}/health`,
    '--expect-status',
    'ok',
  ]);
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/^Error: .*'expect-status'/m);
  expect(broken.count()).toBe(before);
});

test('an unknown input is a usage error naming it (exit 2); nothing runs', async () => {
  const before = broken.count();
  const run = await cli([
    'smoke-test',
    '--url',
    `${broken.origin}/health`,
    '--expect-staus',
    '200',
  ]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(
    "Unknown input '--expect-staus' for smoke-test: did you mean '--expect-status'?",
  );
  expect(run.stdout).toBe('');
  expect(broken.count()).toBe(before);
});

test('a value the action masks never appears in what the CLI prints', async () => {
  const run = await cli([
    'smoke-test',
    '--url',
    `${broken.origin}/private`,
    '--headers',
    'Authorization: Bearer tok-9f8e7d6c5b',
    '--timeout',
    '1s',
  ]);
  expect(run.code).toBe(1);
  expect(broken.requests('/private').at(-1)?.headers.authorization).toBe('Bearer tok-9f8e7d6c5b');
  expect(run.stdout).toMatch(/rejected (Bearer )?\*\*\*/);
  expect(run.stdout + run.stderr).not.toContain('tok-9f8e7d6c5b');
});

test('--help lists the actions; <action> --help its inputs from action.yml', async () => {
  const help = await cli(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^ {2}smoke-test +Checks a freshly deployed service/m);
  const inputs = await cli(['deploy-apprunner-and-wait', '--help']);
  expect(inputs.code).toBe(0);
  expect(inputs.stdout).toContain('--service <value>  (required)');
  expect(inputs.stdout).toContain('--timeout <value>  (default: 20m)');
});
