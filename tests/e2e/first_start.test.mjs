// End-to-end: a newcomer follows the README's "A ready control room": runs the
// command it gives (config/museum.yaml), reads the one-time password the first
// start prints, logs in to the dashboard in Debian's headless Chromium, is made
// to choose a new password, logs in with it and sees the control room (its
// cameras, the map). The one-time password no longer works afterwards.
//
// Usage: node first_start.test.mjs --argus BIN --source-dir DIR --out DIR
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ARGUS, CHROMIUM, OUT, SOURCE } from './support.mjs';

const NEW_PASSWORD = 'my own night shift 2026';

// The README's command, as a newcomer would copy it.
const readme = fs.readFileSync(path.join(SOURCE, 'README.md'), 'utf8');
const section = readme.split(/^## /m).find((s) => s.startsWith('A ready control room'));
assert.ok(section, 'README.md has no section "A ready control room"');
const command = /^(build\/bin\/argus serve .*)$/m.exec(section)?.[1];
assert.ok(command, 'the README section gives no `build/bin/argus serve ...` command');
const words = command.trim().split(/\s+/);
assert.equal(words[0], 'build/bin/argus');
const config = words[words.indexOf('--config') + 1];
assert.ok(fs.existsSync(path.join(SOURCE, config)), `the README's config ${config} exists`);

// Run from the repository root as the README says; only the port (any free one)
// and the data directory (a fresh one, so this is a first start) differ.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-first-start-'));
const daemon = spawn(ARGUS, [...words.slice(1), '--port', '0', '--data-dir', path.join(work, 'data')], {
  cwd: SOURCE,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
let err = '';
daemon.stderr.on('data', (d) => {
  err = (err + d).slice(-20000);
});
const { port, password } = await new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error(`no one-time password printed:\n${out}\n${err}`)), 120_000);
  daemon.stdout.on('data', (d) => {
    out += d;
    const p = /listening on port (\d+)/.exec(out);
    const o = /one-time password\s*\n\s*\n\s+(\S+)\s*\n/.exec(out);
    if (p && o) {
      clearTimeout(t);
      resolve({ port: Number(p[1]), password: o[1] });
    }
  });
  daemon.on('exit', (code) => reject(new Error(`argus serve exited (${code}):\n${err}`)));
});
assert.match(out, /user 'admin'/);
const BASE = `http://localhost:${port}`;

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
const errors = [];
let failed = false;
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  const login = async (pw) => {
    await page.fill('#login-user', 'admin');
    await page.fill('#login-password', pw);
    await page.click('#login-submit');
  };
  await page.goto(`${BASE}/`);
  await login(password);
  // Nothing but the new password form; the API refuses the rest meanwhile.
  await page.waitForSelector('#change-password-form');
  assert.ok(await page.locator('#app-header').isHidden());
  const refused = await page.evaluate(async () => (await fetch('/api/alerts')).status);
  assert.equal(refused, 403);
  await page.fill('#new-password', 'short');
  await page.fill('#new-password-again', 'short');
  await page.click('#change-submit');
  assert.match(await page.textContent('#change-message'), /at least 10/);
  await page.fill('#new-password', NEW_PASSWORD);
  await page.fill('#new-password-again', NEW_PASSWORD);
  await page.screenshot({ path: path.join(OUT, 'first_start_password.png') });
  await page.click('#change-submit');
  await page.waitForFunction(() => /Password changed/.test(document.querySelector('#login-message')?.textContent));

  // The one-time password is spent.
  await login(password);
  await page.waitForFunction(() => /wrong|invalid|incorrect/i.test(document.querySelector('#login-message')?.textContent));
  await login(NEW_PASSWORD);
  await page.waitForSelector('#app-header:not([hidden])');
  assert.equal(await page.textContent('#current-role'), 'admin');
  // The control room of config/museum.yaml: its three cameras, placed on the site map.
  const cams = await page.evaluate(async () => (await (await fetch('/api/cameras')).json()).cameras.map((c) => c.name));
  assert.deepEqual(cams.sort(), ['ground_hall', 'jewels_west', 'quay_centre']);
  await page.goto(`${BASE}/#/map`);
  await page.waitForSelector('.map-camera[data-camera="ground_hall"]:not(.no-feed)', { timeout: 15_000 });
  // Site cameras without a feed in this config are drawn as such.
  assert.ok((await page.locator('.map-camera.no-feed').count()) >= 1);
  await page.screenshot({ path: path.join(OUT, 'first_start_map.png') });
  assert.deepEqual(errors, []);
  console.log('e2e first start: ok');
} catch (e) {
  failed = true;
  console.error(e);
  console.error(`--- stdout ---\n${out}\n--- stderr (tail) ---\n${err.slice(-4000)}`);
} finally {
  await browser.close();
  const exited = new Promise((r) => daemon.on('exit', r));
  daemon.kill('SIGTERM');
  await exited;
  fs.rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
