import { UserError } from '@deploy-actions/action-kit/engine';

export type CacheMode = 'registry' | 'gha' | 'none';

export interface BuildOptions {
  context: string;
  dockerfile: string | undefined;
  buildArgs: ReadonlyMap<string, string>;
  /** id -> value; passed as BuildKit secrets through the environment, never on the command line. */
  buildSecrets: ReadonlyMap<string, string>;
  target: string | undefined;
  labels: ReadonlyMap<string, string>;
  platforms: readonly string[];
  cache: CacheMode;
  provenance: boolean;
  /** Every reference to tag the built image with (repositoryUri:tag). */
  tagReferences: readonly string[];
  /** With buildx, push straight from the builder; the classic builder pushes afterwards. */
  push: boolean;
  /** repositoryUri, for the registry cache reference. */
  repositoryUri: string;
  /** Where buildx writes the image digest (--metadata-file). */
  metadataFile: string;
}

export interface BuildCommand {
  args: string[];
  /** Extra environment for the build process (secret values travel here). */
  env: Record<string, string>;
  builder: 'buildx' | 'classic';
}

/** The env variable that carries one build secret to `--secret id=…,env=…`. */
export function secretEnvName(id: string): string {
  return `DEPLOY_ACTIONS_BUILD_SECRET_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The docker command line for a build, as an argument list. With buildx the
 * image is pushed by the builder itself (one upload, digest in the metadata
 * file); the classic builder only builds and tags, and the caller pushes.
 */
export function buildCommand(options: BuildOptions, hasBuildx: boolean): BuildCommand {
  if (!hasBuildx) return classicBuild(options);
  return buildxBuild(options);
}

function commonArgs(options: BuildOptions): string[] {
  const args: string[] = [];
  if (options.dockerfile) args.push('--file', options.dockerfile);
  if (options.target) args.push('--target', options.target);
  for (const [key, value] of options.buildArgs) args.push('--build-arg', `${key}=${value}`);
  for (const [key, value] of options.labels) args.push('--label', `${key}=${value}`);
  for (const reference of options.tagReferences) args.push('--tag', reference);
  return args;
}

function buildxBuild(options: BuildOptions): BuildCommand {
  const args = ['buildx', 'build', ...commonArgs(options)];
  const env: Record<string, string> = {};
  for (const [id, value] of options.buildSecrets) {
    const name = secretEnvName(id);
    env[name] = value;
    args.push('--secret', `id=${id},env=${name}`);
  }
  if (options.platforms.length > 0) args.push('--platform', options.platforms.join(','));
  args.push(...cacheArgs(options));
  // Attestations turn a single-platform push into an index, which App Runner and basic scanning reject.
  args.push(`--provenance=${options.provenance}`, `--sbom=${options.provenance}`);
  args.push('--metadata-file', options.metadataFile);
  args.push(options.push ? '--push' : '--load');
  args.push(options.context);
  return { args, env, builder: 'buildx' };
}

function cacheArgs(options: BuildOptions): string[] {
  switch (options.cache) {
    case 'registry': {
      const ref = `${options.repositoryUri}:buildcache`;
      // ECR accepts cache manifests only as OCI image manifests, not BuildKit's default index.
      return [
        '--cache-from',
        `type=registry,ref=${ref}`,
        '--cache-to',
        `type=registry,ref=${ref},mode=max,image-manifest=true,oci-mediatypes=true`,
      ];
    }
    case 'gha':
      return ['--cache-from', 'type=gha', '--cache-to', 'type=gha,mode=max'];
    case 'none':
      return [];
  }
}

/** What in these options only buildx (BuildKit) can do; empty when the classic builder will do. */
export function buildxRequirements(
  options: Pick<BuildOptions, 'platforms' | 'buildSecrets' | 'cache'>,
): string[] {
  const needs: string[] = [];
  if (options.platforms.length > 0) needs.push(`platforms (${options.platforms.join(',')})`);
  if (options.buildSecrets.size > 0) needs.push('build-secrets');
  if (options.cache !== 'none') needs.push(`cache: ${options.cache}`);
  return needs;
}

export function buildxMissingError(needs: readonly string[]): UserError {
  return new UserError(
    `${needs.join(', ')} ${needs.length > 1 ? 'need' : 'needs'} docker buildx, which this runner does not have.`,
    {
      hint: 'Add docker/setup-buildx-action before this step, or remove those inputs. Secrets are never passed as build args.',
    },
  );
}

function classicBuild(options: BuildOptions): BuildCommand {
  const needs = buildxRequirements(options);
  if (needs.length > 0) throw buildxMissingError(needs);
  return {
    args: ['build', ...commonArgs(options), options.context],
    env: { DOCKER_BUILDKIT: '0' },
    builder: 'classic',
  };
}
