/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: { jsx: 'react-jsx', module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, target: 'ES2019', strict: true, skipLibCheck: true, types: ['node', 'jest'], lib: ['ES2022', 'DOM', 'DOM.Iterable'] } }] },
  moduleNameMapper: { '^@ssp/shared$': '<rootDir>/../shared/src' },
};
