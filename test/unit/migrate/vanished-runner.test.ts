// A runner that vanishes mid-migration must not hold the migration lock for
// ever: the server ends a session idle inside a transaction, and with it the
// session's advisory lock; dead peers are found by keepalives within a minute.
import {
  connect,
  mysqlLockName,
  parseDatabaseUrl,
  type MigrationDriver,
} from '@deploy-actions/migrate';
import { createTestDatabase, type TestDatabase } from '../../../tools/services/databases.js';

let db: TestDatabase;
let driver: MigrationDriver | undefined;

beforeEach(async () => {
  db = await createTestDatabase('postgres');
});
afterEach(async () => {
  await driver?.close().catch(() => undefined);
  driver = undefined;
  await db.drop();
});

const open = (idleInTransactionTimeoutMs?: number) =>
  connect(
    parseDatabaseUrl(db.url),
    {
      lockTimeoutMs: 1_000,
      statementTimeoutMs: 0,
      appliedBy: 'https://github.com/acme/shop/actions/runs/9',
      tls: false,
      connectTimeoutMs: 5_000,
      ...(idleInTransactionTimeoutMs === undefined ? {} : { idleInTransactionTimeoutMs }),
    },
    { mode: 'disable', source: 'the test' },
  );

async function advisoryLocks(): Promise<number> {
  const rows = await db.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
  );
  return Number(rows[0]!.n);
}

test('the session sets a bounded idle-in-transaction timeout and fast keepalives', async () => {
  driver = await open();
  // Session settings are visible only inside the session: ask through the driver's own client.
  const { client } = driver as unknown as {
    client: { query(sql: string): Promise<{ rows: Record<string, string>[] }> };
  };
  const show = async (name: string) => (await client.query(`SHOW ${name}`)).rows[0]![name];
  expect(await show('idle_in_transaction_session_timeout')).toBe('1min');
  expect(await show('tcp_keepalives_idle')).toBe('30');
  expect(await show('tcp_keepalives_interval')).toBe('10');
  expect(await show('tcp_keepalives_count')).toBe('3');
});

test('a session left idle inside a transaction is ended and its lock released', async () => {
  driver = await open(1_000);
  expect(await driver.tryLock()).toBe(true);
  await driver.runInTransaction(['CREATE TABLE half_done (id int)']);
  expect(await advisoryLocks()).toBe(1);
  // The runner vanished: nothing more is sent on this session.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect(await advisoryLocks()).toBe(0);
  const tables = await db.query(
    "SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'",
  );
  expect(tables).toEqual([]);
});

describe('MySQL/MariaDB', () => {
  let mysqlDb: TestDatabase;
  beforeEach(async () => {
    mysqlDb = await createTestDatabase('mysql');
  });
  afterEach(async () => {
    await mysqlDb.drop();
  });

  test("an idle session is ended by the server, and GET_LOCK's lock with it", async () => {
    const session = await connect(
      parseDatabaseUrl(mysqlDb.url),
      {
        lockTimeoutMs: 1_000,
        statementTimeoutMs: 0,
        appliedBy: 'https://github.com/acme/shop/actions/runs/9',
        tls: false,
        connectTimeoutMs: 5_000,
        idleInTransactionTimeoutMs: 1_000,
      },
      { mode: 'disable', source: 'the test' },
    );
    try {
      expect(await session.tryLock()).toBe(true);
      const name = mysqlLockName(mysqlDb.name);
      const holder = async () =>
        (await mysqlDb.query<{ held: unknown }>('SELECT IS_USED_LOCK(?) AS held', [name]))[0]!.held;
      expect(await holder()).not.toBeNull();
      // The floor is 10 s: a lock poll never leaves the session idle that long.
      await new Promise((resolve) => setTimeout(resolve, 11_500));
      expect(await holder()).toBeNull();
    } finally {
      await session.close().catch(() => undefined);
    }
  }, 20_000);
});
