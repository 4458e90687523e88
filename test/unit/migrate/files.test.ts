import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, UserError } from '@deploy-actions/action-kit/engine';
import {
  canonicalVersion,
  classifyFileName,
  compareVersions,
  discoverMigrations,
  migrationChecksum,
  normaliseContent,
  prepareMigrations,
  readDirectives,
  type MigrationFile,
} from '../../../packages/migrate/src/index.js';
import { createWorkspace, type Workspace } from './workspace.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

describe('classifyFileName', () => {
  test.each([
    ['V1__create_users.sql', '1', 'create_users'],
    ['V001__init.sql', '1', 'init'],
    ['V1.1__add_email.sql', '1.1', 'add_email'],
    ['V1_1__add-email.sql', '1.1', 'add-email'],
    ['V2.0__same_as_2.sql', '2', 'same_as_2'],
    ['V20240501120000__orders.sql', '20240501120000', 'orders'],
    ['V2024.05.01.1__Orders2.sql', '2024.5.1.1', 'Orders2'],
  ])('%s is version %s', (name, version, description) => {
    expect(classifyFileName(name)).toEqual({ kind: 'migration', version, description });
  });

  test.each([
    ['v1__lower_v.sql', 'capital V'],
    ['V1_init.sql', 'two underscores'],
    ['V1-init.sql', 'two underscores'],
    ['V1__.sql', 'description may hold only'],
    ['V1__has space.sql', 'description may hold only'],
    ['V1__init.SQL', 'extension must be .sql'],
    ['V1__init.sql.bak', 'extension must be .sql'],
    ['001_init.sql', 'must start with V'],
    ['init.sql', 'must start with V'],
    ['R__views.sql', 'repeatable (R) and undo (U)'],
    ['U1__undo.sql', 'repeatable (R) and undo (U)'],
    ['V1..2__x.sql', 'two underscores'],
    ['Vx__init.sql', 'a version must follow the V'],
  ])('%s breaks the rule: %s', (name, reason) => {
    const verdict = classifyFileName(name);
    expect(verdict.kind).toBe('invalid');
    expect(verdict.kind === 'invalid' && verdict.reason).toContain(reason);
  });

  test.each(['README.md', '.gitkeep', 'notes.txt', 'schema.prisma'])(
    '%s is not a migration',
    (name) => {
      expect(classifyFileName(name)).toEqual({ kind: 'other' });
    },
  );
});

describe('versions', () => {
  test.each([
    ['1', '2', -1],
    ['1.9', '1.10', -1],
    ['2', '10', -1],
    ['1', '1.0', 0],
    ['1.0.1', '1', 1],
    ['20240501120000', '20240501120001', -1],
    ['99999999999999999999', '100000000000000000000', -1],
  ])('%s vs %s', (a, b, expected) => {
    expect(Math.sign(compareVersions(a, b))).toBe(expected);
    expect(Math.sign(compareVersions(b, a))).toBe(-expected || 0);
  });

  test.each([
    ['001', '1'],
    ['1.0', '1'],
    ['1_02_0', '1.2'],
    ['0', '0'],
    ['0.0', '0'],
  ])('canonical form of %s is %s', (version, canonical) => {
    expect(canonicalVersion(version)).toBe(canonical);
  });
});

describe('checksums', () => {
  test('a Windows checkout (CRLF, BOM) has the same checksum', () => {
    const unix = 'CREATE TABLE t (id int);\nSELECT 1;\n';
    const windows = '\uFEFFCREATE TABLE t (id int);\r\nSELECT 1;\r\n';
    expect(migrationChecksum(normaliseContent(windows))).toBe(
      migrationChecksum(normaliseContent(unix)),
    );
  });

  test('any other change changes it', () => {
    expect(migrationChecksum('SELECT 1;')).not.toBe(migrationChecksum('SELECT 1; '));
    expect(migrationChecksum('SELECT 1;')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('readDirectives', () => {
  test.each([
    ['SELECT 1;', true],
    ['-- deploy-actions: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);', false],
    [
      '-- Adds an index.\n\n--   Deploy-Actions:  NO-TRANSACTION  \nCREATE INDEX CONCURRENTLY i ON t (a);',
      false,
    ],
    ['-- no-transaction is mentioned, but not as a directive\nSELECT 1;', true],
  ])('%j → transactional %s', (sql, transactional) => {
    expect(readDirectives(sql, 'db/V1__x.sql')).toEqual({ transactional });
  });

  test('an unknown directive is an error at its line', () => {
    const error = thrown(() =>
      readDirectives('-- header\n-- deploy-actions: no-transactions\nSELECT 1;', 'db/V1__x.sql'),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain('unknown directive');
    expect((error as UserError).location).toEqual({ file: 'db/V1__x.sql', line: 2 });
  });

  test('a directive below the first statement is an error, not silently ignored', () => {
    const error = thrown(() =>
      readDirectives('SELECT 1;\n-- deploy-actions: no-transaction\n', 'db/V1__x.sql'),
    );
    expect(error.message).toContain('before the first statement');
    expect((error as UserError).location).toEqual({ file: 'db/V1__x.sql', line: 2 });
  });
});

describe('discoverMigrations', () => {
  let workspace: Workspace;
  beforeEach(async () => {
    workspace = await createWorkspace();
  });
  afterEach(() => workspace.cleanup());

  const discover = () =>
    discoverMigrations(workspace.migrationsDir, { workspaceDir: workspace.root });

  test('reads migrations in version order with workspace-relative paths', async () => {
    await workspace.write('V10__ten.sql', 'SELECT 10;');
    await workspace.write('V2__two.sql', '-- deploy-actions: no-transaction\nSELECT 2;');
    await workspace.write('V1.5__one_and_a_half.sql', 'SELECT 1.5;\r\n');
    await workspace.write('README.md', '# migrations');
    await mkdir(path.join(workspace.root, workspace.migrationsDir, 'seeds'));

    const { files, ignored } = await discover();

    expect(files.map((f) => [f.version, f.path, f.transactional])).toEqual([
      ['1.5', 'db/migrations/V1.5__one_and_a_half.sql', true],
      ['2', 'db/migrations/V2__two.sql', false],
      ['10', 'db/migrations/V10__ten.sql', true],
    ]);
    expect(files[0]!.sql).toBe('SELECT 1.5;\n');
    expect(files[0]!.checksum).toBe(migrationChecksum('SELECT 1.5;\n'));
    expect(ignored).toEqual(['README.md', 'seeds/']);
  });

  test('an absolute folder inside the workspace still gives relative paths', async () => {
    await workspace.write('V1__x.sql', 'SELECT 1;');
    const { files } = await discoverMigrations(path.join(workspace.root, workspace.migrationsDir), {
      workspaceDir: workspace.root,
    });
    expect(files[0]!.path).toBe('db/migrations/V1__x.sql');
  });

  test('follows symbolic links to files', async () => {
    await writeFile(path.join(workspace.root, 'shared.sql'), 'SELECT 1;');
    await symlink(
      path.join(workspace.root, 'shared.sql'),
      path.join(workspace.root, workspace.migrationsDir, 'V1__linked.sql'),
    );
    const { files } = await discover();
    expect(files.map((f) => f.fileName)).toEqual(['V1__linked.sql']);
  });

  test('every badly named file is listed in one error', async () => {
    await workspace.write('V1__ok.sql', 'SELECT 1;');
    await workspace.write('V2_bad.sql', 'SELECT 2;');
    await workspace.write('seed.sql', 'SELECT 3;');
    const error = await rejection(discover());
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain('V2_bad.sql (two underscores');
    expect(error.message).toContain('seed.sql (the name must start with V');
    expect(error.message).not.toContain('V1__ok.sql');
  });

  test('duplicate versions are refused, however they are written', async () => {
    await workspace.write('V1__a.sql', 'SELECT 1;');
    await workspace.write('V01__b.sql', 'SELECT 1;');
    await workspace.write('V2__c.sql', 'SELECT 2;');
    await workspace.write('V2.0__d.sql', 'SELECT 2;');
    const error = await rejection(discover());
    expect(error.message).toContain('1: V01__b.sql, V1__a.sql');
    expect(error.message).toContain('2: V2.0__d.sql, V2__c.sql');
  });

  test('an empty folder is refused', async () => {
    await workspace.write('.gitkeep', '');
    const error = await rejection(discover());
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('migrations-dir');
    expect(error.message).toContain('at least one V<version>__<description>.sql');
  });

  test('a missing folder is refused, naming the input', async () => {
    const error = await rejection(discoverMigrations('db/nope', { workspaceDir: workspace.root }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('Input \'migrations-dir\': got "db/nope"');
    expect(error.message).toContain('it does not exist');
  });

  test('a file given as the folder is refused', async () => {
    await workspace.write('V1__x.sql', 'SELECT 1;');
    const error = await rejection(
      discoverMigrations('db/migrations/V1__x.sql', { workspaceDir: workspace.root }),
    );
    expect(error.message).toContain('it is a file');
  });
});

describe('prepareMigrations', () => {
  const file = (sql: string, transactional = true): MigrationFile => ({
    version: '1',
    description: 'x',
    fileName: 'V1__x.sql',
    path: 'db/V1__x.sql',
    checksum: migrationChecksum(sql),
    transactional,
    sql,
  });

  test('splits each file into statements with lines', () => {
    const [prepared] = prepareMigrations([file('SELECT 1;\n\nSELECT 2;')], 'postgres');
    expect(prepared!.statements).toEqual([
      { sql: 'SELECT 1', line: 1 },
      { sql: 'SELECT 2', line: 3 },
    ]);
  });

  test('a file that cannot be split fails at the line, before anything runs', () => {
    const error = thrown(() => prepareMigrations([file("SELECT 1;\nSELECT 'oops;\n")], 'postgres'));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).location).toEqual({ file: 'db/V1__x.sql', line: 2 });
  });

  test.each(['BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'START TRANSACTION', 'abort'])(
    '%s in a transactional file is refused at its line',
    (statement) => {
      const error = thrown(() =>
        prepareMigrations([file(`SELECT 1;\n${statement};\n`)], 'postgres'),
      );
      expect(error.message).toContain(
        `${statement.toUpperCase()} would end or nest the transaction`,
      );
      expect((error as UserError).location).toEqual({ file: 'db/V1__x.sql', line: 2 });
      expect((error as UserError).hint).toContain('-- deploy-actions: no-transaction');
    },
  );

  test.each([
    'ROLLBACK TO SAVEPOINT a;',
    'ROLLBACK TO a;',
    'SAVEPOINT a;',
    'DELIMITER //\nBEGIN NOT ATOMIC SELECT 1; END//\nDELIMITER ;',
    "SELECT 'COMMIT';",
  ])('%j is allowed in a transactional file', (sql) => {
    expect(() => prepareMigrations([file(sql)], 'mysql')).not.toThrow();
  });

  test('a no-transaction file may manage its own transactions', () => {
    expect(() =>
      prepareMigrations([file('BEGIN;\nSELECT 1;\nCOMMIT;', false)], 'postgres'),
    ).not.toThrow();
  });
});
