/**
 * The pending-invalidation record (what an interrupted deploy leaves for the
 * next one to invalidate): its format, and how the plan merges it. The engine
 * writing, reading and removing it on a real S3 server is in sync.test.ts.
 */
import { createHash } from 'node:crypto';
import { UserError } from '@deploy-actions/action-kit/engine';
import {
  DEFAULT_UPLOAD_LAST,
  PENDING_INVALIDATION_FILE,
  compileGlobs,
  createFileFilter,
  createHeaderPolicy,
  formatPendingInvalidation,
  isReservedPath,
  parseCacheControlRules,
  parsePendingInvalidation,
  pendingInvalidationKey,
  planSync,
  type LocalFile,
  type PlanInput,
} from '../../../packages/s3-sync/src/index.js';

const WRITTEN = new Date('2026-05-01T12:00:00.000Z');

describe('the record', () => {
  test('lives in the reserved directory under the prefix', () => {
    expect(PENDING_INVALIDATION_FILE).toBe('.deploy-actions/pending-invalidation.json');
    expect(pendingInvalidationKey('')).toBe('.deploy-actions/pending-invalidation.json');
    expect(pendingInvalidationKey('site/')).toBe('site/.deploy-actions/pending-invalidation.json');
  });

  test('reserved paths: a .deploy-actions segment at any depth, nothing else', () => {
    expect(isReservedPath('.deploy-actions/pending-invalidation.json')).toBe(true);
    expect(isReservedPath('docs/.deploy-actions/x')).toBe(true);
    expect(isReservedPath('.deploy-actions')).toBe(true);
    expect(isReservedPath('deploy-actions/x')).toBe(false);
    expect(isReservedPath('.deploy-actions-old/x')).toBe(false);
    expect(isReservedPath('a.deploy-actions')).toBe(false);
  });

  test('stores keys relative to the prefix, sorted and unique; reads them back with the prefix', () => {
    const text = formatPendingInvalidation(
      'site/',
      { keys: ['site/index.html', 'site/a b.css', 'site/index.html'], all: false },
      WRITTEN,
    );
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      format: 1,
      writtenAt: '2026-05-01T12:00:00.000Z',
      keys: ['a b.css', 'index.html'],
    });
    expect(parsed).not.toHaveProperty('all');
    expect(parsed.about).toContain('deploy-actions');
    expect(parsePendingInvalidation('site/', text)).toEqual({
      keys: ['site/a b.css', 'site/index.html'],
      all: false,
    });
  });

  test('an emptied record records nothing', () => {
    const text = formatPendingInvalidation('', { keys: [], all: false }, WRITTEN);
    expect(parsePendingInvalidation('', text)).toBeUndefined();
  });

  test('`all` survives a rewrite', () => {
    const text = formatPendingInvalidation('', { keys: ['index.html'], all: true }, WRITTEN);
    expect(parsePendingInvalidation('', text)).toEqual({ keys: ['index.html'], all: true });
  });

  test.each([
    ['{"keys": [trunc', 'it is not JSON'],
    ['[]', 'unknown format undefined'],
    ['"text"', 'it is not a JSON object'],
    ['{"format": 2, "keys": []}', 'unknown format 2'],
    ['{"format": 1}', '"keys" is not a list'],
    ['{"format": 1, "keys": ["/index.html"]}', '"keys" is not a list'],
    ['{"format": 1, "keys": [""]}', '"keys" is not a list'],
    ['{"format": 1, "keys": [7]}', '"keys" is not a list'],
    ['{"format": 1, "keys": [".deploy-actions/x"]}', '"keys" is not a list'],
  ])('a record it cannot trust (%s) means: invalidate everything', (text, problem) => {
    const parsed = parsePendingInvalidation('', text);
    expect(parsed).toMatchObject({ keys: [], all: true });
    expect(parsed?.problem).toContain(problem);
  });

  test('a key outside the prefix is never written', () => {
    expect(() =>
      formatPendingInvalidation('site/', { keys: ['other/index.html'], all: false }, WRITTEN),
    ).toThrow('not under the prefix');
  });
});

function file(relPath: string, content = relPath): LocalFile {
  const bytes = Buffer.from(content);
  return {
    relPath,
    absPath: `/build/${relPath}`,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    md5: createHash('md5').update(bytes).digest('hex'),
  };
}

const policy = createHeaderPolicy({ cacheControl: [], contentType: [] });

/** The bucket already holds each file as this engine uploads it: a redeploy changes nothing. */
function input(files: LocalFile[], overrides: Partial<PlanInput> = {}): PlanInput {
  const prefix = overrides.prefix ?? '';
  const entries = files.map((f) => {
    const key = `${prefix}${f.relPath}`;
    const headers = policy.headersFor(f.relPath);
    return {
      key,
      listed: { key, size: f.size, etag: f.md5 },
      details: { size: f.size, etag: f.md5, sha256: f.sha256, ...headers },
    };
  });
  return {
    bucket: 'my-site',
    prefix,
    files,
    listed: new Map(entries.map((e) => [e.key, e.listed])),
    details: new Map(entries.map((e) => [e.key, e.details])),
    headers: policy,
    isEntry: compileGlobs(DEFAULT_UPLOAD_LAST, { dot: true }),
    inScope: createFileFilter(['**'], []).selects,
    delete: true,
    maxDeletes: 100,
    invalidation: { mode: 'changed', originPath: '', maxPaths: 100 },
    ...overrides,
  };
}

describe('planSync with a pending invalidation', () => {
  const site = [file('index.html'), file('docs/index.html'), file('app.js')];

  test('nothing changed, yet the pending keys are invalidated, with directory aliases', () => {
    const plan = planSync(
      input(site, { pendingInvalidation: { keys: ['docs/index.html', 'gone.js'], all: false } }),
    );
    expect(plan.uploads).toEqual([]);
    expect(plan.overwrittenKeys).toEqual([]);
    expect(plan.invalidationPaths).toEqual(['/docs', '/docs/', '/docs/index.html', '/gone.js']);
    expect(plan.pendingInvalidation?.keys).toEqual(['docs/index.html', 'gone.js']);
  });

  test("merged with this deploy's own overwrites and collapsed under the same limits", () => {
    const changed = [file('index.html', 'v2'), file('docs/index.html'), file('app.js', 'v2')];
    const plan = planSync({
      ...input(site, { pendingInvalidation: { keys: ['docs/index.html'], all: false } }),
      files: changed,
    });
    expect(plan.overwrittenKeys).toEqual(['app.js', 'index.html']);
    expect(plan.invalidationPaths).toEqual([
      '/',
      '/app.js',
      '/docs',
      '/docs/',
      '/docs/index.html',
      '/index.html',
    ]);
    const collapsed = planSync({
      ...input(site, {
        pendingInvalidation: { keys: ['docs/index.html', 'docs/a.html'], all: false },
        invalidation: { mode: 'changed', originPath: '', maxPaths: 5 },
      }),
      files: changed,
    });
    expect(collapsed.invalidationPaths).toEqual([
      '/',
      '/app.js',
      '/docs',
      '/docs/*',
      '/index.html',
    ]);
  });

  test('mapped through the origin path; an unreadable record covers the root', () => {
    const options = {
      prefix: 'site/',
      invalidation: { mode: 'changed' as const, originPath: '/site', maxPaths: 100 },
    };
    expect(
      planSync(
        input(site, { ...options, pendingInvalidation: { keys: ['site/app.js'], all: false } }),
      ).invalidationPaths,
    ).toEqual(['/app.js']);
    expect(
      planSync(input(site, { prefix: 'app/', pendingInvalidation: { keys: [], all: true } }))
        .invalidationPaths,
    ).toEqual(['/app/*']);
  });

  test('with invalidation none, nothing is invalidated', () => {
    const plan = planSync(
      input(site, {
        invalidation: { mode: 'none', originPath: '', maxPaths: 100 },
        pendingInvalidation: { keys: ['index.html'], all: false },
      }),
    );
    expect(plan.invalidationPaths).toEqual([]);
  });

  test('a header fix is an overwrite; a new file is not', () => {
    const plan = planSync({
      ...input(site, {
        headers: createHeaderPolicy({
          cacheControl: parseCacheControlRules('app.js: no-store'),
          contentType: [],
        }),
      }),
      files: [...site, file('new.js')],
    });
    expect(plan.overwrittenKeys).toEqual(['app.js']);
  });
});

describe('the reserved directory in a plan', () => {
  test('objects in it are never stale, even when include reaches into it', () => {
    const plan = planSync({
      ...input([file('index.html')], {
        inScope: createFileFilter(['**', '**/.deploy-actions/**'], []).selects,
      }),
      listed: new Map(
        ['.deploy-actions/pending-invalidation.json', 'docs/.deploy-actions/x', 'old.js'].map(
          (key) => [key, { key, size: 1, etag: 'e' }],
        ),
      ),
    });
    expect(plan.deletes).toEqual(['old.js']);
  });

  test('a build holding one fails before any change', () => {
    expect(() =>
      planSync(input([file('index.html'), file('.deploy-actions/pending-invalidation.json')])),
    ).toThrow(UserError);
  });
});
