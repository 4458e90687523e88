import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { refreshOnExpiredToken, type RefreshingCredentials } from './refreshing.js';
import { SUITE_VERSION } from './version.js';

/** Everything a client needs, resolved once per action run. */
export interface AwsSession {
  region: string;
  /**
   * Undefined: the SDK's default credential chain (env, shared config, web
   * identity, instance role). An assumed role's are a provider that renews them.
   */
  credentials: AwsCredentialIdentity | RefreshingCredentials | undefined;
  /** Total attempts per call, including the first. */
  maxAttempts: number;
  /** The action's name, sent in the user agent. */
  actionName: string;
}

export interface CommonClientConfig {
  region: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts: number;
  retryMode: 'adaptive';
  customUserAgent: [string, string][];
}

/**
 * The one place client options are decided. Adaptive retry mode adds
 * client-side rate limiting on top of standard retries (exponential backoff
 * with jitter), so throttling slows an action down instead of failing it.
 * Endpoints are not set here: the SDK reads AWS_ENDPOINT_URL_<SERVICE> itself.
 */
export function clientConfig(session: AwsSession): CommonClientConfig {
  return {
    region: session.region,
    ...(session.credentials ? { credentials: session.credentials } : {}),
    maxAttempts: session.maxAttempts,
    retryMode: 'adaptive',
    // The SDK escapes parentheses in user-agent tokens, so the action is a token of its own.
    customUserAgent: [
      ['deploy-actions', SUITE_VERSION],
      ['deploy-actions-action', session.actionName],
    ],
  };
}

/** Creates any AWS SDK v3 client with the session's options. */
export function createClient<C>(
  Client: new (config: CommonClientConfig) => C,
  session: AwsSession,
): C {
  const client = new Client(clientConfig(session));
  if (typeof session.credentials === 'function') refreshOnExpiredToken(client, session.credentials);
  return client;
}
