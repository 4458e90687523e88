// The one retry classifier every engine uses: it accepts every code any
// engine's own classifier accepted before (App Runner's and CloudFront's).
import { UserError } from '@deploy-actions/action-kit/engine';
import { isThrottling, isTransient, translateAwsError, unwrapAwsError } from '@deploy-actions/aws';

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
    ...extra,
  });
const networkError = (code: string) => Object.assign(new Error(`socket: ${code}`), { code });

describe('isTransient / isThrottling', () => {
  test.each([
    // throttling: transient and throttling
    [sdkError('Throttling', 400), true, true],
    [sdkError('ThrottlingException', 400), true, true],
    [sdkError('TooManyRequestsException', 429), true, true],
    [sdkError('RequestLimitExceeded', 400), true, true],
    [sdkError('RequestThrottled', 400), true, true],
    [sdkError('RequestThrottledException', 400), true, true],
    [sdkError('SlowDown', 503), true, true],
    // 5xx and server faults
    [sdkError('InternalFailure', 500), true, false],
    [sdkError('InternalServiceErrorException', 500), true, false],
    [sdkError('ServiceUnavailable', 503), true, false],
    [sdkError('SomethingNew', undefined, { $fault: 'server' }), true, false],
    // dropped connections, by code or by name
    [networkError('ECONNRESET'), true, false],
    [networkError('ECONNREFUSED'), true, false],
    [networkError('EPIPE'), true, false],
    [networkError('ETIMEDOUT'), true, false],
    [networkError('EAI_AGAIN'), true, false],
    [sdkError('TimeoutError'), true, false],
    [sdkError('RequestTimeout', 400), true, false],
    [new Error('AWS SDK error wrapper for TimeoutError: socket hang up'), true, false],
    [new Error('AWS SDK error wrapper for Error: read ECONNRESET'), true, false],
    // answers that say "no"
    [sdkError('AccessDenied', 403), false, false],
    [sdkError('AccessDeniedException', 403), false, false],
    [sdkError('InvalidRequestException', 400), false, false],
    [sdkError('InvalidStateException', 400), false, false],
    [sdkError('TooManyInvalidationsInProgress', 400), false, false],
    [sdkError('NoSuchDistribution', 404), false, false],
    [sdkError('ResourceNotFoundException', 400), false, false],
    [new Error('AWS SDK error wrapper for Error: something else'), false, false],
    [undefined, false, false],
    ['text', false, false],
  ])('%p → transient %p, throttling %p', (error, transient, throttling) => {
    expect([isTransient(error), isThrottling(error)]).toEqual([transient, throttling]);
  });

  test('an SDK error already translated into a UserError is judged by its cause', () => {
    const throttled = translateAwsError(sdkError('ThrottlingException', 400), { action: 'x:Y' });
    expect(throttled).toBeInstanceOf(UserError);
    expect([isTransient(throttled), isThrottling(throttled)]).toEqual([true, true]);
    const denied = translateAwsError(sdkError('AccessDenied', 403), { action: 'x:Y' });
    expect([isTransient(denied), isThrottling(denied)]).toEqual([false, false]);
    expect(unwrapAwsError(denied)).toMatchObject({ name: 'AccessDenied' });
    const plain = new UserError('no cause');
    expect(unwrapAwsError(plain)).toBe(plain);
  });
});
