import {
  formatBytes,
  planLines,
  planSummary,
  summarizeSync,
  syncOutputs,
  type LocalFile,
  type SyncPlan,
  type SyncReport,
} from '../../../packages/s3-sync/src/index.js';

const file = (relPath: string, size: number): LocalFile => ({
  relPath,
  absPath: `/build/${relPath}`,
  size,
  sha256: '0'.repeat(64),
  md5: '0'.repeat(32),
});

const headers = { contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' };

const plan: SyncPlan = {
  uploads: [
    { key: 'a.js', file: file('a.js', 2_500_000), headers, entry: false, reason: 'new' },
    { key: 'index.html', file: file('index.html', 500), headers, entry: true, reason: 'changed' },
  ],
  metadataUpdates: [
    {
      key: 'logo.png',
      file: file('logo.png', 10),
      headers,
      entry: false,
      changes: ['cache-control: "max-age=60" → "no-cache"'],
      etag: 'e',
    },
  ],
  unchanged: ['b.js'],
  deletes: ['old.js'],
  staleKept: [],
  invalidationPaths: ['/index.html', '/old.js'],
  warnings: [],
};

const report: SyncReport = {
  dryRun: false,
  target: 's3://my-site/',
  plan,
  uploaded: 2,
  metadataUpdated: 1,
  unchanged: 1,
  deleted: 1,
  bytesUploaded: 2_500_500,
  invalidationId: 'I2J0I21PCUYOIK',
  invalidatedPaths: ['/index.html', '/old.js'],
  transfers: [
    { key: 'a.js', bytes: 2_500_000, ms: 900, method: 'put' },
    { key: 'index.html', bytes: 500, ms: 1500, method: 'put' },
    { key: 'logo.png', bytes: 0, ms: 5000, method: 'copy' },
  ],
  durationMs: 4200,
};

test.each([
  [0, '0 B'],
  [999, '999 B'],
  [1000, '1.0 kB'],
  [12_345, '12.3 kB'],
  [4_000_000, '4.0 MB'],
  [1_200_000_000, '1.2 GB'],
])('formatBytes(%d) = %s', (bytes, expected) => {
  expect(formatBytes(bytes)).toBe(expected);
});

test('outputs carry the counts, the invalidation id and the paths as JSON', () => {
  expect(syncOutputs(report)).toEqual({
    uploaded: '2',
    'metadata-updated': '1',
    unchanged: '1',
    deleted: '1',
    'bytes-uploaded': '2500500',
    'invalidation-id': 'I2J0I21PCUYOIK',
    'invalidated-paths': '["/index.html","/old.js"]',
  });
  expect(syncOutputs({ ...report, invalidationId: undefined })['invalidation-id']).toBe('');
});

test('the plan, one line per change, in the order it is carried out', () => {
  expect(planSummary(plan)).toBe(
    '2 uploads (2.5 MB), 1 header fix, 1 unchanged, 1 delete, 2 invalidation paths',
  );
  expect(planLines(plan)).toEqual([
    'upload a.js (2.5 MB, new; text/html; charset=utf-8; no-cache)',
    'upload index.html (500 B, changed, entry; text/html; charset=utf-8; no-cache)',
    'fix headers of logo.png: cache-control: "max-age=60" → "no-cache"',
    'invalidate /index.html',
    'invalidate /old.js',
    'delete old.js',
  ]);
});

test('the summary shows the counts and the slowest and largest uploads (copies are no uploads)', () => {
  const blocks = summarizeSync(report);
  expect(blocks.map((b) => b.heading)).toEqual([
    'Synced s3://my-site/',
    'Invalidated paths',
    'Slowest uploads',
    'Largest uploads',
  ]);
  expect(blocks[0]!.table).toEqual([
    ['Uploaded', 'Headers updated', 'Unchanged', 'Deleted', 'Bytes uploaded', 'Invalidation'],
    ['2', '1', '1', '1', '2.5 MB', 'I2J0I21PCUYOIK'],
  ]);
  expect(blocks[2]!.table!.slice(1).map((row) => row[0])).toEqual(['index.html', 'a.js']);
  expect(blocks[3]!.table!.slice(1).map((row) => row[0])).toEqual(['a.js', 'index.html']);
});

test('a dry run summary shows what would change', () => {
  const blocks = summarizeSync({
    ...report,
    dryRun: true,
    invalidationId: undefined,
    transfers: [],
  });
  expect(blocks.map((b) => b.heading)).toEqual([
    'Would sync s3://my-site/',
    'Invalidated paths',
    'Would upload',
    'Would fix headers (CopyObject, no re-upload)',
    'Would delete (after the invalidation)',
  ]);
  expect(blocks[0]!.lines![0]).toBe('Dry run: nothing was changed. Took 4.2s.');
  expect(blocks[0]!.table![1]![5]).toBe('2 paths');
  expect(blocks[2]!.table![2]).toEqual([
    'index.html',
    '500 B',
    'changed, entry (last)',
    'text/html; charset=utf-8',
    'no-cache',
  ]);
});

test("the summary says when an interrupted deploy's pending paths were invalidated too", () => {
  const withPending = (pending: SyncPlan['pendingInvalidation'], dryRun = false) =>
    summarizeSync({ ...report, dryRun, plan: { ...plan, pendingInvalidation: pending } })[0]!
      .lines!;
  expect(withPending({ keys: ['index.html', 'docs/index.html'], all: false })).toContain(
    'Also invalidated the paths of 2 objects that an earlier, interrupted deploy overwrote without invalidating them.',
  );
  expect(withPending({ keys: [], all: true, problem: 'it is not JSON' }, true)).toContain(
    'Would also invalidate everything under the root: the record of paths an earlier deploy did not invalidate could not be read.',
  );
  expect(summarizeSync(report)[0]!.lines).toEqual(['Took 4.2s.']);
});

test('the summary of a cancelled sync says so and what was left', () => {
  const cancelled = 'Cancelled after 1 of 2 uploads; nothing to delete. Run the deploy again.';
  const [block] = summarizeSync({ ...report, cancelled });
  expect(block!.heading).toBe(`Cancelled: partly synced ${report.target}`);
  expect(block!.lines).toContain(cancelled);
});
