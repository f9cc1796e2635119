import { defineConfig, devices } from '@playwright/test';

// End-to-end tests drive the real renderer in Debian's Chromium (/usr/bin/chromium, installed
// by .ci/run). Playwright never downloads a browser here.
export default defineConfig({
  testDir: 'tests/e2e',
  // Builds out/renderer once when it is missing or stale (the preview host serves it).
  globalSetup: './tests/e2e/global-setup.ts',
  outputDir: 'test-results',
  forbidOnly: Boolean(process.env['CI']),
  retries: 0,
  workers: 1,
  timeout: 30_000,
  reporter: process.env['CI'] ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    // The demo clinic lays its day out in UTC; the board's "today" must be the same day.
    timezoneId: 'UTC',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
});
