// Benchmarks: run with `npm run bench` (all) or `npm run bench -- bench/ecr` (one area).
// They reuse the test support (daemons, registry, simulator, s3rver) through ts-jest, run one
// at a time so they do not compete for the two cores, and print their figures; they assert
// nothing about speed (see bench/README.md).
import { typescriptEsm } from '../jest.config.js';

export default {
  rootDir: '..',
  ...typescriptEsm,
  testMatch: ['<rootDir>/bench/**/*.bench.ts'],
  testTimeout: 3_600_000,
  maxWorkers: 1,
  // The system parts (Docker daemon, registry, AWS CLI, databases), installed and started first.
  globalSetup: '<rootDir>/test/support/requires-setup.mjs',
};
