import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', '.config/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // The console page runs in the browser, as plain ES modules.
    files: ['src/console/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/cli/**', 'benchmarks/**', 'knowledge-base/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // A hook's name is written only in its own module under src/hooks/: everything else asks the registry
    // (src/hooks/registry.ts) or is handed what it needs as data, so adding a hook touches one folder.
    files: ['src/**/*.ts'],
    ignores: ['src/hooks/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Literal[value=/\\b(order-select|order-sign|medication-prescribe|patient-view)\\b/]',
          message: 'hook names are written only in src/hooks/: ask the registry (src/hooks/registry.ts)',
        },
        {
          selector: 'TemplateElement[value.raw=/\\b(order-select|order-sign|medication-prescribe|patient-view)\\b/]',
          message: 'hook names are written only in src/hooks/: ask the registry (src/hooks/registry.ts)',
        },
      ],
    },
  },
  {
    files: ['test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='only']", message: 'no .only in tests' },
      ],
    },
  },
);
