import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, UserError } from '@deploy-actions/action-kit/engine';
import type { FileFilter } from './globs.js';
import { mapConcurrently } from './pool.js';
import type { LocalFile } from './types.js';

export interface ScanOptions {
  sourceDir: string;
  filter: FileFilter;
  /** Files hashed at once. */
  concurrency: number;
}

interface Candidate {
  relPath: string;
  absPath: string;
}

/**
 * Lists the files of source-dir the filter selects, hashed (SHA-256 and MD5 in
 * one streamed read), sorted by path. Symbolic links are followed while they
 * stay inside source-dir; one that leaves it, where the filter would take it,
 * fails the scan: a deploy must not publish whatever a link happens to reach.
 */
export async function scanSourceDir(options: ScanOptions): Promise<LocalFile[]> {
  const root = await resolveSourceDir(options.sourceDir);
  const candidates: Candidate[] = [];
  await walk({ root, filter: options.filter, found: candidates }, root, '', new Set([root]));
  if (candidates.length === 0) {
    throw new UserError(`source-dir ${options.sourceDir} holds no file to upload.`, {
      hint: 'Check that the build ran before this step and wrote to source-dir, and that include/exclude do not filter everything out.',
    });
  }
  candidates.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  return mapConcurrently(candidates, options.concurrency, hashFile);
}

async function resolveSourceDir(sourceDir: string): Promise<string> {
  const expected = 'an existing directory: the build output, e.g. dist (did the build step run?)';
  try {
    const resolved = await realpath(sourceDir);
    if ((await stat(resolved)).isDirectory()) return resolved;
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  throw new InputError('source-dir', sourceDir, expected);
}

interface Walk {
  root: string;
  filter: FileFilter;
  found: Candidate[];
}

/** `ancestors` holds the real paths of the directories being walked, to stop symlink loops. */
async function walk(
  context: Walk,
  dirAbs: string,
  dirRel: string,
  ancestors: ReadonlySet<string>,
): Promise<void> {
  const entries = await readdir(dirAbs, { withFileTypes: true });
  for (const entry of entries) {
    const relPath = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
    const absPath = path.join(dirAbs, entry.name);
    const target = entry.isSymbolicLink()
      ? await followLink(context, absPath, relPath)
      : { realPath: absPath, kind: kindOf(entry) };
    if (target === undefined) continue;
    if (target.kind === 'directory' && context.filter.mayEnter(relPath)) {
      if (ancestors.has(target.realPath)) {
        throw new UserError(`${relPath} in source-dir is a symbolic link loop.`, {
          hint: 'Remove the link from the build output, or exclude it.',
        });
      }
      await walk(context, target.realPath, relPath, new Set([...ancestors, target.realPath]));
    } else if (target.kind === 'file' && context.filter.selects(relPath)) {
      context.found.push({ relPath, absPath: target.realPath });
    }
  }
}

type EntryKind = 'file' | 'directory' | 'other';

function kindOf(entry: { isFile(): boolean; isDirectory(): boolean }): EntryKind {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  return 'other';
}

/**
 * Resolves a link. Undefined when it does not matter (it points at something
 * the filter skips anyway); fails when it is broken or leaves source-dir and
 * the filter would take it.
 */
async function followLink(
  context: Walk,
  absPath: string,
  relPath: string,
): Promise<{ realPath: string; kind: EntryKind } | undefined> {
  let realPath: string;
  let kind: EntryKind;
  try {
    realPath = await realpath(absPath);
    kind = kindOf(await stat(realPath));
  } catch (error) {
    if (!isMissing(error)) throw error;
    if (!context.filter.selects(relPath)) return undefined;
    throw new UserError(`${relPath} in source-dir is a broken symbolic link.`, {
      hint: 'Fix or remove the link in the build output, or exclude it.',
    });
  }
  const wanted =
    kind === 'directory' ? context.filter.mayEnter(relPath) : context.filter.selects(relPath);
  if (!wanted) return undefined;
  if (!isInside(context.root, realPath)) {
    throw new UserError(
      `${relPath} in source-dir is a symbolic link to ${realPath}, outside source-dir: refusing to upload it.`,
      { hint: 'Copy what it points to into the build output, or exclude the link.' },
    );
  }
  return { realPath, kind };
}

function isInside(root: string, candidate: string): boolean {
  return (
    candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep)
  );
}

async function hashFile(candidate: Candidate): Promise<LocalFile> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(candidate.absPath) as AsyncIterable<Buffer>) {
    sha256.update(chunk);
    md5.update(chunk);
    size += chunk.length;
  }
  return { ...candidate, size, sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}
