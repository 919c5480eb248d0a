// A synthetic archive of any size, made from the real corpus: the 114,017
// events first, as they are, then copies of them, each copy an era of its
// own with its own names. Deterministic: the same size gives the same
// bytes.
//
//   node bench/scale/synth.mjs 1000000 bench/work/scale/events-1000000.jsonl.gz
//
// Copy r (r ≥ 1) of an event:
//   * id `ID-rR`;
//   * its date moved r × 9,952 days (27¼ years, the span of the corpus)
//     later, so the copies follow one another in time, as an archive grows;
//   * its names changed: each capitalised word (a name, mostly) becomes,
//     in about a third of the cases, a variant of its own for that copy
//     (`Geneva` → `Genevaor`), the same variant wherever it occurs in the
//     copy (title, contexts), so a copy's events hang together as the
//     real ones do; and 2 % of the other words get a variant too. The
//     vocabulary grows with the archive, as a real one's does, rather
//     than repeating;
//   * its url the archive's permalink for the new date and title (so the
//     index stores it as it stores the real ones, see FORMAT.md, `STOR`);
//   * category and sources unchanged.

import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
export const CORPUS = [
  path.join(ROOT, 'data', 'wcep-events.jsonl.gz'),
  path.join(ROOT, 'data', 'wcep-events-2018-2026-plaintext.jsonl.gz'),
];
const ERA_DAYS = 9952;
const SUFFIXES = ['or', 'ia', 'en', 'ov', 'ez', 'an', 'et', 'is', 'um', 'ik', 'ara', 'ville'];
const DAY_MS = 86_400_000;

/** FNV-1a, 32 bits. */
function hash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function variant(word, r) {
  const h = hash(`${r}:${word}`);
  const capital = /^[A-Z]/.test(word);
  if (h % 100 >= (capital ? 35 : 2)) return word;
  return word + SUFFIXES[(h >>> 8) % SUFFIXES.length];
}

function rename(text, r) {
  return text.replace(/[A-Za-z]{3,}/g, (w) => variant(w, r));
}

/** The archive's permalink rule (`format::derived_url`). */
function permalink(date, title) {
  const [y, m, d] = date.split('-');
  let slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  slug = slug.slice(0, 140).replace(/-$/, '');
  return `/news/${y}/${m}/${Number(d)}/${slug}.md`;
}

function shiftDate(date, days) {
  const t = Date.parse(`${date}T00:00:00Z`) + days * DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}

function copyOf(e, r) {
  if (r === 0) return e;
  const date = shiftDate(e.date, r * ERA_DAYS);
  const title = rename(e.title, r);
  const out = { ...e, id: `${e.id}-r${r}`, date, title };
  if (Array.isArray(e.contexts)) out.contexts = e.contexts.map((c) => rename(c, r));
  if (typeof e.body === 'string') out.body = rename(e.body, r);
  if (e.url) out.url = permalink(date, title);
  return out;
}

export async function loadCorpus(files = CORPUS) {
  const events = [];
  for (const f of files) {
    const rl = readline.createInterface({ input: fs.createReadStream(f).pipe(zlib.createGunzip()), crlfDelay: Infinity });
    for await (const line of rl) if (line.trim()) events.push(JSON.parse(line));
  }
  return events;
}

/** Writes `n` events, gzipped JSON Lines, to `out` (atomically). */
export async function synthesize(n, out, corpus = null) {
  const events = corpus ?? (await loadCorpus());
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp${process.pid}`;
  const gz = zlib.createGzip({ level: 6 });
  const file = fs.createWriteStream(tmp);
  const done = new Promise((resolve, reject) => {
    file.on('finish', resolve);
    file.on('error', reject);
    gz.on('error', reject);
  });
  gz.pipe(file);
  let buf = [];
  for (let i = 0; i < n; i++) {
    const r = Math.floor(i / events.length);
    buf.push(JSON.stringify(copyOf(events[i % events.length], r)));
    if (buf.length === 4096 || i === n - 1) {
      if (!gz.write(`${buf.join('\n')}\n`)) await new Promise((res) => gz.once('drain', res));
      buf = [];
    }
  }
  gz.end();
  await done;
  fs.renameSync(tmp, out);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [n, out] = process.argv.slice(2);
  if (!n || !out) {
    console.error('usage: node bench/scale/synth.mjs N OUT.jsonl.gz');
    process.exit(2);
  }
  await synthesize(Number(n), out);
  console.log(`wrote ${out}`);
}
