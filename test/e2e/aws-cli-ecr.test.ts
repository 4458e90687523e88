/**
 * Protocol fidelity of the simulator's ECR (awsJson1_1), checked with the AWS
 * CLI. Images are real: rows push blobs and manifests into the real local
 * registry (Debian's docker-registry) through its HTTP API — no docker daemon
 * — and ECR's image operations answer from, and write to, its contents.
 *
 * Rows run in order and build on each other: repositories are created first
 * (cli/app: MUTABLE, no scan on push; cli/locked: IMMUTABLE, KMS, scan on
 * push), then images are pushed, read, copied and scanned.
 *
 * @needs awscli registry
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  CLI_REGION,
  CLI_USER,
  describeCliFidelity,
  type CliFixture,
  type CliRun,
  type CliRow,
} from '../support/aws-cli.js';
import { createEcrService, type EcrSimulator } from '../../tools/aws-sim/services/ecr.js';
import { startRegistry, type Registry } from '../../tools/services/docker.js';
import { RegistryClient } from '../../tools/services/registry-client.js';

const ACCOUNT = '123456789012';
const KMS_KEY = `arn:aws:kms:${CLI_REGION}:${ACCOUNT}:key/0c1a5e7e-ecr0-cli0-test-000000000001`;
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

interface PushedImage {
  digest: string;
  /** The manifest exactly as stored (its sha256 is the digest). */
  body: string;
  mediaType: string;
  /** Config plus layer sizes, as the manifest records them. */
  size: number;
}

interface EcrState {
  registry: Registry;
  images: RegistryClient;
  ecr: EcrSimulator;
  /** Pushes (once) the images the rows use; resolves to them. */
  pushed(): Promise<Record<'app' | 'oci' | 'locked' | 'lockedOther', PushedImage>>;
}

type F = CliFixture<EcrState>;
type Row = CliRow<EcrState>;

/** The image a row needs, pushed on first use. */
const image = async (f: F, name: 'app' | 'oci' | 'locked' | 'lockedOther') =>
  (await f.state.pushed())[name];

const rows: Row[] = [
  // --- credentials for docker login ---
  {
    name: 'get-authorization-token hands out the real registry credentials',
    operation: 'ecr:GetAuthorizationToken',
    args: () => ['ecr', 'get-authorization-token'],
    check: ({ output }, f) => {
      const [data] = (output?.authorizationData ?? []) as Array<Record<string, string>>;
      expect(Buffer.from(data!.authorizationToken!, 'base64').toString()).toBe(
        `${f.state.registry.username}:${f.state.registry.password}`,
      );
      expect(data!.proxyEndpoint).toBe(`http://${f.state.registry.address}`);
      const ttl = Date.parse(data!.expiresAt!) - Date.now();
      expect(ttl).toBeGreaterThan(11 * 3600_000);
      expect(ttl).toBeLessThanOrEqual(12 * 3600_000);
    },
  },
  {
    name: 'get-login-password (the CLI customisation users pipe to docker login)',
    operation: 'ecr:GetAuthorizationToken',
    credentials: (f) => f.roleCredentials(),
    args: () => ['ecr', 'get-login-password'],
    check: ({ stdout }, f) => expect(stdout.trim()).toBe(f.state.registry.password),
  },
  {
    name: 'get-authorization-token: unsigned',
    operation: 'ecr:GetAuthorizationToken',
    credentials: () => undefined,
    args: () => ['ecr', 'get-authorization-token', '--no-sign-request'],
    expectError: 'MissingAuthenticationTokenException',
  },

  // --- repositories ---
  {
    name: 'create-repository with the defaults the action asks for',
    operation: 'ecr:CreateRepository',
    args: () => [
      'ecr',
      'create-repository',
      '--repository-name',
      'cli/app',
      '--image-tag-mutability',
      'MUTABLE',
      '--image-scanning-configuration',
      'scanOnPush=false',
      '--encryption-configuration',
      'encryptionType=AES256',
    ],
    check: ({ output }, f) => {
      expect(output).toEqual({
        repository: {
          repositoryArn: `arn:aws:ecr:${CLI_REGION}:${ACCOUNT}:repository/cli/app`,
          registryId: ACCOUNT,
          repositoryName: 'cli/app',
          repositoryUri: `${f.state.registry.address}/cli/app`,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/),
          imageTagMutability: 'MUTABLE',
          imageScanningConfiguration: { scanOnPush: false },
          encryptionConfiguration: { encryptionType: 'AES256' },
        },
      });
      const { createdAt } = output!.repository as { createdAt: string };
      expect(Math.abs(Date.parse(createdAt) - Date.now())).toBeLessThan(60_000);
    },
  },
  {
    name: 'create-repository: IMMUTABLE, KMS, scan on push',
    operation: 'ecr:CreateRepository',
    args: () => [
      'ecr',
      'create-repository',
      '--repository-name',
      'cli/locked',
      '--image-tag-mutability',
      'IMMUTABLE',
      '--image-scanning-configuration',
      'scanOnPush=true',
      '--encryption-configuration',
      `encryptionType=KMS,kmsKey=${KMS_KEY}`,
    ],
    check: ({ output }, f) => {
      expect(output?.repository).toMatchObject({
        repositoryName: 'cli/locked',
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KMS_KEY },
      });
      expect(f.state.ecr.repositories.get('cli/locked')?.region).toBe(CLI_REGION);
    },
  },
  {
    name: 'create-repository: already exists',
    operation: 'ecr:CreateRepository',
    args: () => ['ecr', 'create-repository', '--repository-name', 'cli/app'],
    expectError: 'RepositoryAlreadyExistsException',
    check: ({ stderr }) =>
      expect(stderr).toContain(
        `The repository with name 'cli/app' already exists in the registry with id '${ACCOUNT}'`,
      ),
  },
  {
    name: 'create-repository: invalid name',
    operation: 'ecr:CreateRepository',
    args: () => ['ecr', 'create-repository', '--repository-name', 'Team/API'],
    expectError: 'InvalidParameterException',
    check: ({ stderr }) => expect(stderr).toContain("Invalid parameter at 'repositoryName'"),
  },
  {
    name: 'describe-repositories by name',
    operation: 'ecr:DescribeRepositories',
    args: () => ['ecr', 'describe-repositories', '--repository-names', 'cli/locked', 'cli/app'],
    check: ({ output }) => {
      const repositories = output?.repositories as Array<Record<string, unknown>>;
      expect(repositories.map((r) => [r.repositoryName, r.imageTagMutability])).toEqual([
        ['cli/locked', 'IMMUTABLE'],
        ['cli/app', 'MUTABLE'],
      ]);
    },
  },
  {
    name: 'describe-repositories lists every repository (one per page: the CLI follows nextToken)',
    operation: 'ecr:DescribeRepositories',
    credentials: (f) => f.roleCredentials(),
    args: () => ['ecr', 'describe-repositories', '--page-size', '1'],
    check: (run) => {
      expect(
        (run.output?.repositories as Array<{ repositoryName: string }>).map(
          (r) => r.repositoryName,
        ),
      ).toEqual(['cli/app', 'cli/locked']);
      expect(pagesOf(run, 'DescribeRepositories')).toEqual([
        { maxResults: 1 },
        { maxResults: 1, nextToken: expect.any(String) },
      ]);
    },
  },
  {
    name: 'describe-repositories: missing repository',
    operation: 'ecr:DescribeRepositories',
    args: () => ['ecr', 'describe-repositories', '--repository-names', 'cli/missing'],
    expectError: 'RepositoryNotFoundException',
    check: ({ stderr }) =>
      expect(stderr).toContain(
        `The repository with name 'cli/missing' does not exist in the registry with id '${ACCOUNT}'`,
      ),
  },
  {
    name: 'put-lifecycle-policy',
    operation: 'ecr:PutLifecyclePolicy',
    args: () => [
      'ecr',
      'put-lifecycle-policy',
      '--repository-name',
      'cli/app',
      '--lifecycle-policy-text',
      LIFECYCLE_POLICY,
    ],
    check: ({ output }, f) => {
      expect(output).toEqual({
        registryId: ACCOUNT,
        repositoryName: 'cli/app',
        lifecyclePolicyText: LIFECYCLE_POLICY,
      });
      expect(f.state.ecr.repositories.get('cli/app')?.lifecyclePolicy).toBe(LIFECYCLE_POLICY);
    },
  },
  {
    name: 'put-lifecycle-policy: not a policy',
    operation: 'ecr:PutLifecyclePolicy',
    args: () => [
      'ecr',
      'put-lifecycle-policy',
      '--repository-name',
      'cli/app',
      '--lifecycle-policy-text',
      JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 },
            action: { type: 'delete' },
          },
        ],
      }),
    ],
    expectError: 'InvalidParameterException',
    check: ({ stderr }, f) => {
      expect(stderr).toContain("Lifecycle policy validation failure: action.type must be 'expire'");
      expect(f.state.ecr.repositories.get('cli/app')?.lifecyclePolicy).toBe(LIFECYCLE_POLICY);
    },
  },
  {
    name: 'put-lifecycle-policy: missing repository',
    operation: 'ecr:PutLifecyclePolicy',
    args: () => [
      'ecr',
      'put-lifecycle-policy',
      '--repository-name',
      'cli/missing',
      '--lifecycle-policy-text',
      LIFECYCLE_POLICY,
    ],
    expectError: 'RepositoryNotFoundException',
  },

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

  // --- scanning ---
  {
    name: 'describe-image-scan-findings: never scanned (no scan on push)',
    operation: 'ecr:DescribeImageScanFindings',
    arrange: (f) => f.state.pushed(),
    args: () => [
      'ecr',
      'describe-image-scan-findings',
      '--repository-name',
      'cli/app',
      '--image-id',
      'imageTag=v1',
    ],
    expectError: 'ScanNotFoundException',
  },
  {
    name: 'start-image-scan',
    operation: 'ecr:StartImageScan',
    arrange: (f) => f.state.pushed(),
    args: () => [
      'ecr',
      'start-image-scan',
      '--repository-name',
      'cli/app',
      '--image-id',
      'imageTag=v1',
    ],
    check: ({ output }, f) =>
      expect(output).toEqual({
        registryId: ACCOUNT,
        repositoryName: 'cli/app',
        imageId: { imageDigest: pushedNow(f).app.digest, imageTag: 'v1' },
        imageScanStatus: { status: 'IN_PROGRESS' },
      }),
  },
  {
    name: 'start-image-scan: image not found',
    operation: 'ecr:StartImageScan',
    args: () => [
      'ecr',
      'start-image-scan',
      '--repository-name',
      'cli/app',
      '--image-id',
      'imageTag=nope',
    ],
    expectError: 'ImageNotFoundException',
  },
  {
    name: 'describe-image-scan-findings: scan in progress (no findings yet)',
    operation: 'ecr:DescribeImageScanFindings',
    // --no-paginate prints the response as sent (the CLI's paginator adds a null imageScanFindings).
    args: () => [
      'ecr',
      'describe-image-scan-findings',
      '--no-paginate',
      '--repository-name',
      'cli/app',
      '--image-id',
      'imageTag=v1',
    ],
    check: ({ output }, f) =>
      expect(output).toEqual({
        registryId: ACCOUNT,
        repositoryName: 'cli/app',
        imageId: { imageDigest: pushedNow(f).app.digest, imageTag: 'v1' },
        imageScanStatus: { status: 'IN_PROGRESS', description: expect.any(String) },
      }),
  },
  {
    name: 'describe-image-scan-findings: basic scan complete with findings',
    operation: 'ecr:DescribeImageScanFindings',
    arrange: (f) =>
      f.state.ecr.setScan('cli/app', {
        statuses: ['COMPLETE'],
        findings: [
          {
            id: 'CVE-2024-0001',
            severity: 'CRITICAL',
            packageName: 'openssl',
            version: '3.0.1',
          },
          { id: 'CVE-2024-0002', severity: 'HIGH', packageName: 'zlib', version: '1.2.11' },
        ],
      }),
    args: (f) => [
      'ecr',
      'describe-image-scan-findings',
      '--repository-name',
      'cli/app',
      '--image-id',
      `imageDigest=${pushedNow(f).app.digest}`,
    ],
    check: ({ output }) => {
      expect(output).toMatchObject({
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: {
          imageScanCompletedAt: expect.stringMatching(/^\d{4}-/),
          vulnerabilitySourceUpdatedAt: expect.stringMatching(/^\d{4}-/),
          findingSeverityCounts: { CRITICAL: 1, HIGH: 1 },
          findings: [
            {
              name: 'CVE-2024-0001',
              uri: 'https://security-tracker.debian.org/tracker/CVE-2024-0001',
              severity: 'CRITICAL',
              attributes: [
                { key: 'package_version', value: '3.0.1' },
                { key: 'package_name', value: 'openssl' },
              ],
            },
            expect.objectContaining({ name: 'CVE-2024-0002', severity: 'HIGH' }),
          ],
        },
      });
    },
  },
  {
    name: 'describe-image-scan-findings: enhanced scanning (Inspector) findings',
    operation: 'ecr:DescribeImageScanFindings',
    arrange: async (f) => {
      await f.state.pushed();
      f.state.ecr.setScan('cli/locked', {
        statuses: ['ACTIVE'],
        enhanced: true,
        findings: [
          {
            id: 'CVE-2024-0003',
            severity: 'MEDIUM',
            packageName: 'libc',
            version: '2.36',
            fixedIn: '2.36-9',
          },
        ],
      });
    },
    args: () => [
      'ecr',
      'describe-image-scan-findings',
      '--repository-name',
      'cli/locked',
      '--image-id',
      'imageTag=release',
    ],
    check: ({ output }) =>
      expect(output).toMatchObject({
        imageScanStatus: { status: 'ACTIVE' },
        imageScanFindings: {
          findingSeverityCounts: { MEDIUM: 1 },
          enhancedFindings: [
            {
              awsAccountId: ACCOUNT,
              severity: 'MEDIUM',
              status: 'ACTIVE',
              type: 'PACKAGE_VULNERABILITY',
              packageVulnerabilityDetails: {
                vulnerabilityId: 'CVE-2024-0003',
                vulnerablePackages: [{ name: 'libc', version: '2.36' }],
              },
            },
          ],
        },
      }),
  },
  {
    name: 'describe-image-scan-findings: image not found',
    operation: 'ecr:DescribeImageScanFindings',
    args: () => [
      'ecr',
      'describe-image-scan-findings',
      '--repository-name',
      'cli/locked',
      '--image-id',
      'imageTag=nope',
    ],
    expectError: 'ImageNotFoundException',
  },
  {
    name: 'describe-images: throttled once, retried by the CLI',
    operation: 'ecr:DescribeImages',
    arrange: (f) => f.sim.faults.add({ operation: 'DescribeImages', kind: 'throttle', count: 1 }),
    args: () => [
      'ecr',
      'describe-images',
      '--repository-name',
      'cli/locked',
      '--image-ids',
      'imageTag=release',
    ],
    check: ({ output }, f) => {
      expect((output?.imageDetails as unknown[]).length).toBe(1);
      expect(f.sim.requestLog.slice(-2).map((e) => e.errorCode)).toEqual([
        'ThrottlingException',
        undefined,
      ]);
    },
  },
];

const LIFECYCLE_POLICY = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'expire untagged images',
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 1,
      },
      action: { type: 'expire' },
    },
  ],
});

/** Parameters of the calls to `operation` the current row made (pagination shows here). */
/** The parameters of each `operation` call the row's CLI process made: one per page. */
function pagesOf(run: CliRun, operation: string): unknown[] {
  return (run.requests ?? []).filter((e) => e.operation === operation).map((e) => e.params);
}

const FOREIGN_LAYER = `sha256:${'f'.repeat(64)}`;

/** The manifest with its layer swapped for one no repository holds. */
function foreignManifest(body: string): string {
  const manifest = JSON.parse(body) as { layers: Array<{ digest: string }> };
  manifest.layers[0]!.digest = FOREIGN_LAYER;
  return JSON.stringify(manifest);
}

/** Images already pushed (rows' `args` are synchronous; their `arrange` pushed them). */
let pushedImages: Awaited<ReturnType<EcrState['pushed']>> | undefined;
function pushedNow(_f: F): NonNullable<typeof pushedImages> {
  if (!pushedImages) throw new Error('this row needs `arrange: (f) => f.state.pushed()`');
  return pushedImages;
}

describeCliFidelity<EcrState>('ECR', {
  services: async () => {
    const registry = await startRegistry();
    const ecr = createEcrService(registry);
    const images = new RegistryClient(registry);
    let pushing: ReturnType<EcrState['pushed']> | undefined;
    const pushed = () =>
      (pushing ??= (async () => {
        const app = await pushImage(registry, 'cli/app', ['v1', 'latest'], 'docker', 'app');
        const oci = await pushImage(registry, 'cli/app', ['oci'], 'oci', 'oci');
        const locked = await pushImage(registry, 'cli/locked', ['release'], 'docker', 'locked');
        const lockedOther = await pushImage(registry, 'cli/locked', ['other'], 'docker', 'other');
        pushedImages = { app, oci, locked, lockedOther };
        return pushedImages;
      })());
    return {
      services: [ecr],
      state: { registry, images, ecr, pushed },
      close: () => registry.close(),
    };
  },
  credentials: () => CLI_USER,
  rows,
});

// ---------------------------------------------------------------------------
// Pushing an image through the Registry HTTP API v2 (what `docker push` does).
// ---------------------------------------------------------------------------

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A one-file tar archive (ustar), the content of an image layer. */
function tarOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) =>
    header.write(value, offset, length, 'ascii');
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${data.length.toString(8).padStart(11, '0')}\0`);
  field(136, 12, `${'0'.repeat(11)}\0`);
  field(148, 8, ' '.repeat(8));
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

async function uploadBlob(registry: Registry, repository: string, blob: Buffer): Promise<string> {
  const digest = sha256(blob);
  const authorization = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
  const start = await fetch(`http://${registry.address}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
    headers: { authorization },
  });
  const location = start.headers.get('location');
  if (start.status !== 202 || !location) {
    throw new Error(`registry: starting a blob upload: ${start.status} ${await start.text()}`);
  }
  const url = new URL(location, `http://${registry.address}`);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, {
    method: 'PUT',
    headers: { authorization, 'content-type': 'application/octet-stream' },
    body: blob,
  });
  if (put.status !== 201) {
    throw new Error(`registry: finishing a blob upload: ${put.status} ${await put.text()}`);
  }
  return digest;
}

/** Pushes a one-layer linux/amd64 image in Docker or OCI format under `tags`. */
async function pushImage(
  registry: Registry,
  repository: string,
  tags: string[],
  format: 'docker' | 'oci',
  seed: string,
): Promise<PushedImage> {
  const tar = tarOf('hello.txt', `hello from ${seed}\n`);
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/hello'] },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }),
  );
  const [configDigest, layerDigest] = [
    await uploadBlob(registry, repository, config),
    await uploadBlob(registry, repository, layer),
  ];
  const types =
    format === 'docker'
      ? {
          manifest: DOCKER_MANIFEST,
          config: 'application/vnd.docker.container.image.v1+json',
          layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        }
      : {
          manifest: OCI_MANIFEST,
          config: 'application/vnd.oci.image.config.v1+json',
          layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
        };
  const body = JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: types.manifest,
      config: { mediaType: types.config, size: config.length, digest: configDigest },
      layers: [{ mediaType: types.layer, size: layer.length, digest: layerDigest }],
    },
    null,
    3,
  );
  const client = new RegistryClient(registry);
  for (const tag of tags) {
    const digest = await client.putManifest(repository, tag, body, types.manifest);
    if (digest !== sha256(body)) throw new Error(`registry stored ${digest} for ${sha256(body)}`);
  }
  return {
    digest: sha256(body),
    body,
    mediaType: types.manifest,
    size: config.length + layer.length,
  };
}
