/** The migration driver for PostgreSQL (pg). */
import pg from 'pg';
import type { AppliedMigration } from './plan.js';
import {
  DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  HISTORY_TABLE,
  advisoryLockKeys,
  applicationName,
  type DatabaseErrorInfo,
  StatementError,
  type MigrationDriver,
  type SessionSettings,
} from './driver.js';
import type { TlsSettings } from './ssl.js';
import type { DatabaseUrl } from './url.js';

/**
 * The lock is a session-level advisory lock (two-key form): it survives the
 * transactions of each file, is per database, and goes away with the session
 * if the runner dies. The server notices a vanished runner within about a
 * minute: a session idle inside a transaction is ended after
 * idle_in_transaction_session_timeout, and a dead peer by TCP keepalives
 * (30 s idle, 3 probes 10 s apart) instead of the kernel's two hours. Its
 * holder is found in pg_locks and named from pg_stat_activity, whose
 * application_name each run sets to its own.
 */
export async function openPostgres(
  db: DatabaseUrl,
  settings: SessionSettings,
): Promise<MigrationDriver> {
  const client = new pg.Client({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password === '' ? undefined : db.password,
    database: db.database,
    ssl: pgSsl(settings.tls),
    application_name: applicationName(settings.appliedBy),
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // Queries go out without waiting for the previous answer (used by runInTransaction).
    pipeline: true,
  });
  // A session the server ends while idle emits 'error'; the next query fails with it anyway.
  client.on('error', () => undefined);
  try {
    await client.connect();
    // The settings and the server's version in one round trip.
    const settingsAndVersion = await client.query<{ server_version: string }>(
      `SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false),
        set_config('idle_in_transaction_session_timeout', $3, false),
        set_config('tcp_keepalives_idle', '30', false),
        set_config('tcp_keepalives_interval', '10', false),
        set_config('tcp_keepalives_count', '3', false),
        current_setting('server_version') AS server_version`,
      // lock_timeout 0 would mean "wait forever".
      [
        `${Math.max(1, settings.lockTimeoutMs)}ms`,
        `${settings.statementTimeoutMs}ms`,
        `${settings.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS}ms`,
      ],
    );
    const version = settingsAndVersion.rows[0]?.server_version ?? '?';
    return new PostgresDriver(client, `PostgreSQL ${version}`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

function pgSsl(tls: TlsSettings): pg.ClientConfig['ssl'] {
  if (tls === false) return false;
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
  };
}

interface HistoryRow {
  version: string;
  name: string;
  checksum: string;
  applied_at: Date;
  duration_ms: number;
  applied_by: string;
}

interface HolderRow {
  pid: number;
  application_name: string | null;
  usename: string | null;
  client_addr: string | null;
  backend_start: Date | null;
  state: string | null;
}

class PostgresDriver implements MigrationDriver {
  readonly engine = 'postgres' as const;
  readonly dialect = 'postgres' as const;
  readonly warnings: string[] = [];
  private readonly lockKeys = advisoryLockKeys();

  constructor(
    private readonly client: pg.Client,
    readonly serverVersion: string,
  ) {}

  async tryLock(): Promise<boolean> {
    const result = await this.client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS locked',
      this.lockKeys,
    );
    return result.rows[0]?.locked === true;
  }

  async lockHolder(): Promise<string | undefined> {
    // Two-key advisory locks appear with the keys in classid/objid and objsubid 2.
    const result = await this.client.query<HolderRow>(
      `SELECT a.pid, a.application_name, a.usename, host(a.client_addr) AS client_addr,
              a.backend_start, a.state
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      this.lockKeys,
    );
    const holder = result.rows[0];
    return holder === undefined ? undefined : describeHolder(holder);
  }

  async unlock(): Promise<void> {
    await this.client.query('SELECT pg_advisory_unlock($1, $2)', this.lockKeys);
  }

  async historyExists(): Promise<boolean> {
    const result = await this.client.query<{ found: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS found',
      [HISTORY_TABLE],
    );
    return result.rows[0]?.found === true;
  }

  async createHistory(): Promise<void> {
    await this.client.query(
      `CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
         version     text        PRIMARY KEY,
         name        text        NOT NULL,
         checksum    text        NOT NULL,
         applied_at  timestamptz NOT NULL DEFAULT now(),
         duration_ms integer     NOT NULL,
         applied_by  text        NOT NULL
       )`,
    );
  }

  async readHistory(): Promise<AppliedMigration[]> {
    const result = await this.client.query<HistoryRow>(
      `SELECT version, name, checksum, applied_at, duration_ms, applied_by FROM ${HISTORY_TABLE}`,
    );
    return result.rows.map((row) => ({
      version: row.version,
      name: row.name,
      checksum: row.checksum,
      appliedAt: row.applied_at,
      durationMs: row.duration_ms,
      appliedBy: row.applied_by,
    }));
  }

  async recordApplied(row: Omit<AppliedMigration, 'appliedAt'>): Promise<void> {
    await this.client.query(
      `INSERT INTO ${HISTORY_TABLE} (version, name, checksum, duration_ms, applied_by)
       VALUES ($1, $2, $3, $4, $5)`,
      [row.version, row.name, row.checksum, Math.round(row.durationMs), row.appliedBy],
    );
  }

  /**
   * BEGIN and the statements go out at once (pg's pipeline mode: each its own
   * simple query, so its own statement timeout and error position) and are
   * answered in order. After a failure the server rejects the rest unrun, the
   * transaction being aborted; a statement that could revive it (ROLLBACK TO
   * SAVEPOINT) makes the file run one statement at a time instead.
   */
  async runInTransaction(statements: readonly string[]): Promise<void> {
    if (statements.some((sql) => REVIVES_ABORTED_TRANSACTION.test(sql))) {
      await this.client.query('BEGIN');
      for (const [index, sql] of statements.entries()) {
        await this.client.query(sql).catch((error: unknown) => {
          throw new StatementError(index, error);
        });
      }
      return;
    }
    const results = await Promise.allSettled([
      this.client.query('BEGIN'),
      ...statements.map((sql) => this.client.query(sql)),
    ]);
    const failed = results.findIndex((result) => result.status === 'rejected');
    if (failed === -1) return;
    const { reason } = results[failed] as PromiseRejectedResult;
    throw failed === 0 ? reason : new StatementError(failed - 1, reason);
  }

  async recordAndCommit(row: Omit<AppliedMigration, 'appliedAt'>): Promise<void> {
    // One simple query, so literals rather than parameters (pg's escaping: '' and E'\\').
    const values = [row.version, row.name, row.checksum].map((v) => this.client.escapeLiteral(v));
    await this.client.query(
      `INSERT INTO ${HISTORY_TABLE} (version, name, checksum, duration_ms, applied_by)
       VALUES (${values.join(', ')}, ${Math.round(row.durationMs)}, ${this.client.escapeLiteral(row.appliedBy)});
COMMIT`,
    );
  }

  async rollback(): Promise<void> {
    await this.client.query('ROLLBACK');
  }

  async execute(sql: string): Promise<void> {
    // No parameters: the simple query protocol, which takes any statement as written.
    await this.client.query(sql);
  }

  describeError(error: unknown, statement: string): DatabaseErrorInfo | undefined {
    if (!(error instanceof pg.DatabaseError) || error.code === undefined) return undefined;
    const position = Number(error.position);
    return {
      code: `SQLSTATE ${error.code}`,
      message: error.message,
      ...(error.detail ? { detail: error.detail } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
      ...(Number.isInteger(position) && position > 0
        ? { lineInStatement: linesBefore(statement, position - 1) + 1 }
        : {}),
    };
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** Statements an aborted transaction still runs; prepare.ts keeps COMMIT and ROLLBACK out. */
const REVIVES_ABORTED_TRANSACTION = /^\s*(?:rollback|prepare\s+transaction)\b/i;

function linesBefore(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length - 1;
}

function describeHolder(holder: HolderRow): string {
  const parts = [
    holder.application_name ? `application "${holder.application_name}"` : undefined,
    holder.usename ? `user ${holder.usename}` : undefined,
    holder.client_addr ? `from ${holder.client_addr}` : undefined,
    holder.backend_start ? `connected at ${holder.backend_start.toISOString()}` : undefined,
    holder.state ? `now ${holder.state}` : undefined,
  ].filter((part) => part !== undefined);
  return `PostgreSQL session ${holder.pid} (${parts.join(', ')})`;
}
