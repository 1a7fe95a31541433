// Lint, including the direction of dependencies (STYLE.md): http → services → rules;
// services see stores only through types; only src/store imports knex/pg.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PROTOCOL_LIBS = ['express', 'scimmy', 'scimmy-routers', '@node-saml/*', 'passport*', 'openid-client'];
const DB_LIBS = ['knex', 'pg', 'knex-pglite', '@electric-sql/pglite'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      // Input validation legitimately matches control characters.
      'no-control-regex': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } } },
  // Admin Center scripts run in the browser.
  { files: ['src/http/admin/assets/**/*.js'], languageOptions: { globals: { document: 'readonly', window: 'readonly', navigator: 'readonly' } } },
  {
    files: ['src/rules/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['../*', '!../errors.js'], message: 'rules/ is pure: it imports nothing outside itself but errors.ts.' },
          { group: [...PROTOCOL_LIBS, ...DB_LIBS, 'node:fs', 'node:net', 'node:dns*', 'node:crypto', 'node:http*'], message: 'rules/ is pure: no I/O, no randomness.' },
        ],
      }],
    },
  },
  {
    files: ['src/services/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: [...PROTOCOL_LIBS, ...DB_LIBS], message: 'services/ never imports protocol or database libraries.' },
          { group: ['../http/*', '../http/**'], message: 'services/ must not depend on http/.' },
          { group: ['../store/*', '!../store/index.js'], allowTypeImports: true, message: 'services/ sees stores only through their types.' },
        ],
      }],
    },
  },
  {
    files: ['src/http/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: DB_LIBS, message: 'Only src/store/ talks to the database.' }],
      }],
    },
  },
);
