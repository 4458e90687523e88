// skip-if-exists reuses the commit's image only when its build-inputs label
// matches this build's: read from the image config through the registry API.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import {
  MemoryLogger,
  UserError,
  type ProcessResult,
  type RunProcess,
} from '@deploy-actions/action-kit/engine';
import {
  BUILD_INPUTS_LABEL,
  buildAndPush,
  buildInputsHash,
  type BuildPushOptions,
  type Fetch,
} from '@deploy-actions/ecr';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const ARN = 'arn:aws:ecr:eu-west-1:123456789012:repository/team/api';
const EXISTING = `sha256:${'e'.repeat(64)}`;
const CONFIG = `sha256:${'c'.repeat(64)}`;
const CHILD = `sha256:${'1'.repeat(64)}`;
const TOKEN = Buffer.from('AWS:pw').toString('base64');

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'skip-if-exists-'));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

const options = (buildArgs: Record<string, string>): BuildPushOptions => ({
  repository: { name: 'team/api' },
  repositorySettings: {
    createIfMissing: false,
    scanOnPush: true,
    tagMutability: 'MUTABLE',
    tagMutabilityExclusions: [],
    encryption: { type: 'AES256' },
    lifecycleKeepImages: undefined,
  },
  sha: 'abc123',
  extraTags: [],
  build: {
    context: '.',
    dockerfile: undefined,
    buildArgs: new Map(Object.entries(buildArgs)),
    buildSecrets: new Map(),
    target: undefined,
    labels: new Map(),
    platforms: [],
    cache: 'none',
    provenance: false,
  },
  push: true,
  skipIfExists: true,
  scan: { mode: 'off' },
  tempDir: temp,
});

interface World {
  /** The existing image's labels; undefined: the registry refuses the config. */
  labels: Record<string, string> | undefined;
  mutability?: 'MUTABLE' | 'IMMUTABLE';
  /** The tag points at an index (a multi-platform image). */
  index?: boolean;
}

function run(build: BuildPushOptions, world: World) {
  const sent: string[] = [];
  const docker: (readonly string[])[] = [];
  const fetched: { url: string; authorization: string | undefined }[] = [];
  const image = (manifest: object) => ({
    images: [{ imageManifest: JSON.stringify(manifest) }],
  });
  const ecr = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push(command.constructor.name);
      switch (command.constructor.name) {
        case 'DescribeRepositoriesCommand':
          return {
            repositories: [
              {
                repositoryName: 'team/api',
                repositoryUri: `${HOST}/team/api`,
                registryId: '123456789012',
                repositoryArn: ARN,
                imageTagMutability: world.mutability ?? 'MUTABLE',
              },
            ],
          };
        case 'DescribeImagesCommand':
          return { imageDetails: [{ imageDigest: EXISTING, imageTags: ['abc123'] }] };
        case 'BatchGetImageCommand': {
          const digest = (command.input.imageIds as { imageDigest: string }[])[0]!.imageDigest;
          if (digest === EXISTING && world.index) {
            return image({ manifests: [{ digest: CHILD, platform: { os: 'linux' } }] });
          }
          expect(digest).toBe(world.index ? CHILD : EXISTING);
          return image({ config: { digest: CONFIG }, layers: [] });
        }
        case 'GetAuthorizationTokenCommand':
          return {
            authorizationData: [{ authorizationToken: TOKEN, proxyEndpoint: `https://${HOST}` }],
          };
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    },
  } as unknown as ECRClient;
  const fetch: Fetch = async (url, init) => {
    fetched.push({ url, authorization: init.headers.authorization });
    if (world.labels === undefined) return new Response('denied', { status: 403 });
    return Response.json({ architecture: 'amd64', config: { Labels: world.labels } });
  };
  const runProcess: RunProcess = async (command, args): Promise<ProcessResult> => {
    docker.push(args);
    if (args[0] === 'buildx') return { exitCode: 1, tail: ["'buildx' is not a docker command."] };
    return { exitCode: 0, tail: [] };
  };
  const logger = new MemoryLogger();
  const result = buildAndPush(build, {
    ecr,
    runProcess,
    logger,
    fetch,
    region: 'eu-west-1',
    env: { HOME: temp },
  });
  const built = () => docker.some((args) => args[0] === 'build');
  return { result, sent, fetched, logger, built };
}

const labelled = (build: BuildPushOptions) => ({
  [BUILD_INPUTS_LABEL]: buildInputsHash(build.build),
  'org.opencontainers.image.revision': 'abc123',
});

describe('skip-if-exists', () => {
  it('reuses the image built from the same commit with the same inputs', async () => {
    const build = options({ NODE_ENV: 'production' });
    const world = run(build, { labels: labelled(build) });
    const result = await world.result;
    expect(result.skipped).toBe(true);
    expect(result.digest).toBe(EXISTING);
    expect(world.built()).toBe(false);
    expect(world.fetched).toEqual([
      { url: `https://${HOST}/v2/team/api/blobs/${CONFIG}`, authorization: `Basic ${TOKEN}` },
    ]);
    expect(world.logger.masked).toContain(TOKEN);
    expect(world.logger.text()).toContain('skipping the build');
  });

  it('reads the label of a multi-platform image from its first image', async () => {
    const build = options({});
    const world = run(build, { labels: labelled(build), index: true });
    expect((await world.result).skipped).toBe(true);
  });

  it('builds again when the same commit was built with other build-args, saying why', async () => {
    const before = options({ NODE_ENV: 'staging' });
    const world = run(options({ NODE_ENV: 'production' }), { labels: labelled(before) });
    const result = await world.result;
    expect(result.skipped).toBe(false);
    expect(world.built()).toBe(true);
    expect(world.logger.text()).toMatch(
      /already exists \(sha256:e+\) but it was built with other inputs .*: building again\./,
    );
  });

  it('builds again when the image has no label or it cannot be read (tags may move)', async () => {
    const unlabelled = run(options({}), { labels: {} });
    expect((await unlabelled.result).skipped).toBe(false);
    expect(unlabelled.logger.text()).toContain(`it has no ${BUILD_INPUTS_LABEL} label`);
    const refused = run(options({}), { labels: undefined });
    expect((await refused.result).skipped).toBe(false);
    expect(refused.logger.text()).toContain('the registry answered 403');
  });

  it('refuses, before building, when other inputs would rebuild under an immutable tag', async () => {
    const before = options({ NODE_ENV: 'staging' });
    const world = run(options({ NODE_ENV: 'production' }), {
      labels: labelled(before),
      mutability: 'IMMUTABLE',
    });
    const failure = await world.result.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as UserError).message).toMatch(/tags are immutable/);
    expect(world.built()).toBe(false);
  });

  it('reuses an unlabelled image under an immutable tag, with a warning', async () => {
    const world = run(options({}), { labels: {}, mutability: 'IMMUTABLE' });
    expect((await world.result).skipped).toBe(true);
    expect(world.logger.text()).toMatch(/warning: .* it is reused unverified/);
  });

  it('never puts a build secret in the label', () => {
    const build = options({});
    const withSecret = { ...build.build, buildSecrets: new Map([['npm', 'secret-value']]) };
    expect(buildInputsHash(withSecret)).toBe(buildInputsHash(build.build));
  });
});
