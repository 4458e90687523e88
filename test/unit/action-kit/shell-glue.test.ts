// The kit's shell glue: cancellation from the runner's signals, outputs from
// an engine's record, and the run context helpers every shell shares.
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  cancelSignal,
  runAttemptUrl,
  runContext,
  setOutputs,
  stepContext,
  stepExecutionId,
  withCancel,
} from '@deploy-actions/action-kit';

function fakeProcess() {
  const emitter = new EventEmitter();
  return emitter as unknown as NodeJS.Process & EventEmitter;
}

describe('cancelSignal', () => {
  test.each(['SIGINT', 'SIGTERM'])('%s aborts the signal once', (name) => {
    const target = fakeProcess();
    const cancel = cancelSignal(target);
    expect(cancel.signal.aborted).toBe(false);
    target.emit(name, name);
    expect(cancel.signal.aborted).toBe(true);
    // The handler was registered once: a repeat finds no listener and takes Node's default.
    expect(target.listenerCount(name)).toBe(0);
    cancel.dispose();
  });

  test('dispose stops listening to both signals', () => {
    const target = fakeProcess();
    const cancel = cancelSignal(target);
    expect(target.listenerCount('SIGINT') + target.listenerCount('SIGTERM')).toBe(2);
    cancel.dispose();
    expect(target.listenerCount('SIGINT') + target.listenerCount('SIGTERM')).toBe(0);
    target.emit('SIGINT', 'SIGINT');
    expect(cancel.signal.aborted).toBe(false);
  });

  test('the abort carries the standard AbortError reason', () => {
    const target = fakeProcess();
    const cancel = cancelSignal(target);
    target.emit('SIGTERM', 'SIGTERM');
    expect((cancel.signal.reason as Error).name).toBe('AbortError');
  });

  test('withCancel listens only while its function runs', async () => {
    const before = process.listenerCount('SIGINT');
    const seen = await withCancel(async (signal) => {
      expect(process.listenerCount('SIGINT')).toBe(before + 1);
      return signal.aborted;
    });
    expect(seen).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  test('withCancel stops listening when its function throws', async () => {
    const before = process.listenerCount('SIGTERM');
    await expect(
      withCancel(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});

describe('setOutputs', () => {
  let dir: string;
  const saved = process.env.GITHUB_OUTPUT;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'outputs-'));
    process.env.GITHUB_OUTPUT = path.join(dir, 'output');
    writeFileSync(process.env.GITHUB_OUTPUT, '');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = saved;
  });

  test('writes every entry as a runner output, values as strings', () => {
    setOutputs({ image: 'repo@sha256:abc', skipped: false, applied: 3 });
    const text = readFileSync(process.env.GITHUB_OUTPUT!, 'utf8');
    const values = Object.fromEntries(
      [...text.matchAll(/^([a-z-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]),
    );
    expect(values).toEqual({ image: 'repo@sha256:abc', skipped: 'false', applied: '3' });
  });
});

describe('run context', () => {
  const env = {
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: 'shop/api',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'deploy',
    GITHUB_ACTION: 'migrate',
  };

  test.each<[string, string]>([
    ['1', 'https://github.example/shop/api/actions/runs/42'],
    ['3', 'https://github.example/shop/api/actions/runs/42/attempts/3'],
  ])('attempt %s is named by %s', (attempt, url) => {
    expect(runAttemptUrl(runContext({ ...env, GITHUB_RUN_ATTEMPT: attempt }))).toBe(url);
  });

  test('a step execution is the repository, run, attempt, job and step', () => {
    expect(stepExecutionId(stepContext(env))).toBe('shop/api/42/1/deploy/migrate');
    expect(stepExecutionId(stepContext({ ...env, GITHUB_RUN_ATTEMPT: '2' }))).toBe(
      'shop/api/42/2/deploy/migrate',
    );
  });

  test('outside a runner there is no step execution', () => {
    expect(stepExecutionId(stepContext({}))).toBeUndefined();
  });
});
