// @ts-check
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import stylistic from '@stylistic/eslint-plugin';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const tsFiles = ['**/*.ts', '**/*.mts', '**/*.cts'];
const vueFiles = ['**/*.vue'];
const rendererFiles = ['src/renderer/**', 'tests/renderer/**'];
const testFiles = ['tests/**', 'bench/**'];

export default defineConfig(
  globalIgnores([
    'out/',
    'dist/',
    'node_modules/',
    'coverage/',
    'test-results/',
    'playwright-report/',
    'blob-report/',
  ]),

  js.configs.recommended,

  // TypeScript (and the <script lang="ts"> of Vue SFCs): type-aware rules. The project
  // service finds each file's project through the solution tsconfig.json.
  {
    files: [...tsFiles, ...vueFiles],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      // With verbatimModuleSyntax, `import { type A }` would leave an empty side-effect import.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'smart'],
      // Bridge methods are async by contract (ClinicBridge returns promises), so a
      // synchronous body still belongs in an async method: a throw becomes a rejection.
      '@typescript-eslint/require-await': 'off',
    },
  },

  // Vue SFCs: eslint-plugin-vue's recommended rules, with the TypeScript parser for scripts.
  {
    files: vueFiles,
    extends: [pluginVue.configs['flat/recommended']],
    languageOptions: {
      parserOptions: {
        parser: tseslint.parser,
        sourceType: 'module',
      },
    },
  },

  // Where code runs: Node everywhere except the renderer (and its component tests).
  {
    files: ['**/*.{js,mjs,cjs,ts,mts,cts}'],
    ignores: rendererFiles,
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: rendererFiles,
    languageOptions: { globals: { ...globals.browser } },
  },

  // One statement style per room, as each was written: semicolons in Node code (main,
  // preload, shared, build, tests), none in the renderer, as Vue's own templates do.
  {
    files: ['**/*.{js,mjs,cjs,ts,mts,cts}'],
    ignores: rendererFiles,
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/semi': ['error', 'always'] },
  },
  {
    files: [...rendererFiles, ...vueFiles],
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/semi': ['error', 'never'] },
  },

  // Plain JavaScript (this file, bin/*.mjs) is in no tsconfig: lint it without type information.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },

  // The house rules (docs/architecture.md, "The rooms"): dependencies point inward.
  {
    files: ['src/shared/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', '**/renderer/**', '**/preload/**', 'electron', 'vue', 'pinia', 'node:*'], message: 'src/shared is the contract: no host, no framework, no I/O.' }] }],
    },
  },
  {
    files: ['src/main/core/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', 'electron/**', 'vue', 'pinia', '**/renderer/**', '**/main/electron/**', '**/electron/**', '**/demo/**', '**/cli/**', '**/preview/**'], allowTypeImports: true, message: 'The core runs in plain Node under every host: no Electron, no Vue, no host or demo code.' }] },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', '**/preload/**', 'electron', 'node:*', 'better-sqlite3', 'pusher-js', 'laravel-echo'], message: 'The renderer talks to the desk through the bridge and imports only src/shared.' }] }],
    },
  },
  {
    // The demo clinic (its servers, the pusher SDK, ws) loads on demand: only its small port and
    // command-line helpers may be imported statically outside it.
    files: ['src/main/index.ts', 'src/main/cli/**', 'src/main/preview/**', 'src/main/electron/**', 'src/main/web/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)demo/(?!(demo-port|dialects/names|time-zone-arg|take-option|logger)$)',
              allowTypeImports: true,
              message: 'Load the demo clinic with import() (see docs/architecture.md).',
            },
          ],
        },
      ],
    },
  },

  // Tests and benchmarks.
  {
    files: testFiles,
    rules: {
      // `!` after an assertion that already checked the value is fine in a test.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Vitest's asymmetric matchers (expect.any, expect.stringContaining, expect.objectContaining…)
      // are typed `any`, so `toEqual({ id: expect.any(String) })` and
      // `toHaveBeenCalledWith(expect.anything())` would be flagged everywhere. The other
      // no-unsafe-* rules (call, member access, return) stay on.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
