// A cancelled step stops: no stage starts after the signal, and a stage cut short by it is
// `cancelled`, never `failed` (so a smoke test cut short never triggers a rollback).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryLogger, runProcess } from '@deploy-actions/action-kit/engine';
import {
  pipelineOutputs,
  pipelineSummary,
  readPipelineInputs,
  runPipeline,
  type PipelineDeps,
} from '@deploy-actions/pipeline';
import { stepContext } from '@deploy-actions/action-kit/engine';
import { startScriptedServer, type ScriptedServer } from '../../../tools/services/http-servers.js';

const workspace = mkdtempSync(path.join(tmpdir(), 'pipeline-cancel-'));
const env = { GITHUB_WORKSPACE: workspace, AWS_REGION: 'eu-west-1' };
let service: ScriptedServer;

beforeEach(async () => {
  // 503 for ever: the smoke test keeps retrying until it is cancelled.
  service = await startScriptedServer({ '/health': [503] });
});
afterEach(() => service?.close());

const plan = (inputs: Record<string, string>) => readPipelineInputs((name) => inputs[name], env);

function deps(signal: AbortSignal, logger = new MemoryLogger()): PipelineDeps {
  return {
    logger,
    openSession: () => Promise.reject(new Error('no stage of these runs calls AWS')),
    signal,
    runProcess,
    run: stepContext({}),
    env,
  };
}

test('a smoke test cut short by the signal is cancelled, not failed', async () => {
  const cancel = new AbortController();
  setTimeout(() => cancel.abort(), 300);
  const state = await runPipeline(
    plan({ url: `${service.origin}/health`, 'smoke-timeout': '1m', interval: '100ms' }),
    deps(cancel.signal),
  );
  expect(Object.fromEntries(state.results)).toEqual({ 'smoke-test': 'cancelled' });
  expect(state.smoke?.cancelled).toBe(true);
  expect(state.smoke?.results.map((r) => r.verdict)).toEqual(['cancelled']);
  expect(String((state.error as Error).message)).toMatch(/^Smoke test cancelled: Cancelled after/);
  expect(state.rollback).toBeUndefined();
  expect(pipelineOutputs(state)).toMatchObject({
    stages: '{"smoke-test":"cancelled"}',
    passed: 'false',
    'failed-checks': '',
    'rolled-back': 'false',
  });
  expect(JSON.stringify(pipelineSummary(state))).toContain('⏹ cancelled');
});

test('after the signal no stage starts: the rest stay not run', async () => {
  const cancel = new AbortController();
  cancel.abort();
  const logger = new MemoryLogger();
  const state = await runPipeline(
    plan({ url: `${service.origin}/health`, 'smoke-timeout': '1m' }),
    deps(cancel.signal, logger),
  );
  expect(Object.fromEntries(state.results)).toEqual({ 'smoke-test': 'not run' });
  expect(String((state.error as Error).message)).toBe(
    'The step was cancelled before smoke-test started; no later stage ran.',
  );
  expect(logger.text()).not.toContain('▶ smoke-test');
  expect(service.requests()).toEqual([]);
});
