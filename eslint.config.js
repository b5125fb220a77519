import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='ctx'][property.name='ip']", message: 'ctx.ip trusts the client-written X-Forwarded-For; use the client IP resolver.' }],
    },
  },
  // The folders are the architecture: what a request says (request/) and what the flag says (flag/) know nothing
  // of the middleware, and the admin client and the command (control/, cli/) load no middleware code at all.
  {
    files: ['src/flag/**', 'src/control/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!flag/|option-error\\.js$)', message: 'flag/ and control/ import only from the shared vocabulary in src/flag/.' }] }] },
  },
  {
    files: ['src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!flag/|control/|option-error\\.js$)', message: 'cli/ imports only from src/control/ and the shared vocabulary in src/flag/.' }] }] },
  },
  {
    files: ['src/request/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!flag/|option-error\\.js$)', message: 'request/ reads requests; it imports no middleware code.' }] }] },
  },
);
