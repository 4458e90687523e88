import { BUILD_INPUTS_LABEL, buildInputsHash, canonicalBuildInputs } from '@deploy-actions/ecr';

type Hashed = Parameters<typeof buildInputsHash>[0];
const base: Hashed = {
  buildArgs: new Map([
    ['NODE_ENV', 'production'],
    ['API', 'https://x'],
  ]),
  target: 'runtime',
  platforms: ['linux/amd64', 'linux/arm64'],
  dockerfile: 'docker/Dockerfile',
};

describe('buildInputsHash', () => {
  it('is sha256 of a canonical JSON', () => {
    expect(canonicalBuildInputs(base)).toBe(
      '{"buildArgs":[["API","https://x"],["NODE_ENV","production"]],"dockerfile":"docker/Dockerfile","platforms":["linux/amd64","linux/arm64"],"target":"runtime","v":1}',
    );
    expect(buildInputsHash(base)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(BUILD_INPUTS_LABEL).toBe('org.deploy-actions.build-inputs');
  });

  it.each<[string, Partial<Hashed>]>([
    ['build-args in another order', { buildArgs: new Map([...base.buildArgs].reverse()) }],
    ['platforms in another order', { platforms: ['linux/arm64', 'linux/amd64'] }],
    ['a platform repeated', { platforms: ['linux/amd64', 'linux/arm64', 'linux/amd64'] }],
  ])('is the same for %s', (_, change) => {
    expect(buildInputsHash({ ...base, ...change })).toBe(buildInputsHash(base));
  });

  it.each<[string, Partial<Hashed>]>([
    ['a build-arg value', { buildArgs: new Map([...base.buildArgs, ['API', 'https://y']]) }],
    ['a build-arg more', { buildArgs: new Map([...base.buildArgs, ['EXTRA', '']]) }],
    ['no build-args', { buildArgs: new Map() }],
    ['another target', { target: 'test' }],
    ['no target', { target: undefined }],
    ['one platform fewer', { platforms: ['linux/amd64'] }],
    ['no platforms', { platforms: [] }],
    ['another Dockerfile', { dockerfile: 'Dockerfile' }],
    ['the default Dockerfile', { dockerfile: undefined }],
    // A value that would join with its neighbour in a naive `k=v,k=v` form.
    ['a value holding a separator', { buildArgs: new Map([['API', 'https://x"],["NODE_ENV']]) }],
  ])('changes with %s', (_, change) => {
    expect(buildInputsHash({ ...base, ...change })).not.toBe(buildInputsHash(base));
  });

  it('never sees build secrets or labels', () => {
    const withSecrets = {
      ...base,
      buildSecrets: new Map([['npm', 'secret-value']]),
      labels: new Map([['a', 'b']]),
    };
    expect(buildInputsHash(withSecrets)).toBe(buildInputsHash(base));
    expect(canonicalBuildInputs(withSecrets)).not.toContain('secret-value');
  });
});

describe('prepareBuild', () => {
  it('labels the image with its build inputs, over any label of the same name', async () => {
    const { prepareBuild } = await import('@deploy-actions/ecr');
    const build = {
      context: '.',
      dockerfile: 'Dockerfile',
      buildArgs: new Map([['A', '1']]),
      buildSecrets: new Map([['npm', 'secret-value']]),
      target: undefined,
      labels: new Map([[BUILD_INPUTS_LABEL, 'forged']]),
      platforms: [],
      cache: 'none' as const,
      provenance: false,
    };
    const prepared = await prepareBuild(
      {
        repository: { name: 'app' },
        repositorySettings: {
          createIfMissing: true,
          scanOnPush: true,
          tagMutability: 'MUTABLE',
          tagMutabilityExclusions: [],
          encryption: { type: 'AES256' },
          lifecycleKeepImages: undefined,
        },
        extraTags: [],
        build,
        push: true,
        skipIfExists: true,
        scan: { mode: 'off' },
      },
      {
        env: { GITHUB_SHA: 'a'.repeat(40), GITHUB_WORKSPACE: process.cwd() },
        runProcess: async () => ({ exitCode: 0, tail: [] }),
      },
    );
    expect(prepared.build.labels.get(BUILD_INPUTS_LABEL)).toBe(buildInputsHash(build));
  });
});
