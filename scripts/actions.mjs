// Shared by build and check-dist: which actions exist and how one is bundled.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/** Every folder under actions/ with a src/index.ts entry point. */
export function actionNames() {
  return readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() && existsSync(path.join(ROOT, 'actions', entry.name, 'src/index.ts')),
    )
    .map((entry) => entry.name)
    .sort();
}

/** Bundles one action with ncc into outDir (index.js, package.json marking ESM, licenses.txt). */
export async function bundleAction(name, outDir) {
  const ncc = path.join(ROOT, 'node_modules/.bin/ncc');
  const entry = path.join(ROOT, 'actions', name, 'src/index.ts');
  await run(
    ncc,
    [
      'build',
      entry,
      '--out',
      outDir,
      '--license',
      'licenses.txt',
      '--quiet',
      '--target',
      'es2022',
      '--transpile-only',
    ],
    {
      cwd: path.join(ROOT, 'actions', name),
      maxBuffer: 32 * 1024 * 1024,
    },
  );
}
