/**
 * Role credentials that outlive the role session: a provider every client of
 * the run shares, which assumes the role again (a new GitHub OIDC token, the
 * same role, session name and duration) when the credentials are within a
 * margin of their expiration, or when AWS has answered ExpiredToken.
 *
 * The provider is marked `memoized`, so the SDK asks it before every request
 * instead of keeping a copy per client: one refresh serves every client, and
 * a refresh forced by ExpiredToken is seen by the very next request.
 */
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  MiddlewareStack,
} from '@aws-sdk/types';
import { systemClock, type Clock, type Logger } from '@deploy-actions/action-kit/engine';
import { errorCode } from './errors.js';

/** Assume again this long before the credentials expire (the SDK's own margin is 5 minutes too). */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** After a failed refresh while the old credentials still work, try again no sooner than this. */
export const REFRESH_RETRY_MS = 60_000;

export interface RefreshingCredentials extends AwsCredentialIdentityProvider {
  /** Tells the SDK not to wrap this provider in a cache of its own. */
  readonly memoized: true;
  /** Assumes the role again now (one refresh at a time; callers during one share it). */
  refresh(reason: string): Promise<AwsCredentialIdentity>;
  /** How many times the role was assumed again. */
  readonly refreshes: number;
}

export interface RefreshOptions {
  /** Assumes the role again; masks what it gets before returning it. */
  renew: () => Promise<AwsCredentialIdentity>;
  logger: Logger;
  clock?: Clock;
  marginMs?: number;
}

export function refreshingCredentials(
  first: AwsCredentialIdentity,
  options: RefreshOptions,
): RefreshingCredentials {
  const clock = options.clock ?? systemClock;
  const marginMs = options.marginMs ?? REFRESH_MARGIN_MS;
  let current = first;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let retryAt = 0;
  let refreshes = 0;

  const refresh = (reason: string): Promise<AwsCredentialIdentity> => {
    pending ??= (async () => {
      options.logger.info(
        `AWS credentials ${reason}: assuming the role again with a new GitHub OIDC token`,
      );
      try {
        current = await options.renew();
        refreshes++;
        retryAt = 0;
        options.logger.info(`AWS credentials renewed${until(current)}`);
        return current;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  const provider = async (): Promise<AwsCredentialIdentity> => {
    const expiresAt = current.expiration?.getTime();
    const now = clock.now();
    if (expiresAt === undefined || expiresAt - now > marginMs) return current;
    if (pending) return pending;
    if (now < retryAt && now < expiresAt) return current;
    try {
      return await refresh(`expire at ${current.expiration!.toISOString()}`);
    } catch (error) {
      // Credentials that still work are better than a failed step; the next request tries again.
      if (clock.now() >= expiresAt) throw error;
      retryAt = clock.now() + REFRESH_RETRY_MS;
      options.logger.warning(
        `Could not renew the AWS credentials (${error instanceof Error ? error.message : String(error)}); using the current ones until ${current.expiration!.toISOString()}`,
      );
      return current;
    }
  };

  return Object.defineProperties(provider, {
    // Writable: the SDK sets it again on whatever provider it is given (a throw in strict code).
    memoized: { value: true, writable: true },
    refresh: { value: refresh },
    refreshes: { get: () => refreshes },
  }) as RefreshingCredentials;
}

function until(credentials: AwsCredentialIdentity): string {
  return credentials.expiration ? `, valid until ${credentials.expiration.toISOString()}` : '';
}

const EXPIRED_CODES = new Set(['ExpiredToken', 'ExpiredTokenException']);

/** The call was refused because the session's credentials had expired. */
export function isExpiredCredentialError(error: unknown): boolean {
  return EXPIRED_CODES.has(errorCode(error) ?? '');
}

interface WithMiddleware {
  middlewareStack: MiddlewareStack<object, object>;
}

/**
 * On ExpiredToken, assume the role again once and repeat the call. Added at
 * the initialize step, so the repeated call resolves its credentials (and is
 * signed) anew.
 */
export function refreshOnExpiredToken(client: unknown, credentials: RefreshingCredentials): void {
  const stack = (client as Partial<WithMiddleware>).middlewareStack;
  if (!stack) return;
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (!isExpiredCredentialError(error)) throw error;
        await credentials.refresh(
          `were refused as expired (${errorCode(error) ?? 'ExpiredToken'})`,
        );
        return next(args);
      }
    },
    { step: 'initialize', name: 'deployActionsRefreshOnExpiredToken' },
  );
}
