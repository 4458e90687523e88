// tools/runner's step run against a real process: a small bundle written here, run under Node 24
// the way the CLI, the demo and the tests run the committed ones, so what it leaves in the
// runner's files, what it masks and how it is stopped are checked without any action's logic.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle, runInTerminal, type ActionInfo } from '../../tools/runner/index.mjs';

let dir: string;
let action: ActionInfo;

const BUNDLE = `
import { appendFileSync } from 'node:fs';
const env = process.env;
const put = (file, text) => appendFileSync(env[file], text + '\\n');
if (env.INPUT_MODE === 'hang') setInterval(() => {}, 1000);
else {
  console.log('::add-mask::' + env['INPUT_API-KEY']);
  console.log('::group::Checking');
  console.log('using ' + env['INPUT_API-KEY'] + ' in ' + env.GITHUB_WORKSPACE);
  console.log('::endgroup::');
  console.error('::warning file=a.ts,line=2::slow%0Aresponse');
  put('GITHUB_OUTPUT', 'mode=' + env.INPUT_MODE);
  put('GITHUB_OUTPUT', 'report<<ghadelimiter_1\\nline one\\nkey ' + env['INPUT_API-KEY'] + '\\nghadelimiter_1');
  put('GITHUB_ENV', 'NEXT=1');
  put('GITHUB_STATE', 'started=yes');
  put('GITHUB_PATH', '/opt/tool/bin');
  put('GITHUB_STEP_SUMMARY', '## Done\\n\\nkey ' + env['INPUT_API-KEY']);
  process.exitCode = env.INPUT_MODE === 'fail' ? 1 : 0;
}
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'runner-test-'));
  await writeFile(path.join(dir, 'index.mjs'), BUNDLE);
  action = {
    name: 'fake',
    title: 'fake',
    description: 'A bundle written by the test.',
    bundle: path.join(dir, 'index.mjs'),
    built: true,
    outputs: [],
    inputs: [
      { name: 'mode', description: '', required: false, default: 'ok' },
      { name: 'api-key', description: '', required: false, default: undefined },
    ],
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runBundle', () => {
  test("what the step leaves in the runner's files, its log and its masks", async () => {
    const run = await runBundle({
      action,
      values: { 'api-key': 'k3y-s3cret' },
      cwd: dir,
      base: { PATH: process.env.PATH ?? '/usr/bin:/bin', GITHUB_SHA: 'a'.repeat(40) },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({ mode: 'ok', report: 'line one\nkey k3y-s3cret' });
    expect(run.exportedEnv).toEqual({ NEXT: '1' });
    expect(run.state).toEqual({ started: 'yes' });
    expect(run.exportedPath).toBe('/opt/tool/bin\n');
    expect(run.summary).toBe('## Done\n\nkey k3y-s3cret\n');
    expect(run.masked).toEqual(['k3y-s3cret']);
    expect(run.log).toContain(`using k3y-s3cret in ${dir}`);
    expect(run.annotations).toEqual([
      { level: 'warning', message: 'slow\nresponse', properties: { file: 'a.ts', line: '2' } },
    ]);
  });

  test('a failing step reports its exit code', async () => {
    const run = await runBundle({ action, values: { mode: 'fail' }, cwd: dir, base: {} });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.mode).toBe('fail');
  });

  test('timeoutMs and an aborted signal stop the step with SIGTERM, as a cancelled job', async () => {
    const timedOut = await runBundle({
      action,
      values: { mode: 'hang' },
      cwd: dir,
      base: {},
      timeoutMs: 300,
    });
    expect(timedOut).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    const cancel = new AbortController();
    const running = runBundle({
      action,
      values: { mode: 'hang' },
      cwd: dir,
      base: {},
      signal: cancel.signal,
    });
    setTimeout(() => cancel.abort(), 300);
    expect(await running).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  });
});

describe('runInTerminal', () => {
  test('the log is translated and masked as it streams; outputs and summary are masked', async () => {
    let text = '';
    const result = await runInTerminal({
      action,
      values: { 'api-key': 'k3y-s3cret' },
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      write: (t) => (text += t),
      writeError: (t) => (text += t),
    });
    expect(result.exitCode).toBe(0);
    expect(text).not.toContain('k3y-s3cret');
    expect(text).toContain(`▸ Checking\n  using *** in ${dir}\n`);
    expect(text).toContain('Warning (a.ts:2): slow\nresponse');
    expect(result.outputs).toEqual({ mode: 'ok', report: 'line one\nkey ***' });
    expect(result.summaryText).toBe('Done\n====\n\nkey ***');
  });
});
