import { readFileSync } from 'node:fs';
import { MAIN } from '../playwright.config';
import { apiAvailable, expect, holdTickets, openHydrated, payWith, test } from './fixtures';

test('cancelling an order asks first, says what is refunded, and shows progress', async ({ page, consoleErrors }) => {
  await openHydrated(page, MAIN);
  const before = await apiAvailable(MAIN, 'general');
  await holdTickets(page, 'General Admission', '2');
  await payWith(page, '4242 4242 4242 4242');
  await expect(page).toHaveURL(/\/orders\/BX-[0-9A-Z]{5}-[0-9A-Z]{5}\/[0-9a-f]{32}$/);
  const orderUrl = page.url();
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();

  // The first click only asks.
  await page.getByRole('link', { name: 'Cancel this order…' }).click();
  const confirm = page.getByRole('region', { name: 'Cancel this order?' });
  await expect(confirm).toContainText('2 × General Admission, and refund $20.00');
  expect(await apiAvailable(MAIN, 'general')).toBe(before - 2);
  await confirm.getByRole('link', { name: 'Keep my order' }).click();
  await expect(page).toHaveURL(orderUrl);
  await expect(confirm).toBeHidden();
  await expect(page.locator('.order-status')).toHaveText('Paid');

  await page.getByRole('link', { name: 'Cancel this order…' }).click();
  await confirm.getByRole('button', { name: 'Yes, cancel and refund' }).click();
  await expect(page.locator('.order-status')).toHaveText('Cancelled and refunded');
  expect(await apiAvailable(MAIN, 'general')).toBe(before);
  expect(consoleErrors).toEqual([]);
});

test('a paid order downloads as a calendar event', async ({ page, consoleErrors }) => {
  await openHydrated(page, MAIN);
  await holdTickets(page, 'General Admission', '1');
  await payWith(page, '4242 4242 4242 4242');
  await expect(page).toHaveURL(/\/orders\/BX-/);
  const code = (await page.locator('.order-code').first().textContent())!.trim();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Add to calendar' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`boxoffice-${code}.ics`);
  const text = readFileSync(await download.path(), 'utf8');
  expect(text).toContain('BEGIN:VEVENT');
  expect(text).toContain(`UID:${code}@boxoffice`);
  expect(text).toContain('SUMMARY:The Midnight Orchestra');
  expect(consoleErrors).toEqual([]);
});
