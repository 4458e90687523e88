/**
 * What makes two builds of one commit the same image: the build's inputs
 * (build-args, target, platforms, Dockerfile path) as a sha256 of a canonical
 * JSON form, set as a label on every image so skip-if-exists reuses an image
 * only when it was built the same way. Secret values never enter it.
 */
import { createHash } from 'node:crypto';
import type { BuildOptions } from './build-plan.js';

export const BUILD_INPUTS_LABEL = 'org.deploy-actions.build-inputs';

export type HashedBuildInputs = Pick<
  BuildOptions,
  'buildArgs' | 'target' | 'platforms' | 'dockerfile'
>;

/** The canonical JSON: sorted keys and args, platforms as a sorted set, absent as null. */
export function canonicalBuildInputs(build: HashedBuildInputs): string {
  const byKey = ([a]: [string, string], [b]: [string, string]) => (a < b ? -1 : a > b ? 1 : 0);
  return JSON.stringify({
    buildArgs: [...build.buildArgs].sort(byKey),
    dockerfile: build.dockerfile ?? null,
    platforms: [...new Set(build.platforms)].sort(),
    target: build.target ?? null,
    v: 1,
  });
}

/** `sha256:<hex>` of the canonical JSON: the label's value. */
export function buildInputsHash(build: HashedBuildInputs): string {
  return `sha256:${createHash('sha256').update(canonicalBuildInputs(build)).digest('hex')}`;
}
