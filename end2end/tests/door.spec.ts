import AxeBuilder from '@axe-core/playwright';
import { chromium, Page } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ADMIN_TOKEN, MAIN } from '../playwright.config';
import { expect, openHydrated, test } from './fixtures';

type Ticket = { code: string; qr_svg: string };

/** A paid order of `quantity` General Admission tickets at the default concert, over the API. */
async function paidTickets(quantity: number, email: string): Promise<Ticket[]> {
  const hold = await (
    await fetch(`${MAIN}/api/holds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tier: 'general', quantity, name: 'Grace Hopper', email }),
    })
  ).json();
  const order = await (
    await fetch(`${MAIN}/api/holds/${hold.id}/payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ card_number: '4242424242424242', expiry: '12/35', cvc: '123' }),
    })
  ).json();
  // The order as its page shows it carries each ticket's QR code.
  const shown = await (await fetch(`${MAIN}/api/orders/${order.code}/${order.secret}`)).json();
  return shown.tickets;
}

/** The operator adds a scanner on the admin page; resolves to its pairing code as the page shows it. */
async function addScanner(page: Page, name: string): Promise<string> {
  await openHydrated(page, `${MAIN}/admin`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.getByLabel('Device name').fill(name);
  await page.getByRole('button', { name: 'Add a scanner' }).click();
  const code = page.locator('.pairing-code');
  await expect(code).toHaveText(/^[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/);
  return (await code.textContent()) ?? '';
}

async function pair(page: Page, code: string) {
  await openHydrated(page, `${MAIN}/scan`);
  await page.getByLabel('Pairing code').fill(code);
  await page.getByRole('button', { name: 'Pair this device' }).click();
  await expect(page.locator('.device')).toContainText('This device: ');
}

/**
 * A video of `svgs` (QR codes: a pairing code's, a ticket's) for Chromium's fake camera, two seconds of
 * each in turn (the file loops): each code drawn on white in a page, its pixels turned into Y4M frames
 * (4:2:0, the chroma planes grey).
 */
async function qrVideo(page: Page, svgs: string[]): Promise<string> {
  const [width, height] = [640, 480];
  const frames = [Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)];
  for (const svg of svgs) {
    const rgba: number[] = await page.evaluate(
      async ({ svg, width, height }) => {
        const image = new Image();
        // Embedded in a page, the SVG has no namespace; as a file it needs one.
        const file = svg.includes('xmlns=') ? svg : svg.replace('<svg', '<svg xmlns="http://www.w3.org/2000/svg"');
        image.src = `data:image/svg+xml;base64,${btoa(file)}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        const context = canvas.getContext('2d')!;
        context.fillStyle = '#fff';
        context.fillRect(0, 0, width, height);
        context.drawImage(image, (width - 360) / 2, (height - 360) / 2, 360, 360);
        return Array.from(context.getImageData(0, 0, width, height).data);
      },
      { svg, width, height },
    );
    const luma = Buffer.alloc(width * height);
    for (let i = 0; i < width * height; i++) {
      luma[i] = Math.round(0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2]);
    }
    const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
    for (let n = 0; n < 20; n++) frames.push(Buffer.from('FRAME\n'), luma, chroma, chroma);
  }
  const path = join(mkdtempSync(join(tmpdir(), 'door-')), 'codes.y4m');
  writeFileSync(path, Buffer.concat(frames));
  return path;
}

test('a scanner pairs by reading the admin page\'s QR, then reads a ticket with the camera, once', async ({ page }) => {
  // Two browsers, a generated video and QR decoding in WASM from a fake camera: over 30 s on a busy machine.
  test.slow();
  await addScanner(page, `Camera door ${Date.now()}`);
  const pairingQr = (await page.locator('.pairing-qr').innerHTML()).trim();
  expect(pairingQr).toMatch(/^<svg/);
  const [ticket] = await paidTickets(1, 'camera@example.org');
  const video = await qrVideo(page, [pairingQr, ticket.qr_svg]);
  const camera = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    const scanner = await (await camera.newContext({ permissions: ['camera'] })).newPage();
    const errors: string[] = [];
    scanner.on('pageerror', (error) => errors.push(error.message));
    await openHydrated(scanner, `${MAIN}/scan`);
    await scanner.getByRole('button', { name: 'Scan the pairing QR code' }).click();
    await expect(scanner.locator('.device')).toContainText('This device: Camera door', { timeout: 15_000 });
    // The pairing QR still shows in the camera's loop: the scanner does not take it for a ticket.
    await scanner.getByRole('button', { name: 'Start the camera' }).click();
    const verdict = scanner.locator('.verdict');
    await expect(verdict).toHaveClass(/\bok\b/, { timeout: 15_000 });
    await expect(verdict.locator('.verdict-words')).toHaveText('Valid: let in');
    await expect(verdict.locator('.verdict-ticket')).toHaveText('General Admission · Grace Hopper');
    // Still in view a few seconds later, the same ticket is read again: now it is in already.
    await expect(verdict).toHaveClass(/\brefused\b/, { timeout: 15_000 });
    await expect(verdict.locator('.verdict-words')).toHaveText('Already checked in');
    await expect(verdict.locator('.verdict-first')).toContainText('through Camera door');
    await scanner.getByRole('button', { name: 'Stop the camera' }).click();
    expect(errors).toEqual([]);
  } finally {
    await camera.close();
  }
});

test('door staff type a damaged ticket in, see why one is refused, and a revoked scanner stops', async ({ page, browser, consoleErrors }) => {
  const code = await addScanner(page, `Manual door ${Date.now()}`);
  const tickets = await paidTickets(2, 'manual@example.org');
  const scanner = await (await browser.newContext()).newPage();
  await pair(scanner, code);
  const verdict = scanner.locator('.verdict');
  const type = async (text: string) => {
    await scanner.getByLabel('Ticket code').fill(text);
    await scanner.getByRole('button', { name: 'Check in' }).click();
  };

  await type(tickets[0].code);
  await expect(verdict).toHaveClass(/\bok\b/);
  await expect(verdict.locator('.verdict-words')).toHaveText('Valid: let in');
  await expect(scanner.locator('.door-counts')).toContainText('checked in of');
  await type(tickets[0].code);
  await expect(verdict).toHaveClass(/\brefused\b/);
  await expect(verdict.locator('.verdict-words')).toHaveText('Already checked in');
  await type('T-0000000000000000000000000000000000ff');
  await expect(verdict.locator('.verdict-words')).toHaveText('Not a valid ticket');
  await expect(scanner.locator('.last-scans li')).toHaveCount(3);
  await expect(scanner.locator('.last-scans li.ok')).toHaveCount(1);

  const axe = await new AxeBuilder({ page: scanner }).analyze();
  expect(axe.violations).toEqual([]);
  await scanner.setViewportSize({ width: 390, height: 844 });
  await scanner.screenshot({ path: 'test-results/scanner-phone.png', fullPage: true });

  // The operator revokes the device: its next scan is refused and it must pair again.
  const row = page.locator('.admin-devices tr', { hasText: 'Manual door' });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('revoked');
  await type(tickets[1].code);
  await expect(verdict.locator('.verdict-words')).toHaveText('This device was revoked or is unknown: pair it again.');
  await scanner.reload();
  await expect(scanner.getByLabel('Pairing code')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('offline, a scanner decides from its own ticket list and uploads what it let in once back', async ({ page, browser }) => {
  const code = await addScanner(page, `Offline door ${Date.now()}`);
  const tickets = await paidTickets(2, 'offline@example.org');
  const context = await browser.newContext();
  const scanner = await context.newPage();
  const errors: string[] = [];
  scanner.on('pageerror', (error) => errors.push(error.message));
  await pair(scanner, code);
  const sync = scanner.locator('.door-sync');
  await expect(sync).toContainText(/Ticket list on this device: \d+ tickets/);
  const [late] = await paidTickets(1, 'late@example.org');
  const verdict = scanner.locator('.verdict');
  const type = async (text: string) => {
    await scanner.getByLabel('Ticket code').fill(text);
    await scanner.getByRole('button', { name: 'Check in' }).click();
  };

  // The venue's network drops.
  await context.setOffline(true);
  await type(tickets[0].code);
  await expect(verdict).toHaveClass(/\bok\b/);
  await expect(verdict.locator('.verdict-words')).toHaveText('Valid: let in');
  await expect(verdict.locator('.verdict-offline')).toHaveText("Decided offline, from this device's ticket list");
  await expect(sync.locator('.waiting')).toHaveText('1 scan made offline is waiting to upload.');
  await type(tickets[0].code);
  await expect(verdict).toHaveClass(/\brefused\b/);
  await expect(verdict.locator('.verdict-words')).toHaveText('Already checked in');
  await type('T-0000000000000000000000000000000000ff');
  await expect(verdict.locator('.verdict-words')).toHaveText('Not a valid ticket');
  await expect(sync.locator('.waiting')).toHaveText('1 scan made offline is waiting to upload.');
  // A ticket sold after the device's list was made: its QR code's signature vouches for it (checked in
  // WASM). First a forgery of it (one character of the signature changed), which the device refuses.
  const at = late.signed_code.length - 20;
  const forged = late.signed_code.slice(0, at) + (late.signed_code[at] === 'A' ? 'B' : 'A') + late.signed_code.slice(at + 1);
  await type(forged);
  await expect(verdict.locator('.verdict-words')).toHaveText('Not a valid ticket');
  await type(late.signed_code);
  await expect(verdict.locator('.verdict-words')).toHaveText('Valid: let in');
  await expect(verdict.locator('.verdict-ticket')).toHaveText('General Admission');
  await expect(sync.locator('.waiting')).toHaveText('2 scans made offline are waiting to upload.');
  await scanner.screenshot({ path: 'test-results/scanner-offline.png', fullPage: true });

  // Back online: the scan uploads by itself, and the server knows the ticket went in through this device.
  await context.setOffline(false);
  await expect(sync.locator('.waiting')).toHaveCount(0, { timeout: 15_000 });
  await type(tickets[0].code);
  await expect(verdict.locator('.verdict-words')).toHaveText('Already checked in');
  await expect(verdict.locator('.verdict-offline')).toHaveCount(0);
  await expect(verdict.locator('.verdict-first')).toContainText('through Offline door');
  await type(tickets[1].code);
  await expect(verdict.locator('.verdict-words')).toHaveText('Valid: let in');
  await type(late.code);
  await expect(verdict.locator('.verdict-first')).toContainText('through Offline door');
  const status = await (
    await fetch(`${MAIN}/api/checkin/status`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  ).json();
  const general = status.tiers.find((t: { tier: string }) => t.tier === 'general');
  expect(general.checked_in).toBeGreaterThanOrEqual(3);

  // The operator's page follows the door: its General Admission row counts what the API counts.
  const live = page.locator('.door-live');
  await expect(live.getByRole('heading', { name: 'At the door, live' })).toBeVisible();
  const row = live.locator('.door-figures tbody tr', { hasText: 'General Admission' });
  await expect(row.locator('td').nth(1)).toHaveText(new RegExp(`^${general.checked_in}\\b`), { timeout: 10_000 });
  await expect(live.locator('.door-figures tfoot')).toContainText('Total');
  await page.screenshot({ path: 'test-results/admin-door-live.png', fullPage: true });
  const axe = await new AxeBuilder({ page }).include('.door-live').include('.door-admin').analyze();
  expect(axe.violations).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});
