// runPipeline end to end in-process, with every dependency injected (no runner, no AWS): a
// failure of any kind is carried in the returned state, never thrown.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryLogger, UserError, runProcess } from '@deploy-actions/action-kit/engine';
import { readPipelineInputs, runPipeline, type PipelineDeps } from '@deploy-actions/pipeline';
import { startScriptedServer, type ScriptedServer } from '../../../tools/services/http-servers.js';

let service: ScriptedServer;
let logger: MemoryLogger;
const workspace = mkdtempSync(path.join(tmpdir(), 'pipeline-run-'));
const env = { GITHUB_WORKSPACE: workspace, AWS_REGION: 'eu-west-1' };

beforeEach(async () => {
  logger = new MemoryLogger();
  service = await startScriptedServer({ '/health': [200], '/broken': [500] });
});
afterEach(() => service?.close());

const deps = (): PipelineDeps => ({
  logger,
  openSession: () => Promise.reject(new Error('no stage of these runs calls AWS')),
  signal: new AbortController().signal,
  runProcess,
  run: {
    repository: 'org/app',
    runId: '1',
    runAttempt: '1',
    runUrl: 'https://github.com/org/app/actions/runs/1',
    sha: '',
    serverUrl: 'https://github.com',
    eventName: 'push',
    job: 'deploy',
    step: 'deploy',
    inWorkflow: true,
  },
  env,
});

const plan = (inputs: Record<string, string>) => readPipelineInputs((name) => inputs[name], env);

test('a stage that succeeds: succeeded, its report kept, no error', async () => {
  const state = await runPipeline(
    plan({ url: `${service.origin}/health`, 'smoke-timeout': '5s' }),
    deps(),
  );
  expect(Object.fromEntries(state.results)).toEqual({ 'smoke-test': 'succeeded' });
  expect(state.smoke?.passed).toBe(true);
  expect(state.error).toBeUndefined();
  expect(logger.text()).toContain('▶ smoke-test');
});

test('a stage that fails: failed, its report and the error in the state, nothing thrown', async () => {
  const state = await runPipeline(
    plan({ url: `${service.origin}/broken`, 'smoke-timeout': '5s', interval: '1s' }),
    deps(),
  );
  expect(Object.fromEntries(state.results)).toEqual({ 'smoke-test': 'failed' });
  expect(state.smoke?.passed).toBe(false);
  expect(state.error).toBeInstanceOf(UserError);
  expect(state.failure).toMatch(/^Smoke test failed: /);
});

test('a failure before the stages (a missing migrations folder): no stage ran, the error kept', async () => {
  const state = await runPipeline(
    plan({
      'migrations-dir': 'db/missing',
      'database-url': 'postgres://u:secret@127.0.0.1:1/app',
      url: `${service.origin}/health`,
    }),
    deps(),
  );
  expect(Object.fromEntries(state.results)).toEqual({
    'run-migrations': 'not run',
    'smoke-test': 'not run',
  });
  expect(state.error).toBeInstanceOf(UserError);
  expect(state.failure).toMatch(/db\/missing/);
  expect(service.count('/health')).toBe(0);
});

test('the database password is masked before anything runs', async () => {
  await runPipeline(
    plan({
      'migrations-dir': 'db/missing',
      'database-url': 'postgres://u:s3cr3t-pw@127.0.0.1:1/app',
    }),
    deps(),
  );
  expect(logger.masked).toContain('s3cr3t-pw');
});
