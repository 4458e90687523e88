import { InputError } from '@deploy-actions/action-kit/engine';
import { parseStatusRanges, statusMatches } from '../../../packages/smoke/src/index.js';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseStatusRanges', () => {
  test.each([
    ['200', '200', [[200, 200]]],
    ['200-299', '200-299', [[200, 299]]],
    [
      '200,204,301-302',
      '200,204,301-302',
      [
        [200, 200],
        [204, 204],
        [301, 302],
      ],
    ],
    [
      ' 200 , 301 - 302 ',
      '200,301-302',
      [
        [200, 200],
        [301, 302],
      ],
    ],
    ['2xx', '200-299', [[200, 299]]],
    [
      '2XX,404',
      '200-299,404',
      [
        [200, 299],
        [404, 404],
      ],
    ],
    ['100-599', '100-599', [[100, 599]]],
    ['', '', []],
  ])('%j -> %s', (text, normalised, ranges) => {
    expect(parseStatusRanges(text, 'expect-status')).toEqual({ text: normalised, ranges });
  });

  test.each([
    ['600', '600'],
    ['99', '99'],
    ['299-200', '299-200'],
    ['abc', 'abc'],
    ['200-', '200-'],
    ['6xx', '6xx'],
    ['200;204', '200;204'],
    ['2000', '2000'],
  ])('refuses %j, naming the input, the value, the bad part and the form', (text, part) => {
    const error = inputError(() => parseStatusRanges(text, 'checks[2].expect-status'));
    expect(error.input).toBe('checks[2].expect-status');
    expect(error.message).toContain(JSON.stringify(text));
    expect(error.message).toContain(`(${part} is not)`);
    expect(error.message).toContain('e.g. 200-299');
  });
});

describe('statusMatches', () => {
  const set = parseStatusRanges('200,204,301-302', 'x');
  test.each([
    [200, true],
    [204, true],
    [301, true],
    [302, true],
    [201, false],
    [303, false],
    [500, false],
  ])('%d -> %s', (status, matches) => {
    expect(statusMatches(set, status)).toBe(matches);
  });

  test('the empty set matches nothing', () => {
    expect(statusMatches(parseStatusRanges('', 'x'), 200)).toBe(false);
  });
});
