export { SUITE_VERSION } from './version.js';
export { resolveRegion } from './region.js';
export { translateAwsError, callAws, errorCode, type AwsCallContext } from './errors.js';
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
