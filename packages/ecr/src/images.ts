import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  PutImageCommand,
  type ECRClient,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import { UserError, type Logger } from '@deploy-actions/action-kit/engine';
import { callWith, errorCode, translateAwsError } from '@deploy-actions/aws';
import { ECR_CALLS } from './calls.js';

export interface ImageLocation {
  repositoryName: string;
  registryId: string;
  region: string;
  repositoryArn: string;
}

/** The image a tag points at, as the registry reports it; undefined when the tag does not exist. */
export async function findImageByTag(
  ecr: ECRClient,
  where: ImageLocation,
  tag: string,
): Promise<ImageDetail | undefined> {
  return callWith(
    ECR_CALLS,
    'DescribeImages',
    target(where),
    async () => {
      const response = await ecr.send(
        new DescribeImagesCommand({
          repositoryName: where.repositoryName,
          registryId: where.registryId,
          imageIds: [{ imageTag: tag }],
        }),
      );
      return response.imageDetails?.[0];
    },
    {
      onError: (error, context) => {
        if (errorCode(error) === 'ImageNotFoundException') return undefined;
        throw translateAwsError(error, context);
      },
    },
  );
}

/** The repository and region an error of a call names. */
function target(where: ImageLocation) {
  return { resource: where.repositoryArn, region: where.region };
}

// Every manifest type a registry may hold; BatchGetImage returns the stored one unchanged when it is listed.
const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

/**
 * Adds tags to an existing image by copying its manifest (BatchGetImage +
 * PutImage): no docker, no layer upload. Idempotent: a tag that already
 * points at the image is success.
 */
export async function addTags(
  ecr: ECRClient,
  where: ImageLocation,
  source: { digest: string },
  tags: readonly string[],
  logger: Logger,
): Promise<string[]> {
  if (tags.length === 0) return [];
  const manifest = await getManifest(ecr, where, source.digest);
  const added: string[] = [];
  for (const tag of tags) {
    const tagged = await callWith(
      ECR_CALLS,
      'PutImage',
      target(where),
      async () => {
        await ecr.send(
          new PutImageCommand({
            repositoryName: where.repositoryName,
            registryId: where.registryId,
            imageManifest: manifest.body,
            imageManifestMediaType: manifest.mediaType,
            imageDigest: source.digest,
            imageTag: tag,
          }),
        );
        return true;
      },
      {
        onError: (error, context) => {
          const code = errorCode(error);
          if (code === 'ImageAlreadyExistsException') return false;
          if (code === 'ImageTagAlreadyExistsException') {
            throw new UserError(
              `Tag '${tag}' already points to another image in the immutable repository ${where.repositoryName}.`,
              {
                hint: 'Immutable tags cannot move: use a new tag, or make the repository mutable (or *_WITH_EXCLUSION for moving tags).',
                cause: error,
              },
            );
          }
          throw translateAwsError(error, context);
        },
      },
    );
    if (!tagged) continue;
    added.push(tag);
    logger.info(`Tagged ${source.digest} as ${tag} (manifest copy, no rebuild)`);
  }
  return added;
}

/** The stored manifest of one image (or index), by digest. */
export async function getManifest(
  ecr: ECRClient,
  where: ImageLocation,
  digest: string,
): Promise<{ body: string; mediaType: string }> {
  const response = await callWith(ECR_CALLS, 'BatchGetImage', target(where), () =>
    ecr.send(
      new BatchGetImageCommand({
        repositoryName: where.repositoryName,
        registryId: where.registryId,
        imageIds: [{ imageDigest: digest }],
        acceptedMediaTypes: MANIFEST_MEDIA_TYPES,
      }),
    ),
  );
  const image = response.images?.[0];
  if (!image?.imageManifest) {
    const failure = response.failures?.[0];
    throw new UserError(
      `ECR could not return the manifest of ${digest}: ${failure?.failureCode ?? 'no image'} ${failure?.failureReason ?? ''}`.trim(),
    );
  }
  return {
    body: image.imageManifest,
    mediaType: image.imageManifestMediaType ?? mediaTypeOf(image.imageManifest),
  };
}

function mediaTypeOf(manifest: string): string {
  try {
    return (JSON.parse(manifest) as { mediaType?: string }).mediaType ?? MANIFEST_MEDIA_TYPES[0]!;
  } catch {
    return MANIFEST_MEDIA_TYPES[0]!;
  }
}
