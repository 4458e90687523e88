// The least-privilege policies in workflows-examples/iam/ allow exactly the AWS
// calls each action's code makes: no more, no fewer.
//
// The calls come from the engines' call tables (defineCalls in packages/aws:
// one AwsCall per operation the engine sends, plus the permissions AWS checks
// on the caller's behalf, such as iam:PassRole, marked `operation: '*'`):
// - an action bundles its src/ and the @deploy-actions packages it imports
//   (transitively); its policy is the union of those packages' tables, which
//   each package exports from its index;
// - every AWS SDK command those sources send (`new XCommand(`, `paginateX(`,
//   lib-storage's `new Upload(`) goes through the typed helper,
//   `callWith(TABLE, 'X', …)` (or a wrapper of it whose name parameter is a
//   `CallName<typeof TABLE>`), which names the entry's IAM action on
//   AccessDenied; the type system keeps 'X' a call of TABLE, this test that it
//   is the command sent and of the entry's service;
// - every call of a table is sent somewhere, so a stale entry fails too.
// - sts:AssumeRoleWithWebIdentity (packages/aws) belongs to the trust policy,
//   never to a permission policy; it is the one call outside a table.
// Policy files: iam/<action>.json plus optional parts iam/<action>-<part>.json
// (e.g. -kms, -ecs); their union is compared. Trust-policy templates and the
// release record the example workflows keep (release-record.json, checked
// against the `aws` CLI calls in the workflows' run scripts) are checked too.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { defineCalls, isCallTable, type AwsCallTable } from '@deploy-actions/aws';
import { actionPaths } from '../../tools/runner/index.mjs';

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
/** The helper every call goes through; wrappers of it are found by their `CallName<typeof T>` parameter. */
const HELPER = 'callWith';
const WRAPPER_PARAMETER = /^CallName<typeof ([A-Za-z0-9_]+)>$/;

// --- the code -----------------------------------------------------------------

interface Send {
  file: string;
  line: number;
  prefix: string;
  operation: string;
  /** lib-storage's Upload: the four multipart operations, through one of their entries. */
  upload: boolean;
  /** The helper call around it: the table's exported name and the entry named. */
  via: { table: string; name: string } | undefined;
}
export interface SourceCalls {
  sends: Send[];
  problems: string[];
}

function lineOf(node: ts.Node): number {
  const source = node.getSourceFile();
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/**
 * Reads one source file: the SDK commands it sends and, for each, the helper
 * call it sits in (`callWith(TABLE, 'Op', …)` or a wrapper's `w('Op', …)`).
 */
export function analyzeSource(file: string, text: string): SourceCalls {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const result: SourceCalls = { sends: [], problems: [] };
  const imports = new Map<string, { module: string; name: string }>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier))
      continue;
    const module = statement.moduleSpecifier.text;
    if (module.startsWith('@aws-sdk/client-') && CLIENT_PREFIX[module] === undefined) {
      result.problems.push(
        `${file}: imports ${module}; add its IAM prefix to CLIENT_PREFIX in this test`,
      );
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
  const exported = (local: string) => imports.get(local)?.name ?? local;

  // Wrappers of the helper: functions with a `CallName<typeof TABLE>` parameter.
  const wrappers = new Map<string, { table: string; index: number }>();
  const findWrappers = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) {
      node.parameters.forEach((parameter, index) => {
        const match = parameter.type && WRAPPER_PARAMETER.exec(parameter.type.getText(source));
        if (match) wrappers.set(node.name!.getText(source), { table: exported(match[1]!), index });
      });
    }
    ts.forEachChild(node, findWrappers);
  };
  findWrappers(source);

  /** The helper call a send sits in, or undefined. */
  const viaOf = (node: ts.Node, site: string): Send['via'] => {
    for (let current = node.parent; current; current = current.parent) {
      if (!ts.isCallExpression(current)) continue;
      const name = calleeName(current);
      const wrapper = name === undefined ? undefined : wrappers.get(name);
      let table: string | undefined;
      let key: ts.Expression | undefined;
      if (name === HELPER) {
        const first = current.arguments[0];
        table = first && ts.isIdentifier(first) ? exported(first.text) : undefined;
        key = current.arguments[1];
      } else if (wrapper) {
        table = wrapper.table;
        key = current.arguments[wrapper.index];
      } else continue;
      if (table === undefined || key === undefined || !ts.isStringLiteralLike(key)) {
        result.problems.push(
          `${site}: ${name}(…) must name its table and entry as written constants, e.g. callWith(ECR_CALLS, 'PutImage', …)`,
        );
        return undefined;
      }
      return { table, name: key.text };
    }
    return undefined;
  };

  const visit = (node: ts.Node): void => {
    const site = () => `${file}:${lineOf(node)}`;
    const add = (prefix: string, operation: string, upload: boolean) =>
      result.sends.push({
        file,
        line: lineOf(node),
        prefix,
        operation,
        upload,
        via: viaOf(node, site()),
      });
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      const imported = imports.get(node.expression.text);
      const prefix = imported ? CLIENT_PREFIX[imported.module] : undefined;
      if (imported && prefix && imported.name.endsWith('Command')) {
        add(prefix, imported.name.slice(0, -'Command'.length), false);
      }
      if (imported?.module === '@aws-sdk/lib-storage' && imported.name === 'Upload') {
        add('s3', UPLOAD_OPERATIONS[0]!, true);
      }
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const imported = imports.get(node.expression.text);
      const prefix = imported ? CLIENT_PREFIX[imported.module] : undefined;
      if (imported && prefix && imported.name.startsWith('paginate')) {
        add(prefix, imported.name.slice('paginate'.length), false);
      } else if (imported && prefix && imported.name.startsWith('waitUntil')) {
        result.problems.push(
          `${site()}: ${imported.name} sends calls this test cannot see; poll with calls of the table instead`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
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

/** A table as the code names it: its exported name, and where it is exported. */
export interface Tables {
  byName: Map<string, AwsCallTable>;
  /** `packages/x/src/index.ts NAME`, by exported name. */
  where: Map<string, string>;
  problems: string[];
}

/**
 * The call tables of source folders: what each package's index exports that
 * defineCalls made. Every `defineCalls(` of a package must be such an export.
 */
async function tablesOf(dirs: string[]): Promise<Tables> {
  const tables: Tables = { byName: new Map(), where: new Map(), problems: [] };
  for (const dir of dirs) {
    const declared = sourceFiles(dir).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const named = [...text.matchAll(/^export const (\w+) = defineCalls\(/gm)].map((m) => m[1]!);
      if (named.length !== [...text.matchAll(/defineCalls\(/g)].length) {
        tables.problems.push(
          `${relative(file)}: declare each table as \`export const NAME = defineCalls(…)\``,
        );
      }
      return named;
    });
    if (declared.length === 0) continue;
    const index = path.join(dir, 'index.ts');
    if (!dir.startsWith(path.join(ROOT, 'packages'))) {
      tables.problems.push(
        `${relative(dir)} declares call tables (${declared.join(', ')}): tables live in the engines (packages/), so the root action reaches them`,
      );
      continue;
    }
    const module = (await import(index)) as Record<string, unknown>;
    for (const name of declared) {
      const table = module[name];
      if (!isCallTable(table)) {
        tables.problems.push(
          `${relative(dir)} declares ${name}, but its index.ts does not export it`,
        );
        continue;
      }
      if (tables.byName.has(name) && tables.byName.get(name) !== table) {
        tables.problems.push(`two packages export a call table named ${name}`);
      }
      tables.byName.set(name, table);
      tables.where.set(name, `${relative(index)} ${name}`);
    }
  }
  return tables;
}

interface Derived {
  /** IAM action → the table entry it comes from. */
  actions: Map<string, string>;
  /** Actions the tables say take no resource (`*`). */
  starResource: Set<string>;
  trust: Set<string>;
  /** Each table's actions, by `packages/x/src/index.ts NAME`. */
  tableActions: Map<string, Set<string>>;
  problems: string[];
  dirs: string[];
}

const prefixOf = (action: string) => action.split(':')[0]!;

/**
 * The calls of an action's code checked against its tables: every send goes
 * through the helper with its own entry, every entry is sent, and the policy
 * is the tables' actions (with the trust call set apart).
 */
export function derive(calls: SourceCalls, tables: Tables, dirs: string[] = []): Derived {
  const derived: Derived = {
    actions: new Map(),
    starResource: new Set(),
    trust: new Set(),
    tableActions: new Map(),
    problems: [...calls.problems, ...tables.problems],
    dirs,
  };
  const label = (name: string) => tables.where.get(name) ?? name;

  for (const [name, table] of tables.byName) {
    const actions = new Set<string>();
    for (const [key, entry] of Object.entries(table)) {
      if (entry.operation !== '*' && entry.operation !== key) {
        derived.problems.push(`${label(name)}: entry ${key} is operation ${entry.operation}`);
      }
      for (const action of entry.actions) {
        if (prefixOf(action) !== entry.service) {
          derived.problems.push(
            `${label(name)}: entry ${key} needs ${action}, not of its service ${entry.service}`,
          );
        }
        actions.add(action);
        if (!derived.actions.has(action)) derived.actions.set(action, `${label(name)}.${key}`);
        if (entry.resource === '*') derived.starResource.add(action);
      }
    }
    derived.tableActions.set(label(name), actions);
  }

  const sent = new Set<string>();
  for (const send of calls.sends) {
    const where = `${send.file}:${send.line}`;
    const action = `${send.prefix}:${send.operation}`;
    if (TRUST_ACTION.test(action) && send.file.startsWith('packages/aws/')) {
      derived.trust.add(action);
      continue;
    }
    if (send.via === undefined) {
      derived.problems.push(
        `${where} sends ${send.operation} outside ${HELPER}: send it as ${HELPER}(<TABLE>, '${send.operation}', …) so its table entry declares it and names its IAM action`,
      );
      continue;
    }
    const table = tables.byName.get(send.via.table);
    const entry = table?.[send.via.name];
    const names = send.upload ? UPLOAD_OPERATIONS : [send.operation];
    if (!table) {
      derived.problems.push(
        `${where} sends ${send.operation} through ${send.via.table}, which is no call table of this code (export const ${send.via.table} = defineCalls(…) from its package's index)`,
      );
    } else if (!entry || entry.operation === '*' || !names.includes(send.via.name)) {
      derived.problems.push(
        `${where} sends ${send.operation} through ${label(send.via.table)}'s entry '${send.via.name}', not its own: declare ${send.operation} and name it`,
      );
    } else if (entry.service !== send.prefix) {
      derived.problems.push(
        `${where} sends ${send.prefix}:${send.operation}, but ${label(send.via.table)}.${send.via.name} is of service ${entry.service}`,
      );
    } else {
      for (const name of names) if (table[name]) sent.add(`${send.via.table}.${name}`);
    }
  }
  for (const [name, table] of tables.byName) {
    for (const [key, entry] of Object.entries(table)) {
      if (entry.operation !== '*' && !sent.has(`${name}.${key}`)) {
        derived.problems.push(`${label(name)} declares ${key}, which the code never sends`);
      }
    }
  }
  return derived;
}

const derivedActions = new Map<string, Promise<Derived>>();

/** The calls of an action, from its code and the tables it reaches (read once per action). */
function deriveAction(action: string): Promise<Derived> {
  let derived = derivedActions.get(action);
  if (!derived) {
    derived = (async () => {
      const dirs = bundledDirs(action);
      const calls: SourceCalls = { sends: [], problems: [] };
      for (const file of dirs.flatMap(sourceFiles)) {
        const one = analyzeSource(relative(file), readFileSync(file, 'utf8'));
        calls.sends.push(...one.sends);
        calls.problems.push(...one.problems);
      }
      return derive(calls, await tablesOf(dirs), dirs);
    })();
    derivedActions.set(action, derived);
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
        existsSync(actionPaths(e.name, ROOT).metadata),
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
  test('every AWS call in its code goes through its own table entry, and every entry is sent', async () => {
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

test.each(ACTIONS.filter((a) => a !== ROOT_ACTION && a !== 'smoke-test'))(
  "the root action's README names exactly %s's policy actions in its IAM table",
  (stage) => {
    const readme = readFileSync(path.join(ROOT, 'actions/deploy/README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## IAM permissions'));
    const row = table.split('\n').find((line) => line.startsWith(`| ${stage} `));
    if (!row) throw new Error(`actions/deploy/README.md's IAM table has no row for ${stage}`);
    const named = new Set([...row.matchAll(/`([a-z0-9-]+:[A-Za-z*]+)`/g)].map((m) => m[1]!));
    const allowed = new Set(policyFilesOf(stage, ACTIONS).flatMap((f) => [...policyActions(f)]));
    expect([...named].sort()).toEqual([...allowed].sort());
  },
);

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

test("the tables live in the engines, so the root action derives every stage's", async () => {
  const root = await deriveAction(ROOT_ACTION);
  for (const action of ACTIONS) {
    const tables = [...(await deriveAction(action)).tableActions.keys()];
    // An action's own src/ holds no table: the root action, which bundles the engines but
    // not the other actions, would miss it (and pass only where another table overlaps).
    expect([action, tables.filter((t) => !t.startsWith('packages/'))]).toEqual([action, []]);
    const own = sourceFiles(path.join(ROOT, 'actions', action, 'src')).filter((f) =>
      readFileSync(f, 'utf8').includes('defineCalls('),
    );
    expect([action, own.map(relative)]).toEqual([action, []]);
    expect([action, tables.filter((t) => !root.tableActions.has(t))]).toEqual([action, []]);
  }
  // kms:Decrypt, which Secrets Manager checks as the caller, comes from the migrate engine's
  // table, not only from the S3 one that happens to grant it too.
  const migrate = [...root.tableActions].filter(([t]) => t.startsWith('packages/migrate/'));
  expect(migrate.some(([, actions]) => actions.has('kms:Decrypt'))).toBe(true);
});

test('every file in iam/ is an action policy, a trust-policy template or the release record', () => {
  const owned = new Set(ACTIONS.flatMap((a) => policyFilesOf(a, ACTIONS)));
  expect(iamFiles()).not.toContain(`${ROOT_ACTION}.json`);
  const known = new Set([...TRUST_TEMPLATES.map((t) => t.file), 'release-record.json']);
  expect(iamFiles().filter((f) => !owned.has(f) && !known.has(f))).toEqual([]);
});

const TRUST_TEMPLATES: { file: string; sub: string; like?: Record<string, string> }[] = [
  { file: 'trust-policy-branch.json', sub: 'repo:ORG/REPO:ref:refs/heads/main' },
  { file: 'trust-policy-environment.json', sub: 'repo:ORG/REPO:environment:production' },
  // A pull_request_target job gets the same sub but runs with the base branch's ref.
  {
    file: 'trust-policy-pull-request.json',
    sub: 'repo:ORG/REPO:pull_request',
    like: { 'token.actions.githubusercontent.com:ref': 'refs/pull/*/merge' },
  },
];

describe.each(TRUST_TEMPLATES)('$file', ({ file, sub, like }) => {
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
    // sub and aud with StringEquals only: a StringLike sub with a wildcard trusts every branch
    // or fork. StringLike narrows further, never in place of the exact sub.
    expect(statement!.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': sub,
      },
      ...(like && { StringLike: like }),
    });
  });

  test('conditions only on claims AWS STS evaluates for GitHub (any other key never matches)', () => {
    const [statement] = readPolicy(file).Statement;
    const keys = Object.values(statement!.Condition ?? {}).flatMap((c) => Object.keys(c));
    const prefix = 'token.actions.githubusercontent.com:';
    expect(keys.filter((key) => !STS_GITHUB_CLAIMS.has(key.slice(prefix.length)))).toEqual([]);
    expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
  });
});

/**
 * The GitHub claims AWS STS can condition on: the standard aud and sub, and the
 * provider-specific keys added in 2026 (AWS What's New, "AWS STS supports
 * validation of identity provider claims"). event_name is not among them.
 */
const STS_GITHUB_CLAIMS = new Set([
  'aud',
  'sub',
  'actor',
  'actor_id',
  'job_workflow_ref',
  'repository',
  'repository_id',
  'workflow',
  'ref',
  'environment',
  'enterprise_id',
]);

/** StringEquals and StringLike as IAM evaluates them on single-valued claims. */
function trustAllows(policy: ReturnType<typeof readPolicy>, claims: Record<string, string>) {
  const [statement] = policy.Statement;
  return Object.entries(statement!.Condition ?? {}).every(([operator, conditions]) =>
    Object.entries(conditions).every(([key, wanted]) => {
      const claim = claims[key.replace('token.actions.githubusercontent.com:', '')];
      if (claim === undefined) return false;
      if (operator === 'StringEquals') return claim === wanted;
      if (operator === 'StringLike') {
        const pattern = String(wanted)
          .split('*')
          .map((part) => part.replace(/[.+^${}()|[\]\\?]/g, '\\$&'))
          .join('.*');
        return new RegExp(`^${pattern}$`).test(claim);
      }
      throw new Error(`${operator} is not evaluated here`);
    }),
  );
}

test('the pull-request role trusts a pull_request job, not a pull_request_target job with the same sub', () => {
  const policy = readPolicy('trust-policy-pull-request.json');
  const token = { aud: 'sts.amazonaws.com', sub: 'repo:ORG/REPO:pull_request' };
  // pull_request runs the merge ref; pull_request_target runs the base branch, with its secrets.
  expect(trustAllows(policy, { ...token, ref: 'refs/pull/42/merge' })).toBe(true);
  expect(trustAllows(policy, { ...token, ref: 'refs/heads/main' })).toBe(false);
  expect(
    trustAllows(policy, {
      ...token,
      sub: 'repo:OTHER/REPO:pull_request',
      ref: 'refs/pull/42/merge',
    }),
  ).toBe(false);
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
    "import { DescribeImagesCommand, PutImageCommand, paginateListImages } from '@aws-sdk/client-ecr';\n" +
    "import { callWith, type CallName } from '@deploy-actions/aws';\n" +
    "import { IMAGE_CALLS } from './calls.js';\n";
  const entry = <const O extends string>(
    service: string,
    operation: O,
    actions: [string, ...string[]],
  ) => ({
    service,
    operation,
    actions,
    resource: operation === 'DescribeImages' ? '*' : 'arn:aws:ecr:REGION:ACCOUNT_ID:repository/R',
    when: 'always',
  });
  /** A table, as an engine's calls.ts declares it. */
  const IMAGE_CALLS = defineCalls({
    DescribeImages: entry('ecr', 'DescribeImages', ['ecr:DescribeImages']),
    PutImage: entry('ecr', 'PutImage', ['ecr:PutImage']),
    ListImages: entry('ecr', 'ListImages', ['ecr:ListImages']),
    RepositoryKey: entry('kms', '*', ['kms:Decrypt']),
  });
  const tables = (extra: Record<string, AwsCallTable> = {}): Tables => {
    const byName = new Map<string, AwsCallTable>(Object.entries({ IMAGE_CALLS, ...extra }));
    return {
      byName,
      where: new Map([...byName.keys()].map((n) => [n, `calls.ts ${n}`])),
      problems: [],
    };
  };
  const problemsOf = (code: string, extra?: Record<string, AwsCallTable>) =>
    derive(analyzeSource('a.ts', header + code), tables(extra)).problems;
  /** Every call of IMAGE_CALLS, through the helper (lines 4 and 5). */
  const all =
    "async function p(ecr) { await callWith(IMAGE_CALLS, 'PutImage', {}, () => ecr.send(new PutImageCommand({}))); " +
    "await callWith(IMAGE_CALLS, 'ListImages', {}, async () => { for await (const p of paginateListImages({ client: ecr }, {})) {} }); }\n" +
    "async function d(ecr) { return callWith(IMAGE_CALLS, 'DescribeImages', {}, () => ecr.send(new DescribeImagesCommand({}))); }\n";

  test('a code whose every call goes through its entry passes; the policy is the table', () => {
    const calls = analyzeSource('a.ts', header + all);
    expect(calls.sends.map((s) => [s.operation, s.via])).toEqual([
      ['PutImage', { table: 'IMAGE_CALLS', name: 'PutImage' }],
      ['ListImages', { table: 'IMAGE_CALLS', name: 'ListImages' }],
      ['DescribeImages', { table: 'IMAGE_CALLS', name: 'DescribeImages' }],
    ]);
    const derived = derive(calls, tables());
    expect(derived.problems).toEqual([]);
    expect([...derived.actions.keys()].sort()).toEqual([
      'ecr:DescribeImages',
      'ecr:ListImages',
      'ecr:PutImage',
      'kms:Decrypt',
    ]);
    expect([...derived.starResource]).toEqual(['ecr:DescribeImages']);
  });

  test('a send or a paginator outside the helper fails, even for a declared call', () => {
    const problems = problemsOf(
      all.replace(
        "await callWith(IMAGE_CALLS, 'PutImage', {}, () => ecr.send(new PutImageCommand({})));",
        'await ecr.send(new PutImageCommand({}));',
      ) +
        'async function q(ecr) { for await (const p of paginateListImages({ client: ecr }, {})) {} }',
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^a\.ts:4 sends PutImage outside callWith: send it as callWith\(<TABLE>, 'PutImage', …\)/,
      ),
      expect.stringMatching(/^a\.ts:6 sends ListImages outside callWith/),
      'calls.ts IMAGE_CALLS declares PutImage, which the code never sends',
    ]);
  });

  test("a send through another call's entry, or through no table, fails", () => {
    expect(problemsOf(all.replace("'DescribeImages', {}", "'PutImage', {}"))).toEqual([
      "a.ts:5 sends DescribeImages through calls.ts IMAGE_CALLS's entry 'PutImage', not its own: declare DescribeImages and name it",
      'calls.ts IMAGE_CALLS declares DescribeImages, which the code never sends',
    ]);
    expect(
      problemsOf(
        all.replace("callWith(IMAGE_CALLS, 'DescribeImages'", "callWith(MY_COPY, 'DescribeImages'"),
      ),
    ).toEqual([
      expect.stringContaining(
        'a.ts:5 sends DescribeImages through MY_COPY, which is no call table of this code',
      ),
      'calls.ts IMAGE_CALLS declares DescribeImages, which the code never sends',
    ]);
    expect(
      problemsOf(
        all.replace("callWith(IMAGE_CALLS, 'DescribeImages'", 'callWith(IMAGE_CALLS, name'),
      ),
    ).toEqual([
      expect.stringContaining(
        'a.ts:5: callWith(…) must name its table and entry as written constants',
      ),
      expect.stringContaining('a.ts:5 sends DescribeImages outside callWith'),
      'calls.ts IMAGE_CALLS declares DescribeImages, which the code never sends',
    ]);
  });

  test('a call no table declares, or of another service than its entry, fails', () => {
    const KEYS = defineCalls({
      DescribeImages: entry('kms', 'DescribeImages', ['kms:DescribeKey']),
    });
    const code =
      header.replace('PutImageCommand,', 'PutImageCommand, BatchDeleteImageCommand,') +
      all +
      "async function h(ecr) { return callWith(IMAGE_CALLS, 'BatchDeleteImage', {}, () => ecr.send(new BatchDeleteImageCommand({}))); }\n" +
      "async function k(ecr) { return callWith(KEYS, 'DescribeImages', {}, () => ecr.send(new DescribeImagesCommand({}))); }";
    expect(derive(analyzeSource('a.ts', code), tables({ KEYS })).problems).toEqual([
      "a.ts:6 sends BatchDeleteImage through calls.ts IMAGE_CALLS's entry 'BatchDeleteImage', not its own: declare BatchDeleteImage and name it",
      'a.ts:7 sends ecr:DescribeImages, but calls.ts KEYS.DescribeImages is of service kms',
      'calls.ts KEYS declares DescribeImages, which the code never sends',
    ]);
  });

  test('a wrapper whose name parameter is a CallName of a table counts as the helper', () => {
    const api =
      'class Api { private call<T>(name: CallName<typeof IMAGE_CALLS>, fn: () => Promise<T>) { return callWith(IMAGE_CALLS, name, {}, fn); }\n' +
      "  put() { return this.call('PutImage', () => this.c.send(new PutImageCommand({}))); }\n" +
      "  list() { return this.call('ListImages', async () => { for await (const p of paginateListImages({ client: this.c }, {})) {} }); }\n";
    expect(
      problemsOf(
        api +
          "  describe() { return this.call('DescribeImages', () => this.c.send(new DescribeImagesCommand({}))); } }",
      ),
    ).toEqual([]);
    expect(
      problemsOf(
        api +
          "  describe() { return this.call('PutImage', () => this.c.send(new DescribeImagesCommand({}))); } }",
      ),
    ).toEqual([
      "a.ts:7 sends DescribeImages through calls.ts IMAGE_CALLS's entry 'PutImage', not its own: declare DescribeImages and name it",
      'calls.ts IMAGE_CALLS declares DescribeImages, which the code never sends',
    ]);
  });

  test("lib-storage's Upload sends the four multipart operations, through one of their entries", () => {
    const S3 = defineCalls({
      CreateMultipartUpload: entry('s3', 'CreateMultipartUpload', ['s3:PutObject']),
      UploadPart: entry('s3', 'UploadPart', ['s3:PutObject']),
      CompleteMultipartUpload: entry('s3', 'CompleteMultipartUpload', ['s3:PutObject']),
      AbortMultipartUpload: entry('s3', 'AbortMultipartUpload', ['s3:AbortMultipartUpload']),
    });
    const code =
      "import { Upload } from '@aws-sdk/lib-storage';\nimport { callWith } from '@deploy-actions/aws';\n" +
      "async function u(s3) { await callWith(S3, 'CreateMultipartUpload', {}, () => new Upload({ client: s3 }).done()); }";
    const only = (t: Tables): Tables => ({ ...t, byName: new Map([['S3', S3]]) });
    expect(derive(analyzeSource('u.ts', code), only(tables())).problems).toEqual([]);
    expect(
      derive(
        analyzeSource('u.ts', code.replace('() => new Upload', '() => 0; new Upload')),
        only(tables()),
      ).problems,
    ).toEqual([
      expect.stringMatching(/^u\.ts:3 sends CreateMultipartUpload outside callWith/),
      'S3 declares CreateMultipartUpload, which the code never sends',
      'S3 declares UploadPart, which the code never sends',
      'S3 declares CompleteMultipartUpload, which the code never sends',
      'S3 declares AbortMultipartUpload, which the code never sends',
    ]);
  });

  test('the trust call is set apart, and only from packages/aws', () => {
    const code =
      "import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';\n" +
      'async function a(sts) { return sts.send(new AssumeRoleWithWebIdentityCommand({})); }';
    const empty: Tables = { byName: new Map(), where: new Map(), problems: [] };
    const trusted = derive(analyzeSource('packages/aws/src/credentials.ts', code), empty);
    expect([trusted.problems, [...trusted.trust], [...trusted.actions.keys()]]).toEqual([
      [],
      ['sts:AssumeRoleWithWebIdentity'],
      [],
    ]);
    expect(derive(analyzeSource('packages/ecr/src/x.ts', code), empty).problems).toEqual([
      expect.stringContaining('sends AssumeRoleWithWebIdentity outside callWith'),
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
