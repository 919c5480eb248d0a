// Size budgets of the built widget (deterministic, so tested; timings are
// only reported, in bench/). Run after `bash build.sh`.
//
// The code a page downloads to search — wasm + JS + CSS — stays within
// 120 KB gzip (level 9, what a server typically sends).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WWW = path.resolve(process.env.CHRONICLE_WWW || path.join(HERE, '../../www'));
const CODE_BUDGET = 120 * 1024;

const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(WWW, f)), { level: 9 }).length;

test('wasm + JS + CSS stay within 120 KB gzip', () => {
  const files = ['chronicle_bg.wasm', 'chronicle.js', 'chronicle.css'];
  const sizes = Object.fromEntries(files.map((f) => [f, gz(f)]));
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  assert.ok(total <= CODE_BUDGET, `${total} bytes gzip > ${CODE_BUDGET}: ${JSON.stringify(sizes)}`);
});
