import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser (npx playwright install is not used).
export const CHROMIUM = process.env.GUESTHOUSE_CHROMIUM ?? '/usr/lib/chromium/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list'], ['./test/support/playwrightSummary.ts']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 800 },
  },
});
