/**
 * Every AWS permission the ECR engine needs, in two tables:
 * - ECR_CALLS: the SDK calls the engine sends, keyed by operation. Each call
 *   site names the IAM action of its error messages from here
 *   (`ECR_CALLS.PutImage.action`), so an operation missing from the table is a
 *   compile error.
 * - ECR_REGISTRY_PERMISSIONS: permissions AWS checks on our behalf for work
 *   that is not an SDK call of the engine: docker (or buildx) talks to the
 *   repository through the registry API, which ECR authorizes as IAM actions,
 *   and CreateRepository with a customer managed key makes ECR use the key as
 *   the caller. A push or cache read the registry refuses names them
 *   (registryDenial in registry-denied.ts).
 * test/unit/iam-policies.test.ts derives build-push-ecr's policy from both, and
 * checks that every SDK call is labelled from ECR_CALLS.
 *
 * Resource templates use `{region}`, `{account}`, `{repository}` and `{keyId}`.
 */
export interface EcrCall {
  /** The IAM action, e.g. `ecr:PutImage`. */
  action: string;
  /** The resource it applies to (`*`: the action takes none). */
  resource: string;
  /** When the engine makes the call. */
  when: string;
}

const REPOSITORY = 'arn:aws:ecr:{region}:{account}:repository/{repository}';

export const ECR_CALLS = {
  GetAuthorizationToken: {
    action: 'ecr:GetAuthorizationToken',
    resource: '*',
    when: 'docker login before the build pushes (the action takes no resource)',
  },
  DescribeRepositories: {
    action: 'ecr:DescribeRepositories',
    resource: REPOSITORY,
    when: 'every run that pushes: the repository, its URI and settings',
  },
  CreateRepository: {
    action: 'ecr:CreateRepository',
    resource: REPOSITORY,
    when: 'create-repository: true and the repository does not exist',
  },
  PutLifecyclePolicy: {
    action: 'ecr:PutLifecyclePolicy',
    resource: REPOSITORY,
    when: 'a repository this run created, with lifecycle-keep-images set',
  },
  DescribeImages: {
    action: 'ecr:DescribeImages',
    resource: REPOSITORY,
    when: "skip-if-exists, and the pushed image's digest",
  },
  BatchGetImage: {
    action: 'ecr:BatchGetImage',
    resource: REPOSITORY,
    when: 'adding tags to an existing image (its manifest is copied)',
  },
  PutImage: {
    action: 'ecr:PutImage',
    resource: REPOSITORY,
    when: 'adding tags to an existing image; docker push writes the manifest with it too',
  },
  DescribeImageScanFindings: {
    action: 'ecr:DescribeImageScanFindings',
    resource: REPOSITORY,
    when: 'scan: wait (the default): the scan gate reads the findings',
  },
  StartImageScan: {
    action: 'ecr:StartImageScan',
    resource: REPOSITORY,
    when: 'scan: wait, when the image has no scan (the repository does not scan on push)',
  },
} as const satisfies Record<string, EcrCall>;

export type EcrOperation = keyof typeof ECR_CALLS;

export interface RegistryPermission {
  /** `*`: not an operation the engine sends itself. */
  operation: '*';
  actions: readonly string[];
  resource: string;
  when: string;
}

export const ECR_REGISTRY_PERMISSIONS = {
  pushLayers: {
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
    operation: '*',
    actions: ['ecr:GetDownloadUrlForLayer'],
    resource: REPOSITORY,
    when: 'buildx reads layers: cache: registry, and layers already in the repository (with ecr:BatchGetImage)',
  },
  repositoryKey: {
    operation: '*',
    actions: ['kms:DescribeKey', 'kms:CreateGrant'],
    resource: 'arn:aws:kms:{region}:{account}:key/{keyId}',
    when: 'CreateRepository with encryption kms:<key>: ECR checks the key and creates a grant as the caller',
  },
} as const satisfies Record<string, RegistryPermission>;
