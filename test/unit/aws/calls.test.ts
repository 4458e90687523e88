// The call table type and its helper: a table is keyed by operation (checked
// by type), a call names its entry, and its errors name the entry's IAM action.
import { UserError, type Clock } from '@deploy-actions/action-kit/engine';
import {
  callContext,
  callWith,
  defineCalls,
  delegatedPermissions,
  isCallTable,
  type CallName,
} from '@deploy-actions/aws';

const TABLE = defineCalls({
  PutImage: {
    service: 'ecr',
    operation: 'PutImage',
    actions: ['ecr:PutImage'],
    resource: 'arn:aws:ecr:{region}:{account}:repository/{repository}',
    when: 'tagging',
  },
  CopyObject: {
    service: 's3',
    operation: 'CopyObject',
    actions: ['s3:PutObject', 's3:GetObject'],
    resource: 'arn:aws:s3:::{bucket}/*',
    when: 'copies',
  },
  PassRole: {
    service: 'iam',
    operation: '*',
    actions: ['iam:PassRole'],
    resource: 'arn:aws:iam::{account}:role/{role}',
    when: 'AWS checks it for us',
  },
});

const denied = () => Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });

test('a table is recognisable, and its delegated permissions are the `*` entries', () => {
  expect(isCallTable(TABLE)).toBe(true);
  expect(isCallTable({ ...TABLE })).toBe(false);
  expect(Object.keys(TABLE)).toEqual(['PutImage', 'CopyObject', 'PassRole']);
  expect(delegatedPermissions(TABLE)).toEqual([TABLE.PassRole]);
});

test('keys must be operations, and only calls can be called (type level)', () => {
  const entry = { service: 'ecr', actions: ['ecr:PutImage'], resource: '*', when: '' } as const;
  // prettier-ignore
  // @ts-expect-error: a call's key is its operation
  expect(() => defineCalls({ Put: { ...entry, operation: 'PutImage' } })).not.toThrow();
  // prettier-ignore
  // @ts-expect-error: an entry needs at least one IAM action
  expect(() => defineCalls({ PutImage: { ...entry, operation: 'PutImage', actions: [] } })).not.toThrow();
  const names: CallName<typeof TABLE>[] = ['PutImage', 'CopyObject'];
  // @ts-expect-error: a delegated permission is no call
  const delegated: CallName<typeof TABLE> = 'PassRole';
  expect([names, delegated]).toBeDefined();
  expect(() => callContext(TABLE, 'PassRole' as CallName<typeof TABLE>)).toThrow(
    'PassRole is not a call of this table',
  );
});

test("an AccessDenied names the entry's first IAM action and the resource", async () => {
  const error = await callWith(
    TABLE,
    'CopyObject',
    { resource: 'arn:aws:s3:::b/k', region: 'eu-west-1' },
    () => Promise.reject(denied()),
  ).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toBe('AWS denied s3:PutObject on arn:aws:s3:::b/k: not allowed');
  expect(callContext(TABLE, 'PutImage')).toEqual({ action: 'ecr:PutImage' });
});

test('onError gets the raw error and the context: it may answer a value or throw', async () => {
  const seen: unknown[] = [];
  const value = await callWith(
    TABLE,
    'PutImage',
    { resource: 'r' },
    (): Promise<string> => Promise.reject(Object.assign(new Error('gone'), { name: 'NotThere' })),
    {
      onError: (error, context) => {
        seen.push((error as Error).name, context);
        return 'fallback';
      },
    },
  );
  expect(value).toBe('fallback');
  expect(seen).toEqual(['NotThere', { action: 'ecr:PutImage', resource: 'r' }]);
  await expect(callWith(TABLE, 'PutImage', {}, () => Promise.resolve(7))).resolves.toBe(7);
});

describe('retry', () => {
  const clock = (): Clock & { slept: number[] } => {
    let now = 0;
    const slept: number[] = [];
    return {
      slept,
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
    } as Clock & { slept: number[] };
  };
  const throttled = () => Object.assign(new Error('slow down'), { name: 'ThrottlingException' });

  test('retries what the classifier accepts until it succeeds, reporting each wait', async () => {
    const c = clock();
    const retried: number[] = [];
    let attempts = 0;
    const result = await callWith(
      TABLE,
      'PutImage',
      {},
      async () => {
        attempts++;
        if (attempts < 3) throw throttled();
        return 'ok';
      },
      {
        retry: {
          retryable: (e) => (e as Error).name === 'ThrottlingException',
          deadline: 60_000,
          clock: c,
          backoff: { initialMs: 1_000, maxMs: 4_000 },
          random: () => 0.5,
          onRetry: (_error, delayMs) => retried.push(delayMs),
        },
      },
    );
    expect(result).toBe('ok');
    expect(retried).toEqual([500, 1_000]);
    expect(c.slept).toEqual([500, 1_000]);
  });

  test('stops at the deadline, and never retries what the classifier refuses', async () => {
    const c = clock();
    let attempts = 0;
    const retry = {
      retryable: (e: unknown) => (e as Error).name === 'ThrottlingException',
      deadline: 2_000,
      clock: c,
      backoff: { initialMs: 1_000, maxMs: 1_000 },
      random: () => 0.9,
    };
    const late = await callWith(
      TABLE,
      'PutImage',
      {},
      () => {
        attempts++;
        return Promise.reject(throttled());
      },
      { retry },
    ).catch((e: unknown) => e);
    expect((late as Error).message).toContain('ecr:PutImage');
    expect(attempts).toBe(3); // waits of 900 ms: 0 → 900 → 1,800; the next would pass 2,000
    attempts = 0;
    await expect(
      callWith(
        TABLE,
        'PutImage',
        {},
        () => {
          attempts++;
          return Promise.reject(denied());
        },
        { retry },
      ),
    ).rejects.toThrow('AWS denied ecr:PutImage');
    expect(attempts).toBe(1);
  });
});
