// Long sessions: a page that mounts and unmounts the widget many times,
// and searches many times, keeps its wasm memory, DOM nodes and event
// listeners within stated bounds (the widget frees what it made).
//
//   bash build.sh && node --test tests/e2e/sessions.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from './server.mjs';
import { launchChromium } from './browser.mjs';
import { metricsSession, metrics, assertWithin, assertMemoryWithin } from './bounds.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WWW = path.resolve(process.env.CHRONICLE_WWW || path.join(HERE, '../../www'));

let browser;
let server;

before(async () => {
  browser = await launchChromium();
  server = await startServer(WWW);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('200 mount/unmount cycles and 10,000 searches stay within bounds', { timeout: 240_000 }, async () => {
  const page = await (await browser.newContext()).newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const cdp = await metricsSession(page);
  await page.goto(`${server.url}/index.html`);
  await page.waitForSelector('[data-chronicle][data-state="ready"]');
  await page.evaluate(async () => {
    window.__ix = await Chronicle.load('events.chron');
    // Every tenth mount loads its own index by URL (freed with it).
    window.__cycle = async (n) => {
      const words = ['lavrov', 'geneva', 'earthquake', 'election', 'oil p', 'nobel', 'storm', 'talks'];
      for (let i = 0; i < n; i++) {
        const div = document.createElement('div');
        document.body.appendChild(div);
        const index = i % 10 === 9 ? 'events.chron' : window.__ix;
        const w = await Chronicle.mount(div, { index, hash: false });
        w.setQuery(words[i % words.length]);
        w.setQuery(`${words[i % words.length]} ${words[(i + 3) % words.length]}`);
        w.unmount();
        div.remove();
      }
      return Chronicle.widgets.length;
    };
  });
  // Warm up, then measure.
  assert.equal(await page.evaluate(() => window.__cycle(20)), 1, 'only the page\'s own widget stays');
  const memory0 = await page.evaluate(() => Chronicle.memoryBytes());
  const base = await metrics(cdp);
  assert.equal(await page.evaluate(() => window.__cycle(180)), 1);
  const afterMounts = await metrics(cdp);
  const searched = await page.evaluate(() => {
    const words = ['lavrov', 'geneva', 'earthquake', 'japan', 'election', 'oil', 'price',
      'nobel', 'prize', 'storm', 'talks', 'president', 'minister', 'war', 'peace', 'eartquake'];
    let total = 0;
    for (let i = 0; i < 10000; i++) {
      const q = `${words[i % words.length]} ${words[(i * 7 + 3) % words.length].slice(0, 1 + (i % 5))}`;
      total += window.__ix.search(q, { limit: 10 }).hits.length;
    }
    return total;
  });
  assert.ok(searched > 10000, `10,000 searches found hits (${searched})`);
  const memory1 = await page.evaluate(() => Chronicle.memoryBytes());
  const end = await metrics(cdp);
  assertMemoryWithin('after 180 more mounts and 10,000 searches', memory0, memory1);
  assertWithin('after 180 more mounts', base, afterMounts);
  assertWithin('after 10,000 searches', base, end);
  assert.deepEqual(errors, [], 'no console errors (no closure freed while its timer was pending)');
  await page.context().close();
});
