/**
 * The build's local half, done before any AWS call: the commit, the build
 * context (which must exist), the labels every image gets, and docker buildx
 * when an input needs it. build-push-ecr and the root pipeline both call it.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError, type RunProcess } from '@deploy-actions/action-kit/engine';
import { BUILD_INPUTS_LABEL, buildInputsHash } from './build-inputs.js';
import { assertBuildxWhenNeeded, type BuildPushOptions } from './build-push.js';
import type { BuildPushInputs } from './inputs.js';
import { commitSha } from './tags.js';

export interface PrepareBuildDeps {
  /** The runner's environment: GITHUB_SHA (or the pull request's head), GITHUB_WORKSPACE, RUNNER_TEMP. */
  env: NodeJS.ProcessEnv;
  runProcess: RunProcess;
  now?: Date;
}

/** The options buildAndPush (or buildOnly) takes: what the inputs say, plus what the run knows. */
export async function prepareBuild(
  inputs: BuildPushInputs,
  deps: PrepareBuildDeps,
): Promise<BuildPushOptions> {
  const { env } = deps;
  const sha = commitSha(env);
  // Relative to the workspace, as the runner's other steps see it.
  const context = path.resolve(env.GITHUB_WORKSPACE || process.cwd(), inputs.build.context);
  if (!existsSync(context)) {
    throw new UserError(`Input 'context': the folder ${context} does not exist.`);
  }
  const labels = new Map([...ociLabels(sha, env, deps.now ?? new Date()), ...inputs.build.labels]);
  // Set last: skip-if-exists trusts it, so a user label cannot replace it.
  labels.set(BUILD_INPUTS_LABEL, buildInputsHash(inputs.build));
  await assertBuildxWhenNeeded(inputs.build, { env, runProcess: deps.runProcess });
  return {
    ...inputs,
    sha,
    build: { ...inputs.build, context, labels },
    tempDir: env.RUNNER_TEMP ?? tmpdir(),
  };
}

/** OCI labels every image gets, so a running image can be traced to its commit and repository. */
export function ociLabels(sha: string, env: NodeJS.ProcessEnv, now: Date): Map<string, string> {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return new Map([
    ['org.opencontainers.image.revision', sha],
    ['org.opencontainers.image.source', `${server}/${env.GITHUB_REPOSITORY ?? ''}`],
    ['org.opencontainers.image.created', now.toISOString()],
  ]);
}
