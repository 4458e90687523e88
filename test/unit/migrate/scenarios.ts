/**
 * The built-in migrator's behaviour, the same on both engines, against a real
 * server: each test gets a fresh database and a fresh checkout. Called from
 * postgres.test.ts and mysql.test.ts so the two engines run as separate files.
 */
import { MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import {
  HISTORY_TABLE,
  MigrationRunError,
  migrateOutputs,
  migrationChecksum,
  runMigrations,
  summarizeMigrations,
  type MigrateOptions,
  type MigrateResult,
} from '../../../packages/migrate/src/index.js';
import {
  createTestDatabase,
  type TestDatabase,
  type TestEngine,
} from '../../../tools/services/databases.js';
import { createWorkspace, type Workspace } from './workspace.js';

export const RUN_URL = 'https://github.com/acme/shop/actions/runs/1001';

export interface Scenario {
  db: TestDatabase;
  workspace: Workspace;
  logger: MemoryLogger;
  /** Runs the built-in migrator on the scenario's database and checkout. */
  run(overrides?: RunOverrides): Promise<MigrateResult>;
  /** Runs it expecting a failure, and returns the error. */
  fail(overrides?: RunOverrides): Promise<UserError>;
  tableExists(name: string): Promise<boolean>;
  history(): Promise<
    { version: string; name: string; checksum: string; applied_by: string; duration_ms: number }[]
  >;
  /** `SELECT pg_sleep(s)` or `SELECT SLEEP(s)`. */
  sleep(seconds: number): string;
}

export interface RunOverrides {
  allowOutOfOrder?: boolean;
  dryRun?: boolean;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  appliedBy?: string;
  url?: string;
  ssl?: MigrateOptions['ssl'];
  logger?: MemoryLogger;
}

/** A fresh database and checkout for each test of the calling describe block. */
export function useScenario(engine: TestEngine): () => Scenario {
  let current: Scenario | undefined;
  beforeEach(async () => {
    current = await createScenario(engine);
  });
  afterEach(async () => {
    await current?.db.drop();
    await current?.workspace.cleanup();
    current = undefined;
  });
  return () => current!;
}

async function createScenario(engine: TestEngine): Promise<Scenario> {
  const db = await createTestDatabase(engine);
  const workspace = await createWorkspace();
  const logger = new MemoryLogger();
  const optionsFor = (overrides: RunOverrides): MigrateOptions => ({
    database: { url: overrides.url ?? db.url },
    mode: {
      kind: 'sql',
      migrationsDir: workspace.migrationsDir,
      allowOutOfOrder: overrides.allowOutOfOrder ?? false,
      dryRun: overrides.dryRun ?? false,
    },
    ssl: overrides.ssl ?? { mode: 'disable' },
    lockTimeoutMs: overrides.lockTimeoutMs ?? 30_000,
    statementTimeoutMs: overrides.statementTimeoutMs ?? 0,
    appliedBy: overrides.appliedBy ?? RUN_URL,
    workspaceDir: workspace.root,
    connectTimeoutMs: 5_000,
  });
  const run = (overrides: RunOverrides = {}) =>
    runMigrations(optionsFor(overrides), { logger: overrides.logger ?? logger });
  const schema = engine === 'postgres' ? "'public'" : 'DATABASE()';
  return {
    db,
    workspace,
    logger,
    run,
    fail: async (overrides = {}) => {
      try {
        await run(overrides);
      } catch (error) {
        if (error instanceof UserError) return error;
        throw error;
      }
      throw new Error('expected the run to fail');
    },
    tableExists: async (name) => {
      const rows = await db.query<{ found: unknown }>(
        `SELECT COUNT(*) AS found FROM information_schema.tables WHERE table_schema = ${schema} AND table_name = ${engine === 'postgres' ? '$1' : '?'}`,
        [name],
      );
      return Number(rows[0]?.found) > 0;
    },
    history: async () =>
      (
        await db.query<{
          version: string;
          name: string;
          checksum: string;
          applied_by: string;
          duration_ms: number;
        }>(`SELECT version, name, checksum, applied_by, duration_ms FROM ${HISTORY_TABLE}`)
      ).sort((a, b) => Number(a.version) - Number(b.version)),
    sleep: (seconds) =>
      engine === 'postgres' ? `SELECT pg_sleep(${seconds})` : `SELECT SLEEP(${seconds})`,
  };
}

/** Waits until `check` holds (another session reached a point), for at most 10 s. */
export async function waitUntil<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting for another session');
}

const CREATE_USERS =
  'CREATE TABLE users (\n  id int PRIMARY KEY,\n  email varchar(200) NOT NULL\n);\n';
const CREATE_ORDERS = "CREATE TABLE orders (id int PRIMARY KEY, note varchar(50) DEFAULT 'a;b');\n";
const SEED_USERS =
  "INSERT INTO users (id, email) VALUES (1, 'ada@example.com'), (2, 'it''s@example.com');\n";

export function describeMigrator(engine: TestEngine): void {
  const scenario = useScenario(engine);

  test('a fresh database: every file applied in version order and recorded', async () => {
    const s = scenario();
    await s.workspace.write('V1__create_users.sql', `-- the users\n${CREATE_USERS}`);
    await s.workspace.write('V2__seed_users.sql', SEED_USERS);
    await s.workspace.write('V10__create_orders.sql', CREATE_ORDERS);

    const result = await s.run();

    expect(result.sql?.appliedVersions).toEqual(['1', '2', '10']);
    expect(migrateOutputs(result)).toEqual({
      applied: '3',
      'applied-versions': '1,2,10',
      pending: '0',
      'current-version': '10',
      duration: expect.stringMatching(/^\d+\.\d$/),
      // Only an ECS-mode migration names the revision it ran.
      'task-definition-arn': '',
    });
    expect(await s.db.query('SELECT email FROM users ORDER BY id')).toEqual([
      { email: 'ada@example.com' },
      { email: "it's@example.com" },
    ]);
    const history = await s.history();
    expect(history.map((row) => [row.version, row.name, row.applied_by])).toEqual([
      ['1', 'V1__create_users.sql', RUN_URL],
      ['2', 'V2__seed_users.sql', RUN_URL],
      ['10', 'V10__create_orders.sql', RUN_URL],
    ]);
    expect(history[1]!.checksum).toBe(migrationChecksum(SEED_USERS));
    expect(history.every((row) => Number(row.duration_ms) >= 0)).toBe(true);
    const [summary] = summarizeMigrations(result);
    expect(summary!.table).toEqual([
      ['Version', 'File', 'Result', 'Duration', 'Statements', 'Transaction'],
      ['1', 'db/migrations/V1__create_users.sql', 'applied', expect.any(String), '1', 'yes'],
      ['2', 'db/migrations/V2__seed_users.sql', 'applied', expect.any(String), '1', 'yes'],
      ['10', 'db/migrations/V10__create_orders.sql', 'applied', expect.any(String), '1', 'yes'],
    ]);
  });

  test('a second run applies nothing; a new file is applied alone', async () => {
    const s = scenario();
    await s.workspace.write('V1__create_users.sql', CREATE_USERS);
    await s.run();

    const again = await s.run();
    expect(again.sql).toMatchObject({
      appliedVersions: [],
      pendingVersions: [],
      currentVersion: '1',
      migrations: [],
    });
    expect(s.logger.text()).toContain('Up to date at version 1');

    await s.workspace.write('V2__seed_users.sql', SEED_USERS);
    const next = await s.run();
    expect(next.sql?.appliedVersions).toEqual(['2']);
    expect((await s.history()).map((row) => row.version)).toEqual(['1', '2']);
  });

  test('a failing file: earlier files stay, later ones do not run, the error points at the statement', async () => {
    const s = scenario();
    await s.workspace.write('V1__create_users.sql', CREATE_USERS);
    await s.workspace.write(
      'V2__orders.sql',
      `-- orders\n${CREATE_ORDERS}\nINSERT INTO orders (id) VALUES (1);\n\nINSERT INTO no_such_table\n  VALUES (1);\n`,
    );
    await s.workspace.write('V3__seed_users.sql', SEED_USERS);

    const error = await s.fail();

    expect(error).toBeInstanceOf(MigrationRunError);
    expect(error.location).toEqual({ file: 'db/migrations/V2__orders.sql', line: 6 });
    expect(error.message).toContain('db/migrations/V2__orders.sql line 6:');
    expect(error.message).toMatch(
      engine === 'postgres'
        ? /SQLSTATE 42P01: relation "no_such_table" does not exist/
        : /ER_NO_SUCH_TABLE \(errno 1146\): Table '.*no_such_table' doesn't exist/,
    );
    expect(error.message).toContain('Statement: INSERT INTO no_such_table VALUES (1)');
    expect(error.hint).toContain(
      'Earlier migrations stay applied. 1 later migration(s) did not run.',
    );
    const { result } = error as MigrationRunError;
    expect(result.sql?.migrations.map((m) => [m.version, m.status])).toEqual([
      ['1', 'applied'],
      ['2', 'failed'],
      ['3', 'not run'],
    ]);
    expect(migrateOutputs(result)).toMatchObject({
      applied: '1',
      pending: '2',
      'current-version': '1',
    });
    expect(summarizeMigrations(result)[0]!.details?.label).toBe(
      'Why db/migrations/V2__orders.sql failed',
    );
    expect((await s.history()).map((row) => row.version)).toEqual(['1']);
    expect(await s.tableExists('users')).toBe(true);
    expect(await s.db.query('SELECT * FROM users')).toEqual([]);
    if (engine === 'postgres') {
      expect(await s.tableExists('orders')).toBe(false);
      expect(error.hint).toContain(
        "The file's transaction was rolled back: none of it is applied.",
      );
    } else {
      // MySQL commits DDL implicitly: the table stays, the INSERT after it was rolled back.
      expect(await s.tableExists('orders')).toBe(true);
      expect(await s.db.query('SELECT * FROM orders')).toEqual([]);
      expect(error.hint).toContain('MySQL commits DDL (CREATE, ALTER, DROP…) implicitly');
    }

    // Fixed (and made re-runnable), the file applies and the rest follows.
    await s.workspace.write(
      'V2__orders.sql',
      `${CREATE_ORDERS.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS')}INSERT INTO orders (id) VALUES (1);\n`,
    );
    const fixed = await s.run();
    expect(fixed.sql?.appliedVersions).toEqual(['2', '3']);
  });

  test('the history row keeps quotes and backslashes of applied_by exactly', async () => {
    const s = scenario();
    const appliedBy = "https://example.com/it's \\n a\\'b ''; DROP TABLE users; --";
    await s.workspace.write('V1__create_users.sql', CREATE_USERS);
    await s.workspace.write('V2__empty.sql', '-- nothing but a comment\n');
    const result = await s.run({ appliedBy });
    expect(result.sql?.appliedVersions).toEqual(['1', '2']);
    expect((await s.history()).map((row) => [row.version, row.applied_by])).toEqual([
      ['1', appliedBy],
      ['2', appliedBy],
    ]);
    expect(await s.tableExists('users')).toBe(true);
  });

  test('an applied file that changed fails with both checksums and applies nothing', async () => {
    const s = scenario();
    await s.workspace.write('V1__create_users.sql', CREATE_USERS);
    await s.run();
    const edited = CREATE_USERS.replace('varchar(200)', 'varchar(300)');
    await s.workspace.write('V1__create_users.sql', edited);
    await s.workspace.write('V2__seed_users.sql', SEED_USERS);

    const error = await s.fail();

    expect(error.message).toContain(migrationChecksum(CREATE_USERS));
    expect(error.message).toContain(migrationChecksum(edited));
    expect(error.location).toEqual({ file: 'db/migrations/V1__create_users.sql', line: 1 });
    expect((await s.history()).map((row) => row.version)).toEqual(['1']);
  });

  test('a new file older than the newest applied one fails, unless allowed', async () => {
    const s = scenario();
    await s.workspace.write('V1__create_users.sql', CREATE_USERS);
    await s.workspace.write('V3__create_orders.sql', CREATE_ORDERS);
    await s.run();
    await s.workspace.write('V2__seed_users.sql', SEED_USERS);

    const error = await s.fail();
    expect(error.message).toContain(
      'older than the newest applied version 3: db/migrations/V2__seed_users.sql (2)',
    );
    expect(await s.db.query('SELECT * FROM users')).toEqual([]);

    const allowed = await s.run({ allowOutOfOrder: true });
    expect(allowed.sql).toMatchObject({ appliedVersions: ['2'], currentVersion: '3' });
    expect(await s.db.query('SELECT id FROM users ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  test('two runs at once apply each migration exactly once', async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__log.sql',
      `CREATE TABLE applied_log (version int);\n${s.sleep(0.5)};\nINSERT INTO applied_log VALUES (1);`,
    );
    await s.workspace.write('V2__log.sql', 'INSERT INTO applied_log VALUES (2);');
    await s.workspace.write('V3__log.sql', 'INSERT INTO applied_log VALUES (3);');

    const loggers = [new MemoryLogger(), new MemoryLogger()] as const;
    const [first, second] = await Promise.all([
      s.run({ appliedBy: `${RUN_URL}-a`, logger: loggers[0] }),
      s.run({ appliedBy: `${RUN_URL}-b`, logger: loggers[1] }),
    ]);

    // One run took the lock and applied everything; the other waited, planned again, found nothing.
    const applied = [first.sql!.appliedVersions, second.sql!.appliedVersions].sort();
    expect(applied).toEqual([[], ['1', '2', '3']]);
    expect(loggers.map((l) => l.text()).join('\n')).toContain(
      'Waiting for the migration lock, held by',
    );
    expect(await s.db.query('SELECT version FROM applied_log ORDER BY version')).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
    expect((await s.history()).map((row) => row.version)).toEqual(['1', '2', '3']);
    expect(first.sql!.currentVersion).toBe('3');
    expect(second.sql!.currentVersion).toBe('3');
  });

  test('a dry run lists what is pending with a preview, and changes nothing', async () => {
    const s = scenario();
    await s.workspace.write('V1__create_users.sql', CREATE_USERS);
    await s.workspace.write('V2__seed_users.sql', SEED_USERS);

    const result = await s.run({ dryRun: true });

    expect(await s.tableExists(HISTORY_TABLE)).toBe(false);
    expect(await s.tableExists('users')).toBe(false);
    expect(result.sql?.migrations.map((m) => [m.version, m.status, m.preview])).toEqual([
      ['1', 'pending', CREATE_USERS.trimEnd()],
      ['2', 'pending', SEED_USERS.trimEnd()],
    ]);
    expect(migrateOutputs(result)).toMatchObject({
      applied: '0',
      'applied-versions': '',
      pending: '2',
      'current-version': '',
    });
    const [summary] = summarizeMigrations(result);
    expect(summary!.heading).toMatch(/^Dry run: 2 pending migration\(s\) on /);
    expect(summary!.details?.text).toContain(
      `-- db/migrations/V2__seed_users.sql\n${SEED_USERS.trimEnd()}`,
    );

    // After a real run of the first file, a dry run sees only the second.
    await s.workspace.remove('V2__seed_users.sql');
    await s.run();
    await s.workspace.write('V2__seed_users.sql', SEED_USERS);
    const later = await s.run({ dryRun: true });
    expect(later.sql?.pendingVersions).toEqual(['2']);
    expect(await s.db.query('SELECT * FROM users')).toEqual([]);
  });

  test('the lock timeout names the session holding the lock', async () => {
    const s = scenario();
    await s.workspace.write('V1__slow.sql', `${s.sleep(3)};`);
    const holder = s.run({ logger: new MemoryLogger() });
    const holderSession = await waitUntil(async () => {
      const rows =
        engine === 'postgres'
          ? await s.db.query<{ id: number }>(
              "SELECT pid AS id FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()",
              [s.db.name],
            )
          : await s.db.query<{ id: number }>(
              "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE '%SLEEP(3)%' AND ID <> CONNECTION_ID()",
              [s.db.name],
            );
      return rows[0]?.id;
    });

    const error = await s.fail({ lockTimeoutMs: 600, appliedBy: `${RUN_URL}-late` });

    expect(error.message).toContain('Gave up waiting for the migration lock');
    if (engine === 'postgres') {
      expect(error.message).toContain(
        `held by PostgreSQL session ${holderSession} (application "deploy-actions acme/shop run 1001"`,
      );
    } else {
      expect(error.message).toContain(`held by MySQL connection ${holderSession} (`);
      expect(error.message).toContain('SLEEP(3)');
    }
    expect(error.hint).toContain('raise lock-timeout');
    expect((await holder).sql?.appliedVersions).toEqual(['1']);
  });

  test('statement-timeout applies to the migration session', async () => {
    const s = scenario();
    await s.workspace.write('V1__slow.sql', `${s.sleep(3)};`);
    const error = await s.fail({ statementTimeoutMs: 300 });
    expect(error.message).toMatch(engine === 'postgres' ? /SQLSTATE 57014/ : /errno 1969/);
    expect(error.hint).toContain('longer than statement-timeout');
    expect(await s.tableExists(HISTORY_TABLE)).toBe(true);
    expect(await s.history()).toEqual([]);
  });

  test('a database that cannot be reached fails with what to check, never the password', async () => {
    const s = scenario();
    await s.workspace.write('V1__create_users.sql', CREATE_USERS);
    const url = new URL(s.db.url);
    url.password = 'Top/Secret pw';
    url.port = '1';
    const error = await s.fail({ url: url.toString() });
    expect(error.message).toContain('Could not connect to');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.hint).toContain('can reach them');
    expect(`${error.message} ${error.hint}`).not.toMatch(/Top|Secret/);
  });

  test('a missing database is named', async () => {
    const s = scenario();
    await s.workspace.write('V1__create_users.sql', CREATE_USERS);
    const url = new URL(s.db.url);
    url.pathname = '/mig_does_not_exist';
    const error = await s.fail({ url: url.toString() });
    expect(error.hint).toContain('The database "mig_does_not_exist" does not exist');
  });

  test('TLS required of a server without TLS says to disable it', async () => {
    const s = scenario();
    await s.workspace.write('V1__create_users.sql', CREATE_USERS);
    const error = await s.fail({ ssl: { mode: 'require' } });
    expect(error.hint).toContain('set ssl: disable');
  });

  test('bad file names fail before connecting', async () => {
    const s = scenario();
    await s.workspace.write('V1_create_users.sql', CREATE_USERS);
    const error = await s.fail({ url: s.db.url.replace(/:\d+\//, ':1/') });
    expect(error.message).toContain('V1_create_users.sql (two underscores');
  });
}
