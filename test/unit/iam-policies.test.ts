// The least-privilege policies in workflows-examples/iam/ allow exactly the AWS
// calls each action's code makes: no more, no fewer.
//
// The calls are derived from the code, not from a hand-kept list:
// - an action bundles its src/ and the @deploy-actions packages it imports
//   (transitively);
// - every AWS SDK command those sources send (`new XCommand(`, `paginateX(`,
//   lib-storage's `new Upload(`) is one call. It must either be declared in the
//   engine's table (an exported `*_CALLS` / `*_PERMISSIONS` constant, which
//   also carries permissions AWS checks on the caller's behalf, such as
//   iam:PassRole) or sit in a function that labels it for error translation
//   (`callAws({ action: 'svc:Op', … })`, `translateAwsError(…, { action })`),
//   directly or in a helper of the same file it calls. An unlabelled call
//   fails this test, so a new call cannot slip past the policies.
// - sts:AssumeRoleWithWebIdentity (packages/aws) belongs to the trust policy,
//   never to a permission policy.
// Policy files: iam/<action>.json plus optional parts iam/<action>-<part>.json
// (e.g. -kms, -ecs); their union is compared. Trust-policy templates and the
// release record the example workflows keep (release-record.json, checked
// against the `aws` CLI calls in the workflows' run scripts) are checked too.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const IAM_DIR = path.join(ROOT, 'workflows-examples/iam');
const WORKFLOWS_DIR = path.join(ROOT, 'workflows-examples');

/** IAM service prefix of each AWS SDK client package. */
const CLIENT_PREFIX: Record<string, string> = {
  '@aws-sdk/client-apprunner': 'apprunner',
  '@aws-sdk/client-cloudfront': 'cloudfront',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sts': 'sts',
};
/** What lib-storage's Upload sends (a multipart upload, aborted on failure). */
const UPLOAD_OPERATIONS = [
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
];
const TRUST_ACTION = /^sts:AssumeRole/;

// --- the code -----------------------------------------------------------------

interface Site {
  file: string;
  line: number;
}
interface Send extends Site {
  prefix: string;
  operation: string;
  /** The top-level function or method the call sits in. */
  labels: Set<string>;
}
interface Label extends Site {
  action: string;
  resource: string | undefined;
}
interface TableEntry {
  table: string;
  /** `*` in the table: a permission AWS checks on the caller's behalf, not a call of ours. */
  implicit: boolean;
  operation: string | undefined;
  actions: string[];
  resource: string | undefined;
}
export interface CodeCalls {
  sends: Send[];
  labels: Label[];
  /** Client prefixes the code imports. */
  clients: Set<string>;
  problems: string[];
}

function lineOf(node: ts.Node): number {
  const source = node.getSourceFile();
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

function propertyName(node: ts.PropertyAssignment): string | undefined {
  return ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) ? node.name.text : undefined;
}

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node)
  );
}

/** The outermost function (or method) around a node: the unit a label must sit in. */
function outermostFunction(node: ts.Node): ts.Node | undefined {
  let found: ts.Node | undefined;
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionLike(current)) found = current;
  }
  return found;
}

/**
 * Reads one source file: the SDK commands it sends, the `action: 'svc:Op'`
 * labels it writes, and for each send the labels of its function (and of the
 * same-file helpers that function calls).
 */
export function analyzeSource(file: string, text: string): CodeCalls {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const result: CodeCalls = { sends: [], labels: [], clients: new Set(), problems: [] };
  const imports = new Map<string, { module: string; name: string }>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier))
      continue;
    const module = statement.moduleSpecifier.text;
    if (!module.startsWith('@aws-sdk/')) continue;
    if (module.startsWith('@aws-sdk/client-')) {
      const prefix = CLIENT_PREFIX[module];
      if (prefix === undefined) {
        result.problems.push(
          `${file}: imports ${module}; add its IAM prefix to CLIENT_PREFIX in this test`,
        );
      } else result.clients.add(prefix);
    }
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) {
        imports.set(element.name.text, {
          module,
          name: (element.propertyName ?? element.name).text,
        });
      }
    }
  }

  // Labels, and the functions of the file by name (for one level of helpers).
  const functionsByName = new Map<string, ts.Node[]>();
  const labelNodes: { node: ts.Node; label: Label }[] = [];
  const sendNodes: { node: ts.Node; prefix: string; operation: string }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) {
      const name = ts.isIdentifier(node.name) ? node.name.text : undefined;
      if (name) functionsByName.set(name, [...(functionsByName.get(name) ?? []), node]);
    }
    if (
      ts.isPropertyAssignment(node) &&
      propertyName(node) === 'action' &&
      ts.isStringLiteralLike(node.initializer) &&
      /^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(node.initializer.text)
    ) {
      const siblings = ts.isObjectLiteralExpression(node.parent) ? [...node.parent.properties] : [];
      const resource = siblings
        .filter(ts.isPropertyAssignment)
        .find((p) => propertyName(p) === 'resource' && ts.isStringLiteralLike(p.initializer));
      const label: Label = {
        file,
        line: lineOf(node),
        action: node.initializer.text,
        resource: resource ? (resource.initializer as ts.StringLiteralLike).text : undefined,
      };
      labelNodes.push({ node, label });
      result.labels.push(label);
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      const imported = imports.get(node.expression.text);
      const prefix = imported ? CLIENT_PREFIX[imported.module] : undefined;
      if (imported && prefix && imported.name.endsWith('Command')) {
        sendNodes.push({ node, prefix, operation: imported.name.slice(0, -'Command'.length) });
      }
      if (imported?.module === '@aws-sdk/lib-storage' && imported.name === 'Upload') {
        for (const operation of UPLOAD_OPERATIONS)
          sendNodes.push({ node, prefix: 's3', operation });
      }
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const imported = imports.get(node.expression.text);
      const prefix = imported ? CLIENT_PREFIX[imported.module] : undefined;
      if (imported && prefix && imported.name.startsWith('paginate')) {
        sendNodes.push({ node, prefix, operation: imported.name.slice('paginate'.length) });
      } else if (imported && prefix && imported.name.startsWith('waitUntil')) {
        result.problems.push(
          `${file}:${lineOf(node)}: ${imported.name} sends calls this test cannot see; poll with labelled calls instead`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);

  const within = (inner: ts.Node, outer: ts.Node) =>
    inner.getStart(source) >= outer.getStart(source) && inner.getEnd() <= outer.getEnd();
  const labelsIn = (scope: ts.Node): Set<string> =>
    new Set(labelNodes.filter(({ node }) => within(node, scope)).map(({ label }) => label.action));
  const helpersCalledIn = (scope: ts.Node): ts.Node[] => {
    const helpers: ts.Node[] = [];
    const walk = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const name = ts.isIdentifier(callee)
          ? callee.text
          : ts.isPropertyAccessExpression(callee) &&
              callee.expression.kind === ts.SyntaxKind.ThisKeyword
            ? callee.name.text
            : undefined;
        if (name) helpers.push(...(functionsByName.get(name) ?? []));
      }
      ts.forEachChild(node, walk);
    };
    walk(scope);
    return helpers;
  };

  for (const { node, prefix, operation } of sendNodes) {
    const scope = outermostFunction(node);
    const labels = new Set<string>();
    if (scope) {
      labelsIn(scope).forEach((action) => labels.add(action));
      for (const helper of helpersCalledIn(scope)) {
        labelsIn(helper).forEach((action) => labels.add(action));
      }
    }
    result.sends.push({ file, line: lineOf(node), prefix, operation, labels });
  }
  return result;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

const relative = (file: string) => path.relative(ROOT, file);

/** The source folders an action bundles: its src/ and every @deploy-actions package it reaches. */
function bundledDirs(action: string): string[] {
  const dirs = [path.join(ROOT, 'actions', action, 'src')];
  for (let i = 0; i < dirs.length; i++) {
    for (const file of sourceFiles(dirs[i]!)) {
      const text = readFileSync(file, 'utf8');
      for (const [, name] of text.matchAll(/from '@deploy-actions\/([a-z0-9-]+)/g)) {
        const dir = path.join(ROOT, 'packages', name!, 'src');
        if (!dirs.includes(dir)) dirs.push(dir);
      }
    }
  }
  return dirs;
}

/** Exported `*_CALLS` / `*_PERMISSIONS` tables of a source folder, normalised. */
async function tablesOf(dir: string): Promise<TableEntry[]> {
  const entries: TableEntry[] = [];
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const names = [...text.matchAll(/^export const ([A-Z0-9_]+(?:_CALLS|_PERMISSIONS))\b/gm)].map(
      (m) => m[1]!,
    );
    if (names.length === 0) continue;
    const module = (await import(file)) as Record<string, unknown>;
    for (const name of names) {
      const value = module[name];
      const items: [string | undefined, unknown][] = Array.isArray(value)
        ? value.map((item) => [undefined, item])
        : Object.entries(value as object);
      for (const [key, item] of items) {
        const entry = item as {
          action?: string;
          actions?: readonly string[];
          operation?: string;
          resource?: string;
        };
        const actions = entry.actions ? [...entry.actions] : entry.action ? [entry.action] : [];
        if (actions.length === 0)
          throw new Error(`${relative(file)}: ${name} has an entry without action(s)`);
        const operation = entry.operation === '*' ? undefined : (entry.operation ?? key);
        entries.push({
          table: `${relative(file)} ${name}`,
          implicit: entry.operation === '*',
          operation,
          actions,
          resource: entry.resource,
        });
      }
    }
  }
  return entries;
}

interface Derived {
  /** IAM action → where in the code it comes from. */
  actions: Map<string, string>;
  /** Actions the code says take no resource (`*`). */
  starResource: Set<string>;
  trust: Set<string>;
  tableActions: Map<string, Set<string>>;
  problems: string[];
  dirs: string[];
}

const prefixOf = (action: string) => action.split(':')[0]!;

/** The SDK operation a table entry stands for; undefined for permissions AWS checks on the caller's behalf. */
function tableOperation(entry: TableEntry, clients: Set<string>): string | undefined {
  if (entry.implicit) return undefined;
  const named = entry.operation;
  if (named !== undefined && /^[A-Za-z0-9]+$/.test(named)) return named;
  const action =
    named !== undefined && /^[a-z0-9-]+:[A-Za-z0-9]+$/.test(named)
      ? named
      : named === undefined && entry.actions.length === 1
        ? entry.actions[0]!
        : undefined;
  // `svc:Op` of a client the code uses is that operation.
  return action !== undefined && clients.has(prefixOf(action)) ? action.split(':')[1] : undefined;
}

async function deriveAction(action: string): Promise<Derived> {
  const dirs = bundledDirs(action);
  const derived: Derived = {
    actions: new Map(),
    starResource: new Set(),
    trust: new Set(),
    tableActions: new Map(),
    problems: [],
    dirs,
  };
  const calls: CodeCalls = { sends: [], labels: [], clients: new Set(), problems: [] };
  const table: TableEntry[] = [];
  for (const dir of dirs) {
    for (const file of sourceFiles(dir)) {
      const one = analyzeSource(relative(file), readFileSync(file, 'utf8'));
      calls.sends.push(...one.sends);
      calls.labels.push(...one.labels);
      one.clients.forEach((c) => calls.clients.add(c));
      calls.problems.push(...one.problems);
    }
    table.push(...(await tablesOf(dir)));
  }
  derived.problems.push(...calls.problems);
  const add = (iamAction: string, where: string) => {
    if (!derived.actions.has(iamAction)) derived.actions.set(iamAction, where);
  };

  // Table entries: declared calls, and permissions AWS checks on the caller's behalf.
  for (const entry of table) {
    for (const iamAction of entry.actions) {
      add(iamAction, entry.table);
      if (entry.resource === '*') derived.starResource.add(iamAction);
      const set = derived.tableActions.get(entry.table) ?? new Set<string>();
      set.add(iamAction);
      derived.tableActions.set(entry.table, set);
    }
  }
  for (const send of calls.sends) {
    const where = `${send.file}:${send.line}`;
    const declared = table.some(
      (entry) =>
        tableOperation(entry, calls.clients) === send.operation &&
        entry.actions.some((a) => prefixOf(a) === send.prefix),
    );
    const expected = `${send.prefix}:${send.operation}`;
    if (send.labels.has(expected)) add(expected, where);
    else if (!declared) {
      derived.problems.push(
        `${where} sends ${send.operation} without a label: wrap it in callAws({ action: '${expected}', … }) ` +
          `(or translateAwsError with that action), or declare it in the engine's *_CALLS table` +
          (send.labels.size ? ` (labels in that function: ${[...send.labels].join(', ')})` : ''),
      );
    }
  }
  // Every label names a call the code makes (catches typos and stale labels).
  for (const label of calls.labels) {
    const made =
      derived.actions.has(label.action) ||
      calls.sends.some((send) => `${send.prefix}:${send.operation}` === label.action);
    if (!made) {
      derived.problems.push(
        `${label.file}:${label.line} labels ${label.action}, but no SDK call of ${action} is that action`,
      );
    }
    if (label.resource === '*') derived.starResource.add(label.action);
  }
  // Every table entry for a client the code uses is a call it makes.
  for (const entry of table) {
    const operation = tableOperation(entry, calls.clients);
    if (operation === undefined) continue; // checked by AWS on the caller's behalf
    const prefixes = new Set(entry.actions.map(prefixOf));
    if (!calls.sends.some((send) => send.operation === operation && prefixes.has(send.prefix))) {
      derived.problems.push(`${entry.table} declares ${operation}, which the code never sends`);
    }
  }
  for (const iamAction of [...derived.actions.keys()]) {
    if (TRUST_ACTION.test(iamAction)) {
      derived.actions.delete(iamAction);
      derived.trust.add(iamAction);
    }
  }
  return derived;
}

// --- the policies -------------------------------------------------------------

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Principal?: { Federated?: string };
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function readPolicy(file: string): PolicyDocument {
  return JSON.parse(readFileSync(path.join(IAM_DIR, file), 'utf8')) as PolicyDocument;
}

const PLACEHOLDER =
  /\b(ACCOUNT_ID|REGION|REPOSITORY|SERVICE_NAME|BUCKET|PREFIX|DISTRIBUTION_ID|SECRET_NAME|CLUSTER|TASK_FAMILY|LOG_GROUP|STREAM_PREFIX|CONTAINER|KMS_KEY_ID|[A-Z_]+_ROLE_NAME|[A-Z_]+_NAME)\b/;

/** Shape problems of a permission policy: Allow only, no wildcard actions, placeholders, `*` only where the code says so. */
function permissionPolicyProblems(file: string, starResource: Set<string>): string[] {
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

const policyActions = (file: string): Set<string> =>
  new Set(readPolicy(file).Statement.flatMap((s) => asList(s.Action)));

/** Actions with src/ (the root `deploy` action counts once its code exists). */
function actionsWithCode(): string[] {
  return readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
    .filter(
      (e) =>
        e.isDirectory() &&
        existsSync(path.join(ROOT, 'actions', e.name, 'src/index.ts')) &&
        existsSync(path.join(ROOT, e.name === 'deploy' ? '' : `actions/${e.name}`, 'action.yml')),
    )
    .map((e) => e.name)
    .sort();
}

const iamFiles = () =>
  readdirSync(IAM_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();

/**
 * The root action (action.yml at the repository root, code in actions/deploy)
 * runs every stage with one role: that role gets the stages' policies, so its
 * calls are checked against all of them together, with no file of its own.
 */
const ROOT_ACTION = 'deploy';

/** The policy files of an action: <action>.json and <action>-<part>.json, by the longest action name. */
function policyFilesOf(action: string, actions: string[]): string[] {
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

function diffMessage(
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

const ACTIONS = actionsWithCode();

test('the actions are found, with their code', () => {
  expect(ACTIONS).toEqual(expect.arrayContaining(['build-push-ecr', 'smoke-test']));
});

describe.each(ACTIONS)('%s', (action) => {
  test('every AWS call in its code is labelled or declared', async () => {
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

test('every file in iam/ is an action policy, a trust-policy template or the release record', () => {
  const owned = new Set(ACTIONS.flatMap((a) => policyFilesOf(a, ACTIONS)));
  expect(iamFiles()).not.toContain(`${ROOT_ACTION}.json`);
  const known = new Set([...TRUST_TEMPLATES.map((t) => t.file), 'release-record.json']);
  expect(iamFiles().filter((f) => !owned.has(f) && !known.has(f))).toEqual([]);
});

const TRUST_TEMPLATES = [
  { file: 'trust-policy-branch.json', sub: 'repo:ORG/REPO:ref:refs/heads/main' },
  { file: 'trust-policy-environment.json', sub: 'repo:ORG/REPO:environment:production' },
  { file: 'trust-policy-pull-request.json', sub: 'repo:ORG/REPO:pull_request' },
];

describe.each(TRUST_TEMPLATES)('$file', ({ file, sub }) => {
  test('trusts GitHub OIDC for exactly one subject, audience sts.amazonaws.com, with the action the code calls', async () => {
    const trust = new Set<string>();
    for (const action of ACTIONS) (await deriveAction(action)).trust.forEach((a) => trust.add(a));
    expect([...trust]).toEqual(['sts:AssumeRoleWithWebIdentity']);

    const policy = readPolicy(file);
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement;
    expect(statement!.Effect).toBe('Allow');
    expect(asList(statement!.Action)).toEqual([...trust]);
    expect(statement!.Principal?.Federated).toBe(
      'arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com',
    );
    // StringEquals only: a StringLike sub with a wildcard trusts every branch or fork.
    expect(statement!.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': sub,
      },
    });
  });
});

test('the OIDC provider template registers token.actions.githubusercontent.com for sts.amazonaws.com', () => {
  const text = readFileSync(path.join(IAM_DIR, 'github-oidc-provider.yml'), 'utf8');
  const template = parseYaml(text, {
    customTags: [{ tag: '!Ref', resolve: (value: string) => ({ Ref: value }) }],
  }) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const providers = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::IAM::OIDCProvider',
  );
  expect(providers).toHaveLength(1);
  expect(providers[0]!.Properties).toMatchObject({
    Url: 'https://token.actions.githubusercontent.com',
    ClientIdList: ['sts.amazonaws.com'],
  });
  expect(text).toContain('aws iam create-open-id-connect-provider');
});

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

// --- the analysis itself can fail -----------------------------------------------

describe('the call analysis', () => {
  const header =
    "import { DescribeImagesCommand, paginateListImages } from '@aws-sdk/client-ecr';\n";

  test('sees a labelled call, in the function or in a same-file helper', () => {
    const direct = analyzeSource(
      'a.ts',
      header +
        "async function f(ecr) { return callAws({ action: 'ecr:DescribeImages', resource: '*' }, () => ecr.send(new DescribeImagesCommand({}))); }",
    );
    expect(direct.sends).toHaveLength(1);
    expect([...direct.sends[0]!.labels]).toEqual(['ecr:DescribeImages']);
    expect(direct.labels[0]!.resource).toBe('*');
    const helper = analyzeSource(
      'b.ts',
      header +
        'class A { async f() { try { await this.c.send(new DescribeImagesCommand({})); } catch (e) { throw this.explain(e); } }\n' +
        "  explain(e) { return translateAwsError(e, { action: 'ecr:DescribeImages' }); } }",
    );
    expect([...helper.sends[0]!.labels]).toEqual(['ecr:DescribeImages']);
  });

  test('sees an unlabelled call and a paginator', () => {
    const calls = analyzeSource(
      'c.ts',
      header +
        'async function f(ecr) { await ecr.send(new DescribeImagesCommand({})); for await (const p of paginateListImages({ client: ecr }, {})) {} }',
    );
    expect(calls.sends.map((s) => [s.operation, s.labels.size])).toEqual([
      ['DescribeImages', 0],
      ['ListImages', 0],
    ]);
  });

  test('a policy that allows too much or too little is reported', () => {
    const message = diffMessage(
      'x',
      ['x.json'],
      new Map([['ecr:DescribeImages', 'a.ts:1']]),
      new Set(['ecr:PutImage']),
      [],
    );
    expect(message).toContain('missing: ecr:DescribeImages');
    expect(message).toContain('extra:   ecr:PutImage');
  });
});
