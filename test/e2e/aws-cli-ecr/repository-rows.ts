// ECR CLI fidelity rows, first: credentials for docker login, then the repositories the later
// rows use (cli/app, cli/locked) created, described and given a lifecycle policy.
import { CLI_REGION } from '../../support/aws-cli.js';
import { ACCOUNT, KMS_KEY, type Row, LIFECYCLE_POLICY, pagesOf } from './fixture.js';

export const repositoryRows: Row[] = [
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
];
