import picomatch from 'picomatch';
import { InputError } from '@deploy-actions/action-kit/engine';

/** Tests a path relative to source-dir (`/` separators, no leading slash). */
export type PathMatcher = (relPath: string) => boolean;

/**
 * Glob semantics shared by include, exclude, upload-last and the header rules,
 * the way .gitignore reads them:
 * - a pattern without `/` matches a file (or directory) name at any depth: `*.html`;
 * - a pattern with `/` matches the whole path from source-dir: `assets/**`;
 * - a leading `/` only anchors a name to the top: `/index.html`.
 * With `dot: false`, `*` and `**` never match a name starting with `.`: dotfiles and
 * dot-directories are matched only by patterns that spell the dot (`.well-known/**`).
 */
export function compileGlob(pattern: string, options: { dot: boolean }): PathMatcher {
  const anchored = pattern.startsWith('/');
  const body = anchored ? pattern.slice(1) : pattern;
  const isMatch = picomatch(body, { dot: options.dot });
  if (anchored || body.includes('/')) return (relPath) => isMatch(relPath);
  return (relPath) => isMatch(baseName(relPath)) && (options.dot || !inDotDirectory(relPath));
}

export function compileGlobs(patterns: readonly string[], options: { dot: boolean }): PathMatcher {
  const matchers = patterns.map((pattern) => compileGlob(pattern, options));
  return (relPath) => matchers.some((matches) => matches(relPath));
}

/** Which files take part in the sync: uploaded, compared, and deleted when stale. */
export interface FileFilter {
  selects(relPath: string): boolean;
  /** False for a directory that cannot hold a selected file: the walk skips it. */
  mayEnter(dirRelPath: string): boolean;
}

/**
 * Include patterns select files, and never dot paths unless they spell the dot.
 * Exclude patterns match dot paths too, and excluding a directory (`drafts`,
 * `/tmp/**`) excludes everything in it.
 */
export function createFileFilter(
  include: readonly string[],
  exclude: readonly string[],
): FileFilter {
  const included = compileGlobs(include, { dot: false });
  const excluded = compileGlobs(exclude, { dot: true });
  // Only a path pattern can reach into a dot-directory; a name pattern (`.env`) cannot.
  const includesDotDirectories = include.some(
    (pattern) => pattern.replace(/^\//, '').includes('/') && spellsDotSegment(pattern),
  );
  const excludedWithAncestors = (relPath: string) =>
    pathAndAncestors(relPath).some((path) => excluded(path));
  return {
    selects: (relPath) => included(relPath) && !excludedWithAncestors(relPath),
    mayEnter: (dirRelPath) =>
      !excludedWithAncestors(dirRelPath) &&
      (includesDotDirectories || !inDotDirectory(`${dirRelPath}/x`)),
  };
}

/**
 * Splits a multi-line input into globs: one per line, or several on a line
 * separated by commas outside braces (so `*.{js,css}` stays one glob).
 * Blank lines and `#` comments are dropped.
 */
export function splitGlobList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .flatMap(splitOutsideBraces)
    .map((glob) => glob.trim())
    .filter((glob) => glob !== '' && !glob.startsWith('#'));
}

/** Fails with an InputError naming `input` unless `pattern` is a glob this engine accepts. */
export function validateGlob(input: string, pattern: string): void {
  const problem = globProblem(pattern);
  if (problem !== undefined) {
    throw new InputError(
      input,
      pattern,
      `a glob relative to source-dir such as assets/** (${problem})`,
    );
  }
}

export function validateGlobs(input: string, patterns: readonly string[]): void {
  for (const pattern of patterns) validateGlob(input, pattern);
}

/** Why `pattern` is not an acceptable glob, or undefined when it is. */
export function globProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'it is empty';
  if (pattern.startsWith('!')) return 'negation is not supported: list what to skip under exclude';
  const segments = (pattern.startsWith('/') ? pattern.slice(1) : pattern).split('/');
  if (segments.some((s) => s === '.' || s === '..')) return '"." and ".." segments are not allowed';
  if (segments.some((s) => s === '')) return 'it has an empty path segment';
  const unbalanced = unbalancedBracket(pattern);
  if (unbalanced !== undefined) return `unbalanced "${unbalanced}"`;
  try {
    picomatch.makeRe(pattern);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}

const CLOSING: Record<string, string> = { '[': ']', '{': '}', '(': ')' };

/** The first bracket left open or closed without an opening, ignoring escaped characters. */
function unbalancedBracket(pattern: string): string | undefined {
  const open: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (c in CLOSING) open.push(c);
    else if (c === ']' || c === '}' || c === ')') {
      if (open.length === 0 || CLOSING[open[open.length - 1]!] !== c) return c;
      open.pop();
    }
  }
  return open[0];
}

function splitOutsideBraces(line: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(line.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(line.slice(start));
  return parts;
}

function spellsDotSegment(pattern: string): boolean {
  return pattern
    .replace(/^\//, '')
    .split('/')
    .some((segment) => segment.startsWith('.'));
}

export function baseName(relPath: string): string {
  return relPath.slice(relPath.lastIndexOf('/') + 1);
}

/** True when a directory above the file starts with a dot (`.git/config`). */
function inDotDirectory(relPath: string): boolean {
  return relPath
    .split('/')
    .slice(0, -1)
    .some((segment) => segment.startsWith('.'));
}

/** `a/b/c` → [`a/b/c`, `a/b`, `a`]. */
function pathAndAncestors(relPath: string): string[] {
  const segments = relPath.split('/');
  return segments.map((_, i) => segments.slice(0, segments.length - i).join('/'));
}
