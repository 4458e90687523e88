import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '@deploy-actions/action-kit/engine';
import {
  classifyNetworkError,
  createAgents,
  defaultCertificateAuthorities,
  loadCertificateAuthorities,
  MAX_BODY_BYTES,
  sendRequest,
  type HttpOutcome,
  type HttpRequest,
  type HttpResponse,
  type NetworkError,
  type SendOptions,
} from '../../../packages/smoke/src/index.js';
import {
  createTestCertificates,
  redirect,
  startScriptedServer,
  type ScriptedServer,
  type TestCertificates,
} from '../../../tools/services/http-servers.js';

let agents: ReturnType<typeof createAgents>;
const servers: ScriptedServer[] = [];

beforeEach(() => {
  agents = createAgents();
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

function send(request: Partial<HttpRequest> & { url: string }, options: Partial<SendOptions> = {}) {
  return sendRequest(
    { method: 'GET', headers: {}, ...request },
    { agents, timeoutMs: 5000, ...options },
  );
}

function asResponse(outcome: HttpOutcome): HttpResponse {
  if (outcome.kind !== 'response')
    throw new Error(`expected a response, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function asError(outcome: HttpOutcome): NetworkError {
  if (outcome.kind !== 'error') throw new Error(`expected an error, got status ${outcome.status}`);
  return outcome.error;
}

describe('a plain request', () => {
  test('returns status, lower-case headers, body and latency; sends method, headers and body', async () => {
    const server = await serve({
      '/echo': {
        status: 201,
        headers: { 'X-Thing': 'yes', 'Set-Cookie': ['a=1', 'b=2'] },
        body: 'made',
      },
    });
    const response = asResponse(
      await send({
        url: `${server.origin}/echo?q=1`,
        method: 'POST',
        headers: { 'x-token': 'abc', 'content-type': 'text/plain' },
        body: 'hello ✓',
      }),
    );
    expect(response).toMatchObject({
      kind: 'response',
      status: 201,
      body: 'made',
      bodyTruncated: false,
      url: `${server.origin}/echo?q=1`,
      redirects: [],
    });
    expect(response.headers['x-thing']).toBe('yes');
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
    expect(response.latencyMs).toBeGreaterThanOrEqual(0);
    expect(response.certificate).toBeUndefined();
    const [received] = server.requests('/echo');
    expect(received).toMatchObject({ method: 'POST', path: '/echo?q=1', body: 'hello ✓' });
    expect(received?.headers).toMatchObject({
      'x-token': 'abc',
      'content-length': String(Buffer.byteLength('hello ✓')),
    });
  });

  test('HEAD has no body', async () => {
    const server = await serve({ '/': { status: 200, body: 'ignored' } });
    const response = asResponse(await send({ url: `${server.origin}/`, method: 'HEAD' }));
    expect(response.status).toBe(200);
    expect(response.body).toBe('');
  });

  test('keeps the connection alive between requests of one run', async () => {
    const server = await serve({ '/': 200 });
    await send({ url: `${server.origin}/` });
    await send({ url: `${server.origin}/` });
    const [first, second] = server.requests();
    expect(second?.remotePort).toBe(first?.remotePort);
  });

  test('reads at most 1 MiB of a body and says it was cut', async () => {
    const server = await serve({
      '/big': { status: 200, body: 'x'.repeat(MAX_BODY_BYTES + 500_000) },
    });
    const response = asResponse(await send({ url: `${server.origin}/big` }));
    expect(response.body.length).toBe(MAX_BODY_BYTES);
    expect(response.bodyTruncated).toBe(true);
  });
});

describe('redirects', () => {
  test('are followed, reporting the final URL and the chain', async () => {
    const server = await serve({
      '/old': redirect('/older', 301),
      '/health': { status: 200, body: 'ok' },
    });
    server.route('/older', redirect(`${server.origin}/health`, 302));
    const response = asResponse(await send({ url: `${server.origin}/old` }));
    expect(response).toMatchObject({ status: 200, body: 'ok', url: `${server.origin}/health` });
    expect(response.redirects).toEqual([
      { status: 301, url: `${server.origin}/old` },
      { status: 302, url: `${server.origin}/older` },
    ]);
  });

  test.each([
    [301, 'POST', 'GET', false],
    [302, 'POST', 'GET', false],
    [303, 'POST', 'GET', false],
    [303, 'PUT', 'GET', false],
    [303, 'HEAD', 'HEAD', false],
    [301, 'PUT', 'PUT', true],
    [307, 'POST', 'POST', true],
    [308, 'PATCH', 'PATCH', true],
  ])('%d after %s: %s, body kept %s', async (status, method, nextMethod, bodyKept) => {
    const server = await serve({ '/from': redirect('/to', status), '/to': 200 });
    const outcome = await send({
      url: `${server.origin}/from`,
      method,
      ...(method !== 'HEAD' && {
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      }),
    });
    expect(asResponse(outcome).status).toBe(200);
    const [next] = server.requests('/to');
    expect(next?.method).toBe(nextMethod);
    expect(next?.body).toBe(bodyKept ? '{"a":1}' : '');
    expect(next?.headers['content-type']).toBe(bodyKept ? 'application/json' : undefined);
  });

  test('credentials go to the same origin only', async () => {
    const other = await serve({ '/landing': 200 });
    const server = await serve({
      '/same': redirect('/next'),
      '/next': redirect(`${other.origin}/landing`),
    });
    const headers = { authorization: 'Bearer t', cookie: 'session=1', 'x-trace': 'on' };
    asResponse(await send({ url: `${server.origin}/same`, headers }));
    expect(server.requests('/next')[0]?.headers).toMatchObject(headers);
    const landed = other.requests('/landing')[0]?.headers;
    expect(landed?.authorization).toBeUndefined();
    expect(landed?.cookie).toBeUndefined();
    expect(landed?.['x-trace']).toBeUndefined();
  });

  test('more than 5 is an error', async () => {
    const server = await serve({ '/loop': redirect('/loop') });
    const error = asError(await send({ url: `${server.origin}/loop` }));
    expect(error).toMatchObject({ kind: 'redirect', code: 'TOO_MANY_REDIRECTS' });
    expect(error.message).toContain('more than 5 redirects');
    expect(server.count('/loop')).toBe(6);
  });

  test('a redirect the caller wants to see is not followed', async () => {
    const server = await serve({ '/from': redirect('/to', 301), '/to': 200 });
    const outcome = await send(
      { url: `${server.origin}/from` },
      { followRedirect: (status) => status !== 301 },
    );
    expect(asResponse(outcome)).toMatchObject({ status: 301, redirects: [] });
    expect(server.count('/to')).toBe(0);
  });

  test('a redirect away from http(s) is an error', async () => {
    const server = await serve({ '/from': redirect('ftp://127.0.0.1/file') });
    const error = asError(await send({ url: `${server.origin}/from` }));
    expect(error).toMatchObject({ kind: 'redirect', code: 'BAD_REDIRECT' });
    expect(error.message).toContain('"ftp://127.0.0.1/file"');
  });
});

describe('network errors', () => {
  test('nothing listening: refused', async () => {
    const server = await startScriptedServer({});
    await server.close();
    const error = asError(await send({ url: `${server.origin}/` }));
    expect(error).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED' });
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
  });

  test('no answer within the timeout', async () => {
    const server = await serve({ '/': { status: 200, hang: true } });
    const outcome = await send({ url: `${server.origin}/` }, { timeoutMs: 100 });
    expect(asError(outcome)).toEqual({
      kind: 'timeout',
      code: 'TIMEOUT',
      message: 'no complete response within 100ms (request-timeout)',
    });
  });

  test('the timeout covers the body too', async () => {
    const stalling = http.createServer((_request, response) => {
      response.writeHead(200);
      response.write('partial');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = stalling.address() as AddressInfo;
      const outcome = await send({ url: `http://127.0.0.1:${port}/` }, { timeoutMs: 150 });
      expect(asError(outcome).kind).toBe('timeout');
    } finally {
      stalling.closeAllConnections();
      stalling.close();
    }
  });

  test('a cancelled run aborts the request', async () => {
    const server = await serve({ '/': { status: 200, hang: true } });
    const controller = new AbortController();
    const pending = send({ url: `${server.origin}/` }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(asError(await pending)).toMatchObject({ kind: 'aborted', message: 'cancelled' });
  });

  test('https to a plain http server is a TLS error, not a verification error', async () => {
    const server = await serve({ '/': 200 });
    const error = asError(await send({ url: `https://127.0.0.1:${server.port}/` }));
    expect(error.kind).toBe('tls');
  });

  test.each<[Record<string, unknown>, NetworkError['kind']]>([
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND x' }, 'dns'],
    [{ code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN x' }, 'dns'],
    [{ code: 'ECONNRESET', message: 'socket hang up' }, 'reset'],
    [{ code: 'EPIPE', message: 'write EPIPE' }, 'reset'],
    [{ code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH' }, 'unreachable'],
    [{ code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' }, 'timeout'],
    [{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'tls-verify'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'Hostname/IP does not match' }, 'tls-verify'],
    [
      { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: 'unable to get local issuer' },
      'tls-verify',
    ],
    [{ code: 'EPROTO', message: 'wrong version number' }, 'tls'],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' }, 'tls'],
    [{ code: 'EWHATEVER', message: 'odd' }, 'other'],
    [{ message: 'no code at all' }, 'other'],
  ])('classifies %j as %s', (fields, kind) => {
    const error = Object.assign(new Error(String(fields.message)), fields);
    const classified = classifyNetworkError(error, { timeoutMs: 1000, host: 'api.example:8443' });
    expect(classified.kind).toBe(kind);
    expect(classified.code).toBe(fields.code ?? 'UNKNOWN');
    expect(classified.message).toContain(String(fields.code ?? fields.message));
  });

  test('a DNS failure names the host', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND api.example'), {
      code: 'ENOTFOUND',
    });
    expect(classifyNetworkError(error, { timeoutMs: 1, host: 'api.example:8443' }).message).toBe(
      'DNS lookup of api.example failed (ENOTFOUND)',
    );
  });
});

describe('https', () => {
  let certificates: TestCertificates;

  beforeAll(async () => {
    certificates = await createTestCertificates();
  });

  afterAll(async () => {
    await certificates.remove();
  });

  test('a certificate from an unknown CA is not trusted', async () => {
    const server = await serve({ '/': 200 }, { tls: certificates.valid });
    const error = asError(await send({ url: `${server.origin}/` }));
    expect(error).toMatchObject({ kind: 'tls-verify', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  test('a self-signed certificate is not trusted', async () => {
    const server = await serve({ '/': 200 }, { tls: certificates.selfSigned });
    const error = asError(await send({ url: `${server.origin}/` }));
    expect(error).toMatchObject({ kind: 'tls-verify', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  test('with the CA added, the response reports the certificate and its days remaining', async () => {
    agents.destroy();
    agents = createAgents(await loadCertificateAuthorities(certificates.caFile));
    const server = await serve({ '/': 200 }, { tls: certificates.valid });
    const response = asResponse(await send({ url: `${server.origin}/` }));
    expect(response.certificate).toMatchObject({
      subject: '127.0.0.1',
      issuer: 'deploy-actions test CA',
    });
    expect(response.certificate?.daysRemaining).toBeGreaterThan(364);
    expect(response.certificate?.daysRemaining).toBeLessThanOrEqual(365);
    expect(Date.parse(response.certificate!.validTo)).toBeGreaterThan(Date.now());
  });

  test('the days remaining of a certificate expiring in 3 days', async () => {
    agents.destroy();
    agents = createAgents(await loadCertificateAuthorities(certificates.caFile));
    const server = await serve({ '/': 200 }, { tls: certificates.expiringSoon });
    const response = asResponse(await send({ url: `${server.origin}/` }));
    expect(response.certificate?.daysRemaining).toBeGreaterThan(2);
    expect(response.certificate?.daysRemaining).toBeLessThanOrEqual(3);
  });

  test('extra CAs are added to the default roots, not put in their place', () => {
    const extra = createAgents(['-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----']);
    try {
      const ca = extra.https.options.ca as string[];
      expect(ca).toHaveLength(defaultCertificateAuthorities().length + 1);
      expect(ca.length).toBeGreaterThan(100);
    } finally {
      extra.destroy();
    }
    expect(agents.https.options.ca).toBeUndefined();
  });
});

describe('loadCertificateAuthorities (ca-file)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'smoke-ca-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function caFileError(content: string | undefined): Promise<InputError> {
    const file = path.join(dir, `ca-${Math.random()}.pem`);
    if (content !== undefined) await writeFile(file, content);
    const error: unknown = await loadCertificateAuthorities(file).catch((e: unknown) => e);
    if (!(error instanceof InputError))
      throw new Error(`expected an InputError, got ${String(error)}`);
    expect(error.input).toBe('ca-file');
    expect(error.message).toContain(file);
    return error;
  }

  test.each([
    [undefined, 'reading it failed with ENOENT'],
    ['not a certificate', 'this file has none'],
    [
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      'certificate 1 does not parse',
    ],
  ])('%j fails: %s', async (content, expected) => {
    expect((await caFileError(content)).message).toContain(expected);
  });
});
