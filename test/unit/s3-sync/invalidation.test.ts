import {
  collapsePaths,
  deploymentRoot,
  encodePath,
  planInvalidation,
  viewerPath,
  viewerPathsForKey,
  type InvalidationRequest,
} from '../../../packages/s3-sync/src/index.js';

describe('viewer paths', () => {
  test.each([
    ['app.js', '', '/app.js'],
    ['site/app.js', '/site', '/app.js'],
    ['site/docs/index.html', '/site', '/docs/index.html'],
    ['site/app.js', '', '/site/app.js'],
    ['other/app.js', '/site', undefined],
    ['sitemap.xml', '/site', undefined],
    ['a b/ü.html', '', '/a%20b/%C3%BC.html'],
    ['100%.html', '', '/100%25.html'],
    ['what?.html', '', '/what%3F.html'],
    ['star*.png', '', '/star%2A.png'],
    ['plus+and&.html', '', '/plus+and&.html'],
  ])('%s under origin path %j → %s', (key, originPath, expected) => {
    expect(viewerPath(key, originPath)).toBe(expected);
  });

  test.each([
    ['index.html', ['/index.html', '/']],
    ['docs/index.html', ['/docs/index.html', '/docs/', '/docs']],
    ['docs/guide/index.html', ['/docs/guide/index.html', '/docs/guide/', '/docs/guide']],
    ['docs/intro.html', ['/docs/intro.html']],
    ['docs/myindex.html', ['/docs/myindex.html']],
  ])('%s is also invalidated under its directory aliases', (key, expected) => {
    expect(viewerPathsForKey(key, '')).toEqual(expected);
  });

  test.each([
    ['', '', '/'],
    ['site/', '', '/site/'],
    ['site/', '/site', '/'],
    ['site/app/', '/site', '/app/'],
    ['', '/site', '/'],
    ['other/', '/site', undefined],
  ])('prefix %j under origin path %j has root %s', (prefix, originPath, expected) => {
    expect(deploymentRoot(prefix, originPath)).toBe(expected);
  });

  test('encodePath leaves what browsers send unencoded', () => {
    expect(encodePath("a-b_c.d~e!$'()+,;=:@/f")).toBe("a-b_c.d~e!$'()+,;=:@/f");
  });
});

describe('planInvalidation', () => {
  const base: InvalidationRequest = {
    mode: 'changed',
    staleKeys: [],
    changedAnything: true,
    prefix: '',
    originPath: '',
    maxPaths: 100,
  };

  test('changed: the stale keys with aliases, mapped through the origin path', () => {
    const plan = planInvalidation({
      ...base,
      prefix: 'site/',
      originPath: '/site',
      staleKeys: ['site/index.html', 'site/docs/index.html', 'site/old.js'],
    });
    expect(plan.paths).toEqual([
      '/',
      '/docs',
      '/docs/',
      '/docs/index.html',
      '/index.html',
      '/old.js',
    ]);
  });

  test('all: one wildcard at the root of the deploy, only when something changed', () => {
    expect(planInvalidation({ ...base, mode: 'all' }).paths).toEqual(['/*']);
    expect(
      planInvalidation({ ...base, mode: 'all', prefix: 'site/app/', originPath: '/site' }).paths,
    ).toEqual(['/app/*']);
    expect(planInvalidation({ ...base, mode: 'all', changedAnything: false }).paths).toEqual([]);
  });

  test('none: nothing', () => {
    expect(planInvalidation({ ...base, mode: 'none', staleKeys: ['a.html'] }).paths).toEqual([]);
  });

  test('a prefix the distribution does not serve: no paths and a warning', () => {
    const plan = planInvalidation({
      ...base,
      prefix: 'other/',
      originPath: '/site',
      staleKeys: ['other/index.html'],
    });
    expect(plan.paths).toEqual([]);
    expect(plan.warnings[0]).toContain(
      'is served by the distribution (its origin path is "/site"): no invalidation',
    );
  });
});

describe('collapsePaths', () => {
  const limits = { root: '/', maxPaths: 5, maxWildcards: 15 };

  test('under the limit, paths stay as they are', () => {
    expect(collapsePaths(['/b.html', '/a.html', '/a.html'], limits)).toEqual([
      '/a.html',
      '/b.html',
    ]);
  });

  test('over the limit, the directory removing the most paths becomes a wildcard', () => {
    const paths = [
      '/docs/a.html',
      '/docs/b.html',
      '/docs/c.html',
      '/docs/d.html',
      '/blog/x.html',
      '/blog/y.html',
      '/index.html',
    ];
    expect(collapsePaths(paths, limits)).toEqual([
      '/blog/x.html',
      '/blog/y.html',
      '/docs/*',
      '/index.html',
    ]);
  });

  test('on a tie the deeper directory wins (it invalidates less)', () => {
    const paths = ['/a/b/1', '/a/b/2', '/a/b/3', '/c', '/d', '/e'];
    expect(collapsePaths(paths, { ...limits, maxPaths: 4 })).toEqual(['/a/b/*', '/c', '/d', '/e']);
  });

  test('nested wildcards are absorbed by a parent wildcard', () => {
    const paths = ['/a/x/1', '/a/x/2', '/a/y/1', '/a/y/2', '/b', '/c'];
    expect(collapsePaths(paths, { ...limits, maxPaths: 3 })).toEqual(['/a/*', '/b', '/c']);
  });

  test('several narrow wildcards are preferred to the root wildcard', () => {
    const paths = [
      ...Array.from({ length: 10 }, (_, i) => `/a/${i}.html`),
      ...Array.from({ length: 10 }, (_, i) => `/b/${i}.html`),
      '/index.html',
    ];
    expect(collapsePaths(paths, limits)).toEqual(['/a/*', '/b/*', '/index.html']);
  });

  test('when the wildcard budget runs out, the root wildcard covers everything', () => {
    const paths = ['/a/1', '/a/2', '/b/1', '/b/2', '/c/1', '/c/2'];
    expect(collapsePaths(paths, { root: '/', maxPaths: 3, maxWildcards: 1 })).toEqual(['/*']);
  });

  test('never above the deploy root; the root alias without a slash is kept', () => {
    const paths = ['/app', '/app/', '/app/index.html', '/app/a.js', '/app/b.js'];
    expect(collapsePaths(paths, { root: '/app/', maxPaths: 2, maxWildcards: 15 })).toEqual([
      '/app',
      '/app/*',
    ]);
  });

  test('respects CloudFront limits for a large deploy', () => {
    const paths = Array.from({ length: 5000 }, (_, i) => `/d${i % 40}/f${i}.html`);
    const collapsed = collapsePaths(paths, { root: '/', maxPaths: 3000, maxWildcards: 15 });
    expect(collapsed.length).toBeLessThanOrEqual(3000);
    expect(collapsed.filter((p) => p.endsWith('*')).length).toBeLessThanOrEqual(15);
    for (const path of paths) {
      expect(
        collapsed.some((c) => c === path || (c.endsWith('*') && path.startsWith(c.slice(0, -1)))),
      ).toBe(true);
    }
  });
});
