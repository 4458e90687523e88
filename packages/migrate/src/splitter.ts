/**
 * Splits a migration file into statements, each with the line it starts on,
 * so that a failing statement can be annotated at its line. It is a lexer,
 * not a parser: it knows where strings, quoted identifiers, comments and
 * PostgreSQL dollar-quoted bodies begin and end, because a `;` inside any of
 * them does not end a statement.
 *
 * PostgreSQL: '' strings (doubled quotes), E'' strings (backslash escapes),
 * "" identifiers, -- and nested /* *\/ comments, $$…$$ and $tag$…$tag$ bodies,
 * and the SQL-standard `BEGIN ATOMIC … END` bodies of CREATE FUNCTION and
 * CREATE PROCEDURE (tracked the way psql does).
 * MySQL/MariaDB: '' and "" strings (backslash escapes and doubled quotes), ``
 * identifiers, `-- ` (dash dash space), # and /* *\/ comments, /*! *\/
 * executable comments (kept: they are statements), and `DELIMITER` lines as
 * the mysql client reads them, for procedure and trigger bodies.
 */
export type Dialect = 'postgres' | 'mysql';

export interface SqlStatement {
  /** The statement without its delimiter and without the comments before it. */
  sql: string;
  /** 1-based line of the statement's first character. */
  line: number;
}

/** The file cannot be split: a string, comment or body is never closed. */
export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'SqlSyntaxError';
  }
}

const PG_WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;
const MYSQL_WORD = /[A-Za-z0-9_$\u0080-\uffff]+/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const DELIMITER_LINE = /delimiter[ \t]+(\S+)[ \t]*(?=\r?\n|$)/iy;

export function splitSqlStatements(sql: string, dialect: Dialect): SqlStatement[] {
  return new Splitter(sql, dialect).split();
}

class Splitter {
  private readonly lineStarts: number[] = [0];
  private readonly statements: SqlStatement[] = [];
  private delimiter = ';';
  private pos = 0;
  /** Index of the current statement's first character, or -1 between statements. */
  private start = -1;
  private parenDepth = 0;
  /** psql's heuristic for BEGIN ATOMIC bodies: the first words, and BEGIN/CASE … END depth. */
  private words: string[] = [];
  private beginDepth = 0;

  constructor(
    private readonly sql: string,
    private readonly dialect: Dialect,
  ) {
    for (let i = 0; i < sql.length; i++) if (sql[i] === '\n') this.lineStarts.push(i + 1);
  }

  split(): SqlStatement[] {
    while (this.pos < this.sql.length) this.step();
    this.endStatement(this.sql.length);
    return this.statements;
  }

  private step(): void {
    const { sql, pos } = this;
    const char = sql[pos]!;
    if (/\s/.test(char)) {
      this.pos++;
    } else if (this.atDelimiterCommand()) {
      this.readDelimiterCommand();
    } else if (this.atLineComment()) {
      this.skipLineComment();
    } else if (sql.startsWith('/*', pos)) {
      this.readBlockComment();
    } else if (this.atDelimiter()) {
      this.endStatement(pos);
      this.pos += this.delimiter.length;
    } else {
      this.markStart();
      this.readToken(char);
    }
  }

  private readToken(char: string): void {
    if (char === "'") this.readQuoted("'", this.dialect === 'mysql');
    else if (char === '"') this.readQuoted('"', this.dialect === 'mysql');
    else if (char === '`' && this.dialect === 'mysql') this.readQuoted('`', false);
    else if (char === '$' && this.dialect === 'postgres' && this.atDollarQuote()) {
      this.readDollarQuoted();
    } else if (this.atWord()) this.readWord();
    else {
      if (char === '(') this.parenDepth++;
      if (char === ')') this.parenDepth = Math.max(0, this.parenDepth - 1);
      this.pos++;
    }
  }

  private markStart(): void {
    if (this.start === -1) this.start = this.pos;
  }

  private endStatement(end: number): void {
    if (this.start !== -1) {
      const text = this.sql.slice(this.start, end).trim();
      if (text !== '') this.statements.push({ sql: text, line: this.lineOf(this.start) });
    }
    this.start = -1;
    this.parenDepth = 0;
    this.words = [];
    this.beginDepth = 0;
  }

  private atDelimiter(): boolean {
    if (!this.sql.startsWith(this.delimiter, this.pos)) return false;
    return this.dialect === 'mysql' || this.beginDepth === 0;
  }

  /** The mysql client's `DELIMITER //` command: alone on its line, between statements. */
  private atDelimiterCommand(): boolean {
    if (this.dialect !== 'mysql' || this.start !== -1) return false;
    const lineStart = this.sql.lastIndexOf('\n', this.pos - 1) + 1;
    if (this.sql.slice(lineStart, this.pos).trim() !== '') return false;
    DELIMITER_LINE.lastIndex = this.pos;
    return DELIMITER_LINE.test(this.sql);
  }

  private readDelimiterCommand(): void {
    DELIMITER_LINE.lastIndex = this.pos;
    const match = DELIMITER_LINE.exec(this.sql)!;
    this.delimiter = match[1]!;
    this.pos += match[0].length;
  }

  private atLineComment(): boolean {
    const { sql, pos } = this;
    if (this.dialect === 'mysql') {
      // MySQL needs a space (or control character) after "--": `1--1` is arithmetic.
      if (sql[pos] === '#') return true;
      return sql.startsWith('--', pos) && (pos + 2 >= sql.length || sql[pos + 2]! <= ' ');
    }
    return sql.startsWith('--', pos);
  }

  private skipLineComment(): void {
    const end = this.sql.indexOf('\n', this.pos);
    this.pos = end === -1 ? this.sql.length : end;
  }

  private readBlockComment(): void {
    const opening = this.pos;
    // MySQL runs /*! … */ (and reads optimizer hints /*+ … */): they are SQL, not comments.
    if (this.dialect === 'mysql' && /[!+]/.test(this.sql[opening + 2] ?? '')) this.markStart();
    const nests = this.dialect === 'postgres';
    let depth = 0;
    let i = opening;
    while (i < this.sql.length) {
      if (this.sql.startsWith('/*', i) && (nests || depth === 0)) {
        depth++;
        i += 2;
      } else if (this.sql.startsWith('*/', i)) {
        depth--;
        i += 2;
        if (depth === 0) {
          this.pos = i;
          return;
        }
      } else i++;
    }
    throw new SqlSyntaxError('This /* comment is never closed with */.', this.lineOf(opening));
  }

  private readQuoted(quote: string, backslashEscapes: boolean): void {
    const opening = this.pos;
    let i = opening + 1;
    while (i < this.sql.length) {
      const char = this.sql[i];
      if (backslashEscapes && char === '\\') i += 2;
      else if (char === quote && this.sql[i + 1] === quote) i += 2;
      else if (char === quote) {
        this.pos = i + 1;
        return;
      } else i++;
    }
    const what = quote === "'" ? 'string' : 'quoted identifier';
    throw new SqlSyntaxError(
      `This ${what} is never closed: ${quote} opened here has no matching ${quote}.`,
      this.lineOf(opening),
    );
  }

  private atDollarQuote(): boolean {
    // `$` inside a word (a$b) or before a digit ($1, a parameter) opens nothing.
    const before = this.sql[this.pos - 1];
    if (before !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(before)) return false;
    DOLLAR_TAG.lastIndex = this.pos;
    return DOLLAR_TAG.test(this.sql);
  }

  private readDollarQuoted(): void {
    DOLLAR_TAG.lastIndex = this.pos;
    const tag = DOLLAR_TAG.exec(this.sql)![0];
    const close = this.sql.indexOf(tag, this.pos + tag.length);
    if (close === -1) {
      throw new SqlSyntaxError(
        `This ${tag} body is never closed with a second ${tag}.`,
        this.lineOf(this.pos),
      );
    }
    this.pos = close + tag.length;
  }

  private atWord(): boolean {
    const pattern = this.dialect === 'postgres' ? PG_WORD : MYSQL_WORD;
    pattern.lastIndex = this.pos;
    return pattern.test(this.sql);
  }

  private readWord(): void {
    const pattern = this.dialect === 'postgres' ? PG_WORD : MYSQL_WORD;
    pattern.lastIndex = this.pos;
    const word = this.cutAtDelimiter(pattern.exec(this.sql)![0]);
    this.pos += word.length;
    if (this.dialect !== 'postgres') return;
    if (/^e$/i.test(word) && this.sql[this.pos] === "'") {
      this.readQuoted("'", true);
      return;
    }
    this.trackAtomicBody(word.toLowerCase());
  }

  /** `END$$` ends a statement when the delimiter is `$$`, though `$` may be part of a MySQL name. */
  private cutAtDelimiter(word: string): string {
    const at = word.indexOf(this.delimiter);
    return at > 0 ? word.slice(0, at) : word;
  }

  /**
   * psql's rule: inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, outside
   * parentheses, BEGIN opens a body that END closes (and CASE, which also
   * ends with END, nests inside it), so its semicolons do not end the statement.
   */
  private trackAtomicBody(word: string): void {
    if (this.words.length < 4) this.words.push(word);
    if (!this.isCreateRoutine() || this.parenDepth > 0) return;
    if (word === 'begin') this.beginDepth++;
    else if (word === 'case' && this.beginDepth > 0) this.beginDepth++;
    else if (word === 'end' && this.beginDepth > 0) this.beginDepth--;
  }

  private isCreateRoutine(): boolean {
    const [first, second, third, fourth] = this.words;
    const routine = (word: string | undefined) => word === 'function' || word === 'procedure';
    if (first !== 'create') return false;
    return routine(second) || (second === 'or' && third === 'replace' && routine(fourth));
  }

  private lineOf(index: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.lineStarts[middle]! <= index) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }
}
