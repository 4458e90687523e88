import { InputError, Inputs } from '@deploy-actions/action-kit/engine';
import {
  DEFAULT_UPLOAD_LAST,
  normaliseOriginPath,
  normalisePrefix,
  parseCacheControlRules,
  parseContentTypeRules,
  readSyncInputs,
  splitGlobList,
  validateBucketName,
  validateGlob,
} from '../../../packages/s3-sync/src/index.js';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('validateBucketName', () => {
  test.each(['my-site', 'abc', 'www.example.com', 'a1-b2.c3', 'x'.repeat(63)])(
    'accepts %s',
    (name) => {
      expect(validateBucketName(name)).toBe(name);
    },
  );

  test.each([
    ['ab', '2 characters'],
    ['x'.repeat(64), '64 characters'],
    ['My-Site', 'lowercase'],
    ['my_site', 'lowercase'],
    ['-site', 'begin and end'],
    ['site-', 'begin and end'],
    ['my..site', 'adjacent dots'],
    ['192.168.1.10', 'IP address'],
    ['xn--site', '"xn--"'],
    ['sthree-site', '"sthree-"'],
    ['amzn-s3-demo-site', '"amzn-s3-demo-"'],
    ['site-s3alias', '"-s3alias"'],
    ['site--ol-s3', '"--ol-s3"'],
    ['site.mrap', '".mrap"'],
    ['site--usw2-az1--x-s3', '"--x-s3"'],
    ['site--table-s3', '"--table-s3"'],
    ['s3://my-site/path', 'without s3://'],
    ['arn:aws:s3:::my-site', 'without s3:// or arn:'],
  ])('refuses %s, naming the input and the rule', (name, why) => {
    const error = inputError(() => validateBucketName(name));
    expect(error.input).toBe('bucket');
    expect(error.message).toContain(JSON.stringify(name));
    expect(error.message).toContain(why);
  });
});

describe('normalisePrefix', () => {
  test.each([
    ['', ''],
    ['/', ''],
    ['site', 'site/'],
    ['site/', 'site/'],
    ['/site/', 'site/'],
    ['  releases/web  ', 'releases/web/'],
  ])('%j → %j', (input, expected) => {
    expect(normalisePrefix(input)).toBe(expected);
  });

  test.each(['a//b', 'a/../b', './site', 'a\\b', 'a\tb'])('refuses %j', (input) => {
    expect(inputError(() => normalisePrefix(input)).input).toBe('prefix');
  });
});

test.each([
  ['', ''],
  ['/', ''],
  ['/site', '/site'],
  ['site/', '/site'],
])('normaliseOriginPath(%j) → %j', (input, expected) => {
  expect(normaliseOriginPath(input)).toBe(expected);
});

describe('splitGlobList', () => {
  test('one glob per line, or comma-separated outside braces; comments dropped', () => {
    expect(splitGlobList('*.map, *.txt\n# comment\n\nassets/*.{js,css}\n  docs/** ')).toEqual([
      '*.map',
      '*.txt',
      'assets/*.{js,css}',
      'docs/**',
    ]);
  });
});

describe('validateGlob', () => {
  test.each(['**', '*.html', '/index.html', '.well-known/**', 'assets/*.{js,css}', 'a/[abc].js'])(
    'accepts %s',
    (glob) => {
      expect(() => validateGlob('include', glob)).not.toThrow();
    },
  );

  test.each([
    ['!*.map', 'negation'],
    ['../secrets/**', '".." segments'],
    ['./dist/**', '"." and ".."'],
    ['assets//x', 'empty path segment'],
    ['*.{js,css', 'unbalanced "{"'],
    ['[abc.js', 'unbalanced "["'],
    ['a)b', 'unbalanced ")"'],
  ])('refuses %s', (glob, why) => {
    const error = inputError(() => validateGlob('exclude', glob));
    expect(error.input).toBe('exclude');
    expect(error.message).toContain(why);
  });
});

describe('header rules', () => {
  test('parses glob: value lines; commas belong to the value', () => {
    const rules = parseCacheControlRules(
      '# assets\nassets/**: public, max-age=31536000, immutable\n\n*.html:no-cache\n',
    );
    expect(rules.map(({ glob, value }) => ({ glob, value }))).toEqual([
      { glob: 'assets/**', value: 'public, max-age=31536000, immutable' },
      { glob: '*.html', value: 'no-cache' },
    ]);
    expect(rules[0]!.matches('assets/a/b.js')).toBe(true);
    expect(rules[1]!.matches('docs/index.html')).toBe(true);
  });

  test.each([
    ['*.html no-cache', 'line 2: no ":"'],
    [': no-cache', 'line 2: the glob is empty'],
    ['*.html:', 'line 2: the value is empty'],
    ['*.{html: no-cache', 'line 2: bad glob "*.{html": unbalanced "{"'],
    ['*.html: max-age 60', 'line 2: "max-age 60" is not a Cache-Control directive'],
    ['*.html: max-age=1y', 'line 2: max-age needs a number of seconds'],
    ['*.html: public,, max-age=60', 'line 2: "" is not a Cache-Control directive'],
  ])('cache-control %j fails naming the input and the line', (line, problem) => {
    const error = inputError(() => parseCacheControlRules(`*.js: no-cache\n${line}`));
    expect(error.input).toBe('cache-control');
    expect(error.message).toContain(problem);
    expect(error.message).toContain(JSON.stringify(line.trim()));
  });

  test('content-type rules need a media type', () => {
    expect(parseContentTypeRules('*.txt: text/plain; charset=utf-8')[0]!.value).toBe(
      'text/plain; charset=utf-8',
    );
    const error = inputError(() => parseContentTypeRules('*.txt: plain text'));
    expect(error.input).toBe('content-type');
    expect(error.message).toContain('line 1: the value is not a media type');
  });
});

describe('readSyncInputs', () => {
  const read = (values: Record<string, string>) =>
    readSyncInputs(new Inputs((name) => values[name]));

  test('applies the defaults', () => {
    const inputs = read({ 'source-dir': 'dist', bucket: 'my-site' });
    expect(inputs).toMatchObject({
      sourceDir: 'dist',
      bucket: 'my-site',
      prefix: '',
      include: ['**'],
      exclude: [],
      uploadLast: DEFAULT_UPLOAD_LAST,
      cacheControlRules: [],
      contentTypeRules: [],
      delete: true,
      maxDeletes: 500,
      distributionId: undefined,
      invalidation: 'changed',
      invalidationMaxPaths: 100,
      waitForInvalidation: true,
      invalidationTimeoutMs: 20 * 60_000,
      concurrency: 8,
      dryRun: false,
    });
  });

  test('reads and normalises every input', () => {
    const inputs = read({
      'source-dir': 'build',
      bucket: 'www.example.com',
      prefix: '/site/',
      include: '**\n.well-known/**',
      exclude: '*.map, *.txt',
      'upload-last': '*.html',
      'cache-control': '*.png: public, max-age=60',
      'content-type': '*.txt: text/plain',
      delete: 'false',
      'max-deletes': '10',
      'distribution-id': 'E2QWRUHAPOMQZL',
      invalidation: 'ALL',
      'invalidation-max-paths': '3000',
      'wait-for-invalidation': 'False',
      'invalidation-timeout': '5m',
      concurrency: '4',
      'dry-run': 'true',
    });
    expect(inputs).toMatchObject({
      prefix: 'site/',
      include: ['**', '.well-known/**'],
      exclude: ['*.map', '*.txt'],
      uploadLast: ['*.html'],
      delete: false,
      maxDeletes: 10,
      distributionId: 'E2QWRUHAPOMQZL',
      invalidation: 'all',
      invalidationMaxPaths: 3000,
      waitForInvalidation: false,
      invalidationTimeoutMs: 300_000,
      concurrency: 4,
      dryRun: true,
    });
    expect(inputs.cacheControlRules[0]!.value).toBe('public, max-age=60');
  });

  test.each([
    [{}, 'source-dir'],
    [{ 'source-dir': 'dist' }, 'bucket'],
    [{ 'source-dir': 'dist', bucket: 'Bad' }, 'bucket'],
    [{ 'source-dir': 'dist', bucket: 'ok-bucket', prefix: 'a/../b' }, 'prefix'],
    [{ 'source-dir': 'dist', bucket: 'ok-bucket', exclude: '!x' }, 'exclude'],
    [{ 'source-dir': 'dist', bucket: 'ok-bucket', 'cache-control': 'x' }, 'cache-control'],
    [{ 'source-dir': 'dist', bucket: 'ok-bucket', 'distribution-id': 'e-1' }, 'distribution-id'],
    [{ 'source-dir': 'dist', bucket: 'ok-bucket', invalidation: 'some' }, 'invalidation'],
    [
      { 'source-dir': 'dist', bucket: 'ok-bucket', 'invalidation-max-paths': '3001' },
      'invalidation-max-paths',
    ],
    [{ 'source-dir': 'dist', bucket: 'ok-bucket', 'max-deletes': '-1' }, 'max-deletes'],
    [{ 'source-dir': 'dist', bucket: 'ok-bucket', include: '*.{js' }, 'include'],
    [{ 'source-dir': 'dist', bucket: 'ok-bucket', 'upload-last': 'a/../b' }, 'upload-last'],
    [
      { 'source-dir': 'dist', bucket: 'ok-bucket', 'wait-for-invalidation': 'yes' },
      'wait-for-invalidation',
    ],
    [
      { 'source-dir': 'dist', bucket: 'ok-bucket', 'invalidation-timeout': '5s' },
      'invalidation-timeout',
    ],
  ])('%j fails naming %s', (values, input) => {
    expect(inputError(() => read(values as Record<string, string>)).input).toBe(input);
  });
});
