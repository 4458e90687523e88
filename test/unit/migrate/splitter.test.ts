import {
  SqlSyntaxError,
  splitSqlStatements,
  type Dialect,
} from '../../../packages/migrate/src/index.js';

/** Statements as `line: sql`, which makes tables easy to read. */
function split(sql: string, dialect: Dialect): string[] {
  return splitSqlStatements(sql, dialect).map((s) => `${s.line}: ${s.sql}`);
}

describe('splitSqlStatements: both dialects', () => {
  test.each<[string, string, Dialect, string[]]>([
    ['one statement without ;', 'SELECT 1', 'postgres', ['1: SELECT 1']],
    ['two on one line', 'SELECT 1; SELECT 2;', 'postgres', ['1: SELECT 1', '1: SELECT 2']],
    ['line numbers', 'SELECT 1;\n\n\nSELECT\n  2;', 'mysql', ['1: SELECT 1', '4: SELECT\n  2']],
    ['empty statements dropped', ';;\n;SELECT 1;;', 'postgres', ['2: SELECT 1']],
    ['comment-only file', '-- nothing\n/* at all */\n', 'postgres', []],
    [
      'leading comments are not part of the statement; the line is the first token',
      '-- create users\n/* multi\nline */\nCREATE TABLE u (id int);',
      'postgres',
      ['4: CREATE TABLE u (id int)'],
    ],
    [
      "; inside '' string",
      "INSERT INTO t VALUES ('a;b');",
      'postgres',
      ["1: INSERT INTO t VALUES ('a;b')"],
    ],
    [
      "doubled quote ''",
      "SELECT 'it''s; fine'; SELECT 2",
      'mysql',
      ["1: SELECT 'it''s; fine'", '1: SELECT 2'],
    ],
    [
      '; inside a line comment',
      'SELECT 1 -- no; split\n;SELECT 2',
      'postgres',
      ['1: SELECT 1 -- no; split', '2: SELECT 2'],
    ],
    ['; inside a block comment', 'SELECT /* ; */ 1;', 'mysql', ['1: SELECT /* ; */ 1']],
    [
      'multi-line string keeps the first line',
      "SELECT 'a\nb;\nc';\nSELECT 2;",
      'postgres',
      ["1: SELECT 'a\nb;\nc'", '4: SELECT 2'],
    ],
    ['CRLF endings', 'SELECT 1;\r\nSELECT 2;\r\n', 'postgres', ['1: SELECT 1', '2: SELECT 2']],
  ])('%s', (_name, sql, dialect, expected) => {
    expect(split(sql, dialect)).toEqual(expected);
  });
});

describe('splitSqlStatements: PostgreSQL', () => {
  test.each<[string, string, string[]]>([
    [
      '"" identifier with ;',
      'CREATE TABLE "a;b" (id int); SELECT 1',
      ['1: CREATE TABLE "a;b" (id int)', '1: SELECT 1'],
    ],
    [
      'doubled "" in identifier',
      'SELECT 1 AS "x"";y"; SELECT 2',
      ['1: SELECT 1 AS "x"";y"', '1: SELECT 2'],
    ],
    [
      "E'' string with \\'",
      "SELECT E'it\\'s; here'; SELECT 2",
      ["1: SELECT E'it\\'s; here'", '1: SELECT 2'],
    ],
    ["e'' lower case", "SELECT e'\\\\'; SELECT 2", ["1: SELECT e'\\\\'", '1: SELECT 2']],
    [
      "backslash is literal in a standard '' string",
      "SELECT 'C:\\'; SELECT 2",
      ["1: SELECT 'C:\\'", '1: SELECT 2'],
    ],
    [
      'a word ending in e before a string is no E string',
      "SELECT 1 WHERE name = 'x\\'; SELECT 2",
      ["1: SELECT 1 WHERE name = 'x\\'", '1: SELECT 2'],
    ],
    [
      '$$ body',
      'CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\nSELECT f();',
      [
        '1: CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql',
        '6: SELECT f()',
      ],
    ],
    [
      '$tag$ body containing $$',
      "DO $body$ BEGIN PERFORM 'x$$;'; END $body$;\nSELECT 1;",
      ["1: DO $body$ BEGIN PERFORM 'x$$;'; END $body$", '2: SELECT 1'],
    ],
    [
      '$1 parameter is not a dollar quote',
      'PREPARE p AS SELECT $1; SELECT 2',
      ['1: PREPARE p AS SELECT $1', '1: SELECT 2'],
    ],
    [
      '$ inside a name is not a dollar quote',
      'SELECT a$b$ FROM t; SELECT 2',
      ['1: SELECT a$b$ FROM t', '1: SELECT 2'],
    ],
    [
      'nested block comments',
      'SELECT /* a /* b; */ c; */ 1; SELECT 2',
      ['1: SELECT /* a /* b; */ c; */ 1', '1: SELECT 2'],
    ],
    [
      '-- without a space is a comment',
      'SELECT 1 --x;\n; SELECT 2',
      ['1: SELECT 1 --x;', '2: SELECT 2'],
    ],
    [
      '# is an operator, not a comment',
      'SELECT 5 # 3; SELECT 2',
      ['1: SELECT 5 # 3', '1: SELECT 2'],
    ],
    [
      'BEGIN ATOMIC body',
      'CREATE FUNCTION one() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\nEND;\nSELECT one();',
      [
        '1: CREATE FUNCTION one() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\nEND',
        '5: SELECT one()',
      ],
    ],
    [
      'BEGIN ATOMIC with CASE … END inside',
      'CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT 3;',
      [
        '1: CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END',
        '1: SELECT 3',
      ],
    ],
    [
      'a transaction BEGIN splits as usual',
      'BEGIN; SELECT 1; COMMIT;',
      ['1: BEGIN', '1: SELECT 1', '1: COMMIT'],
    ],
    [
      'CASE … END outside a routine',
      'SELECT CASE WHEN true THEN 1 END; SELECT 2',
      ['1: SELECT CASE WHEN true THEN 1 END', '1: SELECT 2'],
    ],
  ])('%s', (_name, sql, expected) => {
    expect(split(sql, 'postgres')).toEqual(expected);
  });
});

describe('splitSqlStatements: MySQL', () => {
  test.each<[string, string, string[]]>([
    [
      "backslash escape in ''",
      "SELECT 'it\\'s; here'; SELECT 2",
      ["1: SELECT 'it\\'s; here'", '1: SELECT 2'],
    ],
    [
      '"" is a string with backslash escapes',
      'SELECT "a\\";b"; SELECT 2',
      ['1: SELECT "a\\";b"', '1: SELECT 2'],
    ],
    [
      'backtick identifier',
      'CREATE TABLE `a;b` (id int); SELECT 2',
      ['1: CREATE TABLE `a;b` (id int)', '1: SELECT 2'],
    ],
    [
      'doubled backtick',
      'SELECT 1 AS `x``;y`; SELECT 2',
      ['1: SELECT 1 AS `x``;y`', '1: SELECT 2'],
    ],
    ['# comment', 'SELECT 1; # note; here\nSELECT 2;', ['1: SELECT 1', '2: SELECT 2']],
    [
      '-- followed by a space is a comment',
      'SELECT 1 -- note; here\n;SELECT 2',
      ['1: SELECT 1 -- note; here', '2: SELECT 2'],
    ],
    [
      '--x is arithmetic, not a comment',
      'SELECT 1--1; SELECT 2',
      ['1: SELECT 1--1', '1: SELECT 2'],
    ],
    ['$$ is no quote in MySQL', 'SELECT 1 AS a$$; SELECT 2', ['1: SELECT 1 AS a$$', '1: SELECT 2']],
    [
      '/*! executable comment */ is a statement',
      '/*!40101 SET NAMES utf8mb4 */;\nSELECT 1;',
      ['1: /*!40101 SET NAMES utf8mb4 */', '2: SELECT 1'],
    ],
    [
      'DELIMITER for a procedure body',
      'DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND//\nDELIMITER ;\nCALL p();',
      ['2: CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND', '8: CALL p()'],
    ],
    [
      'DELIMITER $$ right after END',
      'DELIMITER $$\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END$$\ndelimiter ;\nSELECT 1;',
      [
        '2: CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END',
        '4: SELECT 1',
      ],
    ],
    [
      'a DELIMITER word inside a statement is not a command',
      "SELECT 'x'\nDELIMITER;\nSELECT 2;",
      ["1: SELECT 'x'\nDELIMITER", '3: SELECT 2'],
    ],
  ])('%s', (_name, sql, expected) => {
    expect(split(sql, 'mysql')).toEqual(expected);
  });
});

describe('splitSqlStatements: unterminated constructs fail at the line they open', () => {
  test.each<[string, string, Dialect, number, string]>([
    ['string', "SELECT 1;\nSELECT 'abc;\n", 'postgres', 2, 'string is never closed'],
    ['identifier', 'SELECT 1;\n\nSELECT "abc', 'postgres', 3, 'quoted identifier is never closed'],
    ['backtick', 'SELECT `abc', 'mysql', 1, 'quoted identifier'],
    ['block comment', 'SELECT 1;\n/* forever', 'mysql', 2, 'never closed with */'],
    ['nested block comment', '/* a /* b */ still open', 'postgres', 1, 'never closed with */'],
    [
      'dollar quote',
      'SELECT 1;\nDO $fn$ BEGIN END $other$;',
      'postgres',
      2,
      '$fn$ body is never closed',
    ],
    ["E'' string ending in \\'", "SELECT E'abc\\';", 'postgres', 1, 'string is never closed'],
  ])('%s', (_name, sql, dialect, line, message) => {
    let caught: unknown;
    try {
      splitSqlStatements(sql, dialect);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SqlSyntaxError);
    expect((caught as SqlSyntaxError).line).toBe(line);
    expect((caught as SqlSyntaxError).message).toContain(message);
  });
});
