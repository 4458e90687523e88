/**
 * A fresh database per test file on the machine's PostgreSQL and MariaDB, so
 * test files run in parallel without seeing each other's tables or locks.
 * The servers are found at TEST_POSTGRES_URL and TEST_MYSQL_URL (defaults:
 * the local servers CI starts, trust auth / root without password).
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

export type TestEngine = 'postgres' | 'mysql';

export interface TestDatabase {
  engine: TestEngine;
  /** mig_<random>: lower case, so it needs no quoting on either engine. */
  name: string;
  /** A URL for the new database. */
  url: string;
  /** Runs one statement in the new database and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Drops the database, ending any session still in it. */
  drop(): Promise<void>;
}

const SERVER_URLS: Record<TestEngine, string> = {
  postgres: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
};

export async function createTestDatabase(engine: TestEngine): Promise<TestDatabase> {
  const name = `mig_${randomBytes(6).toString('hex')}`;
  const server = SERVER_URLS[engine];
  await adminQuery(engine, server, `CREATE DATABASE ${name}`);
  const url = withDatabase(server, name);
  const session = engine === 'postgres' ? postgresSession(url) : mysqlSession(url);
  return {
    engine,
    name,
    url,
    query: session.query,
    drop: async () => {
      await session.close();
      const drop =
        engine === 'postgres'
          ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`
          : `DROP DATABASE IF EXISTS ${name}`;
      await adminQuery(engine, server, drop);
    },
  };
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

interface Session {
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** One connection, opened on first use and kept for the file's later queries. */
function postgresSession(url: string): Session {
  let client: Promise<pg.Client> | undefined;
  const open = () => {
    client ??= (async () => {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    })();
    return client;
  };
  return {
    query: async <Row>(sql: string, params?: unknown[]) =>
      (await (await open()).query(sql, params)).rows as Row[],
    close: async () => {
      if (client) await (await client).end().catch(() => undefined);
    },
  };
}

function mysqlSession(url: string): Session {
  let connection: Promise<mysql.Connection> | undefined;
  const open = () => {
    connection ??= mysql.createConnection({ uri: url, timezone: 'Z' }).then((c) => {
      c.on('error', () => undefined);
      return c;
    });
    return connection;
  };
  return {
    query: async <Row>(sql: string, params?: unknown[]) => {
      const [rows] = await (await open()).query(sql, params);
      return (Array.isArray(rows) ? rows : []) as Row[];
    },
    close: async () => {
      if (connection) await (await connection).end().catch(() => undefined);
    },
  };
}

async function adminQuery(engine: TestEngine, serverUrl: string, sql: string): Promise<void> {
  if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
    return;
  }
  const connection = await mysql.createConnection({ uri: serverUrl });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}
