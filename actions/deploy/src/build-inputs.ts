import { InputError, type Inputs } from '@deploy-actions/action-kit';
import {
  parseRepository,
  validateTag,
  type BuildPushOptions,
  type FailOn,
  type RepositorySettings,
} from '@deploy-actions/ecr';

/**
 * The build stage's inputs, as build-push-ecr reads them, except: `tags` is
 * `image-tags` (the App Runner stage has tags of its own), and there is no
 * `push` (the pipeline deploys what it pushed; a build-only check is
 * build-push-ecr's job).
 */
export type BuildStageInputs = Omit<BuildPushOptions, 'sha' | 'tempDir'>;

const MUTABILITY = [
  'MUTABLE',
  'IMMUTABLE',
  'MUTABLE_WITH_EXCLUSION',
  'IMMUTABLE_WITH_EXCLUSION',
] as const;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

export function readBuildStage(inputs: Inputs, region: string): BuildStageInputs {
  const repository = parseRepository(inputs.required('repository'));
  if (repository.region && repository.region !== region) {
    throw new InputError(
      'repository',
      inputs.required('repository'),
      `a repository in ${region} (the aws-region), or aws-region: ${repository.region}`,
    );
  }
  const scanMode = inputs.choice('scan', ['wait', 'off'] as const, 'wait');
  const scan = {
    failOn: inputs.choice(
      'fail-on-severity',
      ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'none'] as const,
      'CRITICAL',
    ) as FailOn,
    ignore: new Set(inputs.list('ignore-vulnerabilities')),
    timeoutMs: inputs.duration('scan-timeout', { fallback: '5m', minMs: 1_000, maxMs: 3_600_000 }),
    startScan: true,
  };
  return {
    repository,
    repositorySettings: readRepositorySettings(inputs),
    extraTags: inputs.list('image-tags').map((tag) => validateTag('image-tags', tag)),
    build: {
      context: inputs.string('context', '.'),
      dockerfile: inputs.optional('dockerfile'),
      buildArgs: inputs.map('build-args', {
        keyPattern: ENV_KEY,
        keyDescription: 'names of letters, digits and _',
      }),
      buildSecrets: inputs.map('build-secrets', {
        keyPattern: SECRET_ID,
        keyDescription: 'ids of letters, digits, _ . -',
      }),
      target: inputs.optional('target'),
      labels: inputs.map('labels'),
      platforms: readPlatforms(inputs),
      cache: inputs.choice('cache', ['none', 'registry', 'gha'] as const, 'none'),
      provenance: inputs.boolean('provenance', false),
    },
    push: true,
    skipIfExists: inputs.boolean('skip-if-exists', true),
    scan: scanMode === 'off' ? { mode: 'off' } : { mode: 'wait', ...scan },
  };
}

function readRepositorySettings(inputs: Inputs): RepositorySettings {
  const tagMutability = inputs.choice('tag-mutability', MUTABILITY, 'IMMUTABLE');
  const exclusions = inputs.list('tag-mutability-exclusions');
  if (tagMutability.endsWith('_WITH_EXCLUSION') && exclusions.length === 0) {
    throw new InputError(
      'tag-mutability-exclusions',
      '',
      `wildcard filters (e.g. latest) with tag-mutability ${tagMutability}`,
    );
  }
  if (!tagMutability.endsWith('_WITH_EXCLUSION') && exclusions.length > 0) {
    throw new InputError(
      'tag-mutability-exclusions',
      exclusions.join(','),
      'nothing unless tag-mutability is MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION',
    );
  }
  const keep = inputs.optional('lifecycle-keep-images');
  return {
    createIfMissing: inputs.boolean('create-repository', true),
    scanOnPush: inputs.boolean('scan-on-push', true),
    tagMutability,
    tagMutabilityExclusions: exclusions,
    encryption: readEncryption(inputs),
    lifecycleKeepImages:
      keep === undefined
        ? undefined
        : inputs.integer('lifecycle-keep-images', { min: 1, max: 10_000 }),
  };
}

function readEncryption(inputs: Inputs): RepositorySettings['encryption'] {
  const value = inputs.string('encryption', 'AES256');
  if (/^aes256$/i.test(value)) return { type: 'AES256' };
  if (/^kms$/i.test(value)) return { type: 'KMS', kmsKey: undefined };
  const key = /^kms:(.+)$/i.exec(value)?.[1];
  if (key) return { type: 'KMS', kmsKey: key };
  throw new InputError('encryption', value, 'AES256, KMS or kms:<key ARN or id>');
}

function readPlatforms(inputs: Inputs): string[] {
  const platforms = inputs.list('platforms');
  for (const platform of platforms) {
    if (!PLATFORM.test(platform)) {
      throw new InputError(
        'platforms',
        platform,
        'os/arch[/variant] such as linux/amd64 or linux/arm64',
      );
    }
  }
  return platforms;
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
