// The offline file's layout has one definition, `format::offline` (Rust;
// FORMAT.md, "Offline file"), and one reader in JavaScript, the page's
// own `widget/offline.js`. This test holds the two together: the Rust
// example `offline_layout` packs edge-case and random bytes into a page
// laid out as `chronicle bundle` lays out the offline file (the wasm,
// the core, the LZMA dictionary and chunks blocks with their table,
// chunks as they are, deflated and in LZMA groups), and headless
// Chromium opens that page from file:// and runs the real offline.js
// over it: every block must give back exactly the bytes that went in.
//
//   node --test tests/e2e/offline-layout.test.mjs
//
// (It runs `cargo run --example offline_layout`, so it needs cargo; no
// www/ build.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { launchChromium } from './browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const OFFLINE_JS = fs.readFileSync(path.join(ROOT, 'widget/offline.js'), 'utf8');

let browser;
let tmp;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-layout-'));
  execFileSync('cargo', ['run', '--quiet', '--example', 'offline_layout', '--', tmp], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('widget/offline.js unpacks every block of the layout format::offline writes, byte for byte', { timeout: 120_000 }, async () => {
  const want = JSON.parse(fs.readFileSync(path.join(tmp, 'layout.json'), 'utf8'));
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
  });
  await page.goto(pathToFileURL(path.join(tmp, 'layout.html')).href);
  // The page's reader needs only this of chronicle.js: a handle made from
  // the core's bytes (recorded here), and no idle time (so that it never
  // warms up and drops the blocks while the test reads them).
  await page.evaluate(() => {
    window.requestIdleCallback = () => 0;
    window.wasm_bindgen = {
      Chronicle: function (bytes) {
        window.core = Array.from(bytes);
        this.setChunksAtHand = () => {};
      },
    };
  });
  await page.addScriptTag({ content: OFFLINE_JS });
  const got = await page.evaluate(async (count) => {
    const embedded = window.ChronicleEmbedded;
    const wasm = Array.from(embedded.wasm());
    let getChunk;
    await embedded.load((ix, get) => {
      getChunk = get;
      const load = () => Promise.resolve(false);
      load.has = () => true;
      load.put = () => {};
      return load;
    });
    const chunks = [];
    for (let n = 1; n <= count; n++) {
      const c = await getChunk(n);
      chunks.push(c.deflated ? { deflated: true, bytes: Array.from(c.deflated) } : { deflated: false, bytes: Array.from(c) });
    }
    // One past the table is no chunk.
    let beyond = null;
    await getChunk(count + 1).catch((e) => (beyond = e.message));
    return { wasm, core: window.core, chunks, beyond };
  }, want.chunks.length);
  assert.deepEqual(got.wasm, want.wasm, 'the wasm block');
  assert.deepEqual(got.core, want.core, 'the index block');
  assert.equal(got.chunks.length, want.chunks.length);
  for (let i = 0; i < want.chunks.length; i++) {
    assert.deepEqual(got.chunks[i], want.chunks[i], `chunk ${i + 1}`);
  }
  assert.match(got.beyond, /no chunk/);
  assert.deepEqual(errors, []);
  await page.close();
});
