// Tiny static HTTP server for the end-to-end tests and the browser benchmark.
//
//   const srv = await startServer('/path/to/www', { csp: "default-src 'self'" });
//   const srv = await startServer(www, { fault: (urlPath, req) => … });   // see below
//   srv.url        -> 'http://127.0.0.1:PORT'
//   srv.stats      -> { requests, bytes, paths: [{ method, path, status, bytes }] }
//   srv.resetStats()   (also srv.stats.reset())
//   await srv.close()
//
// Bound to 127.0.0.1 on an ephemeral port. Only serves regular files below
// rootDir (no directory listing, no traversal, no symlink escape).
//
// `fault(urlPath, req)`, called for each GET/HEAD of a well-formed path,
// makes the network misbehave on purpose (it may change what it answers
// from one call to the next). It returns:
//   null / undefined          serve as usual
//   'hang'                    never answer (until the client gives up or
//                             the server closes); counted with status 0
//   { status }                answer with this status and a short text body
//   { delayMs }               wait this long first (with status: then fail)
//   { pieceBytes, pieceDelayMs }  send the file's body in pieces of this
//                             many bytes, pausing between them
//   { noLength: true }        send no Content-Length (chunked encoding)
// The object's fields combine (e.g. { delayMs, pieceBytes, pieceDelayMs }).

import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const MIME_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.chron': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
});

export function mimeTypeFor(filePath) {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

function makeStats() {
  const stats = {
    requests: 0,
    bytes: 0,
    paths: [],
    reset() {
      stats.requests = 0;
      stats.bytes = 0;
      stats.paths.length = 0;
    },
  };
  // keep reset() out of JSON.stringify / Object.keys noise
  Object.defineProperty(stats, 'reset', { enumerable: false });
  return stats;
}

/**
 * The path of a GET/HEAD request: {urlPath, rel} (rel decoded, "index.html"
 * appended to a directory path), or {error: [status, message, path]} to answer with.
 */
export function requestPath(req) {
  let urlPath;
  try {
    urlPath = new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    return { error: [400, 'Bad Request', String(req.url)] };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { error: [405, 'Method Not Allowed', urlPath] };
  }
  let rel;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return { error: [400, 'Bad Request', urlPath] };
  }
  if (rel.includes('\0')) return { error: [400, 'Bad Request', urlPath] };
  if (rel.endsWith('/')) rel += 'index.html';
  return { urlPath, rel };
}

/**
 * The regular file at `rel` strictly below the (real) directory `root`, checked
 * again after following symlinks: {real, st}, or {error: [status, message, urlPath]}.
 */
export async function resolveFile(root, rel, urlPath) {
  const candidate = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (candidate !== root && !candidate.startsWith(root + path.sep)) {
    return { error: [403, 'Forbidden', urlPath] };
  }
  let real;
  let st;
  try {
    real = await fsp.realpath(candidate);
    if (real !== root && !real.startsWith(root + path.sep)) {
      return { error: [403, 'Forbidden', urlPath] };
    }
    st = await fsp.stat(real);
  } catch {
    return { error: [404, 'Not Found', urlPath] };
  }
  if (!st.isFile()) return { error: [404, 'Not Found', urlPath] };
  return { real, st };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Streams `file` to `res` in pieces of `pieceBytes`, `pieceDelayMs` apart. */
function sendInPieces(file, res, pieceBytes, pieceDelayMs) {
  const stream = fs.createReadStream(file, { highWaterMark: pieceBytes });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.on('data', (piece) => {
    stream.pause();
    res.write(piece);
    setTimeout(() => stream.resume(), pieceDelayMs);
  });
  stream.on('end', () => res.end());
}

/**
 * @param {string} rootDir directory to serve
 * @param {{csp?: string, host?: string, port?: number, fault?: (urlPath: string, req: object) => any}} [opts]
 * @returns {Promise<{url: string, port: number, stats: object, resetStats: () => void, close: () => Promise<void>}>}
 */
export async function startServer(rootDir, { csp, host = '127.0.0.1', port = 0, fault } = {}) {
  const root = await fsp.realpath(path.resolve(rootDir));
  const stats = makeStats();
  const sockets = new Set();

  const server = http.createServer(async (req, res) => {
    const record = (status, bytes, p) => {
      stats.requests += 1;
      stats.bytes += bytes;
      stats.paths.push({ method: req.method, path: p, status, bytes });
    };
    const baseHeaders = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (csp) baseHeaders['Content-Security-Policy'] = csp;

    const fail = (status, msg, p) => {
      const body = Buffer.from(`${status} ${msg}\n`);
      res.writeHead(status, {
        ...baseHeaders,
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': body.length,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      record(status, req.method === 'HEAD' ? 0 : body.length, p);
    };

    const req0 = requestPath(req);
    if (req0.error) return fail(...req0.error);
    const { urlPath, rel } = req0;
    const f = fault ? fault(urlPath, req) : null;
    if (f === 'hang') {
      record(0, 0, urlPath);
      return;
    }
    if (f && f.delayMs) {
      await sleep(f.delayMs);
      if (res.destroyed) return;
    }
    if (f && f.status) return fail(f.status, http.STATUS_CODES[f.status] ?? 'Fault', urlPath);
    const file = await resolveFile(root, rel, urlPath);
    if (file.error) return fail(...file.error);
    const { real, st } = file;

    const headers = { ...baseHeaders, 'Content-Type': mimeTypeFor(real) };
    if (!(f && f.noLength)) headers['Content-Length'] = st.size;
    res.writeHead(200, headers);
    // Counted when the response starts (body size = Content-Length), so the
    // counters are already up to date when the client has the bytes.
    record(200, req.method === 'HEAD' ? 0 : st.size, urlPath);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (f && f.pieceBytes) return sendInPieces(real, res, f.pieceBytes, f.pieceDelayMs ?? 0);
    const stream = fs.createReadStream(real);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = server.address().port;

  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    root,
    stats,
    resetStats: () => stats.reset(),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
