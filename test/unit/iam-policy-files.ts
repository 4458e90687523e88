// The policy files of workflows-examples/iam/ as the IAM policy tests read them: statements,
// each action's policy files, the least-privilege shape, and the trust-policy templates.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { actionPaths } from '../../tools/runner/index.mjs';
import { ROOT, IAM_DIR, TRUST_ACTION, relative } from './iam-calls.js';

export interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Principal?: { Federated?: string };
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

export const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function readPolicy(file: string): PolicyDocument {
  return JSON.parse(readFileSync(path.join(IAM_DIR, file), 'utf8')) as PolicyDocument;
}

export const PLACEHOLDER =
  /\b(ACCOUNT_ID|REGION|REPOSITORY|SERVICE_NAME|BUCKET|PREFIX|DISTRIBUTION_ID|SECRET_NAME|CLUSTER|TASK_FAMILY|LOG_GROUP|STREAM_PREFIX|CONTAINER|KMS_KEY_ID|[A-Z_]+_ROLE_NAME|[A-Z_]+_NAME)\b/;

/** Shape problems of a permission policy: Allow only, no wildcard actions, placeholders, `*` only where the code says so. */
export function permissionPolicyProblems(file: string, starResource: Set<string>): string[] {
  const policy = readPolicy(file);
  const problems: string[] = [];
  if (policy.Version !== '2012-10-17') problems.push(`${file}: Version must be 2012-10-17`);
  for (const [i, statement] of policy.Statement.entries()) {
    const where = `${file} statement ${statement.Sid ?? i}`;
    if (statement.Effect !== 'Allow') problems.push(`${where}: Effect must be Allow`);
    if (statement.NotAction !== undefined || statement.NotResource !== undefined)
      problems.push(`${where}: NotAction/NotResource grant more than they seem`);
    if (statement.Principal !== undefined)
      problems.push(`${where}: a permission policy has no Principal`);
    const actions = asList(statement.Action);
    if (actions.length === 0) problems.push(`${where}: no Action`);
    for (const action of actions) {
      if (action.includes('*')) problems.push(`${where}: wildcard action ${action}`);
      if (TRUST_ACTION.test(action))
        problems.push(
          `${where}: ${action} belongs to the role's trust policy, not a permission policy`,
        );
    }
    const resources = asList(statement.Resource);
    if (resources.length === 0) problems.push(`${where}: no Resource`);
    for (const resource of resources) {
      if (resource === '*') {
        const scoped = actions.filter((a) => !starResource.has(a));
        if (scoped.length > 0)
          problems.push(
            `${where}: Resource "*" for ${scoped.join(', ')}, which the code scopes to a resource`,
          );
      } else if (!PLACEHOLDER.test(resource)) {
        problems.push(
          `${where}: ${resource} has no placeholder (ACCOUNT_ID, REGION, …) to replace`,
        );
      } else if (!resource.startsWith('arn:aws:')) {
        problems.push(`${where}: ${resource} is not an ARN`);
      }
    }
  }
  return problems;
}

export const policyActions = (file: string): Set<string> =>
  new Set(readPolicy(file).Statement.flatMap((s) => asList(s.Action)));

/** Actions with src/ (the root `deploy` action counts once its code exists). */
export function actionsWithCode(): string[] {
  return readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
    .filter(
      (e) =>
        e.isDirectory() &&
        existsSync(path.join(ROOT, 'actions', e.name, 'src/index.ts')) &&
        existsSync(actionPaths(e.name, ROOT).metadata),
    )
    .map((e) => e.name)
    .sort();
}

export const iamFiles = () =>
  readdirSync(IAM_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();

/**
 * The root action (action.yml at the repository root, code in actions/deploy)
 * runs every stage with one role: that role gets the stages' policies, so its
 * calls are checked against all of them together, with no file of its own.
 */
export const ROOT_ACTION = 'deploy';

/** The policy files of an action: <action>.json and <action>-<part>.json, by the longest action name. */
export function policyFilesOf(action: string, actions: string[]): string[] {
  if (action === ROOT_ACTION) {
    return actions.filter((a) => a !== ROOT_ACTION).flatMap((a) => policyFilesOf(a, actions));
  }
  return iamFiles().filter((file) => {
    const owner = actions
      .filter((a) => a !== ROOT_ACTION && (file === `${a}.json` || file.startsWith(`${a}-`)))
      .sort((a, b) => b.length - a.length)[0];
    return owner === action;
  });
}

export function diffMessage(
  action: string,
  files: string[],
  derived: Map<string, string>,
  allowed: Set<string>,
  dirs: string[],
): string | undefined {
  const missing = [...derived.keys()].filter((a) => !allowed.has(a)).sort();
  const extra = [...allowed].filter((a) => !derived.has(a)).sort();
  if (missing.length === 0 && extra.length === 0) return undefined;
  return [
    `${files.map((f) => `workflows-examples/iam/${f}`).join(' + ') || `(no workflows-examples/iam/${action}.json)`} ` +
      `does not allow exactly the AWS calls of ${action} (code: ${dirs.map(relative).join(', ')}):`,
    ...missing.map((a) => `  missing: ${a}   (called at ${derived.get(a)})`),
    ...extra.map((a) => `  extra:   ${a}   (no code of ${action} calls it)`),
  ].join('\n');
}

// --- tests --------------------------------------------------------------------

export const TRUST_TEMPLATES: { file: string; sub: string; like?: Record<string, string> }[] = [
  { file: 'trust-policy-branch.json', sub: 'repo:ORG/REPO:ref:refs/heads/main' },
  { file: 'trust-policy-environment.json', sub: 'repo:ORG/REPO:environment:production' },
  // A pull_request_target job gets the same sub but runs with the base branch's ref.
  {
    file: 'trust-policy-pull-request.json',
    sub: 'repo:ORG/REPO:pull_request',
    like: { 'token.actions.githubusercontent.com:ref': 'refs/pull/*/merge' },
  },
];

/** The actions with code of their own (each has, or needs no, a policy). */
export const ACTIONS = actionsWithCode();
