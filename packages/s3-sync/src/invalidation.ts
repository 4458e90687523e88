import type { InvalidationMode } from './types.js';

/** CloudFront's limits per distribution for invalidations in progress. */
export const CLOUDFRONT_MAX_PATHS = 3000;
export const CLOUDFRONT_MAX_WILDCARDS = 15;

export interface InvalidationRequest {
  mode: InvalidationMode;
  /** Keys whose cached copies are now wrong: overwritten, re-headed or deleted objects. */
  staleKeys: readonly string[];
  /** Whether the deploy changed anything at all (mode `all` invalidates only then). */
  changedAnything: boolean;
  /**
   * Invalidate everything under the deploy's root, as mode `all` does (an
   * earlier deploy's record of pending paths could not be read). Not with mode `none`.
   */
  coverAll?: boolean;
  /** The key prefix the deploy owns: '' or `site/app/`. */
  prefix: string;
  /** The distribution origin's path for this bucket: '' or `/site`. */
  originPath: string;
  /** Above this many paths, paths are collapsed into wildcards. */
  maxPaths: number;
  maxWildcards?: number;
}

export interface InvalidationPlan {
  paths: string[];
  warnings: string[];
}

/**
 * The viewer paths to invalidate. New keys need none (nothing cached them);
 * an `index.html` also invalidates its directory URLs (`/docs/`, `/docs`).
 * Keys are mapped through the origin path (`site/a.js` under origin path
 * `/site` is `/a.js`); when the paths exceed `maxPaths` they are collapsed
 * into directory wildcards, never above the deploy's own root.
 */
export function planInvalidation(request: InvalidationRequest): InvalidationPlan {
  if (request.mode === 'none' || !request.changedAnything) return { paths: [], warnings: [] };
  const root = deploymentRoot(request.prefix, request.originPath);
  if (root === undefined) {
    return {
      paths: [],
      warnings: [
        `Nothing under prefix "${request.prefix}" is served by the distribution (its origin path is "${request.originPath}"): no invalidation.`,
      ],
    };
  }
  if (request.mode === 'all' || request.coverAll === true) {
    return { paths: [`${root}*`], warnings: [] };
  }
  const paths = new Set(
    request.staleKeys.flatMap((key) => viewerPathsForKey(key, request.originPath)),
  );
  return {
    paths: collapsePaths([...paths], {
      root,
      maxPaths: Math.min(request.maxPaths, CLOUDFRONT_MAX_PATHS),
      maxWildcards: request.maxWildcards ?? CLOUDFRONT_MAX_WILDCARDS,
    }),
    warnings: [],
  };
}

/** `site/` under origin path `/site` is the origin's root. Undefined when the key is not served. */
export function viewerPath(key: string, originPath: string): string | undefined {
  const originKeyPrefix = originKeyPrefixOf(originPath);
  if (!key.startsWith(originKeyPrefix)) return undefined;
  return `/${encodePath(key.slice(originKeyPrefix.length))}`;
}

/** The viewer paths of a key, with the directory aliases of an index.html. */
export function viewerPathsForKey(key: string, originPath: string): string[] {
  const path = viewerPath(key, originPath);
  if (path === undefined) return [];
  if (!path.endsWith('/index.html')) return [path];
  const directory = path.slice(0, -'index.html'.length);
  return directory === '/' ? [path, '/'] : [path, directory, directory.slice(0, -1)];
}

/**
 * The viewer path under which everything the deploy writes appears, ending in
 * `/`. Undefined when the prefix and the origin path do not overlap.
 */
export function deploymentRoot(prefix: string, originPath: string): string | undefined {
  const originKeyPrefix = originKeyPrefixOf(originPath);
  if (prefix.startsWith(originKeyPrefix))
    return `/${encodePath(prefix.slice(originKeyPrefix.length))}`;
  if (originKeyPrefix.startsWith(prefix)) return '/';
  return undefined;
}

function originKeyPrefixOf(originPath: string): string {
  const trimmed = originPath.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/**
 * Percent-encodes what browsers encode in a URL path (WHATWG path set: controls,
 * space, `"#<>?\`{}` and non-ASCII), and `%` itself, so the path matches the
 * cache key CloudFront saw. `*` is encoded too: unencoded it would be a wildcard.
 */
export function encodePath(path: string): string {
  return Array.from(path, (char) => {
    if (char === '*') return '%2A';
    if (/^[\x21-\x7e]$/.test(char) && !/["#<>?`{}%]/.test(char)) return char;
    return encodeURIComponent(char);
  }).join('');
}

interface CollapseLimits {
  /** Ends with `/`: no wildcard is placed above it. */
  root: string;
  maxPaths: number;
  maxWildcards: number;
}

/**
 * Greedy: while there are more than `maxPaths` entries, replace the entries
 * under one directory by `directory*`. The directory is the one removing the
 * most entries, counting no more than are still too many, so that among the
 * directories that would suffice the deepest (which invalidates least) wins.
 * The deploy's root wildcard is the fallback when the wildcard budget cannot
 * get under the limit with narrower directories.
 */
export function collapsePaths(paths: readonly string[], limits: CollapseLimits): string[] {
  let entries = [...new Set(paths)].sort();
  while (entries.length > limits.maxPaths) {
    const directory = bestDirectoryToCollapse(entries, limits);
    if (directory === undefined) return coverAllUnderRoot(entries, limits.root);
    entries = [...entries.filter((entry) => !entry.startsWith(directory)), `${directory}*`].sort();
  }
  return entries;
}

/** The root wildcard, and the root's own slash-less alias (`/app` for root `/app/`), which it does not cover. */
function coverAllUnderRoot(entries: readonly string[], root: string): string[] {
  return [`${root}*`, ...entries.filter((entry) => !entry.startsWith(root))].sort();
}

function bestDirectoryToCollapse(
  entries: readonly string[],
  limits: CollapseLimits,
): string | undefined {
  const covered = new Map<string, { entries: number; wildcards: number }>();
  for (const entry of entries) {
    const isWildcard = entry.endsWith('*');
    for (const directory of directoriesAbove(entry, limits.root)) {
      const count = covered.get(directory) ?? { entries: 0, wildcards: 0 };
      count.entries++;
      if (isWildcard) count.wildcards++;
      covered.set(directory, count);
    }
  }
  const wildcardsInUse = entries.filter((entry) => entry.endsWith('*')).length;
  const excess = entries.length - limits.maxPaths;
  let best: { directory: string; gain: number } | undefined;
  for (const [directory, count] of covered) {
    const gain = Math.min(count.entries - 1, excess);
    const wildcardsAfter = wildcardsInUse - count.wildcards + 1;
    if (directory === limits.root || gain <= 0 || wildcardsAfter > limits.maxWildcards) continue;
    const better =
      best === undefined ||
      gain > best.gain ||
      (gain === best.gain && directory.length > best.directory.length);
    if (better) best = { directory, gain };
  }
  return best?.directory;
}

/**
 * The directories (ending in `/`) strictly containing an entry, from the root
 * down. `/docs/*` lies under `/` but not under `/docs/` (it is that directory's own wildcard).
 */
function directoriesAbove(entry: string, root: string): string[] {
  const path = entry.endsWith('*') ? entry.slice(0, -1) : entry;
  const directories: string[] = [];
  for (let i = root.length - 1; i < path.length - 1; i = path.indexOf('/', i + 1)) {
    if (i < 0) break;
    directories.push(path.slice(0, i + 1));
  }
  return directories;
}
