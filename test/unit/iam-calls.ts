// How the IAM policy tests derive each action's AWS calls from its code: the engines' call tables
// (defineCalls), every SDK command sent through callWith, and the dirs an action bundles.
// The rules themselves are described in iam-policies.test.ts.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { isCallTable, type AwsCallTable } from '@deploy-actions/aws';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const IAM_DIR = path.join(ROOT, 'workflows-examples/iam');
export const WORKFLOWS_DIR = path.join(ROOT, 'workflows-examples');

/** IAM service prefix of each AWS SDK client package. */
export const CLIENT_PREFIX: Record<string, string> = {
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
export const UPLOAD_OPERATIONS = [
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
];
export const TRUST_ACTION = /^sts:AssumeRole/;
/** The helper every call goes through; wrappers of it are found by their `CallName<typeof T>` parameter. */
export const HELPER = 'callWith';
export const WRAPPER_PARAMETER = /^CallName<typeof ([A-Za-z0-9_]+)>$/;

// --- the code -----------------------------------------------------------------

export interface Send {
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

export function lineOf(node: ts.Node): number {
  const source = node.getSourceFile();
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

export function calleeName(call: ts.CallExpression): string | undefined {
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

export function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

export const relative = (file: string) => path.relative(ROOT, file);

/** The source folders an action bundles: its src/ and every @deploy-actions package it reaches. */
export function bundledDirs(action: string): string[] {
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
export async function tablesOf(dirs: string[]): Promise<Tables> {
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

export interface Derived {
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

export const prefixOf = (action: string) => action.split(':')[0]!;

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

export const derivedActions = new Map<string, Promise<Derived>>();

/** The calls of an action, from its code and the tables it reaches (read once per action). */
export function deriveAction(action: string): Promise<Derived> {
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
