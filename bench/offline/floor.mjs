// Where the offline file's bytes go, and how small DEFLATE could make them.
//
//   bash build.sh                   # builds www/ (this script builds nothing)
//   node bench/offline/floor.mjs    # writes bench/results/offline.md and prints it
//
// Measures, on the bundled corpus and the built www/:
//  1. the budget: the gzipped input JSONL (the offline file may be no
//     larger than its data zipped);
//  2. the offline file (www/offline.html) by index section: the UTF-16
//     units each section's chunks take (exact, from the file's own table);
//  3. two floors, each compressed with DEFLATE level 9 (the one codec a
//     browser inflates natively), one column at a time and whole (no
//     blocks, which is as small as DEFLATE gets on this data):
//     - the display data every hit needs (titles, source URLs and names,
//       context names, categories), ids and permalinks left out because
//       they can be derived;
//     - the postings of www/events.chron, split into their columns (doc
//       deltas, field bits, impacts, context word counts, title positions).
// Together against the budget they say how far this index's content is
// from it under DEFLATE, whatever the layout.
//  4. the same content under the strongest general-purpose codec at hand,
//     xz -9e (LZMA2), each column and each other section of
//     www/events.chron compressed whole, plus the wasm: a floor no layout
//     that keeps this index's content can go under, even one that must
//     decode everything before its first query (skipped, with a note,
//     where there is no `xz`; this part takes about a minute).

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const WWW = path.resolve(process.env.CHRONICLE_WWW || path.join(ROOT, 'www'));
const INPUTS = ['wcep-events.jsonl.gz', 'wcep-events-2018-2026-plaintext.jsonl.gz'].map((f) => path.join(ROOT, 'data', f));
// Format 3's sections, in the order PAGE numbers them (FORMAT.md, "Split index").
const SECTIONS = ['META', 'TERM', 'TINF', 'POST', 'XTRM', 'XINF', 'XPST', 'DAYS', 'CATS', 'SRCS', 'CTXS', 'FWRD', 'DICT', 'STOR', 'LENS'];

for (const f of [...INPUTS, path.join(WWW, 'offline.html'), path.join(WWW, 'events.chron'), path.join(WWW, 'split/index.chron')]) {
  if (!fs.existsSync(f)) {
    console.error(`missing ${f}: run \`bash build.sh\` first`);
    process.exit(2);
  }
}

const deflated = (buf) => zlib.deflateRawSync(buf, { level: 9, memLevel: 9 }).length;
/** Bytes of `buf` under xz -9e, or null when there is no `xz`. */
function xz(buf) {
  const r = spawnSync('xz', ['-9e', '-T1', '-c'], { input: buf, maxBuffer: 1 << 30 });
  return r.status === 0 ? r.stdout.length : null;
}
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
const mib = (n) => `${(n / 2 ** 20).toFixed(2)} MiB`;

function varint(b, p) {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[p++];
    v += (x & 127) * 2 ** shift;
    shift += 7;
    if (x < 128) return [v, p];
  }
}

/** Section name -> bytes of a Chronicle index file (header, table). */
function sections(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = {};
  const n = dv.getUint32(16, true);
  for (let i = 0; i < n; i++) {
    const at = 20 + 12 * i;
    const tag = String.fromCharCode(...bytes.subarray(at, at + 4));
    const off = dv.getUint32(at + 4, true);
    const len = dv.getUint32(at + 8, true);
    out[tag] = bytes.subarray(off, off + len);
  }
  return out;
}

// 1. The budget.
const gzIn = INPUTS.reduce((s, f) => s + fs.statSync(f).size, 0);
const budget = gzIn;

// 2. The offline file by section: each chunk's units from `data-ends`
// (offsets within its block; `data-blocks` counts the chunks per block),
// each chunk's section from the core's PAGE table.
const html = fs.readFileSync(path.join(WWW, 'offline.html'));
const text = html.subarray(2).toString('utf16le');
const open = text.indexOf('id="chronicle-chunks"');
const tag = text.slice(open, text.indexOf('>', open));
const ends = tag.match(/data-ends="([^"]*)"/)[1].split(',').map(Number);
const blockOf = tag
  .match(/data-blocks="([^"]*)"/)[1]
  .split(',')
  .flatMap((count, b) => Array(Number(count)).fill(b));
const core = sections(fs.readFileSync(path.join(WWW, 'split/index.chron')));
const chunkSection = new Map();
{
  const page = core.PAGE;
  const pages = new DataView(page.buffer, page.byteOffset).getUint32(0, true);
  let p = 4;
  let chunk = 0;
  for (let i = 0; i < pages; i++) {
    const section = page[p++];
    let z;
    [, p] = varint(page, p); // length
    [z, p] = varint(page, p);
    chunk += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    [, p] = varint(page, p); // offset
    // A chunk holding pages of several sections (a lexicon shard and
    // its term infos) is counted under both names.
    const seen = chunkSection.get(chunk);
    if (chunk > 0 && seen !== SECTIONS[section] && !seen?.endsWith(`+${SECTIONS[section]}`)) {
      chunkSection.set(chunk, seen ? `${seen}+${SECTIONS[section]}` : SECTIONS[section]);
    }
  }
}
// The doc store's blocks are the chunks after those `CHNK` lists, one a
// block (`BLKS`), and in no page.
const listed = new DataView(core.CHNK.buffer, core.CHNK.byteOffset).getUint32(0, true);
const bySection = {};
let chunksBytes = 0;
ends.forEach((end, i) => {
  const s = chunkSection.get(i + 1) ?? (i + 1 > listed ? 'STOR' : '?');
  const bytes = 2 * (end - (i > 0 && blockOf[i - 1] === blockOf[i] ? ends[i - 1] : 0));
  bySection[s] = (bySection[s] ?? 0) + bytes;
  chunksBytes += bytes;
});
const rest = html.length - chunksBytes;

// 3a. Display data, one column at a time.
const cols = { titles: [], 'source URLs': [], 'source names': [], 'context names': [], categories: [] };
for (const f of INPUTS) {
  for (const line of zlib.gunzipSync(fs.readFileSync(f)).toString('utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    cols.titles.push(r.title);
    cols.categories.push(r.category ?? '');
    for (const s of r.sources) {
      cols['source names'].push(s.name);
      cols['source URLs'].push(s.url ?? '');
    }
    cols['context names'].push(r.contexts.join('\u001f'));
  }
}
const displayRaw = Object.entries(cols).map(([k, v]) => [k, Buffer.from(v.join('\n'))]);
const display = displayRaw.map(([k, raw]) => [k, raw.length, deflated(raw)]);

// 3b. The postings, one column at a time (FORMAT.md, `POST`): a term's
// columns lie one after another (header flag bit 2, which every build
// sets).
const singleBytes = fs.readFileSync(path.join(WWW, 'events.chron'));
if (!(singleBytes.readUInt32LE(12) & 4)) throw new Error('www/events.chron: postings not in columns; run bash build.sh');
const single = sections(singleBytes);
const post = single.POST;
const tinf = new DataView(single.TINF.buffer, single.TINF.byteOffset, single.TINF.byteLength);
// With header flag bit 3 the impact column holds only the impacts a
// reader cannot derive (after its length), and LENS the lengths it
// derives the others from.
const derived = (singleBytes.readUInt32LE(12) & 8) !== 0;
const columns = ['doc deltas', 'field bits', 'impacts', 'context word counts', 'title positions'];
const out = Object.fromEntries(columns.map((k) => [k, Buffer.alloc(post.length)]));
const fill = Object.fromEntries(columns.map((k) => [k, 0]));
const copy = (k, from, to) => {
  post.copy(out[k], fill[k], from, to);
  fill[k] += to - from;
};
let postings = 0;
const terms = single.TINF.byteLength / 12;
for (let t = 0; t < terms; t++) {
  let p = tinf.getUint32(12 * t, true);
  const df = tinf.getUint32(12 * t + 4, true);
  const end = t + 1 < terms ? tinf.getUint32(12 * (t + 1), true) : post.length;
  postings += df;
  let docs;
  [docs, p] = varint(post, p);
  copy('doc deltas', p, p + docs);
  const bits = p + docs;
  let withCtx = 0;
  for (let k = 0; k < df; k++) withCtx += post[bits + k] & 2 ? 1 : 0;
  copy('field bits', bits, bits + df);
  let impacts = bits + df;
  let impactsLen = df;
  if (derived) [impactsLen, impacts] = varint(post, impacts);
  const ctx = impacts + impactsLen;
  copy('impacts', impacts, ctx);
  copy('context word counts', ctx, ctx + withCtx);
  copy('title positions', ctx + withCtx, end);
}
const postCols = columns.map((k) => [k, fill[k], deflated(out[k].subarray(0, fill[k]))]);

// 4. xz -9e, each piece whole: display columns, postings columns, the
// other sections (the doc store is the display data; DICT only serves
// DEFLATE) and the wasm.
// (The tail segment, XTRM XINF XPST, is small: whole, not by column.)
const OTHER = ['TERM', 'TINF', 'XTRM', 'XINF', 'XPST', 'DAYS', 'CATS', 'SRCS', 'CTXS', 'FWRD', ...(derived ? ['LENS'] : [])];
const xzRows = [
  ...displayRaw.map(([k, raw]) => [`display: ${k}`, raw]),
  ...columns.map((k) => [`postings: ${k}`, out[k].subarray(0, fill[k])]),
  ...OTHER.map((k) => [k, single[k]]),
  ['wasm', fs.readFileSync(path.join(WWW, 'chronicle_bg.wasm'))],
].map(([k, raw]) => [k, raw.length, xz(raw)]);
const haveXz = xzRows.every((r) => r[2] !== null);

// Report.
const sum = (rows) => rows.reduce((s, r) => s + r[2], 0);
const lines = [];
lines.push('# Offline file: where the bytes go, and the DEFLATE floor', '');
lines.push(`Input: ${INPUTS.map((f) => path.basename(f)).join(' + ')}, ${mb(gzIn)} (${mib(gzIn)}) gzipped: the budget, **${mb(budget)}** (${mib(budget)}).`, '');
lines.push(`\`www/offline.html\`: **${mb(html.length)}** (${mib(html.length)}, ${(html.length / gzIn).toFixed(2)} x the gzipped input): chunks ${mb(chunksBytes)}, the rest (core, wasm, code, markup) ${mb(rest)}.`, '');
lines.push('| section | bytes in the offline file | share |', '| --- | --- | --- |');
for (const [s, n] of Object.entries(bySection)) {
  lines.push(`| ${s} | ${mb(n)} | ${((100 * n) / html.length).toFixed(1)} % |`);
}
lines.push('');
lines.push('Display data, each column DEFLATEd whole (level 9):', '');
lines.push('| column | raw | deflated |', '| --- | --- | --- |');
for (const [k, raw, z] of display) lines.push(`| ${k} | ${mb(raw)} | ${mb(z)} |`);
lines.push(`| **all** | | **${mb(sum(display))}** |`, '');
lines.push(`Postings of \`events.chron\` (${postings.toLocaleString('en')}), each column DEFLATEd whole:`, '');
lines.push('| column | raw | deflated |', '| --- | --- | --- |');
for (const [k, raw, z] of postCols) lines.push(`| ${k} | ${mb(raw)} | ${mb(z)} |`);
lines.push(`| **all** | | **${mb(sum(postCols))}** |`, '');
const floor = sum(display) + sum(postCols);
lines.push(
  `Display data and postings alone, at DEFLATE's best: **${mb(floor)}**, ` +
    `${floor <= budget ? 'under' : 'over'} the budget of ${mb(budget)} ` +
    `(${(floor / budget).toFixed(2)} x), before the lexicon, facets, wasm and code. ` +
    `The display data alone leaves ${mb(budget - sum(display))} for everything else: ` +
    `${((8 * (budget - sum(display))) / postings).toFixed(1)} bits a posting, all included.`,
);
lines.push('');
if (haveXz) {
  const xzSum = (f) => xzRows.filter(f).reduce((n, r) => n + r[2], 0);
  const content = xzSum((r) => r[0] !== 'wasm');
  const facets = xzSum((r) => ['CATS', 'SRCS', 'CTXS', 'FWRD'].includes(r[0]));
  lines.push('The same content under xz -9e (LZMA2), each piece compressed whole (no random access: the page would have to decode all of it before its first query):', '');
  lines.push('| piece | raw | xz -9e |', '| --- | --- | --- |');
  for (const [k, raw, z] of xzRows) lines.push(`| ${k} | ${mb(raw)} | ${mb(z)} |`);
  lines.push(`| **all** | | **${mb(content + xzSum((r) => r[0] === 'wasm'))}** |`, '');
  const wasmXz = xzRows.find((r) => r[0] === 'wasm')[2];
  const least = content - facets + wasmXz;
  // What packing costs: the wasm block's UTF-16 units against the wasm's bytes.
  const w = text.indexOf('id="chronicle-wasm"');
  const wasmUnits = text.indexOf('</script>', w) - text.indexOf('>', w) - 1;
  const packing = (2 * wasmUnits) / fs.statSync(path.join(WWW, 'chronicle_bg.wasm')).size;
  lines.push(
    `Everything but the facet sections (which could be derived from the display data at load): ` +
      `**${mb(least)}** (${(least / budget).toFixed(3)} x the budget of ${mb(budget)}), ` +
      `before the widget's JavaScript and CSS; packed into the page's text ` +
      `(${packing.toFixed(3)} bytes of file a byte, measured on the wasm block) that is ${mb(least * packing)}.`,
  );
} else {
  lines.push('(No `xz` on this machine: the xz -9e floor is left out.)');
}
const report = `${lines.join('\n')}\n`;
fs.writeFileSync(path.join(HERE, '../results/offline.md'), report);
process.stdout.write(report);
