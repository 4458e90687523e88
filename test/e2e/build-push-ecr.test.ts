/** @needs docker registry */
// build-push-ecr end to end: the committed bundle under Node 24, a real Docker
// daemon and registry, ECR simulated over the real registry's contents, and
// credentials from GitHub OIDC through the simulator's STS.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAwsEnvironment, type AwsTestEnvironment } from '../../tools/services/aws-env.js';
import { createEcrService, type EcrSimulator } from '../../tools/aws-sim/services/ecr.js';
import {
  startDockerDaemon,
  startRegistry,
  type DockerDaemon,
  type Registry,
} from '../../tools/services/docker.js';
import { runAction, visibleLog, type ActionRun } from '../support/harness.js';
import { RegistryClient } from '../../tools/services/registry-client.js';

const SHA = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
let docker: DockerDaemon;
let registry: Registry;
let ecr: EcrSimulator;
let aws: AwsTestEnvironment;
let images: RegistryClient;
let work: string;
let dockerCalls: string;

/** A `docker` first on PATH that records each invocation, then runs the real one. */
function installDockerRecorder(binDir: string): void {
  const real = (process.env.PATH ?? '')
    .split(':')
    .map((dir) => path.join(dir, 'docker'))
    .find((candidate) => existsSync(candidate));
  if (!real) throw new Error('docker CLI not found on PATH');
  writeFileSync(
    path.join(binDir, 'docker'),
    `#!/bin/sh\necho "$*" >> "${dockerCalls}"\nexec ${real} "$@"\n`,
  );
  chmodSync(path.join(binDir, 'docker'), 0o755);
}

/** A build context whose image can be built offline (FROM scratch). */
function buildContext(name: string, dockerfile = 'FROM scratch\nCOPY hello.txt /\n'): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  writeFileSync(path.join(dir, 'hello.txt'), `hello from ${name}\n`);
  return dir;
}

function dockerInvocations(): string[] {
  return existsSync(dockerCalls)
    ? readFileSync(dockerCalls, 'utf8').trim().split('\n').filter(Boolean)
    : [];
}

async function buildPush(inputs: Record<string, string>, sha = SHA): Promise<ActionRun> {
  rmSync(dockerCalls, { force: true });
  return runAction({
    action: 'build-push-ecr',
    inputs: { ...aws.inputs, ...inputs },
    oidc: aws.oidc,
    simulator: aws.simulator,
    github: { sha },
    env: { DOCKER_HOST: docker.host, PATH: `${path.dirname(dockerCalls)}:${process.env.PATH}` },
  });
}

type Logged = { operation: string; params: Record<string, unknown> };
const operations = (run: ActionRun) => (run.requests as Logged[]).map((r) => r.operation);
const paramsOf = (run: ActionRun, operation: string) =>
  (run.requests as Logged[]).filter((r) => r.operation === operation).map((r) => r.params);

beforeAll(async () => {
  [docker, registry] = await Promise.all([startDockerDaemon(), startRegistry()]);
  ecr = createEcrService(registry);
  aws = await startAwsEnvironment({ services: [ecr] });
  images = new RegistryClient(registry);
  work = mkdtempSync(path.join(tmpdir(), 'bpe-'));
  const binDir = mkdtempSync(path.join(tmpdir(), 'bpe-bin-'));
  dockerCalls = path.join(binDir, 'calls.log');
  installDockerRecorder(binDir);
}, 120_000);

afterAll(async () => {
  await Promise.all([aws?.close(), docker?.close(), registry?.close()]);
  rmSync(work, { recursive: true, force: true });
  rmSync(path.dirname(dockerCalls), { recursive: true, force: true });
});

describe('first push of a commit', () => {
  let run: ActionRun;
  beforeAll(async () => {
    run = await buildPush({
      repository: 'team/api',
      context: buildContext('api'),
      tags: 'latest',
      'tag-mutability': 'MUTABLE',
      'lifecycle-keep-images': '20',
      'fail-on-severity': 'HIGH',
    });
  });

  test('succeeds and outputs the digest the registry reports for the pushed manifest', async () => {
    expect(run.exitCode).toBe(0);
    const manifest = await images.getManifest('team/api', SHA);
    expect(manifest?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.outputs).toMatchObject({
      digest: manifest!.digest,
      image: `${registry.address}/team/api@${manifest!.digest}`,
      'image-tag-uri': `${registry.address}/team/api:${SHA}`,
      'repository-uri': `${registry.address}/team/api`,
      registry: registry.address,
      tags: `${SHA},latest`,
      skipped: 'false',
    });
    expect(JSON.parse(run.outputs['scan-findings']!)).toMatchObject({ CRITICAL: 0, HIGH: 0 });
  });

  test('every tag resolves to that digest (checked through the registry API)', async () => {
    expect(await images.tagsOf('team/api', run.outputs.digest!)).toEqual([SHA, 'latest'].sort());
  });

  test('the repository was created with the requested settings and lifecycle policy', () => {
    expect(paramsOf(run, 'CreateRepository')[0]).toMatchObject({
      repositoryName: 'team/api',
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    const policy = JSON.parse(String(paramsOf(run, 'PutLifecyclePolicy')[0]?.lifecyclePolicyText));
    expect(policy.rules[1].selection).toEqual({
      tagStatus: 'any',
      countType: 'imageCountMoreThan',
      countNumber: 20,
    });
  });

  test('the image carries the OCI labels', async () => {
    const manifest = JSON.parse((await images.getManifest('team/api', SHA))!.body) as {
      config: { digest: string };
    };
    const config = await fetch(
      `http://${registry.address}/v2/team/api/blobs/${manifest.config.digest}`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`,
        },
      },
    ).then((r) => r.json() as Promise<{ config: { Labels: Record<string, string> } }>);
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.source': 'https://github.com/org/app',
    });
  });

  test('the registry password was masked, passed on stdin, and the summary names the image', () => {
    expect(run.masked).toContain(registry.password);
    expect(run.summary).toContain(run.outputs.image);
    // The password went to docker on stdin: it is in no command line.
    expect(dockerInvocations()).toContain(
      `login --username AWS --password-stdin ${registry.address}`,
    );
    expect(dockerInvocations().join(' ')).not.toContain(registry.password);
  });
});

describe('second run for the same commit', () => {
  test('skips the build without running docker, and adds the new tag by manifest copy', async () => {
    const first = await images.getManifest('team/api', SHA);
    const run = await buildPush({
      repository: 'team/api',
      context: buildContext('api'),
      tags: 'latest\nrelease-7',
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ skipped: 'true', digest: first!.digest });
    expect(dockerInvocations()).toEqual([]);
    expect(paramsOf(run, 'PutImage').map((p) => p.imageTag)).toEqual(['release-7']);
    expect(await images.tagsOf('team/api', first!.digest)).toEqual(
      [SHA, 'latest', 'release-7'].sort(),
    );
  });

  test('running it again changes nothing (idempotent)', async () => {
    const run = await buildPush({
      repository: 'team/api',
      context: buildContext('api'),
      tags: 'latest\nrelease-7',
    });
    expect(run.exitCode).toBe(0);
    expect(operations(run)).not.toContain('PutImage');
  });
});

describe('scan gate', () => {
  const sha = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
  beforeAll(async () => {
    const run = await buildPush(
      { repository: 'team/scanned', context: buildContext('scanned'), scan: 'off' },
      sha,
    );
    expect(run.exitCode).toBe(0);
  });

  test('fails on a CRITICAL finding with threshold HIGH, naming it', async () => {
    ecr.setScan('team/scanned', {
      statuses: ['IN_PROGRESS', 'COMPLETE'],
      findings: [
        { id: 'CVE-2024-0001', severity: 'CRITICAL', packageName: 'openssl', version: '3.0.1' },
        { id: 'CVE-2024-0002', severity: 'LOW', packageName: 'zlib', version: '1.2.11' },
      ],
    });
    const run = await buildPush(
      { repository: 'team/scanned', context: buildContext('scanned'), 'fail-on-severity': 'HIGH' },
      sha,
    );
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(
      /1 finding\(s\) at or above HIGH: CVE-2024-0001 \(CRITICAL, openssl 3\.0\.1\)/,
    );
    expect(JSON.parse(run.outputs['scan-findings']!)).toMatchObject({ CRITICAL: 1, LOW: 1 });
    expect(run.summary).toContain('CVE-2024-0001');
  });

  test('passes when that CVE is ignored', async () => {
    const run = await buildPush(
      {
        repository: 'team/scanned',
        context: buildContext('scanned'),
        'fail-on-severity': 'HIGH',
        'ignore-vulnerabilities': 'CVE-2024-0001',
      },
      sha,
    );
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.outputs['scan-findings']!)).toMatchObject({ CRITICAL: 0, LOW: 1 });
  });

  test('a scan that never finishes fails at scan-timeout with the last status', async () => {
    ecr.setScan('team/scanned', { statuses: ['IN_PROGRESS'] });
    const run = await buildPush(
      { repository: 'team/scanned', context: buildContext('scanned'), 'scan-timeout': '3s' },
      sha,
    );
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(
      /The image scan did not finish within 3\.0s \(last status: IN_PROGRESS\)/,
    );
  });

  test('an image ECR cannot scan is reported in plain words, not failed', async () => {
    ecr.setScan('team/scanned', { statuses: ['UNSUPPORTED_IMAGE'] });
    const run = await buildPush(
      { repository: 'team/scanned', context: buildContext('scanned') },
      sha,
    );
    expect(run.exitCode).toBe(0);
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(/ECR cannot scan this image/),
      }),
    );
  });
});

test('a failing Dockerfile fails the step with the build output in an error annotation', async () => {
  const run = await buildPush(
    {
      repository: 'team/broken',
      context: buildContext('broken', 'FROM scratch\nCOPY does-not-exist.txt /\n'),
    },
    'ccccccccccccccccccccccccccccccccccccccc3',
  );
  expect(run.exitCode).toBe(1);
  const annotation = run.annotations.find(
    (a) => a.level === 'error' && /docker build/.test(a.properties.title ?? ''),
  );
  expect(annotation?.message).toMatch(/does-not-exist\.txt/);
  expect(run.log).toMatch(/docker build \(classic builder\) failed with exit code 1/);
  expect(operations(run)).not.toContain('PutImage');
});

describe('bad input fails before any AWS call or docker command', () => {
  test.each([
    [{ repository: 'Team/API' }, /Input 'repository': got "Team\/API"/],
    [
      { repository: 'team/api', 'build-args': 'NOEQUALS' },
      /Input 'build-args': got "NOEQUALS", expected KEY=VALUE lines/,
    ],
    [{ repository: 'team/api', tags: 'bad tag' }, /Input 'tags': got "bad tag"/],
    [
      { repository: 'team/api', 'tag-mutability': 'SOMETIMES' },
      /Input 'tag-mutability': got "SOMETIMES", expected one of MUTABLE, IMMUTABLE/,
    ],
    [{ repository: 'team/api', 'scan-timeout': 'soon' }, /Input 'scan-timeout': got "soon"/],
    [
      { repository: 'team/api', platforms: 'linux/arm64' },
      /platforms \(linux\/arm64\) needs docker buildx, which this runner does not have/,
    ],
    [
      { repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api' },
      /Input 'repository'.*a repository in us-east-1/,
    ],
  ])('%j', async (inputs, message) => {
    const tokens = aws.oidc.tokensIssued;
    const run = await buildPush({ context: buildContext('api'), ...inputs });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(message);
    expect(run.requests).toEqual([]);
    expect(aws.oidc.tokensIssued).toBe(tokens);
    expect(dockerInvocations().filter((c) => !c.startsWith('buildx version'))).toEqual([]);
  });
});

test('a build secret is masked and never printed', async () => {
  const secret = 'npm_s3cr3t_token_value_123';
  const run = await buildPush({
    repository: 'team/api',
    context: buildContext('api'),
    'build-secrets': `npm_token=${secret}`,
  });
  // No buildx here: the step fails before building, and the secret never reached any output.
  expect(run.exitCode).toBe(1);
  expect(run.masked).toContain(secret);
  expect(run.log).toMatch(/build-secrets needs docker buildx/);
  expect(visibleLog(run)).not.toContain(secret);
  expect(run.requests).toEqual([]);
});

test('push: false builds and tags locally with no credentials, no region and no AWS call', async () => {
  rmSync(dockerCalls, { force: true });
  const tokens = aws.oidc.tokensIssued;
  const sha = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
  const run = await runAction({
    action: 'build-push-ecr',
    inputs: {
      repository: 'team/pr-check',
      context: buildContext('pr'),
      push: 'false',
      tags: 'pr-7',
    },
    oidc: aws.oidc,
    simulator: aws.simulator,
    github: { sha },
    env: {
      DOCKER_HOST: docker.host,
      PATH: `${path.dirname(dockerCalls)}:${process.env.PATH}`,
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
    },
  });
  expect(run.exitCode).toBe(0);
  expect(run.requests).toEqual([]);
  expect(aws.oidc.tokensIssued).toBe(tokens);
  expect(run.outputs).toMatchObject({
    image: '',
    digest: '',
    'image-tag-uri': `team/pr-check:${sha}`,
    tags: `${sha},pr-7`,
    skipped: 'false',
  });
  const calls = dockerInvocations();
  expect(calls.some((c) => c.startsWith('build '))).toBe(true);
  expect(calls.filter((c) => /^(login|push)\b/.test(c))).toEqual([]);
  const inspect = execFileSync(
    'docker',
    ['image', 'inspect', '--format', '{{json .RepoTags}}', `team/pr-check:${sha}`],
    { env: { ...process.env, DOCKER_HOST: docker.host }, encoding: 'utf8' },
  );
  expect(JSON.parse(inspect)).toEqual(
    expect.arrayContaining([`team/pr-check:${sha}`, 'team/pr-check:pr-7']),
  );
});

test('cache: registry with push: false is refused before anything runs', async () => {
  const run = await buildPush({
    repository: 'team/api',
    context: buildContext('api'),
    push: 'false',
    cache: 'registry',
  });
  expect(run.exitCode).toBe(1);
  expect(run.log).toMatch(/Input 'cache': got "registry", expected gha or none when push is false/);
  expect(run.requests).toEqual([]);
});
