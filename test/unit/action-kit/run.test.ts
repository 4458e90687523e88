// run(): whatever main throws becomes a failed step with one clean line; the
// stack only with RUNNER_DEBUG=1; a user error with a location also becomes an
// annotation at its file and line.
import { jest } from '@jest/globals';
import { InputError, UserError, run } from '@deploy-actions/action-kit';

let written: string[];
let restore: () => void;

beforeEach(() => {
  written = [];
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  restore = () => spy.mockRestore();
  process.exitCode = undefined;
  delete process.env.RUNNER_DEBUG;
});
afterEach(() => {
  restore();
  process.exitCode = undefined;
  delete process.env.RUNNER_DEBUG;
});

const output = () => written.join('');

test.each<[string, unknown, string]>([
  [
    'an input error',
    new InputError('timeout', '5 minutes', 'a duration such as 30s, 5m or 1h'),
    `::error::Input 'timeout': got "5 minutes", expected a duration such as 30s, 5m or 1h.`,
  ],
  [
    'a user error with its hint',
    new UserError('Bucket missing.', { hint: 'Create it first.' }),
    '::error::Bucket missing. Create it first.',
  ],
  [
    'an unexpected error, with its type',
    new TypeError('x is undefined'),
    '::error::TypeError: x is undefined',
  ],
  ['a thrown string', 'plain words', '::error::plain words'],
  ['a thrown object', { status: 502 }, '::error::Non-error thrown: {"status":502}'],
])('%s fails the step with one line', async (_, thrown, line) => {
  await run(async () => {
    throw thrown;
  });
  expect(process.exitCode).toBe(1);
  expect(output().trim().split('\n')).toEqual([line]);
});

test('the stack is printed only with RUNNER_DEBUG=1', async () => {
  await run(async () => {
    throw new Error('boom');
  });
  expect(output()).not.toMatch(/\n\s+at /);
  written = [];
  process.env.RUNNER_DEBUG = '1';
  await run(async () => {
    throw new Error('boom');
  });
  expect(output()).toMatch(/\n\s+at /);
});

test('a located user error becomes an annotation at its file and line', async () => {
  await run(async () => {
    throw new UserError('syntax error at or near "SELEC"', {
      file: 'db/migrations/V2__users.sql',
      line: 7,
    });
  });
  expect(process.exitCode).toBe(1);
  expect(output().trim().split('\n')).toEqual([
    '::error file=db/migrations/V2__users.sql,line=7::syntax error at or near "SELEC"',
  ]);
});

test('success leaves the step green', async () => {
  await run(async () => undefined);
  expect(process.exitCode).toBeUndefined();
  expect(output()).toBe('');
});
