/** Shared by the smoke spec tests: the InputError a parser throws, or a failure if it throws none. */
import { InputError } from '@deploy-actions/action-kit/engine';

export function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}
