/**
 * Database URLs: parsed and checked, built from RDS-style secrets, and
 * redacted (every form of the password) for logs and messages.
 */
import { InputError, UserError } from '@deploy-actions/action-kit/engine';

export type Engine = 'postgres' | 'mysql';

/** A database URL taken apart. Every string is decoded (no percent-encoding left). */
export interface DatabaseUrl {
  engine: Engine;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Query parameters such as sslmode, decoded; `user` and `password` are taken out. */
  params: Record<string, string>;
}

export const DEFAULT_PORTS: Readonly<Record<Engine, number>> = { postgres: 5432, mysql: 3306 };

const SCHEMES: Readonly<Record<string, Engine>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};

/** The `engine` values RDS and Aurora write into the secrets they manage. */
/**
 * The database an RDS secret without dbname names: Secrets Manager's secret
 * structure for RDS says PostgreSQL "defaults to 'postgres'" and MySQL/MariaDB
 * "defaults to None" (docs.aws.amazon.com/secretsmanager/latest/userguide/
 * reference_secret_json_structure.html#reference_secret_json_structure_rds).
 */
const RDS_DEFAULT_DATABASE: Readonly<Record<Engine, string | undefined>> = {
  postgres: 'postgres',
  mysql: undefined,
};

const RDS_ENGINES: Readonly<Record<string, Engine>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  'aurora-postgresql': 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  aurora: 'mysql',
  'aurora-mysql': 'mysql',
};

export const DATABASE_URL_FORM =
  'a URL such as postgres://user:password@host:5432/dbname or mysql://user:password@host:3306/dbname';

/** Shown instead of a value we could not take apart: it may hold a password. */
const HIDDEN = '(not shown: it may hold a password)';

type Inspection = { ok: true; url: DatabaseUrl } | { ok: false; problem: string; shown: string };

/**
 * Parses and validates a database URL. The error names `input` and shows the
 * URL with its password replaced by `***` (or not at all when it cannot be
 * taken apart), never the password itself.
 */
export function parseDatabaseUrl(text: string, input = 'database-url'): DatabaseUrl {
  const inspection = inspectDatabaseUrl(text);
  if (inspection.ok) return inspection.url;
  throw new InputError(input, inspection.shown, `${DATABASE_URL_FORM} (${inspection.problem})`);
}

function inspectDatabaseUrl(raw: string): Inspection {
  const text = raw.trim();
  const fail = (problem: string, shown = HIDDEN): Inspection => ({ ok: false, problem, shown });
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'jdbc') return fail('drop the "jdbc:" prefix: Java drivers use it, we do not');
  if (scheme === undefined || !text.slice(scheme.length).startsWith('://')) {
    return fail('it does not start with postgres://, postgresql://, mysql:// or mariadb://');
  }
  const engine = SCHEMES[scheme];
  if (engine === undefined) {
    return fail(`the scheme "${scheme}" is not supported`, `${scheme}://…`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Node's URL error carries the whole input, so it is never kept as a cause.
    return fail('it is not a valid URL; percent-encode @ : / ? # in the user name and password');
  }
  let parts: Omit<DatabaseUrl, 'engine'>;
  try {
    parts = decodeParts(url, engine);
  } catch {
    return fail('it has a malformed %-escape');
  }
  const shown = redactDatabaseUrl({ engine, ...parts });
  if (parts.host === '') return fail('it has no host', shown);
  if (parts.user === '') return fail('it has no user name', shown);
  if (parts.database === '') return fail('it has no database name after the host: …/dbname', shown);
  if (parts.database.includes('/')) return fail('the database name contains "/"', shown);
  return { ok: true, url: { engine, ...parts } };
}

function decodeParts(url: URL, engine: Engine): Omit<DatabaseUrl, 'engine'> {
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  const { user: queryUser, password: queryPassword, ...otherParams } = params;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? DEFAULT_PORTS[engine] : Number(url.port),
    user: decodeURIComponent(url.username) || (queryUser ?? ''),
    password: decodeURIComponent(url.password) || (queryPassword ?? ''),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    params: otherParams,
  };
}

/** Builds a URL from its parts, percent-encoding each. */
export function formatDatabaseUrl(db: DatabaseUrl): string {
  const credentials = `${encodeURIComponent(db.user)}${db.password === '' ? '' : `:${encodeURIComponent(db.password)}`}`;
  const query = new URLSearchParams(db.params).toString();
  return `${db.engine}://${credentials}@${hostForUrl(db.host)}:${db.port}/${encodeURIComponent(db.database)}${query ? `?${query}` : ''}`;
}

/** The URL with the password replaced by `***`: safe for logs and errors. */
export function redactDatabaseUrl(db: DatabaseUrl): string {
  const password = db.password === '' ? '' : ':***';
  const query = new URLSearchParams(db.params).toString();
  return `${db.engine}://${encodeURIComponent(db.user)}${password}@${hostForUrl(db.host)}:${db.port}/${encodeURIComponent(db.database)}${query ? `?${query}` : ''}`;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Every string that could reveal the password: the password, its encoded
 * form, the URL itself and the `user:password@` part as written and decoded.
 * A URL that cannot be taken apart is masked whole.
 */
export function secretParts(url: string): string[] {
  const parts = new Set<string>([url, url.trim()]);
  const inspection = inspectDatabaseUrl(url);
  if (inspection.ok && inspection.url.password !== '') {
    const { user, password } = inspection.url;
    parts.add(password);
    parts.add(encodeURIComponent(password));
    parts.add(`${user}:${password}@`);
    parts.add(`${encodeURIComponent(user)}:${encodeURIComponent(password)}@`);
    const written = rawUserInfo(url);
    if (written) parts.add(written);
  }
  return [...parts].filter((part) => part.trim() !== '');
}

function rawUserInfo(url: string): string | undefined {
  try {
    const parsed = new URL(url.trim());
    return `${parsed.username}:${parsed.password}@`;
  } catch {
    return undefined;
  }
}

/**
 * The database URL a Secrets Manager secret holds: either the URL itself, or
 * the JSON that RDS and Aurora keep in the secrets they create (username,
 * password, engine, host, port, dbname). Errors name the secret and
 * `database-url-secret-id`, list missing fields by name, and never show a value
 * that could be the password.
 */
export function secretToUrl(secretString: string, secretId = 'the secret'): string {
  const text = secretString.trim();
  if (text.startsWith('{')) return formatDatabaseUrl(databaseFromRdsJson(text, secretId));
  const inspection = inspectDatabaseUrl(text);
  if (inspection.ok) return text;
  throw new UserError(
    `The secret ${secretId} (database-url-secret-id) does not hold a usable database URL: ${inspection.problem}.`,
    {
      hint: `Store ${DATABASE_URL_FORM}, or the JSON that RDS secrets hold (username, password, engine, host, port, dbname).`,
    },
  );
}

function databaseFromRdsJson(text: string, secretId: string): DatabaseUrl {
  const fail = (problem: string) =>
    new UserError(`The secret ${secretId} (database-url-secret-id) ${problem}.`, {
      hint: 'RDS-style secrets hold {"username", "password", "engine", "host", "port", "dbname"}; a plain database URL works too.',
    });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text it choked on, so its message is never shown.
    throw fail('starts with "{" but is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw fail('is not a JSON object');
  }
  const fields = json as Record<string, unknown>;
  const engineName = textField(fields, 'engine').toLowerCase();
  const engine = RDS_ENGINES[engineName];
  const defaultDatabase = engine === undefined ? undefined : RDS_DEFAULT_DATABASE[engine];
  const missing = ['username', 'password', 'engine', 'host', 'dbname'].filter(
    (name) =>
      textField(fields, name) === '' && !(name === 'dbname' && defaultDatabase !== undefined),
  );
  if (missing.length > 0) {
    const managed =
      missing.includes('host') && textField(fields, 'password') !== ''
        ? ' (a secret that RDS manages for a master user holds only username and password: copy it into a secret with host, port, dbname and engine, or use database-url)'
        : '';
    const noDefault =
      missing.includes('dbname') && engine === 'mysql'
        ? ' (MySQL and MariaDB secrets have no default database: add dbname to the secret, or use database-url)'
        : '';
    throw fail(`has no ${missing.join(', ')}${managed}${noDefault}`);
  }
  if (engine === undefined) {
    throw fail(
      `names the engine "${engineName}"; run-migrations supports PostgreSQL, MySQL and MariaDB (engine ${Object.keys(RDS_ENGINES).join(', ')})`,
    );
  }
  const portText = textField(fields, 'port');
  const port = portText === '' ? DEFAULT_PORTS[engine] : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw fail(`has the port "${portText}", which is not a port number`);
  }
  return {
    engine,
    host: textField(fields, 'host'),
    port,
    user: textField(fields, 'username'),
    // A password is taken exactly as stored: spaces at its ends are part of it.
    password: String(fields.password),
    database: textField(fields, 'dbname') || defaultDatabase!,
    params: {},
  };
}

function textField(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

/** Replaces every secret part in `text` with `***` (for text we keep, such as command output). */
export function redact(text: string, secrets: readonly string[]): string {
  const longestFirst = [...secrets].filter((s) => s !== '').sort((a, b) => b.length - a.length);
  return longestFirst.reduce((result, secret) => result.split(secret).join('***'), text);
}
