import AxeBuilder from '@axe-core/playwright';
import { ADMIN_TOKEN, MAIN } from '../playwright.config';
import { availability, expect, fillNewConcert, holdTickets, openHydrated, payWith, test } from './fixtures';

// The operator's page: the token, a new concert (which the public page then lists and sells), a tier
// paused from the page (which an open buyer's page shows at once), and the orders' CSV.
test('the operator creates a concert, buyers find and buy it, and the operator sees and pauses its sales', async ({ page, browser, consoleErrors }) => {
  const name = `Night Jazz ${Date.now()}`;
  await openHydrated(page, `${MAIN}/admin`);
  await page.getByLabel('Admin token').fill('not-the-token');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('alert')).toHaveText('that is not the admin token');

  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /^The Midnight Orchestra/ })).toBeVisible();

  // A broken form is answered in words; nothing is created.
  await page.getByRole('button', { name: 'Create concert' }).click();
  await expect(page.locator('.admin-new').getByRole('alert')).toHaveText('name is missing');

  const form = page.locator('.admin-new');
  await fillNewConcert(form, {
    name, venue: 'Blue Hall', starts: '2031-06-01T20:00',
    tiers: { VIP: { price: '120', capacity: '5' }, 'General Admission': { price: '25.50', capacity: '50' } },
  });
  await form.getByRole('button', { name: 'Create concert' }).click();
  const created = page.locator('.admin-new .notice').getByRole('link', { name });
  await expect(created).toBeVisible();
  const concertPath = await created.getAttribute('href');
  expect(concertPath).toMatch(/^\/concerts\/\d+$/);
  const panel = page.locator('section.admin-concert', { has: page.getByRole('heading', { name: new RegExp(`^${name}`) }) });
  await expect(panel.locator('tr[data-tier="general"] .available')).toHaveText('50');

  // The form is emptied, so a second click creates nothing; the same concert typed again is refused.
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('');
  await fillNewConcert(form, { name, venue: 'Blue Hall', starts: '2031-06-01T20:00', tiers: { VIP: { capacity: '5' } } });
  await form.getByRole('button', { name: 'Create concert' }).click();
  await expect(form.getByRole('alert')).toHaveText(`${name} at Blue Hall on Sunday 1 June 2031, 20:00 UTC already exists`);
  await expect(page.locator('section.admin-concert', { has: page.getByRole('heading', { name: new RegExp(`^${name}`) }) })).toHaveCount(1);

  // A buyer finds it on the public page, after the default concert, and buys two General tickets.
  const buyer = await browser.newPage();
  await openHydrated(buyer, MAIN);
  const list = buyer.getByRole('navigation', { name: 'All concerts on sale' });
  await expect(list.getByRole('link').first()).toHaveText('The Midnight Orchestra');
  await list.getByRole('link', { name }).click();
  await expect(buyer).toHaveURL(`${MAIN}${concertPath}`);
  await expect(buyer.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(buyer.locator('main[data-hydrated="true"]')).toBeVisible();
  await expect(buyer.locator('label.tier')).toHaveCount(2);
  await expect(buyer.locator('label.tier').nth(1)).toContainText('$25.50');
  await expect(buyer.locator('.live-status')).toHaveAttribute('data-status', 'live');
  await holdTickets(buyer, 'General Admission', '2');
  await expect(buyer.locator('.hold-concert')).toContainText(name);
  await payWith(buyer, '4242 4242 4242 4242');
  await expect(buyer.locator('.order-concert')).toContainText(`${name}, Sunday 1 June 2031, 20:00 UTC, Blue Hall`);
  await expect(buyer.locator('.order-total')).toHaveText('$51.00');
  const code = await buyer.locator('.order-code').textContent();

  // The operator's figures, then a pause that the buyer's open concert page shows at once.
  await page.goto(`${MAIN}${concertPath}`);
  await page.goto(`${MAIN}/admin`);
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(panel.locator('tr[data-tier="general"] .sold')).toHaveText('2');
  await expect(panel.getByRole('row', { name: new RegExp(code!) })).toContainText('$51.00');

  await buyer.goto(`${MAIN}${concertPath}`);
  await expect(buyer.locator('.live-status')).toHaveAttribute('data-status', 'live');
  await panel.locator('tr[data-tier="vip"]').getByRole('button', { name: 'Pause' }).click();
  await expect(panel.locator('tr[data-tier="vip"]').getByRole('button', { name: 'Resume' })).toBeVisible();
  await expect(availability(buyer, 'vip')).toHaveText('Not on sale right now', { timeout: 2_000 });
  // The default concert's VIP tier is not paused.
  expect((await (await fetch(`${MAIN}/api/tickets`)).json())[0].on_sale).toBe(true);

  // A capacity below what is sold is refused in words.
  await panel.getByLabel('Capacity of General Admission').fill('1');
  await panel.locator('tr[data-tier="general"]').getByRole('button', { name: 'Set' }).click();
  await expect(panel.getByRole('alert')).toContainText('capacity cannot go below the 2 tickets already sold or held');

  await panel.getByRole('button', { name: 'Export orders as CSV' }).click();
  const csv = panel.getByRole('link', { name: /^Save orders-\d+\.csv$/ });
  const href = decodeURIComponent((await csv.getAttribute('href'))!);
  expect(href).toContain(`${code},`);
  expect(href.startsWith('data:text/csv;charset=utf-8,code,created_at,tier')).toBe(true);

  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/admin.png', fullPage: true });
  await buyer.goto(MAIN);
  await buyer.screenshot({ path: 'test-results/screenshots/concert-list.png', fullPage: true });
  await buyer.close();
  expect(consoleErrors).toEqual([]);
});
