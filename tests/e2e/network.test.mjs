// The widget over a flaky network: a loopback server (server.mjs's fault
// hook) that fails, delays and hangs chunk requests of the split index on
// purpose, and trickles the single-file index.
//
//   bash build.sh && node --test tests/e2e/network.test.mjs
//
// The loader's policy under test (widget/loader.js): an attempt gives up
// after 10 s without a byte; network errors, timeouts, 5xx and 429 are
// retried 3 times with a doubling, jittered pause. Nothing here times
// performance: each step waits for a state, with generous limits.
//
// A failed request the test provokes makes Chromium log "Failed to load
// resource" as a console error: those are expected (and asserted) for
// the paths the fault hook failed, and any other console error fails the
// test. The loader's console.warn details are fine.

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
const WWW = path.resolve(process.env.CHRONICLE_WWW || path.join(HERE, '../../www'));
const CLI = path.join(HERE, '../../target/release/chronicle');

const CHUNK = /^\/split\/s?\d+-[0-9a-f]{8}\.bin$/;
const WAIT = 60_000;
const TEST_TIMEOUT = 180_000;

const NETWORK_MESSAGE = "Couldn't load part of the search index. Check your connection.";

function requireBuilt() {
  const need = ['index.html', 'chronicle.js', 'events.chron', 'split/index.html', 'split/index.chron'];
  const missing = need.filter((f) => !fs.existsSync(path.join(WWW, f)));
  if (missing.length || !fs.existsSync(CLI)) {
    throw new Error(`www/ is not built (missing ${missing.join(', ') || CLI}): run \`bash build.sh\` first`);
  }
}

let browser;

/**
 * Serves www/ with `fault` (see server.mjs), opens a fresh page and runs
 * `fn(page, srv, log)`. Fails on page errors and on console errors other
 * than failed loads of the paths the fault hook failed (`srv.faulted`);
 * `log.failedLoads` lists those for the test to assert.
 */
async function withFaultyPage(name, fault, fn) {
  requireBuilt();
  const faulted = new Set();
  const srv = await startServer(WWW, {
    fault: (urlPath, req) => {
      const f = fault(urlPath, req);
      if (f) faulted.add(urlPath);
      return f;
    },
  });
  srv.faulted = faulted;
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const log = watchConsole(page, (p) => faulted.has(p));
  try {
    await fn(page, srv, log);
    await page.waitForTimeout(100);
    assert.deepEqual(log.errors, [], 'no console errors but the provoked failed loads');
  } catch (err) {
    console.error(`\n--- network e2e failure: ${name} ---`);
    for (const l of log.lines) console.error(`  ${l}`);
    try {
      console.error(await page.locator(ROOT).first().evaluate((r) => r.outerHTML.slice(0, 1500)));
    } catch {}
    console.error('--- end ---\n');
    throw err;
  } finally {
    await context.close();
    await srv.close();
  }
}

async function waitReady(page) {
  await page.waitForSelector(`${ROOT}[data-state="ready"], ${ROOT}[data-state="error"]`, { state: 'attached' });
  assert.equal(await page.locator(ROOT).first().getAttribute('data-state'), 'ready');
}

const shownIds = (page) => page.locator(OPTION).evaluateAll((els) => els.map((e) => e.dataset.id));

/** Waits until the widget shows exactly the hits `ids` for the query. */
const waitForHits = (page, ids) => waitForIds(page, ids, WAIT);

/** The ids of the first `limit` hits of `q`, from the CLI over the single file. */
function directSearch(q, limit = 10) {
  let out;
  try {
    out = execFileSync(CLI, ['search', path.join(WWW, 'events.chron'), q, '--json', '--limit', String(limit)]);
  } catch (e) {
    out = e.stdout; // exit status 1: nothing found
  }
  return JSON.parse(out).hits.map((h) => h.id);
}

const statusText = (page) => page.locator(STATUS).first().textContent();
const chunkRequests = (srv) => srv.stats.paths.filter((p) => CHUNK.test(p.path));

describe('the widget over a flaky network (headless Chromium)', () => {
  before(async () => {
    requireBuilt();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test('a chunk that hangs once: the query recovers by retrying it, and a later query needing it works', { timeout: TEST_TIMEOUT }, async () => {
    // The first chunk the query asks for hangs (none before typing).
    let armed = false;
    let hung = null;
    const fault = (p) => {
      if (!armed || !CHUNK.test(p) || hung) return null;
      hung = p;
      return 'hang';
    };
    await withFaultyPage('hang', fault, async (page, srv) => {
      await page.goto(`${srv.url}/split/index.html`);
      await waitReady(page);
      const q = 'earthquake';
      armed = true;
      await typeQuery(page, q);
      // The first chunk hangs: the query says it is searching meanwhile.
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Searching…', STATUS);
      assert.equal(await page.locator(`${ROOT} [aria-busy="true"][role="listbox"]`).count(), 1);
      // After the timeout, the retry gets it: the hits of a direct search.
      await waitForHits(page, directSearch(q));
      assert.ok(hung, 'a chunk request hung');
      const tries = chunkRequests(srv).filter((r) => r.path === hung);
      assert.equal(tries.length, 2, `the hung chunk was asked for again once: ${JSON.stringify(tries)}`);
      assert.deepEqual(tries.map((r) => r.status), [0, 200]);
      assert.match(await statusText(page), /results/);
      assert.equal(await page.locator(`${ROOT} [role="listbox"]`).getAttribute('aria-busy'), null);

      // A later query whose words share the hung chunk.
      const later = 'earthquake nepal';
      await typeQuery(page, later);
      await waitForHits(page, directSearch(later));
      assert.equal(await page.locator(ROOT).getAttribute('data-state'), 'ready');
    });
  });

  test('30 % of chunk requests fail with HTTP 500: ten typed queries all end in the hits of a direct search', { timeout: TEST_TIMEOUT }, async () => {
    // Deterministic: requests 1, 4, 7 of every ten chunk requests fail,
    // but no chunk more than twice (the loader tries 4 times).
    let n = 0;
    const failures = new Map();
    const fault = (p) => {
      if (!CHUNK.test(p)) return null;
      const k = n++ % 10;
      if ((k === 1 || k === 4 || k === 7) && (failures.get(p) ?? 0) < 2) {
        failures.set(p, (failures.get(p) ?? 0) + 1);
        return { status: 500 };
      }
      return null;
    };
    const queries = [
      'lavrov geneva', 'hurricane katrina', 'world cup final', 'ebola outbreak', 'tsunami indonesia',
      'nobel peace prize', 'brexit referendum', 'olympic games', 'volcano iceland', 'oil spill',
    ];
    await withFaultyPage('fail-30', fault, async (page, srv, log) => {
      await page.goto(`${srv.url}/split/index.html`);
      await waitReady(page);
      for (const q of queries) {
        await typeQuery(page, q);
        await waitForHits(page, directSearch(q));
        assert.equal(await page.locator(ROOT).getAttribute('data-state'), 'ready', `"${q}" did not fail`);
        assert.doesNotMatch(await statusText(page), /Couldn't|failed/, `"${q}": ${await statusText(page)}`);
      }
      const reqs = chunkRequests(srv);
      const failed = reqs.filter((r) => r.status === 500).length;
      assert.ok(failed >= reqs.length / 5, `${failed} of ${reqs.length} chunk requests failed`);
      assert.ok(log.failedLoads.length > 0, 'the failed requests were seen by the page');
    });
  });

  test('every chunk request fails: one message, a Retry button, no hits under it; Retry works once the server heals', { timeout: TEST_TIMEOUT }, async () => {
    let broken = false;
    const fault = (p) => (broken && CHUNK.test(p) ? { status: 500 } : null);
    await withFaultyPage('fail-all', fault, async (page, srv, log) => {
      await page.goto(`${srv.url}/split/index.html`);
      await waitReady(page);
      // Hits of a first query, while the server is well.
      await typeQuery(page, 'lavrov');
      await waitForHits(page, directSearch('lavrov'));

      broken = true;
      await typeQuery(page, 'tsunami');
      await page.waitForSelector(`${ROOT}[data-state="error"]`, { state: 'attached' });
      const root = page.locator(ROOT).first();
      const status = page.locator(STATUS).first();
      // Said once, in words a reader understands, in the live region.
      const text = await root.innerText();
      assert.equal(text.split(NETWORK_MESSAGE).length - 1, 1, `the message once: ${JSON.stringify(text)}`);
      assert.doesNotMatch(text, /https?:|\.bin|Search failed/, 'no URL or raw error in the page');
      assert.equal(await status.getAttribute('role'), 'status');
      assert.equal(await status.getAttribute('aria-live'), 'polite');
      assert.match(await status.textContent(), new RegExp(`^${NETWORK_MESSAGE.replace(/[.?]/g, '\\$&')}`));
      const retry = status.locator('button.chronicle-retry');
      assert.equal(await retry.isVisible(), true, 'a Retry button');
      // No hits of the earlier query under it, and nothing busy.
      assert.equal(await page.locator(OPTION).count(), 0, 'no stale hits');
      assert.equal(await page.locator(`${ROOT} [role="listbox"]`).getAttribute('aria-busy'), null);
      assert.equal(await page.locator(`${ROOT} [role="listbox"][aria-busy], ${ROOT} [aria-busy="true"]`).count(), 0);
      assert.equal(await page.locator(INPUT).getAttribute('aria-expanded'), 'false');
      // The error is styled: the status line is no longer the muted one.
      const styles = await status.evaluate((e) => {
        const s = getComputedStyle(e);
        return { border: s.borderLeftWidth, color: s.color };
      });
      assert.notEqual(styles.border, '0px', 'the error has its mark');
      // Every attempt failed (4 per chunk), and the page saw it.
      assert.ok(log.failedLoads.length >= 4, `${log.failedLoads.length} failed loads`);
      assert.ok(log.warnings.some((w) => /chunk \d+ did not load: .*HTTP 500/.test(w)), 'details in console.warn');

      // The server heals: Retry shows the hits.
      broken = false;
      await retry.click();
      await waitForHits(page, directSearch('tsunami'));
      assert.equal(await root.getAttribute('data-state'), 'ready');
      assert.match(await status.textContent(), /results/);
      assert.equal(await page.locator('button.chronicle-retry').count(), 0);
    });
  });

  test('2 s chunk latency: "Searching…" shows over the hits already there, then the new hits', { timeout: TEST_TIMEOUT }, async () => {
    const fault = (p) => (CHUNK.test(p) ? { delayMs: 2000 } : null);
    await withFaultyPage('latency', fault, async (page, srv) => {
      await page.goto(`${srv.url}/split/index.html`);
      await waitReady(page);
      await typeQuery(page, 'flood');
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Searching…', STATUS);
      await waitForHits(page, directSearch('flood'));
      assert.match(await statusText(page), /results/);

      // More words: the hits shown stay (never an empty list) while the
      // new words' chunks come.
      await page.locator('[role="listbox"]').evaluate((list) => {
        window.__emptied = false;
        new MutationObserver(() => {
          if (list.children.length === 0) window.__emptied = true;
        }).observe(list, { childList: true });
      });
      await page.locator(INPUT).first().pressSequentially(' bangladesh', { delay: 25 });
      await page.waitForFunction(
        ({ s, o }) => document.querySelector(s)?.textContent === 'Searching…' && document.querySelectorAll(o).length > 0,
        { s: STATUS, o: OPTION },
      );
      await waitForHits(page, directSearch('flood bangladesh'));
      assert.equal(await page.evaluate(() => window.__emptied), false, 'the list was never emptied');
      assert.equal(await page.locator(`${ROOT} [role="listbox"]`).getAttribute('aria-busy'), null);
    });
  });

  test('a one-letter word waits for the next key before its completions are fetched; a reader who stops on it gets its hits', { timeout: TEST_TIMEOUT }, async () => {
    // The lexicon and postings chunks "ob" needs, given at once (which
    // doc-store blocks a query reads can vary with what is at hand).
    const terms = (srv) => chunkRequests(srv).map((r) => r.path).filter((p) => !p.startsWith('/split/s'));
    let whole;
    await withFaultyPage('ob at once', () => null, async (page, srv) => {
      await page.goto(`${srv.url}/split/index.html`);
      await waitReady(page);
      await page.locator(INPUT).first().fill('ob');
      await waitForHits(page, directSearch('ob'));
      whole = new Set(terms(srv));
    });
    await withFaultyPage('o, then b', () => null, async (page, srv) => {
      await page.goto(`${srv.url}/split/index.html`);
      await waitReady(page);
      const input = page.locator(INPUT).first();
      await input.pressSequentially('o');
      // The letter's lexicon (its shard in each segment) comes at once;
      // its completions' postings, some 100 KB, wait for a pause.
      while (chunkRequests(srv).length < 2) await new Promise((r) => setTimeout(r, 5));
      await page.waitForTimeout(60);
      await input.pressSequentially('b');
      await waitForHits(page, directSearch('ob'));
      const extra = terms(srv).filter((p) => !whole.has(p));
      assert.deepEqual(extra, [], 'typing "o", "b" fetched only what "ob" needs');
      // A reader who stops on a letter gets its hits after the pause.
      await typeQuery(page, 'k');
      await waitForHits(page, directSearch('k'));
      assert.match(await statusText(page), /results/);
    });
  });

  test('the index is fetched while the wasm is still on its way, on either form', { timeout: TEST_TIMEOUT }, async () => {
    // The wasm is held back 3 s: the index's request must come within
    // them (before, it waited for the module, then for DOMContentLoaded).
    for (const [page0, index] of [['/index.html', '/events.chron'], ['/split/', '/split/index.chron']]) {
      let heldUntil = 0;
      let early = null;
      const fault = (p) => {
        if (p === '/chronicle_bg.wasm') {
          heldUntil = Date.now() + 3000;
          return { delayMs: 3000 };
        }
        // (Before the wasm was asked for at all is early too.)
        if (p === index && early === null) early = !heldUntil || Date.now() < heldUntil;
        return null;
      };
      await withFaultyPage(`early ${index}`, fault, async (page, srv) => {
        await page.goto(srv.url + page0);
        await waitReady(page);
        assert.equal(early, true, `${index} requested while the wasm was held`);
        await typeQuery(page, 'lavrov geneva');
        await waitForHits(page, directSearch('lavrov geneva'));
      });
    }
  });

  test('the single-file index downloaded slowly shows its progress', { timeout: TEST_TIMEOUT }, async () => {
    const size = fs.statSync(path.join(WWW, 'events.chron')).size;
    const total = (size / 1e6).toFixed(1);
    let noLength = false;
    const fault = (p) => (p === '/events.chron' ? { pieceBytes: 1 << 20, pieceDelayMs: 40, noLength } : null);
    await withFaultyPage('progress', fault, async (page, srv) => {
      const progress = async () => {
        await page.goto(`${srv.url}/index.html`);
        const seen = await page.waitForFunction(
          (sel) => {
            const t = document.querySelector(sel)?.textContent ?? '';
            return /^Loading search… \d+\.\d( of \d+\.\d)? MB$/.test(t) && !/^Loading search… 0\.0/.test(t) && t;
          },
          `${ROOT}[data-state="loading"] ${STATUS}`,
          { polling: 'raf' },
        );
        const text = await seen.jsonValue();
        await waitReady(page);
        return text;
      };
      const withLength = await progress();
      assert.match(withLength, new RegExp(`^Loading search… \\d+\\.\\d of ${total.replace('.', '\\.')} MB$`));
      // Without a Content-Length, the bytes alone.
      noLength = true;
      const bytesOnly = await progress();
      assert.match(bytesOnly, /^Loading search… \d+\.\d MB$/);
      // And the widget works once loaded.
      await typeQuery(page, 'lavrov geneva');
      await waitForHits(page, directSearch('lavrov geneva'));
    });
  });
});
