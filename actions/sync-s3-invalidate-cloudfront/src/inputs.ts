import path from 'node:path';
import type { Inputs } from '@deploy-actions/action-kit';
import { readAwsInputs, type AwsInputs } from '@deploy-actions/aws';
import { readSyncInputs, type SyncInputs } from '@deploy-actions/s3-sync';

export interface ActionInputs {
  aws: AwsInputs;
  sync: SyncInputs;
}

/**
 * Reads and validates every input before anything touches AWS. The sync
 * inputs are the engine's own reader (readSyncInputs: bucket name rules, the
 * prefix, globs, header rules, numbers and durations), so the root pipeline
 * and this action accept exactly the same values.
 */
export function getInputs(inputs: Inputs, env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const sync = readSyncInputs(inputs);
  const aws = readAwsInputs(inputs, env);
  return { aws, sync: { ...sync, sourceDir: resolveSourceDir(sync.sourceDir, env) } };
}

/** Relative to the workspace, as the runner's other steps see it. */
export function resolveSourceDir(sourceDir: string, env: NodeJS.ProcessEnv): string {
  return path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), sourceDir);
}
