/**
 * Unit tests of the console's logic that needs no browser (what a role is offered).
 * The screens themselves are tested in Chromium: e2e/console.test.ts.
 */
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'console',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // Transpile only: `npx tsc -p console/tsconfig.json` type-checks.
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: { module: 'commonjs', jsx: 'react-jsx', esModuleInterop: true, isolatedModules: true } }] },
  moduleNameMapper: { '^@ssp/shared$': '<rootDir>/../shared/src' },
};
