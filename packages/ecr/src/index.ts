export {
  parseRepository,
  validateTag,
  digestReference,
  tagReference,
  type RepositoryTarget,
} from './reference.js';
export { commitSha, imageTags } from './tags.js';
export {
  buildCommand,
  secretEnvName,
  type BuildOptions,
  type BuildCommand,
  type CacheMode,
} from './build-plan.js';
export {
  ensureRepository,
  lifecyclePolicy,
  createRequest,
  type RepositorySettings,
  type RepositoryState,
} from './repository.js';
export { addTags, findImageByTag, type ImageLocation } from './images.js';
export {
  waitForScan,
  judge,
  isBlocking,
  SEVERITIES,
  type Severity,
  type FailOn,
  type Finding,
  type ScanOptions,
  type ScanOutcome,
} from './scan.js';
export { openDockerSession, hasBuildx, type DockerSession } from './docker.js';
export {
  ECR_CALLS,
  ECR_REGISTRY_PERMISSIONS,
  type EcrCall,
  type EcrOperation,
  type RegistryPermission,
} from './calls.js';
export {
  registryDenial,
  registryDenialMessage,
  type RegistryDenial,
  type RegistryStep,
} from './registry-denied.js';
export {
  assertBuildxWhenNeeded,
  buildAndPush,
  buildOnly,
  type LocalBuildDeps,
  type BuildPushOptions,
  type BuildPushDeps,
  type BuildPushResult,
  type BuildInputs,
} from './build-push.js';
export { readBuildPushInputs, type BuildPushInputs, type BuildPushTarget } from './inputs.js';
export { parseBuildSecrets } from './build-secrets.js';
export { BUILD_INPUTS_LABEL, buildInputsHash, canonicalBuildInputs } from './build-inputs.js';
export { readImageLabels, type Fetch } from './image-labels.js';
export { prepareBuild, ociLabels, type PrepareBuildDeps } from './prepare.js';
export {
  buildPushOutputs,
  BUILD_PUSH_OUTPUTS,
  summarizeBuildPush,
  type BuildPushOutputs,
  type SummaryBlock,
} from './report.js';
export { enforceScanGate, blockingFindingsError } from './findings-gate.js';
