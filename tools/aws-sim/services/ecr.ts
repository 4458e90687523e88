/**
 * ECR in the simulator. The control plane (repositories, lifecycle policies,
 * scan results) is state here; images are whatever the real local registry
 * (Debian's docker-registry) holds, so DescribeImages, BatchGetImage and
 * PutImage answer from and write to real manifests that `docker push` made.
 * GetAuthorizationToken hands out that registry's htpasswd credentials.
 *
 * Wire details checked with the AWS CLI (test/e2e/aws-cli-ecr.test.ts):
 * listing calls page with maxResults/nextToken, PutImage refuses manifests
 * whose blobs the repository lacks (LayersNotFoundException) or that are not
 * JSON, scan calls echo the tag they were asked about, lifecycle policies are
 * validated as ECR validates them. Not modelled: regions (one repository
 * namespace for all), untagged images in listings (the registry API cannot
 * enumerate them), scan status in DescribeImages.
 */
import { createHash } from 'node:crypto';
import { SimError } from '../errors.js';
import type { JsonObject, JsonResult, JsonServiceModule, RequestContext } from '../types.js';
import {
  RegistryClient,
  type Manifest,
  type RegistryAccess,
} from '../../services/registry-client.js';

const NAME = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const MUTABILITY = ['MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'];

export interface ScanScript {
  /** Statuses answered one per DescribeImageScanFindings call; the last repeats. */
  statuses: string[];
  findings?: Array<{
    id: string;
    severity: string;
    packageName?: string;
    version?: string;
    fixedIn?: string;
  }>;
  /** Enhanced (Inspector) findings instead of basic ones. */
  enhanced?: boolean;
}

const LIFECYCLE_INVALID =
  "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure";

interface RepositoryState {
  name: string;
  registryId: string;
  region: string;
  createdAt: Date;
  tagMutability: string;
  exclusionFilters: JsonObject[];
  scanOnPush: boolean;
  encryption: JsonObject;
  lifecyclePolicy?: string;
  scan?: ScanScript;
  scanCalls: Map<string, number>;
  startedScans: Set<string>;
  /** When the simulator first saw each digest: ECR's imagePushedAt is stable. */
  pushedAt: Map<string, Date>;
}

export interface EcrSimulator extends JsonServiceModule {
  repositories: Map<string, RepositoryState>;
  /** Sets the scan results every image of the repository reports. */
  setScan(repository: string, script: ScanScript): void;
}

export function createEcrService(registry: RegistryAccess): EcrSimulator {
  const client = new RegistryClient(registry);
  const repositories = new Map<string, RepositoryState>();

  const repositoryOf = (params: JsonObject, ctx: RequestContext): RepositoryState => {
    const name = String(params.repositoryName ?? '');
    const registryId = String(params.registryId ?? ctx.accountId);
    const repository = repositories.get(name);
    if (!repository || repository.registryId !== registryId) {
      throw new SimError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
      );
    }
    return repository;
  };
  const describe = (r: RepositoryState) => ({
    repositoryArn: `arn:aws:ecr:${r.region}:${r.registryId}:repository/${r.name}`,
    registryId: r.registryId,
    repositoryName: r.name,
    repositoryUri: `${registry.address}/${r.name}`,
    createdAt: r.createdAt,
    imageTagMutability: r.tagMutability,
    ...(r.exclusionFilters.length
      ? { imageTagMutabilityExclusionFilters: r.exclusionFilters }
      : {}),
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: r.encryption,
  });
  const resolveImage = async (repository: RepositoryState, imageId: JsonObject | undefined) => {
    const reference = String(imageId?.imageDigest ?? imageId?.imageTag ?? '');
    const manifest = reference ? await client.getManifest(repository.name, reference) : undefined;
    if (!manifest) return undefined;
    return { manifest, tags: await client.tagsOf(repository.name, manifest.digest) };
  };
  const pushedAt = (repository: RepositoryState, digest: string, ctx: RequestContext) => {
    const seen = repository.pushedAt.get(digest) ?? ctx.now();
    repository.pushedAt.set(digest, seen);
    return seen;
  };
  const imageDetail = (
    repository: RepositoryState,
    image: { manifest: Manifest; tags: string[] },
    ctx: RequestContext,
  ) => {
    const artifactMediaType = configMediaType(image.manifest.body);
    return {
      registryId: repository.registryId,
      repositoryName: repository.name,
      imageDigest: image.manifest.digest,
      ...(image.tags.length ? { imageTags: image.tags } : {}),
      imageSizeInBytes: manifestSize(image.manifest.body),
      imagePushedAt: pushedAt(repository, image.manifest.digest, ctx),
      imageManifestMediaType: image.manifest.mediaType,
      ...(artifactMediaType ? { artifactMediaType } : {}),
    };
  };
  /** Every tagged image of the repository, one entry per digest, in first-tag order. */
  const taggedImages = async (repository: RepositoryState) => {
    const byDigest = new Map<string, { manifest: Manifest; tags: string[] }>();
    for (const tag of (await client.listTags(repository.name)).sort()) {
      const manifest = await client.getManifest(repository.name, tag);
      if (!manifest) continue;
      const image = byDigest.get(manifest.digest) ?? { manifest, tags: [] };
      image.tags.push(tag);
      byDigest.set(manifest.digest, image);
    }
    return [...byDigest.values()];
  };
  /** The blobs (config, layers) or manifests (an index's entries) the repository lacks. */
  const missingReferences = async (repository: RepositoryState, manifest: ParsedManifest) => {
    const isIndex = Array.isArray(manifest.manifests);
    const references = isIndex
      ? (manifest.manifests ?? []).map((m) => m.digest)
      : [manifest.config?.digest, ...(manifest.layers ?? []).map((l) => l.digest)];
    const missing = [];
    for (const digest of references.filter((d): d is string => typeof d === 'string')) {
      const found = isIndex
        ? await client.getManifest(repository.name, digest)
        : await hasBlob(registry, repository.name, digest);
      if (!found) missing.push(digest);
    }
    return { isIndex, missing };
  };
  const imageNotFound = (repository: RepositoryState, imageId: JsonObject | undefined) =>
    new SimError(
      'ImageNotFoundException',
      `The image with imageId {imageDigest:'${imageId?.imageDigest ?? 'null'}', imageTag:'${imageId?.imageTag ?? 'null'}'} does not exist within the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
    );

  const operations: JsonServiceModule['operations'] = {
    GetAuthorizationToken: (_params, ctx): JsonResult => ({
      authorizationData: [
        {
          authorizationToken: Buffer.from(`${registry.username}:${registry.password}`).toString(
            'base64',
          ),
          expiresAt: new Date(ctx.now().getTime() + 12 * 3600_000),
          proxyEndpoint: `http://${registry.address}`,
        },
      ],
    }),

    DescribeRepositories: (params, ctx): JsonResult => {
      const names = params.repositoryNames as string[] | undefined;
      if (names) {
        return {
          repositories: names.map((name) =>
            describe(repositoryOf({ ...params, repositoryName: name }, ctx)),
          ),
        };
      }
      const registryId = String(params.registryId ?? ctx.accountId);
      const all = [...repositories.values()].filter((r) => r.registryId === registryId);
      const { items, nextToken } = page(all, params, 1000);
      return { repositories: items.map(describe), ...(nextToken ? { nextToken } : {}) };
    },

    CreateRepository: (params, ctx): JsonResult => {
      const name = String(params.repositoryName ?? '');
      if (!NAME.test(name)) {
        throw new SimError(
          'InvalidParameterException',
          `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '${NAME.source}''`,
        );
      }
      if (repositories.has(name)) {
        throw new SimError(
          'RepositoryAlreadyExistsException',
          `The repository with name '${name}' already exists in the registry with id '${ctx.accountId}'`,
        );
      }
      const tagMutability = String(params.imageTagMutability ?? 'MUTABLE');
      if (!MUTABILITY.includes(tagMutability)) {
        throw new SimError(
          'ValidationException',
          `1 validation error detected: Value '${tagMutability}' at 'imageTagMutability' failed to satisfy constraint: Member must satisfy enum value set: [${MUTABILITY.join(', ')}]`,
        );
      }
      const exclusionFilters =
        (params.imageTagMutabilityExclusionFilters as JsonObject[] | undefined) ?? [];
      if (tagMutability.endsWith('_WITH_EXCLUSION') !== exclusionFilters.length > 0) {
        throw new SimError(
          'InvalidParameterException',
          'imageTagMutabilityExclusionFilters must be given with, and only with, the *_WITH_EXCLUSION tag mutability settings',
        );
      }
      const repository: RepositoryState = {
        name,
        registryId: String(params.registryId ?? ctx.accountId),
        region: ctx.region,
        createdAt: ctx.now(),
        tagMutability,
        exclusionFilters,
        scanOnPush: Boolean(
          (params.imageScanningConfiguration as JsonObject | undefined)?.scanOnPush,
        ),
        encryption: (params.encryptionConfiguration as JsonObject | undefined) ?? {
          encryptionType: 'AES256',
        },
        scanCalls: new Map(),
        startedScans: new Set(),
        pushedAt: new Map(),
      };
      repositories.set(name, repository);
      return { repository: describe(repository) };
    },

    PutLifecyclePolicy: (params, ctx): JsonResult => {
      const repository = repositoryOf(params, ctx);
      const text = String(params.lifecyclePolicyText ?? '');
      const problem = lifecyclePolicyProblem(text);
      if (problem) {
        throw new SimError('InvalidParameterException', `${LIFECYCLE_INVALID}: ${problem}'`);
      }
      repository.lifecyclePolicy = text;
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        lifecyclePolicyText: text,
      };
    },

    DescribeImages: async (params, ctx): Promise<JsonResult> => {
      const repository = repositoryOf(params, ctx);
      const imageIds = params.imageIds as JsonObject[] | undefined;
      if (!imageIds) {
        // Untagged images are not listed: the registry API cannot enumerate them.
        const tagStatus = String((params.filter as JsonObject | undefined)?.tagStatus ?? 'ANY');
        const images = tagStatus === 'UNTAGGED' ? [] : await taggedImages(repository);
        const { items, nextToken } = page(images, params, 1000);
        return {
          imageDetails: items.map((image) => imageDetail(repository, image, ctx)),
          ...(nextToken ? { nextToken } : {}),
        };
      }
      const details = [];
      for (const imageId of imageIds) {
        const image = await resolveImage(repository, imageId);
        if (!image) throw imageNotFound(repository, imageId);
        details.push(imageDetail(repository, image, ctx));
      }
      return { imageDetails: details };
    },

    BatchGetImage: async (params, ctx): Promise<JsonResult> => {
      const repository = repositoryOf(params, ctx);
      const accepted = (params.acceptedMediaTypes as string[] | undefined) ?? undefined;
      const images = [];
      const failures = [];
      for (const imageId of (params.imageIds as JsonObject[] | undefined) ?? []) {
        const reference = String(imageId.imageDigest ?? imageId.imageTag ?? '');
        const manifest = await client.getManifest(repository.name, reference, accepted);
        if (!manifest) {
          failures.push({
            imageId,
            failureCode: 'ImageNotFound',
            failureReason: 'Requested image not found',
          });
          continue;
        }
        images.push({
          registryId: repository.registryId,
          repositoryName: repository.name,
          imageId: {
            imageDigest: manifest.digest,
            ...(imageId.imageTag ? { imageTag: imageId.imageTag } : {}),
          },
          imageManifest: manifest.body,
          imageManifestMediaType: manifest.mediaType,
        });
      }
      return { images, failures };
    },

    PutImage: async (params, ctx): Promise<JsonResult> => {
      const repository = repositoryOf(params, ctx);
      const body = String(params.imageManifest ?? '');
      const manifest = parseManifest(body);
      const tag = params.imageTag === undefined ? undefined : String(params.imageTag);
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      if (params.imageDigest !== undefined && params.imageDigest !== digest) {
        throw new SimError(
          'ImageDigestDoesNotMatchException',
          `The specified image digest '${String(params.imageDigest)}' does not match the digest calculated for the manifest '${digest}'`,
        );
      }
      if (tag !== undefined) {
        const current = await client.getManifest(repository.name, tag);
        if (current?.digest === digest) {
          throw new SimError(
            'ImageAlreadyExistsException',
            `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${repository.name}' in registry with id '${repository.registryId}'`,
          );
        }
        if (current && isImmutable(repository, tag)) {
          throw new SimError(
            'ImageTagAlreadyExistsException',
            `The image tag '${tag}' already exists in the '${repository.name}' repository and cannot be overwritten because the repository is immutable.`,
          );
        }
      }
      const mediaType = String(params.imageManifestMediaType ?? manifest.mediaType ?? '');
      if (!mediaType) {
        throw new SimError(
          'InvalidParameterException',
          "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'The manifest has no mediaType: specify imageManifestMediaType'",
        );
      }
      const { isIndex, missing } = await missingReferences(repository, manifest);
      if (missing.length > 0) {
        throw new SimError(
          isIndex ? 'ReferencedImagesNotFoundException' : 'LayersNotFoundException',
          isIndex
            ? `Manifests with digests '[${missing.join(', ')}]' referenced by the image index do not exist in the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`
            : `Layers with digests '${missing.join(', ')}' required for pushing image into repository with name '${repository.name}' in the registry with id '${repository.registryId}' do not exist`,
        );
      }
      await client.putManifest(repository.name, tag ?? digest, body, mediaType);
      return {
        image: {
          registryId: repository.registryId,
          repositoryName: repository.name,
          imageId: { imageDigest: digest, ...(tag ? { imageTag: tag } : {}) },
          imageManifest: body,
          imageManifestMediaType: mediaType,
        },
      };
    },

    StartImageScan: async (params, ctx): Promise<JsonResult> => {
      const repository = repositoryOf(params, ctx);
      const image = await resolveImage(repository, params.imageId as JsonObject | undefined);
      if (!image) throw imageNotFound(repository, params.imageId as JsonObject);
      repository.startedScans.add(image.manifest.digest);
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        imageId: echoImageId(image.manifest.digest, params.imageId as JsonObject | undefined),
        imageScanStatus: { status: 'IN_PROGRESS' },
      };
    },

    DescribeImageScanFindings: async (params, ctx): Promise<JsonResult> => {
      const repository = repositoryOf(params, ctx);
      const imageId = params.imageId as JsonObject | undefined;
      const image = await resolveImage(repository, imageId);
      if (!image) throw imageNotFound(repository, imageId);
      const digest = image.manifest.digest;
      if (!repository.scanOnPush && !repository.startedScans.has(digest) && !repository.scan) {
        throw new SimError(
          'ScanNotFoundException',
          `Image scan does not exist for the image with '{imageDigest:'${digest}', imageTag:'null'}' in the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
        );
      }
      const script = repository.scan ?? { statuses: ['IN_PROGRESS', 'COMPLETE'], findings: [] };
      const call = repository.scanCalls.get(digest) ?? 0;
      repository.scanCalls.set(digest, call + 1);
      const status = script.statuses[Math.min(call, script.statuses.length - 1)] ?? 'COMPLETE';
      const base = {
        registryId: repository.registryId,
        repositoryName: repository.name,
        imageId: echoImageId(digest, imageId),
        imageScanStatus: {
          status,
          description:
            status === 'COMPLETE'
              ? 'The scan was completed successfully.'
              : `Scan status ${status}`,
        },
      };
      if (status !== 'COMPLETE' && status !== 'ACTIVE') return base;
      return { ...base, imageScanFindings: scanFindings(script, ctx.now()) };
    },
  };

  return {
    name: 'ecr',
    endpointEnvSuffix: 'ECR',
    protocol: 'json',
    jsonVersion: '1.1',
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    operations,
    repositories,
    setScan(repository, script) {
      const state = repositories.get(repository);
      if (!state) throw new Error(`setScan: no repository ${repository} in the simulator`);
      state.scan = script;
    },
  };
}

/** ECR answers about an image with its digest, and the tag when the caller named one. */
function echoImageId(digest: string, asked: JsonObject | undefined) {
  return { imageDigest: digest, ...(asked?.imageTag ? { imageTag: String(asked.imageTag) } : {}) };
}

/**
 * One page of `items`: `maxResults` (1..limit, default 100 as ECR's) from the offset the
 * opaque `nextToken` encodes; a nextToken in the answer when more remain.
 */
function page<T>(items: T[], params: JsonObject, limit: number) {
  const size = Number(params.maxResults ?? 100);
  if (!Number.isInteger(size) || size < 1 || size > limit) {
    throw new SimError(
      'InvalidParameterException',
      `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and ${limit}'`,
    );
  }
  let offset = 0;
  if (params.nextToken !== undefined) {
    const decoded = /^offset:(\d+)$/.exec(
      Buffer.from(String(params.nextToken), 'base64url').toString(),
    );
    if (!decoded) {
      throw new SimError('InvalidParameterException', "Invalid parameter at 'nextToken'");
    }
    offset = Number(decoded[1]);
  }
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? Buffer.from(`offset:${end}`).toString('base64url') : undefined,
  };
}

interface ParsedManifest {
  mediaType?: string;
  config?: { mediaType?: string; digest?: string; size?: number };
  layers?: Array<{ digest?: string; size?: number }>;
  manifests?: Array<{ digest?: string }>;
}

function parseManifest(body: string): ParsedManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SimError(
      'InvalidParameterException',
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
    );
  }
  return parsed as ParsedManifest;
}

function configMediaType(body: string): string | undefined {
  try {
    return (JSON.parse(body) as ParsedManifest).config?.mediaType;
  } catch {
    return undefined;
  }
}

async function hasBlob(registry: RegistryAccess, repository: string, digest: string) {
  const response = await fetch(`http://${registry.address}/v2/${repository}/blobs/${digest}`, {
    method: 'HEAD',
    headers: {
      authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`,
    },
  });
  if (response.status === 404) return false;
  if (!response.ok)
    throw new Error(`registry HEAD blob ${repository}@${digest}: ${response.status}`);
  return true;
}

/** Why ECR would reject a lifecycle policy (a subset of its rules), or undefined. */
function lifecyclePolicyProblem(text: string): string | undefined {
  let policy: { rules?: unknown };
  try {
    policy = JSON.parse(text) as { rules?: unknown };
  } catch {
    return 'invalid JSON';
  }
  if (!Array.isArray(policy?.rules) || policy.rules.length === 0) return 'rules must not be empty';
  const rules = policy.rules as Array<{
    rulePriority?: unknown;
    selection?: Record<string, unknown>;
    action?: { type?: unknown };
  }>;
  const priorities = new Set<number>();
  for (const rule of rules) {
    const priority = rule.rulePriority;
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1)
      return 'rulePriority must be a positive integer';
    if (priorities.has(priority)) return `rulePriority ${priority} is used more than once`;
    priorities.add(priority);
    if (rule.action?.type !== 'expire') return `action.type must be 'expire'`;
    const selection = rule.selection ?? {};
    const { tagStatus, countType, countUnit, countNumber } = selection;
    if (!['tagged', 'untagged', 'any'].includes(String(tagStatus)))
      return 'selection.tagStatus must be tagged, untagged or any';
    if (
      tagStatus === 'tagged' &&
      !Array.isArray(selection.tagPrefixList) &&
      !Array.isArray(selection.tagPatternList)
    )
      return 'a tagged selection needs tagPrefixList or tagPatternList';
    if (typeof countNumber !== 'number' || !Number.isInteger(countNumber) || countNumber < 1)
      return 'selection.countNumber must be a positive integer';
    if (countType === 'sinceImagePushed') {
      if (countUnit !== 'days') return "sinceImagePushed needs countUnit 'days'";
    } else if (countType === 'imageCountMoreThan') {
      if (countUnit !== undefined) return 'imageCountMoreThan takes no countUnit';
    } else {
      return 'selection.countType must be imageCountMoreThan or sinceImagePushed';
    }
  }
  const anyRule = rules.find((r) => r.selection?.tagStatus === 'any');
  if (anyRule && Number(anyRule.rulePriority) !== Math.max(...priorities))
    return "the rule with tagStatus 'any' must have the highest rulePriority";
  return undefined;
}

function isImmutable(repository: RepositoryState, tag: string): boolean {
  const excluded = repository.exclusionFilters.some((f) =>
    wildcard(String(f.filter ?? '')).test(tag),
  );
  if (repository.tagMutability === 'IMMUTABLE') return true;
  if (repository.tagMutability === 'IMMUTABLE_WITH_EXCLUSION') return !excluded;
  if (repository.tagMutability === 'MUTABLE_WITH_EXCLUSION') return excluded;
  return false;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

function manifestSize(body: string): number {
  try {
    const manifest = JSON.parse(body) as {
      config?: { size?: number };
      layers?: Array<{ size?: number }>;
    };
    return (
      (manifest.config?.size ?? 0) +
      (manifest.layers ?? []).reduce((sum, l) => sum + (l.size ?? 0), 0)
    );
  } catch {
    return body.length;
  }
}

function scanFindings(script: ScanScript, now: Date) {
  const findings = script.findings ?? [];
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  if (script.enhanced) {
    return {
      imageScanCompletedAt: now,
      findingSeverityCounts: counts,
      enhancedFindings: findings.map((f) => ({
        awsAccountId: '123456789012',
        description: `${f.id} in ${f.packageName ?? 'pkg'}`,
        severity: f.severity,
        status: 'ACTIVE',
        title: `${f.id} - ${f.packageName ?? 'pkg'}`,
        type: 'PACKAGE_VULNERABILITY',
        packageVulnerabilityDetails: {
          vulnerabilityId: f.id,
          source: 'NVD',
          vulnerablePackages: [
            {
              name: f.packageName ?? 'pkg',
              version: f.version ?? '1.0',
              fixedInVersion: f.fixedIn ?? '',
            },
          ],
        },
      })),
    };
  }
  return {
    imageScanCompletedAt: now,
    vulnerabilitySourceUpdatedAt: now,
    findingSeverityCounts: counts,
    findings: findings.map((f) => ({
      name: f.id,
      uri: `https://security-tracker.debian.org/tracker/${f.id}`,
      severity: f.severity,
      attributes: [
        { key: 'package_version', value: f.version ?? '1.0' },
        { key: 'package_name', value: f.packageName ?? 'pkg' },
      ],
    })),
  };
}
