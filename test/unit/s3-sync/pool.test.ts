import { forEachConcurrently, mapConcurrently } from '../../../packages/s3-sync/src/pool.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

test('never runs more than the concurrency at once, and keeps results in order', async () => {
  let running = 0;
  let peak = 0;
  const results = await mapConcurrently([5, 1, 4, 2, 3, 6, 7], 3, async (n) => {
    running++;
    peak = Math.max(peak, running);
    for (let i = 0; i < n; i++) await tick();
    running--;
    return n * 10;
  });
  expect(peak).toBe(3);
  expect(results).toEqual([50, 10, 40, 20, 30, 60, 70]);
});

test('after a failure no new task starts; running ones finish before the error is thrown', async () => {
  const started: number[] = [];
  const finished: number[] = [];
  const attempt = forEachConcurrently([0, 1, 2, 3, 4, 5], 2, async (n) => {
    started.push(n);
    await tick();
    if (n === 1) throw new Error('boom');
    await tick();
    finished.push(n);
  });
  await expect(attempt).rejects.toThrow('boom');
  expect(started).toEqual([0, 1]);
  expect(finished).toEqual([0]);
});

test('an empty list does nothing', async () => {
  await expect(mapConcurrently([], 4, async () => 1)).resolves.toEqual([]);
});
