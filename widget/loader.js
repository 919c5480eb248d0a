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
  // In the offline file, the page's own script (which `chronicle bundle`
  // puts before this one) reads the wasm and the index packed into the
  // page: `{ name, early, wasm(), load(attachLoader) }`.
  var embed = window.ChronicleEmbedded || null;
  var booted = null;
  var widgets = [];

  function boot() {
    if (!booted) {
      var source = embed
        ? embed.wasm()
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
    if (embed && (source === undefined || source === embed.name)) return embed.load(attachLoader);
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
      var own = !(options.index instanceof wasm_bindgen.Chronicle);
      var index = own ? await load(options.index) : options.index;
      if (index.isSplit()) chunkLoader(index);
      var opts = Object.assign({}, options);
      delete opts.index;
      var w = index.mount(el, opts);
      widgets.push(w);
      // unmount(): the widget leaves the page and its memory is freed,
      // with the index's when this mount loaded it.
      var unmount = w.unmount;
      w.unmount = function () {
        var i = widgets.indexOf(w);
        if (i < 0) return;
        widgets.splice(i, 1);
        unmount.call(w);
        w.free();
        if (own) index.free();
      };
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
      var options = { baseUrl: el.getAttribute('data-base-url') || (script && script.dataset.baseUrl) || undefined };
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
    if (document.readyState === 'loading' && !(embed && embed.early)) {
      document.addEventListener('DOMContentLoaded', autoMount);
    } else autoMount();
  }
})();
