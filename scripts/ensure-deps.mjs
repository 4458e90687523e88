// Runs first in `npm run demo` and `npm test`, so the README's two commands work on a fresh
// clone: installs the dependencies with `npm ci` when node_modules is missing or older than
// package-lock.json, and otherwise returns at once (no network, no npm). No dependencies of
// its own: it runs before there are any.
//
// "Up to date" means either of:
// - node_modules/.deps-lock.sha256 (written here after `npm ci`) holds package-lock.json's
//   hash: a checkout that only touched the lock file's time needs no reinstall;
// - npm's own record of the install, node_modules/.package-lock.json, is newer than
//   package-lock.json (node_modules was installed, by anyone, after the lock last changed).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOCK = path.join(ROOT, 'package-lock.json');
const INSTALLED = path.join(ROOT, 'node_modules', '.package-lock.json');
const STAMP = path.join(ROOT, 'node_modules', '.deps-lock.sha256');

/** Why `npm ci` must run, or undefined when node_modules matches package-lock.json. */
export function installReason({ lock = LOCK, installed = INSTALLED, stamp = STAMP } = {}) {
  if (!existsSync(installed)) return 'node_modules is missing';
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) return undefined;
  if (statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return undefined;
  return 'package-lock.json changed since node_modules was installed';
}

function main() {
  const reason = installReason();
  if (!reason) return 0;
  process.stderr.write(`${reason}: installing the dependencies first (npm ci)…\n`);
  // Under `npm run`, npm_execpath is the npm that runs us: use the same one.
  const execpath = process.env.npm_execpath ?? '';
  const npmCli = /npm-cli\.[cm]?js$/.test(execpath) ? execpath : undefined;
  const { status, error } = npmCli
    ? spawnSync(process.execPath, [npmCli, 'ci'], { cwd: ROOT, stdio: 'inherit' })
    : spawnSync('npm', ['ci'], {
        cwd: ROOT,
        stdio: 'inherit',
        shell: process.platform === 'win32',
      });
  if (error || status !== 0) {
    process.stderr.write(
      `npm ci failed${error ? `: ${error.message}` : ''}; see its output above.\n`,
    );
    return status || 1;
  }
  const hash = createHash('sha256').update(readFileSync(LOCK)).digest('hex');
  writeFileSync(STAMP, `${hash}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main();
}
