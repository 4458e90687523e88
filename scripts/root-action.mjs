// npm run root-action: writes the root action.yml and packages/pipeline's list of stage-only inputs
// from the stage actions' action.yml files, the STAGES registry (packages/pipeline/src/registry.ts)
// and the root's own text (actions/deploy/root-action.yml). With --check it writes nothing and
// fails when either file is stale (test/unit/root-action-generated.test.ts runs it so).
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import ts from 'typescript';
import { parse } from 'yaml';
import { ROOT } from './actions.mjs';

const REGISTRY = 'packages/pipeline/src/registry.ts';
const TEMPLATE = 'actions/deploy/root-action.yml';
const ROOT_ACTION = 'action.yml';
const STAGE_INPUTS = 'packages/pipeline/src/stage-inputs.generated.ts';
const WIDTH = 100;

/** The registry is TypeScript that imports nothing: transpiled and imported as it is. */
async function loadRegistry() {
  const source = readFileSync(path.join(ROOT, REGISTRY), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
}

const readYaml = (file) => parse(readFileSync(path.join(ROOT, file), 'utf8'));
const capitalize = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const lowerFirst = (text) =>
  (/^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() : text.charAt(0)) + text.slice(1);

/**
 * The root's inputs and outputs, in order: the pipeline's own, the session's, then each stage's
 * in its action.yml's order under the root's name, described in the root's wording when it has
 * one, else as "<Label> stage, <the action's description>".
 */
export function rootMetadata({ STAGES, SESSION_INPUTS }, template, stageMetadata) {
  const wording = template.wording ?? {};
  const describe = (kind, stage, name, rootName, spec) =>
    wording[kind]?.[rootName] ??
    (stage
      ? `${capitalize(stage.label)} stage, ${lowerFirst(spec.description ?? '')}`
      : spec.description);
  const inputs = [];
  const outputs = [];
  const seen = new Set();
  for (const [name, spec] of Object.entries(template.inputs ?? {})) {
    inputs.push({ section: 'pipeline', name, spec });
  }
  for (const name of SESSION_INPUTS) {
    const owner = STAGES.find((stage) => stageMetadata[stage.action].inputs?.[name]);
    const spec = stageMetadata[owner.action].inputs[name];
    inputs.push({
      section: 'session',
      name,
      spec: { ...spec, description: describe('inputs', undefined, name, name, spec) },
    });
  }
  for (const stage of STAGES) {
    const metadata = stageMetadata[stage.action];
    for (const [name, spec] of Object.entries(metadata.inputs ?? {})) {
      if (SESSION_INPUTS.includes(name) || name in stage.notOffered) continue;
      const rootName = stage.inputRenames[name] ?? name;
      inputs.push({
        section: stage,
        name: rootName,
        spec: { ...spec, description: describe('inputs', stage, name, rootName, spec) },
      });
    }
    for (const [name, spec] of Object.entries(metadata.outputs ?? {})) {
      const rootName = stage.outputRenames[name] ?? name;
      outputs.push({
        name: rootName,
        spec: { description: describe('outputs', stage, name, rootName, spec) },
      });
    }
  }
  const own = Object.entries(template.outputs ?? {}).map(([name, spec]) => ({ name, spec }));
  const trailing = Object.entries(template['trailing-outputs'] ?? {}).map(([name, spec]) => ({
    name,
    spec,
  }));
  for (const { name } of [...inputs, ...own, ...outputs, ...trailing]) {
    if (seen.has(name)) throw new Error(`${name} is declared twice: rename it in the registry`);
    seen.add(name);
  }
  return { inputs, outputs: [...own, ...outputs, ...trailing] };
}

// --- YAML text ----------------------------------------------------------------------------------

const PLAIN = /^[A-Za-z0-9(][^\n]*$/;
export function scalar(text, indent, key) {
  const prefix = `${' '.repeat(indent)}${key}: `;
  const plainSafe =
    PLAIN.test(text) && !/: |:$| #/.test(text) && !/^(true|false|null|~|[-+.\d])/i.test(text);
  const single = `'${text.replace(/'/g, "''")}'`;
  const inline = plainSafe ? text : text.includes("'") ? JSON.stringify(text) : single;
  if (prefix.length + inline.length <= WIDTH + 20) return `${prefix}${inline}`;
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + 2 + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return [`${prefix}>-`, ...lines.map((l) => `${' '.repeat(indent + 2)}${l}`)].join('\n');
}

function rule(title) {
  const head = `  # --- ${title} `;
  return head + '-'.repeat(Math.max(3, WIDTH - head.length));
}

export function renderRootAction(registry, template, stageMetadata) {
  const { inputs, outputs } = rootMetadata(registry, template, stageMetadata);
  const out = [
    "# Generated by `npm run root-action` from actions/deploy/root-action.yml, the stage actions'",
    '# action.yml files and packages/pipeline/src/registry.ts: edit those, not this file.',
    scalar(template.name, 0, 'name'),
    scalar(template.description, 0, 'description'),
    scalar(template.author, 0, 'author'),
    'branding:',
    ...Object.entries(template.branding).map(([key, value]) => scalar(value, 2, key)),
    'inputs:',
  ];
  let section;
  for (const { section: current, name, spec } of inputs) {
    if (current !== section) {
      section = current;
      if (current === 'pipeline') out.push(rule('Pipeline'));
      else if (current === 'session') out.push(rule('AWS (one session for every stage)'));
      else {
        const selector = current.selectedBy.join(' or ');
        out.push(rule(`Stage ${current.action} (runs when ${selector} is set)`));
        const note = template['section-notes']?.[current.key];
        if (note)
          out.push(
            ...note
              .trim()
              .split('\n')
              .map((line) => `  # ${line}`.trimEnd()),
          );
      }
    }
    out.push(`  ${name}:`, scalar(spec.description, 4, 'description'), '    required: false');
    if (spec.default !== undefined)
      out.push(`    default: '${String(spec.default).replace(/'/g, "''")}'`);
  }
  out.push('outputs:');
  for (const { name, spec } of outputs)
    out.push(`  ${name}:`, scalar(spec.description, 4, 'description'));
  out.push('runs:', '  using: node24', '  main: actions/deploy/dist/index.js', '');
  return out.join('\n');
}

/**
 * Per stage, the root's inputs without a default other than those that select it: set while
 * their stage does not run, they are a mistake (a default cannot be told from the user's value).
 */
export function renderStageInputs(registry, template, stageMetadata) {
  const { inputs } = rootMetadata(registry, template, stageMetadata);
  const lines = [
    "// Generated by `npm run root-action` from the stage actions' action.yml files and the STAGES",
    '// registry: edit those, not this file.',
    "import type { StageKey } from './registry.js';",
    '',
    '/** Per stage, its inputs without a default, other than those that select it. */',
    'export const STAGE_ONLY_INPUTS: Record<StageKey, readonly string[]> = {',
  ];
  for (const stage of registry.STAGES) {
    const names = inputs
      .filter(
        ({ section, name, spec }) =>
          section === stage && spec.default === undefined && !stage.selectedBy.includes(name),
      )
      .map(({ name }) => `    '${name}',`);
    lines.push(`  ${stage.key}: [`, ...names, '  ],');
  }
  lines.push('};', '');
  return lines.join('\n');
}

export async function generate() {
  const registry = await loadRegistry();
  const template = readYaml(TEMPLATE);
  const stageMetadata = Object.fromEntries(
    registry.STAGES.map((stage) => [stage.action, readYaml(`actions/${stage.action}/action.yml`)]),
  );
  const files = {
    [ROOT_ACTION]: renderRootAction(registry, template, stageMetadata),
    [STAGE_INPUTS]: renderStageInputs(registry, template, stageMetadata),
  };
  // As `npm run format` would leave them, so that lint and this check agree.
  for (const [file, text] of Object.entries(files)) {
    const filepath = path.join(ROOT, file);
    const options = (await prettier.resolveConfig(filepath)) ?? {};
    files[file] = await prettier.format(text, { ...options, filepath });
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [file, text] of Object.entries(await generate())) {
    const full = path.join(ROOT, file);
    let current;
    try {
      current = readFileSync(full, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) continue;
    if (check) stale.push(file);
    else {
      writeFileSync(full, text);
      console.log(`updated ${file}`);
    }
  }
  if (stale.length > 0) {
    console.error(`${stale.join(' and ')} out of date: run npm run root-action`);
    process.exit(1);
  }
}
