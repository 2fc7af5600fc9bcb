import { spawn, ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { test as base } from '@playwright/test';
import { ADMIN_TOKEN, MAIN, SCARCE } from '../playwright.config';
import { apiAvailable, availability, expect, fillBuyer, openHydrated, test } from './fixtures';

async function bookViaApi(baseURL: string, tier: string, quantity: number) {
  const response = await fetch(`${baseURL}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: `api-${Date.now()}`, tier, quantity }),
  });
  expect(response.status).toBe(201);
}

test('a hold in one browser shows in another within a second, without a reload', async ({ browser, consoleErrors }) => {
  const buyer = await (await browser.newContext()).newPage();
  const watcher = await (await browser.newContext()).newPage();
  await openHydrated(buyer, MAIN);
  await openHydrated(watcher, MAIN);
  await expect(watcher.locator('.live-status')).toHaveAttribute('data-status', 'live');
  const before = await apiAvailable(MAIN, 'general');
  await expect(watcher.locator('#availability-general')).toHaveText(`${before} of 5000 left`);

  await buyer.getByLabel('General Admission').check();
  await fillBuyer(buyer, '3');
  await buyer.getByRole('button', { name: 'Hold tickets' }).click();
  await expect(buyer).toHaveURL(/\/checkout\//);
  await expect(watcher.locator('#availability-general')).toHaveText(`${before - 3} of 5000 left`, { timeout: 1_000 });
  expect(consoleErrors).toEqual([]);
});

test('a tier sold out through the API turns "Sold out" in an open page and leaves the form', async ({ page, consoleErrors }) => {
  await openHydrated(page, SCARCE);
  await expect(page.locator('.live-status')).toHaveAttribute('data-status', 'live');
  await expect(availability(page, 'front_row')).toHaveText('3 of 3 left');
  await expect(page.getByLabel('Front Row')).toBeEnabled();

  await bookViaApi(SCARCE, 'front_row', 3);
  await expect(availability(page, 'front_row')).toHaveText('Sold out: join the waiting list', { timeout: 1_000 });
  await expect(page.getByLabel('Front Row')).toBeDisabled();
  expect(consoleErrors).toEqual([]);
});

// This test stops the server on purpose, so the browser's refused connections are expected console errors.
base('the page recovers by itself after the server restarts', async ({ page }) => {
  const port = 3102;
  const url = `http://127.0.0.1:${port}`;
  rmSync(`.tmp/${port}`, { recursive: true, force: true });
  mkdirSync(`.tmp/${port}`, { recursive: true });
  const start = (): ChildProcess =>
    spawn('../target/release/boxoffice', [], {
      stdio: 'ignore',
      env: {
        ...process.env,
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: '../target/site',
        DATABASE_URL: `sqlite://.tmp/${port}/boxoffice.db`,
        RUST_LOG: 'warn',
      },
    });
  const waitUp = async () => {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) return;
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('server did not start');
  };
  const stop = (server: ChildProcess) =>
    new Promise<void>((resolve) => {
      server.once('exit', () => resolve());
      server.kill('SIGTERM');
    });

  let server = start();
  try {
    await waitUp();
    await openHydrated(page, url);
    const status = page.locator('.live-status');
    await expect(status).toHaveAttribute('data-status', 'live');

    await stop(server);
    await expect(status).toHaveAttribute('data-status', 'reconnecting', { timeout: 5_000 });

    server = start();
    await waitUp();
    await expect(status).toHaveAttribute('data-status', 'live', { timeout: 10_000 });
    await bookViaApi(url, 'vip', 2);
    await expect(availability(page, 'vip')).toHaveText('98 of 100 left', { timeout: 1_000 });
  } finally {
    await stop(server);
  }
});

test('the operator pausing a tier and changing its capacity shows in an open page at once', async ({ page, consoleErrors }) => {
  const admin = (method: string, path: string, body?: object) =>
    fetch(`${SCARCE}/api/admin/tiers/vip/${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
  await openHydrated(page, SCARCE);
  await expect(page.locator('.live-status')).toHaveAttribute('data-status', 'live');
  try {
    expect((await admin('POST', 'pause')).status).toBe(200);
    await expect(availability(page, 'vip')).toHaveText('Not on sale right now', { timeout: 1_000 });
    await expect(page.getByLabel('VIP')).toBeDisabled();
    expect((await admin('PUT', 'capacity', { capacity: 120 })).status).toBe(200);
  } finally {
    expect((await admin('POST', 'resume')).status).toBe(200);
  }
  const available = await apiAvailable(SCARCE, 'vip');
  await expect(availability(page, 'vip')).toHaveText(`${available} of 120 left`, { timeout: 1_000 });
  await expect(page.getByLabel('VIP')).toBeEnabled();
  expect(consoleErrors).toEqual([]);
});
