import { parseRetryAfter, retryAfterFromHeaders } from '../../../packages/smoke/src/index.js';

const NOW = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');

describe('parseRetryAfter', () => {
  test.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Sun, 06 Nov 1994 08:49:42 GMT', 5000],
    ['Sunday, 06-Nov-94 08:49:47 GMT', 10_000],
    ['Sun Nov  6 08:50:37 1994', 60_000],
    ['Sun, 06 Nov 1994 08:00:00 GMT', 0],
  ])('%j -> %d ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  test.each([undefined, '', '-1', '1.5', 'soon', '2024-01-01', '10s', 'Sun, 06 Nov 1994'])(
    'ignores %j',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    },
  );
});

describe('retryAfterFromHeaders', () => {
  test("a date is measured against the response's Date header, not the local clock", () => {
    const headers = {
      date: 'Sun, 06 Nov 1994 08:49:37 GMT',
      'retry-after': 'Sun, 06 Nov 1994 08:49:44 GMT',
    };
    expect(retryAfterFromHeaders(headers, () => NOW + 3_600_000)).toBe(7000);
  });

  test('without a Date header the local clock is used', () => {
    expect(
      retryAfterFromHeaders({ 'retry-after': 'Sun, 06 Nov 1994 08:49:40 GMT' }, () => NOW),
    ).toBe(3000);
  });

  test('seconds need no clock; no header means no floor', () => {
    expect(retryAfterFromHeaders({ 'retry-after': '3' })).toBe(3000);
    expect(retryAfterFromHeaders({})).toBeUndefined();
  });
});
