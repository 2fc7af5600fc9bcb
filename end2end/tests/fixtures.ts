import { test as base, expect, Locator, Page } from '@playwright/test';

// Every test fails on a console error or an uncaught exception: a broken WASM build shows up only there
// (the server-rendered page looks right while hydration dies).
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await use(errors);
    expect(errors, 'console errors').toEqual([]);
  },
});

export { expect };

/** Opens `url` and waits until the WASM has hydrated the page (an effect marks `main`). */
export async function openHydrated(page: Page, url: string) {
  await page.goto(url);
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible({ timeout: 15_000 });
}

/** A tier's "n of m left" / "Sold out" text on the page. */
export function availability(page: Page, tier: string) {
  return page.locator(`#availability-${tier}`);
}

/** The tier's availability as the API reports it, for checking that nothing changed. */
export async function apiAvailable(baseURL: string, tier: string): Promise<number> {
  const response = await fetch(`${baseURL}/api/tickets`);
  const tiers: { tier: string; available: number }[] = await response.json();
  const found = tiers.find((t) => t.tier === tier);
  if (!found) throw new Error(`no tier ${tier}`);
  return found.available;
}

export async function fillBuyer(page: Page, quantity: string) {
  await page.getByLabel('Quantity').fill(quantity);
  await page.getByLabel('Your name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('ada@example.org');
}

/** Chooses a tier, fills the buyer's details and holds the tickets; resolves on the checkout page. */
export async function holdTickets(page: Page, tier: string, quantity: string) {
  await page.getByLabel(tier).check();
  await fillBuyer(page, quantity);
  await page.getByRole('button', { name: 'Hold tickets' }).click();
  await expect(page).toHaveURL(/\/checkout\/h_[0-9a-f]{44}$/);
}

/** Fills the payment form with a simulator test card and pays. */
export async function payWith(page: Page, cardNumber: string) {
  await page.getByLabel('Card number').fill(cardNumber);
  await page.getByLabel('Expiry (MM/YY)').fill('12/35');
  await page.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: /^Pay \$/ }).click();
}

/** Creates a concert through the admin API on `baseURL`; resolves to its id. */
export async function createConcert(baseURL: string, adminToken: string, concert: object): Promise<number> {
  const response = await fetch(`${baseURL}/api/admin/concerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(concert),
  });
  expect(response.status).toBe(201);
  return (await response.json()).id;
}

/** Fills the admin page's new-concert form (`form`): each field given, a tier's fields by its display name. */
export async function fillNewConcert(
  form: Locator,
  concert: { name: string; venue: string; starts: string; zone?: string; tiers: Record<string, { price?: string; capacity: string }> },
) {
  await form.getByLabel('Name', { exact: true }).fill(concert.name);
  await form.getByLabel('Venue', { exact: true }).fill(concert.venue);
  if (concert.zone) await form.getByLabel('Time zone of the venue').fill(concert.zone);
  await form.getByLabel("Starts at (the venue's time)").fill(concert.starts);
  for (const [tier, { price, capacity }] of Object.entries(concert.tiers)) {
    if (price) await form.getByLabel(`Price of ${tier} in dollars`).fill(price);
    await form.getByLabel(`Capacity of ${tier}`).fill(capacity);
  }
}
