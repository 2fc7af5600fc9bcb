import { MAIN } from '../playwright.config';
import { apiAvailable, expect, fillBuyer, test } from './fixtures';

// A browser with JavaScript off: the forms post natively, and every page arrives whole.
test.use({ javaScriptEnabled: false });

test('without JavaScript the forms lead from hold to checkout to the order', async ({ page }) => {
  const before = await apiAvailable(MAIN, 'front_row');
  await page.goto(MAIN);
  await page.getByLabel('Front Row').check();
  await fillBuyer(page, '2');
  await page.getByRole('button', { name: 'Hold tickets' }).click();
  await expect(page).toHaveURL(/\/checkout\/h_[0-9a-f]{44}$/);
  await expect(page.locator('.hold-tickets')).toHaveText('2 × Front Row');
  expect(await apiAvailable(MAIN, 'front_row')).toBe(before - 2);

  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Expiry (MM/YY)').fill('12/35');
  await page.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: /^Pay \$/ }).click();
  await expect(page).toHaveURL(/\/orders\/BX-[0-9A-Z]{5}-[0-9A-Z]{5}\/[0-9a-f]{32}$/);
  await expect(page.locator('.order-tickets')).toHaveText('2 × Front Row');
  await expect(page.locator('.ticket .qr svg')).toHaveCount(2);
});

test('without JavaScript an unknown page says so, with status 404', async ({ page }) => {
  for (const path of ['/concerts/99', '/checkout/h_nope']) {
    const response = await page.goto(`${MAIN}${path}`);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  }
});
