// A rebuild under an open page: the real `chronicle` binary writes a split
// index into a directory the loopback server serves, a page opens it and
// searches, and then the binary rebuilds the index, with more events, into
// the same directory.
//
//   cargo build --release --bin chronicle && node --test tests/e2e/redeploy.test.mjs
//
// What the loader promises (widget/loader.js, SECURITY.md "Networks"):
// with the previous build's chunks kept (`--grace-hours`, 48 by default),
// the open page keeps searching its own build and never fetches the core
// again; once they are gone, the first chunk that is missing has the
// loader fetch the core again, open it under the widget (its query, sort
// and shown page kept) and search again, once, saying nothing to the
// reader. Only if that fails too does the page say so, with Retry.
//
// A 404 the test provokes makes Chromium log "Failed to load resource" as
// a console error: those are expected for the old build's chunk files;
// any other console error fails the test.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from './server.mjs';
import { launchChromium } from './browser.mjs';
import { INPUT, OPTION, ROOT, STATUS, typeQuery, waitForHits as waitForIds, watchConsole } from './page.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(HERE, '../../target/release/chronicle');
const EVENTS = path.join(HERE, '../data/events.jsonl');
const SAMPLE = path.join(HERE, '../../data/sample.jsonl');

const CORE = '/split/index.chron';
const CHUNK = /^\/split\/s?\d+-[0-9a-f]{8}\.bin$/;
const WAIT = 30_000;
const TEST_TIMEOUT = 120_000;

// Events only the second build has: a word no older event has, under a
// first letter the older ones use (so the old core has that lexicon shard
// and asks for its chunk). They are dated before every other event (a
// backfill), so every document's number moves and the rebuild renames
// the chunks the old core needs. (Events dated after the last day keep
// the numbers and most chunk names: see tests/growth.rs.)
const ADDED = [
  { id: 'added-1', date: '1998-03-01', title: 'Scientists return to the Tunguska site in Siberia', contexts: ['Tunguska event'] },
  { id: 'added-2', date: '1998-07-30', title: 'A Tunguska anniversary exhibition opens in Moscow', contexts: ['Tunguska event', 'Moscow'] },
  { id: 'added-3', date: '1998-08-02', title: 'Volunteers clean the shores of Lake Baikal', contexts: ['Lake Baikal'] },
];

let browser;
let tmp;

before(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: cargo build --release --bin chronicle`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-redeploy-'));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A site in a fresh directory: the widget's files (from the binary), a
 * page, and a split index of the older events (`events`, JSON lines) in
 * `split/`; `new.jsonl` holds them and the added ones. */
function makeSite(name, events = EVENTS) {
  const site = path.join(tmp, name);
  fs.mkdirSync(site);
  execFileSync(CLI, ['widget', site]);
  fs.writeFileSync(
    path.join(site, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Redeploy</title><link rel="icon" href="data:,"></head><body>' +
      '<div data-chronicle></div><script src="chronicle.js" data-index="split/index.chron"></script></body></html>',
  );
  fs.copyFileSync(events, path.join(site, 'old.jsonl'));
  const all = fs.readFileSync(events, 'utf8').trimEnd() + '\n' + ADDED.map((e) => JSON.stringify(e)).join('\n') + '\n';
  fs.writeFileSync(path.join(site, 'new.jsonl'), all);
  build(site, 'old.jsonl');
  return site;
}

/** Builds the split index of `input` into `site/split` with the binary. */
function build(site, input, ...flags) {
  execFileSync(CLI, ['build', path.join(site, input), '--split', path.join(site, 'split'), ...flags], { stdio: 'pipe' });
}

const chunkFiles = (site) => fs.readdirSync(path.join(site, 'split')).filter((f) => f.endsWith('.bin')).sort();

/**
 * Serves `site`, opens its page and runs `fn(page, srv, log)`. Fails on
 * page errors and on console errors other than failed loads of chunk
 * files (`log.failedLoads`) or, when `coreMayFail`, of the core.
 */
async function withPage(site, fn, { fault = () => null, coreMayFail = false } = {}) {
  const srv = await startServer(site, { fault });
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const log = watchConsole(page, (p) => CHUNK.test(p) || (coreMayFail && p === CORE));
  try {
    await page.goto(`${srv.url}/index.html`);
    await page.waitForSelector(`${ROOT}[data-state="ready"]`, { state: 'attached' });
    await fn(page, srv, log);
    await page.waitForTimeout(100);
    assert.deepEqual(log.errors, [], 'no console errors but failed loads of chunks');
  } catch (err) {
    console.error('\n--- redeploy e2e failure ---');
    for (const l of log.lines) console.error(`  ${l}`);
    console.error('--- end ---\n');
    throw err;
  } finally {
    await context.close();
    await srv.close();
  }
}

/** Waits until the widget shows exactly the hits `ids`. */
const waitForHits = (page, ids) => waitForIds(page, ids, WAIT);

/** Waits until the status line says how many results the query has. */
const waitForAnswer = (page) =>
  page.waitForFunction(
    ({ root, list }) =>
      document.querySelector(root)?.getAttribute('data-state') !== 'loading' &&
      document.querySelector(list)?.getAttribute('aria-busy') === null &&
      /result|No events/.test(document.querySelector('.chronicle-status')?.textContent ?? ''),
    { root: ROOT, list: '[role="listbox"]' },
    { timeout: WAIT, polling: 50 },
  );

const coreRequests = (srv) => srv.stats.paths.filter((p) => p.path === CORE);
const statusText = (page) => page.locator(STATUS).first().textContent();

describe('a rebuild under an open page (real binary, headless Chromium)', () => {
  test('grace 0: a query needing chunks that are gone gets the new build\'s hits, silently, the widget state kept', { timeout: TEST_TIMEOUT }, async () => {
    const site = makeSite('grace-0');
    await withPage(site, async (page, srv, log) => {
      // The old build answers a first query, sorted by date.
      await page.locator('.chronicle-sort').selectOption('newest');
      await typeQuery(page, 'pluto');
      await waitForHits(page, ['wcep-19990211-001']);
      assert.equal(coreRequests(srv).length, 1);
      const before = chunkFiles(site);

      build(site, 'new.jsonl', '--grace-hours', '0');
      const gone = before.filter((f) => !chunkFiles(site).includes(f));
      assert.ok(gone.length > before.length / 2, `the rebuild renamed most chunks (${gone.length} of ${before.length})`);

      // "tunguska" is only in the new build: the old core asks for its
      // lexicon shard, whose file is gone.
      await typeQuery(page, 'tunguska');
      await waitForHits(page, ['added-2', 'added-1']); // newest first: the sort kept
      assert.equal(await page.locator(ROOT).getAttribute('data-state'), 'ready');
      assert.doesNotMatch(await statusText(page), /Couldn't|failed|Retry/);
      assert.match(await statusText(page), /^2 results/);
      assert.equal(await page.locator('.chronicle-sort').inputValue(), 'newest');
      assert.equal(await page.locator(INPUT).inputValue(), 'tunguska');
      assert.equal(await page.locator(INPUT).evaluate((e) => e === document.activeElement), true, 'the input kept the focus');
      assert.equal(coreRequests(srv).length, 2, 'the core was fetched again, once');
      assert.ok(log.failedLoads.length >= 1 && log.failedLoads.every((p) => gone.includes(path.basename(p))),
        `only the old build's chunks failed: ${log.failedLoads}`);

      // Later queries search the new build without fetching the core again,
      // including one whose words the old build also had.
      await typeQuery(page, 'moscow');
      await waitForAnswer(page);
      const ids = await page.locator(OPTION).evaluateAll((els) => els.map((e) => e.dataset.id));
      assert.ok(ids.includes('added-2'), `the new event is among the hits of "moscow": ${ids}`);
      assert.equal(coreRequests(srv).length, 2);
      assert.equal(await page.evaluate(() => Chronicle.widgets.length), 1);
    });
  });

  test('grace 0: related events asked for on a hit of the old build show the query again from the new build, never another event\'s list', { timeout: TEST_TIMEOUT }, async () => {
    const site = makeSite('related');
    await withPage(site, async (page, srv) => {
      await typeQuery(page, 'pluto');
      await waitForHits(page, ['wcep-19990211-001']);
      const doc = () => page.locator(`.chronicle-hit .chronicle-related`).first().getAttribute('data-doc');
      const oldDoc = await doc();
      build(site, 'new.jsonl', '--grace-hours', '0');
      // The old hit's related events need chunks that are gone.
      await page.locator(`.chronicle-hit .chronicle-related`).first().click();
      await page.waitForFunction(
        ({ sel, old }) => {
          const b = document.querySelector(sel);
          return b && b.getAttribute('data-doc') !== old;
        },
        { sel: `.chronicle-hit .chronicle-related`, old: oldDoc },
        { timeout: WAIT, polling: 50 },
      );
      // The same event, numbered as the new build numbers it, and no list
      // of related events under it that was made for the old number.
      await waitForHits(page, ['wcep-19990211-001']);
      assert.equal(coreRequests(srv).length, 2);
      assert.equal(await page.locator('.chronicle-related-list').count(), 0);
      assert.equal(await page.locator(ROOT).getAttribute('data-state'), 'ready');
      // Its related events now come from the new build.
      await page.locator(`.chronicle-hit .chronicle-related`).first().click();
      await page.waitForSelector('.chronicle-related-list', { state: 'attached' });
      assert.equal(await page.locator(ROOT).getAttribute('data-state'), 'ready');
    });
  });

  test('grace 0: the page of hits shown, the filter and the sort stay across the new core', { timeout: TEST_TIMEOUT }, async () => {
    const site = makeSite('state', SAMPLE);
    await withPage(site, async (page, srv) => {
      const q = 'war from:2003';
      await typeQuery(page, q);
      await waitForAnswer(page);
      await page.locator('.chronicle-more').click();
      await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 20, OPTION);
      build(site, 'new.jsonl', '--grace-hours', '0');
      execFileSync(CLI, ['build', path.join(site, 'new.jsonl'), '-o', path.join(site, 'new.chron')], { stdio: 'pipe' });
      const direct = JSON.parse(
        execFileSync(CLI, ['search', path.join(site, 'new.chron'), q, '--json', '--sort', 'oldest', '--limit', '20']),
      ).hits.map((h) => h.id);
      // A new order needs doc-store blocks the old core names and the
      // server no longer has.
      await page.locator('.chronicle-sort').selectOption('oldest');
      await waitForHits(page, direct);
      assert.equal(coreRequests(srv).length, 2, 'the core was fetched again');
      assert.equal(await page.locator(INPUT).inputValue(), q);
      assert.equal(await page.locator('.chronicle-sort').inputValue(), 'oldest');
      assert.equal(await page.locator(ROOT).getAttribute('data-state'), 'ready');
      assert.doesNotMatch(await statusText(page), /Couldn't|failed|Retry/);
    });
  });

  test('default grace: the open page keeps searching its own build and never fetches the core again', { timeout: TEST_TIMEOUT }, async () => {
    const site = makeSite('grace-default');
    await withPage(site, async (page, srv, log) => {
      await typeQuery(page, 'pluto');
      await waitForHits(page, ['wcep-19990211-001']);
      const before = chunkFiles(site);

      build(site, 'new.jsonl');
      assert.ok(chunkFiles(site).length > before.length, 'the new chunks are beside the kept old ones');
      assert.ok(before.every((f) => chunkFiles(site).includes(f)), 'the old chunks are kept');

      // The old build has no "tunguska": the page answers from its own build.
      await typeQuery(page, 'tunguska');
      await waitForAnswer(page);
      const ids = await page.locator(OPTION).evaluateAll((els) => els.map((e) => e.dataset.id));
      assert.ok(!ids.some((id) => id.startsWith('added-')), `hits of the old build: ${ids}`);
      await typeQuery(page, 'turkey');
      await waitForAnswer(page);
      assert.ok((await page.locator(OPTION).count()) > 0, 'the old build still answers');
      assert.equal(await page.locator(ROOT).getAttribute('data-state'), 'ready');
      assert.equal(coreRequests(srv).length, 1, 'the core was not fetched again');
      assert.deepEqual(log.failedLoads, []);
    });
  });

  test('a chunk missing from an unchanged index: the core is fetched again once, then the error and Retry', { timeout: TEST_TIMEOUT }, async () => {
    const site = makeSite('damaged');
    await withPage(site, async (page, srv, log) => {
      await typeQuery(page, 'pluto');
      await waitForHits(page, ['wcep-19990211-001']);
      // A server that lost every chunk but its core.
      for (const f of chunkFiles(site)) fs.rmSync(path.join(site, 'split', f));
      await page.locator(INPUT).fill('turkey'); // one query (each keystroke would try once)
      await page.waitForSelector(`${ROOT}[data-state="error"]`, { state: 'attached' });
      assert.match(await statusText(page), /^Couldn't load part of the search index\. Reload the page to try again\./);
      assert.equal(await page.locator(`${STATUS} button.chronicle-retry`).count(), 1);
      assert.equal(coreRequests(srv).length, 2, 'the core was fetched again once, and found unchanged');
      assert.ok(log.failedLoads.length >= 1);
    });
  });

  test('a core that cannot be fetched again: the error and Retry, and the old core keeps answering what it has', { timeout: TEST_TIMEOUT }, async () => {
    const site = makeSite('core-fails');
    let coreFails = false;
    const fault = (p) => (coreFails && p === CORE ? { status: 503 } : null);
    await withPage(site, async (page, srv) => {
      await typeQuery(page, 'pluto');
      await waitForHits(page, ['wcep-19990211-001']);
      build(site, 'new.jsonl', '--grace-hours', '0');
      coreFails = true;
      await typeQuery(page, 'tunguska');
      await page.waitForSelector(`${ROOT}[data-state="error"]`, { state: 'attached', timeout: 60_000 });
      assert.match(await statusText(page), /^Couldn't load part of the search index\. Check your connection\./);
      assert.ok(coreRequests(srv).length >= 2, 'the core was asked for again');
      // The old core, with the chunks it has, still answers.
      await typeQuery(page, 'pluto');
      await waitForHits(page, ['wcep-19990211-001']);
      assert.equal(await page.locator(ROOT).getAttribute('data-state'), 'ready');
    }, { fault, coreMayFail: true });
  });
});
