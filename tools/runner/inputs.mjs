// @ts-check
// Inputs as the runner hands them to an action: one INPUT_* variable each, from the value the
// workflow gave or else the action.yml default.

/** @typedef {import('./actions.mjs').ActionInfo} ActionInfo */

/**
 * The variable the runner sets for an input: INPUT_ + the name upper-cased, spaces as _ (dashes kept).
 * @param {string} name
 */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Whether an action.yml default is an expression such as `${{ github.token }}`.
 * @param {string} value
 */
export function isExpression(value) {
  return value.includes('${{');
}

/**
 * INPUT_* for a run: the given values, else action.yml defaults (an empty one too). An input
 * the action does not declare is an error naming it.
 * @param {Pick<ActionInfo, 'name' | 'inputs'>} action
 * @param {Record<string, string>} values input name → value
 * @returns {Record<string, string>}
 */
export function inputEnv(action, values) {
  const declared = new Set(action.inputs.map((input) => input.name));
  for (const name of Object.keys(values)) {
    if (!declared.has(name))
      throw new Error(`Input '${name}' is not declared in ${action.name}'s action.yml`);
  }
  /** @type {Record<string, string>} */
  const env = {};
  for (const input of action.inputs) {
    // The runner evaluates a `${{ }}` default; outside GitHub it cannot be, so it stays unset rather than passed literally.
    const fallback =
      input.default !== undefined && !isExpression(input.default) ? input.default : undefined;
    const value = values[input.name] ?? fallback;
    if (value !== undefined) env[inputVariable(input.name)] = value;
  }
  return env;
}
