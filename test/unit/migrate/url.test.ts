import { InputError, UserError } from '@deploy-actions/action-kit/engine';
import {
  formatDatabaseUrl,
  parseDatabaseUrl,
  redact,
  redactDatabaseUrl,
  secretParts,
  secretToUrl,
} from '../../../packages/migrate/src/index.js';

const PASSWORD = 'S3cr3t/p@ss:w?rd#1';
const ENCODED = encodeURIComponent(PASSWORD);

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

/** The password in any form must never reach a message. */
function expectNoPassword(error: Error, password = PASSWORD): void {
  const text = `${error.message} ${(error as UserError).hint ?? ''} ${String(error.cause ?? '')}`;
  expect(text).not.toContain(password);
  expect(text).not.toContain(encodeURIComponent(password));
}

describe('parseDatabaseUrl', () => {
  test.each([
    [
      `postgres://app:${ENCODED}@db.example.com:6543/shop?sslmode=require`,
      {
        engine: 'postgres',
        host: 'db.example.com',
        port: 6543,
        user: 'app',
        password: PASSWORD,
        database: 'shop',
        params: { sslmode: 'require' },
      },
    ],
    [
      'postgresql://app@localhost/shop',
      {
        engine: 'postgres',
        host: 'localhost',
        port: 5432,
        user: 'app',
        password: '',
        database: 'shop',
        params: {},
      },
    ],
    [
      'mysql://root:pw@127.0.0.1/test',
      {
        engine: 'mysql',
        host: '127.0.0.1',
        port: 3306,
        user: 'root',
        password: 'pw',
        database: 'test',
        params: {},
      },
    ],
    [
      'mariadb://u%40corp:p@[::1]:3307/my%20db',
      {
        engine: 'mysql',
        host: '::1',
        port: 3307,
        user: 'u@corp',
        password: 'p',
        database: 'my db',
        params: {},
      },
    ],
    [
      'postgres://db.internal/shop?user=app&password=pw&application_name=x',
      {
        engine: 'postgres',
        host: 'db.internal',
        port: 5432,
        user: 'app',
        password: 'pw',
        database: 'shop',
        params: { application_name: 'x' },
      },
    ],
    [
      // An unencoded @ in the password: the last @ ends the user info.
      'postgres://app:p@ss@db/shop',
      {
        engine: 'postgres',
        host: 'db',
        port: 5432,
        user: 'app',
        password: 'p@ss',
        database: 'shop',
        params: {},
      },
    ],
  ])('%s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  test.each([
    ['', 'it does not start with'],
    ['db.example.com:5432/shop', 'it does not start with'],
    [`jdbc:postgresql://app:${ENCODED}@db/shop`, 'drop the "jdbc:" prefix'],
    [`sqlserver://app:${ENCODED}@db/shop`, 'the scheme "sqlserver" is not supported'],
    [`postgres://app:${PASSWORD}@db/shop`, 'percent-encode'],
    [`postgres://app:${ENCODED}@db`, 'no database name'],
    [`postgres://app:${ENCODED}@db/`, 'no database name'],
    [`postgres://app:${ENCODED}@db/a/b`, 'contains "/"'],
    [`mysql://:${ENCODED}@db/shop`, 'no user name'],
    [`postgres://app:${ENCODED}@db:99999/shop`, 'not a valid URL'],
    [`postgres://app:%E0%A4%A@db/shop`, 'malformed %-escape'],
  ])('refuses %s, naming the input, never showing the password', (url, problem) => {
    const error = thrown(() => parseDatabaseUrl(url));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('database-url');
    expect(error.message).toContain(problem);
    expectNoPassword(error);
  });

  test('shows a URL it could take apart with *** for the password', () => {
    const error = thrown(() => parseDatabaseUrl(`postgres://app:${ENCODED}@db.example.com/`));
    expect(error.message).toContain('postgres://app:***@db.example.com:5432/');
  });

  test('names another input when asked', () => {
    const error = thrown(() => parseDatabaseUrl('nope', 'database-url-secret-id'));
    expect((error as InputError).input).toBe('database-url-secret-id');
  });
});

describe('formatDatabaseUrl and redactDatabaseUrl', () => {
  const db = parseDatabaseUrl(`postgres://app:${ENCODED}@db:5432/shop?sslmode=verify-full`);

  test('formatting and parsing again gives the same parts', () => {
    expect(parseDatabaseUrl(formatDatabaseUrl(db))).toEqual(db);
  });

  test('the redacted URL hides the password and keeps the rest', () => {
    expect(redactDatabaseUrl(db)).toBe('postgres://app:***@db:5432/shop?sslmode=verify-full');
  });
});

describe('secretParts', () => {
  test('every form in which the password could show', () => {
    const url = `postgres://app:${ENCODED}@db/shop`;
    const parts = secretParts(url);
    expect(parts).toEqual(
      expect.arrayContaining([url, PASSWORD, ENCODED, `app:${PASSWORD}@`, `app:${ENCODED}@`]),
    );
  });

  test('the user info exactly as written, when the URL encodes less than encodeURIComponent', () => {
    const url = 'postgres://app:p!x*@db/shop';
    expect(secretParts(url)).toEqual(expect.arrayContaining(['p!x*', 'app:p!x*@']));
  });

  test('a URL without a password: just the URL', () => {
    expect(secretParts('postgres://app@db/shop')).toEqual(['postgres://app@db/shop']);
  });

  test('a URL that cannot be taken apart is masked whole', () => {
    const url = `postgres://app:${PASSWORD}@db/shop`;
    expect(secretParts(url)).toEqual([url]);
  });
});

describe('secretToUrl', () => {
  const rds = (fields: Record<string, unknown>) =>
    JSON.stringify({
      username: 'app',
      password: PASSWORD,
      engine: 'postgres',
      host: 'shop.abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      dbname: 'shop',
      dbInstanceIdentifier: 'shop',
      ...fields,
    });

  test('a plain URL is taken as it is', () => {
    const url = `mysql://app:${ENCODED}@db:3306/shop`;
    expect(secretToUrl(`  ${url}\n`)).toBe(url);
  });

  test.each([
    ['postgres', 'postgres', 5432],
    ['aurora-postgresql', 'postgres', 5432],
    ['mysql', 'mysql', 3306],
    ['mariadb', 'mysql', 3306],
    ['aurora-mysql', 'mysql', 3306],
    ['aurora', 'mysql', 3306],
  ])('RDS JSON with engine %s', (engine, expectedEngine, port) => {
    const url = secretToUrl(rds({ engine, port }));
    expect(parseDatabaseUrl(url)).toEqual({
      engine: expectedEngine,
      host: 'shop.abc.eu-west-1.rds.amazonaws.com',
      port,
      user: 'app',
      password: PASSWORD,
      database: 'shop',
      params: {},
    });
  });

  test('the port may be a string, or absent (the engine default)', () => {
    expect(parseDatabaseUrl(secretToUrl(rds({ port: '6000' }))).port).toBe(6000);
    expect(parseDatabaseUrl(secretToUrl(rds({ engine: 'mysql', port: undefined }))).port).toBe(
      3306,
    );
  });

  // Secrets Manager's RDS secret structure makes dbname optional: PostgreSQL "defaults to
  // 'postgres'", MySQL and MariaDB to none (reference_secret_json_structure.html).
  test.each(['postgres', 'aurora-postgresql'])(
    'RDS JSON with engine %s and no dbname connects to the database postgres',
    (engine) => {
      const url = secretToUrl(rds({ engine, dbname: undefined }));
      expect(parseDatabaseUrl(url).database).toBe('postgres');
      expect(parseDatabaseUrl(secretToUrl(rds({ engine, dbname: '' }))).database).toBe('postgres');
    },
  );

  test.each(['mysql', 'mariadb', 'aurora-mysql'])(
    'RDS JSON with engine %s and no dbname is refused: MySQL has no default database',
    (engine) => {
      const error = thrown(() => secretToUrl(rds({ engine, dbname: undefined }), 'prod/db'));
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toContain('prod/db');
      expect(error.message).toContain('has no dbname');
      expect(error.message).toContain('no default database');
      expectNoPassword(error);
    },
  );

  test('a password with spaces at its ends is kept exactly', () => {
    expect(parseDatabaseUrl(secretToUrl(rds({ password: ' pw ' }))).password).toBe(' pw ');
  });

  test.each([
    ['not JSON', `{"password": "${PASSWORD}", oops`, 'not valid JSON'],
    ['an array', `[{"password": "${PASSWORD}"}]`, 'does not hold a usable database URL'],
    [
      'missing fields',
      JSON.stringify({ username: 'app', password: PASSWORD, engine: 'mysql' }),
      'has no host, dbname',
    ],
    [
      "RDS's managed master-user secret",
      JSON.stringify({ username: 'app', password: PASSWORD }),
      'holds only username and password',
    ],
    [
      'an engine RDS has but we do not',
      rds({ engine: 'sqlserver-ex' }),
      'names the engine "sqlserver-ex"',
    ],
    ['a bad port', rds({ port: 'abc' }), 'has the port "abc"'],
    ['a URL without database', `postgres://app:${ENCODED}@db`, 'no database name'],
    ['a URL with the password unencoded', `postgres://app:${PASSWORD}@db/shop`, 'percent-encode'],
  ])(
    'refuses %s, naming the secret and the input, never the password',
    (_name, secret, problem) => {
      const error = thrown(() => secretToUrl(secret, 'prod/db'));
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toContain('prod/db');
      expect(error.message).toContain('database-url-secret-id');
      expect(error.message).toContain(problem);
      expectNoPassword(error);
    },
  );
});

describe('redact', () => {
  test('replaces every secret, longest first', () => {
    expect(redact('url postgres://a:pw@h/d and pw', ['pw', 'postgres://a:pw@h/d'])).toBe(
      'url *** and ***',
    );
  });
});
