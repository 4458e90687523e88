// The root action.yml and the pipeline's list of stage-only inputs are generated
// (npm run root-action) from the stage actions' action.yml files, the STAGES registry and
// actions/deploy/root-action.yml. This fails when either file is stale, and holds the
// generator to its rules.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SESSION_INPUTS, STAGES } from '@deploy-actions/pipeline';
import { renderRootAction, renderStageInputs, rootMetadata } from '../../scripts/root-action.mjs';
import { REPO_ROOT } from '../support/harness.js';

test('action.yml and the stage-only inputs are what npm run root-action writes', () => {
  const run = () =>
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/root-action.mjs'), '--check'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  expect(run).not.toThrow();
});

// A two-stage registry and stage actions of a few inputs each: the rules without the real files.
const registry = {
  SESSION_INPUTS: ['aws-region'],
  STAGES: [
    {
      key: 'build',
      action: 'build-push-ecr',
      label: 'build',
      selectedBy: ['repository'],
      inputRenames: { tags: 'build-tags' },
      outputRenames: { image: 'build-image' },
      notOffered: { push: 'the pipeline deploys what it pushes' },
    },
    {
      key: 'deploy',
      action: 'deploy-apprunner-and-wait',
      label: 'App Runner',
      selectedBy: ['service'],
      inputRenames: { tags: 'deploy-tags' },
      outputRenames: { image: 'deploy-image' },
      notOffered: {},
    },
  ],
};
const template = {
  name: 'deploy',
  description: 'The whole deploy.',
  author: 'me',
  branding: { icon: 'send', color: 'orange' },
  inputs: { 'rollback-on-failure': { description: 'Roll back.', default: 'true' } },
  outputs: { stages: { description: 'How each stage ended.' } },
  'trailing-outputs': { 'rolled-back': { description: 'Rolled back.' } },
  wording: { inputs: { repository: 'Build stage: the repository; setting it runs the stage.' } },
};
const stageMetadata = {
  'build-push-ecr': {
    inputs: {
      repository: { description: 'ECR repository.', required: true },
      context: { description: 'Build context directory.', default: '.' },
      tags: { description: 'Extra tags.' },
      push: { description: 'Push the image.', default: 'true' },
      'aws-region': { description: 'AWS region.' },
    },
    outputs: { image: { description: 'The image.' }, digest: { description: 'Its digest.' } },
  },
  'deploy-apprunner-and-wait': {
    inputs: {
      service: { description: 'The service.', required: true },
      tags: { description: 'Tags of a created service.' },
      'aws-region': { description: 'AWS region.' },
    },
    outputs: { image: { description: 'The image live.' } },
  },
};

test('order: the pipeline’s own, the session’s once, then each stage’s under the root’s name', () => {
  const { inputs, outputs } = rootMetadata(registry, template, stageMetadata);
  expect(inputs.map((input: { name: string }) => input.name)).toEqual([
    'rollback-on-failure',
    'aws-region',
    'repository',
    'context',
    'build-tags',
    'service',
    'deploy-tags',
  ]);
  expect(outputs.map((output: { name: string }) => output.name)).toEqual([
    'stages',
    'build-image',
    'digest',
    'deploy-image',
    'rolled-back',
  ]);
});

test('a stage input without the root’s wording is described as "<Label> stage, <its own>"', () => {
  const { inputs } = rootMetadata(registry, template, stageMetadata);
  const described = Object.fromEntries(
    inputs.map((input: { name: string; spec: { description: string } }) => [
      input.name,
      input.spec.description,
    ]),
  );
  expect(described).toMatchObject({
    repository: 'Build stage: the repository; setting it runs the stage.',
    context: 'Build stage, build context directory.',
    'deploy-tags': 'App Runner stage, tags of a created service.',
  });
});

test('the root requires nothing and keeps the stages’ defaults', () => {
  const text: string = renderRootAction(registry, template, stageMetadata);
  expect(text).not.toMatch(/required: true/);
  expect(text).toMatch(
    / {2}context:\n {4}description: Build stage, build context directory\.\n {4}required: false\n {4}default: '\.'/,
  );
  expect(text).toContain('# --- Stage build-push-ecr (runs when repository is set)');
});

test('a name two stages would declare twice is refused', () => {
  const clash = {
    ...registry,
    STAGES: registry.STAGES.map((stage) => ({ ...stage, inputRenames: {} })),
  };
  expect(() => rootMetadata(clash, template, stageMetadata)).toThrow(/tags is declared twice/);
});

test('stage-only inputs: no default, not a selector, not the session’s', () => {
  const text: string = renderStageInputs(registry, template, stageMetadata);
  expect(text).toContain("build: [\n    'build-tags',\n  ],");
  expect(text).toContain("deploy: [\n    'deploy-tags',\n  ],");
});

test('the registry: one key, action and prefix per stage; selectors and renames never clash', () => {
  const unique = (values: string[]) => new Set(values).size === values.length;
  expect(unique(STAGES.map((stage) => stage.key))).toBe(true);
  expect(unique(STAGES.map((stage) => stage.action))).toBe(true);
  expect(unique(STAGES.map((stage) => stage.prefix))).toBe(true);
  for (const stage of STAGES) {
    expect(existsSync(path.join(REPO_ROOT, 'actions', stage.action, 'action.yml'))).toBe(true);
    expect(existsSync(path.join(REPO_ROOT, 'packages', stage.package, 'package.json'))).toBe(true);
  }
  const selectors = STAGES.flatMap((stage) => [...stage.selectedBy]);
  expect(unique(selectors)).toBe(true);
  for (const stage of STAGES) {
    for (const [name, root] of Object.entries(stage.inputRenames)) {
      expect(root).toBe(`${stage.prefix}-${name}`);
      expect(SESSION_INPUTS).not.toContain(name);
    }
    for (const [name, root] of Object.entries(stage.outputRenames)) {
      expect(root).toBe(`${stage.prefix}-${name}`);
    }
  }
});
