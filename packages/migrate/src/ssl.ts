/**
 * TLS to the database, with libpq's sslmode meanings:
 * - disable: plain TCP (a database in a service container, or on localhost);
 * - require: encrypted, the certificate not checked, unless ssl-ca-file is
 *   given (then as verify-ca, as libpq does with a root certificate);
 * - verify-ca: encrypted, the chain checked against ssl-ca-file (required);
 * - verify-full: encrypted, the chain and the host name checked, against
 *   ssl-ca-file, else the RDS CA bundle shipped here plus Node's public roots.
 * Without the ssl input the URL's sslmode (or MySQL's ssl-mode) decides; with
 * neither, a non-local host gets verify-full (a password is sent only to a
 * server that proves it is the database), a local one require.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { InputError, UserError } from '@deploy-actions/action-kit/engine';
import { RDS_CA_CERTIFICATES } from './rds-ca-bundle.js';

export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const RDS_CA_BUNDLE_URL =
  'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';

export interface SslOptions {
  /** The ssl input; undefined lets the URL decide. */
  mode?: SslMode;
  /** PEM file with the CA certificates to trust (the RDS bundle), relative to the workspace. */
  caFile?: string;
}

/** What the drivers need: nothing for plain TCP, or Node TLS settings. */
export type TlsSettings =
  | false
  | { rejectUnauthorized: boolean; verifyHostname: boolean; ca: string | string[] | undefined };

export interface SslChoice {
  mode: SslMode;
  /** Where the mode came from, for the log. */
  source: string;
}

/** libpq's sslmode and MySQL's ssl-mode values, as these four modes honour them. */
const URL_MODES: Readonly<Record<string, SslMode>> = {
  disable: 'disable',
  require: 'require',
  'verify-ca': 'verify-ca',
  'verify-full': 'verify-full',
  'no-verify': 'require',
  disabled: 'disable',
  required: 'require',
  verify_ca: 'verify-ca',
  verify_identity: 'verify-full',
};

export function chooseSslMode(
  option: SslMode | undefined,
  params: Record<string, string>,
  host?: string,
): SslChoice {
  if (option !== undefined) return { mode: option, source: 'the ssl input' };
  for (const name of ['sslmode', 'ssl-mode']) {
    const value = params[name]?.toLowerCase();
    if (value === undefined) continue;
    const mode = URL_MODES[value];
    if (mode === undefined) {
      throw new UserError(
        `The database URL's ${name}=${params[name]} is not one run-migrations can honour.`,
        {
          hint: `Set the ssl input to ${SSL_MODES.join(', ')} (it takes precedence over the URL), or use ${name}=verify-full.`,
        },
      );
    }
    return { mode, source: `the URL's ${name}` };
  }
  if (host !== undefined && isLocalHost(host)) {
    return { mode: 'require', source: 'the default for a local host' };
  }
  return { mode: 'verify-full', source: 'the default for a non-local host' };
}

/**
 * The usual names of the machine itself (a local database, a service
 * container's published port): nothing on a network path to impersonate it.
 * Anything else, other loopback addresses included, is verified by default.
 */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

export function isLocalHost(host: string): boolean {
  return LOCAL_HOSTS.has(host.replace(/^\[|\]$/g, '').toLowerCase());
}

/** Reads the CA bundle before anything connects, so a wrong path fails first. */
export async function readCaBundle(
  caFile: string | undefined,
  workspaceDir: string = process.cwd(),
): Promise<string | undefined> {
  if (caFile === undefined) return undefined;
  const expected = `a PEM file of CA certificates, such as the RDS bundle from ${RDS_CA_BUNDLE_URL}`;
  const text = await readFile(path.resolve(workspaceDir, caFile), 'utf8').catch(() => undefined);
  if (text === undefined)
    throw new InputError('ssl-ca-file', caFile, `${expected} (it cannot be read)`);
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new InputError('ssl-ca-file', caFile, `${expected} (it holds no certificate)`);
  }
  return text;
}

/**
 * The TLS settings for a mode: `ca` is the ssl-ca-file's text. verify-ca
 * without one fails here, before anything connects (libpq needs its root
 * certificate too).
 */
export function tlsSettings(choice: SslChoice, ca: string | undefined): TlsSettings {
  switch (choice.mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: ca !== undefined, verifyHostname: false, ca };
    case 'verify-ca':
      if (ca === undefined) {
        throw new UserError(
          `ssl verify-ca (from ${choice.source}) needs the CA to verify against, and no ssl-ca-file is set.`,
          {
            hint: `Set ssl-ca-file to the CA bundle (for RDS: ${RDS_CA_BUNDLE_URL}), or use verify-full, which also trusts the RDS CAs shipped with this action.`,
          },
        );
      }
      return { rejectUnauthorized: true, verifyHostname: false, ca };
    case 'verify-full':
      return { rejectUnauthorized: true, verifyHostname: true, ca: ca ?? defaultTrust() };
  }
}

/** Without ssl-ca-file: Amazon's RDS CAs, and the public roots Node trusts (other hosted databases). */
function defaultTrust(): string[] {
  return [...rootCertificates, ...RDS_CA_CERTIFICATES];
}

/** A line for the log when the server's identity is not checked: the password goes to whoever answers. */
export function unverifiedWarning(choice: SslChoice, tls: TlsSettings): string | undefined {
  if (tls === false || tls.rejectUnauthorized) return undefined;
  return `The database server's certificate is not verified (ssl ${choice.mode}, from ${choice.source}): anyone on the network path could impersonate it and receive the password. Use ssl: verify-full (RDS CAs are built in) or verify-ca with ssl-ca-file.`;
}
