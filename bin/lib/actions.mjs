// Which actions this checkout holds, what their action.yml declares, and the help texts built
// from it. The root action (`deploy`) has its action.yml at the repository root and its bundle in
// actions/deploy/dist; every other action keeps both in actions/<name>/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where an action's metadata and bundle live. */
export function actionPaths(name, root = REPO_ROOT) {
  const folder = path.join(root, 'actions', name);
  return {
    metadata: name === 'deploy' ? path.join(root, 'action.yml') : path.join(folder, 'action.yml'),
    bundle: path.join(folder, 'dist', 'index.js'),
  };
}

/** Every action with an action.yml, the root pipeline first, the others by name. */
export function listActions(root = REPO_ROOT) {
  const names = readdirSync(path.join(root, 'actions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => existsSync(actionPaths(name, root).metadata))
    .sort((a, b) => (a === 'deploy' ? -1 : b === 'deploy' ? 1 : a.localeCompare(b)));
  return names.map((name) => {
    try {
      return loadAction(name, root);
    } catch (error) {
      // One broken action.yml must not hide the others.
      return {
        name,
        title: name,
        description: error.message,
        inputs: [],
        outputs: [],
        bundle: actionPaths(name, root).bundle,
        built: false,
      };
    }
  });
}

/** The action's metadata: { name, description, inputs: [{name, description, required, default}], outputs, bundle, built }. */
export function loadAction(name, root = REPO_ROOT) {
  const paths = actionPaths(name, root);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(paths.metadata)) return undefined;
  let parsed;
  try {
    parsed = parseYaml(readFileSync(paths.metadata, 'utf8')) ?? {};
  } catch (error) {
    const where = path.relative(root, paths.metadata);
    throw new Error(`${where} is not valid YAML: ${String(error.message).split('\n')[0]}`);
  }
  const clean = (text) =>
    String(text ?? '')
      .replace(/\s+/g, ' ')
      .trim();
  const inputs = Object.entries(parsed.inputs ?? {}).map(([inputName, spec]) => ({
    name: inputName,
    description: clean(spec?.description),
    required: spec?.required === true || spec?.required === 'true',
    default:
      spec?.default === undefined || spec?.default === null ? undefined : String(spec.default),
  }));
  const outputs = Object.entries(parsed.outputs ?? {}).map(([outputName, spec]) => ({
    name: outputName,
    description: clean(spec?.description),
  }));
  return {
    name,
    title: clean(parsed.name),
    description: clean(parsed.description),
    inputs,
    outputs,
    bundle: paths.bundle,
    built: existsSync(paths.bundle),
  };
}

/** Word-wraps text to `width` columns, each line starting with `indent`. */
export function wrap(text, width, indent = '') {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** The first sentence of a description, for one-line listings. */
function firstSentence(text) {
  const match = /^(.+?[.!?])(\s|$)/.exec(text);
  return match ? match[1] : text;
}

export function mainHelp(actions, width = 100) {
  const nameWidth = Math.max(...actions.map((a) => a.name.length), 6) + 2;
  const lines = [
    'Usage: deploy-actions <action> [--<input> <value> ...]',
    '       deploy-actions <action> --help',
    '',
    ...wrap(
      "Runs one of this repository's GitHub Actions outside GitHub (from a laptop or another CI system): the same committed bundle, the same validation, the same engines. Outputs and the job summary are printed as text when it ends.",
      width,
    ),
    '',
    'Actions:',
  ];
  for (const action of actions) {
    const note = action.built ? '' : ' (not built yet: npm run build)';
    const described = wrap(
      firstSentence(action.description) + note,
      width,
      ' '.repeat(nameWidth + 2),
    );
    lines.push(
      `  ${action.name.padEnd(nameWidth)}${(described[0] ?? '').trimStart()}`,
      ...described.slice(1),
    );
  }
  lines.push(
    '',
    'Inputs:',
    ...wrap(
      "Give each input as --<name> <value> or --<name>=<value>, named as in the action's action.yml. Repeating an input joins the values with newlines (for list inputs such as --env, --build-args, --headers). Inputs left out take their action.yml default.",
      width,
      '  ',
    ),
    '',
    'AWS credentials:',
    ...wrap(
      'The default AWS credential chain: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, and so on (--aws-region or AWS_REGION for the region). --role-to-assume works only inside a GitHub Actions job, where a GitHub OIDC token can be requested.',
      width,
      '  ',
    ),
    '',
    'Exit status: 0 when the action succeeded, 1 when it failed, 2 for a usage error.',
  );
  return lines.join('\n');
}

export function actionHelp(action, width = 100) {
  const lines = [
    `Usage: deploy-actions ${action.name} [--<input> <value> ...]`,
    '',
    ...wrap(action.description, width),
  ];
  if (!action.built) lines.push('', `Not built yet: run 'npm run build -- ${action.name}' first.`);
  lines.push('', 'Inputs:');
  for (const input of action.inputs) {
    const facts = [
      input.required ? 'required' : undefined,
      input.default !== undefined
        ? `default: ${input.default === '' ? "''" : input.default}`
        : undefined,
    ].filter(Boolean);
    lines.push(`  --${input.name} <value>${facts.length ? `  (${facts.join('; ')})` : ''}`);
    lines.push(...wrap(input.description, width, '      '));
  }
  if (action.outputs.length > 0) {
    lines.push('', 'Outputs:');
    for (const output of action.outputs) {
      lines.push(`  ${output.name}`, ...wrap(output.description, width, '      '));
    }
  }
  return lines.join('\n');
}
