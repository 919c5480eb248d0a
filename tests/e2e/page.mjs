// The widget's page under test, for the e2e tests: what it logs, typing
// a query, waiting for hits or an answer, axe-core's verdict.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const ROOT = '[data-chronicle]';
export const INPUT = 'input[role="combobox"]';
export const OPTION = '[role="option"]';
export const STATUS = '.chronicle-status';

/**
 * Opens `url` in a new context of `browser` (`width` × `height`, the
 * dark scheme when `dark`, `wait` ms per step) and waits for the
 * widget; page errors go to `errors`.
 */
export async function openWidget(browser, url, { dark = false, width = 1280, height = 900, wait }) {
  const context = await browser.newContext({
    viewport: { width, height },
    colorScheme: dark ? 'dark' : 'light',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(wait);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector(`${ROOT}[data-state="ready"]`, { state: 'attached' });
  return { page, context, errors };
}

/**
 * Collects `page`'s console and page errors into `{lines, errors,
 * failedLoads, warnings}`: every line in `lines`, console warnings'
 * texts in `warnings`, and in `errors` every console error and page
 * error but Chromium's "Failed to load resource" for a path that
 * `expected(path)` accepts, which goes to `failedLoads` instead.
 */
export function watchConsole(page, expected) {
  const log = { lines: [], errors: [], failedLoads: [], warnings: [] };
  page.on('console', (msg) => {
    const where = msg.location()?.url ?? '';
    const line = `[${msg.type()}] ${msg.text()}${where ? ` (${where})` : ''}`;
    log.lines.push(line);
    if (msg.type() === 'warning') log.warnings.push(msg.text());
    if (msg.type() !== 'error') return;
    let p = null;
    try {
      p = new URL(where).pathname;
    } catch {}
    if (/^Failed to load resource/.test(msg.text()) && expected(p)) log.failedLoads.push(p);
    else log.errors.push(line);
  });
  page.on('pageerror', (err) => {
    const line = `[pageerror] ${err.stack || err.message}`;
    log.lines.push(line);
    log.errors.push(line);
  });
  return log;
}

/** Replaces the query with `q`, typed key by key. */
export async function typeQuery(page, q) {
  const input = page.locator(INPUT).first();
  await input.fill('');
  await input.pressSequentially(q, { delay: 25 });
}

/** Waits (up to `timeout` ms) until the widget shows exactly the hits `ids`. */
export async function waitForHits(page, ids, timeout) {
  await page.waitForFunction(
    ({ sel, want }) => {
      const got = [...document.querySelectorAll(sel)].map((e) => e.dataset.id);
      return got.length === want.length && got.every((id, i) => id === want[i]);
    },
    { sel: OPTION, want: ids },
    { timeout, polling: 50 },
  );
}

/** Runs axe over the whole page (`options`: axe.run's, e.g. `{ runOnly:
 * ['color-contrast'] }`); fails listing every violation. */
export async function noViolations(page, what, options = {}) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const r = await page.evaluate((o) => window.axe.run(document, { ...o, resultTypes: ['violations'] }), options);
  const lines = r.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ')}`),
  );
  assert.deepEqual(lines, [], `axe violations ${what}`);
}

/** Types `q` and waits for its answer in the live region. */
export async function search(page, q) {
  await page.locator(INPUT).first().fill(q);
  await page.waitForFunction(
    ({ root, q }) => {
      const r = document.querySelector(root);
      const input = r.querySelector('input');
      const list = r.querySelector('[role="listbox"]');
      return input.value === q && !list.hasAttribute('aria-busy') && /result|No results/.test(r.querySelector('[role="status"]').textContent);
    },
    { root: ROOT, q },
    { polling: 50 },
  );
}

/** Waits until nothing in the widget is aria-busy (the facets, counted
 * after the hits, may be for a moment). */
export async function notBusy(page) {
  await page.waitForFunction((root) => !document.querySelector(`${root} [aria-busy]`), ROOT, { timeout: 10_000 });
}

/** Shows the facets (opening the Filters button of a narrow widget) and
 * waits for their counts. */
export async function facetsShown(page) {
  // A narrow widget folds its facets behind the Filters button: open it.
  const filters = page.locator(`${ROOT} .chronicle-filters`);
  if ((await filters.isVisible()) && (await filters.getAttribute('aria-expanded')) !== 'true') await filters.click();
  await page.waitForSelector(`${ROOT} .chronicle-facet legend`);
  await page.waitForFunction((root) => !document.querySelector(`${root} .chronicle-facets`).hasAttribute('aria-busy'), ROOT);
}
