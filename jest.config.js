// Two projects: fast unit tests (no processes, no network beyond loopback
// servers they start themselves) and end-to-end tests that run the committed
// dist/ bundles under Node 24 against real local services and the simulator.
/** ts-jest for ESM TypeScript: shared with bench/ and demo/ configs. */
export const typescriptEsm = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
};

export default {
  reporters: [
    'default',
    '<rootDir>/test/support/requires-reporter.mjs',
    '<rootDir>/test/support/count-reporter.js',
  ],
  // End-to-end tests start daemons and run bundles; unit tests finish far sooner.
  testTimeout: 120000,
  // Two test files at a time, whatever the machine: each e2e file starts its own dockerd,
  // registry, simulator and databases, and CI has 2 cores. (More: `npm test -- --maxWorkers=N`.)
  // Jest's --ci needs no flag here: it is on by itself when CI=true, as on CI.
  maxWorkers: 2,
  projects: [
    { ...typescriptEsm, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...typescriptEsm,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      // Finds, installs and starts the system parts first; a file whose `@needs` parts are not
      // ready is skipped with the command that installs them (never under CI).
      globalSetup: '<rootDir>/test/support/requires-setup.mjs',
      testEnvironment: '<rootDir>/test/support/requires-environment.mjs',
    },
  ],
};
