/**
 * The run-migrations inputs, read and validated in one place so that a bad
 * combination fails before anything is touched. The action shell calls
 * readMigrateInputs, adds appliedBy (the run's URL) and the workspace, and
 * hands the result to runMigrations.
 */
import { InputError, type Inputs } from '@deploy-actions/action-kit/engine';
import { parseCommandLine, validateEnvAllowList, validateEnvName } from './command.js';
import type { DatabaseSource } from './resolve.js';
import type { MigrateOptions, MigrationMode } from './run.js';
import { SSL_MODES, type SslOptions } from './ssl.js';
import { parseDatabaseUrl } from './url.js';

/** Each mode and the input that selects it. Exactly one of these inputs must be set. */
export const MODE_INPUTS = [
  { kind: 'sql', input: 'migrations-dir' },
  { kind: 'command', input: 'command' },
] as const satisfies readonly { kind: MigrationMode['kind']; input: string }[];

export const DEFAULT_LOCK_TIMEOUT = '1m';
export const DEFAULT_URL_ENV = 'DATABASE_URL';

/** Inputs that only the built-in migrator reads. */
const SQL_ONLY_INPUTS = ['lock-timeout', 'statement-timeout', 'ssl', 'ssl-ca-file'];

export type MigrateInputs = Omit<MigrateOptions, 'appliedBy' | 'workspaceDir' | 'connectTimeoutMs'>;

export interface ReadMigrateInputs {
  options: MigrateInputs;
  /** Inputs that were set but have no effect in the chosen mode, in words for a warning. */
  warnings: string[];
}

// A secret name is 1-512 of letters, digits and /_+=.@!- (Secrets Manager's "Invalid name"
// ValidationException); `!` appears in the names RDS gives the secrets it manages (rds!db-<uuid>).
const SECRET_ID =
  /^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[\w/+=.@!-]{1,512}$/;
const SECRET_ARN_REGION = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/;

export function readMigrateInputs(inputs: Inputs): ReadMigrateInputs {
  const kind = selectMode(inputs);
  const database = readDatabaseSource(inputs);
  const ssl = readSsl(inputs);
  // At least a second: MySQL counts lock waits in whole seconds, and PostgreSQL reads 0 as "forever".
  const lockTimeoutMs = inputs.duration('lock-timeout', {
    fallback: DEFAULT_LOCK_TIMEOUT,
    minMs: 1_000,
    maxMs: 6 * 3_600_000,
  });
  const statementTimeoutMs = inputs.duration('statement-timeout', {
    fallback: '0',
    maxMs: 6 * 3_600_000,
  });
  const mode = kind === 'sql' ? readSqlMode(inputs) : readCommandMode(inputs);
  return {
    options: { database, mode, ssl, lockTimeoutMs, statementTimeoutMs },
    warnings: ineffectiveInputs(inputs, kind),
  };
}

/** Which mode the inputs select: exactly one of MODE_INPUTS must be set. */
export function selectMode(inputs: Inputs): MigrationMode['kind'] {
  const names = MODE_INPUTS.map((mode) => mode.input).join(' or ');
  const chosen = MODE_INPUTS.filter((mode) => inputs.optional(mode.input) !== undefined);
  const [first, second] = chosen;
  if (first === undefined) {
    const [primary] = MODE_INPUTS;
    throw new InputError(
      primary.input,
      undefined,
      `a folder of SQL migrations for the built-in migrator, or else a command to run your own migration tool: set ${names}`,
    );
  }
  if (second !== undefined) {
    throw new InputError(
      second.input,
      inputs.optional(second.input),
      `nothing, since ${first.input} is set too: choose one of ${names}`,
    );
  }
  return first.kind;
}

/** Exactly one of database-url and database-url-secret-id; the URL is checked without showing its password. */
export function readDatabaseSource(inputs: Inputs): DatabaseSource {
  const url = inputs.optional('database-url');
  const secretId = inputs.optional('database-url-secret-id');
  if (url === undefined && secretId === undefined) {
    throw new InputError(
      'database-url',
      undefined,
      `a database URL, or else a Secrets Manager secret holding one in database-url-secret-id (one of the two is required)`,
    );
  }
  if (url !== undefined && secretId !== undefined) {
    throw new InputError(
      'database-url-secret-id',
      secretId,
      'nothing, since database-url is set too: give the database in one of the two',
    );
  }
  if (url !== undefined) {
    parseDatabaseUrl(url, 'database-url');
    return { url };
  }
  return { secretId: checkSecretId(secretId!) };
}

/** database-url-secret-id's form: a secret name or ARN. */
export function checkSecretId(secretId: string): string {
  if (!SECRET_ID.test(secretId)) {
    throw new InputError(
      'database-url-secret-id',
      secretId,
      'a Secrets Manager secret name or ARN (letters, digits and /_+=.@!-)',
    );
  }
  return secretId;
}

/** A secret given by ARN must be in the step's region: the clients of the step are. */
export function checkSecretRegion(secretId: string, region: string): void {
  const secretRegion = SECRET_ARN_REGION.exec(secretId)?.[1];
  if (secretRegion !== undefined && secretRegion !== region) {
    throw new InputError(
      'database-url-secret-id',
      secretId,
      `a secret in ${region} (the AWS region of this step), or set aws-region: ${secretRegion}`,
    );
  }
}

function readSsl(inputs: Inputs): SslOptions {
  const mode =
    inputs.optional('ssl') === undefined ? undefined : inputs.choice('ssl', SSL_MODES, 'require');
  const caFile = inputs.optional('ssl-ca-file');
  if (caFile !== undefined && mode === 'disable') {
    throw new InputError(
      'ssl-ca-file',
      caFile,
      'nothing when ssl is disable (no TLS, no certificate)',
    );
  }
  // libpq refuses verify-ca without a root certificate; so do we, before anything is called.
  if (mode === 'verify-ca' && caFile === undefined) {
    throw new InputError(
      'ssl',
      'verify-ca',
      'verify-ca together with ssl-ca-file (the CA to verify against), or verify-full, which also trusts the RDS CAs shipped with this action',
    );
  }
  return { mode, caFile };
}

function readSqlMode(inputs: Inputs): MigrationMode {
  return {
    kind: 'sql',
    migrationsDir: inputs.required('migrations-dir'),
    allowOutOfOrder: inputs.boolean('allow-out-of-order', false),
    dryRun: inputs.boolean('dry-run', false),
  };
}

function readCommandMode(inputs: Inputs): MigrationMode {
  // Refused rather than ignored: a dry run that runs the migrations would be the worst surprise.
  for (const name of ['dry-run', 'allow-out-of-order']) {
    if (inputs.boolean(name, false)) {
      throw new InputError(
        name,
        inputs.optional(name),
        "false with command: only the built-in migrator (migrations-dir) knows what would run; use your tool's own option in the command",
      );
    }
  }
  return {
    kind: 'command',
    argv: parseCommandLine(inputs.required('command')),
    urlEnv: validateEnvName(inputs.string('database-url-env', DEFAULT_URL_ENV)),
    allowEnv: validateEnvAllowList(inputs.list('command-env')),
  };
}

function ineffectiveInputs(inputs: Inputs, kind: MigrationMode['kind']): string[] {
  const unused = kind === 'sql' ? ['database-url-env', 'command-env'] : SQL_ONLY_INPUTS;
  const modeInput = MODE_INPUTS.find((mode) => mode.kind === kind)!.input;
  return unused
    .filter((name) => inputs.optional(name) !== undefined)
    .map((name) => `The input ${name} has no effect with ${modeInput}; it is ignored.`);
}
