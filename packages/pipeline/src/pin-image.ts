/**
 * Pins the image an App Runner service ran before the deploy to its digest,
 * so a rollback deploys what ran, not where a tag (e.g. `latest`) points by
 * then. Only ECR can tell a private image's digest (DescribeImages, the
 * build stage's table entry); when it cannot, the log says so and the
 * rollback keeps the tag, never failing the deploy.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { describeError, type Logger } from '@deploy-actions/action-kit/engine';
import { findImageByTag } from '@deploy-actions/ecr';

const ECR_TAGGED =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

/** A DeployDeps.pinImage: `repo@sha256:…` for a private ECR tag in `region`, else undefined. */
export function ecrImagePinner(
  ecr: ECRClient,
  region: string,
  logger: Logger,
): (image: string) => Promise<string | undefined> {
  return async (image) => {
    const keep = (why: string) => {
      logger.warning(
        `previous-image ${image} stays a tag (${why}): a rollback deploys whatever it names then.`,
      );
      return undefined;
    };
    const match = ECR_TAGGED.exec(image);
    if (!match) return keep('not a private ECR image, whose digest only ECR can tell');
    const [, registryId, imageRegion, repositoryName, tag] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (imageRegion !== region) return keep(`its registry is in ${imageRegion}, not ${region}`);
    try {
      const detail = await findImageByTag(
        ecr,
        {
          registryId,
          region,
          repositoryName,
          repositoryArn: `arn:aws:ecr:${region}:${registryId}:repository/${repositoryName}`,
        },
        tag,
      );
      if (!detail?.imageDigest) return keep(`ECR has no image tagged ${tag} in ${repositoryName}`);
      return `${image.slice(0, image.length - tag.length - 1)}@${detail.imageDigest}`;
    } catch (error) {
      return keep(`its digest could not be read: ${describeError(error)}`);
    }
  };
}
