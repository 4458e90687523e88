// TLS to the database as libpq defines sslmode: which mode applies, and what
// each mode checks.
import { rootCertificates } from 'node:tls';
import { InputError, Inputs, UserError } from '@deploy-actions/action-kit/engine';
import { chooseSslMode, readMigrateInputs, tlsSettings } from '@deploy-actions/migrate';

const RDS_HOST = 'shop.cluster-abc123.eu-west-1.rds.amazonaws.com';

test.each<[string, string | undefined, Record<string, string>, string, string, string]>([
  [
    'the input wins over the URL',
    'disable',
    { sslmode: 'verify-full' },
    RDS_HOST,
    'disable',
    'the ssl input',
  ],
  [
    "the URL's sslmode",
    undefined,
    { sslmode: 'verify-ca' },
    RDS_HOST,
    'verify-ca',
    "the URL's sslmode",
  ],
  [
    "MySQL's ssl-mode",
    undefined,
    { 'ssl-mode': 'VERIFY_IDENTITY' },
    RDS_HOST,
    'verify-full',
    "the URL's ssl-mode",
  ],
  [
    "MySQL's VERIFY_CA",
    undefined,
    { 'ssl-mode': 'verify_ca' },
    RDS_HOST,
    'verify-ca',
    "the URL's ssl-mode",
  ],
  [
    'no-verify is require',
    undefined,
    { sslmode: 'no-verify' },
    RDS_HOST,
    'require',
    "the URL's sslmode",
  ],
  [
    'a remote host defaults to verify-full',
    undefined,
    {},
    RDS_HOST,
    'verify-full',
    'the default for a non-local host',
  ],
  [
    'an IP defaults to verify-full',
    undefined,
    {},
    '10.0.1.25',
    'verify-full',
    'the default for a non-local host',
  ],
  [
    'localhost defaults to require',
    undefined,
    {},
    'localhost',
    'require',
    'the default for a local host',
  ],
  [
    '127.0.0.1 defaults to require',
    undefined,
    {},
    '127.0.0.1',
    'require',
    'the default for a local host',
  ],
  ['::1 defaults to require', undefined, {}, '::1', 'require', 'the default for a local host'],
])('%s', (_name, option, params, host, mode, source) => {
  expect(chooseSslMode(option as never, params, host)).toEqual({ mode, source });
});

test('an sslmode it cannot honour is refused with the modes it can', () => {
  expect(() => chooseSslMode(undefined, { sslmode: 'prefer' }, RDS_HOST)).toThrow(UserError);
});

describe('tlsSettings', () => {
  const from = (mode: 'disable' | 'require' | 'verify-ca' | 'verify-full') => ({
    mode,
    source: 'the ssl input',
  });
  const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

  test('disable: no TLS', () => {
    expect(tlsSettings(from('disable'), undefined)).toBe(false);
  });

  test('require: encrypted, unverified; with a CA file, the chain is verified (libpq)', () => {
    expect(tlsSettings(from('require'), undefined)).toEqual({
      rejectUnauthorized: false,
      verifyHostname: false,
      ca: undefined,
    });
    expect(tlsSettings(from('require'), CA)).toEqual({
      rejectUnauthorized: true,
      verifyHostname: false,
      ca: CA,
    });
  });

  test('verify-ca: the chain against the CA file, not the name', () => {
    expect(tlsSettings(from('verify-ca'), CA)).toEqual({
      rejectUnauthorized: true,
      verifyHostname: false,
      ca: CA,
    });
  });

  test('verify-ca without a CA file fails before connecting', () => {
    expect(() =>
      tlsSettings({ mode: 'verify-ca', source: "the URL's sslmode" }, undefined),
    ).toThrow(/ssl verify-ca \(from the URL's sslmode\) needs the CA/);
  });

  test('verify-full: chain and name; without a CA file, the RDS CAs and the public roots', () => {
    const settings = tlsSettings(from('verify-full'), undefined);
    expect(settings).toMatchObject({ rejectUnauthorized: true, verifyHostname: true });
    const ca = (settings as { ca: string[] }).ca;
    expect(ca).toEqual(expect.arrayContaining([...rootCertificates]));
    expect(ca.length).toBeGreaterThan(rootCertificates.length + 100);
    expect(tlsSettings(from('verify-full'), CA)).toMatchObject({ ca: CA });
  });
});

describe('the ssl inputs', () => {
  const read = (values: Record<string, string>) =>
    readMigrateInputs(new Inputs((name) => values[name]));
  const base = { 'migrations-dir': 'db', 'database-url': `postgres://u:p@${RDS_HOST}/app` };

  test('verify-ca is a mode', () => {
    expect(read({ ...base, ssl: 'verify-ca', 'ssl-ca-file': 'ca.pem' }).options.ssl).toEqual({
      mode: 'verify-ca',
      caFile: 'ca.pem',
    });
  });

  test('verify-ca without ssl-ca-file is refused, naming the input, before any call', () => {
    expect(() => read({ ...base, ssl: 'verify-ca' })).toThrow(InputError);
    expect(() => read({ ...base, ssl: 'verify-ca' })).toThrow(/Input 'ssl'.*verify-ca/);
  });
});
