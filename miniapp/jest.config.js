/**
 * Logic tests run in node; component tests (*.test.tsx, with a `@jest-environment jsdom`
 * docblock) render with React Testing Library against DOM stand-ins for Taro.
 */
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'miniapp',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.tsx?$': [
      'ts-jest',
      {
        tsconfig: {
          jsx: 'react-jsx',
          module: 'commonjs',
          moduleResolution: 'node',
          esModuleInterop: true,
          target: 'ES2019',
          strict: true,
          skipLibCheck: true,
          types: ['node', 'jest'],
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        },
      },
    ],
  },
  moduleNameMapper: {
    '^@ssp/shared$': '<rootDir>/../shared/src',
    '^@tarojs/components$': '<rootDir>/test/stubs/taro-components.tsx',
    '^@tarojs/taro$': '<rootDir>/test/stubs/taro.ts',
    '\\.(css|png)$': '<rootDir>/test/stubs/style.js',
  },
};
