// Lint: typescript-eslint with type information, so that un-awaited promises (an assertion that
// silently never runs) are errors. Layer rules live in .dependency-cruiser.cjs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import fileRoleNames from './tools/lint/file-role-names.cjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.fireline/**', '**/*.mjs', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a string union, not an enum (STYLE.md).' }],
    },
  },
  {
    // One spelling per file role (controllers, command handlers, request DTOs, …): see the rule's docstring.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    plugins: { fireline: { rules: { 'file-role-names': fileRoleNames } } },
    rules: { 'fireline/file-role-names': 'error' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', '**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-properties': ['error', { object: 'it', property: 'skip', message: 'No skipped tests on main.' }, { object: 'describe', property: 'skip', message: 'No skipped tests on main.' }],
    },
  },
);
