import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Renderer component tests import .vue files; they opt into a DOM per file with
  // `// @vitest-environment happy-dom`.
  plugins: [vue()],
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', '**/node_modules/**'],
    environment: 'node',
    // better-sqlite3 is a native addon: child processes, not worker threads.
    pool: 'forks',
    fileParallelism: true,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
