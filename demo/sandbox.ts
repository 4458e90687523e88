/**
 * The demo's sandbox: everything a deploy talks to, on this machine, with no AWS account.
 *
 * - The AWS simulator (tools/aws-sim): ECR, App Runner, CloudFront, Secrets Manager and
 *   STS, speaking the real wire protocols and checking SigV4 signatures.
 * - s3rver, a real S3 server, holding the front end's bucket.
 * - Where installed: a Docker daemon and a Docker registry (ECR's images live there) and
 *   PostgreSQL (the database the migrations change). What is missing is reported with the
 *   command that installs it, and the stages that need it are skipped.
 * - A stand-in for App Runner's runtime: App Runner itself is simulated as an API, so nothing
 *   would answer the service's URL. The stand-in answers as the image App Runner reports live:
 *   it reads routes.json out of that image's layers in the registry and serves those routes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startAwsSimulator, type AwsSimulator } from '../tools/aws-sim/index.js';
import {
  createAppRunnerService,
  type AppRunnerSimulator,
} from '../tools/aws-sim/services/apprunner.js';
import {
  createCloudFrontService,
  type CloudFrontSimulator,
  type DistributionInfo,
} from '../tools/aws-sim/services/cloudfront.js';
import { createEcrService } from '../tools/aws-sim/services/ecr.js';
import {
  createSecretsManagerService,
  type SecretsManagerSimulator,
} from '../tools/aws-sim/services/secrets-manager.js';
import { createTestDatabase, type TestDatabase } from '../tools/services/databases.js';
import {
  missingContainerTools,
  startDockerDaemon,
  startRegistry,
  type DockerDaemon,
  type Registry,
} from '../tools/services/docker.js';
import { RegistryClient } from '../tools/services/registry-client.js';
import { postgresHint, postgresServer } from './notes.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../tools/services/s3rver.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
/** The host name ECR image URIs carry in this account and region. */
export const ECR_HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const SERVICE = 'demo-shop-api';
export const BUCKET = 'demo-shop-web';
export const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
export const DATABASE_SECRET = 'demo-shop/database-url';

export interface Sandbox {
  simulator: AwsSimulator;
  apprunner: AppRunnerSimulator;
  cloudfront: CloudFrontSimulator;
  secrets: SecretsManagerSimulator;
  s3: S3rverHandle;
  distribution: DistributionInfo;
  /** Present when dockerd, docker-registry and htpasswd are installed and started. */
  docker?: DockerDaemon;
  registry?: Registry;
  /** Present when PostgreSQL answered. */
  database?: TestDatabase;
  runtime: ApiRuntime;
  /** Parts that could not run, each with what to do about it. */
  missing: string[];
  /** The environment every action run gets: endpoints, credentials, region, DOCKER_HOST. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** How long App Runner operations take (IN_PROGRESS, ROLLBACK_IN_PROGRESS). */
  operationMs?: number;
  rollbackMs?: number;
  invalidationMs?: number;
  /** Leave the container parts out even when installed (tests of the fallback). */
  withoutContainers?: boolean;
  withoutDatabase?: boolean;
  /** Called as each part starts. */
  progress?: (line: string) => void;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const progress = options.progress ?? (() => undefined);
  const missing: string[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    let docker: DockerDaemon | undefined;
    let registry: Registry | undefined;
    const containersMissing = options.withoutContainers
      ? 'left out on request'
      : missingContainerTools();
    if (containersMissing) {
      missing.push(`Docker daemon and registry: ${containersMissing}`);
    } else {
      try {
        progress('starting a Docker daemon and a Docker registry (ECR stores its images there)');
        [docker, registry] = await Promise.all([startDockerDaemon(), startRegistry()]);
      } catch (error) {
        missing.push(
          `Docker daemon and registry: they did not start (${firstLine(error)}). dockerd needs root: run the demo as root, or in a container started with --privileged.`,
        );
        await docker?.close();
        await registry?.close();
        docker = undefined;
        registry = undefined;
      }
      if (docker) closers.push(() => docker!.close());
      if (registry) closers.push(() => registry!.close());
    }

    let database: TestDatabase | undefined;
    if (options.withoutDatabase) {
      missing.push('PostgreSQL: left out on request');
    } else {
      progress('creating a database on the local PostgreSQL');
      try {
        database = await createTestDatabase('postgres');
        closers.push(() => database!.drop());
      } catch (error) {
        missing.push(postgresHint(postgresServer(), error));
      }
    }

    progress('starting the AWS simulator (ECR, App Runner, CloudFront, Secrets Manager, STS)');
    const simulator = await startAwsSimulator();
    closers.push(() => simulator.close());
    const apprunner = createAppRunnerService({
      operationDurationMs: options.operationMs ?? 3000,
      rollbackDurationMs: options.rollbackMs ?? 2000,
    });
    const cloudfront = createCloudFrontService({
      invalidationDurationMs: options.invalidationMs ?? 1500,
    });
    const secrets = createSecretsManagerService();
    simulator.register(apprunner);
    simulator.register(cloudfront);
    simulator.register(secrets);
    if (registry) simulator.register(createEcrService(registry));
    // Credentials as after aws-actions/configure-aws-credentials (the default chain). s3rver
    // accepts only its own key, so the simulator is told to accept that key too.
    simulator.addCredentials({
      ...S3RVER_CREDENTIALS,
      arn: `arn:aws:iam::${ACCOUNT}:user/demo-deployer`,
    });
    if (database) secrets.addSecret(DATABASE_SECRET, database.url);

    progress('starting s3rver (S3) with the front end bucket');
    const s3 = await startS3rver();
    closers.push(() => s3.close());
    await s3.createBucket(BUCKET);
    const distribution = cloudfront.addDistribution({
      bucket: BUCKET,
      region: REGION,
      defaultRootObject: 'index.html',
      comment: 'demo shop front end',
    });

    const runtime = await startApiRuntime(apprunner, registry);
    closers.push(() => runtime.close());

    const home = await mkdtemp(path.join(tmpdir(), 'demo-home-'));
    closers.push(() => rm(home, { recursive: true, force: true }));
    const env: Record<string, string> = {
      ...simulator.endpointEnv(),
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: REGION,
      AWS_CONFIG_FILE: path.join(home, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      // docker login writes here, not into the user's ~/.docker.
      DOCKER_CONFIG: path.join(home, '.docker'),
      ...(docker ? { DOCKER_HOST: docker.host } : {}),
      GITHUB_REPOSITORY: 'org/demo-shop',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_EVENT_NAME: 'push',
    };
    return {
      simulator,
      apprunner,
      cloudfront,
      secrets,
      s3,
      distribution,
      docker,
      registry,
      database,
      runtime,
      missing,
      env,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The caller's environment without anything that would steer a run elsewhere (AWS, GitHub, Docker). */
export function cleanBaseEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || /^(AWS_|GITHUB_|ACTIONS_|RUNNER_|DOCKER_|INPUT_)/.test(name))
      continue;
    clean[name] = value;
  }
  return clean;
}

function firstLine(error: unknown): string {
  // Not `instanceof Error`: errors from modules jest loads come from another realm.
  const message = (error as { message?: unknown } | undefined)?.message;
  return (typeof message === 'string' ? message : String(error)).split('\n')[0] ?? '';
}

/** `<host>/<repository>(:tag|@digest)` → the same image under the account's ECR host name. */
export function asEcrImage(image: string): string {
  return image.replace(/^[^/]+\//, `${ECR_HOST}/`);
}

// --- The stand-in for App Runner's runtime ------------------------------------------------

export interface ApiRuntime {
  /** http://127.0.0.1:<port>: what the service's URL would answer. */
  origin: string;
  close(): Promise<void>;
}

interface Route {
  status: number;
  body: unknown;
}

/** Answers every request as the image App Runner reports live for SERVICE would. */
export async function startApiRuntime(
  apprunner: AppRunnerSimulator,
  registry: Registry | undefined,
): Promise<ApiRuntime> {
  const client = registry ? new RegistryClient(registry) : undefined;
  const routesOf = new Map<string, Promise<Record<string, Route>>>();
  const liveRoutes = async (): Promise<Record<string, Route> | undefined> => {
    let image: string | undefined;
    try {
      image = apprunner.liveImage(SERVICE);
    } catch {
      return undefined; // no such service yet
    }
    if (!image || !client || !registry) return undefined;
    const match = /^[^/]+\/(.+?)(?:@(sha256:[0-9a-f]{64})|:([\w][\w.-]*))$/.exec(image);
    if (!match) return undefined;
    const reference = match[2] ?? match[3]!;
    const key = `${match[1]}@${reference}`;
    if (!routesOf.has(key)) routesOf.set(key, readRoutes(registry, client, match[1]!, reference));
    return routesOf.get(key);
  };
  const server = http.createServer((request, response) => {
    void (async () => {
      const routes = await liveRoutes().catch(() => undefined);
      const route = routes?.[new URL(request.url ?? '/', 'http://x').pathname];
      if (!routes) {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('no version is live');
      } else if (!route) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      } else {
        response
          .writeHead(route.status, { 'content-type': 'application/json' })
          .end(JSON.stringify(route.body));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** routes.json from the image's layers (the topmost layer holding it wins). */
async function readRoutes(
  registry: Registry,
  client: RegistryClient,
  repository: string,
  reference: string,
): Promise<Record<string, Route>> {
  const manifest = await client.getManifest(repository, reference);
  if (!manifest) throw new Error(`no image ${repository}@${reference}`);
  const layers = (JSON.parse(manifest.body) as { layers?: Array<{ digest: string }> }).layers ?? [];
  let routes: Record<string, Route> | undefined;
  for (const layer of layers) {
    const response = await fetch(
      `http://${registry.address}/v2/${repository}/blobs/${layer.digest}`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`,
        },
      },
    );
    if (!response.ok) throw new Error(`registry blob ${layer.digest}: ${response.status}`);
    let archive = Buffer.from(await response.arrayBuffer());
    if (archive[0] === 0x1f && archive[1] === 0x8b) archive = gunzipSync(archive);
    const file = tarFile(archive, 'app/routes.json');
    if (file) routes = JSON.parse(file.toString('utf8')) as Record<string, Route>;
  }
  if (!routes) throw new Error(`no /app/routes.json in ${repository}@${reference}`);
  return routes;
}

/** One file's contents from an uncompressed tar archive (ustar headers; PAX records skipped). */
export function tarFile(archive: Buffer, wanted: string): Buffer | undefined {
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const text = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const type = text(156, 1);
    const prefix = text(345, 155);
    const name = (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100)).replace(/^\.?\//, '');
    const body = archive.subarray(offset + 512, offset + 512 + size);
    if ((type === '0' || type === '') && name === wanted) return body;
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
