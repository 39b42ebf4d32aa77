// What the end-to-end tests share: their command line (--argus BIN --source-dir
// DIR --out DIR) and the check that what they drive is installed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

export const ARGUS = arg('argus');
export const SOURCE = arg('source-dir', path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..'));
export const OUT = arg('out', path.join(os.tmpdir(), 'argus-e2e-artifacts'));
assert.ok(ARGUS && fs.existsSync(ARGUS), `--argus BIN: no argus binary at '${ARGUS}'`);
for (const f of [VTEST, CHROMIUM]) {
  assert.ok(fs.existsSync(f), `${f} is missing: run \`make setup-test\` (opencv-doc, chromium)`);
}
fs.mkdirSync(OUT, { recursive: true });
