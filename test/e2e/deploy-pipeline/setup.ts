// Shared setup of the root action's end-to-end tests: a real Docker daemon and registry behind the
// ECR simulator, the machine's PostgreSQL, the App Runner, CloudFront, Secrets Manager, Logs and
// ECS simulators, s3rver, and a local HTTP server that plays the deployed service: it answers
// according to the image App Runner says is live and is broken for one commit (BAD_SHA).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAwsEnvironment, type AwsTestEnvironment } from '../../../tools/services/aws-env.js';
import type { RequestLogEntry } from '../../../tools/aws-sim/index.js';
import {
  createAppRunnerService,
  type AppRunnerSimulator,
} from '../../../tools/aws-sim/services/apprunner.js';
import {
  createCloudFrontService,
  type CloudFrontSimulator,
} from '../../../tools/aws-sim/services/cloudfront.js';
import { createEcrService } from '../../../tools/aws-sim/services/ecr.js';
import { createEcsService, type EcsSimulator } from '../../../tools/aws-sim/services/ecs.js';
import { createLogsService, type LogsSimulator } from '../../../tools/aws-sim/services/logs.js';
import {
  createSecretsManagerService,
  type SecretsManagerSimulator,
} from '../../../tools/aws-sim/services/secrets-manager.js';
import { createTestDatabase, type TestDatabase } from '../../../tools/services/databases.js';
import {
  startDockerDaemon,
  startRegistry,
  type DockerDaemon,
  type Registry,
} from '../../../tools/services/docker.js';
import { runAction, type ActionRun } from '../../support/harness.js';
import { startScriptedServer, type ScriptedServer } from '../../../tools/services/http-servers.js';
import { RegistryClient } from '../../../tools/services/registry-client.js';
import {
  S3RVER_CREDENTIALS,
  startS3rver,
  type S3rverHandle,
} from '../../../tools/services/s3rver.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
/** How App Runner names the repository's images (the registry behind it is local). */
export const ECR_REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team/api`;
export const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
export const GOOD_SHA = '1111111111111111111111111111111111111111';
export const BAD_SHA = 'baaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaad';
export const ECS_SHA = '3333333333333333333333333333333333333333';
export const HISTORY = 'deploy_actions_schema_history';
export const TEST_TIMEOUT = 300_000;

export let docker: DockerDaemon;
export let registry: Registry;
export let images: RegistryClient;
export let apprunner: AppRunnerSimulator;
export let cloudfront: CloudFrontSimulator;
export let secretsManager: SecretsManagerSimulator;
export let logsSim: LogsSimulator;
export let ecsSim: EcsSimulator;
export let aws: AwsTestEnvironment;
export let s3rver: S3rverHandle;
export let service: ScriptedServer;
export let work: string;
export const databases: TestDatabase[] = [];
/** Versions (commits) whose build is broken: the service answers 500 while one is live. */
export const broken = new Set<string>([BAD_SHA]);

/** The version a live image reports: its tag, or the commit its digest was tagged with. */
export async function versionOf(image: string | undefined): Promise<string> {
  if (image === undefined) return 'none';
  const tag = /:([\w.-]+)$/.exec(image)?.[1];
  if (tag && !image.includes('@')) return tag;
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
  if (!digest) return 'unknown';
  const tags = await images.tagsOf('team/api', digest);
  return tags.find((t) => /^[0-9a-f]{40}$/.test(t)) ?? 'unknown';
}

/** The deployed service of `name`, as a client sees it: /<name>/health. */
export function playService(name: string): string {
  const route = `/${name}/health`;
  service.route(route, async () => {
    const version = await versionOf(apprunner.liveImage(name));
    return broken.has(version)
      ? { status: 500, body: { status: 'error', version } }
      : { status: 200, body: { status: 'ok', version } };
  });
  return `${service.origin}${route}`;
}

export function seedService(name: string): void {
  apprunner.addService({
    name,
    image: `${ECR_REPO}:v1`,
    accessRoleArn: ACCESS_ROLE,
    autoDeployments: false,
    port: '8080',
  });
}

/** A checkout: a Dockerfile whose image differs per commit, migrations, a site. */
export function checkout(label: string, sha: string): string {
  const dir = path.join(work, label);
  mkdirSync(path.join(dir, 'app'), { recursive: true });
  writeFileSync(path.join(dir, 'app/Dockerfile'), 'FROM scratch\nCOPY version.txt /\n');
  writeFileSync(path.join(dir, 'app/version.txt'), `${sha}\n`);
  mkdirSync(path.join(dir, 'db/migrations'), { recursive: true });
  writeFileSync(
    path.join(dir, 'db/migrations/V1__users.sql'),
    'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n',
  );
  writeFileSync(
    path.join(dir, 'db/migrations/V2__users_email.sql'),
    'CREATE UNIQUE INDEX users_email ON users (email);\n',
  );
  return dir;
}

export async function pipeline(
  inputs: Record<string, string>,
  options: { sha?: string; workspace?: string; env?: Record<string, string> } = {},
): Promise<ActionRun> {
  return runAction({
    action: 'deploy',
    inputs,
    oidc: aws.oidc,
    simulator: aws.simulator,
    github: {
      ...(options.sha === undefined ? {} : { sha: options.sha }),
      ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
    },
    env: { DOCKER_HOST: docker.host, ...options.env },
    timeoutMs: 240_000,
  });
}

export async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('postgres');
  databases.push(db);
  return db;
}

export const requests = (run: ActionRun) => run.requests as RequestLogEntry[];
export const operations = (run: ActionRun) =>
  requests(run).map((r) => `${r.service}:${r.operation}`);
export const errorLine = (run: ActionRun) =>
  run.annotations.find((a) => a.level === 'error')?.message ?? '';
/** Where each stage's log group starts: they must come in pipeline order. */
export const groupPositions = (run: ActionRun, names: string[]) =>
  names.map((name) => run.log.indexOf(`::group::${name}`));
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The cells of the job summary's table under `<h3>heading</h3>`, header row first. */
export function summaryTable(summary: string, heading: string): string[][] {
  const match = new RegExp(`<h3>${escapeRegExp(heading)}</h3>[^]*?<table>([^]*?)</table>`).exec(
    summary,
  );
  if (!match) throw new Error(`The summary has no table under "${heading}":\n${summary}`);
  return [...match[1]!.matchAll(/<tr>([^]*?)<\/tr>/g)].map(([, row]) =>
    [...row!.matchAll(/<t[hd]>([^]*?)<\/t[hd]>/g)].map(([, cell]) => cell!),
  );
}

/** A two-or-more-column table as first cell → the other cells. */
export const rowsByName = (table: string[][]) =>
  Object.fromEntries(table.slice(1).map(([name, ...cells]) => [name!, cells]));

/** Starts every service the pipeline talks to for the test file; stops them and drops the databases after. */
export function usePipelineServices(): void {
  beforeAll(async () => {
    [docker, registry, s3rver] = await Promise.all([
      startDockerDaemon(),
      startRegistry(),
      startS3rver(),
    ]);
    images = new RegistryClient(registry);
    apprunner = createAppRunnerService({ operationDurationMs: 300, rollbackDurationMs: 200 });
    cloudfront = createCloudFrontService({ invalidationDurationMs: 300 });
    secretsManager = createSecretsManagerService();
    logsSim = createLogsService();
    // ECS resolves a container's secret as the task execution role would: from Secrets Manager.
    ecsSim = createEcsService({
      logs: logsSim,
      resolveSecret: (id) =>
        [...secretsManager.secrets.values()]
          .find((secret) => secret.arn === id || secret.name === id)
          ?.versions.find((version) => version.stages.includes('AWSCURRENT'))?.value,
    });
    aws = await startAwsEnvironment({
      services: [
        createEcrService(registry),
        apprunner,
        cloudfront,
        secretsManager,
        logsSim,
        ecsSim,
      ],
    });
    ecsSim.control.addCluster('app', { region: REGION });
    aws.simulator.addCredentials({
      ...S3RVER_CREDENTIALS,
      arn: `arn:aws:iam::${ACCOUNT}:user/deployer`,
    });
    service = await startScriptedServer({});
    work = mkdtempSync(path.join(tmpdir(), 'deploy-pipeline-'));
  }, 180_000);

  afterAll(async () => {
    await ecsSim?.control.close();
    await Promise.all([
      aws?.close(),
      docker?.close(),
      registry?.close(),
      service?.close(),
      ...databases.map((db) => db.drop()),
    ]);
    await s3rver?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });
}
