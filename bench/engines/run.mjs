// Side-by-side engines benchmark: Chronicle vs Pagefind vs MiniSearch on the
// same corpus (the full 114,017 WCEP events) and the same queries, in one run.
//
//   npm ci && bash build.sh          # node_modules, target/release/chronicle, www/
//   node bench/engines/run.mjs       # ~6 min with the Pagefind cache present
//
// Per engine (bench/engines/engines.mjs lists them; an engine whose build
// output is missing is skipped with a note):
//   1. Build: wall time and peak RSS of building the index from the corpus
//      (Chronicle: the CLI; MiniSearch: a child Node process that indexes and
//      serialises to JSON; Pagefind: the cached Node API build of
//      bench/work/pagefind/, its recorded time, or REBUILD=1 to rebuild and
//      measure it). Children run under GNU time (/usr/bin/time -v) when
//      present, and RSS is also polled from /proc.
//   2. Index on disk: bytes, gzip -9 bytes, files; and the search code.
//   3. Cold first query over HTTP: fresh browser context, the engine's page
//      from a loopback server (gzip where it saves >= 5 %, no caching): time
//      from navigation start to the first results in the DOM, and the
//      requests/bytes the server sent until then. Also once over an emulated
//      link (LINK_MBPS, LINK_RTT_MS).
//   4. Per-keystroke latency: the 20 queries of bench/perf.mjs typed key by
//      key, keydown -> results rendered for that input.
//   5. Memory after load (and after typing): JS heap of the page (and of its
//      workers), wasm linear memory, renderer process private memory.
//   6. Chronicle's offline file from file://: time to first results.
//
// Env: ENGINES (default: all), RUNS (cold loads per engine, default 3),
//      REBUILD=1 (rebuild and measure Pagefind's index, ~5 min, ~4 GB),
//      REUSE_BUILDS=1 (skip the builds, reuse the last run's build figures),
//      FIRST_QUERY (default "earthquake japan"), LINK_MBPS (default 40, 0 = off),
//      LINK_RTT_MS (default 40), GZIP=0 (serve uncompressed), HTTP2=1 (serve
//      every page over HTTP/2 with TLS, as static hosts and CDNs do, instead of
//      HTTP/1.1; the report says which), CHRONICLE_BIN,
//      CHRONICLE_WWW, CHROMIUM_PATH, ENGINES_OUT (report path),
//      BENCH_CORPUS=main (the main corpus alone, 69,149 events: every engine
//      builds from it, and Chronicle's pages are served from a copy of www/
//      with its indexes, bench/work/engines-69149/www/, made by this run).
// A full default run writes bench/results/engines.md and the table in
// bench/README.md (with BENCH_CORPUS=main, engines-69149.md and its own
// table); other runs write bench/work/engines/engines.md.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { ENGINES } from './engines.mjs';
import { startBenchServer, GzipCache, GZIP_LEVEL } from './server.mjs';
import { HAVE_GNU_TIME, rendererProcesses, startCpuSampler } from './measure.mjs';
import { wasmHook, workerHookSource } from './probes.mjs';
// Same queries as bench/perf.mjs, so its Chronicle figures can be compared.
import { KEYSTROKE_QUERIES, loadProbe, keystrokeProbe, attachErrors, collectGarbage, loadToFirstResults, typeQueries } from '../lib/browser.mjs';
import { machineInfo } from '../lib/machine.mjs';
import { launchChromium, CHROMIUM_PATH } from '../../tests/e2e/browser.mjs';
import { CORPUS_FILES, CORPUS_MAIN } from '../relevance/make-queries.mjs';
import { median, percentile, min, max, fmtBytes, markdownTable } from '../lib/stats.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const WORK = path.join(ROOT, 'bench', 'work', CORPUS_MAIN ? 'engines-69149' : 'engines');
// Over the main corpus alone, Chronicle's demo pages with indexes of it.
const OWN_WWW = CORPUS_MAIN && !process.env.CHRONICLE_WWW;
const WWW = path.resolve(process.env.CHRONICLE_WWW || (OWN_WWW ? path.join(WORK, 'www') : path.join(ROOT, 'www')));
const CORPUS_TAG = CORPUS_MAIN ? 'engines-69149' : 'engines';

const ALL_KEYS = ENGINES.map((e) => e.key);
const DEFAULT_KEYS = ALL_KEYS;
const SELECTED = (process.env.ENGINES || DEFAULT_KEYS.join(','))
  .split(',')
  .map((s) => s.trim().toLowerCase())
  .filter(Boolean);
const RUNS = Math.max(1, Number(process.env.RUNS) || 3);
const FIRST_QUERY = process.env.FIRST_QUERY || 'earthquake japan';
const LINK = {
  mbps: process.env.LINK_MBPS === undefined ? 40 : Number(process.env.LINK_MBPS),
  rttMs: process.env.LINK_RTT_MS === undefined ? 40 : Number(process.env.LINK_RTT_MS),
};
const GZIP = process.env.GZIP !== '0';
const HTTP2 = process.env.HTTP2 === '1';
// Browser contexts: the HTTP/2 server's certificate is self-signed.
const CONTEXT = HTTP2 ? { ignoreHTTPSErrors: true } : {};
const REBUILD = !!process.env.REBUILD;
const REUSE_BUILDS = !!process.env.REUSE_BUILDS;
const FULL_RUN =
  !process.env.ENGINES && !process.env.FIRST_QUERY && !process.env.RUNS && GZIP && !HTTP2 && !process.env.LINK_MBPS && !process.env.LINK_RTT_MS;
const OUT = path.resolve(
  process.env.ENGINES_OUT || (FULL_RUN ? path.join(ROOT, 'bench', 'results', `${CORPUS_TAG}.md`) : path.join(WORK, 'engines.md')),
);

const KEY_DELAY_MS = 30;
const LOAD_TIMEOUT_MS = 90_000;
const LINK_TIMEOUT_MS = 240_000;
const BUILD_TIMEOUT_MS = 900_000;
const WATCHDOG_MS = 45 * 60_000;

const T0 = Date.now();
const log = (msg) => process.stderr.write(`[engines ${((Date.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);
const loadAvg = () => os.loadavg()[0];

class CleanError extends Error {}

// ------------------------------------------------------------------ sizes

const SIZE_CACHE = path.join(WORK, 'sizes-cache.json');

/** {bytes, gzip, files} of a file list; gzip = per file gzip -9, or the file when that saves < 5 % (as served). */
async function sizeOf(files, gzipCache) {
  let cache = {};
  try {
    cache = JSON.parse(fs.readFileSync(SIZE_CACHE, 'utf8'));
  } catch {
    cache = {};
  }
  const h = crypto.createHash('sha1');
  const stats = files.map((f) => {
    const st = fs.statSync(f);
    h.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
    return st;
  });
  const sig = `${GZIP_LEVEL}:${h.digest('hex')}`;
  const bytes = stats.reduce((a, s) => a + s.size, 0);
  if (cache[sig]) return cache[sig];
  let gzip = 0;
  for (let i = 0; i < files.length; i++) {
    const raw = stats[i].size;
    let gz;
    if (raw >= 1 << 20) gz = await gzipCache.size(files[i]);
    else gz = zlib.gzipSync(fs.readFileSync(files[i]), { level: GZIP_LEVEL }).length;
    gzip += gz <= raw * 0.95 ? gz : raw;
  }
  const r = { bytes, gzip, files: files.length };
  cache[sig] = r;
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(SIZE_CACHE, JSON.stringify(cache));
  return r;
}

// ------------------------------------------------------------------ browser

/** One cold load in a fresh context: navigation start -> first results with total > 0. */
async function coldLoad(browser, { url, server, site, timeoutMs, errors, label }) {
  const context = await browser.newContext(CONTEXT);
  try {
    await context.addInitScript(loadProbe, {
      query: FIRST_QUERY,
      rootSel: site.rootSel,
      inputSel: site.inputSel,
      eventName: site.eventName,
      redispatch: !site.searchesEarlyInput,
    });
    const page = await context.newPage();
    attachErrors(page, errors, { label, maxLen: 300 });
    const { served, st } = await loadToFirstResults(page, { url, server, timeoutMs, gotoTimeoutMs: timeoutMs, extraStats: ['rawBytes'] });
    if (st.first === null) throw new Error(`data-state="error" at ${st.errorAt?.toFixed(0)} ms`);
    return {
      ttfr: st.first.t,
      ready: st.readyAt,
      dcl: st.dcl,
      total: st.first.total,
      ms: st.first.ms,
      redispatched: st.redispatchedAt !== null && st.first.t >= st.redispatchedAt,
      served,
    };
  } finally {
    await context.close().catch(() => {});
  }
}

async function measureMemory(page) {
  await collectGarbage(page);
  await page.waitForTimeout(200);
  const inPage = await page.evaluate(async () => {
    const r = { heap: performance.memory ? performance.memory.usedJSHeapSize : null, isolated: !!self.crossOriginIsolated };
    if (self.crossOriginIsolated && performance.measureUserAgentSpecificMemory) {
      try {
        const m = await performance.measureUserAgentSpecificMemory();
        const by = { total: m.bytes, js: 0, jsWindow: 0, jsWorkers: 0, dom: 0, shared: 0 };
        for (const b of m.breakdown) {
          if (b.types.includes('JavaScript')) {
            by.js += b.bytes;
            if (b.attribution.some((a) => /Worker/.test(a.scope))) by.jsWorkers += b.bytes;
            else by.jsWindow += b.bytes;
          } else if (b.types.includes('DOM')) by.dom += b.bytes;
          else if (b.types.includes('Shared')) by.shared += b.bytes;
        }
        r.uasm = by;
      } catch (e) {
        r.uasmError = String(e && e.message ? e.message : e);
      }
    }
    r.wasm = self.__benchWasm ? self.__benchWasm.bytes() : null;
    try {
      r.chronicleWasm = window.Chronicle && typeof window.Chronicle.memoryBytes === 'function' ? Number(window.Chronicle.memoryBytes()) : null;
    } catch {
      r.chronicleWasm = null;
    }
    return r;
  });
  const workerWasm = [];
  for (const w of page.workers()) {
    const b = await w.evaluate(() => (self.__benchWasm ? self.__benchWasm.bytes() : null)).catch(() => null);
    workerWasm.push({ url: w.url(), wasm: b });
  }
  const wasmBytes = (inPage.wasm ? inPage.wasm.bytes : 0) + workerWasm.reduce((a, w) => a + (w.wasm ? w.wasm.bytes : 0), 0);
  const workersHooked = workerWasm.every((w) => w.wasm !== null);
  const renderers = rendererProcesses();
  return {
    heapMain: inPage.heap,
    uasm: inPage.uasm || null,
    uasmError: inPage.uasmError || null,
    wasm: wasmBytes,
    wasmMemories: (inPage.wasm ? inPage.wasm.count : 0) + workerWasm.reduce((a, w) => a + (w.wasm ? w.wasm.count : 0), 0),
    wasmComplete: workersHooked,
    workers: workerWasm.map((w) => w.url),
    chronicleWasm: inPage.chronicleWasm,
    renderer: renderers[0] || null,
    renderers: renderers.length,
  };
}

/** Memory after load + first query, then the keystroke run, then memory again. */
async function memoryAndKeys(browser, { server, site, errors, label }) {
  const context = await browser.newContext(CONTEXT);
  try {
    await context.addInitScript(wasmHook);
    await context.addInitScript(keystrokeProbe, { inputSel: site.inputSel, eventName: site.eventName });
    for (const suffix of site.workerScripts) {
      // Prepend the wasm hook to the engine's worker script (this session only).
      await context.route(
        (u) => u.pathname === suffix,
        async (route) => {
          try {
            const resp = await route.fetch();
            const headers = { ...resp.headers() };
            delete headers['content-encoding'];
            delete headers['content-length'];
            await route.fulfill({ status: resp.status(), headers, body: workerHookSource + (await resp.text()) });
          } catch (e) {
            errors.push(`${label}: worker hook failed: ${e.message}`);
            await route.continue().catch(() => {});
          }
        },
      );
    }
    const page = await context.newPage();
    attachErrors(page, errors, { label, maxLen: 300 });
    await page.goto(server.url + site.page, { timeout: LOAD_TIMEOUT_MS });
    await page.waitForSelector(`${site.rootSel}[data-state="ready"]`, { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    // The first query, set programmatically, then let the engine settle.
    await page.evaluate(
      ({ q, sel, ev }) =>
        new Promise((resolve) => {
          const done = (e) => {
            if (e.detail && e.detail.query === q) {
              window.removeEventListener(ev, done, true);
              resolve();
            }
          };
          window.addEventListener(ev, done, true);
          const i = document.querySelector(sel);
          i.value = q;
          i.dispatchEvent(new Event('input', { bubbles: true }));
          setTimeout(resolve, 30_000);
        }),
      { q: FIRST_QUERY, sel: site.inputSel, ev: site.eventName },
    );
    await page.waitForTimeout(500);
    const memLoad = await measureMemory(page);

    server.resetStats();
    const keys = await typeQueries(page, { inputSel: site.inputSel, queries: KEYSTROKE_QUERIES, delayMs: KEY_DELAY_MS, settleMs: 10_000 });
    await page.waitForTimeout(300);
    // What the typing moved (and the 300 ms after: work a pause starts).
    keys.served = { bytes: server.stats.bytes, requests: server.stats.requests };
    const memTyped = await measureMemory(page);
    return { memLoad, memTyped, keys };
  } finally {
    await context.close().catch(() => {});
  }
}

// ------------------------------------------------------------------ formatting

const fmtS = (ms) => (Number.isFinite(ms) ? (ms >= 100_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`) : 'n/a');
const fmtT = (ms) => {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
};
const fmtN = (n) => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'n/a');
const fmtB = (b) => (Number.isFinite(b) ? fmtBytes(b) : 'n/a');

function fmtRatio(r) {
  if (!Number.isFinite(r)) return '';
  let s;
  if (r >= 100) s = r.toFixed(0);
  else if (r >= 10) s = r.toFixed(0);
  else if (r >= 1) s = r.toFixed(1);
  else if (r >= 0.1) s = r.toFixed(2);
  else s = r.toPrecision(1);
  return ` (${s}×)`;
}

// ------------------------------------------------------------------ main

async function main() {
  const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const watchdog = setTimeout(() => {
    log(`watchdog: the run took more than ${WATCHDOG_MS / 60000} min; giving up`);
    process.exit(3);
  }, WATCHDOG_MS);
  watchdog.unref();

  for (const k of SELECTED) if (!ALL_KEYS.includes(k)) throw new CleanError(`unknown engine "${k}" in ENGINES (known: ${ALL_KEYS.join(', ')})`);
  fs.mkdirSync(WORK, { recursive: true });
  if (OWN_WWW) prepareWww();
  const ctx = {
    root: ROOT,
    www: WWW,
    work: WORK,
    log,
    rebuild: REBUILD,
    buildTimeoutMs: BUILD_TIMEOUT_MS,
  };
  // CPU used by this run and by the rest of the machine, per phase.
  const cpu = startCpuSampler(2000);
  const sampleLoad = (phase) => cpu.phase(phase);
  const load1AtStart = loadAvg();

  // ---------------------------------------------------------- engines
  const engines = [];
  const skipped = [];
  for (const e of ENGINES.filter((x) => SELECTED.includes(x.key))) {
    const why = e.check(ctx);
    if (why) {
      skipped.push({ engine: e, why });
      log(`${e.name}: skipped: ${why}`);
    } else engines.push(e);
  }
  if (!engines.length) throw new CleanError('no engine can run (see the reasons above)');
  const chronicle = engines.find((e) => e.key === 'chronicle');
  const R = Object.fromEntries(engines.map((e) => [e.key, { version: e.version(ctx), errors: [], failures: [] }]));
  log(
    `engines: ${engines.map((e) => `${e.name} ${R[e.key].version}`).join(', ')}; ${RUNS} cold loads each; first query "${FIRST_QUERY}"; ` +
      `${HAVE_GNU_TIME ? 'GNU time' : '/proc polling (no /usr/bin/time)'}; load average ${loadAvg().toFixed(2)}`,
  );

  // ---------------------------------------------------------- 1. builds
  const buildsFile = path.join(WORK, 'builds.json');
  let previous = {};
  if (REUSE_BUILDS) {
    try {
      previous = JSON.parse(fs.readFileSync(buildsFile, 'utf8'));
    } catch {
      previous = {};
    }
  }
  for (const e of engines) {
    sampleLoad(`build ${e.key}`);
    if (REUSE_BUILDS && previous[e.key]) {
      R[e.key].build = { ...previous[e.key], reused: true };
      log(`${e.name}: REUSE_BUILDS: build figures of ${previous[e.key].at}`);
      continue;
    }
    try {
      const b = await e.build(ctx);
      R[e.key].build = {
        wallMs: b.wallMs,
        peakRss: b.peakRss,
        treePeakRss: b.treePeakRss,
        treeCpuS: b.treeCpuS ?? null,
        method: b.method,
        cached: b.cached,
        userS: b.userS ?? null,
        sysS: b.sysS ?? null,
        cpuPercent: b.cpuPercent ?? null,
        notes: b.notes || [],
        at: new Date().toISOString(),
        load1: loadAvg(),
      };
      log(
        `${e.name}: build ${fmtS(b.wallMs)}${b.cached ? ' (cached)' : ''}, peak RSS ${fmtB(b.peakRss ?? NaN)}` +
          `${b.treePeakRss ? `, process tree ${fmtB(b.treePeakRss)}` : ''}`,
      );
    } catch (err) {
      R[e.key].failures.push(`build: ${err.message.split('\n')[0]}`);
      log(`${e.name}: BUILD FAILED: ${err.message}`);
    }
  }
  const builds = {};
  for (const e of engines) if (R[e.key].build && !R[e.key].build.reused) builds[e.key] = R[e.key].build;
  if (Object.keys(builds).length) {
    let old = {};
    try {
      old = JSON.parse(fs.readFileSync(buildsFile, 'utf8'));
    } catch {
      old = {};
    }
    fs.writeFileSync(buildsFile, JSON.stringify({ ...old, ...builds }, null, 2) + '\n');
  }

  // ---------------------------------------------------------- 2. sizes
  sampleLoad('sizes');
  const gzipCache = new GzipCache(path.join(WORK, 'gz'));
  const runnable = [];
  for (const e of engines) {
    try {
      const f = e.files(ctx);
      const missing = [...f.index, ...f.code].filter((p) => !fs.existsSync(p));
      if (missing.length) throw new Error(`missing ${missing.slice(0, 3).map((p) => path.relative(ROOT, p)).join(', ')}`);
      log(`${e.name}: sizing ${fmtN(f.index.length + f.code.length)} files (gzip -${GZIP_LEVEL})`);
      R[e.key].index = await sizeOf(f.index, gzipCache);
      R[e.key].code = await sizeOf(f.code, gzipCache);
      R[e.key].fileNotes = f.notes;
      runnable.push(e);
    } catch (err) {
      R[e.key].failures.push(`files: ${err.message}`);
      log(`${e.name}: cannot size its files: ${err.message}`);
    }
  }

  // ---------------------------------------------------------- 3-6. browser
  sampleLoad('browser');
  const browser = await launchChromium({
    extraArgs: ['--enable-precise-memory-info', '--enable-blink-features=ForceEagerMeasureMemory'],
  });
  const chromiumVersion = browser.version();
  const servers = {};
  try {
    for (const e of runnable) {
      const site = e.site(ctx);
      servers[e.key] = {
        site,
        plain: await startBenchServer({ mounts: site.mounts, gzip: GZIP, gzipCache, http2: HTTP2 }),
        isolated: await startBenchServer({ mounts: site.mounts, gzip: GZIP, gzipCache, crossOriginIsolated: true, http2: HTTP2 }),
      };
      R[e.key].cold = [];
    }
    // A cold load of engine e's page from its plain server.
    const httpLoad = (e, timeoutMs, errors) => {
      const s = servers[e.key];
      return coldLoad(browser, { url: s.plain.url + s.site.page, server: s.plain, site: s.site, timeoutMs, errors, label: e.name });
    };
    // Warm-up (OS file cache, gzip cache, Chromium), not recorded.
    for (const e of runnable) {
      log(`${e.name}: warm-up load`);
      await httpLoad(e, LOAD_TIMEOUT_MS, []).catch((err) => log(`${e.name}: warm-up failed: ${err.message.split('\n')[0]}`));
    }
    // Cold loads, interleaved so that machine noise spreads over all engines.
    for (let i = 0; i < RUNS; i++) {
      sampleLoad(`cold run ${i + 1}`);
      for (const e of runnable) {
        try {
          const r = await httpLoad(e, LOAD_TIMEOUT_MS, R[e.key].errors);
          R[e.key].cold.push(r);
          log(`${e.name}: cold load ${i + 1}/${RUNS}: first results at ${fmtT(r.ttfr)}, ${r.served.requests} requests, ${fmtB(r.served.bytes)}`);
        } catch (err) {
          R[e.key].failures.push(`cold load ${i + 1}: ${err.message.split('\n')[0]}`);
          log(`${e.name}: cold load ${i + 1} FAILED: ${err.message.split('\n')[0]}`);
        }
      }
    }
    // Offline single file (Chronicle), from file://.
    sampleLoad('offline');
    for (const e of runnable) {
      const url = e.offline(ctx);
      if (!url) continue;
      R[e.key].offline = [];
      R[e.key].offlineBytes = fs.statSync(fileURLToPath(url)).size;
      for (let i = 0; i <= RUNS; i++) {
        try {
          const r = await coldLoad(browser, {
            url,
            server: null,
            site: servers[e.key].site,
            timeoutMs: LOAD_TIMEOUT_MS,
            errors: i ? R[e.key].errors : [],
            label: `${e.name} offline`,
          });
          if (i) R[e.key].offline.push(r); // run 0 is a warm-up
          log(`${e.name}: offline file ${i ? `${i}/${RUNS}` : 'warm-up'}: first results at ${fmtT(r.ttfr)}`);
        } catch (err) {
          R[e.key].failures.push(`offline load ${i}: ${err.message.split('\n')[0]}`);
          log(`${e.name}: offline load FAILED: ${err.message.split('\n')[0]}`);
        }
      }
    }
    // One load over the emulated link.
    if (LINK.mbps > 0) {
      sampleLoad('link');
      for (const e of runnable) {
        const s = servers[e.key];
        s.plain.setLink(LINK);
        try {
          log(`${e.name}: cold load over an emulated ${LINK.mbps} Mbit/s, ${LINK.rttMs} ms RTT link`);
          R[e.key].link = await httpLoad(e, LINK_TIMEOUT_MS, R[e.key].errors);
          log(`${e.name}: emulated link: first results at ${fmtT(R[e.key].link.ttfr)}`);
        } catch (err) {
          R[e.key].failures.push(`emulated link load: ${err.message.split('\n')[0]}`);
          log(`${e.name}: emulated link load FAILED: ${err.message.split('\n')[0]}`);
        } finally {
          s.plain.setLink(null);
        }
      }
    }
    // Memory and keystrokes.
    for (const e of runnable) {
      sampleLoad(`keys ${e.key}`);
      const s = servers[e.key];
      log(`${e.name}: memory after load, then ${KEYSTROKE_QUERIES.length} queries typed key by key`);
      try {
        const r = await memoryAndKeys(browser, { server: s.isolated, site: s.site, errors: R[e.key].errors, label: e.name });
        Object.assign(R[e.key], r);
        const lat = r.keys.samples.map((x) => x.latency);
        log(
          `${e.name}: keystrokes median ${fmtT(median(lat))}, p95 ${fmtT(percentile(lat, 95))} (${lat.length} samples); ` +
            `JS ${fmtB(r.memLoad.uasm?.js ?? r.memLoad.heapMain)} + wasm ${fmtB(r.memLoad.wasm)}, renderer USS ${fmtB(r.memLoad.renderer?.uss)}`,
        );
      } catch (err) {
        R[e.key].failures.push(`memory/keystrokes: ${err.message.split('\n')[0]}`);
        log(`${e.name}: memory/keystrokes FAILED: ${err.message.split('\n')[0]}`);
      }
    }
  } finally {
    for (const s of Object.values(servers)) {
      await s.plain.close();
      await s.isolated.close();
    }
    await browser.close().catch(() => {});
    for (const e of engines) {
      try {
        e.cleanup?.(ctx);
      } catch (err) {
        log(`${e.name}: cleanup failed: ${err.message}`);
      }
    }
  }
  const cpuPhases = cpu.stop();

  // ---------------------------------------------------------- report
  const totalMs = Date.now() - T0;
  const { md, readme } = report({ engines, skipped, R, chronicle, startedAt, totalMs, chromiumVersion, cpuPhases, load1AtStart });
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, md);
  fs.writeFileSync(
    path.join(WORK, 'results.json'),
    JSON.stringify({ startedAt, R, skipped: skipped.map((s) => ({ engine: s.engine.key, why: s.why })), cpuPhases }, null, 1),
  );
  process.stdout.write(md);
  log(`wrote ${path.relative(ROOT, OUT)} (raw figures: ${path.relative(ROOT, path.join(WORK, 'results.json'))})`);
  if (FULL_RUN && !process.env.ENGINES_OUT) {
    if (updateReadme(readme)) log('updated the "Engines side by side" table in bench/README.md');
    else log('bench/README.md has no engines markers: table not updated');
  }
  const failed = engines.filter((e) => R[e.key].failures.length);
  if (failed.length) {
    log(`some measurements failed: ${failed.map((e) => `${e.name}: ${R[e.key].failures.join('; ')}`).join(' | ')}`);
    process.exitCode = 1;
  }
}

// ------------------------------------------------------------------ report

function report({ engines, skipped, R, chronicle, startedAt, totalMs, chromiumVersion, cpuPhases, load1AtStart }) {
  const ref = chronicle ? R[chronicle.key] : null;
  // A row: label + a getter returning a number (or null) + a formatter.
  // Ratios are to Chronicle's value of the same row.
  const rows = [];
  const row = (label, get, fmt, { ratio = true, extra } = {}) => {
    const refV = ref ? safe(get, ref, chronicle) : null;
    const cells = engines.map((e) => {
      const v = safe(get, R[e.key], e);
      if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) {
        const x = extra ? extra(R[e.key], e) : null;
        return x || 'n/a';
      }
      let s = typeof v === 'number' ? fmt(v) : String(v);
      if (ratio && e !== chronicle && typeof v === 'number' && Number.isFinite(refV) && refV > 0) s += fmtRatio(v / refV);
      const x = extra ? extra(R[e.key], e) : null;
      if (x) s += ` ${x}`;
      return s;
    });
    rows.push([label, ...cells]);
  };
  const safe = (get, r, e) => {
    try {
      return get(r, e);
    } catch {
      return null;
    }
  };
  const med = (xs) => {
    const v = median(xs.filter((x) => Number.isFinite(x)));
    return Number.isFinite(v) ? v : null;
  };
  const coldMed = (r, f) => med((r.cold || []).map(f));
  const lat = (r) => (r.keys ? r.keys.samples.map((s) => s.latency) : []);
  const latStamp = (r) => (r.keys ? r.keys.samples.map((s) => s.fromStamp) : []);
  const buildPeak = (b) => {
    const v = Math.max(b?.peakRss || 0, b?.treePeakRss || 0);
    return v > 0 ? v : null;
  };
  const jsAll = (m) => (m ? (m.uasm ? m.uasm.js : m.heapMain) : null);
  const total = (m) => (m ? jsAll(m) + (m.wasm || 0) : null);

  row('**Build** wall time', (r) => r.build.wallMs, fmtS, {
    extra: (r) => (r.build?.cached ? '¹' : ''),
  });
  row('Build peak memory (RSS)²', (r) => buildPeak(r.build), fmtB, {
    extra: (r) => (r.build?.cached && buildPeak(r.build) == null ? 'not recorded¹' : ''),
  });
  row('**Index on disk** bytes', (r) => r.index.bytes, fmtB);
  row(`Index on disk, gzip -${GZIP_LEVEL} per file`, (r) => r.index.gzip, fmtB);
  row('Index files', (r) => r.index.files, fmtN, { ratio: false });
  row('Search code (JS + wasm + CSS), gzip', (r) => r.code.gzip, fmtB, {
    extra: (r) => (r.code ? `(${fmtB(r.code.bytes)} raw, ${r.code.files} file${r.code.files === 1 ? '' : 's'})` : ''),
  });
  row(`**Cold first query, ${HTTP2 ? 'HTTP/2' : 'HTTP'} loopback**: navigation → first results (median of ${RUNS})`, (r) => coldMed(r, (c) => c.ttfr), fmtT);
  row('… bytes on the wire until first results', (r) => coldMed(r, (c) => c.served.bytes), fmtB);
  row('… the same, uncompressed', (r) => coldMed(r, (c) => c.served.rawBytes), fmtB);
  row('… requests until first results', (r) => coldMed(r, (c) => c.served.requests), fmtN);
  if (LINK.mbps > 0) {
    row(`Cold first query over an emulated ${LINK.mbps} Mbit/s, ${LINK.rttMs} ms RTT link (1 run)`, (r) => r.link.ttfr, fmtT);
  }
  row(`**Keystroke → results rendered**, median (${KEYSTROKE_QUERIES.length} queries typed)`, (r) => med(lat(r)), fmtT);
  row('… p95', (r) => {
    const v = percentile(lat(r), 95);
    return Number.isFinite(v) ? v : null;
  }, fmtT);
  row('… max', (r) => {
    const v = max(lat(r));
    return Number.isFinite(v) ? v : null;
  }, fmtT);
  row('… the engine\'s own search + render time, median', (r) => med(r.keys.samples.map((x) => x.ms)), fmtT);
  row('… bytes on the wire while typing them', (r) => r.keys.served.bytes, fmtB, { extra: (r) => r?.keys?.served && `in ${fmtN(r.keys.served.requests)} requests` });
  row('… keystrokes that got their own results', (r) => (r.keys ? `${r.keys.samples.length} of ${KEYSTROKE_QUERIES.reduce((a, q) => a + q.length, 0)}` : null), String, { ratio: false });
  row('**Memory after load + first query**: JS heap, page + workers³', (r) => jsAll(r.memLoad), fmtB);
  row('… JS heap, main thread (`performance.memory`)', (r) => r.memLoad.heapMain, fmtB);
  row('… wasm linear memory', (r) => r.memLoad.wasm, fmtB, {
    extra: (r) => (r.memLoad && !r.memLoad.wasmComplete ? '(workers not seen)' : ''),
  });
  row('… JS + wasm', (r) => total(r.memLoad), fmtB);
  row('… renderer process private memory (USS)⁴', (r) => r.memLoad.renderer.uss, fmtB);
  row(`Memory after typing the ${KEYSTROKE_QUERIES.length} queries: JS + wasm`, (r) => total(r.memTyped), fmtB);
  row('… renderer process private memory (USS)⁴', (r) => r.memTyped.renderer.uss, fmtB);
  row(
    `**Offline single file from file://**: first results (median of ${RUNS})`,
    (r) => (r.offline && r.offline.length ? med(r.offline.map((c) => c.ttfr)) : null),
    fmtT,
    { ratio: false, extra: (r, e) => (r.offline ? '' : e.offlineNote || '') },
  );
  const gzInput = CORPUS_FILES.reduce((a, f) => a + fs.statSync(f).size, 0);
  row('… the offline file\'s bytes', (r) => r.offlineBytes ?? null, fmtB, {
    ratio: false,
    extra: (r) => (r.offlineBytes ? `(${(r.offlineBytes / gzInput).toFixed(2)} × the gzipped input)` : ''),
  });

  const header = ['measure', ...engines.map((e) => `${e.name} ${R[e.key].version.split(' ')[0]}`)];
  const table = markdownTable(header, rows);

  // ---------------------------------------------------------- notes
  const notes = [];
  const s1 = engines.filter((e) => R[e.key].build?.cached);
  if (s1.length) notes.push(`¹ ${s1.map((e) => `${e.name}: ${R[e.key].build.notes.join('; ')}`).join(' ')}`);
  notes.push(
    `² The larger of two figures: GNU time's maximum RSS (\`/usr/bin/time -v\`; the largest single process it saw) and the peak of the RSS summed over the build's whole process tree, polled from \`/proc\` every 100 ms (Pagefind's Node API runs its indexer as a separate process, which GNU time does not count).`,
  );  notes.push(
    '³ `performance.measureUserAgentSpecificMemory()` on a cross-origin-isolated copy of the page (COOP/COEP headers): JS heaps of the page and of its dedicated workers (Pagefind searches in a web worker), after a forced GC; wasm linear memory is not in it and is counted separately (every `WebAssembly.Memory` the page or its workers instantiate, recorded by a hook injected into the page and the worker script).',
  );

  notes.push(
    '⁴ Private memory (USS, `Private_Clean + Private_Dirty` of `/proc/PID/smaps_rollup`) of the largest Chromium renderer process this harness started: everything the tab costs (JS heaps, wasm, DOM, decoded resources, the renderer\'s own baseline of some 10–20 MB).',
  );
  for (const e of engines) {
    const r = R[e.key];
    const parts = [];
    if (r.build) {
      const b = r.build;
      const extra = [];
      if (b.peakRss || b.treePeakRss) {
        extra.push(`peak RSS ${fmtB(b.peakRss ?? NaN)} for the largest process (${b.method === 'gnu-time' ? 'GNU time' : b.method}), ${fmtB(b.treePeakRss ?? NaN)} summed over the process tree`);
      }
      if (b.treeCpuS) extra.push(`CPU ${b.treeCpuS.toFixed(1)} s (whole process tree, /proc)`);
      if (b.reused) extra.push(`build figures reused from ${b.at} (REUSE_BUILDS=1)`);
      if (!b.cached && b.notes?.length) extra.push(...b.notes);
      if (Number.isFinite(b.load1)) extra.push(`1-min load average after the build ${b.load1.toFixed(2)}`);
      if (extra.length) parts.push(`build: ${extra.join('; ')}`);
    }
    if (r.fileNotes?.length) parts.push(r.fileNotes.join('; '));
    const lastCold = (r.cold || [])[r.cold?.length - 1];
    if (lastCold?.served) {
      const ps = lastCold.served.paths;
      const big = ps.slice().sort((a, b) => b.bytes - a.bytes);
      const shown = big.slice(0, 6).map((p) => `${p.path} ${fmtB(p.bytes)}${p.gzip ? ' gz' : ''}`);
      parts.push(
        `first query "${FIRST_QUERY}" (${fmtN(lastCold.total)} results): ${ps.length} requests, largest: ${shown.join(', ')}${ps.length > 6 ? ` and ${ps.length - 6} more` : ''}`,
      );
      const ttfr = (r.cold || []).map((c) => c.ttfr);
      const ready = med((r.cold || []).map((c) => c.ready));
      parts.push(`cold loads: first results ${fmtT(min(ttfr))} – ${fmtT(max(ttfr))}, engine ready (data-state) at ${fmtT(ready)} median`);
    }
    if (r.link?.served) parts.push(`emulated link: ${fmtB(r.link.served.bytes)} in ${r.link.served.requests} requests`);
    if (r.keys) {
      const k = r.keys;
      const ls = latStamp(r);
      parts.push(
        `keystrokes from the keydown event's own timestamp (includes waiting for a busy main thread): median ${fmtT(median(ls))}, p95 ${fmtT(percentile(ls, 95))}`,
      );
      if (k.coalesced) parts.push(`${k.coalesced} keystrokes were superseded by the next one before their results rendered`);
      if (k.leftover) parts.push(`${k.leftover} keystrokes never got results`);
      const slow = k.perQuery
        .filter((p) => p.worst)
        .sort((a, b) => b.worst.latency - a.worst.latency)
        .slice(0, 3)
        .map((p) => `"${p.worst.query}"${p.worst.query !== p.q ? ` (typing "${p.q}")` : ''} ${fmtT(p.worst.latency)}, ${fmtN(p.worst.total)} results`);
      if (slow.length) parts.push(`slowest keystrokes: ${slow.join(', ')}`);
      const zero = k.perQuery.filter((p) => p.total === 0).map((p) => `"${p.q}"`);
      if (zero.length) parts.push(`no results for the full query: ${zero.join(', ')}`);
    }
    if (r.memLoad) {
      const m = r.memLoad;
      const u = m.uasm;
      if (u) parts.push(`JS heap split: window ${fmtB(u.jsWindow)}, workers ${fmtB(u.jsWorkers)}; DOM ${fmtB(u.dom)}`);
      if (m.chronicleWasm != null) parts.push(`\`Chronicle.memoryBytes()\` ${fmtB(m.chronicleWasm)}`);
      if (m.uasmError) parts.push(`measureUserAgentSpecificMemory failed: ${m.uasmError}`);
    }
    const redis = [...(r.cold || []), ...(r.offline || [])].filter((c) => c.redispatched).length;
    if (redis) parts.push(`${redis} load(s) dropped the query typed while loading; it was typed again after ready`);
    if (r.errors.length) parts.push(`${r.errors.length} console/page errors, e.g. ${r.errors.slice(0, 2).join(' / ')}`);
    if (r.failures.length) parts.push(`**FAILED**: ${r.failures.join('; ')}`);
    notes.push(`**${e.name}**: ${parts.join('. ')}.`);
  }
  for (const s of skipped) notes.push(`**${s.engine.name}**: skipped: ${s.why}.`);

  const cpus = os.cpus();
  const machine = machineInfo();
  // Other processes' CPU use (cores), per group of phases, weighted by time.
  const group = (pred) => {
    const ps = cpuPhases.filter((p) => pred(p.phase));
    const wall = ps.reduce((a, p) => a + p.wallS, 0);
    if (wall < 1) return null;
    return {
      others: ps.reduce((a, p) => a + p.othersCores * p.wallS, 0) / wall,
      ours: ps.reduce((a, p) => a + p.oursCores * p.wallS, 0) / wall,
      max: Math.max(...ps.map((p) => p.othersMaxCores)),
    };
  };
  const cpuGroups = [
    ['builds', group((p) => p.startsWith('build '))],
    ['cold loads', group((p) => p.startsWith('cold run') || p === 'browser' || p === 'offline' || p === 'link')],
    ['typing and memory', group((p) => p.startsWith('keys '))],
  ].filter(([, g]) => g);
  const browserOthers = [group((p) => p.startsWith('cold run')), group((p) => p.startsWith('keys '))].filter(Boolean);
  const busy = browserOthers.some((g) => g.others > 0.3) || cpuGroups.some(([, g]) => g.others > 0.5);
  const cpuLine = cpuGroups
    .map(([name, g]) => `${name} ${g.others.toFixed(2)} (peak ${g.max.toFixed(1)}; this run ${g.ours.toFixed(2)})`)
    .join(', ');
  const method = [
    `Pages: Chronicle = \`www/index.html\` (the demo: widget rendering ${engines.find((e) => e.key === 'chronicle')?.rendersHits ?? 10} hits with highlighted snippets, facets and timeline computed when typing pauses); Pagefind and MiniSearch = minimal pages of \`bench/engines/pages/\` rendering the top 10 titles and dates (Pagefind: \`pagefind.js\` with its defaults, which search in a web worker; \`init()\` on load, then \`search(q)\` and \`.data()\` of the top 10; MiniSearch: fetch \`index.json\`, \`MiniSearch.loadJSON\`, search with \`{prefix: true, fuzzy: 0.2, boost: {title: 2}}\` as in the relevance benchmark). No debounce anywhere: every input is searched, except that these pages keep at most one search in flight (inputs typed meanwhile are coalesced into one search of the newest value; only the asynchronous Pagefind ever waits). Chronicle's widget searches synchronously on every input.`,
    `Server: loopback, ${HTTP2 ? 'HTTP/2 over TLS (HTTP2=1)' : 'HTTP/1.1'}, \`Cache-Control: no-store\`, ${GZIP ? `gzip -${GZIP_LEVEL} (\`Content-Encoding: gzip\`) for every file it shrinks by ≥ 5 %, as a static host with precompressed files would (Pagefind's index chunks are gzip already and go as they are)` : 'no compression (GZIP=0)'}. Bytes = what the server sent from navigation until the first results were in the DOM.`,
    `Cold loads: a fresh browser context each (empty cache), one unrecorded warm-up per engine, runs interleaved across engines; the first query is set programmatically as soon as the search box exists; time origin = navigation start.${LINK.mbps > 0 ? ` Emulated link: the server delays each response by ${LINK.rttMs} ms and paces all bodies through one shared ${LINK.mbps} Mbit/s pipe.` : ''}`,
    `Keystrokes: the ${KEYSTROKE_QUERIES.length} queries of \`bench/perf.mjs\` typed with ${KEY_DELAY_MS} ms between keys; latency from the keydown listener to the engine's results event for that input (Chronicle: \`chronicle:results\`; the other pages dispatch \`bench:results\` right after rendering), like \`bench/perf.mjs\`.`,
    'Ratios in parentheses: the engine\'s value / Chronicle\'s (lower is better everywhere).',
  ];

  const md = [
    '# Engines side by side: Chronicle, Pagefind, MiniSearch',
    '',
    `Generated by \`node bench/engines/run.mjs\` on ${startedAt} (total ${fmtS(totalMs)}).`,
    '',
    `- Corpus: ${CORPUS_MAIN ? 'the main WCEP corpus alone (`BENCH_CORPUS=main`), 69,149 events, 1999–2018 (`data/wcep-events.jsonl.gz`' : 'the full WCEP corpus, 114,017 events (`data/*.jsonl.gz`'}, ${fmtB(CORPUS_FILES.reduce((a, f) => a + fs.statSync(f).size, 0))} gzip), the same for every engine.`,
    `- Engines: ${engines.map((e) => `${e.name} ${R[e.key].version}`).join('; ')}.`,
    `- Machine: ${machine}; Node ${process.version}; headless Chromium ${chromiumVersion} (${CHROMIUM_PATH}).`,
    `- CPU used by other processes during the run, in cores of ${cpus.length} (2-s samples of \`/proc/stat\` minus this run's process tree): ${cpuLine}; 1-min load average at the start ${load1AtStart.toFixed(2)}.${busy ? ' **The machine was busy** (other builds), so times are noisier than usual.' : ''}`,
    `- First query: "${FIRST_QUERY}".`,
    '',
    table,
    '',
    '## Method',
    '',
    ...method.map((m) => `- ${m}`),
    '',
    '## Notes',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');

  const readme = [
    `Run of ${startedAt} (${RUNS} cold loads per engine, first query "${FIRST_QUERY}", total ${fmtS(totalMs)}${busy ? '; the machine was busy' : ''}); ` +
      `method, footnotes ¹–⁴ and notes: [\`bench/results/${CORPUS_TAG}.md\`](results/${CORPUS_TAG}.md).`,
    '',
    table,
  ].join('\n');
  return { md, readme };
}

/**
 * Chronicle's pages over the main corpus alone: www/'s pages and code
 * copied into WORK/www/, with the single file, the split index and the
 * offline file built from the corpus as build.sh builds www/'s.
 */
function prepareWww() {
  const src = path.join(ROOT, 'www');
  fs.rmSync(WWW, { recursive: true, force: true });
  fs.mkdirSync(path.join(WWW, 'split'), { recursive: true });
  for (const f of fs.readdirSync(src)) {
    if (/\.(html|css|js|mjs|wasm|json|svg|ts|mts)$/.test(f) && f !== 'offline.html') fs.copyFileSync(path.join(src, f), path.join(WWW, f));
  }
  fs.copyFileSync(path.join(src, 'split', 'index.html'), path.join(WWW, 'split', 'index.html'));
  const cli = process.env.CHRONICLE_BIN || path.join(ROOT, 'target', 'release', 'chronicle');
  const run = (args) => execFileSync(cli, args, { stdio: ['ignore', 'ignore', 'inherit'], timeout: BUILD_TIMEOUT_MS });
  run(['build', ...CORPUS_FILES, '-o', path.join(WWW, 'events.chron'), '--split', path.join(WWW, 'split')]);
  run(['bundle', path.join(WWW, 'split'), '-o', path.join(WWW, 'offline.html'), '--title', 'Chronicle · offline']);
  log(`made ${path.relative(ROOT, WWW)}/ from the main corpus (pages and code copied from www/)`);
}

function updateReadme(block) {
  const file = path.join(ROOT, 'bench', 'README.md');
  if (!fs.existsSync(file)) return false;
  const text = fs.readFileSync(file, 'utf8');
  const re = new RegExp(`(<!-- ${CORPUS_TAG}:begin[^>]*-->\\n)[\\s\\S]*?(\\n<!-- ${CORPUS_TAG}:end -->)`);
  if (!re.test(text)) return false;
  fs.writeFileSync(file, text.replace(re, (_, a, b) => `${a}${block}${b}`));
  return true;
}

process.on('SIGINT', () => {
  log('interrupted');
  process.exit(130);
});

main().catch((e) => {
  log(`engines benchmark failed: ${e instanceof CleanError ? e.message : e.stack || e}`);
  process.exit(1);
});
