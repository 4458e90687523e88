import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import {
  UserError,
  formatDuration,
  type Clock,
  type Logger,
  type RunProcess,
} from '@deploy-actions/action-kit/engine';
import {
  buildCommand,
  buildxMissingError,
  buildxRequirements,
  type BuildOptions,
} from './build-plan.js';
import { ECR_CALLS } from './calls.js';
import {
  assertDockerAvailable,
  dockerLogin,
  hasBuildx,
  openDockerSession,
  type DockerSession,
} from './docker.js';
import { buildInputsHash } from './build-inputs.js';
import { whyNotReuse, type Fetch } from './image-labels.js';
import { addTags, findImageByTag, type ImageLocation } from './images.js';
import { digestReference, tagReference, type RepositoryTarget } from './reference.js';
import { registryToken } from './registry-token.js';
import { registryDenial, registryDenialMessage, type RegistryStep } from './registry-denied.js';
import { ensureRepository, type RepositorySettings, type RepositoryState } from './repository.js';
import { waitForScan, type ScanOptions, type ScanOutcome } from './scan.js';

export type BuildInputs = Omit<
  BuildOptions,
  'tagReferences' | 'push' | 'repositoryUri' | 'metadataFile'
>;

export interface BuildPushOptions {
  repository: RepositoryTarget;
  repositorySettings: RepositorySettings;
  /** The commit the image is built from: always a tag. */
  sha: string;
  /** Tags beyond the commit SHA. */
  extraTags: readonly string[];
  build: BuildInputs;
  push: boolean;
  skipIfExists: boolean;
  scan: ({ mode: 'wait' } & ScanOptions) | { mode: 'off' };
  /** RUNNER_TEMP: the private docker config and build metadata live here. */
  tempDir: string;
}

export interface BuildPushDeps {
  ecr: ECRClient;
  runProcess: RunProcess;
  logger: Logger;
  region: string;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Reads an existing image's config from the registry (skip-if-exists); global fetch by default. */
  fetch?: Fetch;
}

export interface BuildPushResult {
  /** registry/repository (with push false: the local image name). */
  repositoryUri: string;
  /** The repository's name and registry (account) id as ECR reports them (with push false: as given). */
  repositoryName: string;
  registryId: string;
  repositoryCreated: boolean;
  registry: string;
  /** repositoryUri@sha256:… (empty when nothing was pushed). */
  image: string;
  imageTagUri: string;
  digest: string;
  tags: string[];
  /** True when the commit's image already existed and no build ran. */
  skipped: boolean;
  /** Tags added by manifest copy to an existing image. */
  addedTags: string[];
  builder: 'buildx' | 'classic' | undefined;
  buildMs: number;
  scan: ScanOutcome | undefined;
}

/** push: true — everything: repository, skip-if-exists, build, push, digest, scan gate. */
export async function buildAndPush(
  options: BuildPushOptions,
  deps: BuildPushDeps,
): Promise<BuildPushResult> {
  await assertBuildxWhenNeeded(options.build, deps);
  const repository = await ensureRepository(
    deps.ecr,
    options.repository,
    options.repositorySettings,
    deps,
  );
  const where: ImageLocation = {
    repositoryName: repository.name,
    registryId: repository.registryId,
    region: deps.region,
    repositoryArn: repository.arn,
  };
  const tags = [options.sha, ...options.extraTags.filter((t) => t !== options.sha)];
  const registry = repository.uri.slice(0, repository.uri.indexOf('/'));
  const base = {
    repositoryUri: repository.uri,
    repositoryName: repository.name,
    registryId: repository.registryId,
    repositoryCreated: repository.created,
    registry,
    imageTagUri: tagReference(repository.uri, options.sha),
    tags,
  };

  if (options.skipIfExists) {
    const existing = await findImageByTag(deps.ecr, where, options.sha);
    if (
      existing?.imageDigest &&
      (await mayReuse(options, deps, where, existing.imageDigest, repository, base.imageTagUri))
    ) {
      deps.logger.info(
        `${base.imageTagUri} already exists (${existing.imageDigest}): skipping the build.`,
      );
      const missing = options.extraTags.filter(
        (t) => t !== options.sha && !(existing.imageTags ?? []).includes(t),
      );
      const addedTags = await addTags(
        deps.ecr,
        where,
        { digest: existing.imageDigest },
        missing,
        deps.logger,
      );
      const scan = await scanGate(options, deps, where, existing.imageDigest);
      return {
        ...base,
        image: digestReference(repository.uri, existing.imageDigest),
        digest: existing.imageDigest,
        skipped: true,
        addedTags,
        builder: undefined,
        buildMs: 0,
        scan,
      };
    }
  }

  const docker = await openDockerSession(options.tempDir, deps.env);
  try {
    await assertDockerAvailable(docker, deps.runProcess);
    await loginToEcr(deps, docker, repository);
    const built = await buildWithDocker(options, deps, docker, repository.uri, tags, {
      host: registry,
      repositoryArn: repository.arn,
    });
    const pushed = await findImageByTag(deps.ecr, where, options.sha);
    if (!pushed?.imageDigest) {
      throw new UserError(`The push finished but ECR does not list ${base.imageTagUri}.`, {
        hint: `Check the registry the repository URI points to and the role's ${ECR_CALLS.DescribeImages.actions[0]} permission.`,
      });
    }
    if (built.reportedDigest && built.reportedDigest !== pushed.imageDigest) {
      deps.logger.warning(
        `The builder reported ${built.reportedDigest} but ECR reports ${pushed.imageDigest}; using ECR's.`,
      );
    }
    const scan = await scanGate(options, deps, where, pushed.imageDigest);
    return {
      ...base,
      image: digestReference(repository.uri, pushed.imageDigest),
      digest: pushed.imageDigest,
      skipped: false,
      addedTags: [],
      builder: built.builder,
      buildMs: built.ms,
      scan,
    };
  } finally {
    await docker.close();
  }
}

/**
 * Whether the image tagged with the commit stands for this build: only when
 * its build-inputs label matches. A differing label means build again, which
 * an immutable commit tag forbids (an error, before building). An image whose
 * label is missing or unreadable is rebuilt where the tag may move; under an
 * immutable tag it is reused with a warning (images pushed before the label
 * existed could otherwise never be deployed again).
 */
async function mayReuse(
  options: BuildPushOptions,
  deps: BuildPushDeps,
  where: ImageLocation,
  digest: string,
  repository: RepositoryState,
  imageTagUri: string,
): Promise<boolean> {
  const mismatch = await whyNotReuse(deps.ecr, where, digest, buildInputsHash(options.build), {
    fetch: deps.fetch,
    mask: (secret) => deps.logger.mask(secret),
  });
  if (mismatch === undefined) return true;
  const immutable = repository.tagMutability === 'IMMUTABLE';
  if (immutable && mismatch.differs) {
    throw new UserError(
      `${imageTagUri} already exists but ${mismatch.reason}; the repository's tags are immutable, so it cannot be rebuilt under the commit's tag.`,
      {
        hint: 'Build with the inputs that image was built with, or delete the image (or make the tags mutable) to rebuild it.',
      },
    );
  }
  if (immutable) {
    deps.logger.warning(
      `${imageTagUri} already exists (${digest}) but ${mismatch.reason}; the tags are immutable, so it is reused unverified.`,
    );
    return true;
  }
  deps.logger.info(
    `${imageTagUri} already exists (${digest}) but ${mismatch.reason}: building again.`,
  );
  return false;
}

/**
 * push: false — build and tag locally, with no AWS call at all (no credentials
 * needed): the way to check that a pull request still builds.
 */
export async function buildOnly(
  options: BuildPushOptions,
  deps: LocalBuildDeps,
): Promise<BuildPushResult> {
  await assertBuildxWhenNeeded(options.build, deps);
  const target = options.repository;
  const localName = target.registryHost ? `${target.registryHost}/${target.name}` : target.name;
  const tags = [options.sha, ...options.extraTags.filter((t) => t !== options.sha)];
  const docker = await openDockerSession(options.tempDir, deps.env);
  try {
    await assertDockerAvailable(docker, deps.runProcess);
    const built = await buildWithDocker({ ...options, push: false }, deps, docker, localName, tags);
    return {
      repositoryUri: localName,
      repositoryName: target.name,
      registryId: target.registryId ?? '',
      repositoryCreated: false,
      registry: '',
      image: '',
      imageTagUri: tagReference(localName, options.sha),
      digest: '',
      tags,
      skipped: false,
      addedTags: [],
      builder: built.builder,
      buildMs: built.ms,
      scan: undefined,
    };
  } finally {
    await docker.close();
  }
}

export type LocalBuildDeps = Omit<BuildPushDeps, 'ecr' | 'region'>;

async function buildWithDocker(
  options: BuildPushOptions,
  deps: LocalBuildDeps,
  docker: DockerSession,
  repositoryUri: string,
  tags: string[],
  /** The repository pushed to (absent for a local build): names what a refused push needs. */
  registry?: Pick<RegistryStep, 'host' | 'repositoryArn'>,
): Promise<{ builder: 'buildx' | 'classic'; ms: number; reportedDigest: string | undefined }> {
  const buildx = await hasBuildx(docker.env, deps.runProcess);
  const metadataFile = path.join(docker.configDir, 'build-metadata.json');
  const command = buildCommand(
    {
      ...options.build,
      tagReferences: tags.map((t) => tagReference(repositoryUri, t)),
      push: options.push,
      repositoryUri,
      metadataFile,
    },
    buildx,
  );
  const started = (deps.clock ?? { now: Date.now }).now();
  await runDocker(
    deps,
    docker,
    command.args,
    command.env,
    `docker ${command.builder === 'buildx' ? 'buildx build' : 'build (classic builder)'}`,
    registry && command.builder === 'buildx'
      ? { ...registry, push: options.push, readsLayers: options.build.cache === 'registry' }
      : undefined,
  );
  if (command.builder === 'classic' && options.push) {
    for (const tag of tags) {
      await runDocker(
        deps,
        docker,
        ['push', tagReference(repositoryUri, tag)],
        {},
        `docker push ${tag}`,
        registry && { ...registry, push: true, readsLayers: false },
      );
    }
  }
  const ms = (deps.clock ?? { now: Date.now }).now() - started;
  deps.logger.info(
    `Built${options.push ? ' and pushed' : ''} in ${formatDuration(ms)} with the ${command.builder} builder.`,
  );
  return {
    builder: command.builder,
    ms,
    reportedDigest: buildx ? await readMetadataDigest(metadataFile) : undefined,
  };
}

async function loginToEcr(
  deps: BuildPushDeps,
  docker: DockerSession,
  repository: RepositoryState,
): Promise<void> {
  const { username, password } = await registryToken(
    deps.ecr,
    { registryId: repository.registryId, region: deps.region },
    (secret) => deps.logger.mask(secret),
  );
  const host = repository.uri.slice(0, repository.uri.indexOf('/'));
  await dockerLogin(docker, host, username, password, deps);
}

async function runDocker(
  deps: LocalBuildDeps,
  docker: DockerSession,
  args: string[],
  env: Record<string, string>,
  title: string,
  /** What the step does with the repository, when it talks to it. */
  registry?: RegistryStep,
) {
  const result = await deps.logger.group(title, () =>
    deps.runProcess('docker', args, {
      env: { ...docker.env, ...env },
      onLine: (line) => deps.logger.output(line),
      keepLines: 25,
    }),
  );
  if (result.exitCode !== 0) {
    const tail = result.tail.filter((l) => l.trim() !== '').slice(-15);
    deps.logger.error(tail.join('\n'), { title: `${title} failed (exit ${result.exitCode})` });
    const denial = registry && registryDenial(result.tail, registry);
    if (registry && denial) {
      const { message, hint } = registryDenialMessage(title, result.exitCode, denial, registry);
      throw new UserError(message, { hint });
    }
    throw new UserError(
      `${title} failed with exit code ${result.exitCode}: ${tail.slice(-1)[0] ?? 'no output'}`,
      {
        hint: 'The last lines of its output are in the error annotation above.',
      },
    );
  }
}

async function readMetadataDigest(file: string): Promise<string | undefined> {
  try {
    const metadata = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const digest = metadata['containerimage.digest'];
    return typeof digest === 'string' ? digest : undefined;
  } catch {
    return undefined;
  }
}

async function scanGate(
  options: BuildPushOptions,
  deps: BuildPushDeps,
  where: ImageLocation,
  digest: string,
) {
  if (options.scan.mode === 'off') return undefined;
  return deps.logger.group('image scan', () =>
    waitForScan(deps.ecr, where, digest, options.scan as ScanOptions, {
      logger: deps.logger,
      clock: deps.clock,
    }),
  );
}

/** Fails before any AWS call when the inputs need buildx and the runner has none. */
export async function assertBuildxWhenNeeded(
  build: BuildInputs,
  deps: Pick<BuildPushDeps, 'env' | 'runProcess'>,
): Promise<void> {
  const needs = buildxRequirements(build);
  if (needs.length === 0) return;
  const env = deps.env ?? process.env;
  if (!(await hasBuildx(env, deps.runProcess))) throw buildxMissingError(needs);
}
