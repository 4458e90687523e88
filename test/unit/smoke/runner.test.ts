import {
  FakeClock,
  InputError,
  MemoryLogger,
  systemClock,
} from '@deploy-actions/action-kit/engine';
import {
  parseChecks,
  parseStatusRanges,
  runSmokeTests,
  USER_AGENT,
  type Check,
  type CheckInputs,
  type SmokeDeps,
  type SmokeOptions,
} from '../../../packages/smoke/src/index.js';
import {
  createTestCertificates,
  redirect,
  startScriptedServer,
  startVersionServer,
  type ScriptedServer,
  type TestCertificates,
} from '../../../tools/services/http-servers.js';

const OPTIONS: SmokeOptions = {
  timeoutMs: 10_000,
  requestTimeoutMs: 2000,
  intervalMs: 1000,
  consecutiveSuccesses: 1,
  failFastStatuses: parseStatusRanges('401,403', 'fail-fast-statuses'),
  tlsMinDays: 0,
};

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(...args: Parameters<typeof startScriptedServer>): Promise<ScriptedServer> {
  const server = await startScriptedServer(...args);
  servers.push(server);
  return server;
}

/**
 * Runs checks against real servers with a fake clock by default: requests are
 * real, waits take no time, and clock.sleeps records the schedule. Jitter is
 * fixed at half the ceiling.
 */
async function run(
  checks: Check[] | CheckInputs,
  options: Partial<SmokeOptions> = {},
  deps: Partial<SmokeDeps> = {},
) {
  const logger = new MemoryLogger();
  const clock = (deps.clock as FakeClock | undefined) ?? new FakeClock();
  const list = Array.isArray(checks) ? checks : parseChecks(checks);
  const report = await runSmokeTests(
    list,
    { ...OPTIONS, ...options },
    {
      logger,
      clock,
      random: () => 0.5,
      ...deps,
    },
  );
  const [first] = report.results;
  return { report, result: first!, logger, clock };
}

test('flapping, then healthy: retried with backoff until it passes', async () => {
  const server = await serve({ '/health': [503, 503, 200] });
  const { report, result, logger, clock } = await run({ url: `${server.origin}/health` });
  expect(report.passed).toBe(true);
  expect(result).toMatchObject({
    verdict: 'passed',
    attempts: 3,
    consecutivePasses: 1,
    lastStatus: 200,
    reason: 'status 200',
  });
  expect(server.count('/health')).toBe(3);
  expect(clock.sleeps).toEqual([500, 1000]);
  expect(logger.text()).toContain(`${server.origin}/health: attempt 1 (503, `);
  expect(logger.text()).toContain('expected status 200-299, got 503; next try in 500ms');
  expect(logger.text()).toContain(`${server.origin}/health: passed after 3 attempts: status 200`);
  expect(server.requests()[0]?.headers['user-agent']).toBe(USER_AGENT);
});

test('consecutive successes: a failure resets the streak; passes are spaced by the interval', async () => {
  const server = await serve({ '/health': [200, 200, 503, 200, 200, 200, 503] });
  const { result, clock, logger } = await run(
    { url: `${server.origin}/health` },
    { consecutiveSuccesses: 3 },
  );
  expect(result).toMatchObject({
    verdict: 'passed',
    attempts: 6,
    consecutivePasses: 3,
    reason: 'status 200; 3 passes in a row',
  });
  expect(clock.sleeps).toEqual([1000, 1000, 500, 1000, 1000]);
  expect(logger.text()).toContain('passed, 2 of 3 passes in a row; next check in 1.0s');
});

test('a service that keeps flapping never gets its streak and fails at the deadline', async () => {
  const server = await serve({ '/health': (_request, count) => (count % 2 === 1 ? 200 : 503) });
  const { result, clock } = await run(
    { url: `${server.origin}/health` },
    { consecutiveSuccesses: 2 },
  );
  expect(result.verdict).toBe('failed');
  expect(result.consecutivePasses).toBeLessThanOrEqual(1);
  expect(result.attempts).toBe(server.count('/health'));
  expect(result.attempts).toBeGreaterThan(4);
  expect(result.reason).toMatch(
    /expected status 200-299, got 503|passed only 1 of 2 times in a row/,
  );
  expect(clock.now()).toBe(OPTIONS.timeoutMs);
});

test('a response slower than request-timeout counts as a failure and is retried', async () => {
  const server = await serve({ '/health': [{ status: 200, delayMs: 2000 }, 200] });
  const { result, logger } = await run(
    { url: `${server.origin}/health` },
    { requestTimeoutMs: 100 },
  );
  expect(result).toMatchObject({ verdict: 'passed', attempts: 2 });
  expect(logger.text()).toContain('attempt 1 (no response, 1');
  expect(logger.text()).toContain('no complete response within 100ms (request-timeout)');
});

test('a service that never answers in time fails with the timeout as the reason', async () => {
  const server = await serve({ '/health': { status: 200, hang: true } });
  const { result } = await run(
    { url: `${server.origin}/health` },
    { requestTimeoutMs: 50, timeoutMs: 3000 },
  );
  expect(result).toMatchObject({
    verdict: 'failed',
    reason: 'no complete response within 50ms (request-timeout)',
    expected: 'a response',
  });
  expect(result.lastStatus).toBeUndefined();
  expect(result.latencyMs).toBeUndefined();
});

describe('version', () => {
  const versionInputs = (origin: string) => ({
    url: `${origin}/version`,
    expectVersion: 'new1234',
    versionPath: 'build.sha',
  });

  test('the old version answers first: the check passes only once the new one does', async () => {
    const server = await startVersionServer({
      oldVersion: 'old9999',
      newVersion: 'new1234',
      switchAfter: 2,
    });
    servers.push(server);
    const { result, logger } = await run(versionInputs(server.origin));
    expect(result).toMatchObject({
      verdict: 'passed',
      attempts: 3,
      reason: "status 200, version 'new1234'",
    });
    expect(logger.text()).toContain("expected version 'new1234' at build.sha, got 'old9999'");
  });

  test('the old version until the deadline fails, saying which version answered', async () => {
    const server = await startVersionServer({ oldVersion: 'old9999', newVersion: 'new1234' });
    servers.push(server);
    const { result } = await run(versionInputs(server.origin));
    expect(result).toMatchObject({
      verdict: 'failed',
      lastStatus: 200,
      reason: "expected version 'new1234' at build.sha, got 'old9999'",
      expected: "version 'new1234' at build.sha",
      received: "version 'old9999'",
    });
    expect(result.attempts).toBeGreaterThan(1);
  });

  test('a version header, switched on command while the check waits', async () => {
    const server = await startVersionServer({ oldVersion: 'old9999', newVersion: 'new1234' });
    servers.push(server);
    class SwitchingClock extends FakeClock {
      override async sleep(ms: number): Promise<void> {
        if (this.sleeps.length === 1) server.switchToNew();
        return super.sleep(ms);
      }
    }
    const { result } = await run(
      { ...versionInputs(server.origin), versionPath: 'header:x-app-version' },
      {},
      { clock: new SwitchingClock() },
    );
    expect(result).toMatchObject({ verdict: 'passed', attempts: 3 });
  });
});

describe('the deadline', () => {
  test('is never passed: waits are cut at it and the last try happens at it', async () => {
    const server = await serve({ '/health': 503 });
    const { report, result, clock } = await run(
      { url: `${server.origin}/health` },
      { timeoutMs: 10_000 },
      { random: () => 0.999 },
    );
    expect(result).toMatchObject({
      verdict: 'failed',
      reason: 'expected status 200-299, got 503',
      lastStatus: 503,
    });
    expect(report.durationMs).toBe(10_000);
    expect(clock.sleeps).toEqual([999, 1998, 3996, 3007]);
    expect(result.attempts).toBe(5);
    expect(server.count('/health')).toBe(5);
  });

  test('a streak cut by the deadline: the spacing is cut too, and the check fails', async () => {
    const server = await serve({ '/health': 200 });
    const { report, result, clock } = await run(
      { url: `${server.origin}/health` },
      { timeoutMs: 2500, consecutiveSuccesses: 5 },
    );
    expect(clock.sleeps).toEqual([1000, 1000, 500]);
    expect(report.durationMs).toBe(2500);
    expect(result).toMatchObject({
      verdict: 'failed',
      attempts: 4,
      consecutivePasses: 4,
      reason: 'passed only 4 of 5 times in a row before the timeout',
      expected: '5 passes in a row',
      received: '4 in a row',
    });
  });

  test('in real time, a hanging service fails within timeout + one request-timeout', async () => {
    const server = await serve({ '/health': { status: 200, hang: true } });
    const started = Date.now();
    const { report, result } = await run(
      { url: `${server.origin}/health` },
      { timeoutMs: 300, requestTimeoutMs: 200, intervalMs: 50 },
      { clock: systemClock },
    );
    const elapsed = Date.now() - started;
    expect(result.verdict).toBe('failed');
    expect(report.durationMs).toBeGreaterThanOrEqual(300);
    // The bound under test is 300 + 200 ms; the rest is slack for a busy machine.
    expect(elapsed).toBeLessThan(300 + 200 + 1000);
  });

  test('Retry-After in seconds is a floor for the next wait', async () => {
    const server = await serve({
      '/health': [{ status: 503, headers: { 'retry-after': '7' } }, 200],
    });
    const { result, clock } = await run(
      { url: `${server.origin}/health` },
      {},
      { random: () => 0.001 },
    );
    expect(result).toMatchObject({ verdict: 'passed', attempts: 2 });
    expect(clock.sleeps).toEqual([7000]);
  });

  test("Retry-After as an HTTP date counts from the response's Date", async () => {
    const headers = {
      date: 'Wed, 21 Oct 2015 07:28:00 GMT',
      'retry-after': 'Wed, 21 Oct 2015 07:28:05 GMT',
    };
    const server = await serve({ '/health': [{ status: 429, headers }, 200] });
    const { clock } = await run({ url: `${server.origin}/health` }, {}, { random: () => 0.001 });
    expect(clock.sleeps).toEqual([5000]);
  });

  test('a Retry-After beyond the deadline waits until the deadline, then tries once more', async () => {
    const server = await serve({
      '/health': [{ status: 503, headers: { 'retry-after': '60' } }, 200],
    });
    const { result, clock } = await run({ url: `${server.origin}/health` }, { timeoutMs: 3000 });
    expect(clock.sleeps).toEqual([3000]);
    expect(result).toMatchObject({ verdict: 'passed', attempts: 2 });
  });
});

describe('redirects', () => {
  test('are followed to the final answer', async () => {
    const server = await serve({
      '/': redirect('/app/', 301),
      '/app/': redirect('/app/home'),
      '/app/home': 200,
    });
    const { result, logger } = await run({ url: `${server.origin}/` });
    expect(result).toMatchObject({ verdict: 'passed', attempts: 1, lastStatus: 200 });
    expect(logger.text()).toContain(`from ${server.origin}/app/home after 2 redirects`);
  });

  test('a redirect the check expects is the answer', async () => {
    const server = await serve({ '/account': redirect('/login'), '/login': 200 });
    const { result } = await run({ url: `${server.origin}/account`, expectStatus: '302' });
    expect(result).toMatchObject({ verdict: 'passed', lastStatus: 302 });
    expect(server.count('/login')).toBe(0);
  });
});

describe('fail fast', () => {
  test('a 401 fails after exactly one attempt', async () => {
    const server = await serve({ '/health': 401 });
    const { result, clock } = await run({ url: `${server.origin}/health` });
    expect(result).toMatchObject({
      verdict: 'failed',
      attempts: 1,
      lastStatus: 401,
      reason: 'expected status 200-299, got 401; 401 is a fail-fast status, not retried',
    });
    expect(server.count('/health')).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  test('with fail-fast statuses emptied, a 401 is retried', async () => {
    const server = await serve({ '/health': [401, 200] });
    const { result } = await run(
      { url: `${server.origin}/health` },
      { failFastStatuses: parseStatusRanges('', 'x') },
    );
    expect(result).toMatchObject({ verdict: 'passed', attempts: 2 });
  });
});

describe('TLS', () => {
  let certificates: TestCertificates;
  beforeAll(async () => {
    certificates = await createTestCertificates();
  });
  afterAll(async () => {
    await certificates.remove();
  });

  test('a certificate from a private CA fails fast without ca-file', async () => {
    const server = await serve({ '/health': 200 }, { tls: certificates.valid });
    const { result } = await run({ url: `${server.origin}/health` });
    expect(result).toMatchObject({ verdict: 'failed', attempts: 1 });
    expect(result.reason).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(result.reason).toContain('trust it with ca-file');
    expect(server.count()).toBe(0);
  });

  test('and passes with the CA in ca-file', async () => {
    const server = await serve({ '/health': 200 }, { tls: certificates.valid });
    const { result } = await run(
      { url: `${server.origin}/health` },
      { caFile: certificates.caFile, tlsMinDays: 30 },
    );
    expect(result).toMatchObject({ verdict: 'passed', attempts: 1 });
  });

  test('a self-signed certificate fails fast, and passes when trusted through ca-file', async () => {
    const server = await serve({ '/health': 200 }, { tls: certificates.selfSigned });
    const untrusted = await run({ url: `${server.origin}/health` });
    expect(untrusted.result).toMatchObject({ verdict: 'failed', attempts: 1 });
    expect(untrusted.result.reason).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    const trusted = await run(
      { url: `${server.origin}/health` },
      { caFile: certificates.selfSigned.certFile },
    );
    expect(trusted.result).toMatchObject({ verdict: 'passed', attempts: 1 });
  });

  test('a certificate expiring within tls-min-days fails fast', async () => {
    const server = await serve({ '/health': 200 }, { tls: certificates.expiringSoon });
    const options = { caFile: certificates.caFile, tlsMinDays: 14 };
    const { result } = await run({ url: `${server.origin}/health` }, options);
    expect(result).toMatchObject({ verdict: 'failed', attempts: 1, lastStatus: 200 });
    expect(result.reason).toMatch(
      /^certificate expires in 2 days \(< tls-min-days 14\), on \d{4}-/,
    );
    const lenient = await run({ url: `${server.origin}/health` }, { ...options, tlsMinDays: 2 });
    expect(lenient.result.verdict).toBe('passed');
  });

  test('a bad ca-file fails before any request', async () => {
    const server = await serve({ '/health': 200 });
    const error: unknown = await run(
      { url: `${server.origin}/health` },
      { caFile: '/nonexistent/ca.pem' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('ca-file');
    expect(server.count()).toBe(0);
  });
});

test('20 checks run in parallel', async () => {
  const CHECKS = 20;
  let waiting = 0;
  let release: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => (release = resolve));
  // Each request is answered only once all 20 are in flight at once (or 503 after 3s).
  const server = await serve({
    '/health': async () => {
      if (++waiting === CHECKS) release();
      const arrived = await Promise.race([
        allArrived.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000)),
      ]);
      return arrived ? 200 : 503;
    },
  });
  const checks = parseChecks({
    checks: Array.from(
      { length: CHECKS },
      (_, i) => `- name: c${i}\n  url: ${server.origin}/health?n=${i}`,
    ).join('\n'),
  });
  const { report } = await run(checks, { requestTimeoutMs: 5000 });
  expect(report.passed).toBe(true);
  expect(report.results.map((r) => [r.name, r.attempts])).toEqual(
    Array.from({ length: CHECKS }, (_, i) => [`c${i}`, 1]),
  );
});

test('results keep the order of the checks and the run fails if any check fails', async () => {
  const server = await serve({ '/ok': 200, '/down': 500 });
  const checks = parseChecks({
    checks: `- name: ok\n  url: ${server.origin}/ok\n- name: down\n  url: ${server.origin}/down`,
  });
  const { report } = await run(checks, { timeoutMs: 2000 });
  expect(report.passed).toBe(false);
  expect(report.results.map((r) => [r.name, r.verdict])).toEqual([
    ['ok', 'passed'],
    ['down', 'failed'],
  ]);
});

test('cancelling the run ends the checks at once, as cancelled', async () => {
  const server = await serve({ '/health': { status: 200, hang: true } });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const { result } = await run(
    { url: `${server.origin}/health` },
    { timeoutMs: 60_000, requestTimeoutMs: 30_000 },
    { clock: systemClock, signal: controller.signal },
  );
  // Cancelled, not failed: the step was stopped, the version was not judged.
  expect(result).toMatchObject({ verdict: 'cancelled', attempts: 1 });
  expect(result.reason).toMatch(/^cancelled after 1 attempt/);
});

test('header values are masked and never logged; names are', async () => {
  const server = await serve({ '/health': [503, 200] });
  const { logger } = await run({
    url: `${server.origin}/health`,
    headers:
      'Authorization: Bearer sekrit-token-123\nX-Api-Key: key-456789\nAccept: application/json\nX-Short: ab',
  });
  expect(server.requests()[0]?.headers).toMatchObject({
    authorization: 'Bearer sekrit-token-123',
    'x-api-key': 'key-456789',
  });
  expect(logger.masked).toEqual(
    expect.arrayContaining(['Bearer sekrit-token-123', 'sekrit-token-123', 'key-456789']),
  );
  expect(logger.masked).not.toContain('application/json');
  expect(logger.masked).not.toContain('ab');
  const text = logger.text();
  expect(text).toContain('(headers: authorization, x-api-key, accept, x-short)');
  for (const secret of ['sekrit', 'key-456789']) expect(text).not.toContain(secret);
});

test('a password in the URL is masked and hidden in results', async () => {
  const server = await serve({ '/health': 200 });
  const { result, logger } = await run({
    url: `http://user:pa55word@127.0.0.1:${server.port}/health`,
  });
  expect(result.url).toBe(`http://user:***@127.0.0.1:${server.port}/health`);
  expect(logger.masked).toContain('pa55word');
  expect(logger.text()).not.toContain('pa55word');
  expect(server.requests()[0]?.headers.authorization).toBe(
    `Basic ${Buffer.from('user:pa55word').toString('base64')}`,
  );
});
