import { InputError, Inputs } from '@deploy-actions/action-kit/engine';

const inputsFrom = (values: Record<string, string>) => new Inputs((name) => values[name]);

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('Inputs', () => {
  test('required fails naming the input; optional treats blank as absent', () => {
    const inputs = inputsFrom({ blank: '   ', name: ' web ' });
    expect(inputs.required('name')).toBe('web');
    expect(inputs.optional('blank')).toBeUndefined();
    expect(errorOf(() => inputs.required('blank')).message).toBe(
      "Input 'blank': got nothing, expected a value (this input is required).",
    );
  });

  test.each([
    ['true', true],
    ['TRUE', true],
    ['False', false],
    ['', true],
  ])('boolean %j -> %s', (text, expected) => {
    expect(inputsFrom({ flag: text }).boolean('flag', true)).toBe(expected);
  });

  test.each(['yes', '1', 'on', 'truthy'])('boolean rejects %j', (text) => {
    expect(errorOf(() => inputsFrom({ flag: text }).boolean('flag', false)).message).toBe(
      `Input 'flag': got "${text}", expected true or false.`,
    );
  });

  test.each([
    ['5', 5],
    ['+7', 7],
    ['', 3],
  ])('integer %j -> %d', (text, expected) => {
    expect(inputsFrom({ n: text }).integer('n', { fallback: 3, min: 1, max: 10 })).toBe(expected);
  });

  test.each(['0', '11', '2.5', 'ten', '1e3'])('integer rejects %j with the range', (text) => {
    expect(
      errorOf(() => inputsFrom({ n: text }).integer('n', { fallback: 3, min: 1, max: 10 })).message,
    ).toBe(`Input 'n': got "${text}", expected a whole number from 1 to 10.`);
  });

  test.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['30', 30_000],
    ['250ms', 250],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
  ])('duration %j -> %d ms', (text, ms) => {
    expect(inputsFrom({ d: text }).duration('d')).toBe(ms);
  });

  test.each(['5 minutes', '-1s', 's', '1x', '30s5'])('duration rejects %j', (text) => {
    expect(
      errorOf(() => inputsFrom({ d: text }).duration('d', { fallback: '1m' })).message,
    ).toMatch(
      new RegExp(
        `^Input 'd': got ${JSON.stringify(text).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, expected a duration such as 30s, 5m or 1h`,
      ),
    );
  });

  test('duration enforces bounds and uses the fallback', () => {
    const inputs = inputsFrom({ d: '2h' });
    expect(inputs.duration('missing', { fallback: '20m' })).toBe(1_200_000);
    expect(errorOf(() => inputs.duration('d', { maxMs: 3_600_000 })).message).toMatch(
      /, at most 1h 00m\.$/,
    );
  });

  test('list splits on newlines and commas, drops blanks and comments', () => {
    expect(inputsFrom({ l: 'a, b\n\n# note\nc' }).list('l')).toEqual(['a', 'b', 'c']);
    expect(inputsFrom({}).list('l')).toEqual([]);
  });

  test('map keeps = inside values and rejects malformed or repeated keys', () => {
    const map = inputsFrom({ m: 'A=1\nURL=postgres://u:p@h/db?x=y\n# c\n' }).map('m');
    expect([...map]).toEqual([
      ['A', '1'],
      ['URL', 'postgres://u:p@h/db?x=y'],
    ]);
    expect(errorOf(() => inputsFrom({ m: 'novalue' }).map('m')).message).toBe(
      `Input 'm': got "novalue", expected KEY=VALUE lines.`,
    );
    expect(errorOf(() => inputsFrom({ m: 'A=1\nA=2' }).map('m')).message).toContain(
      'A is repeated',
    );
    expect(
      errorOf(() =>
        inputsFrom({ m: 'lower=1' }).map('m', {
          keyPattern: /^[A-Z_]+$/,
          keyDescription: 'upper-case names',
        }),
      ).message,
    ).toContain('(upper-case names)');
  });

  test('choice is case-insensitive and returns the canonical spelling', () => {
    expect(
      inputsFrom({ c: 'immutable' }).choice('c', ['MUTABLE', 'IMMUTABLE'] as const, 'MUTABLE'),
    ).toBe('IMMUTABLE');
    expect(
      errorOf(() => inputsFrom({ c: 'x' }).choice('c', ['a', 'b'] as const, 'a')).message,
    ).toBe(`Input 'c': got "x", expected one of a, b.`);
  });

  test('structured parses YAML and JSON and names the input on a syntax error', () => {
    expect(inputsFrom({ y: '- name: a\n  url: http://x' }).structured('y')).toEqual([
      { name: 'a', url: 'http://x' },
    ]);
    expect(inputsFrom({ y: '{"a": [1, 2]}' }).structured('y')).toEqual({ a: [1, 2] });
    expect(inputsFrom({}).structured('y')).toBeUndefined();
    const error = errorOf(() => inputsFrom({ y: '- name: a\n url: [' }).structured('y'));
    expect(error.input).toBe('y');
    expect(error.message).toMatch(/^Input 'y': got "- name: a…", expected valid YAML or JSON \(/);
  });
});
