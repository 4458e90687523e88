import { InputError, UserError } from '@deploy-actions/action-kit/engine';
import {
  buildCommand,
  commitSha,
  imageTags,
  judge,
  lifecyclePolicy,
  parseRepository,
  secretEnvName,
  type BuildOptions,
} from '@deploy-actions/ecr';

describe('parseRepository', () => {
  test.each([
    ['api', { name: 'api' }],
    ['team/api-server', { name: 'team/api-server' }],
    ['a.b_c-d/e', { name: 'a.b_c-d/e' }],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api',
      {
        name: 'team/api',
        registryHost: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        registryId: '123456789012',
        region: 'eu-west-1',
      },
    ],
    ['127.0.0.1:5000/api', { name: 'api', registryHost: '127.0.0.1:5000' }],
  ])('%s', (value, expected) => {
    expect(parseRepository(value)).toEqual(expected);
  });

  test.each([
    'API',
    'a',
    'team//api',
    '-api',
    'api:latest',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api@sha256:abc',
    'team/api_',
  ])('rejects %j naming the input', (value) => {
    expect(() => parseRepository(value)).toThrow(InputError);
    expect(() => parseRepository(value)).toThrow(/^Input 'repository': got /);
  });
});

describe('tags', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  test('commit SHA first, extras once, validated', () => {
    expect(imageTags(sha, ['latest', 'v1.2.3', 'latest'])).toEqual([sha, 'latest', 'v1.2.3']);
    expect(() => imageTags(sha, ['bad tag'])).toThrow(/^Input 'tags': got "bad tag"/);
    expect(() => imageTags(sha, ['.hidden'])).toThrow(InputError);
    expect(() => imageTags(sha, ['x'.repeat(129)])).toThrow(InputError);
  });

  test('pull_request events use the head SHA, not the merge SHA', () => {
    const head = 'fedcba9876543210fedcba9876543210fedcba98';
    const event = JSON.stringify({ pull_request: { head: { sha: head } } });
    expect(
      commitSha(
        { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: '/e.json', GITHUB_SHA: sha },
        () => event,
      ),
    ).toBe(head);
    expect(
      commitSha(
        { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: '/e.json', GITHUB_SHA: sha },
        () => event,
      ),
    ).toBe(sha);
  });

  test('a missing or short GITHUB_SHA is a clear error', () => {
    expect(() => commitSha({ GITHUB_SHA: 'abc' })).toThrow(UserError);
    expect(() => commitSha({})).toThrow(/GITHUB_SHA is not set/);
  });
});

describe('buildCommand', () => {
  const options: BuildOptions = {
    context: 'app',
    dockerfile: 'app/Dockerfile.prod',
    buildArgs: new Map([['NODE_ENV', 'production']]),
    buildSecrets: new Map(),
    target: 'runtime',
    labels: new Map([['org.opencontainers.image.revision', 'abc']]),
    platforms: [],
    cache: 'none',
    provenance: false,
    tagReferences: ['r.example/api:abc', 'r.example/api:latest'],
    push: true,
    repositoryUri: 'r.example/api',
    metadataFile: '/tmp/meta.json',
  };

  test.each<[string, Partial<BuildOptions>, boolean, string[]]>([
    [
      'classic builder builds and tags; pushing is separate',
      {},
      false,
      [
        'build',
        '--file',
        'app/Dockerfile.prod',
        '--target',
        'runtime',
        '--build-arg',
        'NODE_ENV=production',
        '--label',
        'org.opencontainers.image.revision=abc',
        '--tag',
        'r.example/api:abc',
        '--tag',
        'r.example/api:latest',
        'app',
      ],
    ],
    [
      'buildx pushes from the builder with attestations off and a metadata file',
      {},
      true,
      [
        'buildx',
        'build',
        '--file',
        'app/Dockerfile.prod',
        '--target',
        'runtime',
        '--build-arg',
        'NODE_ENV=production',
        '--label',
        'org.opencontainers.image.revision=abc',
        '--tag',
        'r.example/api:abc',
        '--tag',
        'r.example/api:latest',
        '--provenance=false',
        '--sbom=false',
        '--metadata-file',
        '/tmp/meta.json',
        '--push',
        'app',
      ],
    ],
    [
      'buildx registry cache in the ECR-compatible form, platforms, provenance on, load when not pushing',
      {
        cache: 'registry',
        platforms: ['linux/amd64', 'linux/arm64'],
        provenance: true,
        push: false,
        dockerfile: undefined,
        target: undefined,
        buildArgs: new Map(),
        labels: new Map(),
        tagReferences: ['r.example/api:abc'],
      },
      true,
      [
        'buildx',
        'build',
        '--tag',
        'r.example/api:abc',
        '--platform',
        'linux/amd64,linux/arm64',
        '--cache-from',
        'type=registry,ref=r.example/api:buildcache',
        '--cache-to',
        'type=registry,ref=r.example/api:buildcache,mode=max,image-manifest=true,oci-mediatypes=true',
        '--provenance=true',
        '--sbom=true',
        '--metadata-file',
        '/tmp/meta.json',
        '--load',
        'app',
      ],
    ],
  ])('%s', (_, overrides, buildx, args) => {
    expect(buildCommand({ ...options, ...overrides }, buildx).args).toEqual(args);
  });

  test('build secrets travel in the environment, never in the arguments', () => {
    const command = buildCommand(
      { ...options, buildSecrets: new Map([['npm-token', 's3cr3t-value']]) },
      true,
    );
    expect(command.args.join(' ')).not.toContain('s3cr3t-value');
    expect(command.args).toContain(`id=npm-token,env=${secretEnvName('npm-token')}`);
    expect(command.env).toEqual({ DEPLOY_ACTIONS_BUILD_SECRET_NPM_TOKEN: 's3cr3t-value' });
  });

  test.each<[string, Partial<BuildOptions>, RegExp]>([
    [
      'platforms',
      { platforms: ['linux/arm64'] },
      /^platforms \(linux\/arm64\) needs docker buildx/,
    ],
    [
      'build secrets',
      { buildSecrets: new Map([['a', 'b']]) },
      /^build-secrets needs docker buildx/,
    ],
    ['gha cache', { cache: 'gha' }, /^cache: gha needs docker buildx/],
    ['registry cache', { cache: 'registry' }, /^cache: registry needs docker buildx/],
  ])('the classic builder refuses %s with a clear error', (_, overrides, message) => {
    expect(() => buildCommand({ ...options, ...overrides }, false)).toThrow(message);
  });
});

describe('lifecyclePolicy', () => {
  test('expires untagged images first, then keeps the newest N', () => {
    expect(JSON.parse(lifecyclePolicy(30))).toEqual({
      rules: [
        expect.objectContaining({
          rulePriority: 1,
          selection: {
            tagStatus: 'untagged',
            countType: 'sinceImagePushed',
            countUnit: 'days',
            countNumber: 1,
          },
        }),
        expect.objectContaining({
          rulePriority: 2,
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
        }),
      ],
    });
  });
});

describe('judge (scan findings)', () => {
  const page = (status: string, findings: Array<[string, string]>, enhanced = false) => ({
    $metadata: {},
    imageScanStatus: { status: status as 'COMPLETE' },
    imageScanFindings: enhanced
      ? {
          enhancedFindings: findings.map(([id, severity]) => ({
            severity,
            packageVulnerabilityDetails: {
              vulnerabilityId: id,
              vulnerablePackages: [{ name: 'openssl', version: '3.0.1', fixedInVersion: '3.0.9' }],
            },
          })),
        }
      : {
          findings: findings.map(([id, severity]) => ({
            name: id,
            severity: severity as 'HIGH',
            attributes: [
              { key: 'package_name', value: 'openssl' },
              { key: 'package_version', value: '3.0.1' },
            ],
          })),
        },
  });

  test('a CRITICAL finding blocks at threshold HIGH; ignoring it unblocks', () => {
    const pages = [
      page('COMPLETE', [
        ['CVE-2024-1', 'CRITICAL'],
        ['CVE-2024-2', 'LOW'],
      ]),
    ];
    const blocked = judge(pages, { failOn: 'HIGH', ignore: new Set() });
    expect(blocked).toMatchObject({
      status: 'COMPLETE',
      counts: { CRITICAL: 1, LOW: 1, HIGH: 0 },
      blocking: [{ id: 'CVE-2024-1', packageName: 'openssl', installedVersion: '3.0.1' }],
    });
    expect(judge(pages, { failOn: 'HIGH', ignore: new Set(['CVE-2024-1']) })).toMatchObject({
      blocking: [],
      ignored: 1,
      counts: { CRITICAL: 0 },
    });
    expect(judge(pages, { failOn: 'none', ignore: new Set() })).toMatchObject({ blocking: [] });
    expect(judge(pages, { failOn: 'LOW', ignore: new Set() })).toMatchObject({
      blocking: [{ id: 'CVE-2024-1' }, { id: 'CVE-2024-2' }],
    });
  });

  test('enhanced (Inspector) findings carry the fixed version', () => {
    expect(
      judge([page('ACTIVE', [['CVE-2025-9', 'HIGH']], true)], {
        failOn: 'HIGH',
        ignore: new Set(),
      }),
    ).toMatchObject({
      status: 'ACTIVE',
      blocking: [{ id: 'CVE-2025-9', fixedVersion: '3.0.9' }],
    });
  });

  test.each([
    'UNSUPPORTED_IMAGE',
    'SCAN_ELIGIBILITY_EXPIRED',
    'FINDINGS_UNAVAILABLE',
    'LIMIT_EXCEEDED',
  ])('%s has a plain message', (status) => {
    const outcome = judge([page(status, [])], { failOn: 'HIGH', ignore: new Set() });
    expect(outcome.status).toBe(status);
    expect('message' in outcome && outcome.message.length).toBeGreaterThan(20);
  });
});
