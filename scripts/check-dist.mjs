// npm run check-dist: rebuilds every action into a temporary folder and fails
// when any committed dist/ file differs, is missing, or is extra — so what
// users run is always what the source says.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, actionNames, bundleAction } from './actions.mjs';

function listFiles(dir, prefix = '') {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

const problems = [];
const temp = await mkdtemp(path.join(tmpdir(), 'check-dist-'));
try {
  const names = actionNames();
  for (const name of names) {
    const fresh = path.join(temp, name);
    const committed = path.join(ROOT, 'actions', name, 'dist');
    await bundleAction(name, fresh);
    const freshFiles = new Set(listFiles(fresh));
    const committedFiles = new Set(listFiles(committed));
    for (const file of freshFiles) {
      if (!committedFiles.has(file)) problems.push(`actions/${name}/dist/${file} is missing`);
      else if (
        !readFileSync(path.join(fresh, file)).equals(readFileSync(path.join(committed, file)))
      ) {
        problems.push(`actions/${name}/dist/${file} is out of date`);
      }
    }
    for (const file of committedFiles) {
      if (!freshFiles.has(file)) problems.push(`actions/${name}/dist/${file} should not exist`);
    }
  }
  for (const dir of readdirSync(path.join(ROOT, 'actions'))) {
    if (!names.includes(dir) && existsSync(path.join(ROOT, 'actions', dir, 'dist'))) {
      problems.push(`actions/${dir}/dist exists but actions/${dir}/src/index.ts does not`);
    }
  }
  if (existsSync(path.join(ROOT, '.git'))) {
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'actions/*/dist'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    if (dirty) problems.push(`uncommitted dist/ changes:\n${dirty}`);
  }
} finally {
  await rm(temp, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(
    `dist/ is not up to date with the source:\n  ${problems.join('\n  ')}\nRun 'npm run build' and commit the result.`,
  );
  process.exit(1);
}
console.log('dist/ is up to date for every action.');
