import { defineConfig } from '@playwright/test';

// Three release servers on fresh databases: one with the default stock, one where General Admission has a
// single ticket and Front Row three (for the sold-out tests), one whose holds last three seconds. Playwright starts and stops them; nothing is left running.
export const MAIN = 'http://127.0.0.1:3100';
export const SCARCE = 'http://127.0.0.1:3101';
// The test servers' admin token (a test value, not a secret).
export const ADMIN_TOKEN = 'e2e-admin-token';
// Holds last three seconds here, for the expiry test.
export const SHORT_HOLDS = 'http://127.0.0.1:3103';

const server = (port: number, capacity: string, holdSeconds = 600) => ({
  command: `rm -rf .tmp/${port} && mkdir -p .tmp/${port} && exec ../target/release/boxoffice`,
  url: `http://127.0.0.1:${port}/healthz`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: 'ignore' as const,
  stderr: 'pipe' as const,
  env: {
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    LEPTOS_SITE_ROOT: '../target/site',
    DATABASE_URL: `sqlite://.tmp/${port}/boxoffice.db`,
    BOXOFFICE_OUTBOX_DIR: `.tmp/${port}/outbox`,
    BOXOFFICE_CAPACITY: capacity,
    BOXOFFICE_HOLD_SECONDS: String(holdSeconds),
    BOXOFFICE_ADMIN_TOKEN: ADMIN_TOKEN,
    RUST_LOG: 'warn',
  },
});

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: MAIN,
    // The buyer's clocks read as the default concert's venue's (UTC): a test that wants them to differ sets
    // its own zone.
    timezoneId: 'UTC',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  webServer: [
    server(3100, 'vip=100,front_row=500,general=5000'),
    server(3101, 'vip=100,front_row=3,general=1'),
    server(3103, 'vip=10,front_row=10,general=10', 3),
  ],
});
