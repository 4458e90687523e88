/**
 * What the migrator needs from a database, implemented once for PostgreSQL
 * (pg) and once for MySQL/MariaDB (mysql2). One driver is one session: the
 * migration lock, the session's timeouts and every statement belong to it.
 */
import { createHash } from 'node:crypto';
import type { AppliedMigration } from './plan.js';
import type { Dialect } from './splitter.js';
import type { TlsSettings } from './ssl.js';
import type { DatabaseUrl, Engine } from './url.js';

/** The history table, in the session's current schema (PostgreSQL) or database (MySQL). */
export const HISTORY_TABLE = 'deploy_actions_schema_history';

export interface SessionSettings {
  /** Session lock_timeout (PostgreSQL) / lock_wait_timeout (MySQL), in ms. */
  lockTimeoutMs: number;
  /** Session statement timeout in ms; 0 for none. */
  statementTimeoutMs: number;
  /** Who is connecting: the run's URL, shown to whoever looks for the lock's holder. */
  appliedBy: string;
  tls: TlsSettings;
  connectTimeoutMs: number;
  /**
   * PostgreSQL: a session idle inside a transaction this long is ended by the
   * server, its locks released (a runner that vanished mid-migration).
   */
  idleInTransactionTimeoutMs?: number;
}

/** Long enough for any pause between two statements of ours; short enough not to block the next deploy. */
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/** A database error, reduced to what a person needs. */
export interface DatabaseErrorInfo {
  /** `SQLSTATE 42P07` (PostgreSQL) or `ER_TABLE_EXISTS_ERROR (errno 1050)` (MySQL). */
  code: string;
  message: string;
  /** PostgreSQL's DETAIL and HINT, when it sent them. */
  detail?: string;
  hint?: string;
  /** 1-based line within the statement where the database located the error. */
  lineInStatement?: number;
}

export interface MigrationDriver {
  readonly engine: Engine;
  readonly dialect: Dialect;
  /** `PostgreSQL 15.4`, `MariaDB 10.11.6`, `MySQL 8.0.36`. */
  readonly serverVersion: string;
  /** Things the run should warn about (a timeout this server cannot enforce…). */
  readonly warnings: readonly string[];
  /** Takes the migration lock without waiting; true when this session holds it. */
  tryLock(): Promise<boolean>;
  /** Who holds the migration lock, in words; undefined when nobody (any longer). */
  lockHolder(): Promise<string | undefined>;
  unlock(): Promise<void>;
  historyExists(): Promise<boolean>;
  createHistory(): Promise<void>;
  readHistory(): Promise<AppliedMigration[]>;
  /** Records a file that ran without a transaction (no-transaction files). */
  recordApplied(row: Omit<AppliedMigration, 'appliedAt'>): Promise<void>;
  /**
   * Opens a transaction and runs a file's statements in it, in order, up to
   * the first that fails: that one is thrown as a StatementError. The
   * transaction stays open (or aborted) for recordAndCommit or rollback.
   */
  runInTransaction(statements: readonly string[]): Promise<void>;
  /** Records the file applied in the open transaction and commits: both or neither. */
  recordAndCommit(row: Omit<AppliedMigration, 'appliedAt'>): Promise<void>;
  rollback(): Promise<void>;
  /** Runs one statement outside a transaction (no-transaction files). */
  execute(sql: string): Promise<void>;
  /** The error as the database reported it; undefined when it did not come from the database. */
  describeError(error: unknown, statement: string): DatabaseErrorInfo | undefined;
  close(): Promise<void>;
}

/** Statement `index` of runInTransaction failed with the database's `error`. */
export class StatementError extends Error {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error));
    this.name = 'StatementError';
  }
}

export type OpenDriver = (db: DatabaseUrl, settings: SessionSettings) => Promise<MigrationDriver>;

/**
 * The session's name as PostgreSQL shows it in pg_stat_activity (at most 63
 * ASCII characters): `deploy-actions acme/shop run 123456789`.
 */
export function applicationName(appliedBy: string): string {
  const run = /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)(?:\/attempts\/(\d+))?/.exec(
    appliedBy,
  );
  const who = run ? `${run[1]} run ${run[2]}${run[3] ? ` attempt ${run[3]}` : ''}` : appliedBy;
  return `deploy-actions ${who}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 63);
}

/** Two positive 32-bit keys for PostgreSQL's two-key advisory lock, derived from the table's name. */
export function advisoryLockKeys(): [number, number] {
  const digest = createHash('sha256').update(`deploy-actions:${HISTORY_TABLE}`).digest();
  return [digest.readUInt32BE(0) & 0x7fffffff, digest.readUInt32BE(4) & 0x7fffffff];
}

/** MySQL's GET_LOCK is server-wide, so the name holds the database (names are at most 64 characters). */
export function mysqlLockName(database: string): string {
  const name = `deploy-actions:${database}`;
  if (name.length <= 64) return name;
  return `deploy-actions:${createHash('sha256').update(database).digest('hex').slice(0, 48)}`;
}
