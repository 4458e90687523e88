import { InputError, Inputs, type InputSource } from '@deploy-actions/action-kit/engine';

/**
 * The root action declares the stages' inputs under their own names, except
 * where two stages share a name (dry-run, timeout, tags): there it declares
 * a stage-prefixed name (sync-dry-run, smoke-timeout, build-tags…). These
 * helpers let an engine's reader read and report under the root's names.
 */

/** Engine name → the name action.yml declares. */
export type Renames = Readonly<Record<string, string>>;

/**
 * Runs an engine's input reader over the root's inputs, with `renames`
 * applied: the reader's `inputs.boolean('dry-run'…)` reads `sync-dry-run`,
 * and an InputError it throws names `sync-dry-run`.
 */
export function readRenamed<T>(
  source: InputSource,
  renames: Renames,
  read: (inputs: Inputs) => T,
): T {
  try {
    return read(new Inputs((name) => source(renames[name] ?? name)));
  } catch (error) {
    throw renameInputError(error, renames);
  }
}

/**
 * An InputError naming an engine input (or one of its parts, e.g.
 * `checks[2].expect-status`) rewritten to name the root's input; anything
 * else unchanged.
 */
export function renameInputError(error: unknown, renames: Renames): unknown {
  if (!(error instanceof InputError)) return error;
  const [head, rest] = splitInputName(error.input);
  const renamed = renames[head];
  if (renamed === undefined) return error;
  const name = `${renamed}${rest}`;
  const replacement = new InputError(name, undefined, '');
  replacement.message = error.message.replace(`Input '${error.input}'`, `Input '${name}'`);
  return replacement;
}

function splitInputName(input: string): [string, string] {
  const match = /^([a-z0-9-]+)(.*)$/s.exec(input);
  return match ? [match[1]!, match[2]!] : [input, ''];
}
