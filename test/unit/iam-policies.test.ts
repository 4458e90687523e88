// The least-privilege policies in workflows-examples/iam/ allow exactly the AWS
// calls each action's code makes: no more, no fewer.
//
// The calls are derived from the code, from the tables the engines use:
// - an action bundles its src/ and the @deploy-actions packages it imports
//   (transitively);
// - each engine declares its calls in a table: an exported `*_CALLS` /
//   `*_PERMISSIONS` constant (which also carries permissions AWS checks on the
//   caller's behalf, such as iam:PassRole, marked `operation: '*'`). The
//   policy is the union of the tables the action's code reaches.
// - every AWS SDK command those sources send (`new XCommand(`, `paginateX(`,
//   lib-storage's `new Upload(`) is one call, and it must take the IAM action
//   its errors name from its table entry: the function that sends it (or a
//   helper of the same file it calls) labels it `action: TABLE.Op.action`
//   (`TABLE['Op'].actions[0]`, or `TABLE[name].action` in a helper, with the
//   function passing 'Op' as an argument), as in
//   `callAws({ action: ECR_CALLS.PutImage.action, … })` or
//   `translateAwsError(…, { action })`. The entry read must be one of a
//   table's own entries (keyed views of a table, like S3_SYNC_BY_OPERATION,
//   count), and be the call's entry or one of the same table naming an action
//   the call needs. So the table the policy is derived from is the one the
//   code uses: a call missing from it, or labelled with a string, fails this
//   test.
// - sts:AssumeRoleWithWebIdentity (packages/aws) belongs to the trust policy,
//   never to a permission policy; it is the one call labelled with a string.
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
/** What Upload sends by itself after a failure: its error never reaches the caller's label. */
const UPLOAD_CLEANUP = 'AbortMultipartUpload';
const TRUST_ACTION = /^sts:AssumeRole/;
const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;
/** The exported constants that are tables. */
const TABLE_EXPORT = /^export const ([A-Z0-9_]+(?:_CALLS|_PERMISSIONS))\b/gm;

// --- the code -----------------------------------------------------------------

interface Site {
  file: string;
  line: number;
}
/** `action: 'svc:Op'`: a label written as a string. */
interface LiteralLabel extends Site {
  kind: 'literal';
  action: string;
  resource: string | undefined;
}
/** `action: TABLE.Op.action` (key 'Op'), or `TABLE[name].action` (key undefined: any key the function passes). */
interface LookupLabel extends Site {
  kind: 'lookup';
  /** The constant's exported name (an import alias resolved). */
  table: string;
  key: string | undefined;
  /** The path to the action inside the entry, e.g. ['action'] or ['actions', 0]. */
  path: (string | number)[];
  text: string;
}
type Label = LiteralLabel | LookupLabel;
interface Send extends Site {
  prefix: string;
  operation: string;
  /** Sent by lib-storage itself to clean up after a failure. */
  cleanup: boolean;
  /** The labels of the function the call sits in and of the same-file helpers it calls. */
  labels: Label[];
  /** String literals that function passes to calls: the keys of `TABLE[name]` lookups. */
  keys: Set<string>;
}
interface TableEntry {
  table: string;
  /** `*` in the table: a permission AWS checks on the caller's behalf, not a call of ours. */
  implicit: boolean;
  operation: string | undefined;
  actions: string[];
  resource: string | undefined;
  /** The entry object itself: a label must read this very object. */
  value: object;
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

const unwrap = (node: ts.Expression): ts.Expression =>
  ts.isNonNullExpression(node) || ts.isParenthesizedExpression(node)
    ? unwrap(node.expression)
    : node;

/**
 * A label read from a constant: `T.Op.action`, `T['Op'].actions[0]`,
 * `T[name].action`. The constant is an UPPER_CASE identifier; undefined for
 * anything else (a variable such as `context.action` is not a label).
 */
function tableLookup(
  expression: ts.Expression,
): { root: string; key: string | undefined; path: (string | number)[] } | undefined {
  const chain: (ts.PropertyAccessExpression | ts.ElementAccessExpression)[] = [];
  let node = unwrap(expression);
  while (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
    chain.unshift(node);
    node = unwrap(node.expression);
  }
  if (!ts.isIdentifier(node) || !/^[A-Z][A-Z0-9_]*$/.test(node.text) || chain.length < 2) {
    return undefined;
  }
  const first = chain[0]!;
  const key = ts.isPropertyAccessExpression(first)
    ? first.name.text
    : ts.isStringLiteralLike(first.argumentExpression)
      ? first.argumentExpression.text
      : undefined;
  const steps: (string | number)[] = [];
  for (const step of chain.slice(1)) {
    if (ts.isPropertyAccessExpression(step)) steps.push(step.name.text);
    else if (ts.isNumericLiteral(step.argumentExpression))
      steps.push(Number(step.argumentExpression.text));
    else if (ts.isStringLiteralLike(step.argumentExpression))
      steps.push(step.argumentExpression.text);
    else return undefined;
  }
  return { root: node.text, key, path: steps };
}

/**
 * Reads one source file: the SDK commands it sends, the labels (`action:`
 * strings and table lookups) it writes, and for each send the labels of its
 * function and of the same-file helpers that function calls (transitively).
 */
export function analyzeSource(file: string, text: string): CodeCalls {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const result: CodeCalls = { sends: [], labels: [], clients: new Set(), problems: [] };
  const imports = new Map<string, { module: string; name: string }>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier))
      continue;
    const module = statement.moduleSpecifier.text;
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

  // Labels, and the functions of the file by name (for its helpers).
  const functionsByName = new Map<string, ts.Node[]>();
  const labelNodes: { node: ts.Node; label: Label }[] = [];
  const sendNodes: { node: ts.Node; prefix: string; operation: string; cleanup: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) {
      const name = ts.isIdentifier(node.name) ? node.name.text : undefined;
      if (name) functionsByName.set(name, [...(functionsByName.get(name) ?? []), node]);
    }
    // An `action:` outside any function is a declaration (a table), not a label.
    if (
      ts.isPropertyAssignment(node) &&
      propertyName(node) === 'action' &&
      outermostFunction(node) !== undefined
    ) {
      const site = { file, line: lineOf(node) };
      const lookup = tableLookup(node.initializer);
      if (ts.isStringLiteralLike(node.initializer) && IAM_ACTION.test(node.initializer.text)) {
        const siblings = ts.isObjectLiteralExpression(node.parent)
          ? [...node.parent.properties]
          : [];
        const resource = siblings
          .filter(ts.isPropertyAssignment)
          .find((p) => propertyName(p) === 'resource' && ts.isStringLiteralLike(p.initializer));
        const label: Label = {
          ...site,
          kind: 'literal',
          action: node.initializer.text,
          resource: resource ? (resource.initializer as ts.StringLiteralLike).text : undefined,
        };
        labelNodes.push({ node, label });
        result.labels.push(label);
      } else if (lookup) {
        const label: Label = {
          ...site,
          kind: 'lookup',
          table: imports.get(lookup.root)?.name ?? lookup.root,
          key: lookup.key,
          path: lookup.path,
          text: node.initializer.getText(source),
        };
        labelNodes.push({ node, label });
        result.labels.push(label);
      }
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      const imported = imports.get(node.expression.text);
      const prefix = imported ? CLIENT_PREFIX[imported.module] : undefined;
      if (imported && prefix && imported.name.endsWith('Command')) {
        const operation = imported.name.slice(0, -'Command'.length);
        sendNodes.push({ node, prefix, operation, cleanup: false });
      }
      if (imported?.module === '@aws-sdk/lib-storage' && imported.name === 'Upload') {
        for (const operation of UPLOAD_OPERATIONS)
          sendNodes.push({ node, prefix: 's3', operation, cleanup: operation === UPLOAD_CLEANUP });
      }
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const imported = imports.get(node.expression.text);
      const prefix = imported ? CLIENT_PREFIX[imported.module] : undefined;
      if (imported && prefix && imported.name.startsWith('paginate')) {
        const operation = imported.name.slice('paginate'.length);
        sendNodes.push({ node, prefix, operation, cleanup: false });
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
  const labelsIn = (scope: ts.Node): Label[] =>
    labelNodes.filter(({ node }) => within(node, scope)).map(({ label }) => label);
  /** The scope and every same-file function it calls, directly or through others. */
  const reachedFrom = (scope: ts.Node): ts.Node[] => {
    const reached = [scope];
    for (let i = 0; i < reached.length; i++) {
      const walk = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const callee = node.expression;
          const name = ts.isIdentifier(callee)
            ? callee.text
            : ts.isPropertyAccessExpression(callee) &&
                callee.expression.kind === ts.SyntaxKind.ThisKeyword
              ? callee.name.text
              : undefined;
          for (const helper of name ? (functionsByName.get(name) ?? []) : []) {
            if (!reached.includes(helper)) reached.push(helper);
          }
        }
        ts.forEachChild(node, walk);
      };
      walk(reached[i]!);
    }
    return reached;
  };
  const keysPassedIn = (scope: ts.Node): Set<string> => {
    const keys = new Set<string>();
    const walk = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        for (const argument of node.arguments)
          if (ts.isStringLiteralLike(argument)) keys.add(argument.text);
      }
      ts.forEachChild(node, walk);
    };
    walk(scope);
    return keys;
  };

  for (const { node, prefix, operation, cleanup } of sendNodes) {
    const scope = outermostFunction(node);
    result.sends.push({
      file,
      line: lineOf(node),
      prefix,
      operation,
      cleanup,
      labels: scope ? reachedFrom(scope).flatMap(labelsIn) : [],
      keys: scope ? keysPassedIn(scope) : new Set(),
    });
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

/** The tables an action's code reaches, and what their modules export (for lookups). */
export interface Tables {
  entries: TableEntry[];
  /** Every export of a module that declares a table: the constants labels read. */
  exports: Map<string, unknown>;
}

/** One table, normalised: an array of entries, or an object of entries keyed by operation. */
export function readTable(where: string, name: string, value: unknown): TableEntry[] {
  const items: [string | undefined, unknown][] = Array.isArray(value)
    ? value.map((item) => [undefined, item])
    : Object.entries(value as object);
  return items.map(([key, item]) => {
    const entry = item as {
      action?: string;
      actions?: readonly string[];
      operation?: string;
      resource?: string;
    };
    const actions = entry.actions ? [...entry.actions] : entry.action ? [entry.action] : [];
    if (actions.length === 0) throw new Error(`${where}: ${name} has an entry without action(s)`);
    return {
      table: `${where} ${name}`,
      implicit: entry.operation === '*',
      operation: entry.operation === '*' ? undefined : (entry.operation ?? key),
      actions,
      resource: entry.resource,
      value: item as object,
    };
  });
}

/** Exported `*_CALLS` / `*_PERMISSIONS` tables of source folders, normalised. */
async function tablesOf(dirs: string[]): Promise<Tables> {
  const tables: Tables = { entries: [], exports: new Map() };
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    const names = [...text.matchAll(TABLE_EXPORT)].map((m) => m[1]!);
    if (names.length === 0) continue;
    const module = (await import(file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) tables.exports.set(name, value);
    for (const name of names) tables.entries.push(...readTable(relative(file), name, module[name]));
  }
  return tables;
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

/** What a table lookup reads: the entry, under its key, and the action at the label's path. */
interface Read {
  key: string;
  entry: TableEntry;
  action: string;
}

/** The entries a lookup label reads, or why it reads no table. */
function resolveLookup(label: LookupLabel, tables: Tables): Read[] | string {
  const where = `${label.file}:${label.line}`;
  const root = tables.exports.get(label.table);
  if (root === null || typeof root !== 'object') {
    return `${where} labels with ${label.text}, but ${label.table} is no export of a module declaring a table (*_CALLS / *_PERMISSIONS)`;
  }
  const candidates: [string, unknown][] =
    label.key === undefined
      ? Object.entries(root)
      : [[label.key, (root as Record<string, unknown>)[label.key]]];
  const reads: Read[] = [];
  for (const [key, item] of candidates) {
    const entry = tables.entries.find((e) => e.value === item);
    if (!entry) {
      return `${where} labels with ${label.text}, but ${label.table}.${key} is not an entry of a declared table`;
    }
    let action: unknown = item;
    for (const step of label.path) {
      action =
        action !== null && typeof action === 'object'
          ? (action as Record<string | number, unknown>)[step]
          : undefined;
    }
    if (typeof action !== 'string' || !entry.actions.includes(action)) {
      return `${where} labels with ${label.text}, which is not one of the IAM actions of ${entry.table}'s entry ${key}`;
    }
    reads.push({ key, entry, action });
  }
  return reads;
}

/**
 * The calls of an action's code checked against its tables: every send is
 * labelled from its entry, every entry is sent, and the policy is the
 * tables' actions (with the trust call, labelled by a string, set apart).
 */
export function derive(calls: CodeCalls, tables: Tables, dirs: string[] = []): Derived {
  const derived: Derived = {
    actions: new Map(),
    starResource: new Set(),
    trust: new Set(),
    tableActions: new Map(),
    problems: [...calls.problems],
    dirs,
  };
  const table = tables.entries;
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

  // Labels: read from a table, never written as a string (but the trust call's).
  const reads = new Map<LookupLabel, Read[]>();
  for (const label of calls.labels) {
    const where = `${label.file}:${label.line}`;
    if (label.kind === 'lookup') {
      const resolved = resolveLookup(label, tables);
      if (typeof resolved === 'string') derived.problems.push(resolved);
      else reads.set(label, resolved);
      continue;
    }
    if (!TRUST_ACTION.test(label.action)) {
      derived.problems.push(
        `${where} labels ${label.action} with a string: take it from the engine's table ` +
          `(e.g. \`action: ECR_CALLS.PutImage.action\`), the one the policy is derived from`,
      );
    }
    // Every string label names a call the code makes (catches typos and stale labels).
    const made =
      derived.actions.has(label.action) ||
      calls.sends.some((send) => `${send.prefix}:${send.operation}` === label.action);
    if (!made) {
      derived.problems.push(
        `${where} labels ${label.action}, but no SDK call of this code is that action`,
      );
    }
    if (label.resource === '*') derived.starResource.add(label.action);
  }

  // Every send is labelled from its table entry.
  for (const send of calls.sends) {
    const where = `${send.file}:${send.line}`;
    const expected = `${send.prefix}:${send.operation}`;
    const declared = table.filter(
      (entry) =>
        tableOperation(entry, calls.clients) === send.operation &&
        entry.actions.some((a) => prefixOf(a) === send.prefix),
    );
    // A lookup reads the call's own entry, or one of the same table naming an action the
    // call needs (lib-storage's parts are s3:PutObject); `T[name]` only for keys the function passes.
    const fromTable = send.labels.some(
      (label) =>
        label.kind === 'lookup' &&
        (reads.get(label) ?? []).some(
          (read) =>
            (label.key !== undefined || send.keys.has(read.key)) &&
            (declared.includes(read.entry) ||
              declared.some(
                (e) => e.table === read.entry.table && e.actions.includes(read.action),
              )),
        ),
    );
    const byString = send.labels.some((l) => l.kind === 'literal' && l.action === expected);
    if (byString) add(expected, where);
    if (fromTable || byString || (send.cleanup && declared.length > 0)) continue;
    const seen = send.labels.map((l) => (l.kind === 'literal' ? l.action : l.text));
    derived.problems.push(
      declared.length === 0
        ? `${where} sends ${send.operation}, which no *_CALLS table of this code declares: ` +
            `declare it in the engine's table and label the call from it`
        : `${where} sends ${send.operation} without a label from its entry in ${declared[0]!.table}: ` +
            `name the IAM action of its errors from that entry, as in ` +
            `callAws({ action: ECR_CALLS.PutImage.action, … }) or translateAwsError(…, { action })` +
            (seen.length ? ` (labels in that function: ${seen.join(', ')})` : ''),
    );
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

const derivedActions = new Map<string, Promise<Derived>>();

/** The calls of an action, from its code and the tables it reaches (read once per action). */
function deriveAction(action: string): Promise<Derived> {
  let derived = derivedActions.get(action);
  if (!derived) {
    derived = (async () => {
      const dirs = bundledDirs(action);
      const calls: CodeCalls = { sends: [], labels: [], clients: new Set(), problems: [] };
      for (const file of dirs.flatMap(sourceFiles)) {
        const one = analyzeSource(relative(file), readFileSync(file, 'utf8'));
        calls.sends.push(...one.sends);
        calls.labels.push(...one.labels);
        one.clients.forEach((c) => calls.clients.add(c));
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
  test('every AWS call in its code is declared in a table and labelled from it', async () => {
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
    "import { IMAGE_CALLS } from './calls.js';\n";
  /** A keyed table, as an engine's calls.ts declares it. */
  const IMAGE_CALLS = {
    DescribeImages: { action: 'ecr:DescribeImages', resource: '*' },
    PutImage: { action: 'ecr:PutImage', resource: 'arn:aws:ecr:REGION:ACCOUNT_ID:repository/R' },
    ListImages: {
      action: 'ecr:ListImages',
      resource: 'arn:aws:ecr:REGION:ACCOUNT_ID:repository/R',
    },
  };
  const tables = (exports: Record<string, unknown> = {}): Tables => ({
    entries: readTable('calls.ts', 'IMAGE_CALLS', IMAGE_CALLS),
    exports: new Map(Object.entries({ IMAGE_CALLS, ...exports })),
  });
  const problemsOf = (code: string, exports?: Record<string, unknown>) =>
    derive(analyzeSource('a.ts', header + code), tables(exports)).problems;
  const sendAll =
    'async function g(ecr) { await ecr.send(new PutImageCommand({})); for await (const p of paginateListImages({ client: ecr }, {})) {} }\n';
  const labelled =
    'async function p(ecr) { await callAws({ action: IMAGE_CALLS.PutImage.action }, () => ecr.send(new PutImageCommand({}))); ' +
    'await callAws({ action: IMAGE_CALLS.ListImages.action }, async () => { for await (const p of paginateListImages({ client: ecr }, {})) {} }); }\n';

  test('sees a label read from a table, in the function or in a same-file helper', () => {
    const direct = analyzeSource(
      'a.ts',
      header +
        "async function f(ecr) { return callAws({ action: IMAGE_CALLS['DescribeImages'].action, resource: '*' }, () => ecr.send(new DescribeImagesCommand({}))); }",
    );
    expect(direct.sends).toHaveLength(1);
    expect(direct.sends[0]!.labels).toMatchObject([
      { kind: 'lookup', table: 'IMAGE_CALLS', key: 'DescribeImages', path: ['action'] },
    ]);
    const helper = analyzeSource(
      'b.ts',
      header +
        'class A { async f() { try { await this.c.send(new DescribeImagesCommand({})); } catch (e) { throw this.explain(e); } }\n' +
        '  explain(e) { return this.translate(e); }\n' +
        '  translate(e) { return translateAwsError(e, { action: IMAGE_CALLS.DescribeImages.actions[0]! }); } }',
    );
    expect(helper.sends[0]!.labels).toMatchObject([
      { kind: 'lookup', key: 'DescribeImages', path: ['actions', 0] },
    ]);
  });

  test('sees an unlabelled call and a paginator, and reports both', () => {
    const calls = analyzeSource('c.ts', header + sendAll);
    expect(calls.sends.map((s) => [s.operation, s.labels.length])).toEqual([
      ['PutImage', 0],
      ['ListImages', 0],
    ]);
    const problems = derive(calls, tables()).problems.join('\n');
    expect(problems).toContain(
      'c.ts:3 sends PutImage without a label from its entry in calls.ts IMAGE_CALLS',
    );
    expect(problems).toContain('sends ListImages without a label');
  });

  test('a call labelled from its table entry passes; the policy is the table', () => {
    const derived = derive(
      analyzeSource(
        'a.ts',
        header +
          labelled +
          'async function f(ecr) { return callAws({ action: IMAGE_CALLS.DescribeImages.action }, () => ecr.send(new DescribeImagesCommand({}))); }',
      ),
      tables(),
    );
    expect(derived.problems).toEqual([]);
    expect([...derived.actions.keys()].sort()).toEqual([
      'ecr:DescribeImages',
      'ecr:ListImages',
      'ecr:PutImage',
    ]);
    expect([...derived.starResource]).toEqual(['ecr:DescribeImages']);
  });

  test('a label written as a string fails, even for a declared call', () => {
    const problems = problemsOf(
      labelled.replace('IMAGE_CALLS.PutImage.action', "'ecr:PutImage'") +
        'async function f(ecr) { return callAws({ action: IMAGE_CALLS.DescribeImages.action }, () => ecr.send(new DescribeImagesCommand({}))); }',
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^a\.ts:3 labels ecr:PutImage with a string: take it from the engine's table/,
      ),
    ]);
  });

  test("a label read from another call's entry, or from no table, fails", () => {
    const other = problemsOf(
      labelled +
        'async function f(ecr) { return callAws({ action: IMAGE_CALLS.PutImage.action }, () => ecr.send(new DescribeImagesCommand({}))); }',
    );
    expect(other).toEqual([
      expect.stringContaining(
        'a.ts:4 sends DescribeImages without a label from its entry in calls.ts IMAGE_CALLS',
      ),
    ]);
    const copy = { DescribeImages: { action: 'ecr:DescribeImages' } };
    const elsewhere = problemsOf(
      labelled +
        'async function f(ecr) { return callAws({ action: MY_COPY.DescribeImages.action }, () => ecr.send(new DescribeImagesCommand({}))); }',
      { MY_COPY: copy },
    );
    expect(elsewhere).toEqual(
      expect.arrayContaining([
        'a.ts:4 labels with MY_COPY.DescribeImages.action, but MY_COPY.DescribeImages is not an entry of a declared table',
        expect.stringContaining('a.ts:4 sends DescribeImages without a label'),
      ]),
    );
    expect(
      problemsOf(
        labelled +
          'async function f(ecr) { return callAws({ action: NOWHERE.DescribeImages.action }, () => ecr.send(new DescribeImagesCommand({}))); }',
      )[0],
    ).toMatch(/NOWHERE is no export of a module declaring a table/);
  });

  test('a lookup by a variable key covers only the calls whose function passes that key', () => {
    const api =
      'class Api { async call(name, fn) { try { return await fn(); } catch (e) { throw translateAwsError(e, { action: IMAGE_CALLS[name].action }); } }\n' +
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
    ).toEqual([expect.stringContaining('a.ts:6 sends DescribeImages without a label')]);
  });

  test('a call no table declares fails', () => {
    const imported = derive(
      analyzeSource(
        'a.ts',
        header.replace('PutImageCommand,', 'PutImageCommand, BatchDeleteImageCommand,') +
          labelled +
          'async function f(ecr) { return callAws({ action: IMAGE_CALLS.DescribeImages.action }, () => ecr.send(new DescribeImagesCommand({}))); }\n' +
          'async function h(ecr) { return callAws({ action: IMAGE_CALLS.PutImage.action }, () => ecr.send(new BatchDeleteImageCommand({}))); }',
      ),
      tables(),
    ).problems;
    expect(imported).toEqual([
      "a.ts:5 sends BatchDeleteImage, which no *_CALLS table of this code declares: declare it in the engine's table and label the call from it",
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
