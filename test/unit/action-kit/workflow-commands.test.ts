// Third-party output cannot issue workflow commands: the runner logger stops
// command processing around it with a random token and resumes before any
// line, group, mask or failure of ours.
import { jest } from '@jest/globals';
import { UserError, run, runnerLogger } from '@deploy-actions/action-kit';

let written: string[];
let restore: () => void;

beforeEach(() => {
  written = [];
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      written.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line !== ''),
      );
      return true;
    });
  restore = () => spy.mockRestore();
  process.exitCode = undefined;
});
afterEach(() => {
  restore();
  process.exitCode = undefined;
});

const STOP = /^::stop-commands::([0-9a-f]{32})$/;

test('output lines sit between a stop and its resume; our next line comes after', () => {
  const logger = runnerLogger();
  logger.output('::add-mask::hunter2');
  logger.output('::error file=a.ts::pwned');
  logger.info('ours');
  const token = STOP.exec(written[0]!)?.[1];
  expect(token).toBeDefined();
  expect(written).toEqual([
    `::stop-commands::${token}`,
    '::add-mask::hunter2',
    '::error file=a.ts::pwned',
    `::${token}::`,
    'ours',
  ]);
});

test('each stop has its own token, which the output cannot know', () => {
  const logger = runnerLogger();
  logger.output('a');
  logger.info('b');
  logger.output('c');
  logger.warning('d');
  const tokens = written.filter((line) => STOP.test(line)).map((line) => STOP.exec(line)![1]);
  expect(tokens).toHaveLength(2);
  expect(tokens[0]).not.toBe(tokens[1]);
  expect(written.at(-1)).toBe('::warning::d');
});

test('a group ends with commands on: ::endgroup:: is never swallowed', async () => {
  const logger = runnerLogger();
  await logger.group('Running tool', async () => {
    logger.output('::group::fake');
  });
  const token = STOP.exec(written[1]!)![1];
  expect(written).toEqual([
    '::group::Running tool',
    `::stop-commands::${token}`,
    '::group::fake',
    `::${token}::`,
    '::endgroup::',
  ]);
});

test('masking and a failure after third-party output reach the runner', async () => {
  const logger = runnerLogger();
  await run(async () => {
    logger.output('tool output');
    logger.mask('s3cret');
    logger.output('more output');
    throw new UserError('the migration failed');
  });
  const token = STOP.exec(written.find((line) => STOP.test(line))!)![1];
  expect(written.indexOf(`::${token}::`)).toBeLessThan(written.indexOf('::add-mask::s3cret'));
  expect(written.at(-2)).toMatch(/^::[0-9a-f]{32}::$/);
  expect(written.at(-1)).toBe('::error::the migration failed');
});
