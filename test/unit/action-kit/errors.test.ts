import { InputError, UserError, describeError, secretForms } from '@deploy-actions/action-kit';

describe('describeError', () => {
  test.each([
    [new UserError('Bucket missing.', { hint: 'Create it.' }), 'Bucket missing. Create it.'],
    [
      new InputError('url', 'ftp://x', 'an http or https URL'),
      `Input 'url': got "ftp://x", expected an http or https URL.`,
    ],
    [new TypeError('x is not a function'), 'TypeError: x is not a function'],
    [new Error(''), '(no message)'],
    ['plain string', 'plain string'],
    [{ code: 42 }, 'Non-error thrown: {"code":42}'],
    [undefined, 'Non-error thrown: undefined'],
    [null, 'Non-error thrown: null'],
  ])('%#: renders one line', (error, expected) => {
    expect(describeError(error)).toBe(expected);
  });
});

describe('secretForms', () => {
  test('includes each line and the URL-encoded form', () => {
    expect(secretForms('p@ss/w0rd\nline2')).toEqual([
      'p@ss/w0rd\nline2',
      'p@ss/w0rd',
      'line2',
      'p%40ss%2Fw0rd%0Aline2',
    ]);
  });
  test('ignores blank secrets', () => {
    expect(secretForms('  ')).toEqual([]);
  });
});
