// CloudFrontInvalidator: one invalidation per deploy whatever is retried, backoff on
// TooManyInvalidationsInProgress and transient failures, and waiting with progress lines.
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { CloudFrontSimulator } from '../../../tools/aws-sim/services/cloudfront.js';
import {
  invalidationCallerReference,
  isTransientError,
} from '../../../packages/s3-sync/src/index.js';
import {
  MINUTE,
  calls,
  client,
  clock,
  cloudfront,
  invalidator,
  logger,
  rejection,
  sim,
  useCloudFrontSimulator,
} from './cloudfront-fixtures.js';

useCloudFrontSimulator();

describe('invalidationCallerReference', () => {
  const base = { deployId: 'org/app/123/1/deploy/web', bucket: 'b-1', prefix: 'site/' };

  test('the same deploy and paths give the same reference, in any order', () => {
    const one = invalidationCallerReference({ ...base, paths: ['/a', '/b'] });
    expect(one).toMatch(/^deploy-actions-s3-sync-[0-9a-f]{40}$/);
    expect(invalidationCallerReference({ ...base, paths: ['/b', '/a'] })).toBe(one);
  });

  test('another run attempt, target or batch gives another reference', () => {
    const one = invalidationCallerReference({ ...base, paths: ['/a'] });
    const others = [
      { ...base, deployId: 'org/app/123/2/deploy/web', paths: ['/a'] },
      { ...base, bucket: 'b-2', paths: ['/a'] },
      { ...base, prefix: '', paths: ['/a'] },
      { ...base, paths: ['/a', '/b'] },
      // The same deploy id reused (a local run, a harness) for other content.
      { ...base, paths: ['/a'], changes: ['put site/a 0f0f'] },
    ].map(invalidationCallerReference);
    expect(new Set([one, ...others]).size).toBe(6);
    const changes = ['put site/a 1', 'delete site/b'];
    expect(invalidationCallerReference({ ...base, paths: ['/a'], changes })).toBe(
      invalidationCallerReference({ ...base, paths: ['/a'], changes: [...changes].reverse() }),
    );
  });

  test('without a deploy id, every call is a new reference', () => {
    const input = { bucket: 'b-1', prefix: '', paths: ['/a'] };
    expect(invalidationCallerReference(input)).not.toBe(invalidationCallerReference(input));
  });
});

describe('CloudFrontInvalidator.create', () => {
  test('creates one invalidation with the given paths and CallerReference', async () => {
    const { id } = cloudfront.addDistribution();
    const invId = await invalidator(id).create(['/index.html', '/docs/*'], 'ref-1');
    expect(cloudfront.invalidations(id)).toEqual([
      expect.objectContaining({
        id: invId,
        callerReference: 'ref-1',
        paths: ['/index.html', '/docs/*'],
        status: 'InProgress',
      }),
    ]);
    expect(logger.text()).toContain(
      `Creating an invalidation of 2 paths on ${id} (CallerReference ref-1)`,
    );
  });

  test('throttling, 5xx and a dropped connection are retried: still exactly one invalidation', async () => {
    const { id } = cloudfront.addDistribution();
    const fault = { service: 'cloudfront', operation: 'CreateInvalidation', count: 1 };
    sim.faults.add({ ...fault, kind: 'throttle' });
    sim.faults.add({ ...fault, kind: 'server-error', status: 500 });
    sim.faults.add({ ...fault, kind: 'server-error', status: 503 });
    sim.faults.add({ ...fault, kind: 'reset' });
    const invId = await invalidator(id).create(['/a'], 'ref-1');
    const attempts = calls('CreateInvalidation');
    expect(attempts.map((e) => e.fault ?? e.status)).toEqual([
      'throttle',
      'server-error',
      'server-error',
      'reset',
      201,
    ]);
    const references = attempts.map(
      (e) =>
        (e.params as { body: { value: { CallerReference: string } } }).body.value.CallerReference,
    );
    expect(new Set(references)).toEqual(new Set(['ref-1']));
    expect(cloudfront.invalidations(id).map((i) => i.id)).toEqual([invId]);
    expect(logger.text()).toMatch(
      /CreateInvalidation attempt 1: HTTP 400 Throttling: Rate exceeded; retrying in \d+(\.\d+)?s with the same CallerReference/,
    );
    // Full jitter, but never a retry sooner than a second apart.
    expect(clock.sleeps).toHaveLength(4);
    expect(Math.min(...clock.sleeps)).toBeGreaterThanOrEqual(1000);
  });

  test('a retry after a lost answer gets the invalidation the first request made', async () => {
    const { id } = cloudfront.addDistribution();
    // The first request reached CloudFront; its answer never came back.
    await client.send(
      new CreateInvalidationCommand({
        DistributionId: id,
        InvalidationBatch: { CallerReference: 'ref-1', Paths: { Quantity: 1, Items: ['/a'] } },
      }),
    );
    const [first] = cloudfront.invalidations(id);
    expect(await invalidator(id).create(['/a'], 'ref-1')).toBe(first!.id);
    expect(cloudfront.invalidations(id)).toHaveLength(1);
  });

  test('TooManyInvalidationsInProgress: backs off until CloudFront has room', async () => {
    const { id } = cloudfront.addDistribution();
    const wildcards = Array.from({ length: 15 }, (_, i) => `/busy-${i}/*`);
    await invalidator(id).create(wildcards, 'someone-else');
    clock.advance(MINUTE);
    const invId = await invalidator(id).create(['/assets/*'], 'ours');
    const attempts = calls('CreateInvalidation').slice(1);
    expect(attempts.map((e) => e.errorCode ?? e.status).at(-1)).toBe(201);
    expect(attempts.slice(0, -1).map((e) => e.errorCode)).toEqual(
      Array(attempts.length - 1).fill('TooManyInvalidationsInProgress'),
    );
    expect(attempts.length).toBeGreaterThan(1);
    // Accepted only once the other invalidation completed (2 minutes after it was made).
    expect(clock.now()).toBeGreaterThanOrEqual(2 * MINUTE);
    expect(cloudfront.invalidations(id).map((i) => [i.id === invId, i.callerReference])).toEqual([
      [false, 'someone-else'],
      [true, 'ours'],
    ]);
    expect(logger.text()).toContain('TooManyInvalidationsInProgress');
  });

  test('TooManyInvalidationsInProgress until the timeout: fails saying why, within the bound', async () => {
    cloudfront.setInvalidationDuration(Infinity);
    const { id } = cloudfront.addDistribution();
    const files = Array.from({ length: 3000 }, (_, i) => `/f${i}.html`);
    await invalidator(id).create(files, 'someone-else');
    const error = await rejection(
      invalidator(id, { createTimeoutMs: 5 * MINUTE }).create(['/index.html'], 'ours'),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^CloudFront did not accept the invalidation for distribution ${id} within 5m 00s: HTTP 400 TooManyInvalidationsInProgress`,
      ),
    );
    expect(error.hint).toContain('3,000 paths, or 15 wildcard paths');
    expect(clock.now()).toBe(5 * MINUTE);
    expect(cloudfront.invalidations(id)).toHaveLength(1);
  });

  test.each([
    [
      'AccessDenied',
      (cf: CloudFrontSimulator) => cf.deny('CreateInvalidation'),
      'AWS denied cloudfront:CreateInvalidation on arn:aws:cloudfront::123456789012:distribution/',
    ],
    [
      'InvalidationBatchAlreadyExists',
      async (_cf: CloudFrontSimulator, id: string) => {
        await invalidator(id).create(['/other'], 'ref-1');
      },
      'already has an invalidation with CallerReference ref-1',
    ],
  ])('%s fails at once, explained', async (_code, arrange, message) => {
    const { id } = cloudfront.addDistribution();
    await arrange(cloudfront, id);
    const before = calls('CreateInvalidation').length;
    const error = await rejection(invalidator(id).create(['/a'], 'ref-1'));
    expect(error.message).toContain(message);
    expect(calls('CreateInvalidation').length - before).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  test('an unknown distribution fails at once, saying so', async () => {
    const error = await rejection(invalidator('ENOSUCHDIST1').create(['/a'], 'ref-1'));
    expect(error.message).toBe('CloudFront distribution ENOSUCHDIST1 does not exist.');
  });

  test('paths CloudFront refuses: says how to avoid them', async () => {
    const { id } = cloudfront.addDistribution();
    const error = await rejection(invalidator(id).create(['no-slash'], 'ref-1'));
    expect(error.message).toContain('refused the invalidation paths');
    expect(error.hint).toContain('invalidation-max-paths');
  });
});

describe('CloudFrontInvalidator.wait', () => {
  test('polls until Completed, with progress lines', async () => {
    const { id } = cloudfront.addDistribution();
    const subject = invalidator(id);
    const invId = await subject.create(['/a'], 'ref-1');
    await subject.wait(invId, 10 * MINUTE);
    expect(cloudfront.invalidations(id)[0]?.status).toBe('Completed');
    expect(clock.now()).toBeGreaterThanOrEqual(2 * MINUTE);
    const polls = calls('GetInvalidation');
    expect(polls.length).toBeGreaterThan(1);
    expect(logger.text()).toMatch(
      new RegExp(`Invalidation ${invId}: InProgress after \\S+; next check in \\S+`),
    );
    expect(Math.min(...clock.sleeps)).toBeGreaterThanOrEqual(1000);
  });

  test('transient GetInvalidation failures are polled through', async () => {
    const { id } = cloudfront.addDistribution();
    const subject = invalidator(id);
    const invId = await subject.create(['/a'], 'ref-1');
    sim.faults.add({
      service: 'cloudfront',
      operation: 'GetInvalidation',
      kind: 'throttle',
      count: 2,
    });
    sim.faults.add({
      service: 'cloudfront',
      operation: 'GetInvalidation',
      kind: 'server-error',
      count: 1,
    });
    await subject.wait(invId, 10 * MINUTE);
    expect(
      calls('GetInvalidation')
        .map((e) => e.errorCode ?? e.status)
        .slice(0, 3),
    ).toEqual(['Throttling', 'Throttling', 'InternalFailure']);
    expect(logger.text()).toContain('GetInvalidation failed (HTTP 400 Throttling');
  });

  test('not completed within the timeout: fails naming the invalidation and the last status', async () => {
    cloudfront.setInvalidationDuration(Infinity);
    const { id } = cloudfront.addDistribution();
    const subject = invalidator(id);
    const invId = await subject.create(['/a'], 'ref-1');
    const error = await rejection(subject.wait(invId, 3 * MINUTE));
    expect(error.message).toBe(
      `Invalidation ${invId} of distribution ${id} did not complete within 3m 00s (last status: InProgress).`,
    );
    expect(error.hint).toContain('invalidation-timeout');
    expect(clock.now()).toBe(3 * MINUTE);
  });

  test('without cloudfront:GetInvalidation: fails at once naming the permission, not as a timeout', async () => {
    const { id, arn } = cloudfront.addDistribution();
    const subject = invalidator(id);
    const invId = await subject.create(['/a'], 'ref-1');
    cloudfront.denyGetInvalidation();
    const error = await rejection(subject.wait(invId, 10 * MINUTE));
    expect(error.message).toContain(
      `Invalidation ${invId} was created, but AWS denied cloudfront:GetInvalidation on ${arn}`,
    );
    expect(error.message).not.toContain('did not complete');
    expect(error.hint).toContain(`Grant the role "cloudfront:GetInvalidation" on "${arn}"`);
    expect(calls('GetInvalidation')).toHaveLength(1);
    expect(clock.now()).toBe(0);
  });

  test('an invalidation that does not exist fails at once', async () => {
    const { id } = cloudfront.addDistribution();
    const error = await rejection(invalidator(id).wait('INOSUCHINVALID', 10 * MINUTE));
    expect(error.message).toContain('Invalidation INOSUCHINVALID of distribution');
    expect(error.message).toContain('does not exist');
  });
});

test('isTransientError: throttling, 5xx and network errors, not client errors', () => {
  const sdkError = (name: string, status: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  expect(isTransientError(sdkError('Throttling', 400))).toBe(true);
  expect(isTransientError(sdkError('InternalFailure', 500))).toBe(true);
  expect(isTransientError(sdkError('ServiceUnavailable', 503))).toBe(true);
  expect(isTransientError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
    true,
  );
  expect(
    isTransientError(new Error('AWS SDK error wrapper for TimeoutError: socket hang up')),
  ).toBe(true);
  expect(isTransientError(sdkError('AccessDenied', 403))).toBe(false);
  expect(isTransientError(sdkError('TooManyInvalidationsInProgress', 400))).toBe(false);
  expect(isTransientError(sdkError('NoSuchDistribution', 404))).toBe(false);
});
