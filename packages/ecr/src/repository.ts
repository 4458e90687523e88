import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  PutLifecyclePolicyCommand,
  type ECRClient,
  type ImageTagMutability,
  type Repository,
} from '@aws-sdk/client-ecr';
import { UserError, type Logger } from '@deploy-actions/action-kit/engine';
import { callWith, errorCode, translateAwsError } from '@deploy-actions/aws';
import { ECR_CALLS } from './calls.js';
import type { RepositoryTarget } from './reference.js';

export interface RepositorySettings {
  createIfMissing: boolean;
  scanOnPush: boolean;
  tagMutability: ImageTagMutability;
  /** Wildcard filters for the *_WITH_EXCLUSION mutability forms. */
  tagMutabilityExclusions: readonly string[];
  encryption: { type: 'AES256' } | { type: 'KMS'; kmsKey: string | undefined };
  /** Keep the newest N images and expire untagged ones; undefined for no lifecycle policy. */
  lifecycleKeepImages: number | undefined;
}

export interface RepositoryState {
  name: string;
  uri: string;
  registryId: string;
  arn: string;
  created: boolean;
  tagMutability: string;
}

export async function ensureRepository(
  ecr: ECRClient,
  target: RepositoryTarget,
  settings: RepositorySettings,
  deps: { logger: Logger; region: string },
): Promise<RepositoryState> {
  const existing = await describeRepository(ecr, target, deps.region);
  if (existing) {
    reportSettingDifferences(existing, settings, deps.logger);
    return toState(existing, false);
  }
  if (!settings.createIfMissing) {
    throw new UserError(`ECR repository '${target.name}' does not exist in ${deps.region}.`, {
      hint: 'Create it, or set create-repository: true to let this action create it.',
    });
  }
  return createRepository(ecr, target, settings, deps);
}

async function describeRepository(
  ecr: ECRClient,
  target: RepositoryTarget,
  region: string,
): Promise<Repository | undefined> {
  return callWith(
    ECR_CALLS,
    'DescribeRepositories',
    { resource: repositoryArnHint(target, region), region },
    async () => {
      const response = await ecr.send(
        new DescribeRepositoriesCommand({
          repositoryNames: [target.name],
          registryId: target.registryId,
        }),
      );
      return response.repositories?.[0];
    },
    {
      onError: (error, context) => {
        if (errorCode(error) === 'RepositoryNotFoundException') return undefined;
        throw translateAwsError(error, context);
      },
    },
  );
}

async function createRepository(
  ecr: ECRClient,
  target: RepositoryTarget,
  settings: RepositorySettings,
  deps: { logger: Logger; region: string },
): Promise<RepositoryState> {
  const created = await callWith<
    typeof ECR_CALLS,
    { repository: Repository } | { existing: RepositoryState }
  >(
    ECR_CALLS,
    'CreateRepository',
    { resource: repositoryArnHint(target, deps.region), region: deps.region },
    async () => {
      const response = await ecr.send(new CreateRepositoryCommand(createRequest(target, settings)));
      return { repository: response.repository! };
    },
    {
      onError: async (error, context) => {
        // Another job created it between our describe and create: use it as it is.
        if (errorCode(error) === 'RepositoryAlreadyExistsException') {
          const existing = await describeRepository(ecr, target, deps.region);
          if (existing) return { existing: toState(existing, false) };
        }
        throw translateAwsError(error, context);
      },
    },
  );
  if ('existing' in created) return created.existing;
  const repository: Repository = created.repository;
  deps.logger.info(
    `Created ECR repository ${repository.repositoryUri} (scan on push: ${settings.scanOnPush}, tags: ${settings.tagMutability}, encryption: ${settings.encryption.type})`,
  );
  if (settings.lifecycleKeepImages !== undefined)
    await putLifecyclePolicy(ecr, target, settings.lifecycleKeepImages, deps);
  return toState(repository, true);
}

export function createRequest(target: RepositoryTarget, settings: RepositorySettings) {
  return {
    repositoryName: target.name,
    registryId: target.registryId,
    imageScanningConfiguration: { scanOnPush: settings.scanOnPush },
    imageTagMutability: settings.tagMutability,
    ...(settings.tagMutabilityExclusions.length > 0
      ? {
          imageTagMutabilityExclusionFilters: settings.tagMutabilityExclusions.map((filter) => ({
            filterType: 'WILDCARD' as const,
            filter,
          })),
        }
      : {}),
    encryptionConfiguration:
      settings.encryption.type === 'KMS'
        ? {
            encryptionType: 'KMS' as const,
            ...(settings.encryption.kmsKey ? { kmsKey: settings.encryption.kmsKey } : {}),
          }
        : { encryptionType: 'AES256' as const },
  };
}

/** Rule 1 expires untagged images after a day; rule 2 keeps the newest N images of any tag. */
export function lifecyclePolicy(keepImages: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: 'Expire untagged images after 1 day',
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 1,
        },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${keepImages} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keepImages },
        action: { type: 'expire' },
      },
    ],
  });
}

async function putLifecyclePolicy(
  ecr: ECRClient,
  target: RepositoryTarget,
  keepImages: number,
  deps: { logger: Logger; region: string },
): Promise<void> {
  await callWith(
    ECR_CALLS,
    'PutLifecyclePolicy',
    { resource: repositoryArnHint(target, deps.region), region: deps.region },
    () =>
      ecr.send(
        new PutLifecyclePolicyCommand({
          repositoryName: target.name,
          registryId: target.registryId,
          lifecyclePolicyText: lifecyclePolicy(keepImages),
        }),
      ),
  );
  deps.logger.info(
    `Lifecycle policy: keep the newest ${keepImages} images, expire untagged images after 1 day`,
  );
}

/** Settings are only applied at creation; an existing repository is never changed silently. */
function reportSettingDifferences(
  repository: Repository,
  settings: RepositorySettings,
  logger: Logger,
): void {
  const differences: string[] = [];
  if (repository.imageTagMutability && repository.imageTagMutability !== settings.tagMutability) {
    differences.push(
      `tag-mutability is ${repository.imageTagMutability} (input: ${settings.tagMutability})`,
    );
  }
  const scanOnPush = repository.imageScanningConfiguration?.scanOnPush;
  if (scanOnPush !== undefined && scanOnPush !== settings.scanOnPush) {
    differences.push(`scan-on-push is ${scanOnPush} (input: ${settings.scanOnPush})`);
  }
  const encryption = repository.encryptionConfiguration?.encryptionType;
  if (encryption && !encryption.startsWith(settings.encryption.type)) {
    differences.push(`encryption is ${encryption} (input: ${settings.encryption.type})`);
  }
  if (differences.length > 0) {
    logger.warning(
      `ECR repository ${repository.repositoryName} exists with other settings, left unchanged: ${differences.join('; ')}.`,
    );
  }
}

function toState(repository: Repository, created: boolean): RepositoryState {
  return {
    name: repository.repositoryName!,
    uri: repository.repositoryUri!,
    registryId: repository.registryId!,
    arn: repository.repositoryArn!,
    created,
    tagMutability: repository.imageTagMutability ?? 'MUTABLE',
  };
}

export function repositoryArnHint(target: RepositoryTarget, region: string): string {
  return `arn:aws:ecr:${region}:${target.registryId ?? '<account>'}:repository/${target.name}`;
}
