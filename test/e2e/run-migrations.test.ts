/** @needs postgres mariadb */
// run-migrations end to end: the committed bundle under Node 24, as the runner
// runs it, against the machine's real PostgreSQL and MariaDB (a fresh database
// per test, reached with a password so that masking is exercised), with the
// AWS simulator's Secrets Manager and STS (GitHub OIDC) for secrets.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RUN_MIGRATIONS_PERMISSIONS } from '../../packages/migrate/src/index.js';
import { startAwsEnvironment, type AwsTestEnvironment } from '../../tools/services/aws-env.js';
import type { RequestLogEntry } from '../../tools/aws-sim/index.js';
import { createEcsService, type EcsSimulator } from '../../tools/aws-sim/services/ecs.js';
import { createLogsService, type LogsSimulator } from '../../tools/aws-sim/services/logs.js';
import {
  createSecretsManagerService,
  type SecretsManagerSimulator,
} from '../../tools/aws-sim/services/secrets-manager.js';
import {
  createTestDatabase,
  type TestDatabase,
  type TestEngine,
} from '../../tools/services/databases.js';
import { runAction, visibleLog, type ActionRun } from '../support/harness.js';

const HISTORY = 'deploy_actions_schema_history';
const RUN_URL = 'https://github.com/org/app/actions/runs';
const require = createRequire(import.meta.url);

let aws: AwsTestEnvironment;
let secretsManager: SecretsManagerSimulator;
let logsSim: LogsSimulator;
let ecsSim: EcsSimulator;
/** Every AWS call any run of this file made, for the permissions table check at the end. */
const awsCalls = new Set<string>();
const cleanups: (() => Promise<void>)[] = [];

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

// --- fixtures -------------------------------------------------------------------------------

interface Target {
  db: TestDatabase;
  engine: TestEngine;
  /** A URL with a password (PostgreSQL here trusts local connections and ignores it). */
  url: string;
  password: string;
  user: string;
  port: number;
}

/** A fresh database; on MariaDB also a user of its own with a real password. */
async function database(engine: TestEngine): Promise<Target> {
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

interface Checkout {
  root: string;
  write(name: string, sql: string): Promise<void>;
}

async function checkout(): Promise<Checkout> {
  const root = await mkdtemp(path.join(tmpdir(), 'run-migrations-'));
  await mkdir(path.join(root, 'db/migrations'), { recursive: true });
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  return {
    root,
    write: (name, sql) => writeFile(path.join(root, 'db/migrations', name), sql),
  };
}

async function migrate(
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
function sqlInputs(target: Target, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'database-url': target.url,
    'migrations-dir': 'db/migrations',
    ssl: 'disable',
    ...extra,
  };
}

async function history(target: Target): Promise<{ version: string; name: string; by: string }[]> {
  const rows = await target.db.query<{ version: string; name: string; applied_by: string }>(
    `SELECT version, name, applied_by FROM ${HISTORY}`,
  );
  return rows
    .map((row) => ({ version: String(row.version), name: row.name, by: row.applied_by }))
    .sort((a, b) => Number(a.version) - Number(b.version));
}

async function tableExists(target: Target, name: string): Promise<boolean> {
  const rows = await target.db.query<{ found: unknown }>(
    target.engine === 'postgres'
      ? "SELECT COUNT(*) AS found FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1"
      : 'SELECT COUNT(*) AS found FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
    [name],
  );
  return Number(rows[0]?.found) > 0;
}

/** Waits (up to 20 s) until a session of the database is running a sleep: the holder has the lock. */
async function waitForSleepingSession(target: Target): Promise<void> {
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

const sleep = (target: Target, seconds: number) =>
  target.engine === 'postgres' ? `SELECT pg_sleep(${seconds});\n` : `SELECT SLEEP(${seconds});\n`;

const USERS = 'CREATE TABLE users (id int PRIMARY KEY, email varchar(200) NOT NULL);\n';
const SEED = "INSERT INTO users (id, email) VALUES (1, 'ada@example.com'), (2, 'it''s; ok');\n";
const ORDERS = 'CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL);\n';

/** A TCP server that only counts connections: proof that nothing connected to "the database". */
async function countingServer(): Promise<{ port: number; connections: () => number }> {
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

// --- the built-in migrator, on both engines -------------------------------------------------

describe.each([['postgres'], ['mysql']] as const)('built-in migrator on %s', (engine) => {
  test('fresh apply, a re-run that does nothing, then a new file', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', `-- the users\n${USERS}`);
    await work.write('V2__seed_users.sql', SEED);
    await work.write('README.md', 'not a migration');

    const first = await migrate(work, sqlInputs(target));
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toEqual({
      applied: '2',
      'applied-versions': '1,2',
      pending: '0',
      'current-version': '2',
      duration: expect.stringMatching(/^\d+\.\d$/),
      'task-definition-arn': '',
    });
    expect(await target.db.query('SELECT email FROM users ORDER BY id')).toEqual([
      { email: 'ada@example.com' },
      { email: "it's; ok" },
    ]);
    expect(await history(target)).toEqual([
      { version: '1', name: 'V1__create_users.sql', by: `${RUN_URL}/4242` },
      { version: '2', name: 'V2__seed_users.sql', by: `${RUN_URL}/4242` },
    ]);
    expect(first.summary).toContain('run-migrations: Migrated');
    expect(first.summary).toContain('db/migrations/V1__create_users.sql');
    expect(first.summary).toContain('<td>applied</td>');
    expect(first.annotations).toEqual([]);

    const again = await migrate(work, sqlInputs(target), { runId: '4243' });
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({
      applied: '0',
      'applied-versions': '',
      pending: '0',
      'current-version': '2',
    });
    expect(visibleLog(again)).toContain('Up to date at version 2');
    expect(again.summary).toContain('Nothing to apply');

    await work.write('V3__create_orders.sql', ORDERS);
    const next = await migrate(work, sqlInputs(target), { runId: '4244' });
    expect(next.exitCode).toBe(0);
    expect(next.outputs).toMatchObject({
      applied: '1',
      'applied-versions': '3',
      'current-version': '3',
    });
    expect((await history(target)).map((row) => [row.version, row.by])).toEqual([
      ['1', `${RUN_URL}/4242`],
      ['2', `${RUN_URL}/4242`],
      ['3', `${RUN_URL}/4244`],
    ]);
  });

  test('a failing file mid-set: earlier stays, the failing file is undone (PostgreSQL), later ones do not run', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    await work.write(
      'V2__broken.sql',
      [
        '-- creates a table, then fails',
        'CREATE TABLE audit (id int PRIMARY KEY);',
        '',
        'INSERT INTO audit (id)',
        '  SELECT id FROM no_such_table;',
        '',
      ].join('\n'),
    );
    await work.write('V3__create_orders.sql', ORDERS);

    const run = await migrate(work, sqlInputs(target));

    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      applied: '1',
      'applied-versions': '1',
      pending: '2',
      'current-version': '1',
    });
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    const [error] = errors;
    // PostgreSQL points at the line of the bad name within the statement; MySQL at the statement.
    expect(error!.properties).toEqual({
      file: 'db/migrations/V2__broken.sql',
      line: engine === 'postgres' ? '5' : '4',
    });
    expect(run.log).toMatch(/^::error file=db\/migrations\/V2__broken\.sql,line=\d+::/m);
    expect(error!.message).toContain(engine === 'postgres' ? 'SQLSTATE 42P01' : 'ER_NO_SUCH_TABLE');
    expect(error!.message).toContain('no_such_table');
    expect(await history(target)).toEqual([
      { version: '1', name: 'V1__create_users.sql', by: `${RUN_URL}/4242` },
    ]);
    expect(await tableExists(target, 'users')).toBe(true);
    expect(await tableExists(target, 'orders')).toBe(false);
    if (engine === 'postgres') {
      expect(await tableExists(target, 'audit')).toBe(false);
      expect(error!.message).toContain("The file's transaction was rolled back");
    } else {
      // MySQL committed the CREATE TABLE implicitly; the message says so.
      expect(await tableExists(target, 'audit')).toBe(true);
      expect(error!.message).toContain('MySQL commits DDL');
    }
    expect(run.summary).toContain('<td>failed</td>');
    expect(run.summary).toContain('<td>not run</td>');
  });

  test('an applied file that changed fails with both checksums, before anything runs', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    expect((await migrate(work, sqlInputs(target))).exitCode).toBe(0);

    await work.write('V1__create_users.sql', USERS.replace('200', '300'));
    await work.write('V2__create_orders.sql', ORDERS);
    const run = await migrate(work, sqlInputs(target));

    expect(run.exitCode).toBe(1);
    const [error] = run.annotations;
    expect(error).toMatchObject({
      level: 'error',
      properties: { file: 'db/migrations/V1__create_users.sql', line: '1' },
    });
    expect(error!.message).toMatch(/changed after it was applied/);
    expect(error!.message.match(/\b[0-9a-f]{64}\b/g)).toHaveLength(2);
    expect(await tableExists(target, 'orders')).toBe(false);
  });

  test('a new file older than the newest applied one fails unless allow-out-of-order', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    await work.write('V3__create_orders.sql', ORDERS);
    expect((await migrate(work, sqlInputs(target))).exitCode).toBe(0);

    await work.write('V2__seed_users.sql', SEED);
    const refused = await migrate(work, sqlInputs(target));
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations[0]?.message).toContain(
      'New migrations are older than the newest applied version 3: db/migrations/V2__seed_users.sql',
    );
    expect(refused.annotations[0]?.message).toContain('allow-out-of-order');
    expect(await target.db.query('SELECT * FROM users')).toEqual([]);

    const allowed = await migrate(work, sqlInputs(target, { 'allow-out-of-order': 'true' }));
    expect(allowed.exitCode).toBe(0);
    expect(allowed.outputs).toMatchObject({
      applied: '1',
      'applied-versions': '2',
      'current-version': '3',
    });
  });

  test('two runs at once: the second waits for the lock and applies nothing twice', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__slow.sql', sleep(target, 3));
    await work.write('V2__create_users.sql', USERS);
    await work.write('V3__seed_users.sql', SEED);

    const first = migrate(work, sqlInputs(target), { runId: '5001' });
    await waitForSleepingSession(target);
    const second = await migrate(work, sqlInputs(target), { runId: '5002' });
    const firstRun = await first;

    expect([firstRun.exitCode, second.exitCode]).toEqual([0, 0]);
    expect(firstRun.outputs).toMatchObject({ applied: '3', 'applied-versions': '1,2,3' });
    expect(second.outputs).toMatchObject({ applied: '0', pending: '0', 'current-version': '3' });
    expect(visibleLog(second)).toContain('Waiting for the migration lock, held by');
    expect((await history(target)).map((row) => [row.version, row.by])).toEqual([
      ['1', `${RUN_URL}/5001`],
      ['2', `${RUN_URL}/5001`],
      ['3', `${RUN_URL}/5001`],
    ]);
    expect(await target.db.query('SELECT id FROM users ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
  });

  test('lock-timeout: the run gives up and names the session holding the lock', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__slow.sql', sleep(target, 4));

    const holder = migrate(work, sqlInputs(target), { runId: '6001' });
    await waitForSleepingSession(target);
    const late = await migrate(work, sqlInputs(target, { 'lock-timeout': '1s' }), {
      runId: '6002',
    });

    expect(late.exitCode).toBe(1);
    const message = late.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(message).toContain('Gave up waiting for the migration lock');
    if (engine === 'postgres') {
      expect(message).toMatch(
        /held by PostgreSQL session \d+ \(application "deploy-actions org\/app run 6001"/,
      );
    } else {
      expect(message).toMatch(/held by MySQL connection \d+ \(/);
      expect(message).toContain('SLEEP(4)');
    }
    expect(message).toContain('raise lock-timeout');
    expect(late.outputs).toEqual({});
    const holderRun = await holder;
    expect(holderRun.exitCode).toBe(0);
    expect((await history(target)).map((row) => row.by)).toEqual([`${RUN_URL}/6001`]);
  });

  test('dry-run lists what is pending and changes nothing, not even the history table', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    await work.write('V2__seed_users.sql', SEED);

    const fresh = await migrate(work, sqlInputs(target, { 'dry-run': 'true' }));
    expect(fresh.exitCode).toBe(0);
    expect(fresh.outputs).toMatchObject({
      applied: '0',
      'applied-versions': '',
      pending: '2',
      'current-version': '',
    });
    expect(await tableExists(target, HISTORY)).toBe(false);
    expect(await tableExists(target, 'users')).toBe(false);
    expect(fresh.summary).toContain('Dry run: 2 pending migration(s)');
    expect(fresh.summary).toContain('CREATE TABLE users');
    expect(fresh.summary).toContain('<td>pending</td>');

    await migrate(work, { ...sqlInputs(target) });
    await work.write('V3__create_orders.sql', ORDERS);
    const later = await migrate(work, sqlInputs(target, { 'dry-run': 'true' }));
    expect(later.outputs).toMatchObject({ pending: '1', 'current-version': '2' });
    expect((await history(target)).map((row) => row.version)).toEqual(['1', '2']);
    expect(await tableExists(target, 'orders')).toBe(false);
  });

  test('the URL from an RDS-format Secrets Manager secret never appears in the log', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    const name = `app/db-${randomBytes(4).toString('hex')}`;
    const secret = secretsManager.addSecret(
      name,
      JSON.stringify({
        username: target.user,
        password: target.password,
        engine: engine === 'postgres' ? 'postgres' : 'mariadb',
        host: '127.0.0.1',
        port: target.port,
        dbname: target.db.name,
        dbInstanceIdentifier: 'shop-db',
      }),
    );

    const run = await migrate(
      work,
      {
        'database-url-secret-id': secret.arn,
        'migrations-dir': 'db/migrations',
        ssl: 'disable',
        ...aws.inputs,
      },
      { oidc: true },
    );

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ applied: '1', 'current-version': '1' });
    expect((run.requests as RequestLogEntry[]).map((r) => `${r.service}:${r.operation}`)).toEqual([
      'sts:AssumeRoleWithWebIdentity',
      'secretsmanager:GetSecretValue',
    ]);
    // The password in every form, and the whole URL, were masked before anything printed them...
    const url = `${engine}://${encodeURIComponent(target.user)}:${encodeURIComponent(target.password)}@127.0.0.1:${target.port}/${target.db.name}`;
    expect(run.masked).toEqual(
      expect.arrayContaining([target.password, encodeURIComponent(target.password), url]),
    );
    // ...and none of them is in the log or the summary (the harness also checks every masked value).
    for (const form of [target.password, encodeURIComponent(target.password), url]) {
      expect(visibleLog(run)).not.toContain(form);
      expect(run.summary).not.toContain(form);
    }
    expect(visibleLog(run)).toContain(
      `${engine}://${target.user}:***@127.0.0.1:${target.port}/${target.db.name}`,
    );
  });
});

// --- Secrets Manager failures ----------------------------------------------------------------

test('a secret encrypted with a key the role may not use fails naming the secret, before any connection', async () => {
  const server = await countingServer();
  const work = await checkout();
  await work.write('V1__create_users.sql', USERS);
  const secret = secretsManager.addSecret(
    `cmk-${randomBytes(4).toString('hex')}`,
    `postgres://app:s3cret-value@127.0.0.1:${server.port}/shop`,
    { kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555' },
  );
  secretsManager.deny(secret.name, 'kms');

  const run = await migrate(
    work,
    { 'database-url-secret-id': secret.name, 'migrations-dir': 'db/migrations', ...aws.inputs },
    { oidc: true },
  );

  expect(run.exitCode).toBe(1);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toContain(`AWS denied decrypting the secret ${secret.name}`);
  expect(message).toContain('Access to KMS is not allowed');
  expect(message).toContain("Grant the role kms:Decrypt on the secret's KMS key");
  expect(server.connections()).toBe(0);
});

test('a secret that does not exist names it and the region', async () => {
  const work = await checkout();
  await work.write('V1__create_users.sql', USERS);
  const run = await migrate(
    work,
    { 'database-url-secret-id': 'prod/missing', 'migrations-dir': 'db/migrations', ...aws.inputs },
    { oidc: true },
  );
  expect(run.exitCode).toBe(1);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toMatch(/prod\/missing was not found in us-east-1 \(ResourceNotFoundException\)/);
});

// --- mode 2: your own migration command -----------------------------------------------------

/** A migration script for the command mode: connects with the URL from `envName` and runs `sql`. */
async function commandScript(
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

test('command mode: the tool gets the URL in DATABASE_URL, its output is in a log group, exit 0 passes', async () => {
  const target = await database('postgres');
  const work = await checkout();
  await commandScript(work, 'postgres', 'DATABASE_URL', 'CREATE TABLE made_by_tool (id int)');

  const run = await migrate(work, { 'database-url': target.url, command: 'node migrate.cjs' });

  expect(run.exitCode).toBe(0);
  expect(await tableExists(target, 'made_by_tool')).toBe(true);
  expect(run.log).toMatch(/^::group::Running node migrate\.cjs$/m);
  expect(run.log).toMatch(/^tool: 1 migration applied$/m);
  expect(run.outputs).toEqual({
    applied: '',
    'applied-versions': '',
    pending: '',
    'current-version': '',
    duration: expect.stringMatching(/^\d+\.\d$/),
    'task-definition-arn': '',
  });
  expect(run.summary).toContain('Ran node migrate.cjs: exit code 0');
});

test('command mode: a hostile tool can neither issue workflow commands nor see the runner tokens', async () => {
  const target = await database('postgres');
  const work = await checkout();
  // Prints workflow commands and what it can see of the runner's secrets.
  await writeFile(
    path.join(work.root, 'hostile.cjs'),
    `console.log('::error title=pwned::the tool wrote an annotation');
     console.log('::add-mask::migrating');
     console.log('::set-output name=applied::99');
     console.log('::stop-commands::' + 'guess');
     console.log('seen: ' + ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'RUNNER_SECRET_ECHO']
       .filter((name) => process.env[name] !== undefined).join(',') + '.');`,
  );
  const run = await migrate(
    work,
    { 'database-url': target.url, command: 'node hostile.cjs' },
    {
      env: {
        ACTIONS_RUNTIME_TOKEN: 'runtime-token-value',
        AWS_SECRET_ACCESS_KEY: 'aws-secret-value',
        RUNNER_SECRET_ECHO: 'not allow-listed',
      },
    },
  );
  expect(run.exitCode).toBe(0);
  expect(
    run.annotations.filter((a) => /pwned/.test(`${a.properties.title ?? ''} ${a.message}`)),
  ).toEqual([]);
  expect(run.outputs.applied).toBe('');
  expect(run.log).toMatch(/^seen: \.$/m);
  // Our own lines after the tool are processed again: the summary still has its table.
  expect(run.summary).toContain('Ran node hostile.cjs: exit code 0');
});

test('command mode: database-url-env names the variable (MariaDB); a non-zero exit fails the step', async () => {
  const target = await database('mysql');
  const work = await checkout();
  await commandScript(work, 'mysql', 'APP_DB', 'CREATE TABLE half_done (id int)', 3);

  const run = await migrate(work, {
    'database-url': target.url,
    command: 'node migrate.cjs',
    'database-url-env': 'APP_DB',
  });

  expect(run.exitCode).toBe(1);
  expect(await tableExists(target, 'half_done')).toBe(true);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toContain('The migration command node migrate.cjs failed with exit code 3');
  expect(message).toContain('tool: boom, giving up');
  expect(run.summary).toContain('Migration command failed');
  expect(run.summary).toContain('tool: boom, giving up');
});

// --- mode 3: the command as a one-off ECS task inside the VPC --------------------------------

const SUBNET = 'subnet-0a1b2c3d4e5f67890';
const SECURITY_GROUP = 'sg-0a1b2c3d4e5f67890';
let family = 0;

/**
 * The app's Fargate task definition: container `app` running in the checkout (the simulator runs
 * its command for real), DATABASE_URL from the secret, output to an awslogs group.
 */
function registerApp(work: Checkout, secretArn: string): string {
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

async function ecsSetup(engine: TestEngine) {
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

const ecsCalls = (run: ActionRun) =>
  (run.requests as RequestLogEntry[]).map((r) => `${r.service}:${r.operation}`);

test('ECS mode: the task runs the migration inside the "VPC", its logs stream into the job log', async () => {
  const { target, work, taskDefinition, inputs } = await ecsSetup('postgres');
  await commandScript(work, 'postgres', 'DATABASE_URL', 'CREATE TABLE made_in_task (id int)');

  const run = await migrate(work, { ...inputs, command: 'node migrate.cjs' }, { oidc: true });

  expect(run.exitCode).toBe(0);
  expect(await tableExists(target, 'made_in_task')).toBe(true);
  expect(run.log).toMatch(/^tool: 1 migration applied$/m);
  expect(run.log).toMatch(/^::group::Running node migrate\.cjs as an ECS task in app$/m);
  const calls = ecsCalls(run);
  expect(calls).toEqual(
    expect.arrayContaining([
      'ecs:DescribeTaskDefinition',
      'ecs:RunTask',
      'ecs:DescribeTasks',
      'logs:GetLogEvents',
    ]),
  );
  expect(calls).not.toContain('secretsmanager:GetSecretValue');
  // The secret travels by reference: neither the URL nor the password is in any request.
  const runTask = (run.requests as RequestLogEntry[]).find((r) => r.operation === 'RunTask')!;
  expect(runTask.params).toMatchObject({
    cluster: 'app',
    launchType: 'FARGATE',
    overrides: { containerOverrides: [{ name: 'app', command: ['node', 'migrate.cjs'] }] },
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [SUBNET],
        securityGroups: [SECURITY_GROUP],
        assignPublicIp: 'DISABLED',
      },
    },
  });
  expect(JSON.stringify(run.requests)).not.toContain(target.password);
  expect(JSON.stringify(run.requests)).not.toContain(encodeURIComponent(target.password));
  expect(run.outputs).toEqual({
    applied: '',
    'applied-versions': '',
    pending: '',
    'current-version': '',
    duration: expect.stringMatching(/^\d+\.\d$/),
    // Without image, the task definition's own revision ran.
    'task-definition-arn': expect.stringMatching(
      new RegExp(`task-definition/${taskDefinition}:1$`),
    ),
  });
  expect(run.summary).toContain('run-migrations: Migrated in an ECS task');
  expect(run.summary).toContain(`task-definition/${taskDefinition}:1`);
  expect(run.summary).toContain('app: exit code 0');
  expect(run.summary).toMatch(
    /https:\/\/us-east-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\/app\/tasks\/[0-9a-f]{32}/,
  );
});

test('ECS mode (MariaDB): a non-zero exit code of the container fails the step with its output', async () => {
  const { target, work, inputs } = await ecsSetup('mysql');
  await commandScript(work, 'mysql', 'DATABASE_URL', 'CREATE TABLE half_done (id int)', 3);

  const run = await migrate(work, { ...inputs, command: 'node migrate.cjs' }, { oidc: true });

  expect(run.exitCode).toBe(1);
  expect(await tableExists(target, 'half_done')).toBe(true);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toMatch(
    /failed in ECS task [0-9a-f]{32} with exit code 3: tool: boom, giving up/,
  );
  expect(run.summary).toContain('Migration failed in an ECS task');
  expect(run.summary).toContain('app: exit code 3');
});

test('ECS mode: a task that never starts reports stopCode and stoppedReason', async () => {
  const { work, taskDefinition, inputs } = await ecsSetup('postgres');
  ecsSim.control.script(taskDefinition, {
    neverStarts: {
      stoppedReason:
        'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:0123456: not found',
      from: 'PROVISIONING',
    },
  });

  const run = await migrate(work, { ...inputs, command: 'node migrate.cjs' }, { oidc: true });

  expect(run.exitCode).toBe(1);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toContain('CannotPullContainerError');
  expect(run.summary).toContain('TaskFailedToStart');
  expect(run.summary).toContain('CannotPullContainerError');
});

test('ECS mode: cancelling the workflow (SIGTERM) stops the task', async () => {
  const { work, taskDefinition, inputs } = await ecsSetup('postgres');
  await writeFile(
    path.join(work.root, 'hang.cjs'),
    'console.log("migrating forever"); setInterval(() => {}, 1000);',
  );

  const run = await runAction({
    action: 'run-migrations',
    inputs: { ...inputs, command: 'node hang.cjs' },
    cwd: work.root,
    github: { workspace: work.root },
    simulator: aws.simulator,
    oidc: aws.oidc,
    timeoutMs: 15_000,
  });

  expect(run.exitCode).toBe(1);
  expect(ecsCalls(run)).toContain('ecs:StopTask');
  const tasks = [...ecsSim.control.tasks.values()].filter(
    (task) => String(task.taskDefinition.family) === taskDefinition,
  );
  expect(tasks).toHaveLength(1);
  const stopped = await ecsSim.control.waitStopped(tasks[0]!.arn, 20_000);
  expect(stopped.stopCode).toBe('UserInitiated');
  expect(stopped.stoppedReason).toContain(`${RUN_URL}/4242`);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toContain('was stopped because the workflow run was cancelled');
  expect(run.log).toMatch(/^migrating forever$/m);
});

test('ECS mode: a database-url is refused (it would travel in plain text), before any AWS call', async () => {
  const { work, inputs } = await ecsSetup('postgres');
  const before = aws.simulator.requestLog.length;
  const run = await migrate(
    work,
    { ...inputs, command: 'node migrate.cjs', 'database-url': 'postgres://a:pw-secret@db/shop' },
    { oidc: true },
  );
  expect(run.exitCode).toBe(1);
  expect(run.annotations[0]?.message).toContain("Input 'database-url'");
  expect(visibleLog(run)).not.toContain('pw-secret');
  expect(aws.simulator.requestLog.length).toBe(before);
});

// --- bad inputs fail before touching anything -----------------------------------------------

describe('bad inputs fail before any AWS call or database connection', () => {
  const cases: [string, (port: number) => Record<string, string>, string, RegExp][] = [
    [
      'no mode',
      (port) => ({ 'database-url': `postgres://app:pw-secret@127.0.0.1:${port}/shop` }),
      '',
      /Input 'migrations-dir': got nothing, expected a folder of SQL migrations .* or else a command/,
    ],
    [
      'two modes',
      (port) => ({
        'database-url': `postgres://app:pw-secret@127.0.0.1:${port}/shop`,
        'migrations-dir': 'db/migrations',
        command: 'npm run migrate',
      }),
      '',
      /Input 'command': got "npm run migrate", expected nothing, since migrations-dir is set too/,
    ],
    [
      'a bad URL (no database name), its password not shown',
      () => ({
        'database-url': 'postgres://app:pw-secret@db.example.com:5432',
        'migrations-dir': 'db/migrations',
      }),
      '',
      /Input 'database-url': got "postgres:\/\/app:\*\*\*@db\.example\.com:5432\/", expected a URL such as .*it has no database name/,
    ],
    [
      'a jdbc URL',
      () => ({
        'database-url': 'jdbc:postgresql://db:5432/shop?password=pw-secret',
        'migrations-dir': 'db/migrations',
      }),
      '',
      /drop the "jdbc:" prefix/,
    ],
    [
      'a missing directory, with a secret to fetch',
      () => ({
        'database-url-secret-id': 'prod/db',
        'migrations-dir': 'db/nope',
        ...aws.inputs,
      }),
      '',
      /Input 'migrations-dir': got "db\/nope"/,
    ],
    [
      'badly named files, with a secret to fetch',
      () => ({
        'database-url-secret-id': 'prod/db',
        'migrations-dir': 'db/migrations',
        ...aws.inputs,
      }),
      'V2_one_underscore.sql',
      /V2_one_underscore\.sql/,
    ],
    [
      'dry-run with a command',
      (port) => ({
        'database-url': `postgres://app:pw-secret@127.0.0.1:${port}/shop`,
        command: 'npm run migrate',
        'dry-run': 'true',
      }),
      '',
      /Input 'dry-run': got "true", expected false with command/,
    ],
    [
      'a secret ARN in another region than aws-region',
      () => ({
        'database-url-secret-id':
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf',
        'migrations-dir': 'db/migrations',
        ...aws.inputs,
      }),
      '',
      /expected a secret in us-east-1 .* or set aws-region: eu-west-1/,
    ],
    [
      'ecs-cluster with migrations-dir',
      () => ({
        'ecs-cluster': 'app',
        'task-definition': 'shop-api',
        'container-name': 'app',
        'migrations-dir': 'db/migrations',
        ...aws.inputs,
      }),
      '',
      /Input 'migrations-dir': got "db\/migrations", expected nothing with ecs-cluster/,
    ],
    [
      'ecs-cluster without task-definition',
      () => ({ 'ecs-cluster': 'app', command: 'npm run migrate', ...aws.inputs }),
      '',
      /Input 'task-definition': got nothing, expected a value/,
    ],
    [
      'an unreadable ssl-ca-file',
      (port) => ({
        'database-url': `postgres://app:pw-secret@127.0.0.1:${port}/shop`,
        'migrations-dir': 'db/migrations',
        'ssl-ca-file': 'certs/missing.pem',
      }),
      '',
      /Input 'ssl-ca-file': got "certs\/missing\.pem"/,
    ],
  ];

  test.each(cases)('%s', async (_name, inputs, extraFile, expected) => {
    const server = await countingServer();
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    if (extraFile) await work.write(extraFile, 'SELECT 1;');
    const before = aws.simulator.requestLog.length;

    const run = await migrate(work, inputs(server.port), { oidc: true });

    expect(run.exitCode).toBe(1);
    const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(message).toMatch(expected);
    expect(message).not.toContain('pw-secret');
    expect(visibleLog(run)).not.toMatch(/pw-secret|\n\s+at /);
    expect(aws.simulator.requestLog.length).toBe(before);
    expect(server.connections()).toBe(0);
    expect(run.outputs).toEqual({});
  });
});

// --- the permissions table ------------------------------------------------------------------

test('every AWS call the runs above made is declared in RUN_MIGRATIONS_PERMISSIONS (or is the OIDC sign-in)', () => {
  const declared = new Set<string>(RUN_MIGRATIONS_PERMISSIONS.map((p) => p.operation));
  expect(awsCalls.size).toBeGreaterThan(0);
  expect(
    [...awsCalls].filter((call) => call !== 'sts:AssumeRoleWithWebIdentity' && !declared.has(call)),
  ).toEqual([]);
});
