/** Tests of the project's own tooling (scripts/): the database provider's decision order. */
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'scripts',
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
};
