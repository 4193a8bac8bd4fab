// ESLint's recommended rules and typescript-eslint's, for the library, its tests, scripts and benchmarks.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['build/', 'deps/', 'node_modules/', '.venv/', 'session/labextension/lib/', 'site/lib/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', fetch: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', process: 'readonly', console: 'readonly' } },
  },
  {
    rules: {
      // Unused arguments named with a leading underscore are deliberate (callbacks of a fixed shape).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The library reads a screen at a time: no function longer than 100 lines (the training loop is about 70).
    files: ['lib/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }] },
  },
  {
    // The public API is a list of names, not whatever the folders happen to export.
    files: ['lib/index.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'lib/index.ts names its exports: no export *' }],
    },
  },
);
