/**
 * The build-push-ecr inputs, read and validated in one place so that the
 * action and the root pipeline (which reads them under its own names through
 * readRenamed: `tags` is its `build-tags`) refuse the same things with the
 * same words, before anything touches AWS or docker.
 */
import { InputError, type Inputs } from '@deploy-actions/action-kit/engine';
import { parseBuildSecrets } from './build-secrets.js';
import type { BuildPushOptions } from './build-push.js';
import { parseRepository, validateTag } from './reference.js';
import type { RepositorySettings } from './repository.js';
import type { FailOn } from './scan.js';

/** What the inputs say; the commit and the temp folder come from the run (prepareBuild). */
export type BuildPushInputs = Omit<BuildPushOptions, 'sha' | 'tempDir'>;

/** Whether the run pushes, and the AWS region it runs in. */
export interface BuildPushTarget {
  /** false: build only (build-push-ecr's `push`); the root pipeline always pushes. */
  push: boolean;
  /** A repository URI of another region is refused when pushing. */
  region: string;
}

const MUTABILITY = [
  'MUTABLE',
  'IMMUTABLE',
  'MUTABLE_WITH_EXCLUSION',
  'IMMUTABLE_WITH_EXCLUSION',
] as const;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

/**
 * Reads every build input. `target` is asked right after the repository is
 * read (a bad repository is the first thing reported, before a missing
 * region): the action reads `push` and its AWS inputs there. `mask` receives
 * every build-secret value before any of them is checked.
 */
export function readBuildPushInputs(
  inputs: Inputs,
  target: () => BuildPushTarget,
  mask?: (value: string) => void,
): BuildPushInputs {
  const repository = parseRepository(inputs.required('repository'));
  const { push, region } = target();
  if (push && repository.region && repository.region !== region) {
    throw new InputError(
      'repository',
      inputs.required('repository'),
      `a repository in ${region} (the aws-region), or aws-region: ${repository.region}`,
    );
  }
  const context = inputs.string('context', '.');
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
    extraTags: inputs.list('tags').map((tag) => validateTag('tags', tag)),
    build: {
      context,
      dockerfile: inputs.optional('dockerfile'),
      buildArgs: inputs.map('build-args', {
        keyPattern: ENV_KEY,
        keyDescription: 'names of letters, digits and _',
      }),
      buildSecrets: parseBuildSecrets(inputs.optional('build-secrets'), mask),
      target: inputs.optional('target'),
      labels: inputs.map('labels'),
      platforms: readPlatforms(inputs),
      cache: readCache(inputs, push),
      provenance: inputs.boolean('provenance', false),
    },
    push,
    skipIfExists: inputs.boolean('skip-if-exists', true),
    scan: scanMode === 'off' ? { mode: 'off' } : { mode: 'wait', ...scan },
  };
}

function readCache(inputs: Inputs, push: boolean): 'none' | 'registry' | 'gha' {
  const cache = inputs.choice('cache', ['none', 'registry', 'gha'] as const, 'none');
  if (cache === 'registry' && !push) {
    throw new InputError(
      'cache',
      cache,
      'gha or none when push is false (the registry cache lives in ECR, and a build-only run signs in to nothing)',
    );
  }
  return cache;
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
