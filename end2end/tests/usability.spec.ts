import AxeBuilder from '@axe-core/playwright';
import { MAIN } from '../playwright.config';
import { expect, holdTickets, openHydrated, payWith, test } from './fixtures';

test('a buyer can hold and pay with the keyboard alone', async ({ page, consoleErrors }) => {
  await openHydrated(page, MAIN);
  await page.locator('body').focus();
  await page.keyboard.press('Tab');
  // Past the link to the other concerts, there when the shop has several, to the first tier's radio button.
  if (await page.locator('.concerts-jump a').evaluate((a) => a === document.activeElement).catch(() => false)) {
    await page.keyboard.press('Tab');
  }
  await expect(page.getByLabel('VIP')).toBeFocused();
  await page.keyboard.press('ArrowDown'); // Front Row
  await page.keyboard.press('ArrowDown'); // General Admission, checked by moving to it
  await expect(page.getByLabel('General Admission')).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Quantity')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('2');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Kim Keyboard');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kim@example.org');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/checkout\//);
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  // Tab through to the card number (past the link back to the tickets), as a keyboard user would.
  for (let i = 0; i < 6 && !(await page.getByLabel('Card number').evaluate((e) => e === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(page.getByLabel('Card number')).toBeFocused();
  await page.keyboard.type('4242 4242 4242 4242');
  await page.keyboard.press('Tab');
  await page.keyboard.type('12/35');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  await page.keyboard.press('Enter');
  await expect(page.locator('.confirmation .order-tickets')).toHaveText('2 × General Admission');
  expect(consoleErrors).toEqual([]);
});

test('the page has no serious or critical accessibility violations', async ({ page, consoleErrors }) => {
  await openHydrated(page, MAIN);
  await expect(page.locator('.live-status')).toHaveAttribute('data-status', 'live');
  // Also scan the states a buyer meets: an error message.
  await page.getByRole('button', { name: 'Hold tickets' }).click();
  await expect(page.locator('.field-problem').first()).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

for (const [name, size] of [
  ['desktop', { width: 1280, height: 900 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`screenshot at ${name} width`, async ({ page, consoleErrors }, testInfo) => {
    await page.setViewportSize(size);
    await openHydrated(page, MAIN);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
    await testInfo.attach(name, { path: `test-results/screenshots/${name}.png`, contentType: 'image/png' });
    expect(consoleErrors).toEqual([]);
  });
}

test('checkout and order pages: no serious accessibility violations, screenshots at both widths', async ({ page, consoleErrors }) => {
  const scan = async () => {
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
  };
  const shoot = async (name: string) => {
    for (const [width, size] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await page.setViewportSize(size);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `no horizontal scrolling on ${name} at ${width} width`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `test-results/screenshots/${name}-${width}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };
  await openHydrated(page, MAIN);
  await holdTickets(page, 'Front Row', '2');
  await payWith(page, '4000 0000 0000 0002');
  await expect(page.getByRole('alert')).toContainText('declined');
  await scan();
  await shoot('checkout');
  await payWith(page, '4242 4242 4242 4242');
  await expect(page.locator('.ticket .qr svg')).toHaveCount(2);
  await scan();
  await shoot('order');
  expect(consoleErrors).toEqual([]);
});
