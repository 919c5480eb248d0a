// Times each wasm decoder on the blocks the native run sampled, and
// writes bench/results/codecs.md from native.json, the wasm sizes and
// these timings. Usage (run.sh does it):
//   node report.mjs WORK_DIR OUT_MD METHOD_FILE
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const [work, outMd, methodFile] = process.argv.slice(2);
const native = JSON.parse(readFileSync(join(work, 'native.json'), 'utf8'));
// wasm-sizes.tsv: name, raw bytes, gzip -9 bytes (after wasm-opt -Oz).
const sizes = Object.fromEntries(
  readFileSync(join(work, 'wasm-sizes.tsv'), 'utf8').trim().split('\n')
    .map((l) => l.split('\t')).map(([n, raw, gz]) => [n, { raw: +raw, gz: +gz }]));
const RUNS = native.runs;

const decoderOf = (codec) => codec.split('-')[0]; // deflate | zstd | brotli

async function wasmDecodeUs(codec, block) {
  const bytes = readFileSync(join(work, 'wasm', `${decoderOf(codec)}.wasm`));
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const x = instance.exports;
  const dict = readFileSync(join(work, 'blocks', `${codec}.dict`));
  const file = readFileSync(join(work, 'blocks', `${codec}-${block}.bin`));
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = dv.getUint32(0, true);
  const blocks = [];
  let at = 4;
  for (let i = 0; i < n; i++) {
    const zlen = dv.getUint32(at, true), rawlen = dv.getUint32(at + 4, true);
    blocks.push({ z: file.subarray(at + 8, at + 8 + zlen), rawlen });
    at += 8 + zlen;
  }
  const maxZ = Math.max(...blocks.map((b) => b.z.length));
  const maxRaw = Math.max(...blocks.map((b) => b.rawlen));
  const dictPtr = x.alloc(Math.max(dict.length, 1));
  new Uint8Array(x.memory.buffer, dictPtr, dict.length).set(dict);
  x.set_dict(dictPtr, dict.length);
  const src = x.alloc(maxZ), dst = x.alloc(maxRaw);
  const mem = () => new Uint8Array(x.memory.buffer);
  const times = new Array(n).fill(Infinity);
  // One untimed pass (compiles the hot paths, checks every length), then
  // RUNS timed passes; per block the best, then the median over blocks.
  for (let pass = 0; pass <= RUNS; pass++) {
    for (let i = 0; i < n; i++) {
      const b = blocks[i];
      mem().set(b.z, src);
      const t = performance.now();
      const k = x.decode(src, b.z.length, dst, b.rawlen);
      const us = (performance.now() - t) * 1000;
      if (k !== b.rawlen) throw new Error(`${codec} block ${i}: decoded ${k}, want ${b.rawlen}`);
      if (pass > 0) times[i] = Math.min(times[i], us);
    }
  }
  times.sort((a, b) => a - b);
  return n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const mb = (n) => (n / 1e6).toFixed(2);
const base = sizes.none;
const delta = (d) => ({ raw: sizes[d].raw - base.raw, gz: sizes[d].gz - base.gz });

const rows = [];
for (const r of native.rows) {
  const wasmUs = await wasmDecodeUs(r.codec, r.block);
  rows.push({ ...r, wasmUs });
  process.stderr.write(`${r.codec} ${r.block}: wasm ${wasmUs.toFixed(1)} µs\n`);
}

const current = rows.find((r) => r.codec === 'deflate-6+dict' && r.block === 32);
let md = `# Doc-store codecs

What the doc store (\`STOR\`, with its \`DICT\`) would cost under each codec
and block size, over the ${fmt(native.events)} bundled events
(${mb(native.raw_bytes)} MB of records). Written by \`bash bench/codecs/run.sh\`;
every number below comes from that one run. The index today: ${fmt(native.index_bytes)}
bytes, of which \`STOR\` ${fmt(native.index_stor_bytes)} and \`DICT\` ${fmt(native.index_dict_bytes)}
(raw DEFLATE level 6, 32 events a block, 32 KB preset dictionary). The
measurement re-encodes every record as \`src/format/write.rs\` \`record\` does;
its \`deflate-6+dict\` blocks at 32 events were checked byte for byte
against the \`STOR\` section of an index built from the same events
(${native.verified_against_index ? 'identical' : 'DIFFERENT'}).

## Per codec and block size

* **blocks**: the compressed blocks, summed; **per block**: their mean.
* **store**: what the index would hold: blocks + offset table + dictionary.
* **index**: the whole single-file index with that store (all other sections as built today).
* **+ wasm**: index + the decoder's wasm (raw bytes over the no-decoder baseline, after \`wasm-opt -Oz\`).
* **decode**: median over ${native.timed_blocks} evenly spread blocks of the best of ${RUNS} passes, µs per block;
  native (x86-64, \`opt-level 3\`) and in wasm (Node ${process.version}, the \`opt-level z\` module).

| codec | block | blocks (bytes) | per block | store | index | + wasm | Δ vs today | decode native µs | decode wasm µs |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
`;
for (const r of rows) {
  const withWasm = r.index_bytes + delta(decoderOf(r.codec)).raw;
  const today = current.index_bytes + delta('deflate').raw;
  const d = withWasm - today;
  md += `| ${r.codec} | ${r.block} | ${fmt(r.total_bytes)} | ${fmt(r.mean_block_bytes)} | ${fmt(r.store_bytes)} | ${fmt(r.index_bytes)} | ${fmt(withWasm)} | ${d > 0 ? '+' : ''}${fmt(d)} | ${r.decode_us_median.toFixed(1)} | ${r.wasmUs.toFixed(1)} |\n`;
}
md += `
Mean raw block: ${[8, 16, 32, 64].map((b) => `${b} events ${fmt(native.raw_bytes / Math.ceil(native.events / b))} bytes`).join(', ')}.
"Δ vs today" compares index + decoder wasm with today's (\`deflate-6+dict\`, 32 events).

## Decoders in wasm

\`wasm32-unknown-unknown\`, release, \`opt-level = "z"\`, \`lto\`, \`codegen-units = 1\`, \`panic = "abort"\`,
then \`wasm-opt -Oz\`; one \`extern "C" fn decode\` over the decoder (\`bench/codecs/decoders\`).
The baseline is the same module with no decoder (allocator, buffers, a copy): the
difference is what the decoder adds. The widget's wasm already holds miniz_oxide's inflater.

| decoder | wasm bytes | gzip -9 | decoder alone (raw) | decoder alone (gzip -9) |
| --- | ---: | ---: | ---: | ---: |
| none (baseline) | ${fmt(base.raw)} | ${fmt(base.gz)} | | |
`;
const names = { deflate: 'miniz_oxide 0.8 inflate', zstd: 'ruzstd 0.7.3', brotli: 'brotli-decompressor 5.0.3' };
for (const d of ['deflate', 'zstd', 'brotli']) {
  md += `| ${names[d]} | ${fmt(sizes[d].raw)} | ${fmt(sizes[d].gz)} | ${fmt(delta(d).raw)} | ${fmt(delta(d).gz)} |\n`;
}
md += `
## The whole doc store as one stream (reference)

Not usable as is (a hit would need everything before it); the floor that blocks pay against.
DEFLATE's window is 32 KB whatever the level; zstd 19 uses an 8 MB window, brotli 11 a 16 MB one (lgwin 24).
With a dictionary, libzstd tunes its parameters for small inputs (a smaller window), hence
zstd-19+dict's larger whole-stream size; the dictionaries are meant for the blocks.

| codec | bytes | of raw |
| --- | ---: | ---: |
`;
for (const w of native.whole) {
  md += `| ${w.codec} | ${fmt(w.bytes)} | ${(100 * w.bytes / native.raw_bytes).toFixed(1)} % |\n`;
}
md += '\n## Method\n\n' + readFileSync(methodFile, 'utf8');
writeFileSync(outMd, md);
