import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError, UserError } from '@deploy-actions/action-kit/engine';
import { createFileFilter, scanSourceDir } from '../../../packages/s3-sync/src/index.js';

let work: string;
let dist: string;

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 's3-sync-local-'));
  dist = path.join(work, 'dist');
  await mkdir(dist);
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function put(relPath: string, content = relPath): Promise<void> {
  const full = path.join(dist, relPath);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, content);
}

async function scan(include = ['**'], exclude: string[] = []): Promise<string[]> {
  const files = await scanSourceDir({
    sourceDir: dist,
    filter: createFileFilter(include, exclude),
    concurrency: 4,
  });
  return files.map((f) => f.relPath);
}

async function scanError(include = ['**'], exclude: string[] = []): Promise<Error> {
  try {
    await scan(include, exclude);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the scan to fail');
}

test('hashes every file (SHA-256 and MD5) and sorts by path', async () => {
  await put('b.txt', 'bee');
  await put('a/index.html', '<p>hi</p>');
  const files = await scanSourceDir({
    sourceDir: dist,
    filter: createFileFilter(['**'], []),
    concurrency: 2,
  });
  expect(files).toEqual([
    {
      relPath: 'a/index.html',
      absPath: expect.stringMatching(/a\/index\.html$/),
      size: 9,
      sha256: createHash('sha256').update('<p>hi</p>').digest('hex'),
      md5: createHash('md5').update('<p>hi</p>').digest('hex'),
    },
    expect.objectContaining({ relPath: 'b.txt', size: 3 }),
  ]);
});

test('dotfiles and dot-directories are skipped unless included by a pattern that spells the dot', async () => {
  await put('index.html');
  await put('.env', 'SECRET=1');
  await put('.git/config');
  await put('assets/.DS_Store');
  await put('.well-known/security.txt');
  await put('.well-known/x.html');
  expect(await scan()).toEqual(['index.html']);
  expect(await scan(['*.html'])).toEqual(['index.html']);
  expect(await scan(['**', '.well-known/**'])).toEqual([
    '.well-known/security.txt',
    '.well-known/x.html',
    'index.html',
  ]);
  expect(await scan(['**', '.env'])).toEqual(['.env', 'index.html']);
});

test('exclude matches names at any depth and whole directories', async () => {
  await put('index.html');
  await put('assets/app.js');
  await put('assets/app.js.map');
  await put('drafts/a.html');
  await put('docs/drafts/b.html');
  expect(await scan(['**'], ['*.map', 'drafts'])).toEqual(['assets/app.js', 'index.html']);
  expect(await scan(['**'], ['/drafts/**'])).toEqual([
    'assets/app.js',
    'assets/app.js.map',
    'docs/drafts/b.html',
    'index.html',
  ]);
});

test('symlinks inside source-dir are followed under their own path', async () => {
  await put('shared/logo.svg', '<svg/>');
  await symlink(path.join(dist, 'shared/logo.svg'), path.join(dist, 'logo.svg'));
  await symlink(path.join(dist, 'shared'), path.join(dist, 'alias'));
  expect(await scan()).toEqual(['alias/logo.svg', 'logo.svg', 'shared/logo.svg']);
});

test('a symlink leaving source-dir is refused with a clear error', async () => {
  await put('index.html');
  await writeFile(path.join(work, 'secret.txt'), 'secret');
  await symlink(path.join(work, 'secret.txt'), path.join(dist, 'leak.txt'));
  const error = await scanError();
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toMatch(
    /^leak\.txt in source-dir is a symbolic link to .*secret\.txt, outside source-dir/,
  );
});

test('a directory symlink leaving source-dir is refused too', async () => {
  await put('index.html');
  await mkdir(path.join(work, 'outside'));
  await symlink(path.join(work, 'outside'), path.join(dist, 'linked'));
  expect((await scanError()).message).toContain('linked in source-dir is a symbolic link to');
});

test('an escaping symlink that the filters skip does not matter', async () => {
  await put('index.html');
  await writeFile(path.join(work, 'secret.txt'), 'secret');
  await symlink(path.join(work, 'secret.txt'), path.join(dist, '.secret'));
  await symlink(path.join(work, 'secret.txt'), path.join(dist, 'leak.txt'));
  expect(await scan(['**'], ['leak.txt'])).toEqual(['index.html']);
});

test('symlink loops and broken links fail', async () => {
  await put('a/index.html');
  await symlink(path.join(dist, 'a'), path.join(dist, 'a/loop'));
  expect((await scanError()).message).toBe('a/loop in source-dir is a symbolic link loop.');
  await rm(path.join(dist, 'a/loop'));
  await symlink(path.join(dist, 'missing.txt'), path.join(dist, 'broken.txt'));
  expect((await scanError()).message).toBe('broken.txt in source-dir is a broken symbolic link.');
});

test('a missing source-dir is an input error; an empty build is a user error', async () => {
  await rm(dist, { recursive: true });
  const missing = await scanError();
  expect(missing).toBeInstanceOf(InputError);
  expect((missing as InputError).input).toBe('source-dir');
  await mkdir(dist);
  await put('.gitkeep');
  const empty = await scanError();
  expect(empty).toBeInstanceOf(UserError);
  expect(empty.message).toBe(`source-dir ${dist} holds no file to upload.`);
});

test('a file as source-dir is an input error', async () => {
  await rm(dist, { recursive: true });
  await writeFile(dist, 'not a directory');
  expect(await scanError()).toBeInstanceOf(InputError);
});
