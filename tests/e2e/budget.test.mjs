// Size budgets of what build.sh writes to www/: deterministic, so they
// are tests (timings are not: they live in bench/). Run after build.sh.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WWW = process.env.CHRONICLE_WWW || path.resolve(HERE, '../../www');

/** The code a page downloads to run the widget, gzipped: 120 KB. */
export const CODE_BUDGET = 120_000;

function gzipSize(name) {
  const file = path.join(WWW, name);
  assert.ok(fs.existsSync(file), `${file} is missing: run bash build.sh first`);
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

test('wasm + JS + CSS fit in 120 KB gzipped', () => {
  const parts = ['chronicle_bg.wasm', 'chronicle.js', 'chronicle.css'].map((f) => [f, gzipSize(f)]);
  const total = parts.reduce((a, [, n]) => a + n, 0);
  const detail = parts.map(([f, n]) => `${f} ${n}`).join(', ');
  assert.ok(total <= CODE_BUDGET, `${total} bytes gzipped (${detail}) exceed the budget of ${CODE_BUDGET}`);
});

// The index against its data: build.sh indexes the bundled archive, whose
// gzipped input files are the yardstick. The target is 1.0 (no larger than
// the data zipped); until it is met, these are the ratios measured, so that
// a change that grows the index fails here. Lower them as the format
// shrinks (bench/README.md, "Offline file", has where the bytes go).
const ROOT = path.resolve(HERE, '../..');
const INPUTS = ['data/wcep-events.jsonl.gz', 'data/wcep-events-2018-2026-plaintext.jsonl.gz'];
const RATIO = { 'events.chron': 1.11, 'offline.html': 1.18 };

test('the single file (gzipped) and the offline file against the gzipped input', { skip: process.env.CHRONICLE_WWW && 'another www/' }, () => {
  const input = INPUTS.reduce((a, f) => a + fs.statSync(path.join(ROOT, f)).size, 0);
  const sizes = {
    'events.chron': gzipSize('events.chron'),
    'offline.html': fs.statSync(path.join(WWW, 'offline.html')).size,
  };
  for (const [name, bytes] of Object.entries(sizes)) {
    const ratio = bytes / input;
    assert.ok(ratio <= RATIO[name], `${name}: ${bytes} bytes, ${ratio.toFixed(3)} × the gzipped input (${input}), over ${RATIO[name]}`);
  }
});
