// @ts-check
// The command's help texts, built from what each action's action.yml declares.

/** @typedef {import('../../tools/runner/index.mjs').ActionInfo} ActionInfo */

/**
 * Word-wraps text to `width` columns, each line starting with `indent`.
 * @param {string} text
 * @param {number} width
 * @param {string} [indent]
 * @returns {string[]}
 */
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

/**
 * The first sentence of a description, for one-line listings.
 * @param {string} text
 */
function firstSentence(text) {
  const match = /^(.+?[.!?])(\s|$)/.exec(text);
  return match ? match[1] : text;
}

/**
 * The general help: usage and every action of the checkout.
 * @param {ActionInfo[]} actions
 * @param {number} [width]
 */
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

/**
 * One action's help: its inputs and outputs.
 * @param {ActionInfo} action
 * @param {number} [width]
 */
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
