import { ADMIN_TOKEN, MAIN } from '../playwright.config';
import { createConcert, expect, openHydrated, test } from './fixtures';

async function openAdmin(page: import('@playwright/test').Page) {
  await openHydrated(page, `${MAIN}/admin`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /^The Midnight Orchestra/ })).toBeVisible();
}

/** The concert's settings, unfolded (a redraw after a change may leave them open or closed). */
async function settings(panel: import('@playwright/test').Locator) {
  const details = panel.locator('details.concert-settings');
  if (!(await details.evaluate((d: HTMLDetailsElement) => d.open))) await details.locator('summary').click();
  return details;
}

test('the operator edits a concert, cannot reprice a tier with buyers, and takes an unsold one off the shop', async ({ page, consoleErrors }) => {
  const name = `Edit Night ${Date.now()}`;
  const id = await createConcert(MAIN, ADMIN_TOKEN, {
    name,
    venue: 'Blue Hall',
    starts_at: '2031-07-01T20:00:00Z',
    tiers: [{ tier: 'vip', price_cents: 9000, capacity: 5 }, { tier: 'general', price_cents: 2500, capacity: 50 }],
  });
  await openAdmin(page);
  const panel = page.locator(`section.admin-concert[data-concert="${id}"]`);
  const form = await settings(panel);
  const moved = `${name} (moved)`;
  await form.getByLabel('Name', { exact: true }).fill(moved);
  await form.getByLabel('Venue', { exact: true }).fill('Green Hall');
  await form.getByLabel("Starts at (the venue's time)").fill('2031-07-02T21:00');
  await form.getByLabel('Price of VIP ($)').fill('95.50');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(panel.getByRole('heading', { level: 2 })).toContainText(moved);
  const shown = await (await fetch(`${MAIN}/api/concerts/${id}`)).json();
  expect([shown.name, shown.venue, shown.starts_at]).toEqual([moved, 'Green Hall', '2031-07-02T21:00:00Z']);
  expect(shown.tiers.find((t: { tier: string }) => t.tier === 'vip').price_cents).toBe(9550);

  // A bad start is refused in words, and nothing changes.
  await settings(panel);
  await form.getByLabel("Starts at (the venue's time)").fill('2020-01-01T20:00');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(form.getByRole('alert')).toHaveText('the start must be in the future');

  // A buyer holds a VIP ticket: its price is fixed now, and the concert stays on the shop.
  const held = await fetch(`${MAIN}/api/holds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ concert_id: id, tier: 'vip', quantity: 1, name: 'Ada', email: `ada-${Date.now()}@example.org` }),
  });
  expect(held.status).toBe(201);
  await page.reload();
  await openAdmin(page);
  await settings(panel);
  await expect(form.getByLabel('Price of VIP ($)')).toBeDisabled();
  await expect(form.getByText('1 sold or held: the price stays')).toBeVisible();
  await expect(form.getByLabel('Price of General Admission ($)')).toBeEnabled();
  await expect(form.getByRole('button', { name: 'Take off the shop' })).toBeDisabled();
  await page.screenshot({ path: 'test-results/screenshots/admin-edit-desktop.png', fullPage: true });
  expect(consoleErrors).toEqual([]);
});

test('an unsold concert comes off the shop and goes back', async ({ page, consoleErrors }) => {
  const name = `Off Night ${Date.now()}`;
  const id = await createConcert(MAIN, ADMIN_TOKEN, {
    name,
    venue: 'Blue Hall',
    starts_at: '2031-08-01T20:00:00Z',
    tiers: [{ tier: 'general', price_cents: 2500, capacity: 50 }],
  });
  await page.setViewportSize({ width: 390, height: 844 });
  await openAdmin(page);
  const panel = page.locator(`section.admin-concert[data-concert="${id}"]`);
  const form = await settings(panel);
  await form.getByRole('button', { name: 'Take off the shop' }).click();
  await expect(panel.getByText('Not on the shop: buyers cannot see or buy it.')).toBeVisible();
  expect((await fetch(`${MAIN}/concerts/${id}`)).status).toBe(404);
  const listed = await (await fetch(`${MAIN}/api/concerts`)).json();
  expect(listed.map((c: { id: number }) => c.id)).not.toContain(id);
  await page.screenshot({ path: 'test-results/screenshots/admin-unpublished-phone.png', fullPage: true });

  await settings(panel);
  await form.getByRole('button', { name: 'Put back on the shop' }).click();
  await expect(panel.getByText('Not on the shop')).toBeHidden();
  expect((await fetch(`${MAIN}/concerts/${id}`)).status).toBe(200);
  expect(consoleErrors).toEqual([]);
});
