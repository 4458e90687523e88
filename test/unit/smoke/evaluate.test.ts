import {
  evaluate,
  excerpt,
  parseChecks,
  parseStatusRanges,
  versionMatches,
  type Check,
  type CheckInputs,
  type EvaluationContext,
  type HttpOutcome,
  type HttpResponse,
  type NetworkError,
} from '../../../packages/smoke/src/index.js';

const CONTEXT: EvaluationContext = {
  failFastStatuses: parseStatusRanges('401,403', 'fail-fast-statuses'),
  tlsMinDays: 0,
};

function response(overrides: Partial<HttpResponse> = {}): HttpResponse {
  return {
    kind: 'response',
    status: 200,
    headers: {},
    body: '',
    bodyTruncated: false,
    url: 'https://api.example/health',
    redirects: [],
    latencyMs: 10,
    ...overrides,
  };
}

function failure(error: NetworkError): HttpOutcome {
  return { kind: 'error', error, url: 'https://api.example/health', redirects: [], latencyMs: 5 };
}

/** A check from YAML keys (indented under the list item), with optional global inputs. */
function check(keys: string[] = [], globals: CheckInputs = {}): Check {
  const item = ['- url: https://api.example/health', ...keys.map((k) => `  ${k}`)].join('\n');
  return parseChecks({ checks: item, ...globals })[0]!;
}

const versioned = (path = 'build.sha') =>
  check([], { expectVersion: 'abc1234', versionPath: path });
const json = (value: unknown) => JSON.stringify(value);

describe('status', () => {
  test('a status in expect-status passes', () => {
    expect(evaluate(check(), response({ status: 204 }), CONTEXT)).toMatchObject({ ok: true });
  });

  test('another status fails and is retried, quoting the start of the body', () => {
    const result = evaluate(check(), response({ status: 503, body: 'upstream\n  down' }), CONTEXT);
    expect(result).toEqual({
      ok: false,
      failFast: false,
      reason: "expected status 200-299, got 503 (body: 'upstream down')",
      expected: 'status 200-299',
      received: 'status 503',
    });
  });

  test('a fail-fast status stops retrying and says so', () => {
    const result = evaluate(check(), response({ status: 401 }), CONTEXT);
    expect(result.failFast).toBe(true);
    expect(result.reason).toBe(
      'expected status 200-299, got 401; 401 is a fail-fast status, not retried',
    );
  });

  test('a fail-fast status the check expects passes', () => {
    const result = evaluate(check(['expect-status: 401']), response({ status: 401 }), CONTEXT);
    expect(result.ok).toBe(true);
  });

  test('with no fail-fast statuses a 403 is retried', () => {
    const context = { ...CONTEXT, failFastStatuses: parseStatusRanges('', 'x') };
    expect(evaluate(check(), response({ status: 403 }), context)).toMatchObject({
      ok: false,
      failFast: false,
    });
  });
});

describe('network errors', () => {
  test.each<[NetworkError, boolean, string]>([
    [
      { kind: 'refused', code: 'ECONNREFUSED', message: 'connection refused' },
      false,
      'connection refused',
    ],
    [
      { kind: 'timeout', code: 'TIMEOUT', message: 'no complete response within 10.0s' },
      false,
      'within 10.0s',
    ],
    [{ kind: 'dns', code: 'ENOTFOUND', message: 'DNS lookup failed' }, false, 'DNS lookup failed'],
    [
      { kind: 'reset', code: 'ECONNRESET', message: 'connection closed' },
      false,
      'connection closed',
    ],
    [
      { kind: 'tls', code: 'EPROTO', message: 'TLS handshake failed' },
      false,
      'TLS handshake failed',
    ],
    [
      {
        kind: 'tls-verify',
        code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        message: 'TLS certificate not trusted: self-signed certificate',
      },
      true,
      'self-signed certificate; not retried; if the server uses a private CA, trust it with ca-file',
    ],
    [
      {
        kind: 'tls-verify',
        code: 'CERT_HAS_EXPIRED',
        message: 'TLS certificate not trusted: certificate has expired',
      },
      true,
      'certificate has expired; not retried: a certificate problem does not fix itself',
    ],
  ])('%j: fail fast %s', (error, failFast, reason) => {
    const result = evaluate(check(), failure(error), CONTEXT);
    expect(result.ok).toBe(false);
    expect(result.failFast).toBe(failFast);
    expect(result.reason).toContain(reason);
    expect(result.received).toBe(error.message);
  });
});

describe('certificate lifetime (tls-min-days)', () => {
  const certificate = (daysRemaining: number) => ({
    subject: '127.0.0.1',
    issuer: 'test CA',
    validTo: '2030-01-04T00:00:00.000Z',
    daysRemaining,
  });
  const context = { ...CONTEXT, tlsMinDays: 14 };

  test('a certificate expiring sooner fails fast, in whole days rounded down', () => {
    const result = evaluate(check(), response({ certificate: certificate(3.9) }), context);
    expect(result).toMatchObject({ ok: false, failFast: true });
    expect(result.reason).toBe(
      'certificate expires in 3 days (< tls-min-days 14), on 2030-01-04T00:00:00.000Z; not retried',
    );
  });

  test.each([
    [13.99, 'expires in 13 days'],
    [1.2, 'expires in 1 day'],
    [0.5, 'expires in 12 hours'],
    [-1, 'has expired'],
  ])('%d days: %s', (days, words) => {
    expect(
      evaluate(check(), response({ certificate: certificate(days) }), context).reason,
    ).toContain(`certificate ${words} (< tls-min-days 14)`);
  });

  test('enough days pass; 0 disables the rule; plain http has no certificate', () => {
    expect(evaluate(check(), response({ certificate: certificate(14) }), context).ok).toBe(true);
    expect(evaluate(check(), response({ certificate: certificate(1) }), CONTEXT).ok).toBe(true);
    expect(evaluate(check(), response(), context).ok).toBe(true);
  });
});

describe('version', () => {
  test('the new version passes', () => {
    const result = evaluate(
      versioned(),
      response({ body: json({ build: { sha: 'abc1234' } }) }),
      CONTEXT,
    );
    expect(result).toMatchObject({ ok: true, reason: "status 200, version 'abc1234'" });
  });

  test('the old version fails and is retried', () => {
    const result = evaluate(
      versioned(),
      response({ body: json({ build: { sha: 'old9999' } }) }),
      CONTEXT,
    );
    expect(result).toEqual({
      ok: false,
      failFast: false,
      reason: "expected version 'abc1234' at build.sha, got 'old9999'",
      expected: "version 'abc1234' at build.sha",
      received: "version 'old9999'",
    });
  });

  test('a body that is not JSON', () => {
    const result = evaluate(versioned(), response({ body: '<html>maintenance</html>' }), CONTEXT);
    expect(result.reason).toBe(
      "expected version 'abc1234' at build.sha, but the body is not JSON: '<html>maintenance</html>'",
    );
  });

  test('a body without the path', () => {
    const result = evaluate(versioned(), response({ body: json({ build: {} }) }), CONTEXT);
    expect(result.reason).toBe(
      `expected version 'abc1234' at build.sha, but the body has nothing at $.build.sha: '{"build":{}}'`,
    );
  });

  test('a version in a header', () => {
    const check = versioned('header:x-app-version');
    const right = response({ headers: { 'x-app-version': 'abc1234' } });
    const wrong = response({ headers: { 'x-app-version': 'old9999' } });
    expect(evaluate(check, right, CONTEXT).ok).toBe(true);
    expect(evaluate(check, wrong, CONTEXT).reason).toBe(
      "expected version 'abc1234' at header:x-app-version, got 'old9999'",
    );
    expect(evaluate(check, response(), CONTEXT).reason).toBe(
      "expected version 'abc1234' at header:x-app-version, but the response has no x-app-version header",
    );
  });

  test('a numeric version compares as text', () => {
    const check = parseChecks({
      url: 'https://a.example/',
      expectVersion: '42',
      versionPath: '$.v',
    })[0]!;
    expect(evaluate(check, response({ body: '{"v":42}' }), CONTEXT).ok).toBe(true);
  });

  test('the version is judged before the body, since "old version" is the more useful reason', () => {
    const check = parseChecks({
      checks: '- url: https://a.example/\n  expect-body-contains: new-feature',
      expectVersion: 'abc1234',
      versionPath: 'version',
    })[0]!;
    expect(evaluate(check, response({ body: '{"version":"old9999"}' }), CONTEXT).reason).toContain(
      "got 'old9999'",
    );
  });
});

describe('versionMatches', () => {
  const full = '0123456789abcdef0123456789abcdef01234567';
  test.each([
    ['abc123', 'abc123', true],
    [full, full, true],
    [full, '0123456', true],
    ['0123456', full, true],
    [full, '0123456789AB', true],
    [full, '012345', false],
    [full, '1123456', false],
    ['1.2.3', '1.2', false],
    ['1.2', '1.2.3', false],
    ['v2', 'v20', false],
    [' v2 ', 'v2', true],
  ])('expected %s, reported %s -> %s', (expected, reported, matches) => {
    expect(versionMatches(expected, reported)).toBe(matches);
  });
});

describe('headers', () => {
  const c = check(['expect-header: |', '  Content-Type: application/json', '  X-Ready:']);

  test('present and containing the text, ignoring case', () => {
    const headers = { 'content-type': 'Application/JSON; charset=utf-8', 'x-ready': '' };
    expect(evaluate(c, response({ headers }), CONTEXT).ok).toBe(true);
  });

  test('missing', () => {
    const result = evaluate(
      c,
      response({ headers: { 'content-type': 'application/json' } }),
      CONTEXT,
    );
    expect(result.reason).toBe('expected header x-ready, but the response has none');
  });

  test('another value', () => {
    const result = evaluate(
      c,
      response({ headers: { 'content-type': 'text/html', 'x-ready': '1' } }),
      CONTEXT,
    );
    expect(result.reason).toBe(
      "expected header content-type containing 'application/json', got 'text/html'",
    );
    expect(result.failFast).toBe(false);
  });
});

describe('body', () => {
  test('contains', () => {
    const c = check(['expect-body-contains: ok']);
    expect(evaluate(c, response({ body: 'all ok' }), CONTEXT).ok).toBe(true);
    expect(evaluate(c, response({ body: 'starting' }), CONTEXT).reason).toBe(
      "expected body to contain 'ok', got 'starting'",
    );
    expect(evaluate(c, response(), CONTEXT).reason).toBe(
      "expected body to contain 'ok', got an empty body",
    );
  });

  test('the quoted body is cut at 200 characters', () => {
    const c = check(['expect-body-contains: ok']);
    const reason = evaluate(c, response({ body: 'x'.repeat(500) }), CONTEXT).reason;
    expect(reason).toBe(`expected body to contain 'ok', got '${'x'.repeat(200)}…'`);
  });

  test('regex', () => {
    const c = check(['expect-body-regex: /"status":\\s*"(ok|up)"/i']);
    expect(evaluate(c, response({ body: '{"STATUS": "UP"}' }), CONTEXT).ok).toBe(true);
    expect(evaluate(c, response({ body: '{"status":"down"}' }), CONTEXT).reason).toBe(
      `expected body to match /"status":\\s*"(ok|up)"/i, got '{"status":"down"}'`,
    );
  });
});

describe('expect-json', () => {
  const c = check([
    'expect-json: |',
    '  status=ok',
    '  count=3',
    '  ready=true',
    '  $.db.error=null',
  ]);
  const good = { status: 'ok', count: 3, ready: true, db: { error: null } };

  test('every value matches, strings as text and the rest as JSON', () => {
    expect(evaluate(c, response({ body: json(good) }), CONTEXT).ok).toBe(true);
  });

  test('a quoted value matches a string too', () => {
    const quoted = check(['expect-json: status="ok"']);
    expect(evaluate(quoted, response({ body: json(good) }), CONTEXT).ok).toBe(true);
  });

  test.each([
    [{ ...good, status: 'degraded' }, "expected status to be 'ok', got 'degraded'"],
    [{ ...good, count: 2 }, "expected count to be '3', got '2'"],
    [{ ...good, ready: 'true!' }, "expected ready to be 'true', got 'true!'"],
    [
      { ...good, db: {} },
      "expected $.db.error to be 'null', but the body has nothing at $.db.error",
    ],
  ])('%j fails: %s', (body, reason) => {
    expect(evaluate(c, response({ body: json(body) }), CONTEXT).reason).toContain(reason);
  });

  test('a body that is not JSON', () => {
    const result = evaluate(c, response({ body: 'OK' }), CONTEXT);
    expect(result.reason).toBe(
      "expected JSON with status=ok, count=3, ready=true, $.db.error=null, but the body is not JSON: 'OK'",
    );
  });

  test('a body cut at the size limit says so', () => {
    const result = evaluate(c, response({ body: '{"status":', bodyTruncated: true }), CONTEXT);
    expect(result.reason).toContain(`not JSON: '{"status":…'`);
  });
});

describe('latency', () => {
  const c = check(['max-latency: 500ms']);

  test('slower than max-latency fails and is retried', () => {
    expect(evaluate(c, response({ latencyMs: 812 }), CONTEXT)).toEqual({
      ok: false,
      failFast: false,
      reason: 'latency 812ms exceeds max-latency 500ms',
      expected: 'latency at most 500ms',
      received: 'latency 812ms',
    });
  });

  test('exactly max-latency passes', () => {
    expect(evaluate(c, response({ latencyMs: 500 }), CONTEXT).ok).toBe(true);
  });
});

test('a pass lists everything the check expected and what came back', () => {
  const c = check(
    [
      'expect-body-contains: ok',
      'expect-json: status=ok',
      'expect-header: "x-ready:"',
      'max-latency: 1s',
    ],
    { expectVersion: 'abc1234', versionPath: 'version' },
  );
  const result = evaluate(
    c,
    response({
      body: '{"status":"ok","version":"abc1234"}',
      headers: { 'x-ready': 'yes' },
      latencyMs: 42,
    }),
    CONTEXT,
  );
  expect(result).toEqual({
    ok: true,
    failFast: false,
    reason: "status 200, version 'abc1234'",
    expected:
      "status 200-299; version 'abc1234' at version; header x-ready; body containing 'ok'; status=ok; latency at most 1.0s",
    received: "status 200, version 'abc1234' in 42ms",
  });
});

describe('excerpt', () => {
  test.each([
    ['', false, 'an empty body'],
    ['  \n ', false, 'an empty body'],
    ['a\n\n  b', false, "'a b'"],
    ['abc', true, "'abc…'"],
  ])('%j (truncated %s) -> %s', (body, bodyTruncated, shown) => {
    expect(excerpt({ body, bodyTruncated })).toBe(shown);
  });
});
