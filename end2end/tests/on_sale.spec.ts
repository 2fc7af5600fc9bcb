import AxeBuilder from '@axe-core/playwright';
import { ADMIN_TOKEN, MAIN } from '../playwright.config';
import { expect, holdTickets, openHydrated, test } from './fixtures';

// A concert whose sales open in a few seconds: the page says when and counts down, shows no form, and at
// zero shows the form without a reload; a buyer then holds tickets.
test('a concert opening in seconds: countdown, then the form by itself', async ({ page, consoleErrors }) => {
  const opens = new Date(Date.now() + 6_000);
  const response = await fetch(`${MAIN}/api/admin/concerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `Opening Night ${Date.now()}`,
      venue: 'Blue Hall',
      starts_at: '2031-06-01T20:00:00Z',
      sales_open_at: opens.toISOString(),
      tiers: [{ tier: 'general', price_cents: 2500, capacity: 50 }],
    }),
  });
  expect(response.status).toBe(201);
  const concert = await response.json();
  await openHydrated(page, `${MAIN}/concerts/${concert.id}`);
  const soon = page.getByRole('region', { name: 'Tickets go on sale soon' });
  await expect(soon).toBeVisible();
  await expect(soon.getByRole('timer')).toHaveText(/^Opens in 0:00:0\d$/);
  await expect(page.getByRole('button', { name: 'Hold tickets' })).toBeHidden();
  const violations = (await new AxeBuilder({ page }).analyze()).violations.filter((v) =>
    ['serious', 'critical'].includes(v.impact ?? ''),
  );
  expect(violations).toEqual([]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/screenshots/sales-open-phone.png', fullPage: true });

  await expect(page.getByRole('button', { name: 'Hold tickets' })).toBeVisible({ timeout: 10_000 });
  await expect(soon).toBeHidden();
  await holdTickets(page, 'General Admission', '2');
  expect(consoleErrors).toEqual([]);
});
