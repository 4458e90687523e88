// smoke-test end to end: the committed bundle under Node 24 against real local
// HTTP and HTTPS servers. A smoke test decides rollbacks, so every case checks
// the verdict in both directions and what the step says.
import {
  startScriptedServer,
  startVersionServer,
  redirect,
  createTestCertificates,
  type ScriptedServer,
  type TestCertificates,
} from '../../tools/services/http-servers.js';
import { runAction, visibleLog, type ActionRun } from '../support/harness.js';

let certificates: TestCertificates;
const servers: ScriptedServer[] = [];

async function server(...args: Parameters<typeof startScriptedServer>): Promise<ScriptedServer> {
  const started = await startScriptedServer(...args);
  servers.push(started);
  return started;
}

function smoke(inputs: Record<string, string>, timeoutMs?: number): Promise<ActionRun> {
  return runAction({
    action: 'smoke-test',
    inputs: { interval: '100ms', ...inputs },
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}

type Result = {
  name: string;
  url: string;
  attempts: number;
  lastStatus?: number;
  latencyMs?: number;
  verdict: string;
  reason: string;
};
const results = (run: ActionRun) => JSON.parse(run.outputs.results ?? '[]') as Result[];

beforeAll(async () => {
  certificates = await createTestCertificates();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await certificates.remove();
});

test('a flapping service that becomes healthy passes after consecutive successes', async () => {
  const api = await server({ '/health': [503, 200, 503, 200, 200, 200] });
  const run = await smoke({
    url: `${api.origin}/health`,
    'consecutive-successes': '3',
    timeout: '30s',
  });
  expect(run.exitCode).toBe(0);
  expect(run.outputs).toMatchObject({ passed: 'true', 'failed-checks': '' });
  expect(results(run)[0]).toMatchObject({ verdict: 'passed', attempts: 6, lastStatus: 200 });
  expect(run.summary).toContain('passed');
});

test('a response slower than request-timeout is a failure, retried until the deadline', async () => {
  const api = await server({ '/health': { status: 200, delayMs: 3000 } });
  const run = await smoke({
    url: `${api.origin}/health`,
    'request-timeout': '300ms',
    timeout: '2s',
  });
  expect(run.exitCode).toBe(1);
  expect(results(run)[0]?.reason).toMatch(/timed out|timeout/i);
  expect(api.count('/health')).toBeGreaterThan(1);
});

test('old version then new version: passes only once the new version answers', async () => {
  const api = await startVersionServer({
    oldVersion: 'old111',
    newVersion: 'new222',
    switchAfter: 3,
  });
  servers.push(api);
  const run = await smoke({
    url: `${api.origin}/version`,
    'expect-version': 'new222',
    'version-path': 'build.sha',
    timeout: '30s',
  });
  expect(run.exitCode).toBe(0);
  expect(results(run)[0]).toMatchObject({ verdict: 'passed', attempts: 4 });
  expect(visibleLog(run)).toMatch(/old111/);
});

test('the version can be read from a header', async () => {
  const api = await startVersionServer({ oldVersion: 'v1', newVersion: 'v2' });
  servers.push(api);
  const run = await smoke({
    url: `${api.origin}/version`,
    'expect-version': 'v2',
    'version-path': 'header:x-app-version',
    timeout: '1s',
  });
  expect(run.exitCode).toBe(1);
  expect(run.log).toMatch(/expected version 'v2'.*got 'v1'/);
});

test('never healthy: fails within the deadline plus a small margin, saying what was expected and what came back', async () => {
  const api = await server({ '/health': { status: 500, body: 'database unavailable' } });
  const started = Date.now();
  const run = await smoke({ url: `${api.origin}/health`, timeout: '2s' });
  const elapsed = Date.now() - started;
  expect(run.exitCode).toBe(1);
  expect(run.outputs.passed).toBe('false');
  expect(run.outputs['failed-checks']).toBe(`${api.origin}/health`);
  expect(run.log).toMatch(/expected status 200-299, got 500/);
  // The bound is generous (process start-up included); the point is that it stops near the deadline.
  expect(elapsed).toBeLessThan(2000 + 10_000);
  expect(results(run)[0]).toMatchObject({ verdict: 'failed', lastStatus: 500 });
});

test('Retry-After is honoured as the minimum wait', async () => {
  const api = await server({ '/health': [{ status: 503, headers: { 'retry-after': '1' } }, 200] });
  const run = await smoke({ url: `${api.origin}/health`, timeout: '30s' });
  expect(run.exitCode).toBe(0);
  const [first, second] = api.requests('/health');
  expect(second).toBeDefined();
  expect(first).toBeDefined();
  expect(run.log).toMatch(/next try in (1\.0s|1\d{3}ms)/);
});

test('redirects are followed to the final answer', async () => {
  const api = await server({ '/old': redirect('/new', 301), '/new': { status: 200, body: 'ok' } });
  const run = await smoke({ url: `${api.origin}/old`, checks: '', timeout: '10s' });
  expect(run.exitCode).toBe(0);
  expect(api.count('/new')).toBe(1);
});

test('a 401 fails fast after exactly one attempt', async () => {
  const api = await server({ '/admin': 401 });
  const run = await smoke({ url: `${api.origin}/admin`, timeout: '30s' });
  expect(run.exitCode).toBe(1);
  expect(api.count('/admin')).toBe(1);
  expect(results(run)[0]).toMatchObject({ attempts: 1, lastStatus: 401 });
  expect(run.durationMs).toBeLessThan(20_000);
});

test('a self-signed certificate fails without ca-file and passes with it', async () => {
  const api = await server({ '/health': 200 }, { tls: certificates.valid });
  const without = await smoke({ url: `${api.origin}/health`, timeout: '5s' });
  expect(without.exitCode).toBe(1);
  expect(results(without)[0]?.reason).toMatch(/certificate/i);
  const withCa = await smoke({
    url: `${api.origin}/health`,
    'ca-file': certificates.caFile,
    timeout: '5s',
  });
  expect(withCa.exitCode).toBe(0);
});

test('a certificate expiring within tls-min-days fails', async () => {
  const api = await server({ '/health': 200 }, { tls: certificates.expiringSoon });
  const run = await smoke({
    url: `${api.origin}/health`,
    'ca-file': certificates.caFile,
    'tls-min-days': '14',
    timeout: '3s',
  });
  expect(run.exitCode).toBe(1);
  expect(run.log).toMatch(/certificate expires in [23] days? \(< tls-min-days 14\)/);
  const relaxed = await smoke({
    url: `${api.origin}/health`,
    'ca-file': certificates.caFile,
    'tls-min-days': '2',
    timeout: '3s',
  });
  expect(relaxed.exitCode).toBe(0);
});

test('many checks at once run in parallel and each is reported', async () => {
  const api = await server({ '/slow': { status: 200, delayMs: 500 }, '/broken': 500 });
  const checks = Array.from(
    { length: 20 },
    (_, i) => `- name: check-${i}\n  url: ${api.origin}/slow?i=${i}`,
  ).join('\n');
  const run = await smoke({
    checks: `${checks}\n- name: broken\n  url: ${api.origin}/broken`,
    timeout: '3s',
  });
  expect(run.exitCode).toBe(1);
  expect(run.outputs['failed-checks']).toBe('broken');
  expect(results(run)).toHaveLength(21);
  expect(results(run).filter((r) => r.verdict === 'passed')).toHaveLength(20);
  // Sequential requests would need 20 x 500ms; in parallel they fit well within the 3s deadline.
  expect(api.count('/slow')).toBe(20);
});

test('a header credential is masked and never printed', async () => {
  const api = await server({
    '/private': (request) =>
      request.headers.authorization === 'Bearer tok-abc-123456' ? 200 : 401,
  });
  const run = await smoke({
    url: `${api.origin}/private`,
    headers: 'Authorization: Bearer tok-abc-123456',
    timeout: '5s',
  });
  expect(run.exitCode).toBe(0);
  expect(run.masked).toContain('tok-abc-123456');
  expect(visibleLog(run)).not.toContain('tok-abc-123456');
});

describe('bad inputs fail before any request, naming the input', () => {
  let api: ScriptedServer;
  beforeAll(async () => {
    api = await server({ '/health': 200 });
  });

  test.each([
    [{ checks: '- name: a\n  url: [' }, /Input 'checks'/],
    [
      { checks: '- name: a\n  url: http://127.0.0.1:1/\n  expect-staus: 200' },
      /Input 'checks\[0\]'.*expect-staus.*expect-status/,
    ],
    [{ url: 'HEALTH', 'expect-status': '299-200' }, /Input 'expect-status': got "299-200"/],
    [{ url: 'HEALTH', timeout: 'five minutes' }, /Input 'timeout': got "five minutes"/],
    [{ url: 'ftp://example.com/' }, /Input 'url'/],
    [{ url: 'HEALTH', 'expect-version': 'abc' }, /Input 'version-path'/],
    [{}, /Input 'url'.*checks/],
  ])('%j', async (inputs, message) => {
    const resolved = Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [k, v === 'HEALTH' ? `${api.origin}/health` : v]),
    );
    const before = api.count();
    const run = await smoke(resolved);
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(message);
    expect(run.log).not.toMatch(/\n\s+at /); // a clean message, no stack trace
    expect(api.count()).toBe(before);
  });
});
