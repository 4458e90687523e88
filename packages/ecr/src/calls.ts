/**
 * Permissions AWS checks on our behalf for work that is not an SDK call of the
 * engine: docker (or buildx) talks to the repository through the registry API,
 * which ECR authorizes as IAM actions, and CreateRepository with a customer
 * managed key makes ECR use the key as the caller. The SDK calls themselves are
 * labelled where they are made (`callAws({ action: 'ecr:…' }, …)`).
 * test/unit/iam-policies.test.ts derives build-push-ecr's policy from both.
 */
export interface RegistryPermission {
  /** `*`: not an operation the engine sends itself. */
  operation: '*';
  actions: readonly string[];
  resource: string;
  when: string;
}

const REPOSITORY = 'arn:aws:ecr:{region}:{account}:repository/{repository}';

export const ECR_REGISTRY_PERMISSIONS: readonly RegistryPermission[] = [
  {
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
  {
    operation: '*',
    actions: ['ecr:GetDownloadUrlForLayer'],
    resource: REPOSITORY,
    when: 'buildx reads layers: cache: registry, and layers already in the repository (with ecr:BatchGetImage)',
  },
  {
    operation: '*',
    actions: ['kms:DescribeKey', 'kms:CreateGrant'],
    resource: 'arn:aws:kms:{region}:{account}:key/{keyId}',
    when: 'CreateRepository with encryption kms:<key>: ECR checks the key and creates a grant as the caller',
  },
];
