/** Migration files split into statements and checked before anything connects. */
import { UserError } from '@deploy-actions/action-kit/engine';
import { NO_TRANSACTION_DIRECTIVE, type MigrationFile } from './files.js';
import { SqlSyntaxError, splitSqlStatements, type Dialect, type SqlStatement } from './splitter.js';

export interface PreparedMigration extends MigrationFile {
  statements: SqlStatement[];
}

// A statement that ends or opens a transaction (ROLLBACK TO SAVEPOINT and MariaDB's BEGIN NOT ATOMIC do not).
const TRANSACTION_CONTROL =
  /^(?:begin(?!\s+not\s+atomic\b)|start\s+transaction|commit|end|abort|rollback(?!\s+(?:work\s+|transaction\s+)?to\b))\b/i;

/**
 * Splits every file into statements before anything connects, so a file that
 * cannot be split, or that would break the transaction it runs in, fails the
 * run before the first migration is applied.
 */
export function prepareMigrations(
  files: readonly MigrationFile[],
  dialect: Dialect,
): PreparedMigration[] {
  return files.map((file) => {
    const statements = splitFile(file, dialect);
    if (file.transactional) assertNoTransactionControl(file, statements);
    return { ...file, statements };
  });
}

function splitFile(file: MigrationFile, dialect: Dialect): SqlStatement[] {
  try {
    return splitSqlStatements(file.sql, dialect);
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    throw new UserError(`${file.path} line ${error.line}: ${error.message}`, {
      file: file.path,
      line: error.line,
      hint: 'The file is split into statements at each ; outside strings, comments and $$ bodies: close the quote or comment that starts there.',
    });
  }
}

function assertNoTransactionControl(file: MigrationFile, statements: SqlStatement[]): void {
  const statement = statements.find((s) => TRANSACTION_CONTROL.test(s.sql));
  if (statement === undefined) return;
  const keyword = TRANSACTION_CONTROL.exec(statement.sql)![0].toUpperCase();
  throw new UserError(
    `${file.path} line ${statement.line}: ${keyword} would end or nest the transaction this file runs in.`,
    {
      file: file.path,
      line: statement.line,
      hint: `Each file runs in its own transaction: remove ${keyword}, or put "${NO_TRANSACTION_DIRECTIVE}" at the top of the file to manage transactions yourself.`,
    },
  );
}
