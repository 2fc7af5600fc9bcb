import { readdirSync, readFileSync } from 'node:fs';
import { ADMIN_TOKEN, MAIN } from '../playwright.config';
import { createConcert, expect, openHydrated, payWith, test } from './fixtures';

// The MAIN server writes its mails as .eml files here (BOXOFFICE_OUTBOX_DIR in the config).
const OUTBOX = '.tmp/3100/outbox';

/** A mail's text with quoted-printable and base64 parts decoded, as a mail client shows it. */
function decoded(raw: string): string {
  const quoted = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  const base64 = [...raw.matchAll(/\r?\n\r?\n([A-Za-z0-9+/=\r\n]{40,})/g)]
    .map((block) => Buffer.from(block[1].replace(/\s/g, ''), 'base64').toString('utf8'))
    .join('\n');
  return `${quoted}\n${base64}`.replace(/&#x2f;/g, '/');
}

/** The checkout link of the offer mailed to `email`, once the sender has written it. */
async function offerLink(email: string): Promise<string> {
  let link = '';
  await expect
    .poll(
      () => {
        for (const file of readdirSync(OUTBOX, { withFileTypes: true }).filter((f) => f.name.endsWith('.eml'))) {
          const raw = readFileSync(`${OUTBOX}/${file.name}`, 'utf8');
          if (!raw.includes(email) || !raw.includes('are yours to buy')) continue;
          const found = decoded(raw).match(/https?:\/\/[^\s"<>]+\/checkout\/h_[0-9a-z]+/);
          if (found) link = found[0];
        }
        return link;
      },
      { timeout: 15_000 },
    )
    .not.toBe('');
  return link;
}

async function api(path: string, body: object): Promise<any> {
  const response = await fetch(`${MAIN}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.ok, `${path}: ${response.status}`).toBe(true);
  return response.json();
}

test('a buyer joins the waiting list of a sold-out tier, and the offer mailed when a ticket comes back pays', async ({
  page,
  consoleErrors,
}) => {
  const id = await createConcert(MAIN, ADMIN_TOKEN, {
    name: `Waiting Night ${Date.now()}`,
    venue: 'Small Hall',
    starts_at: '2031-09-01T20:00:00Z',
    tiers: [{ tier: 'general', price_cents: 2500, capacity: 1 }],
  });
  // Someone else buys the one ticket.
  const hold = await api('/api/holds', { concert_id: id, tier: 'general', quantity: 1, name: 'First', email: 'first@example.org' });
  const order = await api(`/api/holds/${hold.id}/payment`, { card_number: '4242424242424242', expiry: '12/35', cvc: '123' });

  // On a phone, where the form must fit.
  await page.setViewportSize({ width: 390, height: 844 });
  await openHydrated(page, `${MAIN}/concerts/${id}`);
  const tier = page.locator('label.tier[data-tier="general"]');
  await expect(tier).toContainText('Sold out: join the waiting list');
  const list = page.getByRole('region', { name: 'Sold out? Join the waiting list' });
  await expect(list).toBeVisible();
  const email = `waiting-${Date.now()}@example.org`;
  await list.getByLabel('Tickets to wait for').selectOption('general');
  await list.getByLabel('How many to wait for').fill('1');
  await list.getByLabel('Name on the waiting list').fill('Wanda Waiting');
  await list.getByLabel('Address for the offer mail').fill(email);
  await list.getByRole('button', { name: 'Join the waiting list' }).click();
  await expect(list.locator('.waitlist-result')).toContainText('number 1 in line');
  // The page follows the list live, as it follows the stock.
  await expect(tier).toContainText('Sold out: 1 on the waiting list');
  await page.screenshot({ path: 'test-results/waitlist-joined-phone.png', fullPage: true });

  // Elsewhere, the order is cancelled: its ticket is held for Wanda and mailed to her.
  await api(`/api/orders/${order.code}/${order.secret}/cancel`, {});
  const link = await offerLink(email);
  expect(new URL(link).pathname).toMatch(/^\/checkout\/h_/);
  // Nobody else gets the returned ticket: it is held.
  await expect(tier).toContainText('Sold out');
  const taken = await fetch(`${MAIN}/api/holds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ concert_id: id, tier: 'general', quantity: 1, name: 'Other', email: 'other@example.org' }),
  });
  expect(taken.status).toBe(409);

  await openHydrated(page, `${MAIN}${new URL(link).pathname}`);
  await expect(page.locator('.offer-notice')).toContainText('from the waiting list');
  await expect(page.locator('.hold-tickets')).toHaveText('1 × General Admission');
  await payWith(page, '4242 4242 4242 4242');
  await expect(page).toHaveURL(/\/orders\/BX-/);
  await expect(page.locator('.order-status')).toHaveText('Paid');
  expect(consoleErrors).toEqual([]);
});

test('a buyer who lost the order code gets every order of the address by mail, and the page says the same to anyone', async ({
  page,
  consoleErrors,
}) => {
  const email = `lost-${Date.now()}@example.org`;
  const hold = await api('/api/holds', { tier: 'general', quantity: 1, name: 'Lost', email });
  const order = await api(`/api/holds/${hold.id}/payment`, { card_number: '4242424242424242', expiry: '12/35', cvc: '123' });
  await openHydrated(page, `${MAIN}/orders`);
  const form = page.getByRole('region', { name: 'No code at hand?' });
  await form.getByLabel('Address to mail them to').fill(email);
  await form.getByRole('button', { name: 'Mail me my orders' }).click();
  const answer = form.locator('.mail-orders-result');
  await expect(answer).toContainText('If this address has orders, a mail with a link to each is on its way.');
  const said = await answer.textContent();
  await page.reload();
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await form.getByLabel('Address to mail them to').fill(`nobody-${Date.now()}@example.org`);
  await form.getByRole('button', { name: 'Mail me my orders' }).click();
  await expect(answer).toHaveText(said!);
  await expect(page.locator('body')).not.toContainText(order.code);

  await expect
    .poll(
      () =>
        readdirSync(OUTBOX)
          .map((name) => readFileSync(`${OUTBOX}/${name}`, 'utf8'))
          .filter((raw) => raw.includes(email) && raw.includes('Subject: Your orders'))
          .map(decoded)
          .some((text) => text.includes(`/orders/${order.code}/${order.secret}`)),
      { timeout: 15_000 },
    )
    .toBe(true);
  expect(consoleErrors).toEqual([]);
});
