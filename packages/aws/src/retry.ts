/**
 * The one classifier of AWS errors worth another try, for every engine:
 * throttling (the call was not applied, so repeating it is always safe) and
 * transient failures (5xx, dropped connections), which only reads and
 * idempotent writes may repeat.
 */
import { UserError } from '@deploy-actions/action-kit/engine';
import { errorCode } from './errors.js';

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'TimeoutError',
  'RequestTimeout',
]);

/**
 * What the SDK's retry middleware makes of a thrown value that is not an
 * `Error` of its own realm (as under a test runner's VM context): name and
 * code are lost, only `AWS SDK error wrapper for <String(error)>` is left.
 */
const WRAPPED_NETWORK_ERROR =
  /^AWS SDK error wrapper for (?:TimeoutError|Error): (?:socket hang up|read ECONNRESET|write EPIPE|connect ECONNREFUSED)/;

/** The service asked us to slow down: the call was not applied, so repeating it is always safe. */
export function isThrottling(error: unknown): boolean {
  const code = errorCode(unwrapAwsError(error));
  return code !== undefined && THROTTLING.has(code);
}

/**
 * Errors that say "not now" rather than "no": throttling, 5xx answers the
 * SDK's retries did not outlast, and dropped connections.
 */
export function isTransient(error: unknown): boolean {
  const inner = unwrapAwsError(error);
  if (isThrottling(inner)) return true;
  const code = errorCode(inner);
  const raw = (inner as { code?: unknown } | null | undefined)?.code;
  if ((code !== undefined && NETWORK.has(code)) || (typeof raw === 'string' && NETWORK.has(raw))) {
    return true;
  }
  const meta = inner as { $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return (
    (meta?.$metadata?.httpStatusCode ?? 0) >= 500 ||
    meta?.$fault === 'server' ||
    (inner instanceof Error && WRAPPED_NETWORK_ERROR.test(inner.message))
  );
}

/** translateAwsError wraps SDK errors in a UserError; the SDK error is its cause. */
export function unwrapAwsError(error: unknown): unknown {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return error instanceof UserError && cause !== undefined ? cause : error;
}
