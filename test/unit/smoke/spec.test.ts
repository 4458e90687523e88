import { InputError, closest, parseKeyValueLines } from '@deploy-actions/action-kit/engine';
import {
  parseChecks,
  parseSmokeInputs,
  redactUrl,
  type CheckInputs,
  type SmokeInputs,
} from '../../../packages/smoke/src/index.js';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

const yaml = (lines: string[]) => lines.join('\n');

describe('parseChecks: one url', () => {
  test('takes every default from the global inputs', () => {
    const [check, ...rest] = parseChecks({
      url: 'https://api.example.com/health',
      expectStatus: '200,204',
      headers: 'Authorization: Bearer t0ken\nX-Trace: on',
      expectVersion: 'abc123',
      versionPath: 'build.sha',
    });
    expect(rest).toEqual([]);
    expect(check).toEqual({
      name: 'https://api.example.com/health',
      url: 'https://api.example.com/health',
      method: 'GET',
      headers: { authorization: 'Bearer t0ken', 'x-trace': 'on' },
      expectStatus: {
        text: '200,204',
        ranges: [
          [200, 200],
          [204, 204],
        ],
      },
      expectJson: [],
      expectHeaders: [],
      version: {
        expected: 'abc123',
        path: 'build.sha',
        source: { kind: 'json', segments: ['build', 'sha'] },
      },
    });
  });

  test('the default status is 200-299 and there is no version check', () => {
    const [check] = parseChecks({ url: 'http://127.0.0.1:8080/' });
    expect(check?.expectStatus.text).toBe('200-299');
    expect(check?.version).toBeUndefined();
  });

  test('a version in a header', () => {
    const [check] = parseChecks({
      url: 'https://x.example/',
      expectVersion: ' v2 ',
      versionPath: 'header:X-App-Version',
    });
    expect(check?.version).toEqual({
      expected: 'v2',
      path: 'header:X-App-Version',
      source: { kind: 'header', name: 'x-app-version' },
    });
  });

  test('a password in the URL never shows in the name', () => {
    const [check] = parseChecks({ url: 'https://user:s3cret@x.example/health' });
    expect(check?.name).toBe('https://user:***@x.example/health');
    expect(check?.url).toBe('https://user:s3cret@x.example/health');
    expect(redactUrl(check!.url)).toBe('https://user:***@x.example/health');
  });
});

describe('parseChecks: a list of checks', () => {
  test('reads every key, merging headers over the global ones', () => {
    const checks = parseChecks({
      headers: 'Authorization: Bearer global\nX-Team: web',
      checks: yaml([
        '- name: health',
        '  url: https://api.example.com/health',
        '  headers:',
        '    authorization: Bearer own',
        '    X-Extra: 1',
        '  expect-json: |',
        '    status=ok',
        '    $.checks[0].db=up',
        '  expect-header: |',
        '    Content-Type: application/json',
        '    Cache-Control:',
        '  max-latency: 800ms',
        '- name: home',
        '  url: https://www.example.com/',
        '  method: post',
        '  body: {"ping": true}',
        '  expect-status: [200, 204]',
        '  expect-body-contains: <div id="root">',
        '  expect-body-regex: /welcome/i',
      ]),
    });
    expect(checks).toHaveLength(2);
    const [health, home] = checks;
    expect(health).toMatchObject({
      name: 'health',
      method: 'GET',
      headers: { authorization: 'Bearer own', 'x-team': 'web', 'x-extra': '1' },
      expectStatus: { text: '200-299' },
      expectJson: [
        { path: 'status', segments: ['status'], value: 'ok' },
        { path: '$.checks[0].db', segments: ['checks', 0, 'db'], value: 'up' },
      ],
      expectHeaders: [
        { name: 'content-type', value: 'application/json' },
        { name: 'cache-control', value: '' },
      ],
      maxLatencyMs: 800,
    });
    expect(home).toMatchObject({
      method: 'POST',
      body: '{"ping":true}',
      headers: { 'content-type': 'application/json', authorization: 'Bearer global' },
      expectStatus: { text: '200,204' },
      bodyContains: '<div id="root">',
    });
    expect(home?.bodyRegex?.source).toBe('welcome');
    expect(home?.bodyRegex?.flags).toBe('i');
  });

  test('maps work for expect-json and expect-header too, and numbers become text', () => {
    const [check] = parseChecks({
      checks: yaml([
        '- url: https://x.example/',
        '  expect-status: 204',
        '  expect-json: { count: 3, ok: true, name: api }',
        '  expect-header: { X-Version: 7 }',
      ]),
    });
    expect(check?.expectStatus.text).toBe('204');
    expect(check?.expectJson.map((e) => `${e.path}=${e.value}`)).toEqual([
      'count=3',
      'ok=true',
      'name=api',
    ]);
    expect(check?.expectHeaders).toEqual([{ name: 'x-version', value: '7' }]);
  });

  test('a check without a name is named by its URL; g and y regex flags are dropped', () => {
    const [check] = parseChecks({
      checks: '- url: https://x.example/a\n  expect-body-regex: /ok/gy',
    });
    expect(check?.name).toBe('https://x.example/a');
    expect(check?.bodyRegex?.flags).toBe('');
  });

  test('JSON is YAML: a JSON array of checks is accepted', () => {
    const checks = parseChecks({
      checks: '[{"url": "https://a.example/"}, {"url": "https://b.example/"}]',
    });
    expect(checks.map((c) => c.name)).toEqual(['https://a.example/', 'https://b.example/']);
  });
});

interface ErrorCase {
  inputs: SmokeInputs;
  input: string;
  shows?: string;
  expected: string;
}

const CHECK_ERRORS: Record<string, ErrorCase> = {
  'both url and checks': {
    inputs: { url: 'https://a.example/', checks: '- url: https://b.example/' },
    input: 'url',
    shows: '"https://a.example/"',
    expected: 'nothing when checks is set',
  },
  'neither url nor checks': {
    inputs: { url: ' ', checks: '' },
    input: 'url',
    shows: 'got nothing',
    expected: 'a URL to check, or a YAML list of checks',
  },
  'unparseable YAML': {
    inputs: { checks: '- url: [unclosed\n- name: x' },
    input: 'checks',
    shows: '"- url: [unclosed…"',
    expected: 'a YAML list of checks (',
  },
  'duplicate YAML keys': {
    inputs: { checks: '- url: https://a.example/\n  url: https://b.example/' },
    input: 'checks',
    expected: 'a YAML list of checks (',
  },
  'a map instead of a list': {
    inputs: { checks: 'url: https://a.example/' },
    input: 'checks',
    expected: 'this is one map: start each check with "- "',
  },
  'an empty list': { inputs: { checks: '[]' }, input: 'checks', expected: 'a YAML list of checks' },
  'a string item': {
    inputs: { checks: '- https://a.example/' },
    input: 'checks[0]',
    shows: '"\\"https://a.example/\\""',
    expected: 'a map of check keys',
  },
  'a misspelt key': {
    inputs: { checks: '- url: https://a.example/\n- url: https://b.example/\n  expect-staus: 200' },
    input: 'checks[1]',
    shows: '"expect-staus"',
    expected: 'did you mean expect-status?',
  },
  'a camelCase key': {
    inputs: { checks: '- url: https://a.example/\n  maxLatency: 1s' },
    input: 'checks[0]',
    expected: 'did you mean max-latency?',
  },
  'a run-wide input inside a check': {
    inputs: { checks: '- url: https://a.example/\n  timeout: 1m' },
    input: 'checks[0]',
    shows: '"timeout"',
    expected: 'timeout is an input of the action that applies to every check',
  },
  'a missing url': {
    inputs: { checks: '- name: health' },
    input: 'checks[0].url',
    expected: 'url is required',
  },
  'an ftp url': {
    inputs: { checks: '- url: ftp://a.example/file' },
    input: 'checks[0].url',
    shows: '"ftp://a.example/file"',
    expected: 'an absolute http:// or https:// URL',
  },
  'a relative url': {
    inputs: { url: 'api.example.com/health' },
    input: 'url',
    shows: '"api.example.com/health"',
    expected: 'an absolute http:// or https:// URL',
  },
  'a bad url hides its password': {
    inputs: { url: 'https://user:hunter22@' },
    input: 'url',
    shows: '"https://user:***@"',
    expected: 'an absolute http:// or https:// URL',
  },
  'a bad method': {
    inputs: { checks: '- url: https://a.example/\n  method: FETCH' },
    input: 'checks[0].method',
    shows: '"FETCH"',
    expected: 'one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
  },
  'status 600': {
    inputs: {
      checks:
        '- url: https://a.example/\n- url: https://b.example/\n- url: https://c.example/\n  expect-status: 600',
    },
    input: 'checks[2].expect-status',
    shows: '"600"',
    expected: 'status codes from 100 to 599',
  },
  'a reversed range': {
    inputs: { checks: '- url: https://a.example/\n  expect-status: 299-200' },
    input: 'checks[0].expect-status',
    shows: '"299-200"',
    expected: '(299-200 is not)',
  },
  'a word for a status': {
    inputs: { url: 'https://a.example/', expectStatus: 'abc' },
    input: 'expect-status',
    shows: '"abc"',
    expected: '(abc is not)',
  },
  'an empty status list': {
    inputs: { checks: "- url: https://a.example/\n  expect-status: ''" },
    input: 'checks[0].expect-status',
    expected: 'at least one status code or range',
  },
  'a bad max-latency': {
    inputs: { checks: '- url: https://a.example/\n  max-latency: fast' },
    input: 'checks[0].max-latency',
    shows: '"fast"',
    expected: 'a duration such as 500ms',
  },
  'a bad regex': {
    inputs: { checks: '- url: https://a.example/\n  expect-body-regex: "(["' },
    input: 'checks[0].expect-body-regex',
    shows: '"(["',
    expected: 'a JavaScript regular expression (Invalid regular expression',
  },
  'an expect-json line without =': {
    inputs: { checks: '- url: https://a.example/\n  expect-json: |\n    status=ok\n    healthy' },
    input: 'checks[0].expect-json',
    shows: '"healthy"',
    expected: 'path=value lines',
  },
  'an expect-json line with a bad path': {
    inputs: { checks: '- url: https://a.example/\n  expect-json: a..b=1' },
    input: 'checks[0].expect-json',
    shows: '"a..b=1"',
    expected: 'such as version, build.sha or $.data.version',
  },
  'an expect-json path twice': {
    inputs: { checks: '- url: https://a.example/\n  expect-json: |\n    a=1\n    a=2' },
    input: 'checks[0].expect-json',
    expected: 'each path once (a is repeated)',
  },
  'duplicate names': {
    inputs: {
      checks:
        '- name: api\n  url: https://a.example/\n- url: https://b.example/\n- name: api\n  url: https://c.example/',
    },
    input: 'checks[2].name',
    shows: '"api"',
    expected: 'checks[0] has it too',
  },
  'two unnamed checks of one URL': {
    inputs: { checks: '- url: https://a.example/\n- url: https://a.example/\n  method: HEAD' },
    input: 'checks[1].name',
    expected: 'a check without a name is named by its URL',
  },
  'a name with a comma': {
    inputs: { checks: '- name: api, v2\n  url: https://a.example/' },
    input: 'checks[0].name',
    expected: 'without commas',
  },
  'a body with GET': {
    inputs: { checks: '- url: https://a.example/\n  body: hello' },
    input: 'checks[0].body',
    expected: 'set method to POST, PUT or PATCH',
  },
  'headers as a list': {
    inputs: { checks: '- url: https://a.example/\n  headers: [a, b]' },
    input: 'checks[0].headers',
    expected: 'a map of headers',
  },
  'a header name with a space': {
    inputs: { url: 'https://a.example/', headers: 'X Api: 1' },
    input: 'headers',
    shows: '"X Api"',
    expected: 'header names of letters, digits and -',
  },
  'a header twice': {
    inputs: { url: 'https://a.example/', headers: 'X-A: 1\nx-a: 2' },
    input: 'headers',
    expected: 'each header once',
  },
  'expect-version without version-path': {
    inputs: { url: 'https://a.example/', expectVersion: 'abc' },
    input: 'version-path',
    expected: 'required with expect-version',
  },
  'version-path with an empty expect-version': {
    inputs: { url: 'https://a.example/', expectVersion: '', versionPath: 'version' },
    input: 'expect-version',
    expected: 'it came out empty',
  },
  'a bad version path': {
    inputs: { url: 'https://a.example/', expectVersion: 'abc', versionPath: 'build..sha' },
    input: 'version-path',
    shows: '"build..sha"',
    expected: 'or header:<name>',
  },
  'a bad version header': {
    inputs: { url: 'https://a.example/', expectVersion: 'abc', versionPath: 'header:' },
    input: 'version-path',
    expected: 'header:<name> with a header name',
  },
};

describe('parseChecks refuses bad input, naming the input, the value and the form', () => {
  test.each(Object.entries(CHECK_ERRORS))('%s', (_name, { inputs, input, shows, expected }) => {
    const error = inputError(() => parseChecks(inputs as CheckInputs));
    expect(error.input).toBe(input);
    expect(error.message).toContain(`Input '${input}'`);
    if (shows) expect(error.message).toContain(shows);
    expect(error.message).toContain(expected);
  });

  test('an unknown key lists the allowed keys', () => {
    const error = inputError(() =>
      parseChecks({ checks: '- url: https://a.example/\n  frobnicate: 1' }),
    );
    expect(error.message).toContain(
      'one of the check keys: name, url, method, headers, body, expect-status, expect-body-contains, expect-body-regex, expect-json, expect-header, max-latency',
    );
    expect(error.message).not.toContain('did you mean');
  });

  test('a malformed header line shows the header name, never the value', () => {
    const error = inputError(() =>
      parseChecks({
        url: 'https://a.example/',
        headers: 'X-Ok: 1\nAuthorization Bearer s3cr3t-t0ken',
      }),
    );
    expect(error.input).toBe('headers');
    expect(error.message).toContain('"Authorization …"');
    expect(error.message).not.toContain('s3cr3t');
  });

  test('a header value of the wrong shape is not shown', () => {
    const error = inputError(() =>
      parseChecks({ checks: '- url: https://a.example/\n  headers:\n    Authorization: [s3cr3t]' }),
    );
    expect(error.input).toBe('checks[0].headers.Authorization');
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('parseSmokeInputs', () => {
  test('defaults are those of action.yml', () => {
    const { checks, options } = parseSmokeInputs({ url: 'https://a.example/' });
    expect(checks).toHaveLength(1);
    expect(options).toEqual({
      timeoutMs: 300_000,
      requestTimeoutMs: 10_000,
      intervalMs: 2000,
      consecutiveSuccesses: 1,
      failFastStatuses: {
        text: '401,403',
        ranges: [
          [401, 401],
          [403, 403],
        ],
      },
      tlsMinDays: 0,
    });
  });

  test('reads every option', () => {
    const { options } = parseSmokeInputs({
      url: 'https://a.example/',
      timeout: '90s',
      requestTimeout: '2500ms',
      interval: '1',
      consecutiveSuccesses: '3',
      failFastStatuses: '401,403,410-419',
      caFile: '/tmp/ca.pem',
      tlsMinDays: '14',
    });
    expect(options).toEqual({
      timeoutMs: 90_000,
      requestTimeoutMs: 2500,
      intervalMs: 1000,
      consecutiveSuccesses: 3,
      failFastStatuses: {
        text: '401,403,410-419',
        ranges: [
          [401, 401],
          [403, 403],
          [410, 419],
        ],
      },
      caFile: '/tmp/ca.pem',
      tlsMinDays: 14,
    });
  });

  test.each(['', '  ', 'none', 'NONE'])('fail-fast-statuses %j retries every status', (value) => {
    const { options } = parseSmokeInputs({ url: 'https://a.example/', failFastStatuses: value });
    expect(options.failFastStatuses.ranges).toEqual([]);
  });

  test.each([
    [{ timeout: 'soon' }, 'timeout', '"soon"', 'a duration such as 500ms, 30s, 5m or 1h'],
    [{ timeout: '7h' }, 'timeout', '"7h"', 'from 100ms to 6h'],
    [{ requestTimeout: '5ms' }, 'request-timeout', '"5ms"', 'from 10ms to 1h'],
    [{ interval: '0' }, 'interval', '"0"', 'from 10ms to 1h'],
    [{ consecutiveSuccesses: '0' }, 'consecutive-successes', '"0"', 'a whole number from 1 to 100'],
    [{ consecutiveSuccesses: 'two' }, 'consecutive-successes', '"two"', 'a whole number'],
    [{ tlsMinDays: '-1' }, 'tls-min-days', '"-1"', 'a whole number from 0 to 3650'],
    [{ failFastStatuses: '40x' }, 'fail-fast-statuses', '"40x"', 'status codes from 100 to 599'],
  ])('%j fails on %s', (inputs, input, shows, expected) => {
    const error = inputError(() => parseSmokeInputs({ url: 'https://a.example/', ...inputs }));
    expect(error.input).toBe(input);
    expect(error.message).toContain(shows);
    expect(error.message).toContain(expected);
  });
});

describe('parseKeyValueLines', () => {
  const options = { separator: '=' as const, input: 'x', form: 'k=v lines' };

  test('skips blanks and comments, trims, and keeps later separators in the value', () => {
    expect(parseKeyValueLines('\n a = 1 \n# note\nb=c=d\r\nempty=\n', options)).toEqual([
      ['a', '1'],
      ['b', 'c=d'],
      ['empty', ''],
    ]);
  });

  test.each(['novalue', '=1', ' = 1'])('refuses %j', (line) => {
    expect(() => parseKeyValueLines(line, options)).toThrow(InputError);
  });
});

describe('closest (the did-you-mean of check keys)', () => {
  const keys = ['expect-status', 'expect-json', 'max-latency', 'url'];
  test.each([
    ['expect-staus', 'expect-status'],
    ['expect_status', 'expect-status'],
    ['expectJson', 'expect-json'],
    ['maxLatency', 'max-latency'],
    ['URL', 'url'],
    ['uri', 'url'],
    ['completely-different', undefined],
    ['x', undefined],
  ])('%s -> %s', (word, suggestion) => {
    expect(closest(word, keys)).toBe(suggestion);
  });
});
