import { createHash } from 'node:crypto';
import { UserError } from '@deploy-actions/action-kit/engine';
import {
  DEFAULT_UPLOAD_LAST,
  IMMUTABLE,
  NO_CACHE,
  compareWithRemote,
  compileGlobs,
  createFileFilter,
  createHeaderPolicy,
  parseCacheControlRules,
  planSync,
  type ListedObject,
  type LocalFile,
  type ObjectDetails,
  type PlanInput,
} from '../../../packages/s3-sync/src/index.js';

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

/** What the bucket holds after this engine uploaded `local` with the default headers. */
function deployed(key: string, local: LocalFile, overrides: Partial<ObjectDetails> = {}) {
  const headers = policy.headersFor(local.relPath);
  const details: ObjectDetails = {
    size: local.size,
    etag: local.md5,
    sha256: local.sha256,
    contentType: headers.contentType,
    cacheControl: headers.cacheControl,
    ...overrides,
  };
  return { key, listed: { key, size: details.size, etag: details.etag }, details };
}

function input(
  files: LocalFile[],
  remote: Array<{ key: string; listed: ListedObject; details?: ObjectDetails }>,
  overrides: Partial<PlanInput> = {},
): PlanInput {
  return {
    bucket: 'my-site',
    prefix: '',
    files,
    listed: new Map(remote.map((r) => [r.key, r.listed])),
    details: new Map(remote.flatMap((r) => (r.details ? [[r.key, r.details] as const] : []))),
    headers: policy,
    isEntry: compileGlobs(DEFAULT_UPLOAD_LAST, { dot: true }),
    inScope: createFileFilter(['**'], []).selects,
    delete: true,
    maxDeletes: 100,
    invalidation: { mode: 'changed', originPath: '', maxPaths: 100 },
    ...overrides,
  };
}

describe('compareWithRemote', () => {
  const local = file('app.js', 'console.log(1)');
  const desired = policy.headersFor('app.js');
  const md5 = local.md5;

  test.each<[string, ObjectDetails | undefined, string]>([
    ['same sha256 and headers', deployed('app.js', local).details, 'unchanged'],
    [
      'same sha256 under a multipart ETag',
      deployed('app.js', local, { etag: `${'a'.repeat(32)}-3` }).details,
      'unchanged',
    ],
    [
      'same sha256 under an SSE-KMS ETag (not an MD5)',
      deployed('app.js', local, { etag: 'f'.repeat(32) }).details,
      'unchanged',
    ],
    [
      'different sha256',
      deployed('app.js', local, { sha256: 'e'.repeat(64) }).details,
      'upload changed',
    ],
    [
      'same sha256 but another size',
      deployed('app.js', local, { size: local.size + 1 }).details,
      'upload changed',
    ],
    [
      'no hash metadata, plain MD5 ETag equal',
      deployed('app.js', local, { sha256: undefined, etag: md5 }).details,
      'unchanged',
    ],
    [
      'no hash metadata, multipart ETag',
      deployed('app.js', local, { sha256: undefined, etag: `${md5}-2` }).details,
      'upload changed',
    ],
    [
      'no hash metadata, KMS ETag',
      deployed('app.js', local, { sha256: undefined, etag: 'f'.repeat(32) }).details,
      'upload changed',
    ],
    ['listed but gone before HeadObject', undefined, 'upload changed'],
    [
      'same bytes, other Cache-Control',
      deployed('app.js', local, { cacheControl: 'max-age=60' }).details,
      'update-metadata',
    ],
    [
      'same bytes by MD5, no Content-Type (another tool)',
      deployed('app.js', local, { sha256: undefined, contentType: undefined }).details,
      'update-metadata',
    ],
    [
      'headers equal except case and spacing',
      deployed('app.js', local, { contentType: 'Text/JavaScript;charset=UTF-8' }).details,
      'unchanged',
    ],
  ])('%s → %s', (_, details, expected) => {
    const verdict = compareWithRemote(
      local,
      desired,
      { key: 'app.js', size: 1, etag: '' },
      details,
    );
    const summary = verdict.action === 'upload' ? `upload ${verdict.reason}` : verdict.action;
    expect(summary).toBe(expected);
  });

  test('not listed → new', () => {
    expect(compareWithRemote(local, desired, undefined, undefined)).toEqual({
      action: 'upload',
      reason: 'new',
    });
  });

  test('a header fix names what changes and the ETag the copy requires', () => {
    const details = deployed('app.js', local, { cacheControl: 'max-age=60', etag: 'abc' }).details;
    expect(compareWithRemote(local, desired, deployed('app.js', local).listed, details)).toEqual({
      action: 'update-metadata',
      etag: 'abc',
      changes: [`cache-control: "max-age=60" → "${NO_CACHE}"`],
    });
  });
});

describe('planSync', () => {
  test('first deploy: everything uploads, non-entry files first', () => {
    const files = [
      file('index.html'),
      file('assets/app-BxA3d9_Z.js', 'x'.repeat(50)),
      file('docs/index.html'),
      file('sw.js'),
      file('favicon.ico'),
    ];
    const plan = planSync(input(files, []));
    expect(plan.uploads.map((u) => [u.key, u.entry, u.reason])).toEqual([
      ['assets/app-BxA3d9_Z.js', false, 'new'],
      ['favicon.ico', false, 'new'],
      ['docs/index.html', true, 'new'],
      ['index.html', true, 'new'],
      ['sw.js', true, 'new'],
    ]);
    expect(plan.uploads[0]!.headers).toEqual({
      contentType: 'text/javascript; charset=utf-8',
      cacheControl: IMMUTABLE,
    });
    expect(plan.invalidationPaths).toEqual([]);
  });

  test('redeploy of the same build: nothing to do', () => {
    const files = [file('index.html'), file('app.js')];
    const plan = planSync(
      input(
        files,
        files.map((f) => deployed(f.relPath, f)),
      ),
    );
    expect(plan).toMatchObject({
      uploads: [],
      metadataUpdates: [],
      deletes: [],
      invalidationPaths: [],
    });
    expect(plan.unchanged).toEqual(['index.html', 'app.js']);
  });

  test('changes, header fixes and deletes, with the invalidation of overwritten keys only', () => {
    const index = file('index.html', 'new page');
    const logo = file('logo.png');
    const added = file('assets/new-BxA3d9_Z.js');
    const plan = planSync(
      input(
        [index, logo, added],
        [
          deployed('index.html', file('index.html', 'old page')),
          deployed('logo.png', logo, { cacheControl: 'max-age=60' }),
          deployed('old/index.html', file('old/index.html')),
          deployed('assets/old-BxA3d9_Z.js', file('assets/old-BxA3d9_Z.js')),
        ],
      ),
    );
    expect(plan.uploads.map((u) => [u.key, u.reason])).toEqual([
      ['assets/new-BxA3d9_Z.js', 'new'],
      ['index.html', 'changed'],
    ]);
    expect(plan.metadataUpdates.map((u) => u.key)).toEqual(['logo.png']);
    expect(plan.deletes).toEqual(['assets/old-BxA3d9_Z.js', 'old/index.html']);
    expect(plan.invalidationPaths).toEqual([
      '/',
      '/assets/old-BxA3d9_Z.js',
      '/index.html',
      '/logo.png',
      '/old',
      '/old/',
      '/old/index.html',
    ]);
  });

  test('keys get the prefix; objects outside the prefix and out of scope are never deleted', () => {
    const files = [file('index.html')];
    const plan = planSync(
      input(
        files,
        [
          deployed('site/stale.js', file('stale.js')),
          deployed('site/docs/', file('docs/', '')),
          deployed('site/.well-known/security.txt', file('.well-known/security.txt')),
          deployed('site/uploads/user.png', file('uploads/user.png')),
          deployed('site-old/index.html', file('index.html')),
          deployed('other.txt', file('other.txt')),
        ],
        { prefix: 'site/', inScope: createFileFilter(['**'], ['uploads']).selects },
      ),
    );
    expect(plan.uploads.map((u) => u.key)).toEqual(['site/index.html']);
    expect(plan.deletes).toEqual(['site/stale.js']);
  });

  test('delete: false keeps stale objects and reports them', () => {
    const plan = planSync(
      input([file('a.html')], [deployed('b.html', file('b.html'))], {
        delete: false,
        maxDeletes: 0,
      }),
    );
    expect(plan.deletes).toEqual([]);
    expect(plan.staleKept).toEqual(['b.html']);
    expect(plan.invalidationPaths).toEqual([]);
  });

  test('more stale objects than max-deletes fails before anything changes', () => {
    const stale = ['a.js', 'b.js', 'c.js'].map((key) => deployed(key, file(key)));
    const attempt = () =>
      planSync(input([file('index.html')], stale, { bucket: 'my-site', maxDeletes: 2 }));
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(
      '3 objects under s3://my-site/ would be deleted, more than max-deletes (2); nothing was changed. First ones: a.js, b.js, c.js.',
    );
    expect(() => planSync(input([file('index.html')], stale, { maxDeletes: 3 }))).not.toThrow();
  });

  test('a header-rule change fixes headers in place', () => {
    const asset = file('assets/app-BxA3d9_Z.js');
    const plan = planSync(
      input([asset], [deployed(asset.relPath, asset)], {
        headers: createHeaderPolicy({
          cacheControl: parseCacheControlRules('assets/**: public, max-age=600'),
          contentType: [],
        }),
      }),
    );
    expect(plan.uploads).toEqual([]);
    expect(plan.metadataUpdates).toMatchObject([
      {
        key: asset.relPath,
        headers: { cacheControl: 'public, max-age=600' },
        changes: [`cache-control: "${IMMUTABLE}" → "public, max-age=600"`],
      },
    ]);
    expect(plan.invalidationPaths).toEqual(['/assets/app-BxA3d9_Z.js']);
  });

  test('invalidation paths follow the origin path and collapse over the maximum', () => {
    const files = Array.from({ length: 6 }, (_, i) => file(`docs/p${i}.html`, 'new'));
    const remote = files.map((f) => deployed(`site/${f.relPath}`, file(f.relPath, 'old')));
    const plan = planSync(
      input(files, remote, {
        prefix: 'site/',
        invalidation: { mode: 'changed', originPath: '/site', maxPaths: 5 },
      }),
    );
    expect(plan.invalidationPaths).toEqual(['/docs/*']);
  });

  test('a key over 1,024 bytes fails with the file named', () => {
    expect(() => planSync(input([file(`${'a'.repeat(1030)}.html`)], []))).toThrow(
      /longer than S3's 1,024 bytes/,
    );
  });
});
