// For every action: runs on node24, every input its reader asks for is declared in action.yml
// and every declared input is asked for; every output set is declared and every declared output
// is set; the README lists exactly the action.yml inputs and outputs (as `npm run docs` renders
// them). The inputs are what the action's input reader really asks for: each reader runs once per
// branch (the scenarios below) against a source that records every name it is asked.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Inputs, type InputSource } from '@deploy-actions/action-kit';
import { readPipelineInputs } from '@deploy-actions/pipeline';
import { actionFiles, renderReadme } from '../../scripts/readme.mjs';
import { actionNames } from '../../scripts/actions.mjs';
import { getInputs as buildPushInputs } from '../../actions/build-push-ecr/src/inputs.js';
import { getInputs as deployAppRunnerInputs } from '../../actions/deploy-apprunner-and-wait/src/inputs.js';
import { getInputs as migrationsInputs } from '../../actions/run-migrations/src/inputs.js';
import { getInputs as smokeInputs } from '../../actions/smoke-test/src/inputs.js';
import { getInputs as syncInputs } from '../../actions/sync-s3-invalidate-cloudfront/src/inputs.js';
import { REPO_ROOT, actionPaths } from '../../tools/runner/index.mjs';
import { everyPipelineOutput } from './pipeline/fixtures.js';
import { DEPLOY_OUTPUTS } from '@deploy-actions/apprunner';
import { BUILD_PUSH_OUTPUTS } from '@deploy-actions/ecr';
import { MIGRATE_OUTPUTS } from '@deploy-actions/migrate';
import { SYNC_OUTPUTS } from '@deploy-actions/s3-sync';
import { SMOKE_OUTPUTS } from '@deploy-actions/smoke';

type Values = Record<string, string>;
const ENV = { AWS_REGION: 'eu-west-1', GITHUB_WORKSPACE: REPO_ROOT };

/** An InputSource over `values` that records every name it is asked for. */
function recordingSource(values: Values): { source: InputSource; asked: Set<string> } {
  const asked = new Set<string>();
  return {
    source: (name) => {
      asked.add(name);
      return values[name];
    },
    asked,
  };
}

// One scenario per branch of each reader; together they take every branch that reads an input.
const BUILD: Values = { repository: 'team/api' };
const SQL: Values = { 'migrations-dir': 'db/migrations', 'database-url': 'postgres://u:p@db/app' };
const COMMAND_WITH_SECRET: Values = {
  command: 'npx prisma migrate deploy',
  'database-url-secret-id': 'prod/db',
};
const ECS: Values = {
  command: 'npm run migrate',
  'ecs-cluster': 'app',
  'task-definition': 'api',
  'container-name': 'api',
  subnets: 'subnet-0123456789abcdef0',
};
const APP_RUNNER: Values = {
  service: 'shop-api',
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:v1',
};
const SITE: Values = { 'source-dir': 'dist', bucket: 'www-example' };
const SMOKE: Values = { url: 'https://example.com/health' };
const ROOT_STAGES: Values = { ...BUILD, service: 'shop-api', ...SITE, ...SMOKE };

/** Each action's input reader, and the inputs that take each of its branches. */
const READERS: Record<string, { read: (source: InputSource) => unknown; scenarios: Values[] }> = {
  'build-push-ecr': {
    read: (source) => buildPushInputs(new Inputs(source), ENV),
    scenarios: [BUILD, { ...BUILD, push: 'false' }],
  },
  'run-migrations': {
    read: (source) => migrationsInputs(new Inputs(source), ENV),
    scenarios: [SQL, COMMAND_WITH_SECRET, ECS],
  },
  'deploy-apprunner-and-wait': {
    read: (source) => deployAppRunnerInputs(new Inputs(source), ENV),
    scenarios: [APP_RUNNER],
  },
  'sync-s3-invalidate-cloudfront': {
    read: (source) => syncInputs(new Inputs(source), ENV),
    scenarios: [SITE],
  },
  'smoke-test': { read: (source) => smokeInputs(new Inputs(source)), scenarios: [SMOKE] },
  deploy: {
    read: (source) => readPipelineInputs(source, ENV),
    scenarios: [
      { ...ROOT_STAGES, ...SQL },
      { ...ROOT_STAGES, ...COMMAND_WITH_SECRET },
      { ...ROOT_STAGES, ...ECS },
    ],
  },
};

/** Every input name an action's reader asks for, over all its scenarios. */
function inputsAskedFor(action: string): Set<string> {
  const reader = READERS[action]!;
  const asked = new Set<string>();
  for (const values of reader.scenarios) {
    const recording = recordingSource(values);
    // A reader that throws stops asking: the scenario must be valid for the record to be complete.
    expect(() => reader.read(recording.source)).not.toThrow();
    for (const name of recording.asked) asked.add(name);
  }
  return asked;
}

/**
 * The stage actions hand an engine's outputs record to the kit's setOutputs; the record's type
 * is built from the engine's name list, so the list is the set of outputs it sets. The root
 * action sets what pipelineOutputs returns.
 */
const ENGINE_OUTPUTS: Record<string, Record<string, readonly string[]>> = {
  'build-push-ecr': { buildPushOutputs: BUILD_PUSH_OUTPUTS },
  'run-migrations': { migrateOutputs: MIGRATE_OUTPUTS, ecsTaskOutputs: MIGRATE_OUTPUTS },
  'deploy-apprunner-and-wait': { deployOutputs: DEPLOY_OUTPUTS },
  'sync-s3-invalidate-cloudfront': { syncOutputs: SYNC_OUTPUTS },
  'smoke-test': { smokeOutputs: SMOKE_OUTPUTS },
};

function shellCode(action: string): string {
  return readFileSync(path.join(REPO_ROOT, 'actions', action, 'src', 'main.ts'), 'utf8');
}

function outputsSet(action: string): Set<string> {
  if (action === 'deploy') {
    return new Set(everyPipelineOutput().flatMap((state) => Object.keys(state)));
  }
  const setters = ENGINE_OUTPUTS[action];
  if (!setters) throw new Error(`no engine outputs known for ${action}`);
  const code = shellCode(action);
  const names = new Set<string>();
  for (const [setter, list] of Object.entries(setters)) {
    // The shell must really hand that record over, or the list says nothing of what it sets.
    expect(code).toMatch(new RegExp(`\\bsetOutputs\\(\\s*${setter}\\(`));
    for (const name of list) names.add(name);
  }
  // No output set one by one beside the records.
  expect(code).not.toMatch(/\boutput\(/);
  return names;
}

const sorted = (names: Iterable<string>) => [...names].sort();
const names: string[] = actionNames();

test('every action folder has an entry point', () => {
  const folders = readdirSync(path.join(REPO_ROOT, 'actions')).filter((d) =>
    existsSync(actionPaths(d).metadata),
  );
  expect(sorted(names)).toEqual(sorted(folders));
});

test('every action has an input reader to record', () => {
  expect(sorted(Object.keys(READERS))).toEqual(sorted(names));
});

test('the recording source records every name asked, set or not', () => {
  const recording = recordingSource({ url: 'https://example.com' });
  const inputs = new Inputs(recording.source);
  inputs.optional('url');
  inputs.boolean('dry-run', false);
  expect(sorted(recording.asked)).toEqual(['dry-run', 'url']);
});

describe.each(names.map((n) => [n]))('%s', (action) => {
  const files = actionFiles(action) as { metadata: string; readme: string };
  const metadata = parse(readFileSync(files.metadata, 'utf8')) as {
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    runs: { using: string; main: string };
  };

  test('runs on node24 from its committed bundle', () => {
    expect(metadata.runs.using).toBe('node24');
    const main = path.resolve(path.dirname(files.metadata), metadata.runs.main);
    expect(path.relative(REPO_ROOT, main)).toBe(path.join('actions', action, 'dist/index.js'));
  });

  test('inputs read in code and declared in action.yml are the same set', () => {
    expect(sorted(inputsAskedFor(action))).toEqual(sorted(Object.keys(metadata.inputs ?? {})));
  });

  test('outputs set in code and declared in action.yml are the same set', () => {
    expect(sorted(outputsSet(action))).toEqual(sorted(Object.keys(metadata.outputs ?? {})));
  });

  test('README lists exactly the action.yml inputs and outputs (npm run docs)', () => {
    const readme = readFileSync(files.readme, 'utf8');
    expect(readme).toBe(renderReadme(readme, metadata));
  });

  test('README documents IAM permissions and an example', () => {
    const readme = readFileSync(files.readme, 'utf8');
    expect(readme).toMatch(/^## (Required )?IAM permissions$/m);
    expect(readme).toMatch(/^## Example/m);
    expect(readme).toContain(
      `uses: org/deploy-actions/actions/${action}@v1`.replace('/actions/deploy@', '@'),
    );
  });
});
