// Shared setup of the run-migrations end-to-end tests: the AWS simulator (Secrets Manager, Logs,
// ECS resolving secrets as the execution role would), fresh databases on the machine's PostgreSQL
// and MariaDB, a checkout of migrations, and the runner for the committed bundle.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RUN_MIGRATIONS_PERMISSIONS } from '../../../packages/migrate/src/index.js';
import { startAwsEnvironment, type AwsTestEnvironment } from '../../../tools/services/aws-env.js';
import type { RequestLogEntry } from '../../../tools/aws-sim/index.js';
import { createEcsService, type EcsSimulator } from '../../../tools/aws-sim/services/ecs.js';
import { createLogsService, type LogsSimulator } from '../../../tools/aws-sim/services/logs.js';
import {
  createSecretsManagerService,
  type SecretsManagerSimulator,
} from '../../../tools/aws-sim/services/secrets-manager.js';
import {
  createTestDatabase,
  type TestDatabase,
  type TestEngine,
} from '../../../tools/services/databases.js';
import { runAction, type ActionRun } from '../../support/harness.js';

export const HISTORY = 'deploy_actions_schema_history';
export const RUN_URL = 'https://github.com/org/app/actions/runs';
const require = createRequire(import.meta.url);

export let aws: AwsTestEnvironment;
export let secretsManager: SecretsManagerSimulator;
export let logsSim: LogsSimulator;
export let ecsSim: EcsSimulator;
/** Every AWS call any run of the test file made, for the permissions table check. */
export const awsCalls = new Set<string>();
export const cleanups: (() => Promise<void>)[] = [];

/** Starts the simulator for the test file and drops each test's databases and folders after it. */
export function useMigrationServices(): void {
  beforeAll(async () => {
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
    aws = await startAwsEnvironment({ services: [secretsManager, logsSim, ecsSim] });
    ecsSim.control.addCluster('app', { region: 'us-east-1' });
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await ecsSim?.control.close();
    await aws?.close();
  });
}

/** The AWS calls made so far that RUN_MIGRATIONS_PERMISSIONS does not declare (OIDC sign-in aside). */
export function undeclaredAwsCalls(): string[] {
  const declared = new Set<string>(RUN_MIGRATIONS_PERMISSIONS.map((p) => p.operation));
  return [...awsCalls].filter(
    (call) => call !== 'sts:AssumeRoleWithWebIdentity' && !declared.has(call),
  );
}

// --- fixtures -------------------------------------------------------------------------------

export interface Target {
  db: TestDatabase;
  engine: TestEngine;
  /** A URL with a password (PostgreSQL here trusts local connections and ignores it). */
  url: string;
  password: string;
  user: string;
  port: number;
}

/** A fresh database; on MariaDB also a user of its own with a real password. */
export async function database(engine: TestEngine): Promise<Target> {
  const db = await createTestDatabase(engine);
  // Characters that must be percent-encoded in a URL, so every form of the password is exercised.
  const password = `pw@${randomBytes(6).toString('hex')}:/x?#`;
  let user = 'postgres';
  if (engine === 'mysql') {
    user = `u_${randomBytes(5).toString('hex')}`;
    await db.query(`CREATE USER '${user}'@'%' IDENTIFIED BY ?`, [password]);
    await db.query(`GRANT ALL PRIVILEGES ON ${db.name}.* TO '${user}'@'%'`);
  }
  const port = engine === 'postgres' ? 5432 : 3306;
  const url = `${engine}://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db.name}`;
  cleanups.push(async () => {
    await db.drop();
    if (engine === 'mysql') {
      const admin = await createTestDatabase('mysql');
      await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
      await admin.drop();
    }
  });
  return { db, engine, url, password, user, port };
}

export interface Checkout {
  root: string;
  write(name: string, sql: string): Promise<void>;
}

export async function checkout(): Promise<Checkout> {
  const root = await mkdtemp(path.join(tmpdir(), 'run-migrations-'));
  await mkdir(path.join(root, 'db/migrations'), { recursive: true });
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  return {
    root,
    write: (name, sql) => writeFile(path.join(root, 'db/migrations', name), sql),
  };
}

export async function migrate(
  work: Checkout,
  inputs: Record<string, string>,
  options: { runId?: string; env?: Record<string, string>; oidc?: boolean } = {},
): Promise<ActionRun> {
  const run = await runAction({
    action: 'run-migrations',
    inputs,
    cwd: work.root,
    github: { workspace: work.root, runId: options.runId ?? '4242' },
    simulator: aws.simulator,
    ...(options.oidc ? { oidc: aws.oidc } : {}),
    ...(options.env ? { env: options.env } : {}),
    timeoutMs: 60_000,
  });
  for (const request of run.requests as RequestLogEntry[]) {
    awsCalls.add(`${request.service}:${request.operation}`);
  }
  return run;
}

/** Inputs of the built-in migrator on `target` (the local servers speak no TLS). */
export function sqlInputs(
  target: Target,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'database-url': target.url,
    'migrations-dir': 'db/migrations',
    ssl: 'disable',
    ...extra,
  };
}

export async function history(
  target: Target,
): Promise<{ version: string; name: string; by: string }[]> {
  const rows = await target.db.query<{ version: string; name: string; applied_by: string }>(
    `SELECT version, name, applied_by FROM ${HISTORY}`,
  );
  return rows
    .map((row) => ({ version: String(row.version), name: row.name, by: row.applied_by }))
    .sort((a, b) => Number(a.version) - Number(b.version));
}

export async function tableExists(target: Target, name: string): Promise<boolean> {
  const rows = await target.db.query<{ found: unknown }>(
    target.engine === 'postgres'
      ? "SELECT COUNT(*) AS found FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1"
      : 'SELECT COUNT(*) AS found FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
    [name],
  );
  return Number(rows[0]?.found) > 0;
}

/** Waits (up to 20 s) until a session of the database is running a sleep: the holder has the lock. */
export async function waitForSleepingSession(target: Target): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 100) {
    const rows = await target.db.query(
      target.engine === 'postgres'
        ? "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep%' AND state = 'active' AND pid <> pg_backend_pid()"
        : "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT SLEEP%' AND ID <> CONNECTION_ID()",
      [target.db.name],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no session started sleeping within 20 s');
}

export const sleep = (target: Target, seconds: number) =>
  target.engine === 'postgres' ? `SELECT pg_sleep(${seconds});\n` : `SELECT SLEEP(${seconds});\n`;

export const USERS = 'CREATE TABLE users (id int PRIMARY KEY, email varchar(200) NOT NULL);\n';
export const SEED =
  "INSERT INTO users (id, email) VALUES (1, 'ada@example.com'), (2, 'it''s; ok');\n";
export const ORDERS = 'CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL);\n';

/** A TCP server that only counts connections: proof that nothing connected to "the database". */
export async function countingServer(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return { port, connections: () => connections };
}

/** A migration script for the command mode: connects with the URL from `envName` and runs `sql`. */
export async function commandScript(
  work: Checkout,
  engine: TestEngine,
  envName: string,
  sql: string,
  exitCode = 0,
): Promise<void> {
  const driver = require.resolve(engine === 'postgres' ? 'pg' : 'mysql2/promise');
  const body =
    engine === 'postgres'
      ? `const pg = require(${JSON.stringify(driver)});
         const client = new pg.Client({ connectionString: url });
         await client.connect();
         await client.query(${JSON.stringify(sql)});
         await client.end();`
      : `const mysql = require(${JSON.stringify(driver)});
         const connection = await mysql.createConnection({ uri: url });
         await connection.query(${JSON.stringify(sql)});
         await connection.end();`;
  await writeFile(
    path.join(work.root, 'migrate.cjs'),
    `(async () => {
       const url = process.env[${JSON.stringify(envName)}];
       if (!url) { console.error('no URL in ${envName}'); process.exit(9); }
       console.log('migrating with a URL of ' + url.length + ' characters');
       ${body}
       console.log('tool: 1 migration applied');
       if (${exitCode} !== 0) { console.error('tool: boom, giving up'); process.exit(${exitCode}); }
     })().catch((e) => { console.error('tool error: ' + e.message); process.exit(2); });`,
  );
}

export const SUBNET = 'subnet-0a1b2c3d4e5f67890';
export const SECURITY_GROUP = 'sg-0a1b2c3d4e5f67890';
let family = 0;

/**
 * The app's Fargate task definition: container `app` running in the checkout (the simulator runs
 * its command for real), DATABASE_URL from the secret, output to an awslogs group.
 */
export function registerApp(work: Checkout, secretArn: string): string {
  const name = `shop-api-${process.pid}-${++family}`;
  logsSim.control.createGroup(`/ecs/${name}`);
  ecsSim.control.registerTaskDefinition(
    {
      family: name,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      containerDefinitions: [
        {
          name: 'app',
          image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:0123456',
          command: ['node', 'server.js'],
          workingDirectory: work.root,
          secrets: [{ name: 'DATABASE_URL', valueFrom: secretArn }],
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': `/ecs/${name}`,
              'awslogs-region': 'us-east-1',
              'awslogs-stream-prefix': 'ecs',
            },
          },
        },
      ],
    },
    'us-east-1',
  );
  return name;
}

export async function ecsSetup(engine: TestEngine) {
  const target = await database(engine);
  const work = await checkout();
  const secret = secretsManager.addSecret(`ecs/db-${randomBytes(4).toString('hex')}`, target.url);
  const taskDefinition = registerApp(work, secret.arn);
  const inputs = {
    'ecs-cluster': 'app',
    'task-definition': taskDefinition,
    'container-name': 'app',
    subnets: SUBNET,
    'security-groups': SECURITY_GROUP,
    'database-url-secret-id': secret.name,
    ...aws.inputs,
  };
  return { target, work, secret, taskDefinition, inputs };
}

export const ecsCalls = (run: ActionRun) =>
  (run.requests as RequestLogEntry[]).map((r) => `${r.service}:${r.operation}`);
