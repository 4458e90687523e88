/**
 * An error the user can fix. Its message is shown as-is (one line, no stack);
 * `hint` says what to change. Anything else that is thrown is a bug or an
 * infrastructure failure and is reported with its type.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  /** Where the problem is, for an error annotation (e.g. a migration file and line). */
  readonly location: { file?: string; line?: number } | undefined;

  constructor(
    message: string,
    options: { hint?: string; cause?: unknown; file?: string; line?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.location =
      options.file === undefined && options.line === undefined
        ? undefined
        : { file: options.file, line: options.line };
  }
}

/** An input that is missing or malformed. Names the input, the value and the expected form. */
export class InputError extends UserError {
  readonly input: string;

  constructor(input: string, value: string | undefined, expected: string) {
    const shown = value === undefined || value === '' ? 'nothing' : JSON.stringify(value);
    super(`Input '${input}': got ${shown}, expected ${expected}.`);
    this.name = 'InputError';
    this.input = input;
  }
}

/** Renders any thrown value as one line: never "[object Object]", never lost. */
export function describeError(error: unknown): string {
  if (error instanceof UserError) {
    return error.hint ? `${error.message} ${error.hint}` : error.message;
  }
  if (error instanceof Error) {
    const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
    return `${name}${error.message || '(no message)'}`;
  }
  if (typeof error === 'string') return error;
  try {
    return `Non-error thrown: ${JSON.stringify(error)}`;
  } catch {
    return `Non-error thrown: ${String(error)}`;
  }
}
