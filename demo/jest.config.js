// `npm run demo`: the demo runs through jest only to reuse the TypeScript test support (the AWS
// simulator, the Docker daemon and registry, s3rver) as bench/ does. The reporter below prints
// nothing of jest's own; the demo writes its story to stdout itself.
import { typescriptEsm } from '../jest.config.js';

export default {
  rootDir: '..',
  ...typescriptEsm,
  testMatch: ['<rootDir>/demo/**/*.demo.ts'],
  reporters: ['<rootDir>/demo/reporter.js'],
  testTimeout: 600_000,
  maxWorkers: 1,
};
