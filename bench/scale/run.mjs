// How Chronicle scales with the archive: synthetic archives of 114,017 (the
// real corpus), 500,000 and 1,000,000 events (bench/scale/synth.mjs), each
// built as a single file and as a site (`build --site`, a split index),
// then a cold first query over HTTP against the site.
//
//   bash build.sh                      # target/release/chronicle
//   node bench/scale/run.mjs           # ~10 min on two cores
//
// Per size it reports: the input (bytes, gzipped); the build's wall time
// and peak memory (GNU time's maximum RSS, or RSS polled from /proc), for
// the single file and for the site; the index's bytes (raw and gzip -9;
// the split index's files and its core); and a cold first query of
// "earthquake japan" in a fresh browser context from a loopback server
// that gzips what shrinks: bytes and requests until the first results,
// wasm and JS included (median of RUNS, default 3).
//
// Env: SIZES (default 114017,500000,1000000), RUNS, FIRST_QUERY,
//      CHRONICLE_BIN. Archives are kept in bench/work/scale/ and made
//      again only when missing. Writes bench/results/scale.md and the
//      table between the scale markers in bench/README.md.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { synthesize, loadCorpus } from './synth.mjs';
import { runMeasured } from '../engines/measure.mjs';
import { startBenchServer, GzipCache } from '../engines/server.mjs';
import { loadProbe, loadToFirstResults } from '../lib/browser.mjs';
import { machineInfo } from '../lib/machine.mjs';
import { median, markdownTable } from '../lib/stats.mjs';
import { launchChromium } from '../../tests/e2e/browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const WORK = path.join(ROOT, 'bench', 'work', 'scale');
const CLI = process.env.CHRONICLE_BIN || path.join(ROOT, 'target', 'release', 'chronicle');
const SIZES = (process.env.SIZES || '114017,500000,1000000').split(',').map(Number);
const RUNS = Math.max(1, Number(process.env.RUNS) || 3);
const FIRST_QUERY = process.env.FIRST_QUERY || 'earthquake japan';
const README = path.join(ROOT, 'bench', 'README.md');
const RESULT = path.join(ROOT, 'bench', 'results', 'scale.md');

const MiB = 2 ** 20;
const mb = (b) => `${(b / MiB).toFixed(1)} MiB`;
const kb = (b) => `${(b / 1024).toFixed(0)} KiB`;
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const gzipSize = (file) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;

function filesUnder(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function measuredBuild(args) {
  const r = await runMeasured(CLI, args, { timeoutMs: 1_800_000 });
  if (r.code !== 0) throw new Error(`chronicle ${args.join(' ')} failed (${r.code}): ${r.stderr?.slice(-500)}`);
  return r;
}

async function coldQuery(browser, url, server) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(loadProbe, {
      query: FIRST_QUERY,
      rootSel: '[data-chronicle]',
      inputSel: 'input[role="combobox"]',
      eventName: 'chronicle:results',
      redispatch: true,
    });
    const page = await context.newPage();
    const { served, st } = await loadToFirstResults(page, { url, server, timeoutMs: 120_000, gotoTimeoutMs: 120_000 });
    if (st.first === null) throw new Error(`no results for ${FIRST_QUERY}`);
    return { ms: st.first.t, bytes: served.bytes, requests: served.requests };
  } finally {
    await context.close().catch(() => {});
  }
}

async function main() {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run bash build.sh first`);
  fs.mkdirSync(WORK, { recursive: true });
  let corpus = null;
  const rows = [];
  const browser = await launchChromium();
  try {
    for (const n of SIZES) {
      const input = path.join(WORK, `events-${n}.jsonl.gz`);
      if (!fs.existsSync(input)) {
        corpus ??= await loadCorpus();
        console.log(`making ${input}`);
        await synthesize(n, input, corpus);
      }
      const single = path.join(WORK, `events-${n}.chron`);
      console.log(`${n}: single file`);
      const b1 = await measuredBuild(['build', input, '-o', single]);
      const site = path.join(WORK, `site-${n}`);
      fs.rmSync(site, { recursive: true, force: true });
      console.log(`${n}: site`);
      const b2 = await measuredBuild(['build', input, '--site', site]);
      const tag = b2.stdout.split('\n').map((l) => l.trim()).find((l) => l.startsWith('<script'));
      if (!tag) throw new Error(`build --site printed no script tag:\n${b2.stdout}`);
      fs.writeFileSync(
        path.join(site, 'index.html'),
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Scale ${n}</title></head>` +
          `<body><main><h1>Scale ${n}</h1><div data-chronicle></div></main>${tag}</body></html>\n`,
      );
      const split = path.join(site, 'chronicle', 'index');
      const splitFiles = fs.existsSync(split) ? filesUnder(split) : [];
      const core = path.join(split, 'index.chron');
      const server = await startBenchServer({ mounts: [['/', site]], gzipCache: new GzipCache(null) });
      const cold = [];
      try {
        for (let i = 0; i < RUNS; i++) cold.push(await coldQuery(browser, `${server.url}/index.html`, server));
      } finally {
        await server.close();
      }
      const row = {
        events: n,
        inputBytes: fs.statSync(input).size,
        single: { ms: b1.wallMs, rss: b1.peakRss, bytes: fs.statSync(single).size, gzip: gzipSize(single) },
        site: {
          ms: b2.wallMs,
          rss: b2.peakRss,
          files: splitFiles.length,
          bytes: splitFiles.reduce((s, f) => s + fs.statSync(f).size, 0),
          core: fs.existsSync(core) ? fs.statSync(core).size : null,
        },
        cold: {
          bytes: median(cold.map((c) => c.bytes)),
          requests: median(cold.map((c) => c.requests)),
          ms: median(cold.map((c) => c.ms)),
        },
      };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  } finally {
    await browser.close();
  }
  const base = rows.find((r) => r.events === 114017) ?? rows[0];
  const table = markdownTable(
    ['events', 'input (gzip)', 'build: single file', 'build: site (split)', 'single file (gzip)', 'split: files, core', 'cold first query'],
    rows.map((r) => [
      r.events.toLocaleString('en-US'),
      mb(r.inputBytes),
      `${secs(r.single.ms)}, ${mb(r.single.rss)}`,
      `${secs(r.site.ms)}, ${mb(r.site.rss)}`,
      `${mb(r.single.bytes)} (${mb(r.single.gzip)}, ${(r.single.gzip / r.inputBytes).toFixed(2)}× the input)`,
      `${r.site.files.toLocaleString('en-US')}, ${r.site.core === null ? '–' : kb(r.site.core)}`,
      `${kb(r.cold.bytes)} in ${r.cold.requests} requests (${(r.cold.bytes / base.cold.bytes).toFixed(2)}×), ${secs(r.cold.ms)}`,
    ]),
  );
  const m = machineInfo();
  const report = `# Scale\n\n\`node bench/scale/run.mjs\` on ${new Date().toISOString().slice(0, 10)}, ${m}\n\n${table}\n\nCold first query: "${FIRST_QUERY}", median of ${RUNS}, wasm and JS included, bytes as sent (gzip where it shrinks). Build memory: peak RSS.\n`;
  fs.mkdirSync(path.dirname(RESULT), { recursive: true });
  fs.writeFileSync(RESULT, report);
  fs.writeFileSync(path.join(WORK, 'results.json'), JSON.stringify(rows, null, 2));
  const readme = fs.readFileSync(README, 'utf8');
  const begin = '<!-- scale:begin (written by bench/scale/run.mjs) -->';
  const end = '<!-- scale:end -->';
  if (readme.includes(begin) && readme.includes(end)) {
    const before = readme.slice(0, readme.indexOf(begin) + begin.length);
    const after = readme.slice(readme.indexOf(end));
    fs.writeFileSync(README, `${before}\n${table}\n${after}`);
  }
  console.log(report);
}

await main();
