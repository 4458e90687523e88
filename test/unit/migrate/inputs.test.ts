import { InputError, Inputs } from '@deploy-actions/action-kit/engine';
import { readMigrateInputs } from '../../../packages/migrate/src/index.js';

const URL = 'postgres://app:Secr3t%21@db.example.com:5432/shop';

function inputsOf(values: Record<string, string>): Inputs {
  return new Inputs((name) => values[name]);
}

function inputError(values: Record<string, string>): InputError {
  try {
    readMigrateInputs(inputsOf(values));
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('readMigrateInputs', () => {
  test('the built-in migrator with defaults', () => {
    const { options, warnings } = readMigrateInputs(
      inputsOf({ 'database-url': URL, 'migrations-dir': 'db/migrations' }),
    );
    expect(options).toEqual({
      database: { url: URL },
      mode: { kind: 'sql', migrationsDir: 'db/migrations', allowOutOfOrder: false, dryRun: false },
      ssl: { mode: undefined, caFile: undefined },
      lockTimeoutMs: 60_000,
      statementTimeoutMs: 0,
    });
    expect(warnings).toEqual([]);
  });

  test('every option of the built-in migrator', () => {
    const { options } = readMigrateInputs(
      inputsOf({
        'database-url-secret-id':
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf',
        'migrations-dir': 'migrations',
        'allow-out-of-order': 'true',
        'dry-run': 'TRUE',
        ssl: 'verify-full',
        'ssl-ca-file': 'certs/rds.pem',
        'lock-timeout': '5m',
        'statement-timeout': '90s',
      }),
    );
    expect(options).toEqual({
      database: { secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf' },
      mode: { kind: 'sql', migrationsDir: 'migrations', allowOutOfOrder: true, dryRun: true },
      ssl: { mode: 'verify-full', caFile: 'certs/rds.pem' },
      lockTimeoutMs: 300_000,
      statementTimeoutMs: 90_000,
    });
  });

  test('a command, split into arguments, with its URL variable', () => {
    const { options } = readMigrateInputs(
      inputsOf({
        'database-url-secret-id': 'prod/db',
        command: 'npx prisma migrate deploy --schema "db/schema.prisma"',
        'database-url-env': 'PRISMA_DATABASE_URL',
      }),
    );
    expect(options.mode).toEqual({
      kind: 'command',
      argv: ['npx', 'prisma', 'migrate', 'deploy', '--schema', 'db/schema.prisma'],
      urlEnv: 'PRISMA_DATABASE_URL',
      allowEnv: [],
    });
  });

  test('command-env: the names and NAME_* prefixes the command may see', () => {
    const { options } = readMigrateInputs(
      inputsOf({
        'database-url': URL,
        command: 'npx prisma migrate deploy',
        'command-env': 'NODE_ENV, PRISMA_*\nAWS_ACCESS_KEY_ID',
      }),
    );
    expect(options.mode).toMatchObject({
      allowEnv: ['NODE_ENV', 'PRISMA_*', 'AWS_ACCESS_KEY_ID'],
    });
  });

  test.each(['NODE ENV', 'PRISMA_*_URL', '*', '1ABC'])(
    'command-env %j is refused, naming the input',
    (entry) => {
      expect(() =>
        readMigrateInputs(inputsOf({ 'database-url': URL, command: 'x', 'command-env': entry })),
      ).toThrow(/Input 'command-env'/);
    },
  );

  test('a command gets DATABASE_URL unless told otherwise', () => {
    const { options } = readMigrateInputs(
      inputsOf({ 'database-url': URL, command: 'npm run migrate' }),
    );
    expect(options.mode).toEqual({
      kind: 'command',
      argv: ['npm', 'run', 'migrate'],
      urlEnv: 'DATABASE_URL',
      allowEnv: [],
    });
  });

  test('inputs that do nothing in the chosen mode are warned about', () => {
    expect(
      readMigrateInputs(
        inputsOf({
          'database-url': URL,
          command: 'npm run migrate',
          'lock-timeout': '10s',
          ssl: 'require',
        }),
      ).warnings,
    ).toEqual([
      'The input lock-timeout has no effect with command; it is ignored.',
      'The input ssl has no effect with command; it is ignored.',
    ]);
    expect(
      readMigrateInputs(
        inputsOf({ 'database-url': URL, 'migrations-dir': 'db', 'database-url-env': 'X' }),
      ).warnings,
    ).toEqual(['The input database-url-env has no effect with migrations-dir; it is ignored.']);
  });

  test.each<[string, Record<string, string>, string, string]>([
    ['no mode', { 'database-url': URL }, 'migrations-dir', 'set migrations-dir or command'],
    [
      'two modes',
      { 'database-url': URL, 'migrations-dir': 'db', command: 'npm run migrate' },
      'command',
      'since migrations-dir is set too',
    ],
    ['no database', { 'migrations-dir': 'db' }, 'database-url', 'one of the two is required'],
    [
      'two databases',
      { 'migrations-dir': 'db', 'database-url': URL, 'database-url-secret-id': 'prod/db' },
      'database-url-secret-id',
      'since database-url is set too',
    ],
    [
      'a bad URL',
      { 'migrations-dir': 'db', 'database-url': 'postgres://app:Secr3t%21@db' },
      'database-url',
      'no database name',
    ],
    [
      'a bad secret id',
      { 'migrations-dir': 'db', 'database-url-secret-id': 'prod db' },
      'database-url-secret-id',
      'secret name or ARN',
    ],
    [
      'a bad ssl mode',
      { 'migrations-dir': 'db', 'database-url': URL, ssl: 'prefer' },
      'ssl',
      'one of disable, require, verify-ca, verify-full',
    ],
    [
      'a CA file without TLS',
      { 'migrations-dir': 'db', 'database-url': URL, ssl: 'disable', 'ssl-ca-file': 'ca.pem' },
      'ssl-ca-file',
      'nothing when ssl is disable',
    ],
    [
      'a bad lock timeout',
      { 'migrations-dir': 'db', 'database-url': URL, 'lock-timeout': 'soon' },
      'lock-timeout',
      'a duration',
    ],
    [
      'a zero lock timeout',
      { 'migrations-dir': 'db', 'database-url': URL, 'lock-timeout': '0' },
      'lock-timeout',
      'from 1.0s to 6h 00m',
    ],
    [
      'a dry run with a command',
      { 'database-url': URL, command: 'npm run migrate', 'dry-run': 'true' },
      'dry-run',
      'only the built-in migrator',
    ],
    [
      'out-of-order with a command',
      { 'database-url': URL, command: 'npm run migrate', 'allow-out-of-order': 'true' },
      'allow-out-of-order',
      'only the built-in migrator',
    ],
    [
      'a shell pipeline',
      { 'database-url': URL, command: 'npm run migrate | tee log' },
      'command',
      'there is no shell',
    ],
    [
      'a bad variable name',
      { 'database-url': URL, command: 'npm run migrate', 'database-url-env': '1URL' },
      'database-url-env',
      'environment variable name',
    ],
  ])('%s fails, naming the input', (_name, values, input, expected) => {
    const error = inputError(values);
    expect(error.input).toBe(input);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain('Secr3t');
  });
});
