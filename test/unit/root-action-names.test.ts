// The root action's inputs and outputs are its stages' own, under the same
// names, except where two stages share a name: there each carries its stage's
// prefix. The rule is computed here from the stage actions' action.yml (the
// stages, their prefixes and what the pipeline leaves out come from the STAGES
// registry), so a new input of a stage that is missing from the root action,
// or a name that starts to clash, fails this test. (action-metadata.test.ts
// checks that the code reads and sets exactly what action.yml declares.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SESSION_INPUTS, STAGES } from '@deploy-actions/pipeline';
import { REPO_ROOT } from '../support/harness.js';

const STAGE_PREFIX: Record<string, string> = Object.fromEntries(
  STAGES.map((stage) => [stage.action, stage.prefix]),
);
/** Shared by the stages with one meaning: one AWS session for the whole step. */
const COMMON_INPUTS: string[] = [...SESSION_INPUTS];
/** Stage inputs the pipeline does not offer, and why. */
const NOT_OFFERED: Record<string, string> = Object.fromEntries(
  STAGES.flatMap((stage) =>
    Object.entries(stage.notOffered).map(([name, why]) => [`${stage.action} ${name}`, why]),
  ),
);
/** The pipeline's own. */
const PIPELINE_INPUTS = ['rollback-on-failure'];
const PIPELINE_OUTPUTS = ['stages', 'rolled-back', 'rollback-smoke-passed'];

type Kind = 'inputs' | 'outputs';

function declared(file: string, kind: Kind): string[] {
  const metadata = parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as Record<
    Kind,
    Record<string, unknown> | undefined
  >;
  return Object.keys(metadata[kind] ?? {});
}

const stageNames = (kind: Kind) =>
  Object.keys(STAGE_PREFIX).map((stage) => ({
    stage,
    names: declared(`actions/${stage}/action.yml`, kind),
  }));

/** Each stage name → the root's name for it, by the rule. */
export function expectedRootNames(
  stages: { stage: string; names: string[] }[],
  common: readonly string[],
  notOffered: Record<string, string>,
): Map<string, string> {
  // Only names the root offers can clash: a stage input the pipeline leaves out shares nothing.
  const stagesOf = new Map<string, number>();
  for (const { stage, names } of stages) {
    for (const name of names) {
      if (`${stage} ${name}` in notOffered) continue;
      stagesOf.set(name, (stagesOf.get(name) ?? 0) + 1);
    }
  }
  const root = new Map<string, string>();
  for (const { stage, names } of stages) {
    for (const name of names) {
      if (`${stage} ${name}` in notOffered) continue;
      const shared = stagesOf.get(name)! > 1 && !common.includes(name);
      root.set(`${stage} ${name}`, shared ? `${STAGE_PREFIX[stage]}-${name}` : name);
    }
  }
  return root;
}

describe.each<[Kind, string[], string[]]>([
  ['inputs', COMMON_INPUTS, PIPELINE_INPUTS],
  ['outputs', [], PIPELINE_OUTPUTS],
])('the root action’s %s', (kind, common, own) => {
  const rootNames = declared('action.yml', kind);
  const expected = expectedRootNames(
    stageNames(kind),
    common,
    kind === 'inputs' ? NOT_OFFERED : {},
  );

  test('are the stages’ names, a stage prefix only where two stages share one', () => {
    const missing = [...expected]
      .filter(([, root]) => !rootNames.includes(root))
      .map(([stage, root]) => `${stage} → ${root}`);
    expect(missing).toEqual([]);
  });

  test('are nothing else than the stages’ and the pipeline’s own', () => {
    const allowed = new Set([...expected.values(), ...own]);
    expect(rootNames.filter((name) => !allowed.has(name))).toEqual([]);
  });

  test('are renamed in the registry exactly where the rule prefixes them', () => {
    const renamed = new Map<string, string>();
    for (const stage of STAGES) {
      const renames: Record<string, string> =
        kind === 'inputs' ? stage.inputRenames : stage.outputRenames;
      for (const [name, root] of Object.entries(renames))
        renamed.set(`${stage.action} ${name}`, root);
    }
    const prefixed = [...expected].filter(([key, root]) => root !== key.split(' ')[1]);
    expect(Object.fromEntries(prefixed)).toEqual(Object.fromEntries(renamed));
  });

  test('never offer a stage’s input the pipeline leaves out, under any name', () => {
    for (const key of Object.keys(kind === 'inputs' ? NOT_OFFERED : {})) {
      const [stage, name] = key.split(' ') as [string, string];
      // The same name may be another stage's (run-migrations' image is not offered; App Runner's is).
      const anotherStages = [...expected].some(
        ([other, root]) => root === name && !other.startsWith(`${stage} `),
      );
      if (!anotherStages) expect(rootNames).not.toContain(name);
      expect(rootNames).not.toContain(`${STAGE_PREFIX[stage]}-${name}`);
    }
  });
});

test.each([
  {
    case: 'a name one stage has keeps it',
    stages: [
      { stage: 'smoke-test', names: ['url'] },
      { stage: 'build-push-ecr', names: ['context'] },
    ],
    want: { 'smoke-test url': 'url', 'build-push-ecr context': 'context' },
  },
  {
    case: 'a name two stages share gets both prefixes',
    stages: [
      { stage: 'deploy-apprunner-and-wait', names: ['timeout'] },
      { stage: 'smoke-test', names: ['timeout'] },
    ],
    want: {
      'deploy-apprunner-and-wait timeout': 'deploy-timeout',
      'smoke-test timeout': 'smoke-timeout',
    },
  },
  {
    case: 'a common input appears once, unprefixed',
    stages: [
      { stage: 'build-push-ecr', names: ['aws-region'] },
      { stage: 'run-migrations', names: ['aws-region'] },
    ],
    want: { 'build-push-ecr aws-region': 'aws-region', 'run-migrations aws-region': 'aws-region' },
  },
  {
    case: 'an input left out has no root name',
    stages: [{ stage: 'build-push-ecr', names: ['push', 'tags'] }],
    want: { 'build-push-ecr tags': 'tags' },
  },
])('the rule: $case', ({ stages, want }) => {
  expect(Object.fromEntries(expectedRootNames(stages, COMMON_INPUTS, NOT_OFFERED))).toEqual(want);
});
