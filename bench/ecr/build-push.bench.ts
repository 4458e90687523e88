/**
 * build-push-ecr, measured against its peers in the same run:
 *
 * 1. The second run for a commit that is already in ECR (skip-if-exists: a
 *    lookup and, here, one extra tag by manifest copy; no docker) against what a
 *    workflow without it does on a re-run: `docker build --no-cache` and
 *    `docker push` of the same image, already signed in.
 * 2. The bundle's cold start: spawning Node 24 on dist/index.js until it has
 *    read and validated its inputs (a bad input, so it stops there), against
 *    spawning Node 24 on an empty script.
 *
 * Real docker daemon and registry, ECR simulated over the registry, as in the
 * end-to-end tests. Run: npm run bench -- bench/ecr
 */
import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startAwsEnvironment, type AwsTestEnvironment } from '../../tools/services/aws-env.js';
import { createEcrService } from '../../tools/aws-sim/services/ecr.js';
import {
  startDockerDaemon,
  startRegistry,
  type DockerDaemon,
  type Registry,
} from '../../tools/services/docker.js';
import { REPO_ROOT, node24Path, runIsolated } from '../../tools/runner/index.mjs';
import { report, timeRuns, type Comparison } from '../support/report.js';

const run = promisify(execFile);
const SHA = 'c0ffee0000000000000000000000000000000001';
const REPETITIONS = 5;

let docker: DockerDaemon;
let registry: Registry;
let aws: AwsTestEnvironment;
let work: string;
let context: string;
let dockerConfig: string;

/** An API-sized image: a few layers of incompressible files, ~24 MB in all. */
function writeContext(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const layers = ['deps', 'app', 'assets'];
  for (const [index, layer] of layers.entries()) {
    mkdirSync(path.join(dir, layer));
    for (let file = 0; file < 8; file += 1) {
      writeFileSync(
        path.join(dir, layer, `part-${file}.bin`),
        randomFillSync(Buffer.alloc(1_000_000 * (index + 1))),
      );
    }
  }
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    `FROM scratch\n${layers.map((l) => `COPY ${l} /${l}`).join('\n')}\n`,
  );
}

function dockerCli(args: string[]) {
  return run('docker', args, {
    env: { ...process.env, DOCKER_HOST: docker.host, DOCKER_CONFIG: dockerConfig },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** `docker login --password-stdin` into the peer's own config, as amazon-ecr-login does. */
function dockerLogin(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'docker',
      ['login', '--username', registry.username, '--password-stdin', registry.address],
      { env: { ...process.env, DOCKER_HOST: docker.host, DOCKER_CONFIG: dockerConfig } },
      (error) => (error ? reject(error) : resolve()),
    );
    child.stdin?.end(registry.password);
  });
}

function buildPush(inputs: Record<string, string>) {
  return runIsolated({
    action: 'build-push-ecr',
    inputs: { ...aws.inputs, repository: 'bench/api', context, ...inputs },
    oidc: aws.oidc,
    simulator: aws.simulator,
    github: { sha: SHA },
    env: { DOCKER_HOST: docker.host },
    timeoutMs: 600_000,
  });
}

beforeAll(async () => {
  [docker, registry] = await Promise.all([startDockerDaemon(), startRegistry()]);
  aws = await startAwsEnvironment({ services: [createEcrService(registry)] });
  work = mkdtempSync(path.join(tmpdir(), 'bench-ecr-'));
  context = path.join(work, 'context');
  dockerConfig = path.join(work, 'docker-config');
  mkdirSync(dockerConfig);
  writeContext(context);
  await dockerLogin();
}, 300_000);

afterAll(async () => {
  await Promise.all([aws?.close(), docker?.close(), registry?.close()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('build-push-ecr: re-run of a built commit, and bundle cold start', async () => {
  const first = await buildPush({ tags: 'first' });
  if (first.exitCode !== 0) throw new Error(`first push failed:\n${first.log}`);

  let extraTag = 0;
  let skippedCalls = 0;
  const rerun = await timeRuns(REPETITIONS, async () => {
    const result = await buildPush({ tags: `rerun-${(extraTag += 1)}` });
    if (result.exitCode !== 0 || result.outputs.skipped !== 'true') {
      throw new Error(`the re-run did not skip:\n${result.log}`);
    }
    skippedCalls = result.requests.length;
  });

  const image = `${registry.address}/bench/api:${SHA}`;
  const rebuild = await timeRuns(REPETITIONS, async () => {
    await dockerCli(['build', '--no-cache', '--quiet', '-t', image, context]);
    await dockerCli(['push', '--quiet', image]);
  });

  const bundle = path.join(REPO_ROOT, 'actions', 'build-push-ecr', 'dist', 'index.js');
  const empty = path.join(work, 'empty.mjs');
  writeFileSync(empty, '');
  const inputEnv = { ...process.env, INPUT_REPOSITORY: 'Not A Valid Name' };
  const coldStart = await timeRuns(REPETITIONS * 2, async () => {
    await run(node24Path(), [bundle], { env: inputEnv }).catch(() => undefined);
  });
  const bareNode = await timeRuns(REPETITIONS * 2, async () => {
    await run(node24Path(), [empty]);
  });

  const comparisons: Comparison[] = [
    {
      scenario: 'Second run for an already-pushed commit (+1 tag)',
      ours: {
        name: 'build-push-ecr (skip-if-exists)',
        samplesMs: rerun,
        counts: { 'AWS calls': skippedCalls },
      },
      peer: { name: 'docker build --no-cache + docker push', samplesMs: rebuild },
    },
    {
      scenario: 'Process start to validated inputs',
      ours: { name: 'dist/index.js under Node 24', samplesMs: coldStart },
      peer: { name: 'node24 on an empty script', samplesMs: bareNode },
    },
  ];
  report('build-push-ecr', comparisons, [
    'The re-run includes the OIDC token request, AssumeRoleWithWebIdentity and the ECR calls; the peer is already signed in. For the cold start, "Peer ÷ ours" below 1 is the cost of loading the bundle on top of Node itself.',
  ]);
});
