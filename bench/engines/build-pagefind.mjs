// Child process of bench/engines/run.mjs: builds the Pagefind index of the
// corpus (bench/lib/pagefind-index.mjs) so that its wall time and peak RSS
// can be measured from outside.
//
//   node bench/engines/build-pagefind.mjs [DIR]
//
// DIR defaults to the shared cache, bench/work/pagefind/ (index in
// DIR/site/pagefind/, stamp in DIR/stamp.json).
// Prints one JSON line on stdout: {events, loadMs, buildMs, builtAt, size}.
// (buildMs is Pagefind's own time, from createIndex to the written files,
// the figure the cache stamp records; loadMs is the corpus parse before it.)

import { loadCorpus } from '../relevance/make-queries.mjs';
import { buildPagefind } from '../lib/pagefind-index.mjs';

const say = (m) => process.stderr.write(`[pagefind build] ${m}\n`);

const t = performance.now();
const events = loadCorpus();
const loadMs = performance.now() - t;
say(`${events.length} events loaded in ${(loadMs / 1000).toFixed(1)} s`);
const r = await buildPagefind(events, { force: true, log: say, ...(process.argv[2] ? { dir: process.argv[2] } : {}) });
process.stdout.write(JSON.stringify({ events: events.length, loadMs, ...r }) + '\n');
