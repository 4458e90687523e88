/** The built-in migrator on a real PostgreSQL, one fresh database per test. */
import { MigrationRunError } from '../../../packages/migrate/src/index.js';
import { describeMigrator, useScenario } from './scenarios.js';

describe('built-in migrator on PostgreSQL', () => {
  describeMigrator('postgres');
});

describe('PostgreSQL specifics', () => {
  const scenario = useScenario('postgres');

  test('a no-transaction file runs CREATE INDEX CONCURRENTLY', async () => {
    const s = scenario();
    await s.workspace.write('V1__users.sql', 'CREATE TABLE users (id int, email text);');
    await s.workspace.write(
      'V2__index.sql',
      '-- deploy-actions: no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n',
    );

    const result = await s.run();

    expect(result.sql?.migrations.map((m) => [m.version, m.status, m.transactional])).toEqual([
      ['1', 'applied', true],
      ['2', 'applied', false],
    ]);
    expect(
      await s.db.query(
        "SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'users_email'",
      ),
    ).toEqual([{ valid: true }]);
  });

  test('without the directive, CREATE INDEX CONCURRENTLY fails inside the transaction', async () => {
    const s = scenario();
    await s.workspace.write('V1__users.sql', 'CREATE TABLE users (id int, email text);');
    await s.workspace.write(
      'V2__index.sql',
      'CREATE INDEX CONCURRENTLY users_email ON users (email);',
    );
    const error = await s.fail();
    expect(error.message).toContain(
      'SQLSTATE 25001: CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
    );
  });

  test('a failing no-transaction file keeps its earlier statements and says to make it re-runnable', async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__two_steps.sql',
      '-- deploy-actions: no-transaction\nCREATE TABLE a (id int);\nCREATE TABLE a (id int);\n',
    );
    const error = await s.fail();
    expect(error.location).toEqual({ file: 'db/migrations/V1__two_steps.sql', line: 3 });
    expect(error.hint).toContain('statements before line 3 stay applied');
    expect(await s.tableExists('a')).toBe(true);
    expect(await s.history()).toEqual([]);
  });

  test('a syntax error is located at its own line within a long statement', async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__typo.sql',
      'CREATE TABLE users (id int);\n\nCREATE TABLE orders (\n  id int,\n  user_id int REFERENCES users (id),\n  total numeric(10, 2) NOT NUL\n);\n',
    );
    const error = await s.fail();
    expect(error.location).toEqual({ file: 'db/migrations/V1__typo.sql', line: 6 });
    expect(error.message).toContain('SQLSTATE 42601: syntax error at or near "NUL"');
    expect(error.message).toContain('(the statement starts at line 3)');
    expect(await s.tableExists('users')).toBe(false);
  });

  test("a syntax error in a file's first statement is located at its own line", async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__typo.sql',
      '-- first\nCREATE TABLE orders (\n  id int,\n  total numeric(10, 2) NOT NUL\n);\nCREATE TABLE b (id int);\n',
    );
    const error = await s.fail();
    expect(error.location).toEqual({ file: 'db/migrations/V1__typo.sql', line: 4 });
    expect(error.message).toContain('SQLSTATE 42601: syntax error at or near "NUL"');
    expect(error.message).toContain('(the statement starts at line 2)');
    expect(error.hint).toContain("The file's transaction was rolled back: none of it is applied.");
    expect(await s.history()).toEqual([]);
  });

  test('after a failing statement, the rest of the file does not run', async () => {
    const s = scenario();
    // nextval is not undone by a rollback: a statement that ran would leave the sequence advanced.
    await s.db.query('CREATE SEQUENCE seq');
    const isCalled = async () =>
      (await s.db.query<{ is_called: boolean }>('SELECT is_called FROM seq'))[0]!.is_called;
    await s.workspace.write(
      'V1__fails.sql',
      "CREATE TABLE t (id int);\nSELECT no_such_function(1);\nSELECT nextval('seq');\n",
    );
    const error = await s.fail();
    expect(error.location).toEqual({ file: 'db/migrations/V1__fails.sql', line: 2 });
    expect(await isCalled()).toBe(false);

    // A savepoint could revive the aborted transaction: the statements after it still do not run.
    await s.workspace.write(
      'V1__fails.sql',
      "SAVEPOINT before;\nSELECT no_such_function(1);\nROLLBACK TO SAVEPOINT before;\nSELECT nextval('seq');\n",
    );
    const again = await s.fail();
    expect(again.location).toEqual({ file: 'db/migrations/V1__fails.sql', line: 2 });
    expect(await isCalled()).toBe(false);
    expect(await s.tableExists('t')).toBe(false);
    expect(await s.history()).toEqual([]);
  });

  test('statement-timeout bounds each statement of a file, not the file', async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__three_waits.sql',
      'SELECT pg_sleep(0.25);\nSELECT pg_sleep(0.25);\nSELECT pg_sleep(0.25);\n',
    );
    const result = await s.run({ statementTimeoutMs: 500 });
    expect(result.sql?.appliedVersions).toEqual(['1']);
    const [version] = await s.db.query<{ server_version: string }>('SHOW server_version');
    expect(result.sql?.serverVersion).toBe(`PostgreSQL ${version!.server_version}`);
  });

  test("PostgreSQL's DETAIL reaches the message and its HINT the hint", async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__dupes.sql',
      'CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1), (1);\n',
    );
    const duplicate = (await s.fail()) as MigrationRunError;
    expect(duplicate.message).toContain(
      'SQLSTATE 23505: duplicate key value violates unique constraint "t_pkey" (Key (id)=(1) already exists.)',
    );

    await s.workspace.write('V1__dupes.sql', 'SELECT no_such_function(1);');
    const unknown = await s.fail();
    expect(unknown.hint).toMatch(/^No function matches the given name and argument types\./);
  });

  test('function bodies in $$, $tag$ and BEGIN ATOMIC are single statements', async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__functions.sql',
      [
        'CREATE FUNCTION add_one(i int) RETURNS int AS $$',
        'BEGIN',
        '  RETURN i + 1; -- a ; inside',
        'END;',
        '$$ LANGUAGE plpgsql;',
        '',
        "CREATE FUNCTION greet() RETURNS text LANGUAGE sql AS $body$ SELECT 'hi; there' $body$;",
        '',
        'CREATE FUNCTION two() RETURNS int LANGUAGE sql',
        'BEGIN ATOMIC',
        '  SELECT 1 + 1;',
        'END;',
      ].join('\n'),
    );
    const result = await s.run();
    expect(result.sql?.migrations[0]?.statements).toBe(3);
    expect(await s.db.query('SELECT add_one(1) AS a, greet() AS g, two() AS t')).toEqual([
      { a: 2, g: 'hi; there', t: 2 },
    ]);
  });

  test('a deferred constraint that fails at COMMIT: the file is rolled back and named', async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__deferred.sql',
      [
        'CREATE TABLE parent (id int PRIMARY KEY);',
        'CREATE TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);',
        'INSERT INTO child VALUES (1);',
      ].join('\n'),
    );
    const error = await s.fail();
    expect(error.message).toMatch(
      /^db\/migrations\/V1__deferred\.sql: recording and committing the migration failed: SQLSTATE 23503: insert or update on table "child" violates foreign key constraint/,
    );
    expect(error.location).toEqual({ file: 'db/migrations/V1__deferred.sql', line: undefined });
    expect(error.hint).toContain("The file's transaction was rolled back");
    expect(await s.tableExists('child')).toBe(false);
    expect(await s.history()).toEqual([]);
  });

  test('a user who may not create the history table is told which privilege is missing', async () => {
    const s = scenario();
    const role = `${s.db.name}_app`;
    await s.db.query(`CREATE ROLE ${role} LOGIN`);
    try {
      await s.workspace.write('V1__users.sql', 'CREATE TABLE users (id int);');
      const url = new URL(s.db.url);
      url.username = role;
      const error = await s.fail({ url: url.toString() });
      expect(error.message).toBe(
        'Creating the history table deploy_actions_schema_history failed: SQLSTATE 42501: permission denied for schema public',
      );
      expect(error.hint).toContain('GRANT CREATE ON SCHEMA public');
    } finally {
      await s.db.query(`DROP ROLE ${role}`);
    }
  });

  test('the lock and lock_timeout: a DDL waiting on a busy table fails after lock-timeout', async () => {
    const s = scenario();
    await s.db.query('CREATE TABLE busy (id int)');
    await s.db.query('BEGIN');
    await s.db.query('LOCK TABLE busy IN ACCESS EXCLUSIVE MODE');
    try {
      await s.workspace.write('V1__alter.sql', 'ALTER TABLE busy ADD COLUMN note text;');
      const error = await s.fail({ lockTimeoutMs: 300 });
      expect(error.message).toContain('SQLSTATE 55P03: canceling statement due to lock timeout');
      expect(error.hint).toContain('lock-timeout');
    } finally {
      await s.db.query('ROLLBACK');
    }
  });
});
