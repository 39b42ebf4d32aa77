// End-to-end: the dashboard in Debian's headless Chromium (driven by
// playwright-core) against a real `argus serve` analysing vtest.avi.
// An operator logs in, sees live alerts arrive, acknowledges one and sees it
// move, opens its clip; a viewer cannot acknowledge (no button, and the API
// says 403). Screenshots of every screen go to the artefacts directory.
// Also prints the time from an alert's opening to its row on the dashboard.
//
// Usage: node dashboard.test.mjs --argus BIN --source-dir DIR --out DIR
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'night watch 2026';
const ALERT_TIMEOUT_MS = 180_000; // the ASan build analyses slowly on a busy machine
const LATENCY_SAMPLES_MS = 60_000; // how long alerts are collected for the p50

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const ARGUS = arg('argus');
const SOURCE = arg('source-dir', path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..'));
const OUT = arg('out', path.join(os.tmpdir(), 'argus-e2e-artifacts'));
assert.ok(ARGUS && fs.existsSync(ARGUS), `--argus BIN: no argus binary at '${ARGUS}'`);
for (const f of [VTEST, CHROMIUM]) {
  assert.ok(fs.existsSync(f), `${f} is missing: run \`make setup-test\` (opencv-doc, chromium)`);
}
fs.mkdirSync(OUT, { recursive: true });

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-e2e-'));
const data = path.join(work, 'data');
const config = path.join(work, 'site.yaml');
fs.writeFileSync(
  config,
  `detector: {kind: builtin}
server:
  workers: 2
  static_dir: ${path.join(SOURCE, 'web')}
  site_model: ${path.join(SOURCE, 'config/museum_site.yaml')}
alerts: {cooldown_s: 0}
evidence: {pre_roll_s: 1, post_roll_s: 2, min_free_mb: 1}
sensors:
  - {name: S0-3, type: glass_break, cameras: [ground_hall], severity: critical}
cameras:
  - name: ground_hall
    source: ${VTEST}
    detect_fps: 5
    zones:
      - {name: gallery_floor, polygon: [[0, 0.45], [1, 0.45], [1, 1], [0, 1]]}
    lines:
      - {name: threshold, a: [0.05, 0.6], b: [0.95, 0.6]}
    rules:
      - {name: after_hours_entry, kind: intrusion, zone: gallery_floor, severity: critical, cooldown_s: 4}
`,
);

function cli(args, input) {
  const r = spawnSync(ARGUS, [...args, '--config', config, '--data-dir', data], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, `argus ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}
cli(['user', 'add', 'olga', '--role', 'operator'], PASSWORD + '\n');
cli(['user', 'add', 'victor', '--role', 'viewer'], PASSWORD + '\n');
cli(['user', 'add', 'ada', '--role', 'admin'], PASSWORD + '\n');

const daemon = spawn(ARGUS, ['serve', '--config', config, '--port', '0', '--data-dir', data], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
let daemonErr = '';
daemon.stderr.on('data', (d) => {
  daemonErr = (daemonErr + d).slice(-20000);
});
const port = await new Promise((resolve, reject) => {
  let out = '';
  const t = setTimeout(() => reject(new Error(`argus serve did not start:\n${daemonErr}`)), 120_000);
  daemon.stdout.on('data', (d) => {
    out += d;
    const m = /listening on port (\d+)/.exec(out);
    if (m) {
      clearTimeout(t);
      resolve(Number(m[1]));
    }
  });
  daemon.on('exit', (code) => reject(new Error(`argus serve exited (${code}):\n${daemonErr}`)));
});
// localhost: a secure context, so the Secure session cookie is kept over plain HTTP.
const BASE = `http://localhost:${port}`;
console.log(`argus serve on ${BASE}, artefacts in ${OUT}`);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
});
const consoleErrors = [];

async function loginAs(user, viewport = { width: 1440, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) consoleErrors.push(`${user}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${user}: ${e.message}`));
  await page.goto(`${BASE}/`);
  await page.fill('#login-user', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('#app-header:not([hidden])');
  return { context, page };
}

async function shot(page, name) {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  console.log(`screenshot ${file}`);
}

let failed = false;
try {
  // A wrong password first: refused, no session.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${BASE}/`);
    await page.fill('#login-user', 'olga');
    await page.fill('#login-password', 'wrong password');
    await page.click('#login-submit');
    await page.waitForFunction(() => /wrong/i.test(document.querySelector('#login-message')?.textContent || ''));
    await shot(page, 'login');
    assert.equal((await context.cookies()).filter((c) => c.name === 'argus_session').length, 0);
    await context.close();
  }

  const { page } = await loginAs('olga');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'argus_session');
  assert.ok(cookie && cookie.httpOnly && cookie.secure && cookie.sameSite === 'Strict', JSON.stringify(cookie));
  // Records when each alert row first appears, for the latency of live alerts.
  await page.evaluate(() => {
    window.__seen = {};
    const note = () => {
      for (const li of document.querySelectorAll('[data-alert-id]')) {
        const id = li.dataset.alertId;
        if (!(id in window.__seen)) window.__seen[id] = Date.now();
      }
    };
    new MutationObserver(note).observe(document.body, { childList: true, subtree: true });
    note();
  });
  const loadedAt = Date.now();

  // A live alert arrives (SSE) in the open list.
  await page.waitForSelector('#open-alerts [data-alert-id]', { timeout: ALERT_TIMEOUT_MS });
  const critical = Number(await page.textContent('#count-critical'));
  assert.ok(critical >= 1, `the header counts ${critical} open critical alerts`);

  // Collect alerts for a while for the latency figure. Incidents merge into an
  // open alert, so each alert seen is closed (through the API) to let the next
  // incident open a new one.
  const until = Date.now() + LATENCY_SAMPLES_MS;
  while (Date.now() < until) {
    await page.waitForTimeout(1000);
    await page.evaluate(async () => {
      const post = (url) =>
        fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      for (const id of Object.keys(window.__seen)) {
        if (window.__closed?.[id]) continue;
        await post(`/api/alerts/${id}/acknowledge`);
        await post(`/api/alerts/${id}/resolve`);
        (window.__closed ??= {})[id] = true;
      }
    });
  }
  await page.waitForSelector('#open-alerts [data-alert-id]', { timeout: ALERT_TIMEOUT_MS });
  await shot(page, 'alerts');
  const seen = await page.evaluate(() => window.__seen);
  const latencies = [];
  for (const [id, at] of Object.entries(seen)) {
    const a = await page.evaluate(async (i) => (await fetch(`/api/alerts/${i}`)).json(), id);
    const opened = Date.parse(a.opened_at);
    if (opened > loadedAt) latencies.push(at - opened);
  }
  latencies.sort((x, y) => x - y);
  assert.ok(latencies.length >= 1, 'no alert opened while the dashboard was watching');
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(
    `alert -> dashboard latency over ${latencies.length} alerts: p50 ${p(0.5)} ms, p90 ${p(0.9)} ms, max ${latencies.at(-1)} ms`,
  );
  fs.writeFileSync(path.join(OUT, 'latency.json'), JSON.stringify({ latencies_ms: latencies }));

  // Acknowledge the newest open alert with a note: it moves to the acknowledged list.
  const row = page.locator('#open-alerts [data-alert-id]').first();
  const id = await row.getAttribute('data-alert-id');
  await row.locator('[data-field="note"]').fill('guard on the way');
  await row.locator('button[data-action="acknowledge"]').click();
  await page.waitForSelector(`#acked-alerts [data-alert-id="${id}"]`, { timeout: 15_000 });
  assert.equal(await page.locator(`#open-alerts [data-alert-id="${id}"]`).count(), 0);
  const acked = await page.evaluate(async (i) => (await fetch(`/api/alerts/${i}`)).json(), id);
  assert.equal(acked.state, 'acknowledged');
  assert.equal(acked.ack.who, 'olga');
  assert.equal(acked.ack.note, 'guard on the way');
  await shot(page, 'alerts_acknowledged');

  // Its detail page: the clip plays (a real MP4 the browser decodes), the timeline lists its events.
  // The clip is written post_roll_s after the alert opened.
  let clipStatus = 0;
  for (let i = 0; i < 60 && clipStatus !== 200; ++i) {
    clipStatus = await page.evaluate(async (i) => (await fetch(`/api/alerts/${i}/clip`)).status, id);
    if (clipStatus !== 200) await page.waitForTimeout(1000);
  }
  assert.equal(clipStatus, 200, `the clip of alert ${id}`);
  await page.goto(`${BASE}/#/alert/${id}`);
  await page.waitForFunction(
    () => {
      const v = document.querySelector('video');
      return v && v.readyState >= 1 && v.duration > 0;
    },
    null,
    { timeout: 60_000, polling: 1000 },
  );
  const duration = await page.evaluate(() => document.querySelector('video').duration);
  assert.ok(duration > 0.5, `clip duration ${duration}`);
  await page.evaluate(() => document.querySelector('video').play());
  await page.waitForTimeout(1500);
  await shot(page, 'alert_detail');

  // Camera wall, site map (a sensor trip lights S0-3 up), history, admin/audit.
  await page.goto(`${BASE}/#/cameras`);
  // The tile's MJPEG stream shows a decoded frame.
  await page.waitForFunction(() => document.querySelector('.camera-tile img')?.naturalWidth > 0, null, {
    timeout: 30_000,
  });
  await page.waitForTimeout(1000);
  await shot(page, 'cameras');
  const trip = await page.evaluate(async () => {
    const r = await fetch('/api/sensors', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sensor: 'S0-3', type: 'glass_break', state: 'triggered' }),
    });
    return r.status;
  });
  assert.equal(trip, 202);
  await page.goto(`${BASE}/#/map`);
  await page.waitForSelector('svg', { timeout: 15_000 });
  await page.waitForTimeout(3000);
  await shot(page, 'map');
  await page.goto(`${BASE}/#/history`);
  await page.waitForTimeout(3000);
  await shot(page, 'history');

  const admin = await loginAs('ada');
  await admin.page.goto(`${BASE}/#/admin`);
  await admin.page.waitForFunction(() => /view clip of alert/.test(document.body.textContent), null, {
    timeout: 15_000,
  });
  await shot(admin.page, 'admin');

  // The viewer: sees the queue (people blurred), has no buttons, and the API refuses the action.
  const viewer = await loginAs('victor', { width: 390, height: 844 }); // a guard's phone
  await viewer.page.waitForSelector('#open-alerts [data-alert-id], #acked-alerts [data-alert-id]', {
    timeout: 30_000,
  });
  assert.equal(await viewer.page.locator('button[data-action="acknowledge"]').count(), 0);
  const openId = await viewer.page.locator('#open-alerts [data-alert-id]').first().getAttribute('data-alert-id');
  const refused = await viewer.page.evaluate(async (i) => {
    const r = await fetch(`/api/alerts/${i}/acknowledge`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    return r.status;
  }, openId);
  assert.equal(refused, 403);
  const clip = await viewer.page.evaluate(async (i) => (await fetch(`/api/alerts/${i}/clip`)).status, id);
  assert.equal(clip, 403);
  await shot(viewer.page, 'viewer_phone');

  assert.deepEqual(consoleErrors, [], 'the pages logged errors');
  console.log('e2e dashboard: ok');
} catch (e) {
  failed = true;
  console.error(e);
  console.error(`--- argus serve stderr (tail) ---\n${daemonErr.slice(-4000)}`);
} finally {
  await browser.close();
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.on('exit', r));
  fs.rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
