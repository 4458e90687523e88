/**
 * Redirects that leave the origin: the user's headers stay behind unless
 * forward-headers-on-redirect asks otherwise, https never steps down to http,
 * and the result says when a check ended up on another origin. Real servers
 * on 127.0.0.1: two ports are two origins.
 */
import { FakeClock, InputError, MemoryLogger } from '@deploy-actions/action-kit/engine';
import {
  createAgents,
  describeCrossOrigin,
  loadCertificateAuthorities,
  parseChecks,
  parseSmokeInputs,
  parseStatusRanges,
  resultsJson,
  runSmokeTests,
  sendRequest,
  summaryRows,
  USER_AGENT,
  type HttpOutcome,
  type SmokeOptions,
} from '../../../packages/smoke/src/index.js';
import {
  createTestCertificates,
  redirect,
  startScriptedServer,
  type ScriptedServer,
  type TestCertificates,
} from '../../../tools/services/http-servers.js';

const SECRET = 'Bearer s3cr3t-token-for-the-api';
const USER_HEADERS = { authorization: SECRET, 'x-api-key': 'k3y-4-the-api', 'x-trace': 'on' };

let certificates: TestCertificates;
let agents: ReturnType<typeof createAgents>;
const servers: ScriptedServer[] = [];

beforeAll(async () => {
  certificates = await createTestCertificates();
});
afterAll(async () => {
  await certificates.remove();
});
beforeEach(async () => {
  agents = createAgents(await loadCertificateAuthorities(certificates.caFile));
});
afterEach(async () => {
  agents.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(...args: Parameters<typeof startScriptedServer>): Promise<ScriptedServer> {
  const server = await startScriptedServer(...args);
  servers.push(server);
  return server;
}

/** The service redirects to `elsewhere`, a second server on another port that records what it got. */
async function twoOrigins(options: { secure?: boolean } = {}) {
  const elsewhere = await serve({ '/landing': 200 });
  const service = await serve(
    { '/health': redirect(`${elsewhere.origin}/landing`, 302) },
    options.secure ? { tls: certificates.valid } : {},
  );
  return { service, elsewhere };
}

function send(url: string, forwardHeadersOnRedirect?: boolean): Promise<HttpOutcome> {
  return sendRequest(
    { url, method: 'GET', headers: USER_HEADERS, fixedHeaders: { 'user-agent': USER_AGENT } },
    {
      agents,
      timeoutMs: 5000,
      ...(forwardHeadersOnRedirect !== undefined && { forwardHeadersOnRedirect }),
    },
  );
}

describe('sendRequest', () => {
  test('a redirect to another port sends none of the user headers there', async () => {
    const { service, elsewhere } = await twoOrigins();
    const outcome = await send(`${service.origin}/health`);
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    expect(service.requests('/health')[0]?.headers).toMatchObject(USER_HEADERS);
    const landed = elsewhere.requests('/landing')[0]!.headers;
    for (const name of Object.keys(USER_HEADERS)) expect(landed[name]).toBeUndefined();
    expect(JSON.stringify(landed)).not.toContain('s3cr3t');
    // The client's own header still goes: it is not the user's.
    expect(landed['user-agent']).toBe(USER_AGENT);
    expect(outcome.crossOrigin).toEqual({
      from: service.origin,
      to: elsewhere.origin,
      droppedHeaders: ['authorization', 'x-api-key', 'x-trace'],
      forwarded: false,
    });
  });

  test('forwardHeadersOnRedirect sends them on, and says so', async () => {
    const { service, elsewhere } = await twoOrigins();
    const outcome = await send(`${service.origin}/health`, true);
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    expect(elsewhere.requests('/landing')[0]?.headers).toMatchObject(USER_HEADERS);
    expect(outcome.crossOrigin).toMatchObject({ forwarded: true, droppedHeaders: [] });
  });

  test('a redirect within the origin keeps the headers and is not a crossing', async () => {
    const service = await serve({ '/a': redirect('/b'), '/b': 200 });
    const outcome = await send(`${service.origin}/a`);
    expect(service.requests('/b')[0]?.headers).toMatchObject(USER_HEADERS);
    expect(outcome.crossOrigin).toBeUndefined();
  });

  test('once dropped, the headers stay dropped, even back on the first origin', async () => {
    const elsewhere = await serve({});
    const service = await serve({ '/start': redirect(`${elsewhere.origin}/bounce`), '/back': 200 });
    elsewhere.route('/bounce', redirect(`${service.origin}/back`));
    const outcome = await send(`${service.origin}/start`);
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    expect(service.requests('/back')[0]?.headers.authorization).toBeUndefined();
    expect(outcome.crossOrigin).toMatchObject({ from: service.origin, to: service.origin });
    expect(describeCrossOrigin(outcome.crossOrigin!)).toMatch(
      new RegExp(`^redirected across origins, from ${service.origin} and back; your headers \\(`),
    );
  });

  test('https to http is refused: the http server never gets a request', async () => {
    const { service, elsewhere } = await twoOrigins({ secure: true });
    const outcome = await send(`${service.origin}/health`, true);
    expect(outcome).toMatchObject({
      kind: 'error',
      url: `${service.origin}/health`,
      error: { kind: 'redirect', code: 'INSECURE_REDIRECT' },
    });
    if (outcome.kind !== 'error') throw new Error('expected an error');
    expect(outcome.error.message).toContain('from https to plain http');
    expect(elsewhere.count()).toBe(0);
  });

  test('http to https is followed (the other way round is no downgrade)', async () => {
    const secure = await serve({ '/landing': 200 }, { tls: certificates.valid });
    const plain = await serve({ '/health': redirect(`${secure.origin}/landing`) });
    const outcome = await send(`${plain.origin}/health`);
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    expect(secure.requests('/landing')[0]?.headers.authorization).toBeUndefined();
  });
});

const OPTIONS: SmokeOptions = {
  timeoutMs: 10_000,
  requestTimeoutMs: 2000,
  intervalMs: 1000,
  consecutiveSuccesses: 1,
  failFastStatuses: parseStatusRanges('401,403', 'fail-fast-statuses'),
  tlsMinDays: 0,
};

async function runOne(url: string, options: Partial<SmokeOptions> = {}) {
  const logger = new MemoryLogger();
  const checks = parseChecks({ url, headers: `Authorization: ${SECRET}` });
  const report = await runSmokeTests(
    checks,
    { ...OPTIONS, caFile: certificates.caFile, ...options },
    { logger, clock: new FakeClock(), random: () => 0.5 },
  );
  return { report, result: report.results[0]!, logger };
}

describe('runSmokeTests', () => {
  test('the result and the summary say that the check crossed origins, and what stayed behind', async () => {
    const { service, elsewhere } = await twoOrigins();
    const { report, result } = await runOne(`${service.origin}/health`);
    expect(result.verdict).toBe('passed');
    expect(result.reason).toContain(
      `redirected across origins, from ${service.origin} to ${elsewhere.origin}`,
    );
    expect(result.reason).toContain('(authorization) were not sent there');
    expect(result.crossOrigin).toMatchObject({ to: elsewhere.origin, forwarded: false });
    expect(summaryRows(report)[1]?.[6]).toContain('redirected across origins');
    expect(JSON.parse(resultsJson(report))[0].crossOrigin).toMatchObject({
      from: service.origin,
      to: elsewhere.origin,
    });
    expect(elsewhere.requests('/landing')[0]?.headers.authorization).toBeUndefined();
  });

  test('with forwardHeadersOnRedirect the other origin gets them, and the reason says so', async () => {
    const { service, elsewhere } = await twoOrigins();
    const { result } = await runOne(`${service.origin}/health`, {
      forwardHeadersOnRedirect: true,
    });
    expect(elsewhere.requests('/landing')[0]?.headers.authorization).toBe(SECRET);
    expect(result.reason).toContain('forward-headers-on-redirect sent your headers there too');
  });

  test('https to http fails the check at once, without retrying', async () => {
    const { service, elsewhere } = await twoOrigins({ secure: true });
    const { report, result } = await runOne(`${service.origin}/health`);
    expect(report.passed).toBe(false);
    expect(result).toMatchObject({ verdict: 'failed', attempts: 1 });
    expect(result.reason).toContain('from https to plain http');
    expect(result.reason).toContain('not retried');
    expect(elsewhere.count()).toBe(0);
  });

  test('a check that never left its origin has no crossOrigin, in the JSON neither', async () => {
    const service = await serve({ '/health': 200 });
    const { report, result } = await runOne(`${service.origin}/health`);
    expect(result.crossOrigin).toBeUndefined();
    expect(JSON.parse(resultsJson(report))[0]).not.toHaveProperty('crossOrigin');
  });
});

describe('forward-headers-on-redirect input', () => {
  const base = { url: 'https://api.example.com/health' };
  test('off by default, true or false in any case', () => {
    expect(parseSmokeInputs(base).options.forwardHeadersOnRedirect).toBeUndefined();
    expect(
      parseSmokeInputs({ ...base, forwardHeadersOnRedirect: 'TRUE' }).options
        .forwardHeadersOnRedirect,
    ).toBe(true);
    expect(
      parseSmokeInputs({ ...base, forwardHeadersOnRedirect: 'false' }).options
        .forwardHeadersOnRedirect,
    ).toBeUndefined();
  });
  test('anything else is an input error naming the input', () => {
    expect(() => parseSmokeInputs({ ...base, forwardHeadersOnRedirect: 'yes' })).toThrow(
      InputError,
    );
    expect(() => parseSmokeInputs({ ...base, forwardHeadersOnRedirect: 'yes' })).toThrow(
      /forward-headers-on-redirect/,
    );
  });
});
