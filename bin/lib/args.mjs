// The command line: `deploy-actions [--help] <action> [--<input> <value> | --<input>=<value>]...`,
// checked against the action's action.yml before anything runs, and turned into the INPUT_*
// variables the runner would set.

export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Splits the arguments: { help, version, action, inputs: [[name, value]...] }. Only --help/-h
 * and --version are the command's own; everything after the action is an input.
 */
export function parseCommandLine(argv) {
  const result = { help: false, version: false, action: undefined, inputs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
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

/** Levenshtein distance, for "did you mean". */
function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

export function closest(name, candidates) {
  let best;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d <= Math.max(2, Math.floor(candidate.length / 4)) && (!best || d < best.d))
      best = { candidate, d };
  }
  if (best) return best.candidate;
  return candidates.find((candidate) => candidate.includes(name) || name.includes(candidate));
}

/**
 * Checks the given inputs against the action's declared ones and returns name → value
 * (repeated inputs joined with newlines). An undeclared input is a usage error naming it.
 */
export function resolveInputs(action, given) {
  const declared = action.inputs.map((input) => input.name);
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

/** The variable the runner sets for an input: INPUT_ + the name upper-cased, spaces as _ (dashes kept). */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * INPUT_* for a run: the given values, else action.yml defaults (as the runner does). A default
 * holding a `${{ }}` expression cannot be evaluated outside GitHub and is left unset.
 */
export function inputEnv(action, values) {
  const env = {};
  for (const input of action.inputs) {
    const value =
      values[input.name] ??
      (input.default !== undefined && !input.default.includes('${{') ? input.default : undefined);
    if (value !== undefined) env[inputVariable(input.name)] = value;
  }
  return env;
}
