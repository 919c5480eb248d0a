// Static HTTP server for the engines benchmark (bench/engines/run.mjs).
//
// Like tests/e2e/server.mjs (loopback, ephemeral port, GET/HEAD only, no
// listing, no traversal, Cache-Control: no-store, request/byte counters), plus
// what a side-by-side comparison needs:
//   * mounts: several directories under URL prefixes (longest prefix wins), so
//     a bench page and an engine's output directory can be served together;
//   * gzip: when the client accepts it, a file is sent gzip-compressed
//     (level 9, computed once and cached) if that saves at least 5 %, the way
//     a static host serving precompressed files would. The counters record
//     the bytes on the wire and the uncompressed bytes;
//   * crossOriginIsolated: COOP/COEP headers, so that pages can call
//     performance.measureUserAgentSpecificMemory() (memory of the page and its
//     workers, wasm included);
//   * link emulation: {mbps, rttMs} adds rttMs before every response and paces
//     all response bodies through one shared link of `mbps` megabits/s;
//   * http2: HTTP/2 over TLS (a self-signed certificate for 127.0.0.1, made
//     with `openssl` for the run), as production static hosts and CDNs serve,
//     so that requests share one connection instead of queueing for
//     HTTP/1.1's six; the browser must ignore certificate errors.
//
//   const srv = await startBenchServer({ mounts: [['/', dirA], ['/pagefind/', dirB]] });
//   srv.url, srv.stats {requests, bytes, rawBytes, paths: [{path, status, bytes, raw, gzip}]},
//   srv.resetStats(), srv.setLink({mbps, rttMs} | null), await srv.close()

import http from 'node:http';
import http2 from 'node:http2';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { promisify } from 'node:util';

import { mimeTypeFor, requestPath, resolveFile } from '../../tests/e2e/server.mjs';

const gzipAsync = promisify(zlib.gzip);

export const GZIP_LEVEL = 9;
const MIN_SAVING = 0.05;
const CHUNK = 16 * 1024;

/**
 * Gzip bodies of files, cached in memory (keyed by path, size and mtime) and,
 * for files of 1 MiB or more, on disk under cacheDir (keyed by content).
 */
export class GzipCache {
  constructor(cacheDir) {
    this.cacheDir = cacheDir;
    this.mem = new Map();
  }

  key(real, st) {
    return `${real}\0${st.size}\0${st.mtimeMs}\0${GZIP_LEVEL}`;
  }

  /** @returns {Promise<Buffer>} the gzip body of the file */
  async get(real, st) {
    const key = this.key(real, st);
    const hit = this.mem.get(key);
    if (hit) return hit;
    const p = (async () => {
      const data = await fsp.readFile(real);
      let diskPath = null;
      if (this.cacheDir && st.size >= 1 << 20) {
        // Big files are cached on disk by content, so that a rebuilt but
        // identical index (a new mtime) is not compressed again.
        const h = crypto.createHash('sha1').update(data).update(`:${GZIP_LEVEL}`).digest('hex');
        diskPath = path.join(this.cacheDir, `${h}.gz`);
        try {
          return await fsp.readFile(diskPath);
        } catch {
          /* not cached yet */
        }
      }
      const gz = await gzipAsync(data, { level: GZIP_LEVEL });
      if (diskPath) {
        await fsp.mkdir(this.cacheDir, { recursive: true });
        await fsp.writeFile(diskPath + '.tmp', gz);
        await fsp.rename(diskPath + '.tmp', diskPath);
      }
      return gz;
    })();
    this.mem.set(key, p);
    // Keep small bodies in memory; big ones only while in use, so that a
    // 40 MB body does not stay resident for the whole run.
    p.then(
      (buf) => {
        if (buf.length > 4 << 20) this.mem.delete(key);
      },
      () => this.mem.delete(key),
    );
    return p;
  }

  /** gzip byte size of a file */
  async size(file) {
    const real = await fsp.realpath(file);
    const st = await fsp.stat(real);
    return (await this.get(real, st)).length;
  }
}

/** A throwaway key and self-signed certificate for 127.0.0.1 (PEM). */
let tlsPair = null;
export function selfSignedCert() {
  if (tlsPair) return tlsPair;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  tlsPair = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  fs.rmSync(dir, { recursive: true, force: true });
  return tlsPair;
}

function makeStats() {
  return { requests: 0, bytes: 0, rawBytes: 0, paths: [] };
}

/**
 * @param {{mounts: Array<[string, string]>, gzip?: boolean, gzipCache?: GzipCache,
 *          crossOriginIsolated?: boolean, link?: {mbps: number, rttMs: number} | null,
 *          http2?: boolean}} opts
 */
export async function startBenchServer({ mounts, gzip = true, gzipCache = new GzipCache(null), crossOriginIsolated = false, link = null, http2: h2 = false }) {
  const roots = [];
  for (const [prefix, dir] of mounts) {
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`mount prefix must start and end with "/": ${prefix}`);
    roots.push({ prefix, root: await fsp.realpath(path.resolve(dir)) });
  }
  roots.sort((a, b) => b.prefix.length - a.prefix.length);
  let stats = makeStats();
  let currentLink = link;
  let linkFreeAt = 0; // ms (performance.now) when the emulated link is idle again
  const sockets = new Set();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  /** Writes body to res, paced through the shared emulated link if any. */
  async function send(res, body) {
    if (!currentLink) {
      res.end(body);
      return;
    }
    const bytesPerMs = (currentLink.mbps * 1e6) / 8 / 1000;
    for (let off = 0; off < body.length; off += CHUNK) {
      const chunk = body.subarray(off, Math.min(off + CHUNK, body.length));
      const now = performance.now();
      const start = Math.max(now, linkFreeAt);
      linkFreeAt = start + chunk.length / bytesPerMs;
      const wait = linkFreeAt - now;
      if (wait >= 1) await sleep(wait);
      if (res.destroyed) return;
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }

  const handler = async (req, res) => {
    const st0 = stats; // a reset during the response must not mix runs
    const record = (status, bytes, raw, p, gz) => {
      st0.requests += 1;
      st0.bytes += bytes;
      st0.rawBytes += raw;
      st0.paths.push({ method: req.method, path: p, status, bytes, raw, gzip: gz });
    };
    const baseHeaders = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (crossOriginIsolated) {
      baseHeaders['Cross-Origin-Opener-Policy'] = 'same-origin';
      baseHeaders['Cross-Origin-Embedder-Policy'] = 'require-corp';
      baseHeaders['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    const fail = (status, msg, p) => {
      const body = Buffer.from(`${status} ${msg}\n`);
      res.writeHead(status, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      record(status, req.method === 'HEAD' ? 0 : body.length, body.length, p, false);
    };
    try {
      if (currentLink && currentLink.rttMs > 0) await sleep(currentLink.rttMs);
      const req0 = requestPath(req);
      if (req0.error) return fail(...req0.error);
      const { urlPath, rel } = req0;
      const norm = path.posix.normalize('/' + rel);
      const mount = roots.find((m) => norm.startsWith(m.prefix) || norm + '/' === m.prefix);
      if (!mount) return fail(404, 'Not Found', urlPath);
      const file = await resolveFile(mount.root, norm.slice(mount.prefix.length), urlPath);
      if (file.error) return fail(...file.error);
      const { real, st } = file;

      const headers = { ...baseHeaders, 'Content-Type': mimeTypeFor(real) };
      let body = null;
      let gz = false;
      if (gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] || '')) && st.size >= 256) {
        const zipped = await gzipCache.get(real, st);
        if (zipped.length <= st.size * (1 - MIN_SAVING)) {
          body = zipped;
          gz = true;
          headers['Content-Encoding'] = 'gzip';
        }
        headers.Vary = 'Accept-Encoding';
      }
      if (!body) body = req.method === 'HEAD' ? null : await fsp.readFile(real);
      const len = gz ? body.length : st.size;
      headers['Content-Length'] = len;
      res.writeHead(200, headers);
      // Counted when the response starts (body size = Content-Length).
      record(200, req.method === 'HEAD' ? 0 : len, req.method === 'HEAD' ? 0 : st.size, urlPath, gz);
      if (req.method === 'HEAD') return res.end();
      await send(res, body);
    } catch (e) {
      if (!res.headersSent) fail(500, `Internal Server Error: ${e.message}`, req.url);
      else res.destroy();
    }
  };
  const server = h2 ? http2.createSecureServer({ ...selfSignedCert(), allowHTTP1: false }, handler) : http.createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = server.address().port;
  return {
    url: `${h2 ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    get stats() {
      return stats;
    },
    resetStats() {
      stats = makeStats();
    },
    setLink(l) {
      currentLink = l && l.mbps > 0 ? l : null;
      linkFreeAt = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
