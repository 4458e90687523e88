// release-record.json allows exactly the AWS CLI calls of the example workflows' run scripts that
// no action policy covers.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { WORKFLOWS_DIR } from './iam-calls.js';
import {
  permissionPolicyProblems,
  policyActions,
  policyFilesOf,
  diffMessage,
  ACTIONS,
} from './iam-policy-files.js';

/** `aws <service> <command>` in the example workflows' run scripts, as IAM actions. */
function workflowCliActions(): Map<string, string> {
  const found = new Map<string, string>();
  const cliPrefix: Record<string, string> = {
    apprunner: 'apprunner',
    ssm: 'ssm',
    ecr: 'ecr',
    s3api: 's3',
    cloudfront: 'cloudfront',
  };
  for (const file of readdirSync(WORKFLOWS_DIR).filter((f) => f.endsWith('.yml'))) {
    const workflow = parseYaml(readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')) as {
      jobs: Record<string, { steps?: { run?: string }[] }>;
    };
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps ?? []) {
        const script = (step.run ?? '').replace(/\\\n\s*/g, ' ');
        for (const [, service, command] of script.matchAll(
          /(?:^|[\s("$])aws\s+([a-z0-9-]+)\s+([a-z0-9-]+)/g,
        )) {
          const prefix = cliPrefix[service!];
          if (!prefix)
            throw new Error(
              `${file}: aws ${service} ${command}: add the service's IAM prefix to this test`,
            );
          const operation = command!
            .split('-')
            .map((w) => w[0]!.toUpperCase() + w.slice(1))
            .join('');
          found.set(`${prefix}:${operation}`, file);
        }
      }
    }
  }
  return found;
}

test('release-record.json allows exactly the AWS CLI calls of the example workflows that no action policy covers', () => {
  const cli = workflowCliActions();
  expect(cli.size).toBeGreaterThan(0);
  const byActions = new Set(
    ACTIONS.flatMap((a) => policyFilesOf(a, ACTIONS)).flatMap((f) => [...policyActions(f)]),
  );
  const needed = new Map([...cli].filter(([a]) => !byActions.has(a)));
  const message = diffMessage(
    'the example workflows',
    ['release-record.json'],
    needed,
    policyActions('release-record.json'),
    [WORKFLOWS_DIR],
  );
  if (message) throw new Error(message);
  expect(permissionPolicyProblems('release-record.json', new Set())).toEqual([]);
});
