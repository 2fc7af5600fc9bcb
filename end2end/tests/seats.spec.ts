import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'fs';
import { ADMIN_TOKEN, MAIN } from '../playwright.config';
import { createConcert, expect, openHydrated, payWith, test } from './fixtures';

const CLUB = readFileSync(`${__dirname}/../../crates/server/fixtures/seating/club.json`, 'utf8');

/** A new concert on MAIN seated with the club's plan (VIP rows A–B, Front Row C–F); resolves to its id. */
async function seatedConcert(name: string): Promise<number> {
  const id = await createConcert(MAIN, ADMIN_TOKEN, {
    name,
    venue: 'The Blue Note',
    starts_at: '2031-06-01T20:00:00Z',
    tiers: [
      { tier: 'vip', price_cents: 10000, capacity: 1 },
      { tier: 'front_row', price_cents: 5000, capacity: 1 },
      { tier: 'general', price_cents: 1000, capacity: 100 },
    ],
  });
  const response = await fetch(`${MAIN}/api/admin/concerts/${id}/seating`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: CLUB,
  });
  expect(response.status).toBe(200);
  return id;
}

const seat = (page: import('@playwright/test').Page, id: string) => page.locator(`[data-seat="${id}"]`);

test('pick three seats on the map and buy them; a second browser sees them taken', async ({ page, browser, consoleErrors }) => {
  const id = await seatedConcert('Seated Night');
  const other = await browser.newPage();
  await openHydrated(other, `${MAIN}/concerts/${id}`);
  await expect(seat(other, 'club-C-5')).toHaveClass(/\bfree\b/);

  await openHydrated(page, `${MAIN}/concerts/${id}`);
  await expect(page.locator('.seat-map svg circle.seat')).toHaveCount(72);
  await expect(seat(page, 'club-C-5')).toHaveAttribute('aria-label', 'Front Row, row C, seat 5, $50.00, available');
  for (const chosen of ['club-C-5', 'club-C-6', 'club-C-7']) {
    await seat(page, chosen).click();
  }
  await expect(seat(page, 'club-C-6')).toHaveAttribute('aria-checked', 'true');
  await expect(page.locator('.chosen-seats')).toHaveText(
    '3 seats chosen: Front Row row C seat 5, Front Row row C seat 6, Front Row row C seat 7. Total $150.00',
  );
  await expect(page.locator('#tier-front_row')).toBeChecked();
  await page.getByLabel('Your name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('ada@example.org');
  await page.getByRole('button', { name: 'Hold tickets' }).click();
  await expect(page).toHaveURL(/\/checkout\/h_[0-9a-f]{44}$/);

  // The other browser sees the three seats held, live.
  for (const taken of ['club-C-5', 'club-C-6', 'club-C-7']) {
    await expect(seat(other, taken)).toHaveClass(/\bheld\b/, { timeout: 3_000 });
  }
  await expect(seat(other, 'club-C-4')).toHaveClass(/\bfree\b/);

  await payWith(page, '4242 4242 4242 4242');
  await expect(page).toHaveURL(/\/orders\/BX-/);
  await expect(page.locator('.ticket')).toHaveCount(3);
  await expect(page.locator('.ticket').first()).toContainText('Front Row · Stalls, row C, seat 5');
  await expect(seat(other, 'club-C-5')).toHaveClass(/\bsold\b/, { timeout: 3_000 });
  await other.close();
  expect(consoleErrors).toEqual([]);
});

test('seats can be chosen with the keyboard alone, and the map is axe clean', async ({ page, consoleErrors }) => {
  const id = await seatedConcert('Seated by Keyboard');
  await openHydrated(page, `${MAIN}/concerts/${id}`);
  await expect(page.locator('.seat-map svg circle.seat')).toHaveCount(72);
  // One Tab stop for the whole map: its first seat (VIP, row A, seat 1).
  await seat(page, 'club-A-1').focus();
  await expect(seat(page, 'club-A-1')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(seat(page, 'club-A-2')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(seat(page, 'club-B-2')).toBeFocused();
  await page.keyboard.press('Space');
  await expect(seat(page, 'club-B-2')).toHaveAttribute('aria-checked', 'true');
  await expect(page.locator('#tier-vip')).toBeChecked();
  await page.keyboard.press('Enter');
  await expect(seat(page, 'club-B-2')).toHaveAttribute('aria-checked', 'false');
  const results = await new AxeBuilder({ page }).include('.seat-map').analyze();
  expect(results.violations).toEqual([]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await page.locator('.seat-map').screenshot({ path: 'test-results/seat-map-phone.png' });
  expect(consoleErrors).toEqual([]);
});

test('best available: a quantity of a seated tier gets adjacent seats', async ({ page, consoleErrors }) => {
  const id = await seatedConcert('Seated Best');
  await openHydrated(page, `${MAIN}/concerts/${id}`);
  await page.locator('#tier-vip').check();
  await page.getByLabel('Quantity').fill('2');
  await page.getByLabel('Your name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('ada@example.org');
  await page.getByRole('button', { name: 'Hold tickets' }).click();
  await expect(page).toHaveURL(/\/checkout\/h_[0-9a-f]{44}$/);
  const hold = await (await fetch(`${MAIN}/api/holds/${page.url().split('/').pop()}`)).json();
  const numbers = hold.seats.map((s: { row: string; number: string }) => `${s.row}${s.number}`);
  expect(numbers).toEqual(['A6', 'A7']);
  expect(consoleErrors).toEqual([]);
});

test('the operator seats a concert from the admin page and blocks a seat', async ({ page, consoleErrors }) => {
  const id = await createConcert(MAIN, ADMIN_TOKEN, {
    name: `Seated by the Operator ${Date.now()}`,
    venue: 'The Blue Note',
    starts_at: '2031-06-01T20:00:00Z',
    tiers: [
      { tier: 'vip', price_cents: 10000, capacity: 1 },
      { tier: 'front_row', price_cents: 5000, capacity: 1 },
    ],
  });
  await openHydrated(page, `${MAIN}/admin`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open' }).click();
  const panel = page.locator(`section.admin-concert[data-concert="${id}"]`);
  await panel.getByText('Seating plan').click();
  // A broken plan is answered with its first problem; nothing changes.
  await panel.getByLabel(/^Plan/).fill('{"categories": [], "size": {"width": 10, "height": 10}, "zones": []}');
  await panel.getByRole('button', { name: 'Seat this concert' }).click();
  await expect(panel.getByRole('alert')).toHaveText('the seating plan is not valid: categories is empty');
  await panel.getByLabel(/^Plan/).fill(CLUB);
  await panel.getByRole('button', { name: 'Seat this concert' }).click();
  // The figures reload: each seated tier's capacity is its seats.
  await expect(panel.locator('tr[data-tier="front_row"] .available')).toHaveText('48');
  await expect(panel.locator('tr[data-tier="vip"] .available')).toHaveText('24');
  // The answer outlasts the figures' reload that redraws the panel.
  await expect(panel.locator('.seating-admin [role="status"]')).toHaveText('Seated: 24 VIP seats, 48 Front Row seats.');

  await panel.getByLabel('Seat id').fill('club-C-1');
  await panel.getByRole('button', { name: 'Block' }).click();
  await expect(panel.locator('tr[data-tier="front_row"] .available')).toHaveText('47');
  await expect(panel.locator('.seating-admin [role="status"]')).toHaveText('Done.');
  const seats = await (await fetch(`${MAIN}/api/concerts/${id}/seats`)).json();
  expect(seats.find((s: { id: string }) => s.id === 'club-C-1').state).toBe('blocked');
  expect(consoleErrors).toEqual([]);
});
