// parseChecks refusing bad input: each error names the input, the offending value and the expected form.
import {
  parseChecks,
  type CheckInputs,
  type SmokeInputs,
} from '../../../packages/smoke/src/index.js';
import { inputError } from './spec-fixtures.js';

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
