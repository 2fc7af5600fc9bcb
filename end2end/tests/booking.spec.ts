import { MAIN, SCARCE, SHORT_HOLDS } from '../playwright.config';
import { apiAvailable, availability, expect, fillBuyer, holdTickets, openHydrated, payWith, test } from './fixtures';

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

test('hold, countdown, pay with the approving card, tickets with QR codes, and find the order again', async ({ page, consoleErrors }) => {
  await openHydrated(page, MAIN);
  const before = await apiAvailable(MAIN, 'general');
  await expect(availability(page, 'general')).toHaveText(`${before} of 5000 left`);

  await holdTickets(page, 'General Admission', '2');
  await expect(page.locator('.hold-tickets')).toHaveText('2 × General Admission');
  await expect(page.locator('.countdown')).toHaveText(/^(9:5\d|10:00) left to pay$/);
  // Held tickets are not available to anyone else.
  expect(await apiAvailable(MAIN, 'general')).toBe(before - 2);
  await expect(page.locator('.test-cards')).toContainText('4242 4242 4242 4242');

  await payWith(page, '4242 4242 4242 4242');
  await expect(page).toHaveURL(/\/orders\/BX-[0-9A-Z]{5}-[0-9A-Z]{5}\/[0-9a-f]{32}$/);
  const confirmation = page.locator('.confirmation');
  await expect(confirmation.locator('.order-code')).toHaveText(/^BX-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  await expect(confirmation.locator('.order-tickets')).toHaveText('2 × General Admission');
  await expect(confirmation.locator('.order-total')).toHaveText('$20.00');
  await expect(confirmation.locator('.ticket .qr svg')).toHaveCount(2);
  expect(await apiAvailable(MAIN, 'general')).toBe(before - 2);

  // Find my order: code and email lead back to the same page.
  const orderUrl = page.url();
  const code = await confirmation.locator('.order-code').innerText();
  await openHydrated(page, `${MAIN}/orders`);
  await page.getByLabel('Order code').fill(code.toLowerCase());
  await page.getByLabel('Email').fill('ADA@example.org');
  await page.getByRole('button', { name: 'Find my order' }).click();
  await expect(page).toHaveURL(orderUrl);
  await expect(page.locator('.order-code')).toHaveText(code);
  expect(consoleErrors).toEqual([]);
});

test('a declined card says so and keeps the hold for another try', async ({ page, consoleErrors }) => {
  await openHydrated(page, MAIN);
  await holdTickets(page, 'Front Row', '1');
  const held = page.url();
  await payWith(page, '4000 0000 0000 0002');
  await expect(page.getByRole('alert')).toContainText('declined');
  await expect(page).toHaveURL(held);
  await expect(page.locator('.countdown')).toContainText('left to pay');
  await payWith(page, '4242 4242 4242 4242');
  await expect(page.locator('.confirmation .order-tickets')).toHaveText('1 × Front Row');
  expect(consoleErrors).toEqual([]);
});

test('an unknown order code and email are answered in words', async ({ page, consoleErrors }) => {
  await openHydrated(page, `${MAIN}/orders`);
  await page.getByLabel('Order code').fill('BX-22222-22222');
  await page.getByLabel('Email').fill('nobody@example.org');
  await page.getByRole('button', { name: 'Find my order' }).click();
  await expect(page.getByRole('alert')).toContainText('no order with that code');
  expect(consoleErrors).toEqual([]);
});

test('a hold that runs out says so, offers to start again, and its tickets go back on sale', async ({ page, consoleErrors }) => {
  await openHydrated(page, SHORT_HOLDS);
  await holdTickets(page, 'VIP', '2');
  expect(await apiAvailable(SHORT_HOLDS, 'vip')).toBe(8);
  await expect(page.locator('.countdown')).toContainText('left to pay');
  // Three seconds is inside the last minute: the timer is marked urgent.
  await expect(page.locator('.countdown')).toHaveClass(/urgent/);
  await expect(page.locator('.expired')).toContainText('Your hold has expired', { timeout: 6_000 });
  await expect(page.getByLabel('Card number')).toHaveCount(0);
  // Said once: the timer steps aside for the notice.
  await expect(page.getByText(/hold has expired/).filter({ visible: true })).toHaveCount(1);
  await expect(page.locator('.countdown')).toBeHidden();
  expect(await apiAvailable(SHORT_HOLDS, 'vip')).toBe(10);
  await page.getByRole('link', { name: 'Start again' }).click();
  await expect(page).toHaveURL(/\/concerts\/\d+$/);
  await expect(page.getByLabel('VIP')).toBeEnabled();
  expect(consoleErrors).toEqual([]);
});

for (const quantity of ['0', '11']) {
  test(`quantity ${quantity} shows an error and changes nothing`, async ({ page, consoleErrors }) => {
    await openHydrated(page, MAIN);
    const before = await apiAvailable(MAIN, 'front_row');
    await page.getByLabel('Front Row').check();
    await fillBuyer(page, quantity);
    await page.getByRole('button', { name: 'Hold tickets' }).click();
    // Said beside the field before anything is sent, and the field is where the cursor is.
    const error = page.locator('#quantity-problem');
    await expect(error).toContainText(quantity === '0' ? 'at least 1' : 'at most 10');
    await expect(page.getByLabel('Quantity')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Quantity')).toBeFocused();
    await expect(page).toHaveURL(`${MAIN}/`);
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
  await expect(availability(page, 'general')).toHaveText('Sold out: join the waiting list');
  const general = page.getByLabel('General Admission');
  await expect(general).toBeDisabled();
  await expect(page.getByLabel('VIP')).toBeEnabled();
  expect(await apiAvailable(SCARCE, 'general')).toBe(0);
  expect(consoleErrors).toEqual([]);
});
