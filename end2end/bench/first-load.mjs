// The home page's first load as a phone on a slow network sees it: the bytes that cross the wire until the
// page is hydrated, and the time to hydrated, under DevTools' "Slow 4G" profile with the CPU 4× slower.
// Then the same page again from the browser's cache (what a returning buyer downloads). Figures, not
// assertions: `make bench` appends the markdown this prints to bench/RESULTS.md.
//
// Usage (from end2end/): node bench/first-load.mjs [runs]
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.argv[2] ?? 3);
const PORT = 3190;
const BASE = `http://127.0.0.1:${PORT}`;
// DevTools' "Slow 4G" preset (the packet-level latency is 3.75 × the 150 ms RTT, the throughput 90 % of
// 1.6 Mbit/s down and 750 kbit/s up), and its "4× slowdown" of the CPU.
const SLOW_4G = { offline: false, latency: 150 * 3.75, downloadThroughput: (1.6e6 / 8) * 0.9, uploadThroughput: (750e3 / 8) * 0.9 };
const CPU_SLOWDOWN = 4;
const TARGET_BYTES = 400 * 1024;
const TARGET_MS = 2500;

async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'boxoffice-first-load-'));
  const server = spawn('../target/release/boxoffice', [], {
    env: { ...process.env, LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`, LEPTOS_SITE_ROOT: '../target/site',
           DATABASE_URL: `sqlite://${dir}/boxoffice.db`, RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${BASE}/healthz`)).ok) return { server, dir };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  server.kill();
  throw new Error('the server did not answer /healthz in 30 s');
}

// One load of the home page in `page`: bytes on the wire (headers and bodies, as encoded) and milliseconds
// from navigation to `main[data-hydrated="true"]`.
async function load(page, cdp) {
  let bytes = 0;
  const count = ({ encodedDataLength }) => { bytes += encodedDataLength; };
  cdp.on('Network.loadingFinished', count);
  const started = Date.now();
  await page.goto(BASE, { waitUntil: 'commit' });
  await page.locator('main[data-hydrated="true"]').waitFor({ timeout: 120_000 });
  const ms = Date.now() - started;
  // The lazily loaded chunks the hydrated page asks for belong to its first load too.
  await page.waitForLoadState('networkidle');
  cdp.off('Network.loadingFinished', count);
  return { bytes, ms };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const { server, dir } = await startServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const cold = [];
const warm = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    cold.push(await load(page, cdp));
    warm.push(await load(page, cdp));
    await context.close();
  }
} finally {
  await browser.close();
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
const row = (name, loads) =>
  `| ${name} | ${kb(median(loads.map((l) => l.bytes)))} | ${median(loads.map((l) => l.ms))} | ${loads.map((l) => l.ms).join(', ')} |`;
const coldBytes = median(cold.map((l) => l.bytes));
const coldMs = median(cold.map((l) => l.ms));
console.log(`
## The home page's first load (issue 19)

Chromium at a phone's width, DevTools' Slow 4G (562.5 ms latency, 180 KB/s down) and the CPU 4× slower;
median of ${RUNS} fresh browser contexts, each loading the page cold and then again from its cache.

| load | bytes on the wire | ms to hydrated | each run, ms |
|---|---:|---:|---|
${row('first (empty cache)', cold)}
${row('again (from the cache)', warm)}

- ${coldBytes <= TARGET_BYTES ? 'met' : 'MISSED'} first load ≤ 400 KB: ${kb(coldBytes)}
- ${coldMs <= TARGET_MS ? 'met' : 'MISSED'} hydrated ≤ 2.5 s on Slow 4G with a 4× slower CPU: ${(coldMs / 1000).toFixed(2)} s`);
