/**
 * Browser tests of the H5 build, served by the real API on loopback with its own
 * database, driven by playwright-core in the system Chromium (see helpers/browser.ts).
 * The H5 app must be built first (scripts/test.ts does; or npm run build:h5 -w miniapp).
 */
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'e2e',
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/**/*.test.ts'],
  // Transpile only (tsconfig isolatedModules): the API's sources are type-checked by its own step.
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // The API tests' database setup (api/test/helpers/global-*.ts), shared when it already ran.
  globalSetup: '<rootDir>/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/helpers/global-teardown.ts',
  moduleNameMapper: { '^@ssp/shared$': '<rootDir>/../shared/src' },
  testTimeout: 120_000,
};
