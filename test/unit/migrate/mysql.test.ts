/** The built-in migrator on a real MariaDB (as MySQL), one fresh database per test. */
import { describeMigrator, useScenario } from './scenarios.js';

describe('built-in migrator on MySQL (MariaDB)', () => {
  describeMigrator('mysql');
});

describe('MySQL specifics', () => {
  const scenario = useScenario('mysql');

  test('a failing statement is named, with its errno, at its line', async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__users.sql',
      [
        'CREATE TABLE users (id int PRIMARY KEY, email varchar(100));',
        "INSERT INTO users VALUES (1, 'a@example.com');",
        '',
        "INSERT INTO users VALUES (1, 'b@example.com');",
      ].join('\n'),
    );
    const error = await s.fail();
    expect(error.location).toEqual({ file: 'db/migrations/V1__users.sql', line: 4 });
    expect(error.message).toContain(
      "db/migrations/V1__users.sql line 4: ER_DUP_ENTRY (errno 1062): Duplicate entry '1' for key 'PRIMARY'",
    );
    expect(error.message).toContain("Statement: INSERT INTO users VALUES (1, 'b@example.com')");
    // The CREATE TABLE committed implicitly; the first INSERT was rolled back with the transaction.
    expect(await s.tableExists('users')).toBe(true);
    expect(await s.db.query('SELECT * FROM users')).toEqual([]);
  });

  test('a syntax error is located at its own line within the statement', async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__typo.sql',
      'SELECT 1;\n\nCREATE TABLE orders (\n  id int,\n  total decimal(10, 2) NOT NUL\n);\n',
    );
    const error = await s.fail();
    expect(error.message).toContain('ER_PARSE_ERROR (errno 1064)');
    expect(error.location).toEqual({ file: 'db/migrations/V1__typo.sql', line: 5 });
  });

  test('DELIMITER blocks define procedures and triggers', async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__procedures.sql',
      [
        'CREATE TABLE counter (n int NOT NULL);',
        'INSERT INTO counter VALUES (0);',
        '',
        'DELIMITER //',
        'CREATE PROCEDURE bump()',
        'BEGIN',
        '  UPDATE counter SET n = n + 1;',
        '  UPDATE counter SET n = n + 1;',
        'END//',
        'DELIMITER ;',
        '',
        'CALL bump();',
      ].join('\n'),
    );
    const result = await s.run();
    expect(result.sql?.migrations[0]?.statements).toBe(4);
    expect(await s.db.query('SELECT n FROM counter')).toEqual([{ n: 2 }]);
  });

  test('backslash escapes and # comments as the mysql client reads them', async () => {
    const s = scenario();
    await s.workspace.write(
      'V1__strings.sql',
      'CREATE TABLE t (s varchar(50)); # a comment; with a semicolon\nINSERT INTO t VALUES (\'it\\\'s; one\'), ("two\\";");\n',
    );
    await s.run();
    expect(await s.db.query('SELECT s FROM t ORDER BY s')).toEqual([
      { s: "it's; one" },
      { s: 'two";' },
    ]);
  });

  test('lock-timeout bounds the wait for a table another session locked', async () => {
    const s = scenario();
    await s.db.query('CREATE TABLE busy (id int)');
    await s.db.query('LOCK TABLES busy WRITE');
    try {
      await s.workspace.write('V1__alter.sql', 'ALTER TABLE busy ADD COLUMN note text;');
      const error = await s.fail({ lockTimeoutMs: 1000 });
      expect(error.message).toContain('ER_LOCK_WAIT_TIMEOUT (errno 1205)');
      expect(error.hint).toContain('lock-timeout');
    } finally {
      await s.db.query('UNLOCK TABLES');
    }
  });
});
