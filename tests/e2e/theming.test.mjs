// Theming: the page's own rules win over the widget's whatever the order
// of the stylesheets (chronicle.css is in the cascade layer `chronicle`,
// which the loader puts before the page's stylesheets, so that rules in
// the page's own layers win too), on a page under the strict CSP and in
// the offline file; a light
// `--chr-mark` alone stays readable in dark mode, whether the system's or
// forced with data-theme (axe's colour-contrast); and every custom
// property in README's table changes what the widget shows, with the
// defaults the table gives.
//
//   bash build.sh && node --test tests/e2e/theming.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startServer } from './server.mjs';
import { launchChromium } from './browser.mjs';
import { ROOT, INPUT, noViolations, search, facetsShown, watchConsole } from './page.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.join(HERE, '../..');
const WWW = path.resolve(process.env.CHRONICLE_WWW || path.join(REPO, 'www'));
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const WAIT = 60_000;
const TEST_TIMEOUT = 120_000;

/** README's table of custom properties: `[{name, light, dark}]`. */
function documented() {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.split('\n### Theming\n')[1]?.split('\n#')[0] ?? '';
  const unquote = (cell) => cell.trim().replace(/^`(.*)`$/, '$1');
  return section
    .split('\n')
    .filter((l) => /^\| `--chr-/.test(l))
    .map((l) => {
      const [name, , light, dark] = l.split('|').slice(1, -1).map(unquote);
      return { name, light, dark: dark === 'the same' ? light : dark };
    });
}

/** The custom properties chronicle.css declares on .chronicle: `[{name,
 * light, dark}]` (a `light-dark(a, b)` value split in two). */
function declared() {
  const css = fs.readFileSync(path.join(REPO, 'widget/chronicle.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const block = css.match(/(?:^|\n)\.chronicle \{([^}]*)\}/)[1];
  return [...block.matchAll(/(--chr-[a-z-]+):\s*([^;]+);/g)].map(([, name, value]) => {
    const pair = value.match(/^light-dark\(([^,]+),\s*([^)]+)\)$/);
    return { name, light: pair ? pair[1] : value, dark: pair ? pair[2] : value };
  });
}

let browser;
let server;

before(async () => {
  for (const f of ['index.html', 'events.chron', 'chronicle.css', 'offline.html']) {
    if (!fs.existsSync(path.join(WWW, f))) throw new Error(`www/${f} is missing: run \`bash build.sh\` first`);
  }
  browser = await launchChromium();
  server = await startServer(WWW);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// What a host page overrides, on the widget and on one of its parts.
const HOST_CSS = `.chronicle { --chr-accent: rgb(200, 0, 100); --chr-font: "Chronicle Host", monospace; --chr-radius: 3px; }
.chronicle-hit { border-bottom: 3px dashed rgb(0, 128, 0); }
`;

/** A page of the host's at `/host.html` (served with the strict CSP):
 * `head` is what its <head> holds, `attrs` the widget element's
 * attributes, `css` the host's stylesheets (name → text). */
async function hostPage({ head, attrs = '', dark = false, css = { 'host.css': HOST_CSS } }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: dark ? 'dark' : 'light' });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>${head}</head>
<body><main><h1>Host</h1><div data-chronicle ${attrs}></div><script src="chronicle.js" data-index="events.chron"></script></main></body></html>`;
  await context.route(`${server.url}/host.html`, (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': STRICT_CSP }, body: html }),
  );
  for (const [name, body] of Object.entries(css)) {
    await context.route(`${server.url}/${name}`, (route) => route.fulfill({ contentType: 'text/css', body }));
  }
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const log = watchConsole(page, () => false);
  await page.goto(`${server.url}/host.html`);
  await page.waitForSelector(`${ROOT}[data-state="ready"]`, { state: 'attached' });
  return { page, context, log };
}

/** The stylesheets of the page, in the cascade's order: file names, or
 * `style` for a <style> element. */
function sheetOrder(page) {
  return page.evaluate(() => [...document.styleSheets].map((s) => (s.href ? s.href.split('/').pop() : 'style')));
}

/** The computed styles HOST_CSS sets, after a search. */
async function hostStyles(page) {
  await search(page, 'earthquake japan');
  return page.evaluate((root) => {
    const r = document.querySelector(root);
    const cs = (sel) => getComputedStyle(r.querySelector(sel));
    const hit = cs('.chronicle-hit');
    return {
      accent: cs('.chronicle-related').color,
      font: getComputedStyle(r).fontFamily,
      radius: cs('.chronicle-input').borderTopLeftRadius,
      hit: `${hit.borderBottomWidth} ${hit.borderBottomStyle} ${hit.borderBottomColor}`,
    };
  }, ROOT);
}

const HOST_WINS = {
  accent: 'rgb(200, 0, 100)',
  font: '"Chronicle Host", monospace',
  radius: '3px',
  hit: '3px dashed rgb(0, 128, 0)',
};

// A host whose own rules are in a cascade layer.
const LAYERED_CSS = `@layer site {\n${HOST_CSS}}\n`;

const orders = [
  ['before chronicle.css', '<link rel="stylesheet" href="host.css"><link rel="stylesheet" href="chronicle.css">', ['host.css', 'chronicle.css']],
  ['after chronicle.css', '<link rel="stylesheet" href="chronicle.css"><link rel="stylesheet" href="host.css">', ['chronicle.css', 'host.css']],
  // The loader puts chronicle.css before the page's stylesheets.
  ['with chronicle.css added by the loader', '<link rel="stylesheet" href="host.css">', ['chronicle.css', 'host.css']],
  ['in a cascade layer, with chronicle.css added by the loader', '<link rel="stylesheet" href="host.css">', ['chronicle.css', 'host.css'], LAYERED_CSS],
  [
    'in a cascade layer, before chronicle.css, declaring `@layer chronicle;` first',
    '<link rel="stylesheet" href="host.css"><link rel="stylesheet" href="chronicle.css">',
    ['host.css', 'chronicle.css'],
    `@layer chronicle;\n${LAYERED_CSS}`,
  ],
];

for (const [name, head, order, css = HOST_CSS] of orders) {
  test(`the host's stylesheet ${name}, strict CSP: its accent, font, radius and .chronicle-hit rule win`, { timeout: TEST_TIMEOUT }, async () => {
    const { page, context, log } = await hostPage({ head, css: { 'host.css': css } });
    try {
      assert.deepEqual(await sheetOrder(page), order, 'the stylesheets come in the order under test');
      assert.deepEqual(await hostStyles(page), HOST_WINS);
      assert.deepEqual(log.errors, [], 'no errors (CSP violations included)');
    } finally {
      await context.close();
    }
  });
}

test('the offline file: a <style> before or after the widget\'s wins', { timeout: TEST_TIMEOUT }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(pathToFileURL(path.join(WWW, 'offline.html')).href);
    await page.waitForSelector(`${ROOT}[data-state="ready"]`, { state: 'attached' });
    await page.evaluate((css) => {
      const style = document.createElement('style');
      style.id = 'host';
      style.textContent = css;
      document.head.prepend(style);
    }, HOST_CSS);
    assert.equal((await sheetOrder(page)).length, 2);
    assert.equal(await page.evaluate(() => document.styleSheets[0].ownerNode.id), 'host', 'the host\'s comes first');
    assert.deepEqual(await hostStyles(page), HOST_WINS, 'before');
    await page.evaluate(() => document.head.append(document.getElementById('host')));
    assert.equal(await page.evaluate(() => document.styleSheets[1].ownerNode.id), 'host', 'the host\'s comes last');
    assert.deepEqual(await hostStyles(page), HOST_WINS, 'after');
  } finally {
    await context.close();
  }
});

// A light highlight of the host's alone, in each scheme: the system's,
// and forced either way with data-theme.
const schemes = [
  ['a light system', { dark: false }, 'light'],
  ['a dark system', { dark: true }, 'dark'],
  ['a light system, data-theme="dark"', { dark: false, attrs: 'data-theme="dark"' }, 'dark'],
  ['a dark system, data-theme="light"', { dark: true, attrs: 'data-theme="light"' }, 'light'],
];

for (const [name, opts, scheme] of schemes) {
  test(`${name}: only --chr-mark set to a light colour, highlighted words pass axe's colour-contrast`, { timeout: TEST_TIMEOUT }, async () => {
    const { page, context } = await hostPage({
      ...opts,
      head: '<link rel="stylesheet" href="host.css">',
      css: { 'host.css': '.chronicle { --chr-mark: #ffd7f0; }' },
    });
    try {
      await search(page, 'earthquake japan');
      // Settled: the facets are dimmed while they are counted again.
      await page.waitForFunction((root) => !document.querySelector(`${root} [aria-busy]`), ROOT);
      const seen = await page.evaluate((root) => {
        const r = document.querySelector(root);
        return {
          marks: r.querySelectorAll('mark').length,
          mark: getComputedStyle(r.querySelector('mark')).backgroundColor,
          bg: getComputedStyle(r).backgroundColor,
        };
      }, ROOT);
      assert.ok(seen.marks > 0, 'words are highlighted');
      assert.equal(seen.mark, 'rgb(255, 215, 240)', 'the host\'s highlight is used');
      assert.equal(seen.bg, scheme === 'dark' ? 'rgb(21, 24, 30)' : 'rgb(255, 255, 255)', `the widget is ${scheme}`);
      await noViolations(page, `(colour contrast) in ${name}`, { runOnly: ['color-contrast'] });
    } finally {
      await context.close();
    }
  });
}

test('README documents every custom property the stylesheet declares, with its defaults', () => {
  const doc = documented();
  const css = declared();
  assert.ok(doc.length >= 12, `README's table lists ${doc.length} properties`);
  assert.deepEqual(
    doc.map((p) => p.name).sort(),
    css.map((p) => p.name).sort(),
    'the table and the stylesheet name the same properties',
  );
  for (const p of css) assert.deepEqual(doc.find((d) => d.name === p.name), p, `${p.name}: README's defaults`);
});

// The test value of a property, and what a computed style shows of it.
const PROBES = {
  '--chr-font': ['"Chronicle Probe", monospace', 'Chronicle Probe'],
  '--chr-radius': ['13px', '13px'],
  '--chr-space': ['13px', '13px'],
};
const COLOUR_PROBE = ['rgb(1, 2, 3)', 'rgb(1, 2, 3)'];

for (const dark of [false, true]) {
  test(`${dark ? 'dark' : 'light'}: every property in README's table changes a computed style`, { timeout: TEST_TIMEOUT }, async () => {
    const { page, context } = await hostPage({ head: '', dark, css: {} });
    try {
      await search(page, 'earthquake japan');
      await facetsShown(page);
      // An active hit, a facet value under the pointer, the error state's
      // status line: every property has something to show on.
      await page.locator(INPUT).first().press('ArrowDown');
      await page.waitForSelector(`${ROOT} [aria-selected="true"]`);
      await page.evaluate((root) => (document.querySelector(root).dataset.state = 'error'), ROOT);
      const snapshot = async () => {
        await page.hover(`${ROOT} .chronicle-facet-value`);
        return page.evaluate((root) => {
          const keys = ['color', 'background-color', 'border-top-color', 'border-bottom-color', 'border-left-color',
            'outline-color', 'font-family', 'border-top-left-radius', 'padding-top', 'padding-left', 'margin-top',
            'margin-bottom', 'row-gap', 'column-gap'];
          const r = document.querySelector(root);
          if (!r.querySelector('.chronicle-facet-value:hover')) throw new Error('no facet value under the pointer');
          return [r, ...r.querySelectorAll('*')].map((e) => {
            const cs = getComputedStyle(e);
            return keys.map((k) => `${k}: ${cs.getPropertyValue(k)}`);
          });
        }, ROOT);
      };
      const base = await snapshot();
      const props = documented();
      assert.ok(props.length >= 12);
      for (const { name } of props) {
        const [value, shows] = PROBES[name] || COLOUR_PROBE;
        await page.evaluate(([root, name, value]) => document.querySelector(root).style.setProperty(name, value), [ROOT, name, value]);
        const now = await snapshot();
        await page.evaluate(([root, name]) => document.querySelector(root).style.removeProperty(name), [ROOT, name]);
        assert.equal(now.length, base.length, 'the widget kept its elements');
        const changed = now.flatMap((styles, i) => styles.filter((s, k) => s !== base[i][k]));
        assert.ok(changed.some((s) => s.includes(shows)), `${name}: ${value} shows nowhere (changed: ${changed.slice(0, 5).join('; ') || 'nothing'})`);
      }
      assert.deepEqual(await snapshot(), base, 'the widget looks as before once the properties are removed');
    } finally {
      await context.close();
    }
  });
}
