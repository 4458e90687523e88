// For every action: runs on node24, every input the code reads is declared in
// action.yml and every declared input is read; every output set is declared
// and every declared output is set; the README lists exactly the action.yml
// inputs and outputs (as `npm run docs` renders them).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { actionFiles, renderReadme } from '../../scripts/readme.mjs';
import { actionNames } from '../../scripts/actions.mjs';
import { REPO_ROOT, actionPaths } from '../../tools/runner/index.mjs';

const READERS = 'optional|required|string|boolean|integer|duration|choice|list|map|structured';
const INPUT_READ = new RegExp(`inputs\\.(?:${READERS})\\(\\s*'([a-z0-9-]+)'`, 'g');
const OUTPUT_SET = /\boutput\(\s*'([a-z0-9-]+)'/g;
/** Shared readers an action may call: their reads count as the action's. */
const SHARED_READERS: Record<string, string> = {
  'readAwsInputs(': 'packages/aws/src/session.ts',
  'readSyncInputs(': 'packages/s3-sync/src/inputs.ts',
  'readMigrateInputs(': 'packages/migrate/src/inputs.ts',
  'readEcsInputs(': 'packages/migrate/src/ecs/inputs.ts',
  'readBuildPushInputs(': 'packages/ecr/src/inputs.ts',
  'readDeployInputs(': 'packages/apprunner/src/inputs.ts',
  'readSmokeInputs(': 'packages/smoke/src/inputs.ts',
};

/**
 * A shared reader run through `readRenamed(source, { 'engine-name': 'action-name' }, …)`
 * (the root pipeline, where two stages share an input name) reads under the action's names.
 */
const RENAMED_READ = /\breadRenamed\(\s*\w+,\s*\{([^}]*)\}/g;
/** `'dry-run': 'sync-dry-run'`, or `tags: 'build-tags'` (prettier unquotes plain keys). */
const RENAME_PAIR = /'?([a-z0-9-]+)'?:\s*'([a-z0-9-]+)'/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

function matches(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((m) => m[1]!);
}

function usage(action: string) {
  let code = sourceFiles(path.join(REPO_ROOT, 'actions', action, 'src'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  for (const [call, file] of Object.entries(SHARED_READERS)) {
    if (code.includes(call)) code += readFileSync(path.join(REPO_ROOT, file), 'utf8');
  }
  const inputs = new Set(matches(code, INPUT_READ));
  for (const [, block] of code.matchAll(RENAMED_READ)) {
    for (const [, engineName, actionName] of block!.matchAll(RENAME_PAIR)) {
      inputs.delete(engineName!);
      inputs.add(actionName!);
    }
  }
  return {
    inputs,
    outputs: new Set(matches(code, OUTPUT_SET)),
  };
}

const sorted = (names: Iterable<string>) => [...names].sort();
const names: string[] = actionNames();

test('every action folder has an entry point', () => {
  const folders = readdirSync(path.join(REPO_ROOT, 'actions')).filter((d) =>
    existsSync(actionPaths(d).metadata),
  );
  expect(sorted(names)).toEqual(sorted(folders));
});

describe.each(names.map((n) => [n]))('%s', (action) => {
  const files = actionFiles(action) as { metadata: string; readme: string };
  const metadata = parse(readFileSync(files.metadata, 'utf8')) as {
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    runs: { using: string; main: string };
  };
  const used = usage(action);

  test('runs on node24 from its committed bundle', () => {
    expect(metadata.runs.using).toBe('node24');
    const main = path.resolve(path.dirname(files.metadata), metadata.runs.main);
    expect(path.relative(REPO_ROOT, main)).toBe(path.join('actions', action, 'dist/index.js'));
  });

  test('inputs read in code and declared in action.yml are the same set', () => {
    expect(sorted(used.inputs)).toEqual(sorted(Object.keys(metadata.inputs ?? {})));
  });

  test('outputs set in code and declared in action.yml are the same set', () => {
    expect(sorted(used.outputs)).toEqual(sorted(Object.keys(metadata.outputs ?? {})));
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
