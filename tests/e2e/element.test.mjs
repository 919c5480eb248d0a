// <chronicle-search> and the ES module, as a site owner uses them: the
// files written by the binary (`chronicle build --site`), served by
// `chronicle serve` (loopback, strict CSP), and the offline file
// (`chronicle bundle`) from file://.
//
//   bash build.sh && node --test tests/e2e/element.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { launchChromium } from './browser.mjs';
import { watchConsole } from './page.mjs';
import { metricsSession, metrics, assertWithin, assertMemoryWithin } from './bounds.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const CLI = process.env.CHRONICLE_BIN || path.join(REPO, 'target/release/chronicle');
const EVENTS = path.join(REPO, 'tests/data/events.jsonl');
const BASE = 'https://example.org/archive/';

let tmp;
let site;
let server;
let browser;

const run = (...args) => execFileSync(CLI, args, { stdio: 'pipe', encoding: 'utf8' });

/** Starts `chronicle serve DIR --port 0`: `{ url, stop }`. */
async function serve(dir) {
  const child = spawn(CLI, ['serve', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`chronicle serve exited with ${code}`)));
  });
  const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
  assert.ok(m, `chronicle serve printed ${JSON.stringify(line)}`);
  return {
    url: m[1],
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGINT');
    }),
  };
}

before(async () => {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run bash build.sh first`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-element-'));
  site = path.join(tmp, 'site');
  // The fixture's events as a site's index and widget, and as a split index.
  run('build', EVENTS, '--site', site);
  run('build', EVENTS, '-o', path.join(tmp, 'x.chron'), '--split', path.join(site, 'chronicle/split'));
  // A larger index for the insert/remove cycles (over 400 KB: one left
  // behind by each cycle would pass the memory bound many times over):
  // the fixture's events 60 times, each title with words of its own.
  const lines = fs.readFileSync(EVENTS, 'utf8').trim().split('\n');
  let seed = 1;
  const letter = () => String.fromCharCode(97 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 8) % 26);
  const word = () => Array.from({ length: 6 }, letter).join('');
  const many = [];
  for (let copy = 0; copy < 60; copy++) {
    for (const line of lines) {
      const e = JSON.parse(line);
      e.id = `${e.id}-${copy}`;
      e.title = `${e.title} ${Array.from({ length: 8 }, word).join(' ')}`;
      many.push(JSON.stringify(e));
    }
  }
  fs.writeFileSync(path.join(tmp, 'many.jsonl'), many.join('\n'));
  run('build', path.join(tmp, 'many.jsonl'), '-o', path.join(site, 'many.chron'));
  assert.ok(fs.statSync(path.join(site, 'many.chron')).size > 400_000);
  // The offline file of the split index.
  run('bundle', path.join(site, 'chronicle/split'), '-o', path.join(tmp, 'offline.html'), '--base-url', BASE);

  const page = (name, body) => fs.writeFileSync(path.join(site, name),
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${name}</title></head>\n<body>\n${body}\n</body></html>\n`);
  page('elements.html', `<main>
<chronicle-search id="a" index="chronicle/events.chron" base-url="${BASE}" limit="2" placeholder="Search the archive"></chronicle-search>
<chronicle-search id="b" index="chronicle/events.chron" hash="false"></chronicle-search>
</main>
<script src="chronicle/chronicle.js"></script>`);
  page('cycles.html', '<main id="main"></main>\n<script src="chronicle/chronicle.js" data-auto="false"></script>');
  fs.mkdirSync(path.join(site, 'module'));
  fs.writeFileSync(path.join(site, 'module/index.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Module</title>
<link rel="stylesheet" href="../chronicle/chronicle.css"></head>
<body><main>
<div id="api"></div>
<chronicle-search id="el" index="../chronicle/events.chron"></chronicle-search>
</main>
<script type="module" src="app.mjs"></script>
</body></html>
`);
  fs.writeFileSync(path.join(site, 'module/app.mjs'), `
import Chronicle, { load, mount, memoryBytes, widgets } from '../chronicle/chronicle.mjs';
const index = await load('../chronicle/events.chron');
const widget = await mount(document.getElementById('api'), { index, limit: 3, baseUrl: '${BASE}' });
widget.setQuery('people');
window.moduleResult = {
  same: Chronicle.load === load && Chronicle.mount === mount &&
    Chronicle.memoryBytes === memoryBytes && Chronicle.widgets === widgets,
  total: index.search('people').total,
  memory: memoryBytes(),
  query: widget.query(),
};
`);
  server = await serve(site);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fresh page; `fn(page, log)`; then no console or page errors. */
async function withPage(fn) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const log = watchConsole(page, () => false);
  try {
    await fn(page, log);
    assert.deepEqual(log.errors, [], 'no console or page errors');
  } finally {
    await context.close();
  }
}

/** Waits until the element `sel` has a mounted widget. */
const mounted = (page, sel) => page.waitForFunction((s) => document.querySelector(s)?.widget, sel, { polling: 20 });

/** What the widget in `sel` shows: its hits' ids, title links, the input. */
function shown(page, sel) {
  return page.evaluate((s) => {
    const el = document.querySelector(s);
    const input = el.querySelector('input[role="combobox"]');
    return {
      ids: [...el.querySelectorAll('[role="option"]')].map((o) => o.dataset.id),
      links: [...el.querySelectorAll('a.chronicle-link')].map((a) => a.getAttribute('href')),
      value: input.value,
      placeholder: input.placeholder,
      more: !el.querySelector('.chronicle-more').hidden,
    };
  }, sel);
}

test('<chronicle-search> over HTTP: attributes, one shared download, a changed attribute remounts', { timeout: 120_000 }, async () => {
  await withPage(async (page) => {
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    // The query in the URL: taken up by the widget that keeps its query
    // there, not by the one with hash="false".
    const resp = await page.goto(`${server.url}elements.html#q=people`);
    assert.match(resp.headers()['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval'; style-src 'self'/);
    await mounted(page, '#a');
    await mounted(page, '#b');
    assert.deepEqual(requests.filter((p) => p.endsWith('.chron')), ['/chronicle/events.chron'],
      'both elements share one download of their index');
    assert.equal(await page.locator('[data-chronicle]').count(), 0, 'no widget is added after the script');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#a')).display), 'block');

    const a = await shown(page, '#a');
    assert.equal(a.placeholder, 'Search the archive');
    assert.equal(a.value, 'people');
    assert.equal(a.ids.length, 2, 'limit="2": two hits a page');
    assert.ok(a.more, 'and a "More results" button for the rest');
    assert.equal(a.links.length, 2);
    for (const href of a.links) {
      assert.match(href, /^https:\/\/example\.org\/archive\/news\/\d{4}\/[^/].*\.md$/, 'base-url joined with one slash');
    }

    const b = await shown(page, '#b');
    assert.equal(b.value, '', 'hash="false": the URL\'s query is not taken up');
    assert.equal(b.placeholder, 'Search 46 events…');
    await page.locator('#b input').pressSequentially('people', { delay: 20 });
    await page.waitForFunction(() => document.querySelectorAll('#b [role="option"]').length === 7);
    const b2 = await shown(page, '#b');
    assert.ok(!b2.more, 'ten hits a page unless set');
    assert.deepEqual(b2.links, [], 'without base-url, relative URLs are not links');

    // Another index: the element mounts again, over it.
    await page.evaluate(() => document.querySelector('#b').setAttribute('index', 'chronicle/split/index.chron'));
    await mounted(page, '#b');
    assert.ok(requests.includes('/chronicle/split/index.chron'));
    await page.locator('#b input').pressSequentially('turkey', { delay: 20 });
    await page.waitForFunction(() => document.querySelectorAll('#b [role="option"]').length === 1);
    assert.equal(await page.evaluate(() => Chronicle.widgets.length), 2, 'the old widget is gone');
    // A changed limit too; the first element kept its index meanwhile.
    await page.evaluate(() => document.querySelector('#a').setAttribute('limit', '1'));
    await mounted(page, '#a');
    await page.evaluate(() => document.querySelector('#a').widget.setQuery('people'));
    assert.equal((await shown(page, '#a')).ids.length, 1);
    assert.equal(requests.filter((p) => p === '/chronicle/events.chron').length, 1,
      'the index still held by the other widget is not fetched again');
  });
});

test('removing <chronicle-search> unmounts it: 100 insert/remove cycles stay within bounds', { timeout: 240_000 }, async () => {
  await withPage(async (page) => {
    const cdp = await metricsSession(page);
    await page.goto(`${server.url}cycles.html`);
    await page.waitForFunction(() => window.Chronicle);
    const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
    const windowListeners = async () =>
      (await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId })).listeners.length;
    const listeners0 = await windowListeners();
    await page.evaluate(() => {
      const main = document.getElementById('main');
      const until = (ok) => new Promise((resolve) => {
        (function check() { if (ok()) resolve(); else setTimeout(check, 5); })();
      });
      const words = ['people', 'president', 'turkey', 'earth', 'world', 'united'];
      // What a removed element must be: empty, no widget, nothing left
      // in Chronicle.widgets.
      const gone = (el, what) => {
        if (el.childNodes.length || el.classList.contains('chronicle') || el.hasAttribute('data-state') ||
          el.widget !== null || Chronicle.widgets.length) {
          throw new Error(`${what}: the removed element kept its widget`);
        }
      };
      const make = () => {
        const el = document.createElement('chronicle-search');
        el.setAttribute('index', 'many.chron');
        return el;
      };
      window.cycle = async (n) => {
        let hits = 0;
        for (let i = 0; i < n; i++) {
          // Removed while its index loads (the same task), then one
          // mounted and searched; every third cycle two that share it.
          const early = make();
          main.append(early);
          early.remove();
          gone(early, `cycle ${i}, removed while loading`);
          const els = i % 3 ? [make()] : [make(), make()];
          main.append(...els);
          await until(() => els.every((el) => el.widget));
          for (const el of els) {
            el.widget.setQuery(words[i % words.length]);
            hits += el.querySelectorAll('[role="option"]').length;
          }
          els.forEach((el) => el.remove());
          els.forEach((el) => gone(el, `cycle ${i}`));
        }
        return hits;
      };
    });
    assert.ok(await page.evaluate(() => window.cycle(10)) >= 10);
    const memory0 = await page.evaluate(() => Chronicle.memoryBytes());
    const base = await metrics(cdp, page);
    assert.ok(await page.evaluate(() => window.cycle(100)) >= 100, 'every mounted element found hits');
    const memory1 = await page.evaluate(() => Chronicle.memoryBytes());
    assertMemoryWithin('after 100 more cycles', memory0, memory1);
    assertWithin('after 100 more cycles', base, await metrics(cdp, page));
    assert.equal(await windowListeners(), listeners0, 'no listener left on the window (hashchange)');
  });
});

test('<chronicle-search> in the offline file (file://), inserted and removed again after its chunks were read', { timeout: 120_000 }, async () => {
  await withPage(async (page) => {
    const doc = pathToFileURL(path.join(tmp, 'offline.html')).href;
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(doc);
    await page.waitForSelector('[data-chronicle][data-state="ready"]');
    // Once every chunk is in, the page drops its copy of them: the
    // elements must search the index already loaded.
    await page.waitForFunction(() => {
      const id = document.getElementById('chronicle-index').getAttribute('data-chunks');
      return document.getElementById(id).textContent === '';
    }, null, { polling: 50 });
    const got = await page.evaluate(async () => {
      const until = (ok) => new Promise((resolve) => {
        (function check() { if (ok()) resolve(); else setTimeout(check, 5); })();
      });
      const out = [];
      for (let i = 0; i < 20; i++) {
        const el = document.createElement('chronicle-search');
        el.setAttribute('base-url', 'https://example.org/other/');
        document.querySelector('main').append(el);
        await until(() => el.widget);
        el.widget.setQuery(i % 2 ? 'turkey' : 'kurdish rebels');
        out.push({
          ids: [...el.querySelectorAll('[role="option"]')].map((o) => o.dataset.id),
          href: el.querySelector('a.chronicle-link')?.getAttribute('href'),
        });
        el.remove();
        if (el.childNodes.length || Chronicle.widgets.length !== 1) throw new Error('the removed element kept its widget');
      }
      return out;
    });
    for (const { ids, href } of got) {
      assert.deepEqual(ids, ['wcep-19990221-001']);
      assert.equal(href, 'https://example.org/other/news/1999/02/21/turkey-withdraws-its-troops-from-iraq-against-the-kurdish-rebels.md');
    }
    // The page's own widget still searches.
    await page.locator('[data-chronicle] input').pressSequentially('turkey', { delay: 20 });
    await page.waitForSelector('[data-chronicle] [role="option"][data-id="wcep-19990221-001"]');
    assert.deepEqual(requests, [doc], 'no request besides the document');
  });
});

test('the ES module: imported, it loads and mounts, finds its wasm beside itself and mounts nothing unasked', { timeout: 120_000 }, async () => {
  await withPage(async (page) => {
    const responses = [];
    page.on('response', (r) => responses.push([new URL(r.url()).pathname, r.headers()['content-type']]));
    await page.goto(`${server.url}module/`);
    await page.waitForFunction(() => window.moduleResult);
    const r = await page.evaluate(() => window.moduleResult);
    assert.equal(r.same, true, 'the default export is the named exports');
    assert.equal(r.total, 7);
    assert.ok(r.memory > 0);
    assert.equal(r.query, 'people');
    const api = await shown(page, '#api');
    assert.equal(api.ids.length, 3);
    assert.ok(api.links.every((h) => h.startsWith(BASE)) && api.links.length === 3);
    // The element, defined by the module.
    await mounted(page, '#el');
    assert.equal(await page.evaluate(() => typeof window.Chronicle), 'undefined', 'no global');
    assert.equal(await page.locator('[data-chronicle]').count(), 0, 'nothing auto-mounted');
    assert.equal(await page.locator('link[rel="stylesheet"]').count(), 1, 'no stylesheet added');
    const types = Object.fromEntries(responses);
    assert.match(types['/chronicle/chronicle.mjs'] ?? '', /^text\/javascript/);
    assert.equal(types['/chronicle/chronicle_bg.wasm'], 'application/wasm', 'the wasm beside the module');
    assert.equal(types['/chronicle/chronicle.js'], undefined);
    // The classic script on the same page leaves the element as the
    // module defined it (no error: a second definition would throw).
    const same = await page.evaluate(async () => {
      const defined = customElements.get('chronicle-search');
      const script = document.createElement('script');
      script.src = '../chronicle/chronicle.js';
      script.dataset.auto = 'false';
      await new Promise((resolve, reject) => {
        script.onload = resolve;
        script.onerror = reject;
        document.body.append(script);
      });
      return typeof window.Chronicle.mount === 'function' && customElements.get('chronicle-search') === defined;
    });
    assert.equal(same, true);
  });
});
