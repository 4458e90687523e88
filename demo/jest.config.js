// `npm run demo`: the demo runs through jest only to reuse the TypeScript test support (the AWS
// simulator, the Docker daemon and registry, s3rver) as bench/ does. The reporter below prints
// nothing of jest's own; the demo writes its story to stdout itself.
import { typescriptEsm } from '../jest.config.js';

export default {
  rootDir: '..',
  ...typescriptEsm,
  testMatch: ['<rootDir>/demo/**/*.demo.ts'],
  reporters: ['<rootDir>/demo/reporter.js'],
  // Installs and starts what the sandbox uses where this machine can (tools/provision); the
  // sandbox names whatever is still missing.
  globalSetup: '<rootDir>/test/support/requires-setup.mjs',
  testEnvironmentOptions: { parts: ['docker', 'registry', 'postgres', 's3rver'] },
  testTimeout: 600_000,
  maxWorkers: 1,
};
