// The CLI on a fresh clone (no node_modules): one line saying to run `npm ci`, exit 1, no
// module stack trace. The bin folder is copied where no node_modules can be found above it.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('npx deploy-actions before npm ci: one line naming npm ci', async () => {
  const clone = await mkdtemp(path.join(tmpdir(), 'fresh-clone-'));
  try {
    await cp(path.join(REPO_ROOT, 'bin'), path.join(clone, 'bin'), { recursive: true });
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          [path.join(clone, 'bin/deploy-actions.mjs'), '--help'],
          { env: { PATH: process.env.PATH ?? '' } },
          (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        );
      },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `deploy-actions: its npm dependencies are not installed; run \`npm ci\` in ${clone}/ first.\n`,
    );
  } finally {
    await rm(clone, { recursive: true, force: true });
  }
});
