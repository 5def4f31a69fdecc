// Lint of src/, workers/, test/ and bench/, run by `npm test`. Formatting is prettier's
// (`npm run format:check`); the import direction between layers is test/unit/import-layers.test.ts.
import js from '@eslint/js';
import globals from 'globals';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'data/', 'console/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': 'error',
      // Decorator targets and the class lists type-graphql and TypeORM take are `Function` in their own types.
      '@typescript-eslint/no-unsafe-function-type': 'off',
      // GraphQL arguments and responses are untyped JSON at the edges (operation specs, tests).
      '@typescript-eslint/no-explicit-any': 'off',
      // A leading underscore marks a binding kept on purpose (an omitted field, Express's 4-argument error handler).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The one cycle by design: the live event subscription authorizes like a root field, through
    // the catalog that lists its own resolver; safe because the catalog is built on first use,
    // not at import (operation-catalog.ts). Breaking it means handing the stream its authorizer.
    files: [
      'src/graphql/authorization.middleware.ts',
      'src/graphql/operation-catalog.ts',
      'src/graphql/resolvers.ts',
      'src/streaming/live-stream.ts',
      'src/streaming/streaming.resolver.ts',
    ],
    rules: { 'import-x/no-cycle': 'off' },
  },
  {
    // CommonJS files run by node (the jest reporter).
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    // Only the process entry starts workers (it runs them in-process with --with-workers).
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/workers', '**/workers/**'], message: 'src/ does not import workers/: enqueue through src/jobs.' }] }],
    },
  },
);
