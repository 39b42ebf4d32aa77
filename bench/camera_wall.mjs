// One or more headless Chromium pages showing the camera wall with every
// camera on one page (100 per page); prints JSON with the browser's CPU (cores,
// all its processes and this driver, from /proc) and the pictures the tiles
// really showed.
// Tiles off screen are not fetched (by design): `on_screen` says how many the viewport
// shows (--height: a wall of stacked screens shows all 100).
// Usage: node bench/camera_wall.mjs --base URL --user U --password P [--walls W] [--seconds S] [--settle S] [--height PX]
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.resolve('tests/e2e/package.json'));
const { chromium } = require('playwright-core');
const arg = (n, d) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const BASE = arg('base');
const WALLS = Number(arg('walls', '1'));
const SECONDS = Number(arg('seconds', '30'));
const SETTLE = Number(arg('settle', '10'));
const HEIGHT = Number(arg('height', '1080'));

// CPU ticks of a process and all its descendants.
function treeTicks(pid) {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
      kids.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone
    }
  }
  let total = 0;
  const walk = (p) => {
    total += kids.get(p)?.ticks || 0;
    for (const [c, v] of kids) if (v.ppid === p) walk(c);
  };
  walk(pid);
  return total;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const pages = [];
for (let w = 0; w < WALLS; ++w) {
  const context = await browser.newContext({ viewport: { width: 1920, height: HEIGHT } });
  await context.addInitScript(() => localStorage.setItem('argus.wall.pageSize', '100'));
  const page = await context.newPage();
  await page.goto(`${BASE}/`);
  await page.fill('#login-user', arg('user'));
  await page.fill('#login-password', arg('password'));
  await page.click('#login-submit');
  await page.waitForSelector('#app-header:not([hidden])');
  await page.goto(`${BASE}/#/cameras`);
  await page.waitForSelector('.camera-tile img');
  // Counts every picture a tile shows.
  await page.evaluate(() => {
    window.__shown = 0;
    document.addEventListener('load', (e) => e.target.classList?.contains('tile-img') && (window.__shown += 1), true);
  });
  pages.push(page);
}
await new Promise((r) => setTimeout(r, SETTLE * 1000));
// Chromium runs as this process's children: their CPU (and this driver's, small).
const pid = process.pid;
const hz = 100; // USER_HZ on Linux
const t0 = treeTicks(pid);
const shown0 = await Promise.all(pages.map((p) => p.evaluate(() => window.__shown)));
await new Promise((r) => setTimeout(r, SECONDS * 1000 - SETTLE * 1000));
const t1 = treeTicks(pid);
const shown1 = await Promise.all(pages.map((p) => p.evaluate(() => window.__shown)));
const secs = SECONDS - SETTLE;
const tiles = await pages[0].locator('.camera-tile').count();
const pictures = shown1.reduce((s, v, i) => s + v - shown0[i], 0);
const onScreen = await pages[0].evaluate(
  () =>
    [...document.querySelectorAll('.camera-tile')].filter((t) => {
      const r = t.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    }).length,
);
console.log(
  JSON.stringify({ walls: WALLS, tiles, on_screen: onScreen, browser_cores: (t1 - t0) / hz / secs, pictures_per_s: +(pictures / secs).toFixed(1) }),
);
await browser.close();
