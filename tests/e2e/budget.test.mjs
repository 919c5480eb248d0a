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
