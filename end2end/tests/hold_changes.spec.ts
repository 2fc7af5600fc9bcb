import { ADMIN_TOKEN, MAIN } from '../playwright.config';
import { apiAvailable, availability, expect, fillBuyer, holdTickets, openHydrated, test } from './fixtures';

test('a buyer gives a hold back: its tickets are on sale again at once', async ({ page, consoleErrors }) => {
  await openHydrated(page, MAIN);
  const before = await apiAvailable(MAIN, 'front_row');
  await holdTickets(page, 'Front Row', '2');
  expect(await apiAvailable(MAIN, 'front_row')).toBe(before - 2);
  await page.getByRole('button', { name: 'Give these tickets back' }).click();
  await expect(page).toHaveURL(/\/concerts\/\d+$/);
  expect(await apiAvailable(MAIN, 'front_row')).toBe(before);
  await expect(availability(page, 'front_row')).toHaveText(`${before} of 500 left`);
  expect(consoleErrors).toEqual([]);
});

test('the tier a buyer chose is paused: the answer names it in words', async ({ page, consoleErrors }) => {
  const admin = (action: string) =>
    fetch(`${MAIN}/api/admin/tiers/front_row/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
  await openHydrated(page, MAIN);
  await page.getByLabel('Front Row').check();
  await fillBuyer(page, '1');
  try {
    expect((await admin('pause')).status).toBe(200);
    await expect(availability(page, 'front_row')).toHaveText('Not on sale right now');
    await page.getByRole('button', { name: 'Hold tickets' }).click();
    await expect(page.getByRole('alert')).toHaveText('Front Row tickets are no longer on sale');
  } finally {
    expect((await admin('resume')).status).toBe(200);
  }
  expect(consoleErrors).toEqual([]);
});

test('a buyer who went back from checkout is offered their running hold', async ({ page, consoleErrors }) => {
  await openHydrated(page, MAIN);
  await holdTickets(page, 'Front Row', '1');
  const checkout = page.url();
  await openHydrated(page, MAIN);
  const running = page.locator('.running-hold');
  await expect(running).toContainText('You have 1 × Front Row held for you.');
  await running.getByRole('link', { name: 'Resume checkout' }).click();
  await expect(page).toHaveURL(checkout);
  // Given back, it is no longer offered.
  await page.getByRole('button', { name: 'Give these tickets back' }).click();
  await expect(page).toHaveURL(/\/concerts\/\d+$/);
  await openHydrated(page, MAIN);
  await expect(page.locator('.running-hold')).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});
