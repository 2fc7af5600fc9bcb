import AxeBuilder from '@axe-core/playwright';
import { ADMIN_TOKEN, MAIN } from '../playwright.config';
import { createConcert, expect, holdTickets, openHydrated, test } from './fixtures';

async function seriousViolations(page: import('@playwright/test').Page) {
  return (await new AxeBuilder({ page }).analyze()).violations.filter((v) =>
    ['serious', 'critical'].includes(v.impact ?? ''),
  );
}

// An on-sale through the waiting room: a visitor joins the pre-queue from the concert's page, is placed at
// the opening and admitted at the room's rate (one every ten seconds here), and the page moves on to the
// form by itself; a second visitor who joins after the opening is placed behind and watches the number
// ahead of them fall with the live feed. The form is never shown to whoever has not been admitted.
test('the waiting room: pre-queue, a place at the opening, admission, then tickets', async ({
  page,
  browser,
  consoleErrors,
}) => {
  test.setTimeout(90_000);
  const opens = new Date(Date.now() + 6_000);
  const concert = {
    id: await createConcert(MAIN, ADMIN_TOKEN, {
      name: `Queue Night ${Date.now()}`,
      venue: 'Blue Hall',
      starts_at: '2031-06-01T20:00:00Z',
      sales_open_at: opens.toISOString(),
      waiting_room: { enabled: true, rate_per_minute: 6, prequeue_minutes: 30, window_minutes: 10 },
      tiers: [{ tier: 'general', price_cents: 2500, capacity: 50 }],
    }),
  };

  // The concert's page offers the queue and no form; joining by keyboard leads to the queue's page.
  await openHydrated(page, `${MAIN}/concerts/${concert.id}`);
  const room = page.getByRole('region', { name: 'Waiting room' });
  await expect(room).toContainText('place by lot');
  await expect(page.getByRole('button', { name: 'Hold tickets' })).toBeHidden();
  await expect(page.getByRole('timer')).toHaveText(/^Opens in 0:00:0\d$/);
  expect(await seriousViolations(page)).toEqual([]);
  await room.getByRole('button', { name: 'Join the queue' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/concerts/${concert.id}/queue$`));
  await expect(page.getByRole('heading', { name: "You're in the pre-queue" })).toBeVisible();
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/screenshots/queue-prequeue-phone.png', fullPage: true });

  // The only visitor in the pre-queue is drawn first at the opening.
  await expect(page.locator('[data-place]')).toHaveText('1', { timeout: 15_000 });

  // A second visitor, joining after the opening, straight at the queue's page: behind the first.
  const other = await browser.newContext();
  const second = await other.newPage();
  await openHydrated(second, `${MAIN}/concerts/${concert.id}/queue`);
  await second.getByRole('button', { name: 'Join the queue' }).click();
  await expect(second.locator('[data-place]')).toHaveText('2');
  await expect(second.locator('[data-ahead]')).toHaveText('1');
  await expect(second.getByText('Estimated wait')).toBeVisible();
  // The place survives a reload: the visitor is a cookie.
  await openHydrated(second, `${MAIN}/concerts/${concert.id}/queue`);
  await expect(second.locator('[data-place]')).toHaveText('2');
  expect(await seriousViolations(second)).toEqual([]);
  await second.screenshot({ path: 'test-results/screenshots/queue-place.png', fullPage: true });
  // Its own form is still refused, whatever the page shows: the server wants the pass.
  const refused = await second.request.post(`${MAIN}/api/holds`, {
    data: { concert_id: concert.id, tier: 'general', quantity: 1, name: 'Eve', email: 'eve@example.org' },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error).toBe('queue_required');

  // The first visitor's turn: the page goes to the concert by itself, the form is there, tickets held.
  await expect(page).toHaveURL(new RegExp(`/concerts/${concert.id}$`), { timeout: 20_000 });
  await expect(page.getByRole('region', { name: 'Waiting room' })).toContainText("It's your turn");
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  await holdTickets(page, 'General Admission', '2');

  // The second visitor saw the number ahead of them fall, live, without asking the server.
  await expect(second.locator('[data-ahead]')).toHaveText('0', { timeout: 15_000 });
  await other.close();
  expect(consoleErrors).toEqual([]);
});

// The operator watches an on-sale through its waiting room: the figures and the charts move as visitors
// join, are admitted and buy (over the API here), and the room's rate changes from the page while it runs.
test("the operator's live view moves during an on-sale and changes the room's rate", async ({ page, consoleErrors }) => {
  test.setTimeout(60_000);
  // Late enough that the visitors below join the pre-queue before it, and the figures show them waiting.
  const opens = new Date(Date.now() + 10_000);
  const name = `Charts Night ${Date.now()}`;
  const concert = await createConcert(MAIN, ADMIN_TOKEN, {
    name,
    venue: 'Blue Hall',
    starts_at: '2031-06-01T20:00:00Z',
    sales_open_at: opens.toISOString(),
    waiting_room: { enabled: true, rate_per_minute: 600, prequeue_minutes: 30, window_minutes: 10 },
    tiers: [{ tier: 'general', price_cents: 2500, capacity: 50 }],
  });

  await openHydrated(page, `${MAIN}/admin`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open' }).click();
  const panel = page.locator('section.admin-concert', { has: page.getByRole('heading', { name: new RegExp(`^${name}`) }) });
  const live = panel.getByRole('region', { name: /^On-sale, live/ });
  await expect(live.locator('[data-figure="waiting"]')).toHaveText('0');
  const soldChart = live.getByRole('img', { name: /^Tickets sold per minute/ });
  await expect(soldChart).toHaveAttribute('aria-label', /: 0 this minute/);

  const visitors: string[] = [];
  for (let i = 0; i < 3; i++) {
    const joined = await fetch(`${MAIN}/api/concerts/${concert}/queue`, { method: 'POST' });
    visitors.push((await joined.json()).visitor);
  }
  await expect(live.locator('[data-figure="waiting"]')).toHaveText('3');
  // Admitted at the opening, then one of them buys two tickets with the pass.
  await expect(live.locator('[data-figure="admitted"]')).toHaveText('3', { timeout: 15_000 });
  await expect(live.locator('[data-figure="buying"]')).toHaveText('3');
  const place = await (await fetch(`${MAIN}/api/concerts/${concert}/queue/${visitors[0]}`)).json();
  const held = await fetch(`${MAIN}/api/holds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'queue-token': place.token },
    body: JSON.stringify({ concert_id: concert, tier: 'general', quantity: 2, name: 'Ada', email: 'ada@example.org' }),
  });
  expect(held.status).toBe(201);
  const hold = await held.json();
  const paid = await fetch(`${MAIN}/api/holds/${hold.id}/payment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card_number: '4242424242424242', expiry: '12/35', cvc: '123' }),
  });
  expect(paid.status).toBe(201);
  await expect(soldChart).toHaveAttribute('aria-label', /: 2 this minute/);
  await expect(live.locator('[data-figure="left"]')).toHaveText('48');
  await expect(live.locator('[data-figure="sold-recently"]')).toHaveText('2');
  await expect(soldChart.locator('rect.sold').last()).toHaveAttribute('height', /^(?!0\.0)/);
  expect((await new AxeBuilder({ page }).include('.on-sale-live').analyze()).violations).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/admin-live.png', fullPage: true });

  // The rate, from the page, while the room runs.
  await live.getByLabel('Admit per minute').fill('30');
  await live.getByRole('button', { name: 'Change the waiting room' }).click();
  await expect(live.getByRole('status')).toHaveText('Admitting 30 a minute now.');
  const shown = await (await fetch(`${MAIN}/api/concerts/${concert}`)).json();
  expect(shown.waiting_room.rate_per_minute).toBe(30);
  expect(consoleErrors).toEqual([]);
});
