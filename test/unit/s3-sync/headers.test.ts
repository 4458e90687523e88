import {
  IMMUTABLE,
  NO_CACHE,
  contentTypeFor,
  createHeaderPolicy,
  defaultCacheControl,
  isContentHashed,
  parseCacheControlRules,
  parseContentTypeRules,
} from '../../../packages/s3-sync/src/index.js';

describe('contentTypeFor', () => {
  test.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['docs/page.htm', 'text/html; charset=utf-8'],
    ['assets/app.3f9a1c2b.js', 'text/javascript; charset=utf-8'],
    ['module.mjs', 'text/javascript; charset=utf-8'],
    ['styles.css', 'text/css; charset=utf-8'],
    ['data.json', 'application/json; charset=utf-8'],
    ['app.js.map', 'application/json; charset=utf-8'],
    ['manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['logo.svg', 'image/svg+xml; charset=utf-8'],
    ['sitemap.xml', 'text/xml; charset=utf-8'],
    ['robots.txt', 'text/plain; charset=utf-8'],
    ['README.md', 'text/markdown; charset=utf-8'],
    ['subtitles.vtt', 'text/vtt; charset=utf-8'],
    ['photo.JPG', 'image/jpeg'],
    ['image.png', 'image/png'],
    ['image.webp', 'image/webp'],
    ['image.avif', 'image/avif'],
    ['favicon.ico', 'image/vnd.microsoft.icon'],
    ['font.woff2', 'font/woff2'],
    ['app.wasm', 'application/wasm'],
    ['movie.mp4', 'video/mp4'],
    ['song.mp3', 'audio/mpeg'],
    ['archive.zip', 'application/zip'],
    ['doc.pdf', 'application/pdf'],
    ['LICENSE', 'application/octet-stream'],
    ['file.unknownext', 'application/octet-stream'],
    ['.well-known/apple-app-site-association', 'application/octet-stream'],
    ['trailing-dot.', 'application/octet-stream'],
  ])('%s → %s', (path, expected) => {
    expect(contentTypeFor(path)).toBe(expected);
  });
});

describe('isContentHashed', () => {
  test.each([
    // webpack, CRA, Parcel, Angular: hex between dots
    ['static/js/main.3f9a1c2b.js', true],
    ['static/js/787.3f9a1c2b.chunk.js', true],
    ['main.3f9a1c2b4d5e6f70.js', true],
    ['styles.3F9A1C2B.css', true],
    // Next, Gatsby: hex after a dash
    ['_next/static/chunks/pages/index-4b1c7bb5ee5b9a4c.js', true],
    ['app-4b1c7bb5ee5b9a4c0d1e.js', true],
    // Vite / Rollup: 8 base64url characters after a dash or a dot
    ['assets/index-BxA3d9_Z.js', true],
    ['assets/index-Bx-3d9_Z.js', true],
    ['assets/vendor-CJbLrb3L.css', true],
    ['_astro/index.BxA3d9_Z.js', true],
    // Nuxt: the whole name is the hash
    ['_nuxt/DlAUqK2U.js', true],
    // names that are not hashes
    ['index.html', false],
    ['app.js', false],
    ['bundle.min.js', false],
    ['assets/app-Settings.js', false],
    ['report-v2-final.pdf', false],
    ['roboto-v30-latin-regular.woff2', false],
    ['Roboto-V30-Latin.woff2', false],
    ['favicon-32x32.png', false],
    ['jquery-3.7.1.min.js', false],
    ['photo-20240101.jpg', false],
    ['image-1700000000.png', false],
    ['deadbeef.png', false],
    ['chunk-vendors.js', false],
    ['DlAUqK2U', false],
  ])('%s → %s', (path, expected) => {
    expect(isContentHashed(path)).toBe(expected);
  });
});

describe('defaultCacheControl', () => {
  test.each([
    ['index.html', NO_CACHE],
    ['docs/index.html', NO_CACHE],
    ['sw.js', NO_CACHE],
    ['service-worker.js', NO_CACHE],
    ['manifest.webmanifest', NO_CACHE],
    ['manifest.json', NO_CACHE],
    ['assets/index-BxA3d9_Z.js', IMMUTABLE],
    ['static/css/main.3f9a1c2b.css', IMMUTABLE],
    ['_next/static/abcdef/_buildManifest.js', IMMUTABLE],
    ['_app/immutable/entry/start.js', IMMUTABLE],
    ['favicon.ico', NO_CACHE],
    ['robots.txt', NO_CACHE],
    ['images/logo.png', NO_CACHE],
  ])('%s → %s', (path, expected) => {
    expect(defaultCacheControl(path)).toBe(expected);
  });
});

describe('createHeaderPolicy', () => {
  const policy = createHeaderPolicy({
    cacheControl: parseCacheControlRules(
      [
        'images/**: public, max-age=86400',
        '*.png: public, max-age=60',
        '/robots.txt: public, max-age=300',
      ].join('\n'),
    ),
    contentType: parseContentTypeRules('.well-known/apple-app-site-association: application/json'),
  });

  test('the first matching rule wins, and user rules come before the defaults', () => {
    expect(policy.headersFor('images/logo.png').cacheControl).toBe('public, max-age=86400');
    expect(policy.headersFor('icons/logo.png').cacheControl).toBe('public, max-age=60');
  });

  test('a leading slash anchors a name to the top of source-dir', () => {
    expect(policy.headersFor('robots.txt').cacheControl).toBe('public, max-age=300');
    expect(policy.headersFor('docs/robots.txt').cacheControl).toBe(NO_CACHE);
  });

  test('content-type overrides apply to dot paths and are used as written', () => {
    expect(policy.headersFor('.well-known/apple-app-site-association')).toEqual({
      contentType: 'application/json',
      cacheControl: NO_CACHE,
    });
  });

  test('without a matching rule the defaults decide', () => {
    expect(policy.headersFor('assets/index-BxA3d9_Z.js')).toEqual({
      contentType: 'text/javascript; charset=utf-8',
      cacheControl: IMMUTABLE,
    });
  });
});
