// The widget's page under test, for the e2e tests that provoke failed
// requests on purpose: what it logs, typing a query, waiting for hits.

export const ROOT = '[data-chronicle]';
export const INPUT = 'input[role="combobox"]';
export const OPTION = '[role="option"]';
export const STATUS = '.chronicle-status';

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
