// The least-privilege policies in workflows-examples/iam/ allow exactly the AWS
// calls each action's code makes: no more, no fewer.
//
// The calls come from the engines' call tables (defineCalls in packages/aws:
// one AwsCall per operation the engine sends, plus the permissions AWS checks
// on the caller's behalf, such as iam:PassRole, marked `operation: '*'`):
// - an action bundles its src/ and the @deploy-actions packages it imports
//   (transitively); its policy is the union of those packages' tables, which
//   each package exports from its index;
// - every AWS SDK command those sources send (`new XCommand(`, `paginateX(`,
//   lib-storage's `new Upload(`) goes through the typed helper,
//   `callWith(TABLE, 'X', …)` (or a wrapper of it whose name parameter is a
//   `CallName<typeof TABLE>`), which names the entry's IAM action on
//   AccessDenied; the type system keeps 'X' a call of TABLE, this test that it
//   is the command sent and of the entry's service;
// - every call of a table is sent somewhere, so a stale entry fails too.
// - sts:AssumeRoleWithWebIdentity (packages/aws) belongs to the trust policy,
//   never to a permission policy; it is the one call outside a table.
// Policy files: iam/<action>.json plus optional parts iam/<action>-<part>.json
// (e.g. -kms, -ecs); their union is compared. Trust-policy templates and the
// release record the example workflows keep (release-record.json, checked
// against the `aws` CLI calls in the workflows' run scripts) are checked too.
// (This file: each action's policy against its code; helpers in iam-calls.ts and iam-policy-files.ts.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, sourceFiles, relative, deriveAction } from './iam-calls.js';
import {
  permissionPolicyProblems,
  iamFiles,
  ROOT_ACTION,
  policyFilesOf,
  diffMessage,
  policyActions,
  TRUST_TEMPLATES,
  ACTIONS,
} from './iam-policy-files.js';

test('the actions are found, with their code', () => {
  expect(ACTIONS).toEqual(expect.arrayContaining(['build-push-ecr', 'smoke-test']));
});

describe.each(ACTIONS)('%s', (action) => {
  test('every AWS call in its code goes through its own table entry, and every entry is sent', async () => {
    const { problems } = await deriveAction(action);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  });

  test('its policy allows exactly the calls derived from the code', async () => {
    const derived = await deriveAction(action);
    const files = policyFilesOf(action, ACTIONS);
    if (derived.actions.size === 0) {
      // No AWS call (smoke-test): no policy, and so no role, is needed.
      expect(files).toEqual([]);
      return;
    }
    const allowed = new Set(files.flatMap((f) => [...policyActions(f)]));
    const message = diffMessage(action, files, derived.actions, allowed, derived.dirs);
    if (message) throw new Error(message);
  });

  test('its policy is least privilege in shape', async () => {
    if (action === ROOT_ACTION) return; // its files are the stages', checked with them
    const derived = await deriveAction(action);
    const problems = policyFilesOf(action, ACTIONS).flatMap((f) =>
      permissionPolicyProblems(f, derived.starResource),
    );
    if (problems.length > 0) throw new Error(problems.join('\n'));
  });
});

test.each(ACTIONS.filter((a) => a !== ROOT_ACTION && a !== 'smoke-test'))(
  "the root action's README names exactly %s's policy actions in its IAM table",
  (stage) => {
    const readme = readFileSync(path.join(ROOT, 'actions/deploy/README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## IAM permissions'));
    const row = table.split('\n').find((line) => line.startsWith(`| ${stage} `));
    if (!row) throw new Error(`actions/deploy/README.md's IAM table has no row for ${stage}`);
    const named = new Set([...row.matchAll(/`([a-z0-9-]+:[A-Za-z*]+)`/g)].map((m) => m[1]!));
    const allowed = new Set(policyFilesOf(stage, ACTIONS).flatMap((f) => [...policyActions(f)]));
    expect([...named].sort()).toEqual([...allowed].sort());
  },
);

test('smoke-test makes no AWS call, so it needs no policy', async () => {
  const derived = await deriveAction('smoke-test');
  expect([...derived.actions.keys()]).toEqual([]);
  expect(policyFilesOf('smoke-test', ACTIONS)).toEqual([]);
});

test("run-migrations' ECS file allows exactly the ECS mode's table", async () => {
  const derived = await deriveAction('run-migrations');
  const ecsTable = [...derived.tableActions.entries()].find(([name]) =>
    name.endsWith('ECS_MODE_CALLS'),
  );
  expect(ecsTable).toBeDefined();
  expect([...policyActions('run-migrations-ecs.json')].sort()).toEqual([...ecsTable![1]].sort());
});

test("the tables live in the engines, so the root action derives every stage's", async () => {
  const root = await deriveAction(ROOT_ACTION);
  for (const action of ACTIONS) {
    const tables = [...(await deriveAction(action)).tableActions.keys()];
    // An action's own src/ holds no table: the root action, which bundles the engines but
    // not the other actions, would miss it (and pass only where another table overlaps).
    expect([action, tables.filter((t) => !t.startsWith('packages/'))]).toEqual([action, []]);
    const own = sourceFiles(path.join(ROOT, 'actions', action, 'src')).filter((f) =>
      readFileSync(f, 'utf8').includes('defineCalls('),
    );
    expect([action, own.map(relative)]).toEqual([action, []]);
    expect([action, tables.filter((t) => !root.tableActions.has(t))]).toEqual([action, []]);
  }
  // kms:Decrypt, which Secrets Manager checks as the caller, comes from the migrate engine's
  // table, not only from the S3 one that happens to grant it too.
  const migrate = [...root.tableActions].filter(([t]) => t.startsWith('packages/migrate/'));
  expect(migrate.some(([, actions]) => actions.has('kms:Decrypt'))).toBe(true);
});

test('every file in iam/ is an action policy, a trust-policy template or the release record', () => {
  const owned = new Set(ACTIONS.flatMap((a) => policyFilesOf(a, ACTIONS)));
  expect(iamFiles()).not.toContain(`${ROOT_ACTION}.json`);
  const known = new Set([...TRUST_TEMPLATES.map((t) => t.file), 'release-record.json']);
  expect(iamFiles().filter((f) => !owned.has(f) && !known.has(f))).toEqual([]);
});
