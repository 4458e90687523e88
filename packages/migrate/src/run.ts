/**
 * The entry point of the modes that run on the runner: one function per
 * mode, chosen by `mode.kind` (the built-in migrator or the user's command).
 * Mode 3, the ECS task inside the VPC, runs through runEcsMigration (ecs/).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UserError, systemClock, type Clock, type Logger } from '@deploy-actions/action-kit/engine';
import { runMigrationCommand, type CommandOutcome, type Exec } from './command.js';
import { connect } from './connect.js';
import type { SessionSettings } from './driver.js';
import { discoverMigrations } from './files.js';
import { migrate, type MigrationOutcome } from './migrator.js';
import { prepareMigrations } from './prepare.js';
import { resolveDatabaseUrl, type DatabaseSource } from './resolve.js';
import { chooseSslMode, readCaBundle, tlsSettings, type SslOptions } from './ssl.js';
import { redactDatabaseUrl, secretParts, type DatabaseUrl } from './url.js';

export type MigrationMode = SqlMode | CommandMode;

/** Mode 1: the built-in migrator. */
export interface SqlMode {
  kind: 'sql';
  /** The folder of V<version>__<description>.sql files, relative to the workspace. */
  migrationsDir: string;
  allowOutOfOrder: boolean;
  /** Plan only: connect, read the history if there is one, change nothing. */
  dryRun: boolean;
}

/** Mode 2: the user's own migration tool. */
export interface CommandMode {
  kind: 'command';
  /** The program and its arguments (see parseCommandLine). */
  argv: string[];
  /** The environment variable the URL is passed in. */
  urlEnv: string;
}

export interface MigrateOptions {
  database: DatabaseSource;
  mode: MigrationMode;
  ssl: SslOptions;
  /** Waiting for the migration lock, and the session's lock timeout. */
  lockTimeoutMs: number;
  /** The session's statement timeout; 0 for none. */
  statementTimeoutMs: number;
  /** Who applies the migrations: the run's URL (history's applied_by, session name). */
  appliedBy: string;
  /** The checkout: relative paths start here and annotations are relative to it. Default: cwd. */
  workspaceDir?: string;
  /** Default 30 s. */
  connectTimeoutMs?: number;
}

export interface MigrateDeps {
  logger: Logger;
  clock?: Clock;
  /** Needed only with database.secretId. */
  secretsManager?: SecretsManagerClient;
  region?: string;
  /** How mode 2 starts its command; a real subprocess by default. */
  exec?: Exec;
  /** The environment mode 2's command starts from; the runner's own by default. */
  env?: NodeJS.ProcessEnv;
}

export interface SqlResult {
  serverVersion: string;
  /** The pending migrations of this run and what became of each. */
  migrations: MigrationOutcome[];
  appliedVersions: string[];
  pendingVersions: string[];
  currentVersion: string | undefined;
}

export interface MigrateResult {
  mode: MigrationMode['kind'];
  dryRun: boolean;
  /** The database with its password replaced by ***. */
  target: string;
  durationMs: number;
  warnings: string[];
  sql?: SqlResult;
  command?: Omit<CommandOutcome, 'failure'>;
}

/** A migration failed: carries what the run did before, for the summary and outputs. */
export class MigrationRunError extends UserError {
  constructor(
    failure: UserError,
    readonly result: MigrateResult,
  ) {
    super(failure.message, {
      hint: failure.hint,
      cause: failure.cause,
      file: failure.location?.file,
      line: failure.location?.line,
    });
    this.name = 'MigrationRunError';
  }
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

export async function runMigrations(
  options: MigrateOptions,
  deps: MigrateDeps,
): Promise<MigrateResult> {
  switch (options.mode.kind) {
    case 'sql':
      return runSqlMode(options, options.mode, deps);
    case 'command':
      return runCommandMode(options, options.mode, deps);
  }
}

async function runSqlMode(
  options: MigrateOptions,
  mode: SqlMode,
  deps: MigrateDeps,
): Promise<MigrateResult> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const workspaceDir = options.workspaceDir ?? process.cwd();
  // Everything that can be checked without the database is checked first.
  const discovered = await discoverMigrations(mode.migrationsDir, { workspaceDir });
  deps.logger.info(`Found ${discovered.files.length} migration(s) in ${mode.migrationsDir}.`);
  if (discovered.ignored.length > 0) {
    deps.logger.info(`Not migrations, not read: ${discovered.ignored.join(', ')}.`);
  }
  const ca = await readCaBundle(options.ssl.caFile, workspaceDir);
  const { connection } = await resolveDatabaseUrl(options.database, deps);
  const migrations = prepareMigrations(discovered.files, connection.engine);
  const ssl = chooseSslMode(options.ssl.mode, connection.params);
  const target = shownTarget(connection);
  deps.logger.info(`Connecting to ${target} (ssl ${ssl.mode}, from ${ssl.source}).`);
  const driver = await connect(
    connection,
    sessionSettings(options, tlsSettings(ssl.mode, ca)),
    ssl,
  );
  try {
    deps.logger.info(`Connected to ${driver.serverVersion}.`);
    const report = await migrate(
      driver,
      migrations,
      {
        allowOutOfOrder: mode.allowOutOfOrder,
        dryRun: mode.dryRun,
        lockTimeoutMs: options.lockTimeoutMs,
        appliedBy: options.appliedBy,
        target,
      },
      deps,
    );
    for (const warning of report.warnings) deps.logger.warning(warning);
    const result: MigrateResult = {
      mode: 'sql',
      dryRun: mode.dryRun,
      target,
      durationMs: clock.now() - started,
      warnings: report.warnings,
      sql: {
        serverVersion: driver.serverVersion,
        migrations: report.migrations,
        appliedVersions: report.appliedVersions,
        pendingVersions: report.pendingVersions,
        currentVersion: report.currentVersion,
      },
    };
    if (report.failure) throw new MigrationRunError(report.failure, result);
    return result;
  } finally {
    await driver.close();
  }
}

async function runCommandMode(
  options: MigrateOptions,
  mode: CommandMode,
  deps: MigrateDeps,
): Promise<MigrateResult> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const database = await resolveDatabaseUrl(options.database, deps);
  const { failure, ...outcome } = await runMigrationCommand(
    {
      argv: mode.argv,
      urlEnv: mode.urlEnv,
      url: database.url,
      cwd: options.workspaceDir,
      env: deps.env,
      secrets: secretParts(database.url),
    },
    deps,
  );
  const result: MigrateResult = {
    mode: 'command',
    dryRun: false,
    target: shownTarget(database.connection),
    durationMs: clock.now() - started,
    warnings: [],
    command: outcome,
  };
  if (failure) throw new MigrationRunError(failure, result);
  return result;
}

function sessionSettings(options: MigrateOptions, tls: SessionSettings['tls']): SessionSettings {
  return {
    lockTimeoutMs: options.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs,
    appliedBy: options.appliedBy,
    tls,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
}

function shownTarget(connection: DatabaseUrl): string {
  return redactDatabaseUrl({ ...connection, params: {} });
}
