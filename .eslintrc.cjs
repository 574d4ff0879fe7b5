/**
 * ESLint for every workspace (ESLint 8: the Taro config, eslint-config-taro, is written for it).
 * TypeScript rules from typescript-eslint, hooks rules for React, Taro's own rules for the
 * mini-program; formatting is Prettier's job (eslint-config-prettier switches off the overlap).
 */
module.exports = {
  root: true,
  env: { es2022: true, node: true },
  parser: '@typescript-eslint/parser',
  parserOptions: { ecmaVersion: 2022, sourceType: 'module' },
  plugins: ['@typescript-eslint'],
  extends: ['eslint:recommended', 'plugin:@typescript-eslint/recommended', 'prettier'],
  reportUnusedDisableDirectives: true,
  ignorePatterns: ['**/dist/**', '**/node_modules/**', '.cache/**', '.data/**', 'test-artifacts/**', 'miniapp/.swc/**', 'coverage/**'],
  rules: {
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    // Types from zod and JSON stay honest through `unknown`; `any` is allowed in tests only (below).
    '@typescript-eslint/no-explicit-any': 'error',
    '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    'no-constant-condition': ['error', { checkLoops: false }],
    // Sanitisers strip control characters on purpose.
    'no-control-regex': 'off',
  },
  overrides: [
    {
      files: ['**/*.js', '**/*.cjs', 'bench/**'],
      rules: { '@typescript-eslint/no-require-imports': 'off' },
    },
    {
      files: ['**/test/**', 'e2e/**', 'bench/**', 'scripts/fuzz.ts'],
      rules: {
        '@typescript-eslint/no-explicit-any': 'off',
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      },
    },
    {
      files: ['miniapp/src/**/*.{ts,tsx}', 'miniapp/test/**/*.{ts,tsx}'],
      extends: ['taro/react', 'plugin:react-hooks/recommended', 'prettier'],
      parser: '@typescript-eslint/parser',
      parserOptions: { ecmaVersion: 2022, sourceType: 'module', ecmaFeatures: { jsx: true } },
      env: { browser: true },
      settings: { react: { version: '18' } },
      rules: {
        // React 17+ JSX transform: no React import needed.
        'react/react-in-jsx-scope': 'off',
        'import/no-commonjs': 'off',
      },
    },
    {
      files: ['console/src/**/*.{ts,tsx}'],
      extends: ['plugin:react/recommended', 'plugin:react/jsx-runtime', 'plugin:react-hooks/recommended', 'prettier'],
      parserOptions: { ecmaVersion: 2022, sourceType: 'module', ecmaFeatures: { jsx: true } },
      env: { browser: true, node: false },
      settings: { react: { version: '18' } },
      rules: { 'react/prop-types': 'off' },
    },
  ],
};
