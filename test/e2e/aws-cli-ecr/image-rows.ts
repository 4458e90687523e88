// ECR CLI fidelity rows, second: images (real manifests in the real registry) described, read
// and copied, in the repositories repository-rows.ts created.
import {
  ACCOUNT,
  DOCKER_MANIFEST,
  OCI_MANIFEST,
  type Row,
  image,
  pagesOf,
  FOREIGN_LAYER,
  foreignManifest,
  pushedNow,
} from './fixture.js';

export const imageRows: Row[] = [
  // --- images (real manifests in the real registry) ---
  {
    name: 'describe-images by tag: the registry digest, tags, size and media type',
    operation: 'ecr:DescribeImages',
    arrange: (f) => f.state.pushed(),
    args: () => [
      'ecr',
      'describe-images',
      '--repository-name',
      'cli/app',
      '--image-ids',
      'imageTag=v1',
    ],
    check: async ({ output }, f) => {
      const app = await image(f, 'app');
      expect(output).toEqual({
        imageDetails: [
          {
            registryId: ACCOUNT,
            repositoryName: 'cli/app',
            imageDigest: app.digest,
            imageTags: ['latest', 'v1'],
            imageSizeInBytes: app.size,
            imagePushedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
            imageManifestMediaType: DOCKER_MANIFEST,
            artifactMediaType: 'application/vnd.docker.container.image.v1+json',
          },
        ],
      });
    },
  },
  {
    name: 'describe-images lists every tagged image (one per page: the CLI follows nextToken)',
    operation: 'ecr:DescribeImages',
    arrange: (f) => f.state.pushed(),
    args: () => ['ecr', 'describe-images', '--repository-name', 'cli/app', '--page-size', '1'],
    check: async (run, f) => {
      const { output } = run;
      expect(pagesOf(run, 'DescribeImages')).toEqual([
        { repositoryName: 'cli/app', maxResults: 1 },
        { repositoryName: 'cli/app', maxResults: 1, nextToken: expect.any(String) },
      ]);
      const { app, oci } = await f.state.pushed();
      const details = output?.imageDetails as Array<Record<string, unknown>>;
      expect(
        details
          .map((d) => [d.imageDigest, d.imageTags, d.imageManifestMediaType])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      ).toEqual(
        [
          [app.digest, ['latest', 'v1'], DOCKER_MANIFEST],
          [oci.digest, ['oci'], OCI_MANIFEST],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    },
  },
  {
    name: 'describe-images: tag not found',
    operation: 'ecr:DescribeImages',
    args: () => [
      'ecr',
      'describe-images',
      '--repository-name',
      'cli/app',
      '--image-ids',
      'imageTag=nope',
    ],
    expectError: 'ImageNotFoundException',
    check: ({ stderr }) =>
      expect(stderr).toContain(
        "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository with name 'cli/app'",
      ),
  },
  {
    name: 'describe-images: missing repository',
    operation: 'ecr:DescribeImages',
    args: () => ['ecr', 'describe-images', '--repository-name', 'cli/missing'],
    expectError: 'RepositoryNotFoundException',
  },
  {
    name: 'batch-get-image returns the stored manifest byte for byte, and a failure per missing tag',
    operation: 'ecr:BatchGetImage',
    arrange: (f) => f.state.pushed(),
    args: () => [
      'ecr',
      'batch-get-image',
      '--repository-name',
      'cli/app',
      '--image-ids',
      'imageTag=v1',
      'imageTag=nope',
      '--accepted-media-types',
      DOCKER_MANIFEST,
      OCI_MANIFEST,
    ],
    check: async ({ output }, f) => {
      const app = await image(f, 'app');
      expect(output).toEqual({
        images: [
          {
            registryId: ACCOUNT,
            repositoryName: 'cli/app',
            imageId: { imageDigest: app.digest, imageTag: 'v1' },
            imageManifest: app.body,
            imageManifestMediaType: DOCKER_MANIFEST,
          },
        ],
        failures: [
          {
            imageId: { imageTag: 'nope' },
            failureCode: 'ImageNotFound',
            failureReason: 'Requested image not found',
          },
        ],
      });
    },
  },
  {
    name: 'batch-get-image by digest (an OCI manifest)',
    operation: 'ecr:BatchGetImage',
    arrange: (f) => f.state.pushed(),
    args: (f) => [
      'ecr',
      'batch-get-image',
      '--repository-name',
      'cli/app',
      '--image-ids',
      `imageDigest=${pushedNow(f).oci.digest}`,
    ],
    check: async ({ output }, f) => {
      const oci = await image(f, 'oci');
      expect(output?.images).toEqual([
        expect.objectContaining({
          imageId: { imageDigest: oci.digest },
          imageManifest: oci.body,
          imageManifestMediaType: OCI_MANIFEST,
        }),
      ]);
    },
  },
  {
    name: 'batch-get-image: missing repository',
    operation: 'ecr:BatchGetImage',
    args: () => [
      'ecr',
      'batch-get-image',
      '--repository-name',
      'cli/missing',
      '--image-ids',
      'imageTag=v1',
    ],
    expectError: 'RepositoryNotFoundException',
  },
  {
    name: 'put-image copies a manifest to a new tag (retag without docker)',
    operation: 'ecr:PutImage',
    arrange: (f) => f.state.pushed(),
    args: (f) => [
      'ecr',
      'put-image',
      '--repository-name',
      'cli/app',
      '--image-tag',
      'copied',
      '--image-manifest',
      pushedNow(f).app.body,
      '--image-manifest-media-type',
      DOCKER_MANIFEST,
      '--image-digest',
      pushedNow(f).app.digest,
    ],
    check: async ({ output }, f) => {
      const app = await image(f, 'app');
      expect(output).toEqual({
        image: {
          registryId: ACCOUNT,
          repositoryName: 'cli/app',
          imageId: { imageDigest: app.digest, imageTag: 'copied' },
          imageManifest: app.body,
          imageManifestMediaType: DOCKER_MANIFEST,
        },
      });
      expect((await f.state.images.getManifest('cli/app', 'copied'))?.digest).toBe(app.digest);
    },
  },
  {
    name: 'put-image: the tag already points at this manifest',
    operation: 'ecr:PutImage',
    arrange: (f) => f.state.pushed(),
    args: (f) => [
      'ecr',
      'put-image',
      '--repository-name',
      'cli/app',
      '--image-tag',
      'v1',
      '--image-manifest',
      pushedNow(f).app.body,
    ],
    expectError: 'ImageAlreadyExistsException',
    check: ({ stderr }, f) =>
      expect(stderr).toContain(
        `Image with digest '${pushedNow(f).app.digest}' and tag 'v1' already exists in the repository with name 'cli/app'`,
      ),
  },
  {
    name: 'put-image: an immutable tag pointing at another manifest',
    operation: 'ecr:PutImage',
    arrange: (f) => f.state.pushed(),
    args: (f) => [
      'ecr',
      'put-image',
      '--repository-name',
      'cli/locked',
      '--image-tag',
      'release',
      '--image-manifest',
      pushedNow(f).lockedOther.body,
    ],
    expectError: 'ImageTagAlreadyExistsException',
    check: async ({ stderr }, f) => {
      expect(stderr).toContain(
        "The image tag 'release' already exists in the 'cli/locked' repository and cannot be overwritten because the repository is immutable.",
      );
      const locked = await image(f, 'locked');
      expect((await f.state.images.getManifest('cli/locked', 'release'))?.digest).toBe(
        locked.digest,
      );
    },
  },
  {
    name: 'put-image: digest does not match the manifest',
    operation: 'ecr:PutImage',
    arrange: (f) => f.state.pushed(),
    args: (f) => [
      'ecr',
      'put-image',
      '--repository-name',
      'cli/app',
      '--image-tag',
      'wrong-digest',
      '--image-manifest',
      pushedNow(f).app.body,
      '--image-digest',
      pushedNow(f).oci.digest,
    ],
    expectError: 'ImageDigestDoesNotMatchException',
  },
  {
    name: 'put-image: layers the repository does not hold',
    operation: 'ecr:PutImage',
    arrange: (f) => f.state.pushed(),
    args: (f) => [
      'ecr',
      'put-image',
      '--repository-name',
      'cli/app',
      '--image-tag',
      'foreign',
      '--image-manifest',
      foreignManifest(pushedNow(f).app.body),
    ],
    expectError: 'LayersNotFoundException',
    check: async ({ stderr }, f) => {
      expect(stderr).toContain(`Layers with digests '${FOREIGN_LAYER}' required for pushing image`);
      expect(await f.state.images.getManifest('cli/app', 'foreign')).toBeUndefined();
    },
  },
  {
    name: 'put-image: not a JSON manifest',
    operation: 'ecr:PutImage',
    args: () => [
      'ecr',
      'put-image',
      '--repository-name',
      'cli/app',
      '--image-tag',
      'broken',
      '--image-manifest',
      '{"schemaVersion": 2,',
    ],
    expectError: 'InvalidParameterException',
    check: ({ stderr }) => expect(stderr).toContain("Invalid parameter at 'ImageManifest'"),
  },
];
