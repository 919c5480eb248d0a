/* Chronicle loader: boots the wasm module and mounts the widget.
 *
 * <script src="chronicle.js" data-index="events.chron"></script> mounts
 * into every [data-chronicle] element (or a new one after the script).
 * Chronicle.load(url) and Chronicle.mount(el, options) are the
 * programmatic API. This file is appended to wasm-bindgen's no-modules
 * glue by build.sh, so `wasm_bindgen` is in scope. */
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script && script.src ? new URL('.', script.src).href : document.baseURI;
  // The offline file carries the wasm and the index in non-executed
  // <script type="application/octet-stream"> blocks that the HTML parser
  // passes as plain text. The file is UTF-16, and the bytes are packed
  // two to a character (see `unpack`): half the characters of base64,
  // so the page parses sooner. The index is either gzipped whole, or a
  // split index's core with its chunks in blocks of their own (the first
  // named by the core's data-chunks), each chunk decoded when a read
  // needs it. Those blocks come after this script, so the widget boots
  // while the parser is still reading them.
  var embed = (function () {
    var wasm = document.getElementById('chronicle-wasm');
    var index = document.getElementById('chronicle-index');
    if (!wasm || !index) return null;
    return {
      wasm: wasm,
      index: index,
      name: index.getAttribute('data-name'),
      chunks: index.getAttribute('data-chunks'),
    };
  })();

  /** Resolves to what `get()` returns once that is not null, checking
   * again every few milliseconds while the page is being parsed; rejects
   * if it is still null when the page is parsed. */
  function whenParsed(get) {
    return new Promise(function (resolve, reject) {
      (function check() {
        var done = document.readyState !== 'loading';
        var v = get();
        if (v != null) resolve(v);
        else if (done) reject(new Error('its chunks are missing'));
        else setTimeout(check, 8);
      })();
    });
  }
  var booted = null;
  var widgets = [];

  /** The bytes packed in `text[from..to]`: each character is a
   * little-endian 16-bit word, but for '=' (0x3D), which escapes the words
   * that cannot stand for themselves in the page's text: a surrogate
   * (0xD800 + n is '=', 0x4000 + n) and NUL, CR, '<' and '=' itself
   * ('=', 0x4800 + their place in that list). `odd`: the last word holds
   * one byte. */
  function unpack(text, from, to, odd) {
    var out = new Uint8Array(2 * (to - from)), j = 0;
    for (var i = from; i < to; i++) {
      var c = text.charCodeAt(i);
      if (c === 0x3d) {
        c = text.charCodeAt(++i);
        c = c < 0x4800 ? c - 0x4000 + 0xd800 : [0x00, 0x0d, 0x3c, 0x3d][c - 0x4800];
      }
      out[j++] = c & 255;
      out[j++] = c >>> 8;
    }
    return out.subarray(0, j - (odd ? 1 : 0));
  }
  function unpackBlock(el) {
    var text = el.textContent;
    return unpack(text, 0, text.length, el.getAttribute('data-odd') === '1');
  }

  async function inflate(bytes, format) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  /** The embedded split index: its core, with a loader that decodes
   * the chunks reads ask for from the chunks blocks. A block is read once
   * the parser has closed it (the page may still be loading), so a query
   * typed early gets its chunks as soon as they are parsed. */
  function embeddedSplit() {
    var table = null;
    var texts = [];
    /** Chunks block `b` (from 0), if the parser has reached it. */
    function blockEl(b) {
      return document.getElementById(b ? embed.chunks + '-' + (b + 1) : embed.chunks);
    }
    function readTable() {
      if (table) return table;
      var el = blockEl(0);
      if (!el) return null;
      var counts = el.getAttribute('data-blocks').split(',').map(Number);
      var t = {
        ends: el.getAttribute('data-ends').split(',').map(Number),
        deflated: el.getAttribute('data-deflated'),
        odd: el.getAttribute('data-odd'),
        block: [],
      };
      counts.forEach(function (count, b) {
        for (var i = 0; i < count; i++) t.block.push(b);
      });
      return (table = t);
    }
    function blockText(b) {
      if (texts[b] == null) {
        var el = blockEl(b);
        if (el && (el.nextSibling || document.readyState !== 'loading')) texts[b] = el.textContent;
      }
      return texts[b];
    }
    /** Chunk `n` as stored (its block must be parsed): its bytes, or
     * `{ deflated: bytes }`, which the wasm inflates. */
    function stored(t, n) {
      var b = t.block[n - 1];
      var from = n > 1 && t.block[n - 2] === b ? t.ends[n - 2] : 0;
      var bytes = unpack(texts[b], from, t.ends[n - 1], t.odd.charAt(n - 1) === '1');
      return t.deflated.charAt(n - 1) === '1' ? { deflated: bytes } : bytes;
    }
    var ix = new wasm_bindgen.Chronicle(unpackBlock(embed.index));
    ix.setChunksAtHand(true);
    var load = attachLoader(ix, function (n) {
      return whenParsed(readTable).then(function (t) {
        if (!(n >= 1 && n <= t.ends.length && t.block.length === t.ends.length)) throw new Error('no chunk ' + n);
        return whenParsed(function () { return blockText(t.block[n - 1]); }).then(function () {
          return stored(t, n);
        });
      });
    }, function () { return 'the offline file is damaged'; });
    whenParsed(function () {
      return document.readyState !== 'loading' ? readTable() : null;
    }).then(function (t) {
      if (t.block.length === t.ends.length) warm(t, load);
    }, function () {});
    return ix;

    // Once the page is parsed, the chunks no read has asked for yet are
    // added while the page is idle, as many a turn as the turn has time
    // for, so that later keystrokes find the whole index in memory, as a
    // single file has it; then the page's copy of each block whose chunks
    // are all in is dropped. A damaged chunk is left for the read that
    // needs it to report.
    function warm(t, load) {
      var idle = window.requestIdleCallback || function (f) {
        return setTimeout(function () { f({ timeRemaining: function () { return 10; } }); }, 20);
      };
      var n = 0;
      var failed = new Set();
      idle(function step(deadline) {
        while (n < t.ends.length && deadline.timeRemaining() > 2) {
          var k = ++n;
          if (load.has(k) || blockText(t.block[k - 1]) == null) continue;
          try {
            load.put(k, stored(t, k));
          } catch (e) {
            failed.add(t.block[k - 1]);
          }
        }
        if (n < t.ends.length) return idle(step);
        for (var b = 0; b < texts.length; b++) {
          if (failed.has(b)) continue;
          texts[b] = null;
          var el = blockEl(b);
          if (el) el.textContent = '';
        }
      });
    }
  }

  function boot() {
    if (!booted) {
      var source = embed
        ? unpackBlock(embed.wasm)
        : (script && script.dataset.wasm) || new URL('chronicle_bg.wasm', base).href;
      booted = wasm_bindgen({ module_or_path: source });
    }
    return booted;
  }

  /** Loads an index: a URL, bytes, or (in the offline file) the embedded one. */
  async function load(source) {
    await boot();
    if (source instanceof Uint8Array) return new wasm_bindgen.Chronicle(source);
    if (source instanceof ArrayBuffer) return new wasm_bindgen.Chronicle(new Uint8Array(source));
    if (embed && (source === undefined || source === embed.name)) {
      if (embed.chunks) return embeddedSplit();
      return new wasm_bindgen.Chronicle(await inflate(unpackBlock(embed.index), 'gzip'));
    }
    return fetchIndex(new URL(source || 'events.chron', document.baseURI).href);
  }

  async function fetchIndex(url) {
    var resp = await fetch(url);
    if (!resp.ok) throw new Error('cannot fetch ' + url + ': HTTP ' + resp.status);
    var ix = new wasm_bindgen.Chronicle(new Uint8Array(await resp.arrayBuffer()));
    // A split index fetches its chunks from beside its core, on demand.
    if (ix.isSplit()) chunkLoader(ix, new URL('.', resp.url || url).href);
    return ix;
  }
  // `await wasm_bindgen.Chronicle.load(url)`: fetching is done here, in
  // JS, which keeps an async runtime out of the wasm.
  wasm_bindgen.Chronicle.load = fetchIndex;

  // The chunk loader of a split index, one per handle: takes the chunks
  // its reads asked for, gets them all at once with `getChunk(n)` (a
  // promise of the bytes; a chunk already on its way is awaited, not got
  // again) and adds them. Resolves to true, false (nothing asked for) or
  // an error message prefixed with `where(n)`, never rejects. `getChunk`
  // may give `{ deflated: bytes }` instead, for the wasm to inflate.
  var loaders = new WeakMap();
  function attachLoader(ix, getChunk, where) {
    var inflight = new Map();
    var added = new Set();
    function put(n, bytes) {
      if (bytes.deflated) ix.addDeflatedChunk(n, bytes.deflated);
      else ix.addChunk(n, bytes);
      added.add(n);
    }
    function add(n) {
      if (added.has(n)) return Promise.resolve();
      var p = inflight.get(n);
      if (!p) {
        p = getChunk(n).then(function (bytes) {
          put(n, bytes);
        }).catch(function (e) {
          throw new Error(where(n) + ': ' + (e && e.message ? e.message : e));
        }).finally(function () {
          inflight.delete(n);
        });
        inflight.set(n, p);
      }
      return p;
    }
    var load = function () {
      var wanted = ix.takeWanted();
      if (!wanted.length) return Promise.resolve(false);
      return Promise.all(Array.from(wanted, add))
        .then(function () { return true; }, function (e) { return e.message; });
    };
    // For a caller that has a chunk's bytes at hand: whether it is in (or
    // on its way), and adding it now (throws if it is refused).
    load.has = function (n) { return added.has(n) || inflight.has(n); };
    load.put = put;
    ix.setChunkLoader(load);
    loaders.set(ix, load);
    return load;
  }

  /** The loader of a split index served over HTTP: chunks from `base`. */
  function chunkLoader(ix, base) {
    var load = loaders.get(ix);
    if (load) return load;
    if (base !== undefined) ix.setChunkBase(base);
    return attachLoader(ix, function (n) {
      var url = ix.chunkUrl(n);
      return fetch(url).then(function (r) {
        if (!r.ok) throw new Error('cannot fetch ' + url + ': HTTP ' + r.status);
        return r.arrayBuffer();
      }).then(function (buf) {
        return new Uint8Array(buf);
      });
    }, function (n) { return ix.chunkUrl(n); });
  }

  /** Like `search`, but first fetches the chunks of a split index that
   * the query needs. Returns a promise of the same object. */
  wasm_bindgen.Chronicle.prototype.searchAsync = async function (query, options) {
    for (var round = 0; round < 8; round++) {
      try {
        return this.search(query, options);
      } catch (e) {
        var got = await chunkLoader(this)();
        if (got === false) throw e;
        if (typeof got === 'string') throw new Error(got);
      }
    }
    throw new Error('the split index did not load');
  };

  /** Mounts a widget into `el`. options.index: a URL or a loaded index. */
  async function mount(el, options) {
    options = options || {};
    el.setAttribute('data-state', 'loading');
    try {
      var index = options.index instanceof wasm_bindgen.Chronicle
        ? options.index
        : await load(options.index);
      if (index.isSplit()) chunkLoader(index);
      var opts = Object.assign({}, options);
      delete opts.index;
      var w = index.mount(el, opts);
      widgets.push(w);
      return w;
    } catch (e) {
      el.setAttribute('data-state', 'error');
      el.textContent = 'Search is unavailable: ' + (e && e.message ? e.message : e);
      throw e;
    }
  }

  function memoryBytes() {
    return booted ? wasm_bindgen.memoryBytes() : 0;
  }

  function ensureStylesheet() {
    if (embed || !script || !script.src || script.dataset.css === 'none') return;
    var href = script.dataset.css || new URL('chronicle.css', base).href;
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) if (links[i].href === href) return;
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    document.head.appendChild(link);
  }

  function autoMount() {
    var targets = Array.prototype.slice.call(document.querySelectorAll('[data-chronicle]'));
    if (targets.length === 0 && script && script.parentNode) {
      var div = document.createElement('div');
      div.setAttribute('data-chronicle', '');
      script.parentNode.insertBefore(div, script.nextSibling);
      targets.push(div);
    }
    var shared = null;
    targets.forEach(function (el) {
      var src = el.getAttribute('data-index') || (script && script.dataset.index) || undefined;
      var options = { baseUrl: el.getAttribute('data-base-url') || undefined };
      if (el.hasAttribute('data-limit')) options.limit = Number(el.getAttribute('data-limit'));
      if (el.hasAttribute('data-placeholder')) options.placeholder = el.getAttribute('data-placeholder');
      if (!el.getAttribute('data-index') && targets.length > 1) {
        shared = shared || load(src);
        options.index = undefined;
        el.setAttribute('data-state', 'loading');
        shared.then(function (ix) { options.index = ix; return mount(el, options); })
          .catch(function (e) { console.warn('Chronicle:', e); });
        return;
      }
      options.index = src;
      mount(el, options).catch(function (e) { console.warn('Chronicle:', e); });
    });
  }

  window.Chronicle = { load: load, mount: mount, memoryBytes: memoryBytes, widgets: widgets };
  ensureStylesheet();
  if (!script || script.dataset.auto !== 'false') {
    // The offline file's widget is already above this script.
    if (document.readyState === 'loading' && !(embed && embed.chunks)) {
      document.addEventListener('DOMContentLoaded', autoMount);
    } else autoMount();
  }
})();
