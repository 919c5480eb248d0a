// Accessibility: axe-core (the npm package, run inside the page) finds no
// violations in the widget's states a reader meets: hits with one active,
// facets and the timeline shown, related events open, a suggestion, no
// results, a failed query with its Retry button; in light and dark, on a
// desktop and on a phone, over the single file, the split index and the
// offline file. The live region (role="status") carries the result count
// and the error, and aria-busy is cleared once a query has its answer.
//
//   bash build.sh && node --test tests/e2e/a11y.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startServer } from './server.mjs';
import { launchChromium } from './browser.mjs';
import { ROOT, INPUT, openWidget, noViolations, search, notBusy, facetsShown } from './page.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WWW = path.resolve(process.env.CHRONICLE_WWW || path.join(HERE, '../../www'));
const CLI = path.join(HERE, '../../target/release/chronicle');

const STATUS = '[role="status"]';
const WAIT = 60_000;
const TEST_TIMEOUT = 120_000;

let browser;
let server;

before(async () => {
  for (const f of ['index.html', 'events.chron', 'split/index.html', 'split/index.chron', 'offline.html']) {
    if (!fs.existsSync(path.join(WWW, f))) throw new Error(`www/${f} is missing: run \`bash build.sh\` first`);
  }
  browser = await launchChromium();
  server = await startServer(WWW, {
    // While `failChunks` is set, every chunk of the split index fails.
    fault: (p) => (p.startsWith('/split/') && /^\/split\/s?\d+-/.test(p) && globalThis.failChunks ? { status: 500 } : null),
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function open(url, opts = {}) {
  return openWidget(browser, url, { ...opts, wait: WAIT });
}

const pages = [
  ['the single file', () => `${server.url}/index.html`],
  ['the split index', () => `${server.url}/split/index.html`],
  ['the offline file', () => pathToFileURL(path.join(WWW, 'offline.html')).href],
];

for (const [name, url] of pages) {
  for (const dark of [false, true]) {
    test(`${name}, ${dark ? 'dark' : 'light'}: hits, an active option, facets, related events`, { timeout: TEST_TIMEOUT }, async () => {
      const { page, context, errors } = await open(url(), { dark });
      try {
        await search(page, 'earthquake japan');
        const status = await page.locator(`${ROOT} ${STATUS}`).textContent();
        assert.match(status, /^[\d,]+ results/, 'the live region says how many');
        await page.locator(INPUT).first().press('ArrowDown');
        await facetsShown(page);
        await page.locator(`${ROOT} .chronicle-related`).first().click();
        await page.waitForSelector(`${ROOT} .chronicle-related-list`);
        await noViolations(page, `on ${name}`);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }
}

test('a phone, 390 px: the first hit on screen, filters behind their button, a suggestion, no results', { timeout: TEST_TIMEOUT }, async () => {
  const { page, context, errors } = await open(`${server.url}/index.html`, { width: 390, height: 844 });
  try {
    await search(page, 'president');
    // Results first: the first hit starts on screen; the filters and the
    // timeline wait behind the Filters button.
    const top = await page.locator(`${ROOT} .chronicle-hit`).first().evaluate((e) => e.getBoundingClientRect().top);
    assert.ok(top < 844 - 100, `the first hit starts at y = ${top}`);
    const filters = page.locator(`${ROOT} .chronicle-filters`);
    assert.equal(await filters.getAttribute('aria-expanded'), 'false');
    await page.waitForFunction((root) => !document.querySelector(`${root} .chronicle-facets`).hasAttribute('aria-busy'), ROOT);
    assert.equal(await page.locator(`${ROOT} .chronicle-facets`).isVisible(), false, 'the filters are folded');
    await noViolations(page, 'with hits on a phone, filters folded');
    await filters.click();
    assert.equal(await filters.getAttribute('aria-expanded'), 'true');
    await facetsShown(page);
    await noViolations(page, 'with hits on a phone, filters open');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'no horizontal overflow');
    await search(page, 'qqqzzzxv');
    assert.equal(await page.locator(`${ROOT} ${STATUS}`).textContent(), 'No results');
    await noViolations(page, 'with no results');
    await search(page, 'earthquke');
    await noViolations(page, 'with a suggestion');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a failed query: the error and its Retry button, announced, not busy', { timeout: TEST_TIMEOUT }, async () => {
  const { page, context } = await open(`${server.url}/split/index.html`);
  try {
    globalThis.failChunks = true;
    await page.locator(INPUT).first().fill('volcano iceland');
    await page.waitForSelector(`${ROOT}[data-state="error"] .chronicle-retry`, { timeout: WAIT });
    const status = page.locator(`${ROOT} ${STATUS}`);
    assert.match(await status.textContent(), /Couldn't load part of the search index/);
    await notBusy(page);
    await noViolations(page, 'with an error shown');
    globalThis.failChunks = false;
    await page.locator(`${ROOT} .chronicle-retry`).click();
    await page.waitForSelector(`${ROOT}[data-state="ready"] [role="option"]`);
    assert.match(await status.textContent(), /result/);
    await notBusy(page);
    await noViolations(page, 'after Retry');
  } finally {
    globalThis.failChunks = false;
    await context.close();
  }
});

test('a 5,000-character word wraps: nothing overflows the widget or the page', { timeout: TEST_TIMEOUT }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-a11y-'));
  try {
    const long = 'x'.repeat(5000);
    const events = [
      { id: 'long-1', date: '2020-01-02', title: `A ${long} word in a title`, contexts: [`Context ${long}`], body: `The body ${long} too` },
      { id: 'long-2', date: '2020-01-03', title: 'A plain word in a title', contexts: [] },
    ];
    fs.writeFileSync(path.join(dir, 'long.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
    execFileSync(CLI, ['build', path.join(dir, 'long.jsonl'), '-o', path.join(dir, 'long.chron')], { stdio: 'pipe' });
    execFileSync(CLI, ['bundle', path.join(dir, 'long.chron'), '-o', path.join(dir, 'long.html')], { stdio: 'pipe' });
    for (const width of [390, 1280]) {
      const { page, context, errors } = await open(pathToFileURL(path.join(dir, 'long.html')).href, { width });
      try {
        await search(page, 'word title');
        await facetsShown(page);
        const sizes = await page.evaluate((root) => {
          const r = document.querySelector(root);
          return { root: [r.scrollWidth, r.clientWidth], page: [document.documentElement.scrollWidth, innerWidth] };
        }, ROOT);
        assert.ok(sizes.root[0] <= sizes.root[1], `the widget overflows at ${width} px: ${sizes.root}`);
        assert.ok(sizes.page[0] <= sizes.page[1], `the page overflows at ${width} px: ${sizes.page}`);
        await noViolations(page, `with a 5,000-character word at ${width} px`);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a 280 or 320 px sidebar, a 1,400 px page: results take the widget\'s width, the filters fold when narrow, nothing overflows', { timeout: TEST_TIMEOUT }, async () => {
  for (const width of [280, 320, 1400]) {
    const { page, context, errors } = await open(`${server.url}/index.html`, { width: 1500 });
    try {
      // The demo page, its widget's box set to `width` while the window
      // stays 1,500 px wide.
      await page.evaluate(([root, w]) => {
        document.querySelector(root).style.width = `${w}px`;
      }, [ROOT, width]);
      await search(page, 'president');
      const sizes = await page.evaluate((root) => {
        const r = document.querySelector(root);
        const hit = r.querySelector('.chronicle-hit').getBoundingClientRect();
        return { root: r.getBoundingClientRect().width, hit: hit.width, scroll: [r.scrollWidth, r.clientWidth] };
      }, ROOT);
      const narrow = width < 720;
      if (narrow) assert.ok(sizes.hit > sizes.root - 60, `a hit is ${sizes.hit} px wide in a ${sizes.root} px widget`);
      assert.ok(sizes.scroll[0] <= sizes.scroll[1], `the widget overflows at ${width} px: ${sizes.scroll}`);
      assert.equal(await page.locator(`${ROOT} .chronicle-filters`).isVisible(), narrow);
      await page.waitForSelector(`${ROOT} .chronicle-facet legend`, { state: 'attached' });
      // The facets of this query, not the panel still dimmed while they
      // are counted (the legend may be the page's first facets').
      await page.waitForFunction((root) => !document.querySelector(`${root} .chronicle-facets`).hasAttribute('aria-busy'), ROOT);
      assert.equal(await page.locator(`${ROOT} .chronicle-facets`).isVisible(), !narrow);
      await noViolations(page, `in a ${width} px widget`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});
