// A cancelled step and the built-in migrator: the lock wait ends, the file under way finishes
// (its transaction commits), no other file starts, and the history says exactly what ran.
import { MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import {
  MigrationRunError,
  runMigrations,
  type MigrateOptions,
} from '../../../packages/migrate/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../tools/services/databases.js';
import { createWorkspace, type Workspace } from './workspace.js';

let db: TestDatabase;
let workspace: Workspace;

beforeEach(async () => {
  db = await createTestDatabase('postgres');
  workspace = await createWorkspace({
    'V1__first.sql': 'CREATE TABLE first (id int);',
    'V2__second.sql': 'CREATE TABLE second (id int);',
    'V3__third.sql': 'CREATE TABLE third (id int);',
  });
});
afterEach(async () => {
  await db.drop();
  await workspace.cleanup();
});

const options = (): MigrateOptions => ({
  database: { url: db.url },
  mode: {
    kind: 'sql',
    migrationsDir: workspace.migrationsDir,
    allowOutOfOrder: false,
    dryRun: false,
  },
  ssl: { mode: 'disable' },
  lockTimeoutMs: 30_000,
  statementTimeoutMs: 0,
  appliedBy: 'https://github.com/acme/shop/actions/runs/7',
  workspaceDir: workspace.root,
  connectTimeoutMs: 5_000,
});

test('cancelled after the first file: it stays applied, the others never start', async () => {
  const cancel = new AbortController();
  const logger = new MemoryLogger();
  const info = logger.info.bind(logger);
  logger.info = (message: string) => {
    info(message);
    if (message.startsWith('Applied ') && message.includes('V1__first.sql')) cancel.abort();
  };
  const error = await runMigrations(options(), { logger, signal: cancel.signal }).catch(
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MigrationRunError);
  expect((error as MigrationRunError).message).toBe(
    'The step was cancelled: 1 migration(s) applied, 2 not started (next: db/migrations/V2__second.sql).',
  );
  const result = (error as MigrationRunError).result;
  expect(result.sql?.migrations.map((m) => [m.version, m.status])).toEqual([
    ['1', 'applied'],
    ['2', 'not run'],
    ['3', 'not run'],
  ]);
  const history = await db.query<{ version: string }>(
    'SELECT version FROM deploy_actions_schema_history ORDER BY version',
  );
  expect(history.map((row) => row.version)).toEqual(['1']);
  const tables = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('first', 'second', 'third') ORDER BY table_name",
  );
  expect(tables.map((row) => row.name)).toEqual(['first']);
});

test('cancelled before the lock is taken: the wait ends at once, nothing applied', async () => {
  const cancel = new AbortController();
  cancel.abort();
  const error = await runMigrations(options(), {
    logger: new MemoryLogger(),
    signal: cancel.signal,
  }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).message).toMatch(
    /^The step was cancelled while waiting for the migration lock on postgres:\/\/.*: nothing was applied\.$/,
  );
  const tables = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('first', 'second', 'third')",
  );
  expect(tables).toEqual([]);
});
