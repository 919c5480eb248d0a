// Browser performance benchmark of the built Chronicle widget (headless Chromium).
//
//   bash build.sh        # builds www/ (this script builds nothing)
//   npm run bench:perf   # == node bench/perf.mjs
//
// Env: BENCH_RUNS (default 5) fresh contexts per load measurement,
//      CHRONICLE_WWW (default ../www relative to this file),
//      CHROMIUM_PATH (default /usr/bin/chromium).
//
// Measures
//  (i)   HTTP (loopback server): navigation start -> first `chronicle:results`
//        event with total > 0 for a query set programmatically as soon as the
//        input exists; plus requests/bytes served up to that moment.
//  (ii)  file:// offline.html: the same time.
//  (iii) per-keystroke latency: keydown (capture) -> `chronicle:results` for the
//        resulting input value, over ~20 realistic queries typed key by key;
//        plus the widget's own detail.ms.
//  Memory: performance.memory.usedJSHeapSize (after a forced GC) and
//        window.Chronicle.memoryBytes() when the widget exposes it.
// Writes a markdown report to bench/results/perf.md and prints it.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startServer } from '../tests/e2e/server.mjs';
import { launchChromium } from '../tests/e2e/browser.mjs';
import { median, percentile, min, max, fmtMs, fmtBytes, markdownTable } from './lib/stats.mjs';
import { KEYSTROKE_QUERIES, loadProbe, keystrokeProbe, attachErrors, collectGarbage, loadToFirstResults, typeQueries } from './lib/browser.mjs';
import { machineInfo } from './lib/machine.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WWW = path.resolve(process.env.CHRONICLE_WWW || path.join(HERE, '..', 'www'));
const RESULTS_DIR = path.join(HERE, 'results');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || 5);
const FIRST_QUERY = 'lavrov geneva';
const SECOND_QUERY = 'earthquake japan';
const KEY_DELAY_MS = 30;
const LOAD_TIMEOUT_MS = 30_000;

const ROOT = '[data-chronicle]';
const INPUT = 'input[role="combobox"]';

// ---------------------------------------------------------------- helpers

function requireBuilt() {
  const need = ['index.html', 'offline.html', 'chronicle.js'];
  const missing = need.filter((f) => !fs.existsSync(path.join(WWW, f)));
  if (missing.length) {
    console.error(`Chronicle www/ is not built: missing ${missing.join(', ')} in ${WWW}. Run \`bash build.sh\` first.`);
    process.exit(2);
  }
}

async function heapAfterGc(page) {
  await collectGarbage(page);
  return page.evaluate(() => {
    const m = performance.memory;
    let wasm = null;
    try {
      const f = window.Chronicle && window.Chronicle.memoryBytes;
      if (typeof f === 'function') wasm = Number(f.call(window.Chronicle));
    } catch {
      wasm = null;
    }
    return { heap: m ? m.usedJSHeapSize : null, wasm };
  });
}

/** One fresh-context load: returns {ttfr, ready, ...}. */
async function measureLoad(browser, url, server, errors) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(loadProbe, {
      query: FIRST_QUERY,
      rootSel: ROOT,
      inputSel: INPUT,
      eventName: 'chronicle:results',
      // If the widget dropped the query typed while it was loading, type it again
      // (recorded, and reported as a note).
      redispatch: true,
      evenIfAnswered: true,
    });
    const page = await context.newPage();
    attachErrors(page, errors);
    const { served, st } = await loadToFirstResults(page, { url, server, timeoutMs: LOAD_TIMEOUT_MS });
    if (st.first === null) throw new Error(`widget reached data-state="error" at ${st.errorAt?.toFixed(1)} ms`);

    // Bytes moved by a second query after everything is loaded (expected 0).
    let second = null;
    if (server) {
      server.resetStats();
      const before = st.events.length;
      await page.evaluate(
        ({ q, sel }) => {
          const i = document.querySelector(sel);
          i.value = q;
          i.dispatchEvent(new Event('input', { bubbles: true }));
        },
        { q: SECOND_QUERY, sel: INPUT },
      );
      await page
        .waitForFunction((n) => window.__benchLoad.events.length > n, before, { timeout: 5000, polling: 10 })
        .catch(() => {});
      await page.waitForTimeout(100);
      // The browser's own favicon fetches can land in this window: not the widget's.
      const widget = server.stats.paths.filter((p) => !isFavicon(p.path));
      second = {
        requests: widget.length,
        bytes: widget.reduce((a, p) => a + p.bytes, 0),
        favicon: server.stats.paths.length - widget.length,
      };
    }
    const mem = await heapAfterGc(page);
    return {
      ttfr: st.first.t,
      ready: st.readyAt,
      dcl: st.dcl,
      inputSeen: st.inputSeenAt,
      firstMs: st.first.ms,
      firstTotal: st.first.total,
      redispatched: st.redispatchedAt !== null && st.first.t >= st.redispatchedAt,
      served,
      second,
      mem,
    };
  } finally {
    await context.close();
  }
}

async function measureKeystrokes(browser, url, errors) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(keystrokeProbe, { inputSel: INPUT, eventName: 'chronicle:results' });
    const page = await context.newPage();
    attachErrors(page, errors);
    await page.goto(url);
    await page.waitForSelector(`${ROOT}[data-state="ready"]`, { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    const memReady = await heapAfterGc(page);
    const ks = await typeQueries(page, { inputSel: INPUT, queries: KEYSTROKE_QUERIES, delayMs: KEY_DELAY_MS, settleMs: 1000 });
    const memAfter = await heapAfterGc(page);
    return { ...ks, memReady, memAfter };
  } finally {
    await context.close();
  }
}

function isFavicon(p) {
  return /^\/favicon\.[a-z]+$/i.test(p);
}

function fileSizes() {
  const names = ['index.html', 'offline.html', 'chronicle.js', 'chronicle_bg.wasm', 'chronicle.css', 'events.chron'];
  return names.map((n) => {
    const p = path.join(WWW, n);
    return [n, fs.existsSync(p) ? fmtBytes(fs.statSync(p).size) : 'missing'];
  });
}

// ---------------------------------------------------------------- main

async function main() {
  requireBuilt();
  const errors = [];
  const failures = [];
  const browser = await launchChromium({ extraArgs: ['--enable-precise-memory-info'] });
  const chromiumVersion = browser.version();
  const server = await startServer(WWW);
  const httpRuns = [];
  const fileRuns = [];
  let keys = null;
  try {
    const httpUrl = `${server.url}/index.html`;
    const fileUrl = pathToFileURL(path.join(WWW, 'offline.html')).href;
    // Warm-up (OS file cache, Chromium process spin-up); not recorded.
    await measureLoad(browser, httpUrl, server, []).catch(() => {});
    for (let i = 0; i < RUNS; i++) {
      try {
        httpRuns.push(await measureLoad(browser, httpUrl, server, errors));
      } catch (e) {
        failures.push(`http run ${i + 1}: ${e.message.split('\n')[0]}`);
      }
      try {
        fileRuns.push(await measureLoad(browser, fileUrl, null, errors));
      } catch (e) {
        failures.push(`file run ${i + 1}: ${e.message.split('\n')[0]}`);
      }
      process.stderr.write('.');
    }
    try {
      keys = await measureKeystrokes(browser, httpUrl, errors);
    } catch (e) {
      failures.push(`keystrokes: ${e.message.split('\n')[0]}`);
    }
    process.stderr.write('\n');
  } finally {
    await server.close();
    await browser.close();
  }

  // ------------------------------------------------------------ report
  const date = new Date().toISOString();
  const range = (xs) => (xs.length ? `${fmtMs(min(xs))} – ${fmtMs(max(xs))}` : 'n/a');
  const pick = (runs, k) => runs.map((r) => r[k]).filter((x) => x != null);

  const loadRows = [];
  for (const [label, runs] of [
    ['HTTP index.html (loopback)', httpRuns],
    ['file:// offline.html', fileRuns],
  ]) {
    const served = runs.map((r) => r.served).filter(Boolean);
    loadRows.push([
      label,
      `${runs.length}/${RUNS}`,
      fmtMs(median(pick(runs, 'dcl'))),
      fmtMs(median(pick(runs, 'ready'))),
      fmtMs(median(pick(runs, 'ttfr'))),
      range(pick(runs, 'ttfr')),
      served.length ? String(median(served.map((s) => s.requests))) : 'n/a (no network)',
      served.length ? fmtBytes(median(served.map((s) => s.bytes))) : 'n/a (no network)',
    ]);
  }
  const loadTable = markdownTable(
    ['mode', 'runs ok', 'DOMContentLoaded', 'data-state=ready', 'time to first results', 'min – max', 'requests', 'bytes'],
    loadRows,
  );

  let keyTable = '_keystroke run failed_';
  let keyNotes = [];
  if (keys) {
    const lat = keys.samples.map((s) => s.latency);
    const ms = keys.samples.map((s) => s.ms).filter((x) => typeof x === 'number');
    const totalKeys = KEYSTROKE_QUERIES.reduce((a, q) => a + q.length, 0);
    keyTable = markdownTable(
      ['per keystroke', 'median', 'p95', 'max', 'samples'],
      [
        ['keydown → chronicle:results (in page)', fmtMs(median(lat), 2), fmtMs(percentile(lat, 95), 2), fmtMs(max(lat), 2), `${lat.length} of ${totalKeys} keys`],
        ['widget detail.ms (search + render)', fmtMs(median(ms), 2), fmtMs(percentile(ms, 95), 2), fmtMs(max(ms), 2), String(ms.length)],
      ],
    );
    if (keys.coalesced) keyNotes.push(`${keys.coalesced} keystroke(s) were superseded before their own results event (coalesced/debounced).`);
    if (keys.leftover) keyNotes.push(`${keys.leftover} keystroke(s) never got a results event.`);
    if (keys.mismatched) keyNotes.push(`${keys.mismatched} results event(s) had a detail.query matching no typed value.`);
    const slow = keys.perQuery
      .filter((p) => p.worst)
      .sort((a, b) => b.worst.latency - a.worst.latency)
      .slice(0, 3)
      .map((p) => `"${p.worst.query}" ${fmtMs(p.worst.latency, 1)} (${p.worst.total} results)`);
    if (slow.length) keyNotes.push(`slowest keystrokes (typed prefix, latency, results): ${slow.join(', ')}.`);
    const zero = keys.perQuery.filter((p) => p.total === 0).map((p) => `"${p.q}"`);
    if (zero.length) keyNotes.push(`queries with 0 results at the last keystroke: ${zero.join(', ')}.`);
  }

  const lastHttp = httpRuns[httpRuns.length - 1];
  const heapAtFirst = median(httpRuns.map((r) => r.mem?.heap).filter((x) => x != null));
  const wasmVals = [...httpRuns.map((r) => r.mem?.wasm), keys?.memAfter?.wasm].filter((x) => x != null && Number.isFinite(x));
  const memTable = markdownTable(
    ['memory (HTTP page, after forced GC)', 'value'],
    [
      ['JS heap used after first results (median)', fmtBytes(heapAtFirst)],
      ['JS heap used at ready (keystroke page)', fmtBytes(keys?.memReady?.heap ?? NaN)],
      ['JS heap used after 20 typed queries', fmtBytes(keys?.memAfter?.heap ?? NaN)],
      [
        'wasm memory (`window.Chronicle.memoryBytes()`)',
        wasmVals.length ? fmtBytes(keys?.memAfter?.wasm ?? wasmVals[wasmVals.length - 1]) : 'n/a (not exposed)',
      ],
    ],
  );

  const notes = [];
  if (lastHttp?.served) {
    notes.push(
      `HTTP requests up to first results: ${lastHttp.served.paths.map((p) => `${p.path} (${p.status}, ${fmtBytes(p.bytes)})`).join(', ')}.`,
    );
  }
  const second = httpRuns.map((r) => r.second).filter(Boolean);
  if (second.length) {
    notes.push(
      `A second query ("${SECOND_QUERY}") after first results moved ${median(second.map((s) => s.requests))} request(s), ${fmtBytes(median(second.map((s) => s.bytes)))} (median; the browser's own late /favicon.* fetches excluded: ${second.reduce((a, s) => a + s.favicon, 0)} over ${second.length} runs).`,
    );
  }
  const firstMs = [...httpRuns, ...fileRuns].map((r) => r.firstMs).filter((x) => typeof x === 'number');
  if (firstMs.length) notes.push(`Widget detail.ms for the first query: median ${fmtMs(median(firstMs), 2)}.`);
  const redis = [...httpRuns, ...fileRuns].filter((r) => r.redispatched).length;
  if (redis) {
    notes.push(
      `In ${redis} load run(s) the query typed before data-state="ready" produced no results; the bench re-dispatched 'input' after ready.`,
    );
  }
  notes.push(...keyNotes);
  if (errors.length) notes.push(`${errors.length} console/page error(s) during the bench, e.g.: ${errors.slice(0, 3).join(' / ')}`);
  if (failures.length) notes.push(`FAILED measurements: ${failures.join('; ')}`);

  const md = [
    '# Chronicle browser performance',
    '',
    `- Date: ${date}`,
    `- Machine: ${machineInfo()}`,
    `- Browser: headless Chromium ${chromiumVersion} (${process.env.CHROMIUM_PATH || '/usr/bin/chromium'}), Node ${process.version}`,
    `- Runs: ${RUNS} fresh browser contexts per load mode (median reported; one unrecorded warm-up). First query: "${FIRST_QUERY}" set programmatically as soon as the input exists; time origin = navigation start.`,
    `- www/: ${fileSizes().map(([n, s]) => `${n} ${s}`).join(', ')}`,
    '',
    '## Load: time to first results',
    '',
    'Medians over the runs; times from navigation start. `data-state=ready` is when a MutationObserver saw the attribute (it can trail the first results by a microtask). Requests/bytes: everything the loopback server sent from navigation to first results.',
    '',
    loadTable,
    '',
    `## Per-keystroke latency (${KEYSTROKE_QUERIES.length} queries typed key by key, ${KEY_DELAY_MS} ms between keys)`,
    '',
    keyTable,
    '',
    '## Memory',
    '',
    memTable,
    '',
    '## Notes',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const out = path.join(RESULTS_DIR, 'perf.md');
  fs.writeFileSync(out, md);
  console.log(md);
  console.log(`(written to ${path.relative(process.cwd(), out) || out})`);
  if (failures.length || !httpRuns.length || !fileRuns.length || !keys) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
