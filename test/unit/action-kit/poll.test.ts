import {
  FakeClock,
  backoffDelay,
  formatDuration,
  parseDuration,
  poll,
} from '@deploy-actions/action-kit/engine';

describe('backoffDelay (full jitter)', () => {
  test.each([
    [0, 0.5, 500],
    [1, 0.5, 1000],
    [3, 0.999, 7992],
    [10, 0.5, 15_000],
    [2, 0, 0],
  ])('attempt %d, random %d -> %d ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, { initialMs: 1000, maxMs: 30_000, random: () => random })).toBe(
      expected,
    );
  });
});

describe('poll', () => {
  test('returns the value once done, counting attempts', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const result = await poll({
      label: 'x',
      timeoutMs: 60_000,
      clock,
      backoff: { initialMs: 1000, maxMs: 8000, random: () => 1 },
      attempt: async () =>
        ++calls < 4 ? { done: false, status: `try ${calls}` } : { done: true, value: 'ok' },
    });
    expect(result).toEqual({ ok: true, value: 'ok', attempts: 4, elapsedMs: 7000 });
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
  });

  test('times out at the deadline with the last status, never sleeping past it', async () => {
    const clock = new FakeClock();
    const result = await poll({
      label: 'x',
      timeoutMs: 10_000,
      clock,
      backoff: { initialMs: 4000, maxMs: 30_000, random: () => 1 },
      attempt: async (n) => ({ done: false, status: `status ${n}` }),
    });
    expect(result).toEqual({
      ok: false,
      reason: 'timeout',
      lastStatus: 'status 3',
      attempts: 3,
      elapsedMs: 10_000,
    });
    expect(clock.sleeps).toEqual([4000, 6000]);
  });

  test('a retry-after floor is honoured but capped by the deadline', async () => {
    const clock = new FakeClock();
    await poll({
      label: 'x',
      timeoutMs: 30_000,
      clock,
      backoff: { initialMs: 100, maxMs: 1000, random: () => 0 },
      attempt: async (n) =>
        n < 3 ? { done: false, retryAfterMs: 20_000 } : { done: true, value: 1 },
    });
    expect(clock.sleeps).toEqual([20_000, 10_000]);
  });

  test('an abort signal ends the poll', async () => {
    const controller = new AbortController();
    const result = await poll({
      label: 'x',
      timeoutMs: 60_000,
      clock: new FakeClock(),
      signal: controller.signal,
      backoff: { initialMs: 10, maxMs: 10 },
      attempt: async (n) => {
        if (n === 2) controller.abort();
        return { done: false };
      },
    });
    expect(result).toMatchObject({ ok: false, reason: 'aborted', attempts: 2 });
  });

  test('an attempt that throws ends the poll with that error', async () => {
    await expect(
      poll({
        label: 'x',
        timeoutMs: 1000,
        clock: new FakeClock(),
        backoff: { initialMs: 10, maxMs: 10 },
        attempt: async () => {
          throw new Error('boom');
        },
      }),
    ).rejects.toThrow('boom');
  });
});

describe('durations', () => {
  test.each([
    ['0', 0],
    ['45s', 45_000],
    ['2m', 120_000],
    ['1h2m3s', 3_723_000],
    ['', undefined],
    ['m5', undefined],
    ['5 m', undefined],
  ])('parseDuration(%j) = %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each([
    [850, '850ms'],
    [12_340, '12.3s'],
    [245_000, '4m 05s'],
    [3_720_000, '1h 02m'],
  ])('formatDuration(%d) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
