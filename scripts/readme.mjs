// npm run docs: regenerates the inputs and outputs tables in every action's
// README.md from its action.yml (between the `<!-- inputs -->` / `<!-- outputs -->`
// markers). A test fails when a README and its action.yml disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { actionPaths } from '../tools/runner/actions.mjs';
import { ROOT, actionNames } from './actions.mjs';

const cell = (text) =>
  String(text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();

export function inputsTable(metadata) {
  const rows = Object.entries(metadata.inputs ?? {}).map(([name, spec]) => {
    const fallback =
      spec.default === undefined || spec.default === '' ? '' : `\`${cell(spec.default)}\``;
    return `| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${fallback} | ${cell(spec.description)} |`;
  });
  return [
    '| Input | Required | Default | Description |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export function outputsTable(metadata) {
  const rows = Object.entries(metadata.outputs ?? {}).map(
    ([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`,
  );
  return ['| Output | Description |', '| --- | --- |', ...rows].join('\n');
}

export function replaceSection(readme, marker, content) {
  const pattern = new RegExp(`<!-- ${marker}:start -->[\\s\\S]*?<!-- ${marker}:end -->`);
  if (!pattern.test(readme))
    throw new Error(`README has no <!-- ${marker}:start --> … <!-- ${marker}:end --> section`);
  return readme.replace(
    pattern,
    () => `<!-- ${marker}:start -->\n${content}\n<!-- ${marker}:end -->`,
  );
}

export function actionFiles(name) {
  return {
    metadata: actionPaths(name, ROOT).metadata,
    // Every action's README is in its folder, the root action's too.
    readme: path.join(ROOT, 'actions', name, 'README.md'),
  };
}

export function renderReadme(readme, metadata) {
  return replaceSection(
    replaceSection(readme, 'inputs', inputsTable(metadata)),
    'outputs',
    outputsTable(metadata),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of actionNames()) {
    const files = actionFiles(name);
    const metadata = parse(readFileSync(files.metadata, 'utf8'));
    const readme = readFileSync(files.readme, 'utf8');
    const updated = renderReadme(readme, metadata);
    if (updated !== readme) {
      writeFileSync(files.readme, updated);
      console.log(`updated ${path.relative(ROOT, files.readme)}`);
    }
  }
}
