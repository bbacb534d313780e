import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'data/', 'coverage/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The core is pure: it may not reach for I/O or for any outer layer.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:fs', 'node:fs/*', 'node:net', 'node:http', 'node:https', 'node:child_process', 'fs', 'net', 'http', 'https', 'child_process'], message: 'src/core has no I/O.' },
          { group: ['../*/**', '../store*', '../bus*', '../connectors*', '../pipeline*', '../app*', '../server*', '../cli*', '../triage*', '../outbox*', '../analytics*'], message: 'src/core imports nothing outside core.' },
        ],
      }],
    },
  },
  {
    // The server and the CLI are leaves: only the composition root (src/app/earshot.ts) wires the server in, and
    // nothing imports the CLI.
    files: ['src/**/*.ts'],
    ignores: ['src/server/**', 'src/cli/**', 'src/app/earshot.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/**', '**/cli/**'], message: 'Only src/app/earshot.ts wires in the server; nothing imports the CLI.' }] }],
    },
  },
);
