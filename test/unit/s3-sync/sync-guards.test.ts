// What stops a deploy before it changes anything (scan errors, too many deletes, dotfiles,
// symlinks, bad input), and the dry run that reports the plan.
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import { parseCacheControlRules, scanBuild } from '../../../packages/s3-sync/src/index.js';
import {
  FakeInvalidator,
  SITE,
  body,
  deploy,
  dist,
  failedDeploy,
  head,
  keys,
  mutations,
  options,
  put,
  useSyncBucket,
  work,
  writeSite,
} from './fixtures.js';

useSyncBucket();

test('a build scanned beforehand (scanBuild) is not scanned again', async () => {
  await writeSite();
  const logger = new MemoryLogger();
  const scanned = await scanBuild(options(), logger);
  expect(scanned.map((f) => f.relPath)).toEqual(Object.keys(SITE).sort());
  expect(logger.text()).toContain('7 files');
  await put('late.txt', 'written after the scan');
  const { report } = await deploy({ scanned });
  expect(report.uploaded).toBe(7);
  expect(await keys()).not.toContain('late.txt');
});

test('scanBuild fails on an empty build and on bad globs, before anything else', async () => {
  const logger = new MemoryLogger();
  await expect(scanBuild(options(), logger)).rejects.toThrow('holds no file to upload');
  await expect(scanBuild(options({ exclude: ['!x'] }), logger)).rejects.toThrow("Input 'exclude'");
});

test('more stale objects than max-deletes: fails, and nothing is uploaded or deleted', async () => {
  await writeSite();
  await deploy();
  for (const relPath of ['favicon.ico', 'sw.js', 'data/unknown.xyz123'])
    await rm(path.join(dist, relPath));
  await put('new.html', 'new');
  const { error, events } = await failedDeploy({ maxDeletes: 2 });
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toContain('3 objects under s3://');
  expect(error.message).toContain('more than max-deletes (2)');
  expect(mutations(events)).toEqual([]);
  expect(await keys()).toEqual(Object.keys(SITE).sort());
});

test('dotfiles are not uploaded; a symlink leaving source-dir fails before any AWS call', async () => {
  await writeSite();
  await put('.env', 'SECRET=1');
  await put('.git/config', '[core]');
  const { report } = await deploy();
  expect(report.uploaded).toBe(7);
  expect(await keys()).toEqual(Object.keys(SITE).sort());

  await writeFile(path.join(work, 'outside.txt'), 'not for the web');
  await symlink(path.join(work, 'outside.txt'), path.join(dist, 'leak.txt'));
  const { error, events } = await failedDeploy();
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toContain('leak.txt in source-dir is a symbolic link to');
  expect(events).toEqual([]);
  expect(await keys()).not.toContain('leak.txt');
});

test('bad input fails before any AWS call', async () => {
  await writeSite();
  const emptyBuild = path.join(work, 'empty');
  await mkdir(emptyBuild);
  for (const bad of [
    { sourceDir: emptyBuild },
    { bucket: 'Not_A_Bucket' },
    { sourceDir: path.join(work, 'missing') },
    { include: ['*.{js'] },
    { prefix: 'a/../b' },
    { concurrency: 0 },
  ]) {
    const { error, events } = await failedDeploy(bad);
    expect(error).toBeInstanceOf(UserError);
    expect(events).toEqual([]);
  }
});

test('a dry run reports the plan and changes nothing', async () => {
  await writeSite();
  await deploy();
  await put('index.html', 'changed');
  await put('new.js', 'new');
  await rm(path.join(dist, 'favicon.ico'));
  const before = await Promise.all(
    (await keys()).map(async (k) => [k, (await head(k)).ETag, await body(k)]),
  );
  let invalidator: FakeInvalidator | undefined;
  const { report, events, logger } = await deploy(
    { dryRun: true, cacheControlRules: parseCacheControlRules('*.css: no-store') },
    (e) => (invalidator = new FakeInvalidator(e)),
  );
  expect(report).toMatchObject({ dryRun: true, uploaded: 2, metadataUpdated: 1, deleted: 1 });
  expect(report.plan.deletes).toEqual(['favicon.ico']);
  expect(report.invalidatedPaths).toEqual([
    '/',
    '/assets/index-CJbLrb3L.css',
    '/favicon.ico',
    '/index.html',
  ]);
  expect(mutations(events)).toEqual([]);
  expect(invalidator!.created).toEqual([]);
  const after = await Promise.all(
    (await keys()).map(async (k) => [k, (await head(k)).ETag, await body(k)]),
  );
  expect(after).toEqual(before);
  expect(logger.text()).toContain('upload index.html');
  expect(logger.text()).toContain('delete favicon.ico');
  expect(logger.text()).toContain('Dry run: nothing was changed.');
});
