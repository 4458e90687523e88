/**
 * The one shape of an engine's AWS call table, and the one way to make a call
 * of it. A table lists every call an engine sends (keyed by its operation) and
 * every permission AWS checks on the engine's behalf (operation `'*'`); the
 * IAM policies in workflows-examples/iam/ are compared with these tables. A
 * call site names its table entry (`callWith(ECR_CALLS, 'PutImage', …)`), so a
 * call missing from the table is a compile error and its AccessDenied names
 * the entry's IAM action.
 */
import { backoffDelay, type BackoffOptions, type Clock } from '@deploy-actions/action-kit/engine';
import { translateAwsError, type AwsCallContext } from './errors.js';

export interface AwsCall {
  /** The IAM service prefix, e.g. `s3`, `logs`. */
  service: string;
  /**
   * The API operation the engine sends (the SDK command without `Command`,
   * equal to the table key), or `'*'`: no call of the engine's, but a
   * permission AWS checks on its behalf (iam:PassRole during CreateService,
   * KMS used by S3 or ECR as the caller).
   */
  operation: string;
  /** The IAM actions it needs; the first is what AWS authorizes it as, and what an AccessDenied names. */
  actions: readonly [string, ...string[]];
  /** The resource, as an IAM policy Resource with placeholders, or in words. */
  resource: string;
  /** Other resources the same actions are authorized on, in words. */
  alsoOn?: string;
  /** IAM condition keys a policy should set, e.g. `s3:prefix`. */
  conditions?: Readonly<Record<string, string>>;
  /** When the engine needs it. */
  when: string;
}

export type AwsCallTable = Readonly<Record<string, AwsCall>>;

/** An entry's key is its operation, unless it is a delegated permission (`'*'`). */
type KeyedByOperation<T> = {
  [K in keyof T]: T[K] extends { operation: '*' } ? AwsCall : AwsCall & { operation: K };
};

/** The names a call site may use: the table's calls, not its delegated permissions. */
export type CallName<T extends AwsCallTable> = {
  [K in keyof T]: T[K]['operation'] extends '*' ? never : K;
}[keyof T] &
  string;

const CALL_TABLE = Symbol.for('deploy-actions.aws-call-table');

/** Declares a call table: checks its keys by type and marks it, so the IAM test can find it. */
export function defineCalls<const T extends Record<string, AwsCall>>(
  table: T & KeyedByOperation<T>,
): T {
  Object.defineProperty(table, CALL_TABLE, { value: true, enumerable: false });
  return table;
}

export function isCallTable(value: unknown): value is AwsCallTable {
  return typeof value === 'object' && value !== null && CALL_TABLE in value;
}

/** The table's delegated permissions: what AWS checks on the caller's behalf. */
export function delegatedPermissions(table: AwsCallTable): AwsCall[] {
  return Object.values(table).filter((entry) => entry.operation === '*');
}

export interface CallTarget {
  /** The resource ARN or name the call is about; `*` when omitted. */
  resource?: string;
  region?: string;
}

/** The context an error of the call is translated with: the entry's IAM action. */
export function callContext<T extends AwsCallTable>(
  table: T,
  name: CallName<T>,
  target: CallTarget = {},
): AwsCallContext {
  const entry = table[name];
  if (entry === undefined || entry.operation === '*') {
    throw new Error(`${name} is not a call of this table`);
  }
  return {
    action: entry.actions[0],
    ...(target.resource === undefined ? {} : { resource: target.resource }),
    ...(target.region === undefined ? {} : { region: target.region }),
  };
}

/** Trying a call again after an error the SDK's own retries did not outlast. */
export interface CallRetry {
  /** Worth another try: isThrottling for writes (a 5xx write may have been applied), isTransient for reads. */
  retryable: (error: unknown) => boolean;
  /** Clock time after which no other try starts. */
  deadline: number;
  clock: Clock;
  backoff: BackoffOptions;
  random?: () => number;
  onRetry?: (error: unknown, delayMs: number) => void;
}

export interface CallOptions<R> {
  /** Gets the error (after retries): returns a value for an answer the caller expects (e.g. NotFound), or throws. */
  onError?: (error: unknown, context: AwsCallContext) => R | Promise<R>;
  retry?: CallRetry;
}

/**
 * Runs one call of a table. An error is retried while `retry` allows, then
 * goes to `onError` when given, else becomes a UserError naming the entry's
 * IAM action (translateAwsError).
 */
export async function callWith<T extends AwsCallTable, R>(
  table: T,
  name: CallName<T>,
  target: CallTarget,
  fn: () => Promise<R>,
  options: CallOptions<R> = {},
): Promise<R> {
  const context = callContext(table, name, target);
  const { retry, onError } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (retry?.retryable(error)) {
        const delayMs = backoffDelay(attempt, { ...retry.backoff, random: retry.random });
        if (retry.clock.now() + delayMs < retry.deadline) {
          retry.onRetry?.(error, delayMs);
          await retry.clock.sleep(delayMs);
          continue;
        }
      }
      if (onError) return await onError(error, context);
      throw translateAwsError(error, context);
    }
  }
}
