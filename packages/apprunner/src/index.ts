// The App Runner deploy engine: plain typed options in, a report out; no GitHub.
export {
  APPRUNNER_CALLS,
  DELEGATED_PERMISSIONS,
  deployPermissions,
  permissionsTable,
} from './calls.js';
export type { AppRunnerCall, AwsPermission } from './calls.js';
export {
  parseServiceTarget,
  assertRoleArn,
  assertAutoScalingArn,
  assertVpcConnectorArn,
  assertSecretReference,
  sameRevisionedArn,
  revisionedName,
  type ServiceTarget,
} from './arns.js';
export { parseImageReference, shortImage, type ImageReference } from './image.js';
export {
  SUPPORTED_SIZES,
  DEFAULT_CPU_UNITS,
  DEFAULT_MEMORY_MB,
  parseCpu,
  parseMemory,
  formatCpu,
  formatMemory,
  isSupportedSize,
  assertSupportedInputSize,
} from './instance-size.js';
export {
  emptySettings,
  type DeployOptions,
  type ServiceSettings,
  type HealthCheckSettings,
  type HealthCheckProtocol,
  type EnvMode,
} from './settings.js';
export {
  createServiceRequest,
  planUpdate,
  applyVariables,
  type UpdatePlan,
} from './service-config.js';
export {
  trackOperation,
  isTerminal,
  DEFAULT_POLL_BACKOFF,
  type OperationPhase,
  type OperationSnapshot,
  type OperationSource,
  type TrackOptions,
  type TrackResult,
} from './track.js';
export { phaseOf, toSnapshot, appRunnerOperations, findRunningOperation } from './operations.js';
export {
  verdict,
  lookAt,
  DeployFailedError,
  type DeployStatus,
  type DeployAction,
  type DeployReport,
  type Link,
  type OperationRef,
  type Verdict,
  type VerdictContext,
} from './outcome.js';
export { logGroups, consoleUrl, logGroupUrl, serviceLinks, APP_RUNNER_CAUSES } from './links.js';
// The suite-wide classifier, still exported here for callers of the engine's old exports.
export { isTransient, isThrottling } from '@deploy-actions/aws';
export { AppRunnerApi, ServiceBusyError, type AppRunnerApiOptions } from './api.js';
export { deployToAppRunner, imageOf, type DeployDeps } from './deploy.js';
export { readDeployInputs, type DeployInputs, type PipelineImage } from './inputs.js';
export {
  DEPLOY_OUTPUTS,
  deployOutputs,
  summarizeDeploy,
  type DeployOutputs,
  type SummaryBlock,
} from './report.js';
