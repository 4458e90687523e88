/**
 * Applies prepared migrations through one driver session.
 *
 * A run reads the history without the lock first: when nothing is pending it
 * is done without waiting behind another deploy. Otherwise it takes the
 * migration lock (waiting up to lock-timeout), creates the history table if
 * needed, reads the history again and plans again: the second plan is what
 * makes two concurrent runs apply each migration exactly once, since the run
 * that waited sees what the other applied. Each file runs in its own
 * transaction (unless marked no-transaction) together with its history row,
 * so a file is applied and recorded, or neither. The first failing file
 * stops the run: earlier files stay applied, later ones do not run.
 */
import {
  UserError,
  describeError,
  formatDuration,
  poll,
  systemClock,
  type Clock,
  type Logger,
} from '@deploy-actions/action-kit/engine';
import {
  HISTORY_TABLE,
  StatementError,
  type DatabaseErrorInfo,
  type MigrationDriver,
} from './driver.js';
import {
  assertPlanCanRun,
  newestVersion,
  planMigrations,
  type AppliedMigration,
  type MigrationPlan,
} from './plan.js';
import type { PreparedMigration } from './prepare.js';
import type { SqlStatement } from './splitter.js';

export interface MigratorOptions {
  allowOutOfOrder: boolean;
  dryRun: boolean;
  /** How long to wait for the migration lock. */
  lockTimeoutMs: number;
  /** Written into the history's applied_by: the run's URL. */
  appliedBy: string;
  /** The database, as it may be shown (no password), for messages. */
  target: string;
}

export interface MigratorDeps {
  logger: Logger;
  clock?: Clock;
  /** The step was cancelled: the lock wait ends and no further file starts (the current one finishes). */
  signal?: AbortSignal;
}

export type MigrationStatus = 'applied' | 'failed' | 'not run' | 'pending';

/** One migration's line in the summary. */
export interface MigrationOutcome {
  version: string;
  file: string;
  status: MigrationStatus;
  transactional: boolean;
  statements: number;
  durationMs?: number;
  /** Why it failed, for the summary. */
  error?: string;
  /** The start of the file, shown by a dry run. */
  preview?: string;
}

export interface SqlRunReport {
  /** Pending migrations of this run, in the order they were (or would be) applied. */
  migrations: MigrationOutcome[];
  appliedVersions: string[];
  /** Versions still not applied when the run ended. */
  pendingVersions: string[];
  currentVersion: string | undefined;
  warnings: string[];
  /** Set when a migration failed; the report says what ran before it. */
  failure?: UserError;
}

const PREVIEW_LINES = 20;
const LOCK_PROGRESS_EVERY_MS = 15_000;

export async function migrate(
  driver: MigrationDriver,
  migrations: readonly PreparedMigration[],
  options: MigratorOptions,
  deps: MigratorDeps,
): Promise<SqlRunReport> {
  const firstLook = planMigrations(
    migrations,
    await step(driver, 'Reading the history table', async () =>
      (await driver.historyExists()) ? driver.readHistory() : [],
    ),
  );
  assertPlanCanRun(firstLook, options);
  const warnings = [...driver.warnings, ...missingWarnings(firstLook.missing)];
  if (options.dryRun) {
    logPending('Dry run: nothing will change.', firstLook, deps.logger);
    return dryRunReport(firstLook, warnings);
  }
  if (firstLook.pending.length === 0) {
    deps.logger.info(
      `Up to date at version ${firstLook.currentVersion ?? '(none)'}: nothing to apply.`,
    );
    return report([], [], firstLook.currentVersion, warnings);
  }
  await step(driver, 'Taking the migration lock', () => acquireLock(driver, options, deps));
  try {
    await step(driver, `Creating the history table ${HISTORY_TABLE}`, () => driver.createHistory());
    const plan = planMigrations(
      migrations,
      await step(driver, 'Reading the history table', () => driver.readHistory()),
    );
    assertPlanCanRun(plan, options);
    return await applyPending(driver, plan, options, deps, warnings);
  } finally {
    await driver.unlock().catch(() => undefined);
  }
}

/** A database error in the migrator's own bookkeeping, as a UserError that says what was being done. */
async function step<T>(driver: MigrationDriver, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const info = driver.describeError(error, '');
    if (info === undefined) throw error;
    const denied = /SQLSTATE 42501|ACCESS_DENIED|errno 1142\)/.test(info.code);
    throw new UserError(`${what} failed: ${info.code}: ${info.message}`, {
      cause: error,
      hint: denied
        ? `The database user needs the right to create and write ${HISTORY_TABLE} and to run the migrations (on PostgreSQL 15 and later, only the schema's owner may create tables in public unless granted: GRANT CREATE ON SCHEMA public TO the user, or migrate as the database owner).`
        : info.hint,
    });
  }
}

function logPending(prefix: string, plan: MigrationPlan<PreparedMigration>, logger: Logger): void {
  const files = plan.pending.map((migration) => migration.path).join(', ');
  logger.info(
    `${prefix} ${plan.pending.length} pending migration(s) after version ${plan.currentVersion ?? '(none)'}${files ? `: ${files}` : ''}.`,
  );
}

function dryRunReport(plan: MigrationPlan<PreparedMigration>, warnings: string[]): SqlRunReport {
  const migrations = plan.pending.map((migration) => ({
    ...outcomeBase(migration),
    status: 'pending' as const,
    preview: preview(migration.sql),
  }));
  return report(migrations, [], plan.currentVersion, warnings);
}

function preview(sql: string): string {
  const lines = sql.trimEnd().split('\n');
  const shown = lines.slice(0, PREVIEW_LINES).join('\n');
  return lines.length > PREVIEW_LINES
    ? `${shown}\n… (${lines.length - PREVIEW_LINES} more lines)`
    : shown;
}

function missingWarnings(missing: AppliedMigration[]): string[] {
  if (missing.length === 0) return [];
  const versions = missing.map((row) => row.version).join(', ');
  return [
    `Applied migrations with no file in this checkout: ${versions} (deleted files, or a newer deploy already migrated this database).`,
  ];
}

async function acquireLock(
  driver: MigrationDriver,
  options: MigratorOptions,
  deps: MigratorDeps,
): Promise<void> {
  let holder: string | undefined;
  let lastProgressAt = -Infinity;
  const result = await poll<true>({
    label: 'the migration lock',
    timeoutMs: options.lockTimeoutMs,
    backoff: { initialMs: 250, maxMs: 5_000 },
    clock: deps.clock,
    ...(deps.signal && { signal: deps.signal }),
    attempt: async () => {
      if (await driver.tryLock()) return { done: true, value: true };
      holder = (await driver.lockHolder().catch(() => undefined)) ?? holder;
      return { done: false, status: holder };
    },
    onWait: ({ elapsedMs }) => {
      if (elapsedMs - lastProgressAt < LOCK_PROGRESS_EVERY_MS) return;
      lastProgressAt = elapsedMs;
      deps.logger.info(
        `Waiting for the migration lock, held by ${holder ?? 'another session'} (${formatDuration(elapsedMs)} so far, up to ${formatDuration(options.lockTimeoutMs)}).`,
      );
    },
  });
  if (result.ok) return;
  if (result.reason === 'aborted') {
    throw new UserError(
      `The step was cancelled while waiting for the migration lock on ${options.target}: nothing was applied.`,
    );
  }
  throw new UserError(
    `Gave up waiting for the migration lock on ${options.target} after ${formatDuration(result.elapsedMs)}: it is held by ${holder ?? 'another session (which has let go since)'}.`,
    {
      hint: 'Another run is migrating this database: wait for it and re-run, or raise lock-timeout. If that session is stuck, end it (PostgreSQL: SELECT pg_terminate_backend(pid); MySQL: KILL id).',
    },
  );
}

async function applyPending(
  driver: MigrationDriver,
  plan: MigrationPlan<PreparedMigration>,
  options: MigratorOptions,
  deps: MigratorDeps,
  warnings: string[],
): Promise<SqlRunReport> {
  const clock = deps.clock ?? systemClock;
  const outcomes: MigrationOutcome[] = [];
  const applied: string[] = [];
  logPending('Lock taken.', plan, deps.logger);
  for (const [index, migration] of plan.pending.entries()) {
    // Cancelled: the file under way was finished (its transaction committed); none starts after it.
    if (deps.signal?.aborted) {
      const notRun = plan.pending.slice(index);
      outcomes.push(...notRun.map((m) => ({ ...outcomeBase(m), status: 'not run' as const })));
      const failure = new UserError(
        `The step was cancelled: ${applied.length} migration(s) applied, ${notRun.length} not started (next: ${migration.path}).`,
        { hint: 'Run the step again to apply the rest; the applied ones are in the history.' },
      );
      const currentVersion = newest([plan.currentVersion, ...applied]);
      return { ...report(outcomes, applied, currentVersion, warnings), failure };
    }
    const started = clock.now();
    try {
      const durationMs = await applyOne(driver, migration, options.appliedBy, clock);
      applied.push(migration.version);
      outcomes.push({ ...outcomeBase(migration), status: 'applied', durationMs });
      deps.logger.info(`Applied ${migration.path} in ${formatDuration(durationMs)}.`);
    } catch (error) {
      const failure = explainFailure(error, driver, migration, plan.pending.slice(index + 1));
      outcomes.push({
        ...outcomeBase(migration),
        status: 'failed',
        durationMs: clock.now() - started,
        error: failure.message,
      });
      const notRun = plan.pending.slice(index + 1);
      outcomes.push(...notRun.map((m) => ({ ...outcomeBase(m), status: 'not run' as const })));
      const currentVersion = newest([plan.currentVersion, ...applied]);
      return { ...report(outcomes, applied, currentVersion, warnings), failure };
    }
  }
  return report(outcomes, applied, newest([plan.currentVersion, ...applied]), warnings);
}

/** Runs a file's statements and records it; both in one transaction unless the file opts out. */
async function applyOne(
  driver: MigrationDriver,
  migration: PreparedMigration,
  appliedBy: string,
  clock: Clock,
): Promise<number> {
  const started = clock.now();
  try {
    if (migration.transactional) {
      await driver
        .runInTransaction(migration.statements.map((statement) => statement.sql))
        .catch((error: unknown) => {
          if (!(error instanceof StatementError)) throw error;
          throw new StatementFailed(migration.statements[error.index]!, error.error);
        });
    } else {
      for (const statement of migration.statements) {
        await driver.execute(statement.sql).catch((error: unknown) => {
          throw new StatementFailed(statement, error);
        });
      }
    }
    const durationMs = clock.now() - started;
    const row = {
      version: migration.version,
      name: migration.fileName,
      checksum: migration.checksum,
      durationMs,
      appliedBy,
    };
    if (migration.transactional) await driver.recordAndCommit(row);
    else await driver.recordApplied(row);
    return durationMs;
  } catch (error) {
    if (migration.transactional) await driver.rollback().catch(() => undefined);
    throw error;
  }
}

class StatementFailed extends Error {
  constructor(
    readonly statement: SqlStatement,
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

/** The failure as the user sees it: file and line of the statement, the database's code and message. */
function explainFailure(
  error: unknown,
  driver: MigrationDriver,
  migration: PreparedMigration,
  notRun: readonly PreparedMigration[],
): UserError {
  if (!(error instanceof StatementFailed)) {
    // Its statements ran; recording or committing it failed (a deferred constraint, a lost connection…).
    const info = driver.describeError(error, '');
    const what = info ? `${info.code}: ${info.message}` : describeError(error);
    return new UserError(
      `${migration.path}: recording and committing the migration failed: ${what}`,
      {
        cause: error,
        file: migration.path,
        hint: `${info?.hint ? `${info.hint} ` : ''}${consequences(driver, migration, undefined, notRun)}`,
      },
    );
  }
  const { statement } = error;
  const info = driver.describeError(error.error, statement.sql);
  const line = statement.line + (info?.lineInStatement ?? 1) - 1;
  const what = info ? `${info.code}: ${info.message}` : error.message;
  const detail = info?.detail ? ` (${info.detail})` : '';
  const where = line === statement.line ? '' : ` (the statement starts at line ${statement.line})`;
  return new UserError(
    `${migration.path} line ${line}: ${what}${detail}${where}. Statement: ${excerpt(statement.sql)}`,
    {
      cause: error.error,
      file: migration.path,
      line,
      hint: [info?.hint, timeoutHint(info), consequences(driver, migration, statement, notRun)]
        .filter((part) => part !== undefined)
        .join(' '),
    },
  );
}

function excerpt(sql: string): string {
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return oneLine.length > 160 ? `${oneLine.slice(0, 157)}…` : oneLine;
}

const STATEMENT_TIMEOUT = /SQLSTATE 57014|ER_STATEMENT_TIMEOUT|ER_QUERY_TIMEOUT|errno 1969\)/;
const LOCK_TIMEOUT = /SQLSTATE 55P03|ER_LOCK_WAIT_TIMEOUT/;

function timeoutHint(info: DatabaseErrorInfo | undefined): string | undefined {
  if (info === undefined) return undefined;
  if (STATEMENT_TIMEOUT.test(info.code) && /timeout|max_statement_time/i.test(info.message)) {
    return 'The statement ran longer than statement-timeout: raise it for this migration, or make the statement cheaper.';
  }
  if (LOCK_TIMEOUT.test(info.code)) {
    return 'The statement waited longer than lock-timeout for a table lock held by other sessions (long transactions?): retry at a quieter time or raise lock-timeout.';
  }
  return undefined;
}

/** What the failure left behind. `statement` is the failing one; undefined when all of them ran. */
function consequences(
  driver: MigrationDriver,
  migration: PreparedMigration,
  statement: SqlStatement | undefined,
  notRun: readonly PreparedMigration[],
): string {
  const first = migration.statements[0] === statement;
  const before = statement ? `before line ${statement.line}` : 'of this file';
  let thisFile: string;
  if (!migration.transactional) {
    thisFile = first
      ? 'Nothing of this file was applied.'
      : `This file runs without a transaction: its statements ${before} stay applied, so make it safe to run again (IF NOT EXISTS…) before retrying.`;
    if (driver.engine === 'postgres' && /\bconcurrently\b/i.test(statement?.sql ?? '')) {
      thisFile +=
        ' A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: drop it before retrying.';
    }
  } else if (driver.engine === 'mysql' && !first) {
    thisFile = `Its transaction was rolled back, but MySQL commits DDL (CREATE, ALTER, DROP…) implicitly: schema changes ${before} stay applied.`;
  } else {
    thisFile = "The file's transaction was rolled back: none of it is applied.";
  }
  const later = notRun.length > 0 ? ` ${notRun.length} later migration(s) did not run.` : '';
  return `${thisFile} Earlier migrations stay applied.${later}`;
}

function outcomeBase(migration: PreparedMigration) {
  return {
    version: migration.version,
    file: migration.path,
    transactional: migration.transactional,
    statements: migration.statements.length,
  };
}

function report(
  migrations: MigrationOutcome[],
  appliedVersions: string[],
  currentVersion: string | undefined,
  warnings: string[],
): SqlRunReport {
  return {
    migrations,
    appliedVersions,
    pendingVersions: migrations.filter((m) => m.status !== 'applied').map((m) => m.version),
    currentVersion,
    warnings,
  };
}

function newest(versions: (string | undefined)[]): string | undefined {
  return newestVersion(versions.filter((v): v is string => v !== undefined));
}
