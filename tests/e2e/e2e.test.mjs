// End-to-end tests of the built Chronicle widget in headless Chromium.
//
//   bash build.sh          # builds www/ (required first)
//   npm run test:e2e       # == node --test tests/e2e/
//
// Each test gets a fresh browser context and fails on any console error or
// uncaught page error. On failure the console log and a screenshot path under
// /tmp are printed.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startServer } from './server.mjs';
import { launchChromium } from './browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// CHRONICLE_WWW lets the suite run against another build directory.
const WWW = path.resolve(process.env.CHRONICLE_WWW || path.join(HERE, '../../www'));

const QUERY = 'lavrov geneva';
const EXPECTED_ID = 'wcep-20140506-001';
const EXPECTED_TEXT = 'Sergey Lavrov';
// Broad query for the keyboard test: needs at least two options.
const KEYBOARD_QUERY = process.env.CHRONICLE_E2E_KEYBOARD_QUERY || 'lavrov';
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

const ROOT = '[data-chronicle]';
const INPUT = 'input[role="combobox"]';
const OPTION = '[role="option"]';
const TIMEOUT = 15_000;
const TEST_TIMEOUT = 45_000;

function requireBuilt(...files) {
  const missing = files.filter((f) => !fs.existsSync(path.join(WWW, f)));
  if (missing.length) {
    throw new Error(
      `Chronicle www/ is not built: missing ${missing.join(', ')} in ${WWW}. ` +
        'Run `bash build.sh` before `npm run test:e2e`.',
    );
  }
}

const REQUIRED_FILES = ['index.html', 'offline.html', 'chronicle.js'];

let browser;

/** Open a fresh context+page, run fn, then assert no console errors / page errors. */
async function withPage(name, fn, { contextOptions = {} } = {}) {
  requireBuilt(...REQUIRED_FILES);
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const consoleLines = [];
  const consoleErrors = [];
  const pageErrors = [];
  const failedRequests = [];
  page.on('console', (msg) => {
    const loc = msg.location();
    const where = loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : '';
    const line = `[${msg.type()}] ${msg.text()}${where}`;
    consoleLines.push(line);
    if (msg.type() === 'error') consoleErrors.push(line);
  });
  page.on('pageerror', (err) => {
    const line = `[pageerror] ${err.stack || err.message || String(err)}`;
    consoleLines.push(line);
    pageErrors.push(line);
  });
  page.on('requestfailed', (req) => {
    failedRequests.push(`${req.url().slice(0, 200)}: ${req.failure()?.errorText}`);
  });
  try {
    await fn(page);
    // Give late asynchronous errors (CSP reports, rejected promises) a moment.
    await page.waitForTimeout(100);
    assert.deepEqual(consoleErrors, [], 'console errors were logged');
    assert.deepEqual(pageErrors, [], 'uncaught page errors were raised');
  } catch (err) {
    const shot = path.join(
      os.tmpdir(),
      `chronicle-e2e-${name.replace(/[^a-z0-9]+/gi, '-')}-${Date.now()}.png`,
    );
    let rootInfo = '(unavailable)';
    try {
      await page.screenshot({ path: shot, fullPage: true, timeout: 5000 });
    } catch (e) {
      console.error(`  (screenshot failed: ${e.message})`);
    }
    try {
      rootInfo = await page.evaluate((sel) => {
        const r = document.querySelector(sel);
        if (!r) return `no ${sel} element; body starts: ${document.body?.outerHTML.slice(0, 600)}`;
        return `data-state=${r.getAttribute('data-state')}\n${r.outerHTML.slice(0, 1500)}`;
      }, ROOT);
    } catch (e) {
      rootInfo = `(evaluate failed: ${e.message})`;
    }
    console.error(`\n--- e2e failure diagnostics: ${name} ---`);
    console.error(`url: ${page.url()}`);
    console.error(`screenshot: ${shot}`);
    console.error(`console (${consoleLines.length} lines):`);
    for (const l of consoleLines) console.error(`  ${l}`);
    if (failedRequests.length) {
      console.error('failed requests:');
      for (const l of failedRequests) console.error(`  ${l}`);
    }
    console.error(`widget root: ${rootInfo}`);
    console.error('--- end diagnostics ---\n');
    throw err;
  } finally {
    await context.close();
  }
}

async function waitReady(page) {
  await page.waitForSelector(`${ROOT}[data-state="ready"], ${ROOT}[data-state="error"]`, {
    state: 'attached',
  });
  const state = await page.locator(ROOT).first().getAttribute('data-state');
  assert.equal(state, 'ready', `widget root ${ROOT} reached data-state="${state}"`);
}

async function typeQuery(page, query) {
  const input = page.locator(INPUT).first();
  await input.click();
  await input.pressSequentially(query, { delay: 30 });
  return input;
}

async function searchAndCheck(page, { checkStatus = true } = {}) {
  await waitReady(page);
  const input = await typeQuery(page, QUERY);
  const option = page.locator(`${OPTION}[data-id="${EXPECTED_ID}"]`);
  await option.waitFor({ state: 'attached' });
  assert.ok(await option.isVisible(), `option ${EXPECTED_ID} is in the DOM but not visible`);

  const text = await option.innerText();
  assert.ok(text.includes(EXPECTED_TEXT), `option text should contain "${EXPECTED_TEXT}", got: ${JSON.stringify(text)}`);

  const marks = await option.locator('mark').count();
  assert.ok(marks > 0, 'the option (the title) should contain <mark> elements');

  const optionId = await option.getAttribute('id');
  assert.ok(optionId, 'option should have a non-empty id attribute');

  if (checkStatus) {
    const status = page.locator('.chronicle-status').first();
    await page
      .waitForFunction(() => /\d/.test(document.querySelector('.chronicle-status')?.textContent ?? ''), null, {
        timeout: 5000,
      })
      .catch(() => {});
    const statusText = await status.textContent();
    assert.match(statusText ?? '', /\d/, `.chronicle-status should show a result count, got ${JSON.stringify(statusText)}`);
  }

  // ARIA wiring from the contract: input aria-controls = listbox id.
  const controls = await input.getAttribute('aria-controls');
  assert.ok(controls, 'input should have aria-controls');
  const listboxId = await page.locator('[role="listbox"]').first().getAttribute('id');
  assert.equal(controls, listboxId, 'input aria-controls should equal the listbox id');
  return { input, option };
}


/** Overwrites the data of the offline file's chunks blocks, from the
 * `from` fraction of them on, with '䅁' (0x4141: the page is UTF-16LE,
 * and that unit needs no escape), so each of their chunks fails its
 * decoding or its checksum while the core stays sound. */
function damageChunks(bytes, from) {
  const utf16 = (s) => Buffer.from(s, 'utf16le');
  const opens = [];
  for (let open = bytes.indexOf(utf16('id="chronicle-chunks')); open > 0; open = bytes.indexOf(utf16('id="chronicle-chunks'), open + 2)) {
    assert.equal(open % 2, 0);
    opens.push(open);
  }
  let damaged = 0;
  for (const open of opens.slice(Math.floor(opens.length * from))) {
    const start = bytes.indexOf(utf16('>'), open) + 2;
    const end = bytes.indexOf(utf16('</script>'), start);
    bytes.fill(0x41, start, end);
    damaged += end - start;
  }
  assert.ok(opens.length > 1 && damaged > 1_000_000, `${opens.length} chunks blocks, ${damaged} bytes`);
  return bytes;
}

/** Opens the offline file `bytes` from `file://`: a search says the file
 * is damaged and shows nothing. */
async function expectDamaged(name, bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-damaged-'));
  const file = path.join(dir, 'offline.html');
  fs.writeFileSync(file, bytes);
  try {
    await withPage(name, async (page) => {
      await page.goto(pathToFileURL(file).href);
      // (The newest events shown before a query may already fail.)
      await page.waitForSelector(`${ROOT} ${INPUT}`, { state: 'attached' });
      await typeQuery(page, QUERY);
      await page.waitForSelector(`${ROOT}[data-state="error"]`, { state: 'attached' });
      const status = await page.locator('.chronicle-status').first().textContent();
      assert.match(status ?? '', /^Search failed: the offline file is damaged/, `status: ${JSON.stringify(status)}`);
      assert.equal(await page.locator(OPTION).count(), 0, 'no results from damaged chunks');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('Chronicle widget (headless Chromium)', () => {
  // A missing build must FAIL every test loudly (never skip, never "cancelled").
  before(async () => {
    try {
      requireBuilt(...REQUIRED_FILES);
    } catch (err) {
      console.error(`\n*** ${err.message}\n`);
      return;
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test('HTTP: search-as-you-type finds the Lavrov/Geneva event', { timeout: TEST_TIMEOUT }, async () => {
    requireBuilt(...REQUIRED_FILES);
    const server = await startServer(WWW);
    try {
      await withPage('http', async (page) => {
        await page.goto(`${server.url}/index.html`);
        await searchAndCheck(page);
        // The single file's doc store (a third of it) stays in JS: the
        // hit above was read from it, and wasm memory, with the widget's
        // work after mounting done too, stays below the file's length.
        const file = fs.statSync(path.join(WWW, 'events.chron')).size;
        const memory = await page.evaluate(() => Chronicle.memoryBytes());
        assert.ok(memory < file, `wasm memory ${memory} against the file's ${file} bytes`);
      });
    } finally {
      await server.close();
    }
  });

  test('HTTP, split index: a query fetches the core and only the chunks it needs', { timeout: TEST_TIMEOUT }, async () => {
    requireBuilt('split/index.html', 'split/index.chron');
    const server = await startServer(WWW);
    try {
      await withPage('split', async (page) => {
        const chunks = [];
        let core = 0;
        let single = 0;
        const onRequest = (req) => {
          const name = new URL(req.url()).pathname;
          if (/^\/split\/s?\d+-[0-9a-f]{8}\.bin$/.test(name)) chunks.push(name);
          if (name === '/split/index.chron') core++;
          if (name.endsWith('/events.chron')) single++;
        };
        page.on('request', onRequest);
        await page.goto(`${server.url}/split/index.html`);
        // What each `chronicle:facets` event finds in the panel.
        await page.evaluate(() => {
          window.facetEvents = [];
          addEventListener(
            'chronicle:facets',
            (e) => {
              const panel = e.target.querySelector('.chronicle-facets');
              window.facetEvents.push({
                busy: panel?.getAttribute('aria-busy') ?? null,
                legends: [...(panel?.querySelectorAll('legend') ?? [])].map((l) => l.textContent),
              });
            },
            true,
          );
        });
        await searchAndCheck(page);
        // The facets follow once typing pauses: the forward lists of the
        // matches come after the first results.
        await page.waitForFunction(
          () => [...document.querySelectorAll('.chronicle-facet legend')].some((h) => h.textContent === 'About'),
          null,
          { timeout: 10_000 },
        );
        // The timeline shows first, but the panel stays busy and the
        // event waits until the facets are in.
        const events = await page.evaluate(() => window.facetEvents);
        assert.ok(events.length >= 1, 'chronicle:facets fired');
        for (const ev of events) {
          assert.equal(ev.busy, null, 'the panel is no longer busy when the event fires');
          assert.ok(ev.legends.includes('About'), `the event fires with every facet: ${ev.legends}`);
        }
        page.off('request', onRequest);
        assert.equal(core, 1, 'the core is fetched once');
        assert.equal(single, 0, 'the split page must not fetch the single-file index');
        const dir = path.join(WWW, 'split');
        const all = fs.readdirSync(dir).filter((f) => f.endsWith('.bin'));
        const size = (f) => fs.statSync(path.join(dir, path.basename(f))).size;
        const moved = chunks.reduce((a, f) => a + size(f), 0);
        const archive = all.reduce((a, f) => a + size(f), 0);
        // Lexicon shards, postings pages and doc-store blocks of every
        // prefix typed (l, la, lav, …): a small fraction of the archive.
        assert.ok(chunks.length > 0 && chunks.length <= 200, `${chunks.length} chunks fetched`);
        assert.ok(moved < archive / 20, `${moved} of ${archive} chunk bytes fetched`);
        assert.equal(new Set(chunks).size, chunks.length, 'no chunk is fetched twice');

        // The programmatic API: searchAsync on a split core answers like
        // search on the single file; search alone throws for want of chunks.
        const api = await page.evaluate(async () => {
          const split = await wasm_bindgen.Chronicle.load('index.chron');
          let error = null;
          try {
            split.search('hurricane katrina', { limit: 5 });
          } catch (e) {
            error = String(e.message || e);
          }
          const a = await split.searchAsync('hurricane katrina', { limit: 5 });
          const full = await wasm_bindgen.Chronicle.load('../events.chron');
          const b = full.search('hurricane katrina', { limit: 5 });
          const ids = (r) => r.hits.map((h) => h.id).join(' ');
          // Related events under every hit: each hit's chunks are asked
          // for in the same rounds, so a page of ten fits in the rounds
          // searchAsync allows.
          const rel = (r) => r.hits.map((h) => h.id + ':' + h.related.map((x) => x.id).join(',')).join(' ');
          const c = await split.searchAsync('election', { limit: 10, related: 3 });
          const d = full.search('election', { limit: 10, related: 3 });
          // Every facet over all matches, as on the single file.
          const facets = (r) => JSON.stringify([r.total, r.facets, r.years]);
          const e = await split.searchAsync('election', { limit: 0, facets: true });
          const f = full.search('election', { limit: 0, facets: true });
          return {
            error,
            split: [a.total, ids(a)],
            full: [b.total, ids(b)],
            related: [rel(c), rel(d), c.hits.filter((h) => h.related.length).length],
            facets: [facets(e), facets(f), e.facets.contexts.length],
          };
        });
        assert.ok(api.error, 'search on a split core without its chunks throws');
        assert.ok(api.split[0] > 0, 'searchAsync finds events');
        assert.deepEqual(api.split, api.full, 'searchAsync on the split core answers like the single file');
        assert.ok(api.related[2] >= 5, `related events under most hits: ${api.related[0]}`);
        assert.equal(api.related[0], api.related[1], 'related events over the split core are the single file\'s');
        assert.ok(api.facets[2] > 0, 'the split core counts contexts');
        assert.equal(api.facets[0], api.facets[1], 'facets over the split core are the single file\'s');
      });
    } finally {
      await server.close();
    }
  });

  test('HTTP, split index: the chunks of the likely next key are fetched ahead', { timeout: TEST_TIMEOUT }, async () => {
    requireBuilt('split/index.html', 'split/index.chron');
    const server = await startServer(WWW);
    try {
      await withPage('split-ahead', async (page) => {
        await page.goto(`${server.url}/split/index.html`);
        // When each query's hits were shown, and when the last key went down.
        await page.evaluate(() => {
          performance.setResourceTimingBufferSize(10_000);
          window.shown = {};
          addEventListener('chronicle:results', (e) => (window.shown[e.detail.query] = performance.now()), true);
          addEventListener('keydown', () => (window.keyAt = performance.now()), true);
        });
        await page.waitForSelector(`${ROOT}[data-state="ready"]`, { timeout: TIMEOUT });
        const input = page.locator(INPUT).first();
        await input.fill('supreme cour');
        await page.waitForFunction(() => window.shown['supreme cour'], null, { timeout: TIMEOUT });
        const marked = await page.evaluate(() => [...document.querySelectorAll('[role="option"] mark')].map((m) => m.textContent));
        assert.ok(marked.some((m) => /^court$/i.test(m)), `the hits of "supreme cour" mark "Court": ${marked.join(', ')}`);
        // "court" is the word most marked: the chunks of "supreme court"
        // (other hits, other doc-store blocks) come without its key, once
        // the hits of "supreme cour" are shown.
        const chunks = () =>
          page.evaluate(() =>
            performance
              .getEntriesByType('resource')
              .filter((e) => /\/split\/s?\d+-[0-9a-f]{8}\.bin$/.test(e.name))
              .map((e) => ({ name: e.name.split('/').pop(), start: e.startTime, end: e.responseEnd })),
          );
        await page.waitForFunction(
          () => {
            const bins = performance.getEntriesByType('resource').filter((e) => /\.bin$/.test(e.name));
            return bins.length && bins.every((e) => e.responseEnd > 0) && performance.now() - Math.max(...bins.map((e) => e.responseEnd)) > 300;
          },
          null,
          { timeout: TIMEOUT, polling: 50 },
        );
        await input.press('t');
        await page.waitForFunction(() => window.shown['supreme court'], null, { timeout: TIMEOUT });
        const [keyAt, shownAt] = await page.evaluate(() => [window.keyAt, window.shown['supreme court']]);
        const all = await chunks();
        const asked = all.filter((c) => c.start >= keyAt && c.start <= shownAt);
        assert.deepEqual(asked.map((c) => c.name), [], 'the key "t" waits for no chunk: they came ahead of it');
        assert.equal(new Set(all.map((c) => c.name)).size, all.length, 'no chunk is fetched twice');
      });
    } finally {
      await server.close();
    }
  });

  test('strict CSP: works with no violations', { timeout: TEST_TIMEOUT }, async () => {
    requireBuilt(...REQUIRED_FILES);
    const server = await startServer(WWW, { csp: STRICT_CSP });
    try {
      await withPage('csp', async (page) => {
        const resp = await page.goto(`${server.url}/index.html`);
        assert.equal(resp.headers()['content-security-policy'], STRICT_CSP, 'server should send the CSP header');
        await searchAndCheck(page);
      });
    } finally {
      await server.close();
    }
  });

  test('file://: offline.html works with no request besides the document', { timeout: TEST_TIMEOUT }, async () => {
    const docUrl = pathToFileURL(path.join(WWW, 'offline.html')).href;
    await withPage('file', async (page) => {
      const requests = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(docUrl);
      await searchAndCheck(page);
      // Its chunks are at hand: every facet is counted, not only the
      // timeline (as for a split index over HTTP).
      await page.waitForFunction(
        () => [...document.querySelectorAll('.chronicle-facet legend')].some((h) => h.textContent === 'About'),
        null,
        { timeout: 10_000 },
      );
      // Once idle, the rest of the chunks are added and the page's copy
      // of them dropped; searches still answer, typos included.
      await page.waitForFunction(
        () => [...document.querySelectorAll('script[id^="chronicle-chunks"]')].every((s) => s.textContent === ''),
        null,
        { timeout: 30_000 },
      );
      const input = page.locator(INPUT).first();
      await input.fill('');
      await input.pressSequentially('earthquke japn', { delay: 20 });
      await page.waitForFunction(
        () => /Japan/.test(document.querySelector('[role="option"]')?.textContent ?? ''),
        null,
        { timeout: 10_000 },
      );
      await page.waitForTimeout(200);
      const short = (u) => (u.length > 120 ? `${u.slice(0, 120)}…` : u);
      assert.deepEqual(
        requests.map(short),
        [docUrl],
        `the only request should be the document itself; saw ${requests.length}: ${JSON.stringify(requests.map(short))}`,
      );
    });
  });

  test('file://: the offline file of a single-file index', { timeout: TEST_TIMEOUT }, async () => {
    requireBuilt(...REQUIRED_FILES);
    // build.sh bundles the split index; this bundles a single file (of
    // the sample) with the CLI build.sh made, gzipped whole in the page.
    const bin = path.join(HERE, '../../target/release/chronicle');
    assert.ok(fs.existsSync(bin), `${bin} is built by build.sh`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-single-'));
    try {
      const run = (...args) => execFileSync(bin, args, { stdio: 'pipe' });
      run('build', path.join(HERE, '../../data/sample.jsonl'), '-o', path.join(dir, 'sample.chron'));
      const file = path.join(dir, 'single.html');
      run('bundle', path.join(dir, 'sample.chron'), '--assets', WWW, '-o', file);
      await withPage('file-single', async (page) => {
        await page.goto(pathToFileURL(file).href);
        await waitReady(page);
        await typeQuery(page, 'parkfield earthquake');
        const option = page.locator(`${OPTION}[data-id="wcep-20040928-015"]`);
        await option.waitFor({ state: 'attached' });
        assert.match(await option.innerText(), /strikes central California, near Parkfield/);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // Its limit covers writing the file (LZMA-compressing every doc-store
  // block takes tens of seconds on two cores), not only the page.
  test('file://: an offline file with the LZMA doc store (--doc-store lzma)', { timeout: 240_000 }, async () => {
    requireBuilt(...REQUIRED_FILES);
    // The bundled archive's split index, its doc store in LZMA groups that
    // the page decodes: hits show, every group decodes in the warm-up (the
    // chunks blocks are then emptied) and a typo query still answers.
    const bin = path.join(HERE, '../../target/release/chronicle');
    assert.ok(fs.existsSync(bin), `${bin} is built by build.sh`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-lzma-'));
    try {
      const file = path.join(dir, 'offline.html');
      execFileSync(bin, ['bundle', path.join(WWW, 'split'), '--assets', WWW, '-o', file, '--doc-store', 'lzma'], { stdio: 'pipe' });
      await withPage('file-lzma', async (page) => {
        await page.goto(pathToFileURL(file).href);
        await waitReady(page);
        await searchAndCheck(page);
        await page.waitForFunction(
          () => [...document.querySelectorAll('script[id^="chronicle-chunks"]')].every((e) => e.textContent === ''),
          null,
          { timeout: 30_000, polling: 100 },
        );
        await typeQuery(page, 'hurricane katrna new orleans');
        await page.locator(OPTION).first().waitFor({ state: 'attached' });
        assert.match(await page.locator(OPTION).first().innerText(), /Katrina/);
      });
      // Its LZMA groups damaged (the later chunks blocks: the lexicon and
      // postings come first), a query's hits cannot be shown: it says so.
      await expectDamaged('file-lzma-damaged', damageChunks(fs.readFileSync(file), 0.6));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('file://: a damaged offline file says so instead of answering', { timeout: TEST_TIMEOUT }, async () => {
    requireBuilt(...REQUIRED_FILES);
    // The page is UTF-16LE: overwrite every unit of the chunks blocks'
    // data with '䅁' (0x4141), a unit that needs no escape, so every chunk
    // fails its inflation or its checksum while the core stays sound.
    const bytes = fs.readFileSync(path.join(WWW, 'offline.html'));
    await expectDamaged('file-damaged', damageChunks(bytes, 0));
  });

  test('a page shows 10 hits; "More results" adds the next 10 below them', { timeout: TEST_TIMEOUT }, async () => {
    requireBuilt(...REQUIRED_FILES);
    const server = await startServer(WWW);
    try {
      await withPage('more', async (page) => {
        await page.goto(`${server.url}/index.html`);
        await waitReady(page);
        await typeQuery(page, 'earthquake');
        const options = page.locator(OPTION);
        await options.nth(9).waitFor({ state: 'attached' });
        assert.equal(await options.count(), 10, 'the first page holds 10 hits');
        const ids = () => options.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
        const first = await ids();
        const more = page.locator('.chronicle-more');
        assert.equal(await more.isVisible(), true, '"More results" is offered');
        await more.click();
        await options.nth(19).waitFor({ state: 'attached' });
        const both = await ids();
        assert.equal(both.length, 20, 'a second page of 10');
        assert.deepEqual(both.slice(0, 10), first, 'the first page stays as it was');
        assert.equal(new Set(both).size, 20, `no hit twice: ${JSON.stringify(both)}`);
        const optionIds = await options.evaluateAll((els) => els.map((e) => e.id));
        assert.equal(new Set(optionIds).size, 20, 'option ids stay unique');
      });
    } finally {
      await server.close();
    }
  });

  test('keyboard: ArrowDown moves aria-selected and aria-activedescendant', { timeout: TEST_TIMEOUT }, async () => {
    requireBuilt(...REQUIRED_FILES);
    const server = await startServer(WWW);
    try {
      await withPage('keyboard', async (page) => {
        await page.goto(`${server.url}/index.html`);
        await waitReady(page);
        const input = await typeQuery(page, KEYBOARD_QUERY);
        const options = page.locator(OPTION);
        await options.nth(1).waitFor({ state: 'attached' }).catch(() => {});
        const n = await options.count();
        assert.ok(n >= 2, `query "${KEYBOARD_QUERY}" should give at least 2 options, got ${n}`);

        const ids = await options.evaluateAll((els) => els.map((e) => e.id));
        assert.ok(ids.every(Boolean), `every option needs an id, got ${JSON.stringify(ids)}`);
        assert.equal(new Set(ids).size, ids.length, `option ids must be unique: ${JSON.stringify(ids)}`);

        const selectedState = () =>
          page.evaluate(
            ({ inputSel, optSel }) => ({
              active: document.querySelector(inputSel)?.getAttribute('aria-activedescendant') ?? null,
              selected: [...document.querySelectorAll(optSel)].map((o) => o.getAttribute('aria-selected')),
              focused: document.activeElement === document.querySelector(inputSel),
            }),
            { inputSel: INPUT, optSel: OPTION },
          );

        await input.press('ArrowDown');
        let s = await selectedState();
        assert.equal(s.focused, true, 'focus should stay on the input');
        assert.equal(s.selected[0], 'true', `first option should be aria-selected="true"; aria-selected: ${JSON.stringify(s.selected)}`);
        assert.equal(s.selected.filter((v) => v === 'true').length, 1, `exactly one option selected: ${JSON.stringify(s.selected)}`);
        assert.equal(s.active, ids[0], 'aria-activedescendant should be the first option id');

        await input.press('ArrowDown');
        s = await selectedState();
        assert.equal(s.focused, true, 'focus should stay on the input');
        assert.equal(s.selected[1], 'true', `second option should be aria-selected="true"; aria-selected: ${JSON.stringify(s.selected)}`);
        assert.notEqual(s.selected[0], 'true', 'first option should no longer be selected');
        assert.equal(s.selected.filter((v) => v === 'true').length, 1, `exactly one option selected: ${JSON.stringify(s.selected)}`);
        assert.equal(s.active, ids[1], 'aria-activedescendant should be the second option id');
      });
    } finally {
      await server.close();
    }
  });
});
