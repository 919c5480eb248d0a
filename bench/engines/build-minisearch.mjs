// Child process of bench/engines/run.mjs: builds the MiniSearch index of the
// full corpus and serialises it to OUT_DIR/index.json (what a site ships;
// the bench server sends it gzip-compressed).
//
//   node bench/engines/build-minisearch.mjs OUT_DIR
//
// Same document setup as bench/relevance/run.mjs: fields title, contexts
// (joined), category, source names; idField id; stored field title.
// Prints one JSON line on stdout: {events, loadMs, indexMs, serializeMs,
// writeMs, heapAfterIndex, heapAfterSerialize, jsonBytes}. Peak RSS is
// measured by the parent (it runs this under /usr/bin/time -v).

import fs from 'node:fs';
import path from 'node:path';

import MiniSearch from 'minisearch';

import { loadCorpus } from '../relevance/make-queries.mjs';
import { recordText } from '../lib/pagefind-index.mjs';

const MINISEARCH_OPTIONS = {
  idField: 'id',
  fields: ['title', 'contexts', 'category', 'sources'],
  storeFields: ['title'],
};

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node bench/engines/build-minisearch.mjs OUT_DIR');
  process.exit(2);
}
const say = (m) => process.stderr.write(`[minisearch build] ${m}\n`);

let t = performance.now();
const events = loadCorpus();
const loadMs = performance.now() - t;
say(`${events.length} events loaded in ${(loadMs / 1000).toFixed(1)} s`);

t = performance.now();
const ms = new MiniSearch({
  ...MINISEARCH_OPTIONS,
  extractField: (doc, field) => {
    if (field === 'id' || field === 'title') return doc[field];
    return recordText(doc)[field];
  },
});
ms.addAll(events);
const indexMs = performance.now() - t;
const heapAfterIndex = process.memoryUsage().heapUsed;
say(`indexed in ${(indexMs / 1000).toFixed(1)} s, heap ${(heapAfterIndex / 2 ** 20).toFixed(0)} MiB`);

t = performance.now();
const json = JSON.stringify(ms);
const serializeMs = performance.now() - t;
const heapAfterSerialize = process.memoryUsage().heapUsed;

t = performance.now();
fs.mkdirSync(outDir, { recursive: true });
const tmp = path.join(outDir, 'index.json.tmp');
fs.writeFileSync(tmp, json);
fs.renameSync(tmp, path.join(outDir, 'index.json'));
const writeMs = performance.now() - t;
say(`serialised in ${(serializeMs / 1000).toFixed(1)} s (${(Buffer.byteLength(json) / 2 ** 20).toFixed(1)} MiB JSON)`);

process.stdout.write(
  JSON.stringify({
    events: events.length,
    loadMs,
    indexMs,
    serializeMs,
    writeMs,
    heapAfterIndex,
    heapAfterSerialize,
    jsonBytes: Buffer.byteLength(json),
  }) + '\n',
);
