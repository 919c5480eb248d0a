// Shared code of the browser benchmarks (bench/perf.mjs and
// bench/engines/run.mjs). The probes are passed to page.addInitScript, so
// each of them must be self-contained.

/** The realistic queries typed key by key by both benchmarks (so their figures compare). */
export const KEYSTROKE_QUERIES = [
  'lavrov geneva',
  'earthquake japan',
  'obama',
  'election results',
  'syria ceasefire',
  'world cup final',
  'brexit vote',
  'hurricane katrina',
  'olympics',
  'climate change',
  'covid vaccine',
  'ukraine russia',
  'nobel prize',
  'oil prices',
  'supreme court',
  'tsunami',
  'pope francis',
  'iran nuclear',
  'bitcoin',
  'gaza',
];

// ---------------------------------------------------------------- in-page code

/**
 * Init script for cold loads: types `query` as soon as the input exists
 * (with `redispatch`, again after data-state="ready" if that has produced
 * nothing yet, for a widget that may drop input typed while loading; with
 * `evenIfAnswered` also when a results event for it came with total 0), records the
 * first results event with total > 0 (time origin = navigation start).
 */
export function loadProbe({ query, rootSel, inputSel, eventName, redispatch, evenIfAnswered = false }) {
  const st = { events: [], first: null, inputSeenAt: null, readyAt: null, errorAt: null, redispatchedAt: null };
  window.__benchLoad = st;
  window.addEventListener(
    eventName,
    (e) => {
      const d = (e && e.detail) || {};
      const rec = { t: performance.now(), query: d.query, total: d.total, ms: d.ms };
      st.events.push(rec);
      // The query's own results: not a page's first render of the newest
      // events (a widget that browses when empty shows those first).
      if (st.first === null && d.query === query && typeof d.total === 'number' && d.total > 0) st.first = rec;
    },
    true,
  );
  const typeIt = (input) => {
    input.value = query;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const check = () => {
    const input = document.querySelector(inputSel);
    if (input && st.inputSeenAt === null) {
      st.inputSeenAt = performance.now();
      typeIt(input);
    }
    const root = document.querySelector(rootSel);
    const state = root && root.getAttribute('data-state');
    if (state === 'ready' && st.readyAt === null) {
      st.readyAt = performance.now();
      setTimeout(() => {
        const inp = document.querySelector(inputSel);
        if (redispatch && st.first === null && inp && (evenIfAnswered || !st.events.some((ev) => ev.query === query))) {
          st.redispatchedAt = performance.now();
          typeIt(inp);
        }
      }, 0);
    }
    if (state === 'error' && st.errorAt === null) st.errorAt = performance.now();
  };
  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-state'],
  });
  document.addEventListener('DOMContentLoaded', check);
}

/**
 * Init script for typing: keydown -> results event latency. Two start
 * points per keystroke: the keydown event's timeStamp (when the browser
 * created the event; includes any wait for a busy main thread) and the time
 * the keydown listener ran (`latency`, what bench/perf.mjs reports).
 */
export function keystrokeProbe({ inputSel, eventName }) {
  const ks = { lastKey: null, pending: [], samples: [], coalesced: 0, mismatched: 0 };
  window.__benchKeys = ks;
  window.addEventListener('keydown', (e) => (ks.lastKey = { stamp: e.timeStamp, handler: performance.now() }), true);
  window.addEventListener(
    'input',
    (e) => {
      const t = e.target;
      if (!t || !t.matches || !t.matches(inputSel) || ks.lastKey === null) return;
      ks.pending.push({ ...ks.lastKey, value: t.value });
      ks.lastKey = null;
    },
    true,
  );
  window.addEventListener(
    eventName,
    (e) => {
      const now = performance.now();
      const d = (e && e.detail) || {};
      if (!ks.pending.length) return;
      const q = String(d.query ?? '');
      let idx = -1;
      for (let i = ks.pending.length - 1; i >= 0; i--) {
        const v = ks.pending[i].value;
        if (v === q || v.trim() === q.trim()) {
          idx = i;
          break;
        }
      }
      if (idx < 0) {
        ks.mismatched += 1;
        idx = ks.pending.length - 1;
      }
      const p = ks.pending[idx];
      ks.samples.push({ latency: now - p.handler, fromStamp: now - p.stamp, ms: d.ms, query: d.query, total: d.total });
      ks.coalesced += idx;
      ks.pending.splice(0, idx + 1);
    },
    true,
  );
}

// ---------------------------------------------------------------- Node side

/** Collects the page's console errors and uncaught exceptions into `sink` (prefixed `label: `, cut to `maxLen` chars). */
export function attachErrors(page, sink, { label = null, maxLen = Infinity } = {}) {
  const pre = label === null ? '' : `${label}: `;
  page.on('console', (m) => {
    if (m.type() === 'error') sink.push(`${pre}[console.error] ${m.text().slice(0, maxLen)}`);
  });
  page.on('pageerror', (e) => sink.push(`${pre}[pageerror] ${e.message.slice(0, maxLen)}`));
}

/** Forces a garbage collection in the page (best effort). */
export async function collectGarbage(page) {
  try {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.detach();
  } catch {
    /* best effort */
  }
}

/**
 * With loadProbe installed: navigates to `url` and waits for the first results
 * (or data-state="error"). Returns {served, st}: what `server` sent until then
 * (null without a server; `extraStats` names further counters to copy) and
 * the probe's record plus the DOMContentLoaded time.
 */
export async function loadToFirstResults(page, { url, server, timeoutMs, gotoTimeoutMs, extraStats = [] }) {
  server?.resetStats();
  await page.goto(url, gotoTimeoutMs === undefined ? { waitUntil: 'commit' } : { waitUntil: 'commit', timeout: gotoTimeoutMs });
  await page.waitForFunction(
    () => {
      const s = window.__benchLoad;
      return s && (s.first !== null || s.errorAt !== null);
    },
    null,
    { timeout: timeoutMs, polling: 10 },
  );
  const served = server
    ? {
        requests: server.stats.requests,
        bytes: server.stats.bytes,
        ...Object.fromEntries(extraStats.map((k) => [k, server.stats[k]])),
        paths: server.stats.paths.map((p) => ({ ...p })),
      }
    : null;
  const st = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { ...window.__benchLoad, dcl: nav ? nav.domContentLoadedEventEnd || null : null };
  });
  return { served, st };
}

/**
 * With keystrokeProbe installed and the widget ready: types each query key by
 * key into `inputSel` (cleared without a keystroke first), waiting up to
 * `settleMs` for each query's last results. Returns {samples, coalesced,
 * mismatched, leftover, perQuery}.
 */
export async function typeQueries(page, { inputSel, queries, delayMs, settleMs }) {
  const input = page.locator(inputSel).first();
  await input.click();
  const perQuery = [];
  let leftover = 0;
  for (const q of queries) {
    // Clear without a keystroke (its results, if any, are not sampled).
    await page.evaluate((sel) => {
      const i = document.querySelector(sel);
      i.value = '';
      i.dispatchEvent(new Event('input', { bubbles: true }));
      window.__benchKeys.pending.length = 0;
      window.__benchKeys.lastKey = null;
    }, inputSel);
    await page.waitForTimeout(50);
    const before = await page.evaluate(() => window.__benchKeys.samples.length);
    await input.focus();
    await page.keyboard.type(q, { delay: delayMs });
    await page
      .waitForFunction(() => window.__benchKeys.pending.length === 0, null, { timeout: settleMs, polling: 10 })
      .catch(() => {});
    const r = await page.evaluate((n) => ({ samples: window.__benchKeys.samples.slice(n), pending: window.__benchKeys.pending.length }), before);
    leftover += r.pending;
    const last = r.samples[r.samples.length - 1];
    const worst = r.samples.reduce((w, x) => (w && w.latency >= x.latency ? w : x), null);
    perQuery.push({ q, keys: q.length, samples: r.samples.length, total: last ? last.total : null, worst });
  }
  const ks = await page.evaluate(() => ({
    samples: window.__benchKeys.samples,
    coalesced: window.__benchKeys.coalesced,
    mismatched: window.__benchKeys.mismatched,
  }));
  return { ...ks, leftover, perQuery };
}
