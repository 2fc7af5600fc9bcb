import { MAIN, SCARCE } from '../playwright.config';
import { apiAvailable, availability, expect, fillBuyer, openHydrated, test } from './fixtures';

test('the page shows the concert and three tiers with prices', async ({ page, consoleErrors }) => {
  await openHydrated(page, MAIN);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The Midnight Orchestra');
  const tiers = page.locator('label.tier');
  await expect(tiers).toHaveCount(3);
  await expect(tiers.nth(0)).toContainText('VIP');
  await expect(tiers.nth(0)).toContainText('$100.00');
  await expect(tiers.nth(1)).toContainText('Front Row');
  await expect(tiers.nth(1)).toContainText('$50.00');
  await expect(tiers.nth(2)).toContainText('General Admission');
  await expect(tiers.nth(2)).toContainText('$10.00');
  await expect(availability(page, 'vip')).toHaveText(/\d+ of 100 left/);
  expect(consoleErrors).toEqual([]);
});

test('booking two General Admission shows the confirmation and availability drops by two', async ({ page, consoleErrors }) => {
  await openHydrated(page, MAIN);
  const before = await apiAvailable(MAIN, 'general');
  await expect(availability(page, 'general')).toHaveText(`${before} of 5000 left`);

  await page.getByLabel('General Admission').check();
  await fillBuyer(page, '2');
  await page.getByRole('button', { name: 'Book tickets' }).click();

  const confirmation = page.locator('.confirmation');
  await expect(confirmation).toBeVisible();
  await expect(confirmation.locator('.order-code')).toHaveText(/^BX-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  await expect(confirmation.locator('.order-tickets')).toHaveText('2 × General Admission');
  await expect(confirmation.locator('.order-total')).toHaveText('$20.00');
  // Updated in place, without a reload.
  await expect(availability(page, 'general')).toHaveText(`${before - 2} of 5000 left`);
  expect(await apiAvailable(MAIN, 'general')).toBe(before - 2);

  // The order can be looked up again at its own address.
  const code = await confirmation.locator('.order-code').innerText();
  await confirmation.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/bookings/${code}$`));
  await expect(page.locator('.order-code')).toHaveText(code);
  expect(consoleErrors).toEqual([]);
});

for (const quantity of ['0', '11']) {
  test(`quantity ${quantity} shows an error and changes nothing`, async ({ page, consoleErrors }) => {
    await openHydrated(page, MAIN);
    const before = await apiAvailable(MAIN, 'front_row');
    await page.getByLabel('Front Row').check();
    await fillBuyer(page, quantity);
    await page.getByRole('button', { name: 'Book tickets' }).click();
    const error = page.getByRole('alert');
    await expect(error).toBeVisible();
    await expect(error).toContainText(quantity === '0' ? 'at least 1' : 'at most 10');
    await expect(page.locator('.confirmation')).toHaveCount(0);
    expect(await apiAvailable(MAIN, 'front_row')).toBe(before);
    await expect(availability(page, 'front_row')).toHaveText(`${before} of 500 left`);
    expect(consoleErrors).toEqual([]);
  });
}

test('a sold-out tier says so and cannot be chosen', async ({ page, consoleErrors }) => {
  // The scarce server has one General Admission ticket: a program buys it first.
  const response = await fetch(`${SCARCE}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: 'early-bird', tier: 'general', quantity: 1 }),
  });
  expect(response.status).toBe(201);

  await openHydrated(page, SCARCE);
  await expect(availability(page, 'general')).toHaveText('Sold out');
  const general = page.getByLabel('General Admission');
  await expect(general).toBeDisabled();
  await expect(page.getByLabel('VIP')).toBeEnabled();
  expect(await apiAvailable(SCARCE, 'general')).toBe(0);
  expect(consoleErrors).toEqual([]);
});
