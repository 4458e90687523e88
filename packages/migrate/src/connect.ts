/** Opens the database session of a URL, and says in words why a connection failed. */
import { UserError } from '@deploy-actions/action-kit/engine';
import type { MigrationDriver, SessionSettings } from './driver.js';
import { openMysql } from './mysql.js';
import { openPostgres } from './postgres.js';
import { RDS_CA_BUNDLE_URL, type SslChoice } from './ssl.js';
import {
  redact,
  redactDatabaseUrl,
  secretParts,
  formatDatabaseUrl,
  type DatabaseUrl,
} from './url.js';

const NETWORK = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'ENETUNREACH',
]);
const CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Opens a session on the URL's engine; a failure says what to check, never with the password. */
export async function connect(
  db: DatabaseUrl,
  settings: SessionSettings,
  ssl: SslChoice,
): Promise<MigrationDriver> {
  try {
    return db.engine === 'postgres'
      ? await openPostgres(db, settings)
      : await openMysql(db, settings);
  } catch (error) {
    throw connectionFailure(error, db, ssl);
  }
}

export function connectionFailure(error: unknown, db: DatabaseUrl, ssl: SslChoice): UserError {
  const secrets = secretParts(formatDatabaseUrl(db));
  const code = errorCode(error);
  const message = redact(error instanceof Error ? error.message : String(error), secrets);
  const target = redactDatabaseUrl({ ...db, params: {} });
  return new UserError(`Could not connect to ${target}${code ? ` (${code})` : ''}: ${message}`, {
    hint: connectionHint(code, message, db, ssl),
  });
}

function connectionHint(
  code: string | undefined,
  message: string,
  db: DatabaseUrl,
  ssl: SslChoice,
): string | undefined {
  const sslFrom = `ssl is ${ssl.mode} (from ${ssl.source})`;
  if ((code !== undefined && NETWORK.has(code)) || /timeout/i.test(message)) {
    return `Check the host and port, and that this runner can reach them: an RDS database in private subnets is out of reach of GitHub-hosted runners (use a self-hosted runner inside the VPC, or run the migrations as a task inside the VPC).`;
  }
  if (code !== undefined && CERTIFICATE.has(code)) {
    return `The server's certificate could not be verified (${sslFrom}). For RDS, set ssl-ca-file to the RDS CA bundle (${RDS_CA_BUNDLE_URL}); verify-full also needs the URL's host to be the name in the certificate (the RDS endpoint, not an IP or a CNAME).`;
  }
  if (/does not support (SSL|secure)/i.test(message) || code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return `The server does not speak TLS but ${sslFrom}: set ssl: disable for a database without TLS (a service container, localhost).`;
  }
  if (/no pg_hba\.conf entry.*no encryption/i.test(message)) {
    return `The server only accepts encrypted connections but ${sslFrom}: use ssl: require or verify-full.`;
  }
  if (code === 'SQLSTATE 28P01' || code === 'SQLSTATE 28000' || code === 'ER_ACCESS_DENIED_ERROR') {
    return `Check the user name and password of ${db.user} (a rotated secret?) and that this user may connect from the runner's address.`;
  }
  if (code === 'SQLSTATE 3D000' || code === 'ER_BAD_DB_ERROR') {
    return `The database "${db.database}" does not exist on that server: create it first, or fix the URL's database name.`;
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code } = error as { code?: unknown };
  if (typeof code !== 'string') return undefined;
  // PostgreSQL reports five-character SQLSTATEs; Node and mysql2 report names.
  return /^[0-9A-Z]{5}$/.test(code) && /\d/.test(code) ? `SQLSTATE ${code}` : code;
}
