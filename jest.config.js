/**
 * ts-jest transpiles only (types are checked by `tsc --noEmit` in `npm test`), which keeps the
 * suite fast on two cores. msw 2 and jose pull in ESM-only packages, so those are transformed too.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/bot', '<rootDir>/test', '<rootDir>/bin'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: {
    '^.+\\.(ts|tsx|js|mjs)$': ['ts-jest', { tsconfig: { isolatedModules: true, allowJs: true, module: 'commonjs', moduleResolution: 'node10' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(rettime|until-async|@open-draft|@mswjs|jose|msw)/)'],
  testTimeout: 30000,
  // Chooses the PostgreSQL for the run (starting one from npm when none is reachable) and stops it.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
