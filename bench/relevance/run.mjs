// Relevance benchmark: Chronicle vs MiniSearch vs Pagefind on the labelled
// query set of bench/relevance/queries.jsonl (see make-queries.mjs).
//
//   node bench/relevance/make-queries.mjs   # only when the corpus or the method changes
//   node bench/relevance/run.mjs            # writes bench/results/relevance.md and prints it
//
// Engines (top 10 of each, same queries, same full corpus of 114,017 events):
//   Chronicle  the CLI's batch mode: `chronicle search INDEX --batch FILE --limit 10`
//              (queries sent exactly as typed, no trailing space).
//   MiniSearch 7.2.0 in this Node process: fields title, contexts (joined),
//              category, source names; idField id; searched with
//              {prefix: true, fuzzy: 0.2, boost: {title: 2}} (OR of terms, the default).
//   Pagefind   1.6.0: index built with its Node API (one custom record per event,
//              content = title + contexts + category + source names, language en,
//              url /e/<id>, meta {title, id}), written to bench/work/pagefind/
//              (reused while the corpus and Pagefind version are unchanged),
//              served on loopback and queried in headless Chromium through
//              pagefind.js: search(q), then .data() of the top 10.
//
// Metrics per class and engine: MRR@10, success@1, success@10, precision@10
// (relevant in top 10 / 10), queries with no hit at all.
//
// Env: CHRONICLE_BIN (default target/release/chronicle), CHRONICLE_INDEX
//      (default www/events.chron), ENGINES (default chronicle,minisearch,pagefind),
//      PAGEFIND_REBUILD=1 (ignore the cached Pagefind index), CHROMIUM_PATH,
//      RELEVANCE_QUERIES (default bench/relevance/queries.jsonl),
//      RELEVANCE_OUT (default bench/results/relevance.md for a run of all three
//      engines on the default queries, which also updates the table in
//      bench/README.md; bench/work/relevance.md otherwise).
// Also writes every ranked list to bench/work/relevance-runs.json (git-ignored).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import MiniSearch from 'minisearch';

import { loadCorpus } from './make-queries.mjs';
import { startServer } from '../../tests/e2e/server.mjs';
import { launchChromium } from '../../tests/e2e/browser.mjs';
import { markdownTable } from '../lib/stats.mjs';
import {
  PAGEFIND_SITE,
  buildPagefind as buildPagefindIndex,
  pkgVersion,
  recordText,
  withTimeout,
} from '../lib/pagefind-index.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const WORK = path.join(ROOT, 'bench', 'work');
const QUERIES = path.resolve(process.env.RELEVANCE_QUERIES || path.join(HERE, 'queries.jsonl'));
const CHRONICLE_BIN = path.resolve(ROOT, process.env.CHRONICLE_BIN || 'target/release/chronicle');
const CHRONICLE_INDEX = path.resolve(ROOT, process.env.CHRONICLE_INDEX || 'www/events.chron');
const ENGINES = (process.env.ENGINES || 'chronicle,minisearch,pagefind')
  .split(',')
  .map((s) => s.trim().toLowerCase())
  .filter(Boolean);
// A run over a subset of the engines (or of other queries) does not replace
// the committed report: it goes to bench/work/ unless RELEVANCE_OUT says otherwise.
const FULL_RUN = ENGINES.length === 3 && !process.env.RELEVANCE_QUERIES;
const OUT = path.resolve(
  process.env.RELEVANCE_OUT ||
    (FULL_RUN ? path.join(ROOT, 'bench', 'results', 'relevance.md') : path.join(WORK, 'relevance.md')),
);
const K = 10;
// Report order; a class found in the queries but not listed here is reported after these.
const CLASS_ORDER = ['exact', 'half', 'typo', 'stem', 'entity', 'split', 'joined', 'twotypo', 'hyphen'];
const classesOf = (queries) => [
  ...CLASS_ORDER.filter((c) => queries.some((q) => q.class === c)),
  ...[...new Set(queries.map((q) => q.class))].filter((c) => !CLASS_ORDER.includes(c)),
];
// Column names carry the installed major.minor (e.g. "Pagefind 1.6"), read from node_modules.
const majorMinor = (name) => {
  try {
    return ' ' + pkgVersion(name).split('.').slice(0, 2).join('.');
  } catch {
    return '';
  }
};
const ENGINE_NAMES = { chronicle: 'Chronicle', minisearch: `MiniSearch${majorMinor('minisearch')}`, pagefind: `Pagefind${majorMinor('pagefind')}` };

const T0 = Date.now();
const log = (msg) => process.stderr.write(`[relevance ${((Date.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);

function fail(msg) {
  const e = new Error(msg);
  e.clean = true;
  throw e;
}

// ------------------------------------------------------------------ queries

function loadQueries() {
  if (!fs.existsSync(QUERIES)) fail(`${QUERIES} is missing: run \`node bench/relevance/make-queries.mjs\` first`);
  const qs = fs
    .readFileSync(QUERIES, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l);
      } catch (e) {
        fail(`${QUERIES}:${i + 1}: ${e.message}`);
      }
    });
  for (const q of qs) {
    if (!q.id || !q.class || typeof q.query !== 'string' || !Array.isArray(q.relevant) || !q.relevant.length) {
      fail(`${QUERIES}: malformed query ${JSON.stringify(q).slice(0, 200)}`);
    }
  }
  return qs;
}

// ------------------------------------------------------------------ Chronicle

async function waitForFile(file, what, maxWaitMs) {
  const start = Date.now();
  let told = false;
  while (!fs.existsSync(file)) {
    if (Date.now() - start > maxWaitMs) fail(`${what} not found at ${file} (waited ${maxWaitMs / 1000} s); build it first`);
    if (!told) log(`${what} not found at ${file}; waiting up to ${maxWaitMs / 1000} s (it may be being rebuilt)`);
    told = true;
    await new Promise((r) => setTimeout(r, 5000));
  }
}

function runProcess(cmd, args, { timeoutMs, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killed) return reject(new Error(`${cmd} ${args.join(' ')}: killed after ${timeoutMs / 1000} s timeout`));
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (input != null) child.stdin.end(input);
    else child.stdin.end();
  });
}

async function runChronicle(queries) {
  await waitForFile(CHRONICLE_BIN, 'chronicle binary', 180_000);
  await waitForFile(CHRONICLE_INDEX, 'chronicle index', 180_000);
  const inspect = await runProcess(CHRONICLE_BIN, ['inspect', CHRONICLE_INDEX], { timeoutMs: 60_000 });
  if (inspect.code !== 0) fail(`chronicle inspect failed (exit ${inspect.code}): ${inspect.stderr.trim()}`);
  const events = Number((inspect.stdout.match(/^events\s+(\d+)/m) || [])[1]);
  const st = fs.statSync(CHRONICLE_INDEX);
  const info = { events, bytes: st.size, mtime: st.mtime.toISOString() };

  fs.mkdirSync(WORK, { recursive: true });
  const batchFile = path.join(WORK, 'chronicle-batch.jsonl');
  fs.writeFileSync(batchFile, queries.map((q) => JSON.stringify({ id: q.id, query: q.query })).join('\n') + '\n');
  log(`Chronicle: ${queries.length} queries through ${path.relative(ROOT, CHRONICLE_BIN)} --batch (index ${events} events)`);
  const t = performance.now();
  const r = await runProcess(CHRONICLE_BIN, ['search', CHRONICLE_INDEX, '--batch', batchFile, '--limit', String(K)], {
    timeoutMs: 300_000,
  });
  const wallMs = performance.now() - t;
  if (r.code !== 0 && r.code !== 1) fail(`chronicle search --batch failed (exit ${r.code}): ${r.stderr.trim().slice(0, 2000)}`);
  const results = new Map();
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    let o;
    try {
      o = JSON.parse(line);
    } catch (e) {
      fail(`chronicle batch output is not JSON lines: ${line.slice(0, 200)}`);
    }
    if (o.error) log(`Chronicle: query ${o.id} error: ${o.error}`);
    results.set(String(o.id), {
      total: o.total ?? 0,
      hits: (o.hits || []).slice(0, K).map((h) => ({ id: h.id, title: h.title, score: h.score })),
    });
  }
  const missing = queries.filter((q) => !results.has(q.id));
  if (missing.length) fail(`chronicle batch output lacks ${missing.length} queries (first: ${missing[0].id})`);
  log(`Chronicle: done in ${(wallMs / 1000).toFixed(2)} s`);
  return { results, info, queryWallMs: wallMs, buildMs: null };
}

// ------------------------------------------------------------------ MiniSearch

async function runMiniSearch(queries, events) {
  log(`MiniSearch: indexing ${events.length} events`);
  const t0 = performance.now();
  const ms = new MiniSearch({
    idField: 'id',
    fields: ['title', 'contexts', 'category', 'sources'],
    storeFields: ['title'],
    extractField: (doc, field) => {
      if (field === 'id' || field === 'title') return doc[field];
      return recordText(doc)[field];
    },
  });
  const CHUNK = 5000;
  for (let i = 0; i < events.length; i += CHUNK) {
    ms.addAll(events.slice(i, i + CHUNK));
    if ((i / CHUNK) % 5 === 4) log(`MiniSearch: ${Math.min(i + CHUNK, events.length)} / ${events.length}`);
    await new Promise((r) => setImmediate(r));
  }
  const buildMs = performance.now() - t0;
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  log(`MiniSearch: built in ${(buildMs / 1000).toFixed(1)} s; searching`);
  const opts = { prefix: true, fuzzy: 0.2, boost: { title: 2 } };
  const results = new Map();
  const times = [];
  for (const q of queries) {
    const t = performance.now();
    const rs = ms.search(q.query, opts);
    times.push(performance.now() - t);
    results.set(q.id, { total: rs.length, hits: rs.slice(0, K).map((r) => ({ id: r.id, title: r.title, score: r.score })) });
  }
  const queryMs = times.reduce((a, b) => a + b, 0);
  log(`MiniSearch: ${queries.length} queries in ${(queryMs / 1000).toFixed(2)} s`);
  return { results, buildMs, queryWallMs: queryMs, info: { heapMiB } };
}

// ------------------------------------------------------------------ Pagefind

// The index build (and its cache) lives in bench/lib/pagefind-index.mjs,
// shared with bench/engines/run.mjs.
const buildPagefind = (events) => buildPagefindIndex(events, { force: !!process.env.PAGEFIND_REBUILD, log });

async function runPagefind(queries, events) {
  const build = await buildPagefind(events);
  const server = await startServer(PAGEFIND_SITE);
  let browser;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`Pagefind page error: ${e.message}`));
    await withTimeout(page.goto(`${server.url}/index.html`), 30_000, 'open pagefind page');
    await withTimeout(
      page.evaluate(async () => {
        window.__pf = await import('/pagefind/pagefind.js');
        await window.__pf.init();
      }),
      60_000,
      'load pagefind.js',
    );
    log(`Pagefind: querying ${queries.length} queries in headless Chromium`);
    const results = new Map();
    let queryMs = 0;
    const CHUNK = 25;
    for (let i = 0; i < queries.length; i += CHUNK) {
      const chunk = queries.slice(i, i + CHUNK).map((q) => ({ id: q.id, query: q.query }));
      const out = await withTimeout(
        page.evaluate(
          async ({ chunk, k }) => {
            const res = [];
            for (const q of chunk) {
              const t = performance.now();
              try {
                const r = await window.__pf.search(q.query);
                const top = await Promise.all(r.results.slice(0, k).map((x) => x.data()));
                res.push({
                  id: q.id,
                  total: r.results.length,
                  hits: top.map((d, j) => ({ id: d.meta.id, title: d.meta.title, score: r.results[j].score })),
                  ms: performance.now() - t,
                });
              } catch (e) {
                res.push({ id: q.id, error: String(e && e.message ? e.message : e), total: 0, hits: [], ms: performance.now() - t });
              }
            }
            return res;
          },
          { chunk, k: K },
        ),
        120_000,
        `pagefind queries ${i}..${i + chunk.length}`,
      );
      for (const r of out) {
        if (r.error) log(`Pagefind: query ${r.id} failed: ${r.error}`);
        queryMs += r.ms;
        results.set(r.id, { total: r.total, hits: r.hits });
      }
      if ((i / CHUNK) % 8 === 7 || i + CHUNK >= queries.length) log(`Pagefind: ${Math.min(i + CHUNK, queries.length)} / ${queries.length}`);
    }
    log(`Pagefind: ${queries.length} queries in ${(queryMs / 1000).toFixed(2)} s (in browser)`);
    return { results, buildMs: build.buildMs, queryWallMs: queryMs, info: build };
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.close();
  }
}

// ------------------------------------------------------------------ metrics

function scoreQuery(q, res) {
  const rel = new Set(q.relevant);
  const ids = (res?.hits || []).map((h) => h.id).slice(0, K);
  const rank = ids.findIndex((id) => rel.has(id)) + 1; // 0 = not in top K
  const relInTop = ids.filter((id) => rel.has(id)).length;
  return {
    rr: rank ? 1 / rank : 0,
    s1: rank === 1 ? 1 : 0,
    s10: rank ? 1 : 0,
    p10: relInTop / K,
    zero: (res?.total ?? 0) === 0 ? 1 : 0,
    rank,
  };
}

function aggregate(queries, scores) {
  const n = queries.length;
  const sum = (f) => queries.reduce((a, q) => a + scores.get(q.id)[f], 0);
  return n
    ? { n, mrr: sum('rr') / n, s1: sum('s1') / n, s10: sum('s10') / n, p10: sum('p10') / n, zero: sum('zero') }
    : { n: 0, mrr: NaN, s1: NaN, s10: NaN, p10: NaN, zero: 0 };
}

const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const fs1 = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'n/a');

// ------------------------------------------------------------------ report

function report({ queries, engines, runs, scores, corpusCount, startedAt, totalMs }) {
  const CLASSES = classesOf(queries);
  const groups = [...CLASSES.map((c) => [c, queries.filter((q) => q.class === c)]), ['all', queries]].filter(
    ([, qs]) => qs.length,
  );
  const agg = {};
  for (const e of engines) {
    agg[e] = {};
    for (const [c, qs] of groups) agg[e][c] = aggregate(qs, scores[e]);
  }
  const best = (c, f) => Math.max(...engines.map((e) => agg[e][c][f]));
  const cell = (e, c, f) => {
    const v = agg[e][c][f];
    const s = f3(v);
    return engines.length > 1 && Math.abs(v - best(c, f)) < 1e-9 ? `**${s}**` : s;
  };
  const lines = [];
  lines.push('# Relevance benchmark');
  lines.push('');
  lines.push(
    `Generated by \`node bench/relevance/run.mjs\` on ${startedAt} (${os.cpus().length} cores, Node ${process.version}); ` +
      `${queries.length} labelled queries from \`bench/relevance/queries.jsonl\` over ${corpusCount.toLocaleString('en-US')} events. ` +
      `Top ${K} of each engine; best value per row in bold. Method: bench/README.md § Relevance.`,
  );
  lines.push('');
  lines.push('## Summary (MRR@10 / success@1 / success@10 / precision@10)');
  lines.push('');
  const summary = markdownTable(
    ['class', 'queries', ...engines.map((e) => ENGINE_NAMES[e])],
    groups.map(([c, qs]) => [
      c,
      qs.length,
      ...engines.map((e) => ['mrr', 's1', 's10', 'p10'].map((f) => f3(agg[e][c][f])).join(' / ')),
    ]),
  );
  lines.push(summary);
  const metricTables = [
    ['MRR@10', 'mrr'],
    ['success@1', 's1'],
    ['success@10', 's10'],
    ['precision@10', 'p10'],
  ];
  for (const [title, f] of metricTables) {
    lines.push('');
    lines.push(`## ${title}`);
    lines.push('');
    lines.push(
      markdownTable(
        ['class', 'queries', ...engines.map((e) => ENGINE_NAMES[e])],
        groups.map(([c, qs]) => [c, qs.length, ...engines.map((e) => cell(e, c, f))]),
      ),
    );
  }
  lines.push('');
  lines.push('## Queries with no hit at all');
  lines.push('');
  lines.push(
    markdownTable(
      ['class', 'queries', ...engines.map((e) => ENGINE_NAMES[e])],
      groups.map(([c, qs]) => [c, qs.length, ...engines.map((e) => agg[e][c].zero)]),
    ),
  );

  // success@10 split by whether the altered word is the query's last word (typo,
  // stem), and by whether any word is left intact (twotypo)
  const subsets = [];
  for (const c of ['typo', 'stem']) {
    for (const last of [true, false]) {
      subsets.push([`${c}, altered word ${last ? 'last' : 'not last'}`, (q) => q.class === c && q.variant && q.variant.last === last]);
    }
  }
  subsets.push(['twotypo, one word intact', (q) => q.class === 'twotypo' && q.variant && q.variant.intact > 0]);
  subsets.push(['twotypo, every word altered', (q) => q.class === 'twotypo' && q.variant && q.variant.intact === 0]);
  const split = [];
  for (const [label, keep] of subsets) {
    const qs = queries.filter(keep);
    if (!qs.length) continue;
    split.push([
      label,
      qs.length,
      ...engines.map((e) => {
        const a = aggregate(qs, scores[e]);
        return `${f3(a.mrr)} / ${f3(a.s10)}`;
      }),
    ]);
  }
  const splitTable = split.length
    ? markdownTable(['subset', 'queries', ...engines.map((e) => ENGINE_NAMES[e])], split)
    : '';
  if (split.length) {
    lines.push('');
    lines.push('## typo / stem by position of the altered word, twotypo by intact words (MRR@10 / success@10)');
    lines.push('');
    lines.push(splitTable);
  }

  if (engines.includes('chronicle') && engines.length > 1) {
    lines.push('');
    lines.push('## Where Chronicle loses');
    lines.push('');
    lines.push(
      'Per class, up to 6 queries where another engine ranks a relevant event higher than Chronicle does ' +
        '(worst first; rank 0 = not in the top 10), with Chronicle\'s first hit. All of them: ' +
        '`bench/work/relevance-runs.json`.',
    );
    const others = engines.filter((e) => e !== 'chronicle');
    const rk = (e, q) => scores[e].get(q.id).rank || K + 1;
    for (const c of CLASSES) {
      const losses = queries
        .filter((q) => q.class === c)
        .map((q) => ({ q, c: rk('chronicle', q), best: Math.min(...others.map((e) => rk(e, q))) }))
        .filter((x) => x.best < x.c)
        .sort((a, b) => b.c - b.best - (a.c - a.best) || a.q.id.localeCompare(b.q.id));
      if (!losses.length) continue;
      lines.push('');
      lines.push(`**${c}**: ${losses.length} of ${queries.filter((q) => q.class === c).length} queries`);
      lines.push('');
      lines.push(
        markdownTable(
          ['query', ...engines.map((e) => `${ENGINE_NAMES[e].split(' ')[0]} rank`), 'Chronicle hits', "Chronicle's first hit"],
          losses.slice(0, 6).map(({ q }) => {
            const r = runs.chronicle.results.get(q.id);
            const top = r.hits[0];
            return [
              `\`${q.query}\``,
              ...engines.map((e) => scores[e].get(q.id).rank),
              r.total,
              top ? `${top.title.length > 110 ? top.title.slice(0, 107) + '…' : top.title}` : '(none)',
            ];
          }),
        ),
      );
    }
  }

  lines.push('');
  lines.push('## Engines, build and query time');
  lines.push('');
  const rows = engines.map((e) => {
    const r = runs[e];
    let build = 'n/a';
    let notes = '';
    if (e === 'chronicle') {
      build = 'prebuilt (`build.sh`)';
      notes = `\`${path.relative(ROOT, CHRONICLE_INDEX)}\`: ${r.info.events} events, ${(r.info.bytes / 2 ** 20).toFixed(1)} MiB, modified ${r.info.mtime}; CLI batch wall time incl. index load`;
    } else if (e === 'minisearch') {
      build = fs1(r.buildMs);
      notes = `in Node, heap after build ${r.info.heapMiB.toFixed(0)} MiB; \`{prefix: true, fuzzy: 0.2, boost: {title: 2}}\``;
    } else if (e === 'pagefind') {
      build = `${fs1(r.buildMs)}${r.info.cached ? ' (cached build of ' + r.info.builtAt + ')' : ''}`;
      notes = `${r.info.size ? `${r.info.size.files} files, ${(r.info.size.bytes / 2 ** 20).toFixed(1)} MiB` : ''}; headless Chromium, search + .data() of top ${K}`;
    }
    return [ENGINE_NAMES[e], build, `${fs1(r.queryWallMs)} (${(r.queryWallMs / queries.length).toFixed(1)} ms/query)`, notes];
  });
  lines.push(markdownTable(['engine', 'index build', `${queries.length} queries`, 'notes'], rows));
  lines.push('');
  lines.push(`Total run time: ${fs1(totalMs)}.`);
  lines.push('');

  // the short version for bench/README.md
  const zero = engines.map((e) => `${ENGINE_NAMES[e]} ${agg[e].all.zero}`).join(', ');
  const timing = engines
    .map((e) => {
      const r = runs[e];
      const b = e === 'chronicle' ? '' : `, index build ${fs1(r.buildMs)}`;
      return `${ENGINE_NAMES[e]} ${(r.queryWallMs / queries.length).toFixed(1)} ms/query${b}`;
    })
    .join('; ');
  const readme = [
    `Run of ${startedAt} (${queries.length} queries, ${corpusCount.toLocaleString('en-US')} events, ` +
      `total ${fs1(totalMs)}); full report with one table per metric: ` +
      '[`bench/results/relevance.md`](results/relevance.md).',
    '',
    'MRR@10 / success@1 / success@10 / precision@10:',
    '',
    summary,
    '',
    ...(splitTable ? ['MRR@10 / success@10 by position of the altered word (typo, stem) and by intact words (twotypo):', '', splitTable, ''] : []),
    `Queries with no hit at all: ${zero}. Time: ${timing}.`,
  ].join('\n');
  return { md: lines.join('\n'), readme };
}

function updateReadme(block) {
  const file = path.join(ROOT, 'bench', 'README.md');
  if (!fs.existsSync(file)) return false;
  const text = fs.readFileSync(file, 'utf8');
  const re = /(<!-- relevance:begin[^>]*-->\n)[\s\S]*?(\n<!-- relevance:end -->)/;
  if (!re.test(text)) return false;
  fs.writeFileSync(file, text.replace(re, (_, a, b) => `${a}${block}${b}`));
  return true;
}

// ------------------------------------------------------------------ main

async function main() {
  const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const e of ENGINES) if (!ENGINE_NAMES[e]) fail(`unknown engine "${e}" in ENGINES (use chronicle, minisearch, pagefind)`);
  const queries = loadQueries();
  log(`${queries.length} queries from ${path.relative(ROOT, QUERIES)}`);
  const events = loadCorpus();
  log(`${events.length} events loaded`);
  const known = new Set(events.map((e) => e.id));
  const unknown = queries.flatMap((q) => q.relevant).filter((id) => !known.has(id));
  if (unknown.length) fail(`queries.jsonl names ${unknown.length} events not in the corpus (e.g. ${unknown[0]}); regenerate it`);

  const runs = {};
  for (const e of ENGINES) {
    if (e === 'chronicle') runs[e] = await runChronicle(queries);
    else if (e === 'minisearch') runs[e] = await runMiniSearch(queries, events);
    else if (e === 'pagefind') runs[e] = await runPagefind(queries, events);
  }
  if (runs.chronicle && runs.chronicle.info.events !== events.length) {
    log(`WARNING: the Chronicle index has ${runs.chronicle.info.events} events, the corpus ${events.length}`);
  }
  const scores = {};
  for (const e of ENGINES) {
    scores[e] = new Map(queries.map((q) => [q.id, scoreQuery(q, runs[e].results.get(q.id))]));
  }

  fs.mkdirSync(WORK, { recursive: true });
  const dump = queries.map((q) => ({
    ...q,
    relevant: q.relevant.length > 20 ? q.relevant.slice(0, 20).concat(['…']) : q.relevant,
    nRelevant: q.relevant.length,
    results: Object.fromEntries(ENGINES.map((e) => [e, { ...scores[e].get(q.id), ...runs[e].results.get(q.id) }])),
  }));
  fs.writeFileSync(path.join(WORK, 'relevance-runs.json'), JSON.stringify(dump, null, 1));

  const { md, readme } = report({
    queries,
    engines: ENGINES,
    runs,
    scores,
    corpusCount: events.length,
    startedAt,
    totalMs: Date.now() - T0,
  });
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, md);
  process.stdout.write(md);
  log(`wrote ${path.relative(ROOT, OUT)} and bench/work/relevance-runs.json`);
  // Only a full default run replaces the table in bench/README.md.
  if (FULL_RUN && !process.env.RELEVANCE_OUT && updateReadme(readme)) log('updated the table in bench/README.md');
}

main().catch((e) => {
  process.stderr.write(`relevance benchmark failed: ${e.clean ? e.message : e.stack || e}\n`);
  process.exit(1);
});
