import { ADMIN_TOKEN, MAIN } from '../playwright.config';
import { createConcert, expect, openHydrated, test } from './fixtures';

test('the operator page follows the sale live, adds it up per tier and in total, and fits a phone', async ({ page, consoleErrors }) => {
  const id = await createConcert(MAIN, ADMIN_TOKEN, {
    name: `Live Figures ${Date.now()}`,
    venue: 'Blue Hall',
    starts_at: '2031-09-01T20:00:00Z',
    tiers: [{ tier: 'vip', price_cents: 10000, capacity: 10 }, { tier: 'general', price_cents: 2500, capacity: 40 }],
  });
  await page.setViewportSize({ width: 390, height: 844 });
  await openHydrated(page, `${MAIN}/admin`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open' }).click();
  const panel = page.locator(`section.admin-concert[data-concert="${id}"]`);
  await expect(panel.locator('tr[data-tier="general"] .held')).toHaveText('0');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'the page does not scroll sideways on a phone').toBeLessThanOrEqual(0);
  await expect(page.getByLabel('Admin token')).toHaveJSProperty('offsetWidth', await page.locator('form.token').evaluate((f) => (f as HTMLElement).clientWidth));

  // The operator is midway through something: a capacity typed but not set, the settings unfolded.
  const vipCapacity = panel.getByLabel('Capacity of VIP');
  await vipCapacity.fill('25');
  await panel.locator('details.concert-settings summary').click();
  // A buyer holds 3 General tickets elsewhere: the figures move by themselves, and nothing the operator
  // was doing is undone.
  const hold = await fetch(`${MAIN}/api/holds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ concert_id: id, tier: 'general', quantity: 3, name: 'Ada', email: `ada-${Date.now()}@example.org` }),
  });
  expect(hold.status).toBe(201);
  const { id: holdId } = await hold.json();
  await expect(panel.locator('tr[data-tier="general"] .held')).toHaveText('3');
  await expect(panel.locator('tr.totals .held')).toHaveText('3');
  await expect(panel.locator('tr.totals .available')).toHaveText('47');
  await expect(vipCapacity).toHaveValue('25');
  await expect(panel.locator('details.concert-settings')).toHaveAttribute('open', '');
  await expect(page.locator('.live-status')).toHaveAttribute('data-status', 'live');

  // Paid: the revenue adds up.
  const paid = await fetch(`${MAIN}/api/holds/${holdId}/payment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card_number: '4242424242424242', expiry: '12/35', cvc: '123' }),
  });
  expect(paid.status).toBe(201);
  await expect(panel.locator('tr.totals .revenue')).toHaveText('$75.00');
  await expect(panel.getByRole('progressbar', { name: 'General Admission: 3 of 40 sold' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/admin-live-phone.png', fullPage: true });
  expect(consoleErrors).toEqual([]);
});
