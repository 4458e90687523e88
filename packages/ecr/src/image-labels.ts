/**
 * The labels of an image already in ECR: its manifest (BatchGetImage; for an
 * index, the first image it lists) names the config blob, which is read
 * through the registry API with the token of GetAuthorizationToken. ECR's
 * API has no call that returns labels (DescribeImages does not).
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { describeError } from '@deploy-actions/action-kit/engine';
import { BUILD_INPUTS_LABEL } from './build-inputs.js';
import { getManifest, type ImageLocation } from './images.js';
import { registryToken } from './registry-token.js';

export type Fetch = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<Response>;

// A registry that does not answer must not hold the build: the image is then rebuilt.
const READ_TIMEOUT_MS = 30_000;

interface Manifest {
  config?: { digest?: string };
  manifests?: { digest?: string }[];
}

/** The image's config labels; throws when they cannot be read (the caller decides what that means). */
export async function readImageLabels(
  ecr: ECRClient,
  where: ImageLocation,
  digest: string,
  deps: { fetch?: Fetch; mask: (secret: string) => void },
): Promise<Record<string, string>> {
  let manifest = JSON.parse((await getManifest(ecr, where, digest)).body) as Manifest;
  const first = manifest.manifests?.[0]?.digest;
  if (first) manifest = JSON.parse((await getManifest(ecr, where, first)).body) as Manifest;
  const config = manifest.config?.digest;
  if (!config) throw new Error(`the manifest of ${digest} names no config`);
  const auth = await registryToken(ecr, where, deps.mask);
  if (!auth.endpoint) throw new Error('ECR returned no registry endpoint');
  // Real ECR answers with a redirect to S3; fetch drops the authorization header across origins.
  const url = `${auth.endpoint.replace(/\/+$/, '')}/v2/${where.repositoryName}/blobs/${config}`;
  const response = await (deps.fetch ?? fetch)(url, {
    headers: { authorization: `Basic ${auth.token}` },
    signal: AbortSignal.timeout(READ_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`the registry answered ${response.status} for ${config}`);
  const body = (await response.json()) as { config?: { Labels?: Record<string, string> | null } };
  return body.config?.Labels ?? {};
}

/**
 * Why the image already tagged with the commit cannot stand for this build
 * (differs: its label says other inputs); undefined when the label matches.
 */
export async function whyNotReuse(
  ecr: ECRClient,
  where: ImageLocation,
  digest: string,
  expected: string,
  deps: { fetch?: Fetch; mask: (secret: string) => void },
): Promise<{ reason: string; differs: boolean } | undefined> {
  let labels: Record<string, string>;
  try {
    labels = await readImageLabels(ecr, where, digest, deps);
  } catch (error) {
    return { reason: `its labels could not be read (${describeError(error)})`, differs: false };
  }
  const found = labels[BUILD_INPUTS_LABEL];
  if (found === undefined) {
    return { reason: `it has no ${BUILD_INPUTS_LABEL} label to compare with`, differs: false };
  }
  if (found !== expected) {
    const reason = `it was built with other inputs (build-args, target, platforms or dockerfile): its ${BUILD_INPUTS_LABEL} is ${found}, this build's ${expected}`;
    return { reason, differs: true };
  }
  return undefined;
}
