// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      '**/cdktf.out/',
      'coverage/',
      'test/artifacts/',
      'src/ui/public/vendor/',
      'examples/typescript/generated/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through the config module only.' },
      ],
    },
  },
  {
    // The two config modules are the only places that read the environment.
    files: [
      'src/config/*.ts',
      'container/container-config.ts',
      // The command line: a program of its own, reading the standard AWS variables (AWS_ENDPOINT_URL, …).
      'cli/calculator.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'cdktf/**/*.ts',
      // The examples are programs of their own, as a user would write them.
      'examples/**/*.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/ui/public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        localStorage: 'readonly',
        sessionStorage: 'readonly',
        Option: 'readonly',
        setTimeout: 'readonly',
        React: 'readonly',
        ReactDOM: 'readonly',
        GraphiQL: 'readonly',
      },
    },
  },
  {
    files: ['examples/browser/*.js'],
    languageOptions: { sourceType: 'module', globals: { fetch: 'readonly', AbortSignal: 'readonly' } },
  },
  {
    // The `calculator` launcher and the browser finder: plain CommonJS, run before anything is built.
    files: ['bin/*.js', 'test/find-chromium.js'],
    languageOptions: { sourceType: 'commonjs', globals: { __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', module: 'writable', require: 'readonly' },
    },
  },
  prettier,
);
