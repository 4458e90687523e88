import {
  formatJsonPath,
  formatJsonValue,
  lookupJsonPath,
  parseJsonPath,
} from '../../../packages/smoke/src/index.js';

describe('parseJsonPath', () => {
  test.each([
    ['version', ['version']],
    ['build.sha', ['build', 'sha']],
    ['$.data.version', ['data', 'version']],
    ['$.items[0].id', ['items', 0, 'id']],
    ['items.0.id', ['items', '0', 'id']],
    ['[1]', [1]],
    ["$['odd.key'].x", ['odd.key', 'x']],
    ['$["a b"]', ['a b']],
    ['$', []],
    ['  build.sha  ', ['build', 'sha']],
    ['x-app', ['x-app']],
  ])('%s -> %j', (text, segments) => {
    expect(parseJsonPath(text)).toEqual(segments);
  });

  test.each(['', '   ', 'a..b', 'a.', '$.', 'a[x]', 'a[0', "$['unclosed]", '.a', 'a b.c['])(
    'refuses %j',
    (text) => {
      expect(parseJsonPath(text)).toBeUndefined();
    },
  );
});

describe('lookupJsonPath', () => {
  const document = {
    status: 'ok',
    build: { sha: 'abc123', number: 42 },
    items: [{ id: 'first' }, { id: 'second' }],
    'odd.key': true,
    nothing: null,
  };

  test.each([
    ['status', 'ok'],
    ['build.sha', 'abc123'],
    ['build.number', 42],
    ['$.items[1].id', 'second'],
    ['items.0.id', 'first'],
    ["$['odd.key']", true],
    ['nothing', null],
    ['$', document],
  ])('%s finds %j', (path, value) => {
    expect(lookupJsonPath(document, parseJsonPath(path)!)).toEqual({ found: true, value });
  });

  test.each([
    ['missing', '$.missing'],
    ['build.branch', '$.build.branch'],
    ['build.sha.more', '$.build.sha.more'],
    ['items[2].id', '$.items[2]'],
    ['items.x', '$.items.x'],
    ['status.length', '$.status.length'],
    ['toString', '$.toString'],
  ])('%s is missing at %s', (path, missingAt) => {
    expect(lookupJsonPath(document, parseJsonPath(path)!)).toEqual({ found: false, missingAt });
  });

  test('a body that is one string is found at $', () => {
    expect(lookupJsonPath('abc123', [])).toEqual({ found: true, value: 'abc123' });
  });
});

describe('formatting', () => {
  test('formatJsonPath shows paths the way messages need them', () => {
    expect(formatJsonPath(['a', 0, 'odd.key'])).toBe("$.a[0]['odd.key']");
    expect(formatJsonPath([])).toBe('$');
  });

  test.each([
    ['ok', 'ok'],
    [3, '3'],
    [true, 'true'],
    [null, 'null'],
    [{ a: 1 }, '{"a":1}'],
    [[1, 2], '[1,2]'],
  ])('formatJsonValue(%j) -> %s', (value, text) => {
    expect(formatJsonValue(value)).toBe(text);
  });
});
