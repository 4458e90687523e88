/**
 * Migration files: one naming rule, one header directive.
 *
 * Naming rule: `V<version>__<description>.sql`, e.g. `V1__create_users.sql`,
 * `V1.1__add_email.sql`, `V2024_05_01_1200__orders.sql`.
 * - `V` is a capital V; the version is digits, in segments separated by `.` or
 *   `_`; versions compare numerically segment by segment, as Flyway does
 *   (1.10 comes after 1.9; missing segments count as 0, so 1 and 1.0 are the
 *   same version and may not both exist);
 * - two underscores separate the version from the description, which is
 *   letters, digits, `_` and `-`.
 * Every other `*.sql` file in the folder, and every file that starts like a
 * migration (`V1…`, `v1…`), is an error: a migration that is silently skipped
 * is worse than one that fails. Other files (README.md, .gitkeep) and
 * subfolders are not read.
 *
 * Header directive: a comment line `-- deploy-actions: no-transaction` among
 * the comment lines at the top of the file (before the first statement) makes
 * the file run outside a transaction, for statements that cannot run inside
 * one such as PostgreSQL's CREATE INDEX CONCURRENTLY.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, UserError } from '@deploy-actions/action-kit/engine';

export const NAMING_RULE = 'V<version>__<description>.sql (for example V1__create_users.sql)';
export const NO_TRANSACTION_DIRECTIVE = '-- deploy-actions: no-transaction';

const MIGRATION_NAME = /^V(\d+(?:[._]\d+)*)__([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/;
const LOOKS_LIKE_MIGRATION = /(^[Vv]\d)|(\.sql$)/i;
const DIRECTIVE = /^\s*--\s*deploy-actions\s*:\s*(.*?)\s*$/i;

export interface MigrationFile {
  /** Canonical version: segments without leading zeros, trailing zero segments dropped (`1.2`). */
  version: string;
  description: string;
  fileName: string;
  /** Path for messages and annotations, relative to the workspace when inside it. */
  path: string;
  /** SHA-256 (hex) of the content with CRLF turned into LF and without a UTF-8 BOM. */
  checksum: string;
  /** False when the file's header holds the no-transaction directive. */
  transactional: boolean;
  /** The content as checksummed. */
  sql: string;
}

export interface DiscoveredMigrations {
  /** In version order. */
  files: MigrationFile[];
  /** Entries of the folder that are not migrations, for the log. */
  ignored: string[];
}

export interface DiscoverOptions {
  /** Paths in messages are relative to this folder (the repository's checkout). */
  workspaceDir?: string;
  /** The input that named the folder, for error messages. */
  input?: string;
}

export type FileNameVerdict =
  | { kind: 'migration'; version: string; description: string }
  | { kind: 'invalid'; reason: string }
  | { kind: 'other' };

/** Reads every migration in `dir`, validating names, versions and headers before anything runs. */
export async function discoverMigrations(
  dir: string,
  options: DiscoverOptions = {},
): Promise<DiscoveredMigrations> {
  const input = options.input ?? 'migrations-dir';
  const workspaceDir = options.workspaceDir ?? process.cwd();
  const absoluteDir = path.resolve(workspaceDir, dir);
  const entries = await readFolder(absoluteDir, dir, input);
  const named: { fileName: string; version: string; description: string }[] = [];
  const invalid: string[] = [];
  const ignored: string[] = [];
  for (const entry of entries) {
    const verdict = entry.isFile ? classifyFileName(entry.name) : { kind: 'other' as const };
    if (verdict.kind === 'migration') named.push({ fileName: entry.name, ...verdict });
    else if (verdict.kind === 'invalid') invalid.push(`${entry.name} (${verdict.reason})`);
    else ignored.push(entry.isFile ? entry.name : `${entry.name}/`);
  }
  if (invalid.length > 0) throw badNames(dir, invalid);
  if (named.length === 0) {
    throw new InputError(input, dir, `a folder holding at least one ${NAMING_RULE} file`);
  }
  assertUniqueVersions(dir, named);
  const files = await Promise.all(
    named.map(async (entry) => {
      const absolute = path.join(absoluteDir, entry.fileName);
      const displayPath = displayPathOf(absolute, workspaceDir);
      const sql = normaliseContent(await readFile(absolute, 'utf8'));
      return {
        ...entry,
        path: displayPath,
        checksum: migrationChecksum(sql),
        transactional: readDirectives(sql, displayPath).transactional,
        sql,
      };
    }),
  );
  return { files: files.sort((a, b) => compareVersions(a.version, b.version)), ignored };
}

async function readFolder(
  absoluteDir: string,
  dir: string,
  input: string,
): Promise<{ name: string; isFile: boolean }[]> {
  const expected = 'an existing folder of SQL migrations, relative to the repository root';
  const info = await stat(absoluteDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new InputError(
      input,
      dir,
      `${expected} (${info ? 'it is a file' : 'it does not exist'})`,
    );
  }
  const entries = await readdir(absoluteDir, { withFileTypes: true });
  const withTargets = await Promise.all(
    entries.map(async (entry) => {
      // Follow symbolic links, so a linked migration is a file like any other.
      const isFile = entry.isSymbolicLink()
        ? (await stat(path.join(absoluteDir, entry.name)).catch(() => undefined))?.isFile() === true
        : entry.isFile();
      return { name: entry.name, isFile };
    }),
  );
  return withTargets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether a file name is a migration, breaks the rule while looking like one, or is something else. */
export function classifyFileName(fileName: string): FileNameVerdict {
  const match = MIGRATION_NAME.exec(fileName);
  if (match) {
    return { kind: 'migration', version: canonicalVersion(match[1]!), description: match[2]! };
  }
  if (!LOOKS_LIKE_MIGRATION.test(fileName)) return { kind: 'other' };
  return { kind: 'invalid', reason: whyNotAMigration(fileName) };
}

function whyNotAMigration(fileName: string): string {
  if (!fileName.endsWith('.sql')) return 'the extension must be .sql, in lower case';
  if (/^v\d/.test(fileName)) return 'the V must be a capital V';
  if (/^[RU]\d*__/.test(fileName)) {
    return 'repeatable (R) and undo (U) migrations are not supported; use a versioned V file';
  }
  if (!fileName.startsWith('V')) return 'the name must start with V and a version';
  if (!/^V\d/.test(fileName))
    return 'a version must follow the V: digits, with . or _ between parts';
  if (!/^V\d+(?:[._]\d+)*__/.test(fileName)) {
    return 'two underscores (__) must separate the version from the description';
  }
  return 'the description may hold only letters, digits, _ and -';
}

function badNames(dir: string, invalid: string[]): UserError {
  return new UserError(
    `These files in ${dir} look like migrations but do not follow the naming rule ${NAMING_RULE}: ${invalid.join('; ')}.`,
    {
      hint: 'Rename them (the version is digits with . or _ between parts, then two underscores and a description), or move files that are not migrations out of the folder.',
    },
  );
}

function assertUniqueVersions(dir: string, named: { fileName: string; version: string }[]): void {
  const byVersion = new Map<string, string[]>();
  for (const { fileName, version } of named) {
    byVersion.set(version, [...(byVersion.get(version) ?? []), fileName]);
  }
  const duplicates = [...byVersion.entries()].filter(([, names]) => names.length > 1);
  if (duplicates.length === 0) return;
  const list = duplicates.map(([version, names]) => `${version}: ${names.join(', ')}`).join('; ');
  throw new UserError(`Several migrations in ${dir} have the same version (${list}).`, {
    hint: 'Give each migration its own version: 1, 01 and 1.0 are the same version.',
  });
}

/** `01.2.0` → `1.2`: leading zeros and trailing zero segments do not make a different version. */
export function canonicalVersion(version: string): string {
  const segments = version.split(/[._]/).map((segment) => BigInt(segment).toString());
  while (segments.length > 1 && segments[segments.length - 1] === '0') segments.pop();
  return segments.join('.');
}

/** Compares versions numerically, segment by segment; a missing segment counts as 0. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[._]/).map(BigInt);
  const right = b.split(/[._]/).map(BigInt);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0n) - (right[i] ?? 0n);
    if (difference !== 0n) return difference < 0n ? -1 : 1;
  }
  return 0;
}

/** CRLF → LF and no UTF-8 BOM, so that a Windows checkout has the same checksum. */
export function normaliseContent(content: string): string {
  return content.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
}

export function migrationChecksum(normalisedSql: string): string {
  return createHash('sha256').update(normalisedSql, 'utf8').digest('hex');
}

/**
 * Reads the `-- deploy-actions: …` directives of the file's header. A
 * directive that is unknown, or below the first statement, is an error at
 * its line rather than something silently ignored.
 */
export function readDirectives(sql: string, filePath: string): { transactional: boolean } {
  let transactional = true;
  let inHeader = true;
  const lines = sql.split('\n');
  lines.forEach((line, index) => {
    const directive = DIRECTIVE.exec(line);
    if (inHeader && !directive && line.trim() !== '' && !line.trim().startsWith('--')) {
      inHeader = false;
    }
    if (!directive) return;
    const where = { file: filePath, line: index + 1 };
    if (!inHeader) {
      throw new UserError(
        `${filePath} line ${index + 1}: the directive "${line.trim()}" must be in the comment lines at the top of the file, before the first statement.`,
        where,
      );
    }
    if (directive[1]!.toLowerCase() !== 'no-transaction') {
      throw new UserError(
        `${filePath} line ${index + 1}: unknown directive "${line.trim()}"; the only directive is "${NO_TRANSACTION_DIRECTIVE}".`,
        where,
      );
    }
    transactional = false;
  });
  return { transactional };
}

function displayPathOf(absolute: string, workspaceDir: string): string {
  const relative = path.relative(path.resolve(workspaceDir), absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return absolute;
  return relative.split(path.sep).join('/');
}
