import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['packages/**/*.ts'],
    rules: {
      // Engines know nothing of GitHub: only actions/ and action-kit talk to the runner.
      'no-restricted-imports': ['error', { patterns: ['@actions/*'] }],
    },
  },
  {
    files: ['packages/action-kit/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
