// The smoke action's other inputs (timeouts, retries, TLS), and the key=value and did-you-mean helpers they use.
import { InputError, closest, parseKeyValueLines } from '@deploy-actions/action-kit/engine';
import { parseSmokeInputs } from '../../../packages/smoke/src/index.js';
import { inputError } from './spec-fixtures.js';

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
