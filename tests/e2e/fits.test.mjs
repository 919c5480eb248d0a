// The widget fits any site: its language (English, German, French,
// Spanish, Arabic laid out right to left, or a site's own strings, with
// Intl's numbers and dates), its layout (the full page, a compact box,
// a header box whose results drop over the page) and its panels, by
// attribute and by `mount` option; and before the first keystroke, the
// newest events and the archive's timeline, browsed by year and month.
// A site is laid out as an owner would: `chronicle build`, `chronicle
// widget` (which writes the widget and its translations), their own page.
//
//   bash build.sh && node --test tests/e2e/fits.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startServer } from './server.mjs';
import { launchChromium } from './browser.mjs';
import { ROOT, INPUT, OPTION, openWidget } from './page.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WWW = path.resolve(process.env.CHRONICLE_WWW || path.join(HERE, '../../www'));
const CLI = path.join(HERE, '../../target/release/chronicle');
const EVENTS = path.join(HERE, '../data/events.jsonl');
const STRINGS = JSON.parse(fs.readFileSync(path.join(HERE, '../../widget/strings.json'), 'utf8'));
const WAIT = 30_000;
const TEST_TIMEOUT = 120_000;

let browser;
let site;
let siteDir;
let demo;

/** An owner's page: `body` inside `<html lang>`, the script tag last. */
function page(name, { lang = 'en', body, script = '<script src="chronicle.js" data-index="events.chron"></script>' }) {
  fs.writeFileSync(
    path.join(siteDir, name),
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${name}</title></head>` +
      `<body>${body}${script}</body></html>`,
  );
  return `${site.url}/${name}`;
}

before(async () => {
  for (const f of ['index.html', 'events.chron']) {
    if (!fs.existsSync(path.join(WWW, f))) throw new Error(`www/${f} is missing: run \`bash build.sh\` first`);
  }
  siteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-fits-'));
  execFileSync(CLI, ['build', EVENTS, '-o', path.join(siteDir, 'events.chron')], { stdio: 'pipe' });
  execFileSync(CLI, ['widget', siteDir], { stdio: 'pipe' });
  browser = await launchChromium();
  site = await startServer(siteDir);
  demo = await startServer(WWW);
});

after(async () => {
  await browser?.close();
  await site?.close();
  await demo?.close();
  if (siteDir) fs.rmSync(siteDir, { recursive: true, force: true });
});

function open(url, opts = {}) {
  return openWidget(browser, url, { ...opts, wait: WAIT });
}

/** Types `q` into the first widget and waits for its answer. */
async function search(p, q, root = ROOT) {
  await p.locator(`${root} ${INPUT}`).fill(q);
  await p.waitForFunction(
    ({ root, q }) => {
      const r = document.querySelector(root);
      return r.querySelector('input').value === q && !r.querySelector('[aria-busy]') &&
        r.querySelector('[role="status"]').textContent !== '';
    },
    { root, q },
    { polling: 50 },
  );
}

const text = (p, sel) => p.locator(sel).first().textContent();

test('every language the widget speaks: strings, Intl numbers and dates, plural forms', { timeout: TEST_TIMEOUT }, async () => {
  const samples = { de: 'Mai', fr: 'mai', es: 'may', ar: null };
  for (const lang of ['en', 'de', 'fr', 'es', 'ar']) {
    const s = STRINGS[lang];
    const { page: p, context, errors } = await open(page(`${lang}.html`, { lang, body: '<div data-chronicle></div>' }));
    try {
      const input = p.locator(INPUT);
      assert.equal(await input.getAttribute('aria-label'), s.searchLabel, lang);
      assert.equal(await p.locator('.chronicle-sort option').first().textContent(), s.sortRelevance, lang);
      assert.equal(await text(p, '.chronicle-filters'), s.filters, lang);
      // The count in the placeholder, in the language's digits.
      const n = new Intl.NumberFormat(lang).format(46);
      assert.equal(await input.getAttribute('placeholder'), s.ready.replace('{n}', n) + '…', lang);
      // "Two results" needs the language's plural form.
      await search(p, 'geneva ');
      const status = await text(p, '[role="status"]');
      const two = (lang === 'ar' ? s.resultsTwo : s.resultsOther).replace('{n}', new Intl.NumberFormat(lang).format(2));
      assert.ok(status.startsWith(two), `${lang}: "${status}" starts with "${two}"`);
      // Dates through Intl, the ISO date kept for machines.
      const time = p.locator(`${OPTION}`).first().locator('xpath=../..').locator('time');
      const iso = await time.getAttribute('datetime');
      const shown = await time.textContent();
      const want = new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })
        .format(new Date(`${iso}T00:00:00Z`));
      assert.equal(shown, want, lang);
      if (samples[lang]) {
        await search(p, 'lavrov from:2014-05 to:2014-05 ');
        assert.match(await time.textContent(), new RegExp(samples[lang], 'i'), lang);
      }
      // Arabic is laid out right to left: the box starts at the right.
      const dir = await p.evaluate((root) => getComputedStyle(document.querySelector(root)).direction, ROOT);
      assert.equal(dir, lang === 'ar' ? 'rtl' : 'ltr', lang);
      if (lang === 'ar') {
        const [box, root] = await p.evaluate((root) => [
          document.querySelector(`${root} input`).getBoundingClientRect().right,
          document.querySelector(root).getBoundingClientRect().right,
        ], ROOT);
        assert.ok(Math.abs(root - box) < 2, `the Arabic box's right edge ${box} at the widget's ${root}`);
        // The archive's English titles run left to right in it.
        const title = await p.evaluate((root) => getComputedStyle(document.querySelector(`${root} .chronicle-title`)).direction, ROOT);
        assert.equal(title, 'ltr', 'an English title in an Arabic widget');
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

test('a language of the element, a site\'s own strings, and the offline file\'s embedded translations', { timeout: TEST_TIMEOUT }, async () => {
  // data-lang on an English page; data-* and mount options beside.
  const url = page('own.html', {
    body: '<div data-chronicle data-lang="es"></div><div id="mine"></div>',
  });
  const { page: p, context, errors } = await open(url);
  try {
    assert.equal(await p.locator(`${ROOT} ${INPUT}`).getAttribute('aria-label'), STRINGS.es.searchLabel);
    assert.equal(await p.getAttribute(ROOT, 'lang'), 'es');
    await p.evaluate(() => Chronicle.mount(document.getElementById('mine'), {
      index: 'events.chron', lang: 'de', strings: { sortNewest: 'Frisch zuerst', filters: 'Auswahl' },
    }));
    await p.waitForSelector('#mine[data-state="ready"]');
    assert.equal(await text(p, '#mine .chronicle-sort option[value="newest"]'), 'Frisch zuerst');
    assert.equal(await text(p, '#mine .chronicle-filters'), 'Auswahl');
    assert.equal(await text(p, '#mine .chronicle-sort option[value="oldest"]'), STRINGS.de.sortOldest);
    // Unmounting gives the element back as it was.
    await p.evaluate(() => Chronicle.widgets[1].unmount());
    assert.equal(await p.evaluate(() => document.getElementById('mine').outerHTML), '<div id="mine"></div>');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
  // The offline file reads nothing beside itself: its translations are in it.
  const offline = pathToFileURL(path.join(WWW, 'offline.html')).href;
  const o = await open(offline);
  try {
    await o.page.evaluate(async () => {
      const el = document.querySelector('[data-chronicle]');
      Chronicle.widgets[0].unmount();
      await Chronicle.mount(el, { lang: 'fr' });
    });
    await o.page.waitForSelector(`${ROOT}[data-state="ready"]`);
    assert.equal(await o.page.locator(INPUT).getAttribute('aria-label'), STRINGS.fr.searchLabel);
    assert.deepEqual(o.errors, []);
  } finally {
    await o.context.close();
  }
});

test('layouts and panels, by attribute and by mount option', { timeout: TEST_TIMEOUT }, async () => {
  const url = page('layouts.html', {
    body:
      '<div id="compact" data-chronicle data-layout="compact"></div>' +
      '<div id="nofacets" data-chronicle data-facets="false" data-sort="false"></div>' +
      '<div id="opt"></div>',
  });
  const { page: p, context, errors } = await open(url);
  try {
    await p.waitForFunction(() => document.querySelectorAll('[data-chronicle][data-state="ready"]').length === 2);
    await p.evaluate(() => Chronicle.mount(document.getElementById('opt'), { index: 'events.chron', layout: 'compact', related: true }));
    await p.waitForSelector('#opt[data-state="ready"]');
    const count = (sel) => p.locator(sel).count();
    // Compact: the box and its results, nothing else.
    await search(p, 'lavrov ', '#compact');
    assert.ok((await count(`#compact ${OPTION}`)) > 0);
    for (const part of ['.chronicle-sort', '.chronicle-filters', '.chronicle-facets', '.chronicle-related']) {
      assert.equal(await count(`#compact ${part}`), 0, `compact has no ${part}`);
    }
    // Panels off one by one: the timeline stays, the facets go.
    await search(p, 'lavrov ', '#nofacets');
    await p.waitForSelector('#nofacets .chronicle-timeline');
    assert.equal(await count('#nofacets .chronicle-sort'), 0);
    assert.equal(await count('#nofacets .chronicle-facet-value'), 0);
    assert.ok((await count('#nofacets .chronicle-related')) > 0);
    // A panel back by option.
    await search(p, 'lavrov ', '#opt');
    assert.ok((await count('#opt .chronicle-related')) > 0);
    assert.equal(await count('#opt .chronicle-sort'), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a header search box: its results drop over the page and fold away', { timeout: TEST_TIMEOUT }, async () => {
  const url = page('header.html', {
    body:
      '<header style="display:flex;gap:16px;align-items:center;padding:8px"><b>My site</b>' +
      '<div data-chronicle data-layout="dropdown" style="width:360px"></div><a id="away" href="#x">About</a></header>' +
      '<main><h1 id="content">Welcome</h1><p>Content that stays where it is.</p></main>',
  });
  for (const width of [1280, 390]) {
    const { page: p, context, errors } = await open(url, { width });
    try {
      const top = () => p.evaluate(() => document.getElementById('content').getBoundingClientRect().top);
      const drop = p.locator('.chronicle-drop');
      const before = await top();
      assert.equal(await drop.isVisible(), false, 'nothing dropped before a query');
      await p.locator(INPUT).focus();
      await search(p, 'lavrov ');
      assert.equal(await drop.isVisible(), true);
      assert.ok((await p.locator(OPTION).count()) > 0);
      assert.equal(await top(), before, 'the page below does not move');
      // Over the page's content, inside the window.
      const box = await drop.boundingBox();
      const h1 = await p.locator('#content').boundingBox();
      assert.ok(box.y < h1.y + h1.height && box.y + box.height > h1.y, 'the results lie over the content');
      assert.ok(box.x >= 0 && box.x + box.width <= width + 1, `inside the window: ${JSON.stringify(box)}`);
      // Focus elsewhere folds it; back in the box, it is there again; the
      // combobox says which.
      const expanded = () => p.locator(INPUT).getAttribute('aria-expanded');
      assert.equal(await expanded(), 'true');
      await p.locator('.chronicle-hit a').first().focus();
      assert.equal(await drop.isVisible(), true, 'a link in the results keeps them');
      assert.equal(await expanded(), 'true');
      await p.locator('#away').focus();
      assert.equal(await drop.isVisible(), false);
      assert.equal(await expanded(), 'false');
      await p.locator(INPUT).focus();
      assert.equal(await drop.isVisible(), true);
      assert.equal(await expanded(), 'true');
      // Escape clears the query, and the results fold.
      await p.keyboard.press('Escape');
      await p.waitForFunction(() => document.querySelector('input').value === '');
      assert.equal(await drop.isVisible(), false);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

test('before typing: the newest events and the archive\'s timeline, browsed by year, then month', { timeout: TEST_TIMEOUT }, async () => {
  const { page: p, context, errors } = await open(`${demo.url}/index.html`);
  try {
    await p.waitForSelector(`${ROOT} .chronicle-caption:not([hidden])`);
    const dates = () => p.$$eval(`${ROOT} .chronicle-hit time`, (t) => t.map((e) => e.getAttribute('datetime')));
    const newest = await dates();
    assert.equal(newest.length, 10);
    assert.deepEqual(newest, [...newest].sort().reverse(), 'newest first');
    // The archive's timeline: a bar per year from 1999.
    await p.waitForSelector(`${ROOT} .chronicle-timeline`);
    const years = await p.$$eval(`${ROOT} .chronicle-year`, (b) => b.map((e) => e.dataset.filter));
    assert.equal(years[0], 'from:1999 to:1999');
    assert.ok(years.length >= 27, `${years.length} years`);
    // A year: the query says it, the hits are of it, the bars its months.
    await p.locator(`${ROOT} .chronicle-year[data-filter="from:2011 to:2011"]`).click();
    await p.waitForFunction(() => document.querySelector('input').value === 'from:2011 to:2011 ');
    await p.waitForSelector(`${ROOT} .chronicle-year[data-filter="from:2011-03 to:2011-03"]`);
    assert.ok((await dates()).every((d) => d.startsWith('2011-')), String(await dates()));
    assert.equal(await p.locator(`${ROOT} .chronicle-year`).count(), 12);
    await p.locator(`${ROOT} .chronicle-year[data-filter="from:2011-03 to:2011-03"]`).click();
    await p.waitForFunction(() => document.querySelector('input').value === 'from:2011-03 to:2011-03 ');
    await p.waitForFunction(() => [...document.querySelectorAll('.chronicle-hit time')].every((t) => t.getAttribute('datetime').startsWith('2011-03')));
    // The same month again takes the filter out: back to the newest.
    await p.locator(`${ROOT} .chronicle-year`).first().waitFor();
    await p.evaluate(() => document.querySelector('.chronicle-year[data-filter="from:2011-03 to:2011-03"]')?.click());
    await p.waitForFunction(() => document.querySelector('input').value === '');
    await p.waitForSelector(`${ROOT} .chronicle-caption:not([hidden])`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
