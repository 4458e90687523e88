import {
  InputError,
  Inputs,
  durationValue,
  formatDurationInput,
  integerValue,
  parseDuration,
  parseKeyValueLines,
  yamlValue,
} from '@deploy-actions/action-kit/engine';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('integerValue', () => {
  test('reads a whole number in range; blank takes the fallback', () => {
    expect(integerValue('n', ' 7 ', { min: 1, max: 10 })).toBe(7);
    expect(integerValue('n', '  ', { fallback: 3 })).toBe(3);
    expect(integerValue('n', undefined, { fallback: 3 })).toBe(3);
  });

  test('names the input, shows the value as given and the range', () => {
    expect(messageOf(() => integerValue('checks[0].n', ' 11', { min: 1, max: 10 }))).toBe(
      `Input 'checks[0].n': got " 11", expected a whole number from 1 to 10.`,
    );
    expect(messageOf(() => integerValue('n', undefined, { min: 0 }))).toBe(
      `Input 'n': got nothing, expected a whole number of at least 0.`,
    );
  });
});

describe('durationValue', () => {
  test('reads a duration; blank takes the fallback', () => {
    expect(durationValue('d', '1h30m')).toBe(5_400_000);
    expect(durationValue('d', ' ', { fallback: '2s' })).toBe(2000);
  });

  test('words the error as Inputs.duration does by default', () => {
    expect(messageOf(() => durationValue('d', '2h', { minMs: 10_000, maxMs: 3_600_000 }))).toBe(
      `Input 'd': got "2h", expected a duration such as 30s, 5m or 1h (plain numbers are seconds), from 10.0s to 1h 00m.`,
    );
  });

  test('examples and boundsAs: input change the wording, not the check', () => {
    const options = {
      minMs: 100,
      maxMs: 6 * 3_600_000,
      examples: '500ms, 30s, 5m or 1h',
      boundsAs: 'input',
    } as const;
    expect(durationValue('t', '6h', options)).toBe(6 * 3_600_000);
    expect(messageOf(() => durationValue('t', '99ms', options))).toBe(
      `Input 't': got "99ms", expected a duration such as 500ms, 30s, 5m or 1h (plain numbers are seconds), from 100ms to 6h.`,
    );
    expect(messageOf(() => durationValue('t', undefined, { ...options, maxMs: undefined }))).toBe(
      `Input 't': got nothing, expected a duration such as 500ms, 30s, 5m or 1h (plain numbers are seconds), at least 100ms.`,
    );
  });

  test('Inputs.duration still shows the fallback it fell back to', () => {
    const inputs = new Inputs(() => undefined);
    expect(messageOf(() => inputs.duration('d', { fallback: '2h', maxMs: 3_600_000 }))).toBe(
      `Input 'd': got "2h", expected a duration such as 30s, 5m or 1h (plain numbers are seconds), at most 1h 00m.`,
    );
  });
});

describe('formatDurationInput', () => {
  test.each([
    [0, '0s'],
    [1, '1ms'],
    [100, '100ms'],
    [10_000, '10s'],
    [1500, '1s500ms'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [6 * 3_600_000, '6h'],
  ])('%d ms -> %s, which parseDuration reads back', (ms, text) => {
    expect(formatDurationInput(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('yamlValue', () => {
  test('parses YAML and JSON', () => {
    expect(yamlValue('y', '- a: 1')).toEqual([{ a: 1 }]);
    expect(yamlValue('y', '{"a": [1]}')).toEqual({ a: [1] });
  });

  test('names what the text should hold, shows its first line, and ends the reason cleanly', () => {
    const message = messageOf(() => yamlValue('checks', '- url: [unclosed\n- x', 'a YAML list'));
    expect(message).toMatch(/^Input 'checks': got "- url: \[unclosed…", expected a YAML list \(/);
    expect(message).not.toMatch(/:\)\.$/);
    expect(message).toMatch(/\)\.$/);
  });

  test('refuses a key given twice', () => {
    expect(messageOf(() => yamlValue('y', 'a: 1\na: 2'))).toContain(
      'expected valid YAML or JSON (',
    );
  });
});

describe('parseKeyValueLines', () => {
  const base = { separator: '=', input: 'm', form: 'KEY=VALUE lines' } as const;

  test('commas separate pairs only in text without line breaks', () => {
    expect(parseKeyValueLines('A=1,B=2', { ...base, commas: true })).toEqual([
      ['A', '1'],
      ['B', '2'],
    ]);
    expect(parseKeyValueLines('A=1,B=2\nC=3', { ...base, commas: true })).toEqual([
      ['A', '1,B=2'],
      ['C', '3'],
    ]);
    expect(parseKeyValueLines('A=1,B=2', base)).toEqual([['A', '1,B=2']]);
  });

  test('unique refuses a repeated key, showing its line', () => {
    expect(parseKeyValueLines('A=1\nA=2', base)).toHaveLength(2);
    expect(messageOf(() => parseKeyValueLines('A=1\nA=2', { ...base, unique: true }))).toBe(
      `Input 'm': got "A=2", expected each key once (A is repeated).`,
    );
  });

  test('keyPattern refuses other keys with the form', () => {
    expect(
      messageOf(() => parseKeyValueLines('lower=1', { ...base, keyPattern: /^[A-Z]+$/ })),
    ).toBe(`Input 'm': got "lower=1", expected KEY=VALUE lines.`);
  });

  test('hideValues shows only the start of a bad line', () => {
    const options = {
      separator: ':',
      input: 'h',
      form: 'Name: value lines',
      hideValues: true,
    } as const;
    const message = messageOf(() => parseKeyValueLines('Authorization Bearer t0ken', options));
    expect(message).toBe(`Input 'h': got "Authorization …", expected Name: value lines.`);
  });
});
