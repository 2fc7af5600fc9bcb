import { ADMIN_TOKEN, MAIN } from '../playwright.config';
import { expect, fillNewConcert, holdTickets, openHydrated, payWith, test } from './fixtures';

// The operator states a concert's start by the venue's clocks; a buyer elsewhere reads the venue's time
// with their own beside it, on the concert page, at checkout and on the order.
test('a buyer in New York sees a Berlin concert at the venue time and at their own', async ({ page, browser, consoleErrors }) => {
  const name = `Berlin Nights ${Date.now()}`;
  await openHydrated(page, `${MAIN}/admin`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open' }).click();
  const form = page.locator('.admin-new');
  await fillNewConcert(form, {
    name, venue: 'Tempodrom', zone: 'Europe/Berlin', starts: '2031-06-01T20:00',
    tiers: { 'General Admission': { capacity: '20' } },
  });
  await form.getByRole('button', { name: 'Create concert' }).click();
  const created = page.locator('.admin-new .notice').getByRole('link', { name });
  await expect(created).toBeVisible();
  const path = await created.getAttribute('href');
  const stored = await (await fetch(`${MAIN}/api${path}`)).json();
  expect([stored.starts_at, stored.zone.name]).toEqual(['2031-06-01T18:00:00Z', 'Europe/Berlin']);

  const newYork = await browser.newContext({ timezoneId: 'America/New_York' });
  const buyer = await newYork.newPage();
  await openHydrated(buyer, `${MAIN}${path}`);
  await expect(buyer.locator('.concert-when')).toHaveText('Sunday 1 June 2031, 20:00 Berlin time (14:00 your time) · Tempodrom');
  await holdTickets(buyer, 'General Admission', '1');
  await expect(buyer.locator('.hold-concert')).toHaveText(`${name}, Sunday 1 June 2031, 20:00 Berlin time (14:00 your time), Tempodrom`);
  await payWith(buyer, '4242 4242 4242 4242');
  await expect(buyer.locator('.order-concert')).toHaveText(`${name}, Sunday 1 June 2031, 20:00 Berlin time (14:00 your time), Tempodrom`);
  await newYork.close();

  // A buyer whose clocks read as Berlin's is not told the same time twice.
  const berlin = await browser.newContext({ timezoneId: 'Europe/Berlin' });
  const local = await berlin.newPage();
  await openHydrated(local, `${MAIN}${path}`);
  await expect(local.locator('.concert-when')).toHaveText('Sunday 1 June 2031, 20:00 Berlin time · Tempodrom');
  await berlin.close();

  // The operator's edit form shows the start by the venue's clocks, as it was typed.
  const panel = page.locator('section.admin-concert', { has: page.getByRole('heading', { name: new RegExp(`^${name}`) }) });
  await panel.locator('details.concert-settings summary').click();
  await expect(panel.getByLabel("Starts at (the venue's time)")).toHaveValue('2031-06-01T20:00');
  await expect(panel.getByLabel('Time zone of the venue')).toHaveValue('Europe/Berlin');
  expect(consoleErrors).toEqual([]);
});
