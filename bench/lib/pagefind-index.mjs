// The Pagefind index of the full corpus, shared by bench/relevance/run.mjs and
// bench/engines/run.mjs (factored out of the former, behaviour unchanged).
//
// One custom record per event (url /e/<id>, content = title + contexts +
// category + source names, language en, meta {title, id}), built with
// Pagefind's Node API into bench/work/pagefind/site/pagefind/ and reused while
// the corpus files, the Pagefind version and the record format are unchanged
// (stamp in bench/work/pagefind/stamp.json).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { CORPUS_FILES, CORPUS_MAIN } from '../relevance/make-queries.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const WORK = path.join(ROOT, 'bench', 'work');
// (The main corpus alone, BENCH_CORPUS=main, has a cache of its own.)
export const PAGEFIND_DIR = path.join(WORK, CORPUS_MAIN ? 'pagefind-69149' : 'pagefind');
export const PAGEFIND_SITE = path.join(PAGEFIND_DIR, 'site');
export const PAGEFIND_STAMP = path.join(PAGEFIND_DIR, 'stamp.json');
export const PAGEFIND_RECORD_FORMAT =
  'v1: url=/e/<id>; content=title\\ncontexts\\ncategory\\nsources; meta={title,id}; lang en';

export const pkgVersion = (name) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

/** The searchable text of an event besides its title (MiniSearch fields, Pagefind content). */
export const recordText = (e) => ({
  contexts: (e.contexts || []).join(' '),
  category: e.category || '',
  sources: (e.sources || []).map((s) => s.name).filter(Boolean).join(' '),
});

function fail(msg) {
  const e = new Error(msg);
  e.clean = true;
  throw e;
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout after ${ms / 1000} s: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function corpusFingerprint() {
  const h = crypto.createHash('sha256');
  for (const f of CORPUS_FILES) {
    h.update(path.basename(f));
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

/** Total bytes and number of regular files below dir. */
export function dirSize(dir) {
  let bytes = 0;
  let files = 0;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) {
      const s = dirSize(p);
      bytes += s.bytes;
      files += s.files;
    } else if (ent.isFile()) {
      bytes += fs.statSync(p).size;
      files += 1;
    }
  }
  return { bytes, files };
}

/** What a build depends on: {corpus, pagefind, records}. */
export function pagefindInputs() {
  return { corpus: corpusFingerprint(), pagefind: pkgVersion('pagefind'), records: PAGEFIND_RECORD_FORMAT };
}

/**
 * The cached build's stamp if it is valid for the current corpus, Pagefind
 * version and record format (and the files are there), else null.
 * @param {string} [dir] the build directory (default bench/work/pagefind)
 */
export function cachedPagefindStamp(dir = PAGEFIND_DIR) {
  const stampFile = path.join(dir, 'stamp.json');
  if (!fs.existsSync(stampFile)) return null;
  try {
    const old = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    const now = pagefindInputs();
    if (
      old.corpus === now.corpus &&
      old.pagefind === now.pagefind &&
      old.records === now.records &&
      fs.existsSync(path.join(dir, 'site', 'pagefind', 'pagefind.js'))
    ) {
      return old;
    }
  } catch {
    /* invalid: rebuild */
  }
  return null;
}

/**
 * Builds (or reuses) the Pagefind index of `events`.
 * @param {object[]} events the corpus records
 * @param {{force?: boolean, log?: (msg: string) => void, dir?: string}} [opts]
 *   force: ignore the cache (run.mjs passes PAGEFIND_REBUILD);
 *   dir: the build directory, default bench/work/pagefind (the shared cache);
 *   the index goes to DIR/site/pagefind/, the stamp to DIR/stamp.json
 * @returns {Promise<{buildMs: number, cached: boolean, builtAt: string, size: {bytes: number, files: number}}>}
 */
export async function buildPagefind(events, { force = false, log = () => {}, dir = PAGEFIND_DIR } = {}) {
  const site = path.join(dir, 'site');
  const stampFile = path.join(dir, 'stamp.json');
  const stamp = pagefindInputs();
  if (!force) {
    const old = cachedPagefindStamp(dir);
    if (old) {
      log(`Pagefind: reusing cached index (built ${old.builtAt}, ${(old.buildMs / 1000).toFixed(1)} s)`);
      return { buildMs: old.buildMs, cached: true, builtAt: old.builtAt, size: old.size };
    }
  }
  const pagefind = await import('pagefind');
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.mkdir(site, { recursive: true });
  log(`Pagefind: building index of ${events.length} records (this takes a while)`);
  const t0 = performance.now();
  try {
    const { errors, index } = await withTimeout(pagefind.createIndex({ forceLanguage: 'en' }), 60_000, 'pagefind.createIndex');
    if (errors?.length || !index) fail(`pagefind.createIndex: ${errors?.join('; ') || 'no index'}`);
    const BATCH = 1000;
    for (let i = 0; i < events.length; i += BATCH) {
      const slice = events.slice(i, i + BATCH);
      const rs = await withTimeout(
        Promise.all(
          slice.map((e) => {
            const t = recordText(e);
            return index.addCustomRecord({
              url: `/e/${e.id}`,
              content: [e.title, t.contexts, t.category, t.sources].filter(Boolean).join('\n'),
              language: 'en',
              meta: { title: e.title, id: e.id },
            });
          }),
        ),
        300_000,
        `pagefind.addCustomRecord batch at ${i}`,
      );
      const errs = rs.flatMap((r) => r.errors || []);
      if (errs.length) fail(`pagefind.addCustomRecord: ${errs.slice(0, 3).join('; ')}`);
      if ((i / BATCH) % 10 === 9 || i + BATCH >= events.length) {
        log(`Pagefind: ${Math.min(i + BATCH, events.length)} / ${events.length} records added`);
      }
    }
    log('Pagefind: writing files');
    const w = await withTimeout(
      index.writeFiles({ outputPath: path.join(site, 'pagefind') }),
      900_000,
      'pagefind writeFiles',
    );
    if (w.errors?.length) fail(`pagefind writeFiles: ${w.errors.join('; ')}`);
  } finally {
    await pagefind.close().catch(() => {});
  }
  const buildMs = performance.now() - t0;
  fs.writeFileSync(
    path.join(site, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>pagefind relevance bench</title><body></body>\n',
  );
  const size = dirSize(path.join(site, 'pagefind'));
  const builtAt = new Date().toISOString();
  fs.writeFileSync(stampFile, JSON.stringify({ ...stamp, buildMs, builtAt, size }, null, 2) + '\n');
  log(`Pagefind: built in ${(buildMs / 1000).toFixed(1)} s (${size.files} files, ${(size.bytes / 2 ** 20).toFixed(1)} MiB)`);
  return { buildMs, cached: false, builtAt, size };
}
