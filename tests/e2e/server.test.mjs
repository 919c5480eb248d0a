// Unit tests of the static test server (no browser, no built www/ needed).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { startServer } from './server.mjs';

let dir;
let outside;

before(() => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-srv-'));
  dir = path.join(base, 'www');
  outside = path.join(base, 'secret.txt');
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  fs.writeFileSync(outside, 'top secret');
  const files = {
    'index.html': '<!doctype html><title>x</title>',
    'a.js': 'export {}',
    'a.mjs': 'export {}',
    'a.css': 'body{}',
    'a.wasm': Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    'a.json': '{}',
    'a.chron': Buffer.alloc(1000, 7),
    'a.bin': Buffer.alloc(3),
    'a.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    'sub/index.html': '<p>sub</p>',
  };
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
  fs.symlinkSync(outside, path.join(dir, 'escape.txt'));
});

after(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

// Raw request so that "../" is not normalised away by the client.
function rawGet(port, target) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    s.on('data', (c) => (data += c.toString('latin1')));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

test('serves files with correct MIME types and counts bytes', async () => {
  const srv = await startServer(dir);
  try {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const expect = {
      '/index.html': 'text/html',
      '/a.js': 'text/javascript',
      '/a.mjs': 'text/javascript',
      '/a.css': 'text/css',
      '/a.wasm': 'application/wasm',
      '/a.json': 'application/json',
      '/a.chron': 'application/octet-stream',
      '/a.bin': 'application/octet-stream',
      '/a.png': 'image/png',
      '/': 'text/html',
      '/sub/': 'text/html',
    };
    for (const [p, type] of Object.entries(expect)) {
      const r = await fetch(srv.url + p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.get('content-type').split(';')[0], type, p);
      assert.equal(r.headers.get('content-security-policy'), null);
      await r.arrayBuffer();
    }
    assert.equal(srv.stats.requests, Object.keys(expect).length);
    const chron = srv.stats.paths.find((e) => e.path === '/a.chron');
    assert.equal(chron.bytes, 1000);
    assert.ok(srv.stats.bytes > 1000);
    srv.stats.reset();
    assert.equal(srv.stats.requests, 0);
    assert.equal(srv.stats.bytes, 0);
    assert.deepEqual(srv.stats.paths, []);
    await (await fetch(srv.url + '/a.bin')).arrayBuffer();
    srv.resetStats();
    assert.equal(srv.stats.requests, 0);
  } finally {
    await srv.close();
  }
});

test('404 for missing files and directories without index', async () => {
  const srv = await startServer(dir);
  try {
    for (const p of ['/nope.html', '/sub/nope.js', '/favicon.ico']) {
      const r = await fetch(srv.url + p);
      assert.equal(r.status, 404, p);
      await r.text();
    }
  } finally {
    await srv.close();
  }
});

test('no directory traversal or symlink escape', async () => {
  const srv = await startServer(dir);
  try {
    for (const target of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/../../secret.txt', '/..%2fsecret.txt', '/escape.txt']) {
      const resp = await rawGet(srv.port, target);
      const status = Number(resp.split(' ')[1]);
      assert.ok(status === 403 || status === 404 || status === 400, `${target} -> ${status}`);
      assert.ok(!resp.includes('top secret'), `${target} leaked the file`);
    }
  } finally {
    await srv.close();
  }
});

test('sends the Content-Security-Policy header when asked', async () => {
  const csp = "default-src 'self'";
  const srv = await startServer(dir, { csp });
  try {
    const r = await fetch(srv.url + '/index.html');
    assert.equal(r.headers.get('content-security-policy'), csp);
    await r.text();
  } finally {
    await srv.close();
  }
});

test('fault hook: hangs, fails, delays and trickles on purpose', async () => {
  const seen = [];
  let mode = null;
  const srv = await startServer(dir, {
    fault: (urlPath) => {
      seen.push(urlPath);
      return urlPath === '/a.chron' ? mode : null;
    },
  });
  try {
    // null: served as usual (and the hook sees the path).
    let r = await fetch(srv.url + '/a.chron');
    assert.equal(r.status, 200);
    assert.equal((await r.arrayBuffer()).byteLength, 1000);
    assert.deepEqual(seen, ['/a.chron']);

    mode = { status: 503 };
    r = await fetch(srv.url + '/a.chron');
    assert.equal(r.status, 503);
    assert.match(await r.text(), /^503 Service Unavailable/);

    mode = { delayMs: 150, status: 500 };
    let t0 = Date.now();
    r = await fetch(srv.url + '/a.chron');
    assert.equal(r.status, 500);
    await r.text();
    assert.ok(Date.now() - t0 >= 140, 'the answer waited');

    // Pieces of 300 bytes, without Content-Length: the body still whole.
    mode = { pieceBytes: 300, pieceDelayMs: 20, noLength: true };
    r = await fetch(srv.url + '/a.chron');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-length'), null);
    const reader = r.body.getReader();
    let pieces = 0;
    let bytes = 0;
    for (let x; !(x = await reader.read()).done; ) {
      pieces += 1;
      bytes += x.value.length;
    }
    assert.equal(bytes, 1000);
    assert.ok(pieces >= 2, `${pieces} pieces`);

    // 'hang': no answer until the client gives up; counted with status 0.
    mode = 'hang';
    const abort = new AbortController();
    const hung = fetch(srv.url + '/a.chron', { signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await assert.rejects(hung, { name: 'AbortError' });
    const last = srv.stats.paths.at(-1);
    assert.deepEqual([last.path, last.status, last.bytes], ['/a.chron', 0, 0]);

    // Other paths are untouched; the server still closes with a request hanging.
    r = await fetch(srv.url + '/a.json');
    assert.equal(r.status, 200);
    await r.text();
    fetch(srv.url + '/a.chron').catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await srv.close();
  }
});
