// jest globalSetup of the e2e tests, the demo and the benchmarks: provisions the system parts
// (tools/provision) before any test file runs and hands the result to the workers in
// DEPLOY_ACTIONS_PARTS, where test/support/requires-environment.mjs skips the files whose
// `@needs` parts are not ready. Which parts: the project's testEnvironmentOptions.parts
// (default: all). Under CI a part that is not ready fails the run instead.
import { PART_NAMES, STATUS_ENV, ciFailure, provision } from '../../tools/provision/index.mjs';

export default async function provisionParts(_globalConfig, projectConfig) {
  const names = projectConfig?.testEnvironmentOptions?.parts ?? PART_NAMES;
  const status = await provision(names);
  const failure = ciFailure(status);
  if (failure) throw new Error(failure);
  // Workers start after globalSetup and inherit this environment.
  process.env[STATUS_ENV] = JSON.stringify(status);
}
