/**
 * Every AWS permission the ECR engine needs, in one table (ECR_CALLS):
 * - the SDK calls the engine sends, keyed by operation; each call site goes
 *   through callWith(ECR_CALLS, '<Operation>', …), so an operation missing
 *   from the table is a compile error;
 * - permissions AWS checks on our behalf (`operation: '*'`) for work that is
 *   not an SDK call of the engine: docker (or buildx) talks to the repository
 *   through the registry API, which ECR authorizes as IAM actions, and
 *   CreateRepository with a customer managed key makes ECR use the key as the
 *   caller. A push or cache read the registry refuses names them
 *   (registryDenial in registry-denied.ts).
 * test/unit/iam-policies.test.ts compares build-push-ecr's policy with it.
 *
 * Resource templates use `{region}`, `{account}`, `{repository}` and `{keyId}`.
 */
import { defineCalls, type AwsCall, type CallName } from '@deploy-actions/aws';

/** Old names of this engine's entry types: every entry is the suite-wide AwsCall. */
export type EcrCall = AwsCall;
export type RegistryPermission = AwsCall;

const REPOSITORY = 'arn:aws:ecr:{region}:{account}:repository/{repository}';

export const ECR_CALLS = defineCalls({
  GetAuthorizationToken: {
    service: 'ecr',
    operation: 'GetAuthorizationToken',
    actions: ['ecr:GetAuthorizationToken'],
    resource: '*',
    when: 'docker login before the build pushes, and skip-if-exists reading the existing image config (the action takes no resource)',
  },
  DescribeRepositories: {
    service: 'ecr',
    operation: 'DescribeRepositories',
    actions: ['ecr:DescribeRepositories'],
    resource: REPOSITORY,
    when: 'every run that pushes: the repository, its URI and settings',
  },
  CreateRepository: {
    service: 'ecr',
    operation: 'CreateRepository',
    actions: ['ecr:CreateRepository'],
    resource: REPOSITORY,
    when: 'create-repository: true and the repository does not exist',
  },
  PutLifecyclePolicy: {
    service: 'ecr',
    operation: 'PutLifecyclePolicy',
    actions: ['ecr:PutLifecyclePolicy'],
    resource: REPOSITORY,
    when: 'a repository this run created, with lifecycle-keep-images set',
  },
  DescribeImages: {
    service: 'ecr',
    operation: 'DescribeImages',
    actions: ['ecr:DescribeImages'],
    resource: REPOSITORY,
    when: "skip-if-exists, and the pushed image's digest",
  },
  BatchGetImage: {
    service: 'ecr',
    operation: 'BatchGetImage',
    actions: ['ecr:BatchGetImage'],
    resource: REPOSITORY,
    when: 'skip-if-exists (the existing image manifest, to read its build-inputs label) and adding tags to an existing image (its manifest is copied)',
  },
  PutImage: {
    service: 'ecr',
    operation: 'PutImage',
    actions: ['ecr:PutImage'],
    resource: REPOSITORY,
    when: 'adding tags to an existing image; docker push writes the manifest with it too',
  },
  DescribeImageScanFindings: {
    service: 'ecr',
    operation: 'DescribeImageScanFindings',
    actions: ['ecr:DescribeImageScanFindings'],
    resource: REPOSITORY,
    when: 'scan: wait (the default): the scan gate reads the findings',
  },
  StartImageScan: {
    service: 'ecr',
    operation: 'StartImageScan',
    actions: ['ecr:StartImageScan'],
    resource: REPOSITORY,
    when: 'scan: wait, when the image has no scan (the repository does not scan on push)',
  },
  pushLayers: {
    service: 'ecr',
    operation: '*',
    actions: [
      'ecr:BatchCheckLayerAvailability',
      'ecr:InitiateLayerUpload',
      'ecr:UploadLayerPart',
      'ecr:CompleteLayerUpload',
    ],
    resource: REPOSITORY,
    when: 'docker push / buildx --push uploads layers (the manifest is ecr:PutImage)',
  },
  readLayers: {
    service: 'ecr',
    operation: '*',
    actions: ['ecr:GetDownloadUrlForLayer'],
    resource: REPOSITORY,
    when: 'buildx reads layers: cache: registry, and layers already in the repository (with ecr:BatchGetImage); skip-if-exists reads the existing image config',
  },
  repositoryKey: {
    service: 'kms',
    operation: '*',
    actions: ['kms:DescribeKey', 'kms:CreateGrant'],
    resource: 'arn:aws:kms:{region}:{account}:key/{keyId}',
    when: 'CreateRepository with encryption kms:<key>: ECR checks the key and creates a grant as the caller',
  },
});

export type EcrOperation = CallName<typeof ECR_CALLS>;

/** The table's permissions AWS checks on our behalf (its `operation: '*'` entries), by name. */
export const ECR_REGISTRY_PERMISSIONS = {
  pushLayers: ECR_CALLS.pushLayers,
  readLayers: ECR_CALLS.readLayers,
  repositoryKey: ECR_CALLS.repositoryKey,
} as const;
