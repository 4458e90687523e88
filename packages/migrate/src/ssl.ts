/**
 * TLS to the database. Three modes, as libpq names them:
 * - disable: plain TCP (a database in a service container, or on localhost);
 * - require: encrypted; the certificate is checked against ssl-ca-file when
 *   one is given (libpq's verify-ca), otherwise not checked at all;
 * - verify-full: encrypted, the certificate chain (against ssl-ca-file, else
 *   Node's trust store) and the host name are checked.
 * RDS certificates are signed by Amazon's own CAs, which Node does not trust:
 * verify-full against RDS needs the RDS CA bundle in ssl-ca-file.
 * Without the ssl input, the URL's sslmode (or MySQL's ssl-mode) decides, and
 * without that, require: RDS refuses plain connections by default.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, UserError } from '@deploy-actions/action-kit/engine';

export const SSL_MODES = ['disable', 'require', 'verify-full'] as const;
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
  false | { rejectUnauthorized: boolean; verifyHostname: boolean; ca: string | undefined };

export interface SslChoice {
  mode: SslMode;
  /** Where the mode came from, for the log. */
  source: string;
}

/** libpq's sslmode and MySQL's ssl-mode values, as far as these three modes can honour them. */
const URL_MODES: Readonly<Record<string, SslMode>> = {
  disable: 'disable',
  require: 'require',
  'verify-ca': 'require',
  'verify-full': 'verify-full',
  'no-verify': 'require',
  disabled: 'disable',
  required: 'require',
  verify_ca: 'require',
  verify_identity: 'verify-full',
};

export function chooseSslMode(
  option: SslMode | undefined,
  params: Record<string, string>,
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
          hint: `Set the ssl input to ${SSL_MODES.join(', ')} (it takes precedence over the URL), or use ${name}=require or verify-full.`,
        },
      );
    }
    return { mode, source: `the URL's ${name}` };
  }
  return { mode: 'require', source: 'the default' };
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

export function tlsSettings(mode: SslMode, ca: string | undefined): TlsSettings {
  if (mode === 'disable') return false;
  if (mode === 'require')
    return { rejectUnauthorized: ca !== undefined, verifyHostname: false, ca };
  return { rejectUnauthorized: true, verifyHostname: true, ca };
}
