// Following an operation to its end (platform-independent), and the decision
// table that turns the end (or a timeout) into a status and a message.
import { FakeClock, MemoryLogger } from '@deploy-actions/action-kit/engine';
import {
  isThrottling,
  isTransient,
  phaseOf,
  trackOperation,
  verdict,
  type Link,
  type OperationSnapshot,
  type OperationSource,
  type TrackResult,
  type VerdictContext,
} from '@deploy-actions/apprunner';

const snapshot = (status: string, id = 'op-1'): OperationSnapshot => ({
  id,
  type: 'UPDATE_SERVICE',
  status,
  phase: phaseOf(status),
});

/** A source that answers the given statuses in turn (undefined: not listed; Error: thrown). */
function scripted(answers: (string | undefined | Error)[]): OperationSource & { reads: number } {
  const source = {
    reads: 0,
    async read(id: string) {
      const answer = answers[Math.min(source.reads++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer === undefined ? undefined : snapshot(answer, id);
    },
  };
  return source;
}

function throttle(): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });
}

describe('phaseOf', () => {
  test.each([
    ['PENDING', 'pending'],
    ['IN_PROGRESS', 'in-progress'],
    ['ROLLBACK_IN_PROGRESS', 'rolling-back'],
    ['SUCCEEDED', 'succeeded'],
    ['ROLLBACK_SUCCEEDED', 'rolled-back'],
    ['FAILED', 'failed'],
    ['ROLLBACK_FAILED', 'failed'],
    ['SOMETHING_NEW', 'in-progress'],
  ])('%s → %s', (status, phase) => {
    expect(phaseOf(status)).toBe(phase);
  });
});

describe('trackOperation', () => {
  const backoff = { initialMs: 2_000, maxMs: 15_000, random: () => 0.999 };

  test('follows the operation through its statuses to the end, logging each change once', async () => {
    const clock = new FakeClock();
    const logger = new MemoryLogger();
    const source = scripted([
      undefined,
      'PENDING',
      'IN_PROGRESS',
      'IN_PROGRESS',
      'ROLLBACK_IN_PROGRESS',
      'ROLLBACK_SUCCEEDED',
    ]);
    const result = await trackOperation(
      source,
      { operationId: 'op-1', label: 'deployment', deadline: 600_000, backoff },
      { logger, clock },
    );
    expect(result).toMatchObject({ ended: true, polls: 6 });
    expect(result.operation?.status).toBe('ROLLBACK_SUCCEEDED');
    expect(logger.lines.filter((l) => l.startsWith('deployment'))).toEqual([
      'deployment UPDATE_SERVICE op-1: PENDING (2.0s)',
      'deployment UPDATE_SERVICE op-1: IN_PROGRESS (6.0s)',
      'deployment UPDATE_SERVICE op-1: ROLLBACK_IN_PROGRESS (29.0s)',
      'deployment UPDATE_SERVICE op-1: ROLLBACK_SUCCEEDED (44.0s)',
    ]);
  });

  test('waits start fast, grow with full jitter and never exceed the ceiling or go below 1s', async () => {
    const clock = new FakeClock();
    const draws = [0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0, 0.5];
    const source = scripted([...Array(8).fill('IN_PROGRESS'), 'SUCCEEDED']);
    await trackOperation(
      source,
      {
        operationId: 'op-1',
        label: 'deployment',
        deadline: 600_000,
        backoff: { initialMs: 2_000, maxMs: 15_000, random: () => draws.shift() ?? 0.5 },
      },
      { logger: new MemoryLogger(), clock },
    );
    expect(clock.sleeps).toEqual([1998, 3996, 7992, 14985, 14985, 14985, 1000, 7500]);
  });

  test('throttling slows polling down and never ends it', async () => {
    const clock = new FakeClock();
    const logger = new MemoryLogger();
    const source = scripted([
      'IN_PROGRESS',
      throttle(),
      throttle(),
      throttle(),
      'IN_PROGRESS',
      'SUCCEEDED',
    ]);
    const result = await trackOperation(
      source,
      { operationId: 'op-1', label: 'deployment', deadline: 600_000, backoff },
      { logger, clock },
    );
    expect(result).toMatchObject({ ended: true, operation: { status: 'SUCCEEDED' } });
    // After n throttled reads in a row: at least initial·2ⁿ.
    expect(clock.sleeps.slice(1, 4)).toEqual([4000, 8000, 15000]);
    expect(logger.text()).toMatch(/throttled or failed transiently \(ThrottlingException\)/);
  });

  test('an error that is not transient ends tracking with that error', async () => {
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    await expect(
      trackOperation(
        scripted(['IN_PROGRESS', denied]),
        { operationId: 'op-1', label: 'deployment', deadline: 600_000, backoff },
        { logger: new MemoryLogger(), clock: new FakeClock() },
      ),
    ).rejects.toBe(denied);
  });

  test('the deadline ends it with the last status seen, never waiting past it', async () => {
    const clock = new FakeClock();
    const result = await trackOperation(
      scripted(['PENDING', 'IN_PROGRESS']),
      { operationId: 'op-1', label: 'deployment', deadline: 60_000, backoff },
      { logger: new MemoryLogger(), clock },
    );
    expect(result).toMatchObject({ ended: false, operation: { status: 'IN_PROGRESS' } });
    expect(clock.now()).toBe(60_000);
  });

  test('an operation never listed times out without a status', async () => {
    const result = await trackOperation(
      scripted([undefined]),
      { operationId: 'op-1', label: 'deployment', deadline: 10_000, backoff },
      { logger: new MemoryLogger(), clock: new FakeClock() },
    );
    expect(result).toMatchObject({ ended: false, operation: undefined });
  });
});

describe('isTransient / isThrottling', () => {
  const error = (name: string, status?: number, code?: string) =>
    Object.assign(new Error(name), {
      name,
      ...(code && { code }),
      ...(status && { $metadata: { httpStatusCode: status } }),
    });
  test.each([
    [error('ThrottlingException', 400), true, true],
    [error('TooManyRequestsException', 429), true, true],
    [error('InternalServiceErrorException', 500), true, false],
    [error('ServiceUnavailable', 503), true, false],
    [error('Error', undefined, 'ECONNRESET'), true, false],
    [error('InvalidRequestException', 400), false, false],
    [error('InvalidStateException', 400), false, false],
    [error('AccessDeniedException', 403), false, false],
  ])('%s', (e, transient, throttling) => {
    expect([isTransient(e), isThrottling(e)]).toEqual([transient, throttling]);
  });
});

describe('verdict', () => {
  const links: Link[] = [
    { label: 'service log', text: '/aws/apprunner/web-api/abc/service' },
    { label: 'console', text: 'https://console.example/x' },
  ];
  const context = (overrides: Partial<VerdictContext> = {}): VerdictContext => ({
    action: 'update',
    serviceName: 'web-api',
    requestedImage: 'repo:v2',
    liveImage: 'repo:v2',
    liveStatus: 'RUNNING',
    timeoutMs: 1_200_000,
    links,
    causes: { unhealthy: 'UNHEALTHY-CAUSE.', createFailed: 'CREATE-CAUSE.' },
    ...overrides,
  });
  const ended = (status: string, type = 'UPDATE_SERVICE'): TrackResult => ({
    ended: true,
    operation: { ...snapshot(status), type },
    polls: 3,
    elapsedMs: 1000,
  });

  test.each([
    ['SUCCEEDED with the requested image', ended('SUCCEEDED'), {}, 'SUCCEEDED', true],
    [
      'SUCCEEDED but another image serves',
      ended('SUCCEEDED'),
      { liveImage: 'repo:v3' },
      'IMAGE_MISMATCH',
      false,
    ],
    [
      'ROLLBACK_SUCCEEDED',
      ended('ROLLBACK_SUCCEEDED'),
      { liveImage: 'repo:v1' },
      'ROLLBACK_SUCCEEDED',
      false,
    ],
    [
      'ROLLBACK_FAILED',
      ended('ROLLBACK_FAILED'),
      { liveImage: 'repo:v1' },
      'ROLLBACK_FAILED',
      false,
    ],
    ['FAILED update', ended('FAILED'), { liveImage: 'repo:v1' }, 'FAILED', false],
    [
      'FAILED create',
      ended('FAILED', 'CREATE_SERVICE'),
      { action: 'create', liveStatus: 'CREATE_FAILED', liveImage: 'repo:v2' },
      'CREATE_FAILED',
      false,
    ],
    [
      'FAILED rebuild of a CREATE_FAILED service',
      ended('FAILED'),
      { liveStatus: 'CREATE_FAILED' },
      'CREATE_FAILED',
      false,
    ],
    [
      'timeout',
      { ended: false, operation: snapshot('IN_PROGRESS'), polls: 9, elapsedMs: 1_200_000 },
      { liveImage: undefined },
      'TIMED_OUT',
      false,
    ],
  ] as const)('%s → %s', (_, tracked, overrides, status, succeeded) => {
    const result = verdict(tracked as TrackResult, context(overrides));
    expect([result.status, result.succeeded]).toEqual([status, succeeded]);
    if (!succeeded) {
      expect(result.hint).toBeDefined();
      if (status !== 'IMAGE_MISMATCH') {
        expect(result.hint).toContain('/aws/apprunner/web-api/abc/service');
        expect(result.hint).toContain('https://console.example/x');
      }
    }
  });

  test('a rollback names the new image, that it failed its health checks, and the image serving', () => {
    const result = verdict(ended('ROLLBACK_SUCCEEDED'), context({ liveImage: 'repo:v1' }));
    expect(result.message).toBe(
      'The new version (repo:v2) failed its health checks and was rolled back: web-api is serving repo:v1.',
    );
    expect(result.hint).toMatch(/^UNHEALTHY-CAUSE\. Look at service log \/aws\/apprunner/);
  });

  test('a timeout gives the last status and says the operation goes on', () => {
    const result = verdict(
      { ended: false, operation: snapshot('IN_PROGRESS'), polls: 9, elapsedMs: 1 },
      context({ timeoutMs: 300_000 }),
    );
    expect(result.message).toBe(
      'The UPDATE_SERVICE operation op-1 did not finish within 5m 00s: last status IN_PROGRESS. It goes on in the background; this step stopped waiting.',
    );
  });

  test('a failed creation gives the creation causes', () => {
    const result = verdict(
      ended('FAILED', 'CREATE_SERVICE'),
      context({ action: 'create', liveStatus: 'CREATE_FAILED' }),
    );
    expect(result.message).toMatch(/^web-api could not be created/);
    expect(result.hint).toMatch(/^CREATE-CAUSE\./);
  });
});
