/** The migration driver for MySQL and MariaDB (mysql2). */
import mysql from 'mysql2/promise';
import type { AppliedMigration } from './plan.js';
import {
  DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  HISTORY_TABLE,
  mysqlLockName,
  StatementError,
  type DatabaseErrorInfo,
  type MigrationDriver,
  type SessionSettings,
} from './driver.js';
import type { DatabaseUrl } from './url.js';

/**
 * MySQL and MariaDB. The lock is GET_LOCK on a name holding the database (it
 * is server-wide and goes away with the session); its holder is found with
 * IS_USED_LOCK and named from the process list, and, where the server keeps
 * them (MySQL's performance_schema), from the connection attributes that
 * carry the run's URL.
 * Timeouts: lock_wait_timeout (metadata locks, i.e. DDL) and
 * innodb_lock_wait_timeout (row locks) take lock-timeout; statement-timeout is
 * MariaDB's max_statement_time (every statement) or MySQL's max_execution_time
 * (which MySQL enforces on SELECT only).
 */
export async function openMysql(
  db: DatabaseUrl,
  settings: SessionSettings,
): Promise<MigrationDriver> {
  const connection = await mysql.createConnection({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: db.database,
    ssl: mysqlSsl(settings),
    connectTimeout: settings.connectTimeoutMs,
    multipleStatements: false,
    timezone: 'Z',
    connectAttributes: { program_name: 'deploy-actions', deploy_actions_run: settings.appliedBy },
  });
  // A connection the server drops while idle emits 'error'; the next query fails with it anyway.
  connection.on('error', () => undefined);
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version');
    const version = String(rows[0]?.version ?? '?');
    const isMariaDb = /mariadb/i.test(version);
    const warnings = await applySessionSettings(connection, settings, isMariaDb);
    const name = isMariaDb ? `MariaDB ${version.replace(/-MariaDB.*$/i, '')}` : `MySQL ${version}`;
    return new MysqlDriver(connection, name, mysqlLockName(db.database), warnings);
  } catch (error) {
    await connection.end().catch(() => undefined);
    throw error;
  }
}

function mysqlSsl(settings: SessionSettings): mysql.SslOptions | undefined {
  const { tls } = settings;
  if (tls === false) return undefined;
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    verifyIdentity: tls.verifyHostname,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
  };
}

async function applySessionSettings(
  connection: mysql.Connection,
  settings: SessionSettings,
  isMariaDb: boolean,
): Promise<string[]> {
  // Both lock timeouts are whole seconds, at least 1.
  const lockSeconds = Math.max(1, Math.ceil(settings.lockTimeoutMs / 1000));
  // A session idle this long (a vanished runner) is ended, and GET_LOCK's lock with it; we are
  // never idle longer than a lock poll (5 s).
  const idleSeconds = Math.max(
    10,
    Math.ceil(
      (settings.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS) / 1000,
    ),
  );
  await connection.query(
    "SET SESSION time_zone = '+00:00', lock_wait_timeout = ?, innodb_lock_wait_timeout = ?, wait_timeout = ?",
    [lockSeconds, lockSeconds, idleSeconds],
  );
  if (isMariaDb) {
    await connection.query('SET SESSION max_statement_time = ?', [
      settings.statementTimeoutMs / 1000,
    ]);
    return [];
  }
  await connection.query('SET SESSION max_execution_time = ?', [settings.statementTimeoutMs]);
  return settings.statementTimeoutMs > 0
    ? ['MySQL enforces statement-timeout (max_execution_time) on SELECT statements only.']
    : [];
}

interface ProcessRow extends mysql.RowDataPacket {
  ID: number;
  USER: string | null;
  HOST: string | null;
  COMMAND: string | null;
  TIME: number | null;
  INFO: string | null;
}

class MysqlDriver implements MigrationDriver {
  readonly engine = 'mysql' as const;
  readonly dialect = 'mysql' as const;

  constructor(
    private readonly connection: mysql.Connection,
    readonly serverVersion: string,
    private readonly lockName: string,
    readonly warnings: readonly string[],
  ) {}

  async tryLock(): Promise<boolean> {
    const [rows] = await this.connection.query<mysql.RowDataPacket[]>(
      'SELECT GET_LOCK(?, 0) AS locked',
      [this.lockName],
    );
    return Number(rows[0]?.locked) === 1;
  }

  async lockHolder(): Promise<string | undefined> {
    const [used] = await this.connection.query<mysql.RowDataPacket[]>(
      'SELECT IS_USED_LOCK(?) AS id',
      [this.lockName],
    );
    const id = used[0]?.id as number | null | undefined;
    if (id === null || id === undefined) return undefined;
    const [processes] = await this.connection.query<ProcessRow[]>(
      'SELECT ID, USER, HOST, COMMAND, TIME, INFO FROM information_schema.PROCESSLIST WHERE ID = ?',
      [id],
    );
    const run = await this.runOfConnection(id);
    return describeProcess(id, processes[0], run);
  }

  /** The run URL from the holder's connection attributes, where performance_schema keeps them. */
  private async runOfConnection(id: number): Promise<string | undefined> {
    try {
      const [rows] = await this.connection.query<mysql.RowDataPacket[]>(
        `SELECT ATTR_VALUE FROM performance_schema.session_connect_attrs
          WHERE PROCESSLIST_ID = ? AND ATTR_NAME = 'deploy_actions_run'`,
        [id],
      );
      const value = rows[0]?.ATTR_VALUE as string | undefined;
      return value === undefined ? undefined : String(value);
    } catch {
      return undefined;
    }
  }

  async unlock(): Promise<void> {
    await this.connection.query('SELECT RELEASE_LOCK(?)', [this.lockName]);
  }

  async historyExists(): Promise<boolean> {
    const [rows] = await this.connection.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS found FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
      [HISTORY_TABLE],
    );
    return Number(rows[0]?.found) > 0;
  }

  async createHistory(): Promise<void> {
    await this.connection.query(
      `CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
         version     VARCHAR(64)   NOT NULL PRIMARY KEY,
         name        VARCHAR(255)  NOT NULL,
         checksum    CHAR(64)      NOT NULL,
         applied_at  TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         duration_ms INT           NOT NULL,
         applied_by  VARCHAR(1024) NOT NULL
       ) ENGINE = InnoDB`,
    );
  }

  async readHistory(): Promise<AppliedMigration[]> {
    const [rows] = await this.connection.query<mysql.RowDataPacket[]>(
      `SELECT version, name, checksum, applied_at, duration_ms, applied_by FROM ${HISTORY_TABLE}`,
    );
    return rows.map((row) => ({
      version: String(row.version),
      name: String(row.name),
      checksum: String(row.checksum),
      appliedAt: row.applied_at as Date,
      durationMs: Number(row.duration_ms),
      appliedBy: String(row.applied_by),
    }));
  }

  async recordApplied(row: Omit<AppliedMigration, 'appliedAt'>): Promise<void> {
    await this.connection.query(
      `INSERT INTO ${HISTORY_TABLE} (version, name, checksum, duration_ms, applied_by)
       VALUES (?, ?, ?, ?, ?)`,
      [row.version, row.name, row.checksum, Math.round(row.durationMs), row.appliedBy],
    );
  }

  // autocommit off rather than START TRANSACTION: after a DDL's implicit commit a new
  // transaction begins at once, so the statements after it can still be rolled back.
  async runInTransaction(statements: readonly string[]): Promise<void> {
    await this.connection.query('SET autocommit = 0');
    for (const [index, sql] of statements.entries()) {
      await this.connection.query(sql).catch((error: unknown) => {
        throw new StatementError(index, error);
      });
    }
  }

  async recordAndCommit(row: Omit<AppliedMigration, 'appliedAt'>): Promise<void> {
    await this.recordApplied(row);
    await this.connection.query('COMMIT');
    await this.connection.query('SET autocommit = 1');
  }

  async rollback(): Promise<void> {
    await this.connection.query('ROLLBACK');
    await this.connection.query('SET autocommit = 1');
  }

  async execute(sql: string): Promise<void> {
    await this.connection.query(sql);
  }

  describeError(error: unknown, statement: string): DatabaseErrorInfo | undefined {
    const candidate = error as { errno?: unknown; code?: unknown; sqlMessage?: unknown };
    if (typeof candidate?.errno !== 'number' || typeof candidate.sqlMessage !== 'string') {
      return undefined;
    }
    const message = candidate.sqlMessage;
    const line = syntaxErrorLine(message, statement);
    return {
      code: `${String(candidate.code)} (errno ${candidate.errno})`,
      message,
      ...(line === undefined ? {} : { lineInStatement: line }),
    };
  }

  async close(): Promise<void> {
    await this.connection.end().catch(() => undefined);
  }
}

/**
 * Syntax errors end with `near '<the rest of the statement>' at line N`. The
 * server's N may count a line past the token, so the quoted rest (cut at 80
 * characters) is looked up in the statement first.
 */
function syntaxErrorLine(message: string, statement: string): number | undefined {
  const match = /near '([\s\S]*)' at line (\d+)$/.exec(message);
  if (!match) return undefined;
  const rest = match[1]!;
  const index = statement.endsWith(rest)
    ? statement.length - rest.length
    : statement.indexOf(rest) === statement.lastIndexOf(rest)
      ? statement.indexOf(rest)
      : -1;
  if (index === -1) return Number(match[2]);
  return statement.slice(0, index).split('\n').length;
}

function describeProcess(id: number, row: ProcessRow | undefined, run: string | undefined): string {
  if (row === undefined) return `MySQL connection ${id}${run ? ` (run ${run})` : ''}`;
  const parts = [
    run ? `run ${run}` : undefined,
    row.USER ? `user ${row.USER}@${row.HOST ?? '?'}` : undefined,
    row.COMMAND ? `${row.COMMAND.toLowerCase()} for ${row.TIME ?? '?'}s` : undefined,
    row.INFO ? `running: ${row.INFO.replace(/\s+/g, ' ').slice(0, 120)}` : undefined,
  ].filter((part) => part !== undefined);
  return `MySQL connection ${id} (${parts.join(', ')})`;
}
