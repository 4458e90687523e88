// The root action's README lists, per stage, the IAM actions its one role
// needs: exactly those of the stage's example policies in
// workflows-examples/iam/ (<stage>.json and its optional parts
// <stage>-<part>.json), which iam-policies.test.ts derives from the code.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../support/harness.js';

const IAM_DIR = path.join(REPO_ROOT, 'workflows-examples/iam');
const STAGES = [
  'build-push-ecr',
  'run-migrations',
  'deploy-apprunner-and-wait',
  'sync-s3-invalidate-cloudfront',
];

interface Policy {
  Statement: { Action: string | string[] }[];
}

function policyActions(stage: string): string[] {
  const files = readdirSync(IAM_DIR).filter(
    (file) => file === `${stage}.json` || (file.startsWith(`${stage}-`) && file.endsWith('.json')),
  );
  const actions = files.flatMap((file) =>
    (JSON.parse(readFileSync(path.join(IAM_DIR, file), 'utf8')) as Policy).Statement.flatMap(
      (statement) => [statement.Action].flat(),
    ),
  );
  return [...new Set(actions)].sort();
}

function readmeActions(stage: string): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'actions/deploy/README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## IAM permissions'));
  const row = section.split('\n').find((line) => line.startsWith(`| ${stage} `));
  if (!row) throw new Error(`actions/deploy/README.md's IAM table has no row for ${stage}`);
  return [...new Set([...row.matchAll(/`([a-z0-9-]+:[A-Za-z*]+)`/g)].map((m) => m[1]!))].sort();
}

test.each(STAGES)("the README's IAM row for %s names exactly its policies' actions", (stage) => {
  expect(readmeActions(stage)).toEqual(policyActions(stage));
});
