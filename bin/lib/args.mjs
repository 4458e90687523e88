// @ts-check
// The command line: `deploy-actions [--help] <action> [--<input> <value> | --<input>=<value>]...`,
// checked against the action's action.yml before anything runs.
import { closest as suiteClosest } from '../../packages/action-kit/src/closest.mjs';

/** @typedef {import('../../tools/runner/index.mjs').ActionInfo} ActionInfo */

/** A mistake on the command line: reported with exit code 2, before anything runs. */
export class UsageError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * @typedef {object} CommandLine
 * @property {boolean} help
 * @property {boolean} version
 * @property {string | undefined} action
 * @property {Array<[string, string]>} inputs
 */

/**
 * Splits the arguments. Only --help/-h and --version are the command's own; everything after
 * the action is an input.
 * @param {readonly string[]} argv
 * @returns {CommandLine}
 */
export function parseCommandLine(argv) {
  /** @type {CommandLine} */
  const result = { help: false, version: false, action: undefined, inputs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    if (arg === '--help' || arg === '-h') {
      result.help = true;
      continue;
    }
    if (result.action === undefined) {
      if (arg === '--version' || arg === '-v') {
        result.version = true;
        continue;
      }
      if (arg.startsWith('-')) {
        throw new UsageError(
          `'${arg}' comes before the action: name the action first, e.g. deploy-actions smoke-test ${arg} <value>.`,
        );
      }
      result.action = arg;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`Unexpected argument '${arg}': inputs are given as --<input> <value>.`);
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (name === '') throw new UsageError(`'${arg}' names no input.`);
    if (eq > 0) {
      result.inputs.push([name, arg.slice(eq + 1)]);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || (value.startsWith('--') && value.length > 2)) {
      throw new UsageError(
        `Input '${name}' needs a value: --${name} <value> (or --${name}=<value>).`,
      );
    }
    result.inputs.push([name, value]);
    i += 1;
  }
  return result;
}

/**
 * The candidate `name` was probably meant to be, if any: the suite's one closest(), with the
 * CLI's wider reach (typed names of actions and inputs are short) and containment as a fallback.
 * @param {string} name
 * @param {readonly string[]} candidates
 * @returns {string | undefined}
 */
export function closest(name, candidates) {
  return suiteClosest(name, candidates, {
    maxDistance: (candidate) => Math.max(2, Math.floor(candidate.length / 4)),
    containing: true,
  });
}

/**
 * Checks the given inputs against the action's declared ones and returns name → value
 * (repeated inputs joined with newlines). An undeclared input is a usage error naming it.
 * @param {Pick<ActionInfo, 'name' | 'inputs'>} action
 * @param {ReadonlyArray<readonly [string, string]>} given
 * @returns {Record<string, string>}
 */
export function resolveInputs(action, given) {
  const declared = action.inputs.map((input) => input.name);
  /** @type {Record<string, string>} */
  const values = {};
  for (const [name, value] of given) {
    if (!declared.includes(name)) {
      const suggestion = closest(name, declared);
      throw new UsageError(
        `Unknown input '--${name}' for ${action.name}${suggestion ? `: did you mean '--${suggestion}'?` : '.'} ` +
          `Run 'deploy-actions ${action.name} --help' for its inputs.`,
      );
    }
    values[name] = values[name] === undefined ? value : `${values[name]}\n${value}`;
  }
  return values;
}
