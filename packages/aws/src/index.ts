export { SUITE_VERSION } from './version.js';
export { resolveRegion } from './region.js';
export { translateAwsError, errorCode, type AwsCallContext } from './errors.js';
export {
  defineCalls,
  isCallTable,
  delegatedPermissions,
  callContext,
  callWith,
  type AwsCall,
  type AwsCallTable,
  type CallName,
  type CallTarget,
  type CallOptions,
  type CallRetry,
} from './calls.js';
export { isThrottling, isTransient, unwrapAwsError } from './retry.js';
export { clientConfig, createClient, type AwsSession, type CommonClientConfig } from './clients.js';
export {
  resolveCredentials,
  isRoleArn,
  defaultSessionName,
  sanitiseSessionName,
  OIDC_AUDIENCE,
  type RoleOptions,
  type CredentialDeps,
} from './credentials.js';
export { readAwsInputs, openAwsSession, type AwsInputs } from './session.js';
export {
  refreshingCredentials,
  refreshOnExpiredToken,
  isExpiredCredentialError,
  REFRESH_MARGIN_MS,
  type RefreshingCredentials,
  type RefreshOptions,
} from './refreshing.js';
