// The engines compared by bench/engines/run.mjs. Each entry says how to build
// its index (measured), which files make up the index and the search code,
// and how to serve and drive its search page. Adding an engine (e.g. a new
// Chronicle mode) is one more entry in ENGINES; an entry whose `check`
// returns a reason is skipped and the reason is printed in the report.
//
// Entry fields:
//   key, name              id (for ENGINES=...) and column title
//   version(ctx)           string for the report
//   check(ctx)             null, or why the engine cannot be run (skipped)
//   build(ctx)             -> {wallMs, peakRss, treePeakRss, method, cached, notes: []}
//   files(ctx)             -> {index: [abs paths], code: [abs paths], notes: []}
//   site(ctx)              -> {mounts, page, eventName, rootSel, inputSel, workerScripts: [url suffixes],
//                              searchesEarlyInput: bool (else the bench types the first query again
//                              after data-state="ready" if it has produced nothing yet)}
//   cleanup(ctx)           optional, after the browser measurements
//   offline(ctx)           -> file:// URL of a single-file build, or null (then offlineNote says why)
//   rendersHits            hits rendered per query (for the notes)

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

import { runMeasured } from './measure.mjs';
import { CORPUS_FILES } from '../relevance/make-queries.mjs';
import { PAGEFIND_SITE, cachedPagefindStamp, pagefindInputs, pkgVersion } from '../lib/pagefind-index.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const PAGES = path.join(HERE, 'pages');

/** Every regular file below dir (absolute paths, sorted). */
export function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function chronicleBin(ctx) {
  return path.resolve(ctx.root, process.env.CHRONICLE_BIN || 'target/release/chronicle');
}

function gitRev(ctx) {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: ctx.root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function cargoVersion(ctx) {
  try {
    const m = fs.readFileSync(path.join(ctx.root, 'Cargo.toml'), 'utf8').match(/^version\s*=\s*"([^"]+)"/m);
    return m ? m[1] : '?';
  } catch {
    return '?';
  }
}

function cliHelp(ctx, ...args) {
  try {
    return execFileSync(chronicleBin(ctx), [...args, '--help'], { encoding: 'utf8', timeout: 10_000 });
  } catch {
    return '';
  }
}

/** Measured `chronicle build` of the corpus into outPath (extra args before the inputs). */
async function buildChronicle(ctx, extraArgs, label) {
  const bin = chronicleBin(ctx);
  ctx.log(`${label}: ${path.relative(ctx.root, bin)} build ${extraArgs.join(' ')} (corpus ${CORPUS_FILES.length} files)`);
  const r = await runMeasured(bin, ['build', ...extraArgs, ...CORPUS_FILES], {
    timeoutMs: ctx.buildTimeoutMs,
    cwd: ctx.root,
    onLine: (l) => ctx.log(`${label}:   ${l}`),
  });
  if (r.code !== 0) throw new Error(`chronicle build exited with ${r.code}: ${r.stderr.trim().slice(-1500)}`);
  const summary = (r.stdout.trim() || r.stderr.trim()).split('\n').pop();
  return { ...r, cached: false, notes: summary ? [`CLI summary: \`${summary}\``] : [] };
}

const chronicleSite = (ctx) => ({
  mounts: [['/', ctx.www]],
  page: '/index.html',
  eventName: 'chronicle:results',
  rootSel: '[data-chronicle]',
  inputSel: 'input[role="combobox"]',
  workerScripts: [],
});

export const ENGINES = [
  {
    key: 'chronicle',
    name: 'Chronicle',
    rendersHits: 10,
    version: (ctx) => `${cargoVersion(ctx)} (${gitRev(ctx)})`,
    check(ctx) {
      if (!fs.existsSync(chronicleBin(ctx))) return `no CLI at ${path.relative(ctx.root, chronicleBin(ctx))}: run \`bash build.sh\``;
      for (const f of ['index.html', 'chronicle.js', 'chronicle_bg.wasm', 'events.chron']) {
        if (!fs.existsSync(path.join(ctx.www, f))) return `www/${f} is missing: run \`bash build.sh\``;
      }
      return null;
    },
    async build(ctx) {
      const out = path.join(ctx.work, 'chronicle', 'events.chron');
      fs.mkdirSync(path.dirname(out), { recursive: true });
      const r = await buildChronicle(ctx, ['-o', out], 'Chronicle');
      const served = fs.statSync(path.join(ctx.www, 'events.chron')).size;
      const built = fs.statSync(out).size;
      if (built !== served) {
        r.notes.push(
          `the fresh build is ${built.toLocaleString('en-US')} bytes, the served www/events.chron ${served.toLocaleString('en-US')} (www/ may be from another build)`,
        );
      }
      return r;
    },
    files(ctx) {
      const index = path.join(ctx.www, 'events.chron');
      const notes = [];
      try {
        // What the index holds: `chronicle inspect` lists its sections.
        const out = execFileSync(chronicleBin(ctx), ['inspect', index], { encoding: 'utf8', timeout: 60_000 });
        const sec = (name) => {
          const m = out.match(new RegExp(`^\\s*${name}\\s+offset\\s+\\d+\\s+bytes\\s+(\\d+)\\s+([\\d.]+)%`, 'm'));
          return m ? { bytes: Number(m[1]), pct: m[2] } : null;
        };
        const stor = sec('STOR');
        const post = sec('POST');
        if (stor && post) {
          notes.push(
            `the index carries everything the widget displays: its doc store (ids, titles, event and source URLs, DEFLATE-compressed in blocks, so gzip gains little) is ${(stor.bytes / 2 ** 20).toFixed(1)} MiB (${stor.pct} %), the postings ${(post.bytes / 2 ** 20).toFixed(1)} MiB (${post.pct} %) (\`chronicle inspect\`)`,
          );
        }
      } catch {
        /* informative only */
      }
      return {
        index: [index],
        code: ['chronicle.js', 'chronicle_bg.wasm', 'chronicle.css'].map((f) => path.join(ctx.www, f)),
        notes,
      };
    },
    site: chronicleSite,
    offline(ctx) {
      const f = path.join(ctx.www, 'offline.html');
      return fs.existsSync(f) ? pathToFileURL(f).href : null;
    },
  },

  // The split index (small core + content-hashed chunks fetched on
  // demand), with the demo page build.sh writes for it under www/split/
  // (CHRONICLE_SPLIT_PAGE overrides the page's path below www/).
  {
    key: 'chronicle-split',
    name: 'Chronicle split',
    rendersHits: 10,
    version: (ctx) => `${cargoVersion(ctx)} (${gitRev(ctx)})`,
    check(ctx) {
      if (!fs.existsSync(chronicleBin(ctx))) return 'no Chronicle CLI';
      if (!/--split\b/.test(cliHelp(ctx, 'build'))) return '`chronicle build --split DIR` does not exist yet';
      const page = splitPage(ctx);
      if (!page) return 'no split demo page in www/ (expected www/split/index.html or CHRONICLE_SPLIT_PAGE)';
      return null;
    },
    async build(ctx) {
      const dir = path.join(ctx.work, 'chronicle-split');
      fs.rmSync(dir, { recursive: true, force: true });
      return buildChronicle(ctx, ['--split', dir], 'Chronicle split');
    },
    files(ctx) {
      const dir = path.dirname(path.join(ctx.www, splitPage(ctx)));
      // The chunks an earlier build left for pages opened before it
      // (listed in .chronicle-retired, deleted after the grace period)
      // are not part of this index.
      const record = path.join(dir, '.chronicle-retired');
      const retired = new Set(
        fs.existsSync(record) ? fs.readFileSync(record, 'utf8').split('\n').map((l) => path.join(dir, l.split(' ')[0])) : [],
      );
      const all = listFiles(dir).filter((f) => !f.endsWith('.html') && f !== record && !retired.has(f));
      const code = ['chronicle.js', 'chronicle_bg.wasm', 'chronicle.css'].map((f) => path.join(ctx.www, f));
      return { index: all.filter((f) => !code.includes(f)), code, notes: [`index files: ${path.relative(ctx.root, dir)}/`] };
    },
    site(ctx) {
      return { ...chronicleSite(ctx), page: '/' + splitPage(ctx) };
    },
    offline: () => null,
  },

  {
    key: 'pagefind',
    name: 'Pagefind',
    rendersHits: 10,
    version: () => pkgVersion('pagefind'),
    check() {
      return null; // builds its index (5 min) when the cache is missing
    },
    // Reuses the shared cache of bench/work/pagefind/ (built by the relevance
    // benchmark or by an earlier run of this one). REBUILD=1 builds a fresh
    // index into bench/work/engines/pagefind-rebuild/ (leaving the shared
    // cache alone, which another benchmark may be reading), measures that
    // build, and serves it for this run. Without a valid cache the build goes
    // into the shared cache, measured the same way. Measured figures are kept
    // in bench/work/engines/pagefind-build.json for the same build inputs
    // (corpus, Pagefind version, record format), so later cached runs report them.
    async build(ctx) {
      const sideFile = path.join(ctx.work, 'pagefind-build.json');
      const inputs = JSON.stringify(pagefindInputs());
      const stamp = ctx.rebuild ? null : cachedPagefindStamp();
      ctx.pagefindSite = PAGEFIND_SITE;
      if (stamp) {
        let measured = null;
        try {
          measured = JSON.parse(fs.readFileSync(sideFile, 'utf8'));
          if (measured.inputs !== inputs) measured = null;
        } catch {
          measured = null;
        }
        ctx.log(`Pagefind: reusing the cached index of ${stamp.builtAt} (REBUILD=1 rebuilds it and measures the build)`);
        if (measured) {
          return {
            ...measured,
            cached: true,
            notes: [
              `figures measured by this harness (REBUILD=1) at ${measured.builtAt} for the same corpus, Pagefind version and records; the index served is the cached build of ${stamp.builtAt}; ${measured.note}`,
            ],
          };
        }
        return {
          wallMs: stamp.buildMs,
          peakRss: null,
          treePeakRss: null,
          method: 'stamp',
          cached: true,
          notes: [
            `cached build of ${stamp.builtAt} (bench/work/pagefind/): the time recorded then, Pagefind's own from createIndex to the written files, without the corpus parse; memory not recorded (REBUILD=1 measures both)`,
          ],
        };
      }
      const dir = ctx.rebuild ? path.join(ctx.work, 'pagefind-rebuild') : null;
      ctx.log(
        `Pagefind: ${ctx.rebuild ? 'REBUILD=1' : 'no valid cache'}: building the index in a child process into ` +
          `${path.relative(ctx.root, dir || path.dirname(PAGEFIND_SITE))}/ (~5 min, ~4 GB RAM)`,
      );
      const r = await runMeasured(process.execPath, [path.join(HERE, 'build-pagefind.mjs'), ...(dir ? [dir] : [])], {
        timeoutMs: Math.max(ctx.buildTimeoutMs, 1_800_000),
        cwd: ctx.root,
        onLine: (l) => ctx.log(`Pagefind:   ${l}`),
      });
      if (r.code !== 0) throw new Error(`Pagefind build exited with ${r.code}: ${r.stderr.trim().slice(-1500)}`);
      const info = JSON.parse(r.stdout.trim().split('\n').pop());
      if (dir) ctx.pagefindSite = path.join(dir, 'site');
      const note = `Node API build in a child process: wall time includes Node start and the corpus parse (${(info.loadMs / 1000).toFixed(1)} s); Pagefind's own ${(info.buildMs / 1000).toFixed(1)} s`;
      const rec = {
        inputs,
        builtAt: info.builtAt,
        wallMs: r.wallMs,
        pagefindMs: info.buildMs,
        peakRss: r.peakRss,
        treePeakRss: r.treePeakRss,
        treeCpuS: r.treeCpuS,
        method: r.method,
        userS: r.userS,
        sysS: r.sysS,
        cpuPercent: r.cpuPercent,
        note,
      };
      fs.writeFileSync(sideFile, JSON.stringify(rec, null, 2) + '\n');
      return { ...rec, cached: false, notes: [note] };
    },
    cleanup(ctx) {
      // The REBUILD=1 copy (114k files) is not kept: later runs use the shared cache.
      const dir = path.join(ctx.work, 'pagefind-rebuild');
      if (ctx.pagefindSite && ctx.pagefindSite.startsWith(dir)) fs.rmSync(dir, { recursive: true, force: true });
    },
    files(ctx) {
      const dir = path.join(ctx.pagefindSite || PAGEFIND_SITE, 'pagefind');
      const all = listFiles(dir);
      const code = ['pagefind.js', 'pagefind-worker.js', 'wasm.en.pagefind'].map((f) => path.join(dir, f));
      const ui = all.filter((f) => /\/pagefind-(ui|component-ui|modular-ui|highlight)\.|\/wasm\.unknown\.pagefind$/.test(f));
      const index = all.filter((f) => !code.includes(f) && !ui.includes(f));
      const uiBytes = ui.reduce((a, f) => a + fs.statSync(f).size, 0);
      return {
        index,
        code,
        notes: [
          'one fragment file per event holds what is displayed (title and content as indexed, no source URLs)',
          `its output directory also holds ${ui.length} optional UI/highlight/fallback-wasm files (${(uiBytes / 1024).toFixed(0)} KiB), not counted`,
        ],
      };
    },
    offlineNote: 'n/a (fetches index chunks: needs HTTP)',
    site(ctx) {
      return {
        mounts: [
          ['/', PAGES],
          ['/pagefind/', path.join(ctx.pagefindSite || PAGEFIND_SITE, 'pagefind')],
        ],
        page: '/pagefind.html',
        eventName: 'bench:results',
        rootSel: '[data-bench]',
        inputSel: '[data-bench] input',
        searchesEarlyInput: true, // bench-page.js searches a query typed while loading once ready
        workerScripts: ['/pagefind/pagefind-worker.js'],
      };
    },
    offline: () => null,
  },

  {
    key: 'minisearch',
    name: 'MiniSearch',
    rendersHits: 10,
    version: () => pkgVersion('minisearch'),
    check(ctx) {
      const umd = path.join(ctx.root, 'node_modules', 'minisearch', 'dist', 'umd', 'index.js');
      return fs.existsSync(umd) ? null : 'node_modules/minisearch is missing: run `npm ci`';
    },
    async build(ctx) {
      const out = path.join(ctx.work, 'minisearch');
      ctx.log('MiniSearch: indexing and serialising in a child Node process');
      const r = await runMeasured(process.execPath, [path.join(HERE, 'build-minisearch.mjs'), out], {
        timeoutMs: ctx.buildTimeoutMs,
        cwd: ctx.root,
        onLine: (l) => ctx.log(`MiniSearch:   ${l}`),
      });
      if (r.code !== 0) throw new Error(`MiniSearch build exited with ${r.code}: ${r.stderr.trim().slice(-1500)}`);
      const info = JSON.parse(r.stdout.trim().split('\n').pop());
      const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
      return {
        ...r,
        cached: false,
        info,
        notes: [
          `child Node process: corpus parse ${s(info.loadMs)}, addAll ${s(info.indexMs)} (heap ${(info.heapAfterIndex / 2 ** 20).toFixed(0)} MiB), JSON.stringify ${s(info.serializeMs)}, write ${s(info.writeMs)}`,
        ],
      };
    },
    files(ctx) {
      return {
        index: [path.join(ctx.work, 'minisearch', 'index.json')],
        code: [path.join(ctx.root, 'node_modules', 'minisearch', 'dist', 'umd', 'index.js')],
        notes: [
          'the index stores only the titles for display (storeFields: title); search code = the unminified UMD build from npm',
        ],
      };
    },
    offlineNote: 'n/a (no single-file page here; its JSON could be inlined in one)',
    site(ctx) {
      return {
        mounts: [
          ['/', PAGES],
          ['/minisearch/', path.join(ctx.work, 'minisearch')],
          ['/lib/minisearch/', path.join(ctx.root, 'node_modules', 'minisearch', 'dist', 'umd')],
        ],
        page: '/minisearch.html',
        eventName: 'bench:results',
        rootSel: '[data-bench]',
        inputSel: '[data-bench] input',
        searchesEarlyInput: true, // bench-page.js searches a query typed while loading once ready
        workerScripts: [],
      };
    },
    offline: () => null,
  },
];

function splitPage(ctx) {
  const cands = [process.env.CHRONICLE_SPLIT_PAGE, 'split/index.html', 'split.html'].filter(Boolean);
  return cands.find((p) => fs.existsSync(path.join(ctx.www, p))) || null;
}
