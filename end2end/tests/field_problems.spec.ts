import { MAIN } from '../playwright.config';
import { apiAvailable, expect, holdTickets, openHydrated, test } from './fixtures';

test('every problem of the hold form shows beside its field at once, the first focused, nothing sent', async ({ page, consoleErrors }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openHydrated(page, MAIN);
  const before = await apiAvailable(MAIN, 'vip');
  let sent = 0;
  page.on('request', (request) => { if (request.method() === 'POST') sent++; });
  await page.getByLabel('Quantity').fill('0');
  await page.getByLabel('Email').fill('not an address');
  await page.getByRole('button', { name: 'Hold tickets' }).click();

  await expect(page.locator('#tier-problem')).toHaveText('Choose a tier: VIP, Front Row or General Admission.');
  await expect(page.locator('#quantity-problem')).toHaveText('Quantity must be at least 1 (got 0).');
  await expect(page.locator('#name-problem')).toHaveText('Please enter your name.');
  await expect(page.locator('#email-problem')).toHaveText('That email address does not look right.');
  for (const label of ['Quantity', 'Your name', 'Email']) {
    await expect(page.getByLabel(label)).toHaveAttribute('aria-invalid', 'true');
  }
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-describedby', 'email-problem');
  // The first problem is the tier: its first choice has the cursor and is on screen.
  await expect(page.getByLabel('VIP')).toBeFocused();
  await expect(page.locator('#tier-problem')).toBeInViewport();
  expect(sent, 'nothing was sent').toBe(0);
  await page.screenshot({ path: 'test-results/screenshots/field-problems-phone.png', fullPage: false });

  // Put right, the form goes through and the marks are gone.
  await page.getByLabel('VIP').check();
  await page.getByLabel('Quantity').fill('1');
  await page.getByLabel('Your name').fill('Ada');
  await page.getByLabel('Email').fill('ada@example.org');
  await page.getByRole('button', { name: 'Hold tickets' }).click();
  await expect(page).toHaveURL(/\/checkout\//);
  expect(await apiAvailable(MAIN, 'vip')).toBe(before - 1);
  expect(consoleErrors).toEqual([]);
});

test('the payment form names each bad field, and a declined card is brought into view on a phone', async ({ page, consoleErrors }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openHydrated(page, MAIN);
  await holdTickets(page, 'General Admission', '1');
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  await page.getByLabel('Card number').fill('1234');
  await page.getByLabel('Expiry (MM/YY)').fill('01/20');
  await page.getByRole('button', { name: /^Pay \$/ }).click();
  await expect(page.locator('#card_number-problem')).toContainText('card number is not valid');
  await expect(page.locator('#expiry-problem')).toHaveText('This card has expired.');
  await expect(page.locator('#cvc-problem')).toContainText('3 or 4 digits');
  await expect(page.getByLabel('Card number')).toBeFocused();

  await page.getByLabel('Card number').fill('4000 0000 0000 0002');
  await page.getByLabel('Expiry (MM/YY)').fill('12/35');
  await page.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: /^Pay \$/ }).click();
  await expect(page.locator('.field-problem:visible')).toHaveCount(0);
  const declined = page.getByRole('alert');
  await expect(declined).toContainText('declined');
  await expect(declined).toBeInViewport();
  expect(consoleErrors).toEqual([]);
});
