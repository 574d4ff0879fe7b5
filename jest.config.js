/** Every workspace's tests in one run (see scripts/test.ts for the full test command). */
/** @type {import('jest').Config} */
module.exports = {
  // Two cores: one worker per core keeps the shared database server responsive.
  maxWorkers: 2,
  // Project configs' own testTimeout is not applied when jest runs from here.
  testTimeout: 60000,
  projects: ['<rootDir>/shared', '<rootDir>/scripts', '<rootDir>/api', '<rootDir>/miniapp', '<rootDir>/console', '<rootDir>/e2e'],
};
