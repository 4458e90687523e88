/**
 * ECR in the simulator. The control plane (repositories, lifecycle policies,
 * scan results) is state here; images are whatever the real local registry
 * (Debian's docker-registry) holds, so DescribeImages, BatchGetImage and
 * PutImage answer from and write to real manifests that `docker push` made.
 * GetAuthorizationToken hands out that registry's htpasswd credentials.
 */
import { createHash } from 'node:crypto';
import { SimError } from '../errors.js';
import type { JsonObject, JsonResult, JsonServiceModule, RequestContext } from '../types.js';
import { RegistryClient, type RegistryAccess } from '../../registry-client.js';

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
      const names = (params.repositoryNames as string[] | undefined) ?? [...repositories.keys()];
      return {
        repositories: names.map((name) =>
          describe(repositoryOf({ ...params, repositoryName: name }, ctx)),
        ),
      };
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
      };
      repositories.set(name, repository);
      return { repository: describe(repository) };
    },

    PutLifecyclePolicy: (params, ctx): JsonResult => {
      const repository = repositoryOf(params, ctx);
      const text = String(params.lifecyclePolicyText ?? '');
      try {
        const policy = JSON.parse(text) as { rules?: unknown[] };
        if (!Array.isArray(policy.rules) || policy.rules.length === 0) throw new Error('no rules');
      } catch {
        throw new SimError(
          'InvalidParameterException',
          "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure'",
        );
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
      const imageIds = (params.imageIds as JsonObject[] | undefined) ?? [];
      const details = [];
      for (const imageId of imageIds) {
        const image = await resolveImage(repository, imageId);
        if (!image) throw imageNotFound(repository, imageId);
        details.push({
          registryId: repository.registryId,
          repositoryName: repository.name,
          imageDigest: image.manifest.digest,
          imageTags: image.tags,
          imageSizeInBytes: manifestSize(image.manifest.body),
          imagePushedAt: ctx.now(),
          imageManifestMediaType: image.manifest.mediaType,
        });
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
      const mediaType = String(
        params.imageManifestMediaType ??
          (JSON.parse(body) as { mediaType?: string }).mediaType ??
          '',
      );
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
        imageId: { imageDigest: image.manifest.digest },
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
        imageId: { imageDigest: digest },
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
