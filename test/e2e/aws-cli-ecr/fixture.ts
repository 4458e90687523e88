// What the ECR CLI fidelity rows share: the real registry behind the simulator's ECR, the images
// pushed into it on first use, and helpers for the rows' arguments and checks.
import {
  CLI_REGION,
  type CliFixture,
  type CliRun,
  type CliRow,
  type CliServices,
} from '../../support/aws-cli.js';
import { createEcrService, type EcrSimulator } from '../../../tools/aws-sim/services/ecr.js';
import { startRegistry, type Registry } from '../../../tools/services/docker.js';
import { RegistryClient } from '../../../tools/services/registry-client.js';
import { pushImage } from './registry-push.js';

export const ACCOUNT = '123456789012';
export const KMS_KEY = `arn:aws:kms:${CLI_REGION}:${ACCOUNT}:key/0c1a5e7e-ecr0-cli0-test-000000000001`;
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface PushedImage {
  digest: string;
  /** The manifest exactly as stored (its sha256 is the digest). */
  body: string;
  mediaType: string;
  /** Config plus layer sizes, as the manifest records them. */
  size: number;
}

export interface EcrState {
  registry: Registry;
  images: RegistryClient;
  ecr: EcrSimulator;
  /** Pushes (once) the images the rows use; resolves to them. */
  pushed(): Promise<Record<'app' | 'oci' | 'locked' | 'lockedOther', PushedImage>>;
}

export type F = CliFixture<EcrState>;
export type Row = CliRow<EcrState>;

/** The image a row needs, pushed on first use. */
export const image = async (f: F, name: 'app' | 'oci' | 'locked' | 'lockedOther') =>
  (await f.state.pushed())[name];

export const LIFECYCLE_POLICY = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'expire untagged images',
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 1,
      },
      action: { type: 'expire' },
    },
  ],
});

/** Parameters of the calls to `operation` the current row made (pagination shows here). */
/** The parameters of each `operation` call the row's CLI process made: one per page. */
export function pagesOf(run: CliRun, operation: string): unknown[] {
  return (run.requests ?? []).filter((e) => e.operation === operation).map((e) => e.params);
}

export const FOREIGN_LAYER = `sha256:${'f'.repeat(64)}`;

/** The manifest with its layer swapped for one no repository holds. */
export function foreignManifest(body: string): string {
  const manifest = JSON.parse(body) as { layers: Array<{ digest: string }> };
  manifest.layers[0]!.digest = FOREIGN_LAYER;
  return JSON.stringify(manifest);
}

/** Images already pushed (rows' `args` are synchronous; their `arrange` pushed them). */
export let pushedImages: Awaited<ReturnType<EcrState['pushed']>> | undefined;
export function pushedNow(_f: F): NonNullable<typeof pushedImages> {
  if (!pushedImages) throw new Error('this row needs `arrange: (f) => f.state.pushed()`');
  return pushedImages;
}

/** The registry and the simulator's ECR for the test file; the images are pushed on first use. */
export async function ecrServices(): Promise<CliServices<EcrState>> {
  const registry = await startRegistry();
  const ecr = createEcrService(registry);
  const images = new RegistryClient(registry);
  let pushing: ReturnType<EcrState['pushed']> | undefined;
  const pushed = () =>
    (pushing ??= (async () => {
      const app = await pushImage(registry, 'cli/app', ['v1', 'latest'], 'docker', 'app');
      const oci = await pushImage(registry, 'cli/app', ['oci'], 'oci', 'oci');
      const locked = await pushImage(registry, 'cli/locked', ['release'], 'docker', 'locked');
      const lockedOther = await pushImage(registry, 'cli/locked', ['other'], 'docker', 'other');
      pushedImages = { app, oci, locked, lockedOther };
      return pushedImages;
    })());
  return {
    services: [ecr],
    state: { registry, images, ecr, pushed },
    close: () => registry.close(),
  };
}
