/**
 * The engine of run-migrations: schema migrations for PostgreSQL and
 * MySQL/MariaDB, with the database URL from an input or Secrets Manager.
 *
 * Modes: the built-in SQL migrator (`migrations-dir`) or the user's own tool
 * (`command`) on the runner (run.ts), or that command as a one-off ECS task
 * inside the VPC (`ecs-cluster`, ecs/). The built-in migrator reads
 * `V<version>__<description>.sql` files (files.ts), splits them into
 * statements (splitter.ts), plans against the history table (plan.ts) and
 * applies under a per-database lock (migrator.ts) through a driver per engine
 * (postgres.ts, mysql.ts).
 *
 * Its AWS permissions are declared in calls.ts (and ECS_MODE_CALLS in ecs/calls.ts),
 * and the call sites take their IAM labels from those tables.
 */
export {
  runMigrations,
  MigrationRunError,
  type MigrateOptions,
  type MigrateDeps,
  type MigrateResult,
  type MigrationMode,
  type SqlMode,
  type CommandMode,
  type SqlResult,
} from './run.js';
export {
  readMigrateInputs,
  readDatabaseSource,
  checkSecretId,
  checkSecretRegion,
  selectMode,
  MODE_INPUTS,
  DEFAULT_LOCK_TIMEOUT,
  DEFAULT_URL_ENV,
  type MigrateInputs,
  type ReadMigrateInputs,
} from './inputs.js';
export {
  migrateOutputs,
  summarizeMigrations,
  ecsTaskOutputs,
  summarizeEcsTask,
  taskEnding,
  type SummaryBlock,
} from './report.js';
export {
  parseDatabaseUrl,
  secretToUrl,
  secretParts,
  formatDatabaseUrl,
  redactDatabaseUrl,
  redact,
  DATABASE_URL_FORM,
  DEFAULT_PORTS,
  type DatabaseUrl,
  type Engine,
} from './url.js';
export {
  resolveDatabaseUrl,
  type DatabaseSource,
  type ResolvedDatabase,
  type ResolveDeps,
} from './resolve.js';
export {
  discoverMigrations,
  classifyFileName,
  canonicalVersion,
  compareVersions,
  migrationChecksum,
  normaliseContent,
  readDirectives,
  NAMING_RULE,
  NO_TRANSACTION_DIRECTIVE,
  type MigrationFile,
  type DiscoveredMigrations,
  type FileNameVerdict,
} from './files.js';
export { splitSqlStatements, SqlSyntaxError, type Dialect, type SqlStatement } from './splitter.js';
export {
  planMigrations,
  assertPlanCanRun,
  newestVersion,
  type AppliedMigration,
  type MigrationPlan,
  type Drift,
} from './plan.js';
export { prepareMigrations, type PreparedMigration } from './prepare.js';
export {
  migrate,
  type MigratorOptions,
  type MigratorDeps,
  type MigrationOutcome,
  type MigrationStatus,
  type SqlRunReport,
} from './migrator.js';
export {
  HISTORY_TABLE,
  applicationName,
  type MigrationDriver,
  type SessionSettings,
  type DatabaseErrorInfo,
} from './driver.js';
export { connect } from './connect.js';
export {
  chooseSslMode,
  readCaBundle,
  tlsSettings,
  SSL_MODES,
  RDS_CA_BUNDLE_URL,
  type SslMode,
  type SslOptions,
  type SslChoice,
  type TlsSettings,
} from './ssl.js';
export {
  runMigrationCommand,
  parseCommandLine,
  formatCommandLine,
  validateEnvName,
  spawnExec,
  type Exec,
  type ExecOptions,
  type ExecResult,
  type CommandOptions,
  type CommandOutcome,
} from './command.js';
export {
  runMigrationTask,
  planDatabaseReference,
  awslogsSetting,
  explainStoppedTask,
  sameSecret,
  taskConsoleUrl,
  logStreamConsoleUrl,
  taskClientToken,
  LogFollower,
  ECS_MODE_CALLS,
  STARTED_BY,
  readEcsInputs,
  readEcsMode,
  ignoredEcsInputs,
  ECS_MODE_INPUTS,
  LAUNCH_TYPES,
  DEFAULT_TASK_TIMEOUT,
  runEcsMigration,
  ecsClientToken,
  type EcsModeCall,
  type EcsMode,
  type EcsTaskOptions,
  type EcsTaskDeps,
  type EcsTaskOutcome,
  type LaunchChoice,
  type TaskNetwork,
  type TaskDatabase,
  type TaskLogTarget,
  type EcsInputs,
  type EcsRunContext,
  type EcsMigrationDeps,
} from './ecs/index.js';
export {
  RUN_MIGRATIONS_CALLS,
  RUN_MIGRATIONS_PERMISSIONS,
  type MigrateCall,
  type RunMigrationsPermission,
} from './calls.js';
