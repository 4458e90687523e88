// The engine's AWS calls are declared in one table (APPRUNNER_CALLS): every
// command the API layer sends is in it, and the action's README lists exactly
// the table's permissions.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { APPRUNNER_CALLS, deployPermissions, permissionsTable } from '@deploy-actions/apprunner';
import { REPO_ROOT } from '../../support/harness.js';

const SOURCE = path.join(REPO_ROOT, 'packages/apprunner/src');
const code = readdirSync(SOURCE)
  .map((file) => readFileSync(path.join(SOURCE, file), 'utf8'))
  .join('\n');

test('every App Runner command the engine sends is declared, and every declared call is sent', () => {
  const sent = new Set([...code.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!));
  const calls = Object.entries(APPRUNNER_CALLS).filter(([, call]) => call.operation !== '*');
  expect([...sent].sort()).toEqual(calls.map(([name]) => name).sort());
  for (const [name, call] of calls) {
    expect(call.actions).toEqual([`apprunner:${name}`]);
  }
});

test('iam:PassRole is declared for the roles handed to App Runner', () => {
  expect(deployPermissions().flatMap((p) => p.actions)).toContain('iam:PassRole');
});

test("the README's IAM permissions are the table", () => {
  const readme = readFileSync(
    path.join(REPO_ROOT, 'actions/deploy-apprunner-and-wait/README.md'),
    'utf8',
  );
  const section = /<!-- permissions:start -->\n([\s\S]*?)\n<!-- permissions:end -->/.exec(readme);
  expect(section?.[1]).toBe(permissionsTable());
});
