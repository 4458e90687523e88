// The CLI and the runner emulator are JavaScript so that `npx deploy-actions` runs without a
// build; `npm run typecheck` checks them only because each file opts in with // @ts-check.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../tools/runner/index.mjs';

function scripts(folder: string): string[] {
  return readdirSync(path.join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.mjs'))
    .map((file) => path.join(folder, file));
}

test.each([...scripts('bin'), ...scripts('tools/runner'), ...scripts('tools/provision')])(
  '%s is type-checked',
  (file) => {
    const lines = readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n');
    const first = lines[0]?.startsWith('#!') ? lines[1] : lines[0];
    expect(first).toBe('// @ts-check');
  },
);
