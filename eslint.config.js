import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.roster/**', 'bench/results/**',
      'src/api/generated/types/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/max-len': ['error', { code: 100, ignoreUrls: true }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
      'prefer-const': 'error',
      'max-lines-per-function': ['warn', { max: 90, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/no-unused-vars': ['error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Type-aware rules for promises: one that nobody awaits or catches loses its error, and one
    // handed where a callback's result is ignored runs unobserved.
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Node scripts and examples run as they are (no build).
    files: ['scripts/**/*.mjs', 'examples/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly',
      setTimeout: 'readonly', setInterval: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' },
    },
  },
  {
    // describe() blocks hold many tests; each it() stays short on its own.
    files: ['test/**'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    // The deterministic modules: time and randomness come in from outside, so the simulator
    // can drive them (docs/ARCHITECTURE.md).
    files: ['src/raft/**', 'src/registry/**', 'src/lease/**', 'src/watch/**', 'src/health/**'],
    rules: {
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'process',
        'queueMicrotask', 'performance'],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Time comes from a Clock or ticks.' },
        { object: 'Math', property: 'random', message: 'Randomness comes from an injected Prng.' }],
      'no-restricted-syntax': ['error',
        { selector: 'NewExpression[callee.name="Date"]',
          message: 'Time comes from a Clock or ticks.' },
        { selector: 'NewExpression[callee.name="Promise"]',
          message: 'Pure modules are synchronous.' },
        { selector: 'FunctionDeclaration[async=true]', message: 'Pure modules are synchronous.' },
        { selector: 'ArrowFunctionExpression[async=true]',
          message: 'Pure modules are synchronous.' }],
    },
  },
);
