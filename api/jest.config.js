/** @type {import('jest').Config} */
module.exports = {
  // Transpile only: `npm test` typechecks the whole API separately (scripts/test.ts),
  // and per-file type checking would make every suite pay for the whole program.
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  moduleNameMapper: { '^@ssp/shared$': '<rootDir>/../shared/src' },
  testTimeout: 30000,
};
