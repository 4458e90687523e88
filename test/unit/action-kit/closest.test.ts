import { closest } from '@deploy-actions/action-kit/engine';

describe('closest', () => {
  const inputs = ['timeout', 'request-timeout', 'expect-status', 'url'];

  test.each([
    ['timout', 'timeout'],
    ['expectStatus', 'expect-status'],
    ['EXPECT_STATUS', 'expect-status'],
    ['request timeout', 'request-timeout'],
    ['urls', 'url'],
    ['zzzzzz', undefined],
    ['', undefined],
  ])('%j -> %s', (name, suggestion) => {
    expect(closest(name, inputs)).toBe(suggestion);
  });

  test('takes the nearest candidate within reach, the earlier one on a tie', () => {
    expect(closest('ab', ['abx', 'aby'])).toBe('abx');
    expect(closest('abcd', ['abcx', 'abcd-efgh'])).toBe('abcx');
    expect(closest('abcdefgh', ['ab'])).toBeUndefined();
  });

  test('candidates are compared in kebab case too, and returned as given', () => {
    expect(closest('max-latency', ['maxLatency', 'url'])).toBe('maxLatency');
  });

  test('maxDistance widens or narrows the reach', () => {
    expect(closest('smoke-tst', ['smoke-test'], { maxDistance: () => 0 })).toBeUndefined();
    expect(closest('smk', ['smoke-test'], { maxDistance: () => 7 })).toBe('smoke-test');
  });

  test('containing finds a candidate holding the name when no typo is in reach', () => {
    const actions = ['build-push-ecr', 'smoke-test', 'run-migrations'];
    expect(closest('smoke', actions)).toBeUndefined();
    expect(closest('smoke', actions, { containing: true })).toBe('smoke-test');
    expect(closest('migrations', actions, { containing: true })).toBe('run-migrations');
    expect(closest('deploy', actions, { containing: true })).toBeUndefined();
  });
});
