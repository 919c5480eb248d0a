/* Chronicle loader: boots the wasm module and mounts the widget.
 *
 * One body for two builds, which build.sh appends to wasm-bindgen's
 * no-modules glue (so `wasm_bindgen` is in scope) between a few lines of
 * their own that declare `script` (the loader's <script> tag, or null),
 * `base` (the URL of the folder the widget's files are in) and `embed`
 * (below), and hand out `api`:
 *
 *   chronicle.js   a classic script: <script src="chronicle.js"
 *                  data-index="events.chron"></script> adds the
 *                  stylesheet and, by `start()`, mounts into every
 *                  [data-chronicle] element (or a new one after the
 *                  script); `window.Chronicle` is `api`.
 *   chronicle.mjs  an ES module: `import { load, mount } from
 *                  './chronicle.mjs'` (or the default export, `api`);
 *                  it finds the wasm beside itself (import.meta.url)
 *                  and mounts nothing by itself.
 *
 * Both define <chronicle-search index="events.chron">, which mounts a
 * widget while it is in the document. */
// The script tag's data-* options (none without a tag).
var data = script ? script.dataset : {};
// `embed`: in the offline file, the page's own script (which
// `chronicle bundle` puts before this one) reads the wasm and the index
// packed into the page: `{ name, early, wasm(), load(attachLoader) }`.
var booted = null;
var widgets = [];
// The UI strings: the English the loader says itself here (the wasm
// carries the rest), the other languages of
// widget/strings.json (LANGS) in chronicle.LANG.json beside this script,
// fetched when a widget speaks one (the offline file carries them all
// as window.ChronicleStrings). build.sh fills in both.
var STRINGS = { en: /*STRINGS*/{} };
var LANGS = /*LANGS*/[];
var RTL = /^(ar|fa|he|ps|ur|yi)\b/i;

function language(el, options) {
  return options.lang || (el.closest('[lang]') || {}).lang || 'en';
}

/** Resolves once the strings of `lang` are at hand (English when they
 * cannot be had). */
function strings(lang) {
  var l = lang.toLowerCase().split('-')[0];
  var have = window.ChronicleStrings;
  if (!STRINGS[l] && LANGS.indexOf(l) >= 0) {
    STRINGS[l] = have ? have[l] || {} : fetchBytes(new URL('chronicle.' + l + '.json', base).href)
      .then(function (got) { return JSON.parse(new TextDecoder().decode(got.bytes)); })
      .catch(function (e) { console.warn('Chronicle: no ' + l + ' strings: ' + e.message); return {}; })
      .then(function (t) { return (STRINGS[l] = t); });
  }
  return Promise.resolve(STRINGS[l]);
}

/** A widget's language, UI strings and `Intl` formats: `options.lang`,
 * else the nearest `lang` attribute (its strings fetched first, see
 * `strings`); `options.strings` replaces any string. */
function localize(el, options) {
  var lang = language(el, options);
  try {
    var nf = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    var opts = { year: 'numeric', month: 'short', timeZone: 'UTC' };
    var mf = new Intl.DateTimeFormat(lang, opts);
    opts.day = 'numeric';
    var df = new Intl.DateTimeFormat(lang, opts);
    var pr = new Intl.PluralRules(lang);
  } catch (e) {
    // A tag Intl cannot read: English.
    return localize(el, Object.assign({}, options, { lang: 'en' }));
  }
  var day = function (f) {
    return function (iso) {
      var d = new Date(iso + (iso.length < 8 ? '-01' : '') + 'T00:00:00Z');
      return isNaN(d) ? iso : f.format(d);
    };
  };
  return {
    lang: lang,
    strings: Object.assign({}, STRINGS.en, STRINGS[lang.toLowerCase().split('-')[0]], options.strings),
    locale: {
      number: nf.format,
      date: day(df),
      month: day(mf),
      plural: function (n) { return pr.select(n); },
    },
  };
}

function boot() {
  if (!booted) {
    var source = embed
      ? embed.wasm()
      : data.wasm || new URL('chronicle_bg.wasm', base).href;
    booted = wasm_bindgen({ module_or_path: source });
  }
  return booted;
}

/** Loads an index: a URL, bytes, or (in the offline file) the embedded
 * one. `progress(bytes, total)` follows a download (total 0: unknown). */
async function load(source, progress) {
  var wasm = boot();
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (source instanceof Uint8Array) {
    await wasm;
    return new wasm_bindgen.Chronicle(source);
  }
  if (embed && (source === undefined || source === embed.name)) {
    await wasm;
    return embed.load(attachLoader);
  }
  return fetchIndex(new URL(source || 'events.chron', document.baseURI).href, progress, wasm);
}

/** The index at `url`, fetched while `wasm` (the module booting) comes. */
async function fetchIndex(url, progress, wasm) {
  var bytes = fetchBytes(url, progress);
  // (Either may fail first: the other's failure is then not reported.)
  bytes.catch(function () {});
  await wasm;
  var got = await bytes;
  var ix = new wasm_bindgen.Chronicle(got.bytes);
  // A split index fetches its chunks from beside its core, on demand.
  if (ix.isSplit()) chunkLoader(ix, got);
  return ix;
}

// Fetching over a flaky network. An attempt gives up when no byte has
// come for TIMEOUT ms; network errors, timeouts, HTTP 5xx and 429 are
// tried again, up to RETRIES times, after a pause that doubles each
// time (BACKOFF ms the first), half of it random so that many readers
// do not all come back at once. Other statuses (404) fail at once.
var TIMEOUT = 10000;
var RETRIES = 3;
var BACKOFF = 500;

/** `{bytes, url}` (url after redirects) of `url`, or an Error whose
 * `transient` says whether trying later may help. `cache`: the
 * request's cache mode (`'no-cache'` revalidates a cached copy). */
async function fetchBytes(url, progress, cache) {
  for (var i = 0; ; i++) {
    try {
      return await fetchOnce(url, progress, cache);
    } catch (e) {
      if (!e.transient || i >= RETRIES) {
        e.message = url + ': ' + e.message;
        throw e;
      }
      await new Promise(function (go) { setTimeout(go, (BACKOFF << i) * (1 + Math.random()) / 2); });
    }
  }
}

async function fetchOnce(url, progress, cache) {
  var abort = new AbortController();
  var timer;
  var wait = function () {
    clearTimeout(timer);
    timer = setTimeout(function () { abort.abort(); }, TIMEOUT);
  };
  wait();
  try {
    var resp = await fetch(url, { signal: abort.signal, cache: cache });
    if (!resp.ok) {
      var e = new Error('HTTP ' + resp.status);
      e.status = resp.status;
      e.transient = resp.status >= 500 || resp.status === 429;
      throw e;
    }
    // The body piece by piece, for the progress and the timeout, into
    // one buffer of its announced length (unless that is the length
    // of a compressed body, or too large to trust) or else joined.
    var total = +resp.headers.get('content-length') || 0;
    var coding = resp.headers.get('content-encoding');
    if ((coding && coding !== 'identity') || total > 1 << 28) total = 0;
    var buf = total ? new Uint8Array(total) : null;
    var parts = [];
    var n = 0;
    var reader = resp.body.getReader();
    for (var r; !(r = await reader.read()).done;) {
      var v = r.value;
      wait();
      if (buf && n + v.length > total) {
        parts.push(buf.subarray(0, n));
        buf = null;
        total = 0;
      }
      if (buf) buf.set(v, n);
      else parts.push(v);
      n += v.length;
      if (progress) progress(n, total);
    }
    if (!buf) {
      buf = new Uint8Array(n);
      for (var k = 0, at = 0; k < parts.length; at += parts[k++].length) buf.set(parts[k], at);
    }
    return { bytes: buf.subarray(0, n), url: resp.url || url };
  } catch (err) {
    // fetch and read reject with an AbortError when the timer aborts
    // them, and with a TypeError when the network fails.
    if (abort.signal.aborted) {
      err = new Error('nothing received in ' + TIMEOUT / 1000 + ' s');
      err.transient = true;
    } else if (err.transient === undefined) err.transient = err.name === 'TypeError';
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
// `await wasm_bindgen.Chronicle.load(url)`: fetching is done here, in
// JS, which keeps an async runtime out of the wasm.
wasm_bindgen.Chronicle.load = fetchIndex;

// The chunk loader of a split index, one per handle: takes the chunks
// its reads asked for, gets them all at once with `getChunk(n)` (a
// promise of the bytes; a chunk already on its way is awaited, not got
// again; one that failed is got again by the next read that asks) and
// adds them. Resolves to true, false (nothing asked for) or, when a
// chunk failed, the message for a reader that `failure(error)` gives
// (the details go to the console), never rejects. `getChunk` may give
// `{ deflated: bytes }` instead, for the wasm to inflate. The handle
// keeps it as `ix.loader`.
function attachLoader(ix, getChunk, failure) {
  // Chunk → the promise of its adding, kept once it is in.
  var chunks = new Map();
  // Whether this loader is still the handle's (see `chunkLoader`): a
  // chunk that comes for a core since replaced is not added, and a
  // read that failed meanwhile is tried again.
  var live = function () { return ix.loader === load; };
  function put(n, bytes) {
    if (bytes.deflated) ix.addDeflatedChunk(n, bytes.deflated);
    else ix.addChunk(n, bytes);
    chunks.set(n, Promise.resolve());
  }
  function add(n) {
    var p = chunks.get(n);
    if (!p) {
      p = getChunk(n).then(function (bytes) {
        if (live()) put(n, bytes);
      }).catch(function (e) {
        chunks.delete(n);
        console.warn('Chronicle: chunk ' + n + ' did not load: ' + (e && e.message || e));
        throw e;
      });
      chunks.set(n, p);
    }
    return p;
  }
  var load = function () {
    var wanted = ix.takeWanted();
    if (!wanted.length) return Promise.resolve(false);
    return Promise.all(Array.from(wanted, add)).then(function () { return true; }, function (e) {
      return !live() || failure(e);
    });
  };
  // For a caller that has a chunk's bytes at hand: whether it is in (or
  // on its way), and adding it now (throws if it is refused).
  load.has = function (n) { return chunks.has(n); };
  load.put = put;
  ix.setChunkLoader(load);
  ix.loader = load;
  return load;
}

/** The loader of a split index served over HTTP: chunks from beside
 * the core `got` (`{bytes, url}`, as fetched).
 *
 * A chunk that is gone or refused (any failure but a transient one)
 * means the index was rebuilt since the core was loaded: the core is
 * fetched again, opened in place of the old one (`addChunk(0)`, under
 * the handle's widgets) with a new loader, and the read tried again,
 * which then fetches the new core's chunks. Only if that fails, or the
 * core has not changed (its last 4 bytes, its CRC32, tell), is the
 * failure reported; until the new core is in, the old one stays. */
function chunkLoader(ix, got) {
  if (ix.loader) return ix.loader;
  // The core's URL and its last 4 bytes (its CRC32, which tells a
  // rebuilt core), not its bytes, which the wasm has copied.
  var url = got && got.url;
  var crc = got && '' + got.bytes.subarray(-4);
  if (url) ix.setChunkBase(new URL('.', url).href);
  var renewing;
  var loader = attachLoader(ix, function (n) {
    return fetchBytes(ix.chunkUrl(n)).then(function (got) { return got.bytes; });
  }, function (e) {
    if (url && !e.transient) {
      renewing = renewing || fetchBytes(url, 0, 'no-cache').then(function (again) {
        if ('' + again.bytes.subarray(-4) == crc) throw e;
        ix.addChunk(0, again.bytes);
        ix.loader = null;
        chunkLoader(ix, again);
        // The hits shown are the old core's: every widget shows its
        // query again (the one that asked, too), which fetches the new
        // core's chunks.
        widgets.forEach(function (w) { w.setQuery(w.query()); });
        return true;
      }).catch(function (why) {
        renewing = null;
        return message(why);
      });
      return renewing;
    }
    return message(e);
  });
  // Chunks a request away: worth fetching ahead (see `ahead`).
  loader.far = 1;
  return loader;
}

/** Over a split index a request away, once the hits of `q` are shown:
 * fetches ahead the chunks of the likely next key, the letter that most
 * of the words marked in the hits have after the word being typed (so
 * the key finds them at hand, or on their way). */
function ahead(ix, el, q) {
  var w = (/\S+$/.exec(q) || [''])[0].toLowerCase();
  var votes = {};
  var best;
  el.querySelectorAll('mark').forEach(function (m) {
    var t = m.textContent.toLowerCase();
    var c = t.length > w.length && !t.indexOf(w) && t[w.length];
    if (c && (votes[c] = (votes[c] || 0) + 1) > (votes[best] || 0)) best = c;
  });
  if (w[1] && best) ix.searchAsync(q + best, { limit: 10, facets: false }).catch(function () {});
}

/** What a reader is told when a chunk did not come: the chunk (or the
 * core fetched again) is not there or not what the core says, so the
 * index on the server is damaged, or has changed again since. */
function message(e) {
  // The key of the message (each widget says it in its language).
  return e.transient ? 'partOffline' : 'partChanged';
}

/** Like `search`, but first fetches the chunks of a split index that
 * the query needs. Returns a promise of the same object. */
wasm_bindgen.Chronicle.prototype.searchAsync = async function (query, options) {
  for (var round = 0; ; round++) {
    try {
      return this.search(query, options);
    } catch (e) {
      // A query needs three rounds, its hits one more, their related
      // events about six (every hit's in the same rounds); a round that
      // fetches nothing new ends the loop anyway.
      var got = round < 16 && await chunkLoader(this)();
      if (got !== true) throw typeof got === 'string' ? new Error(STRINGS.en[got] || got) : e;
    }
  }
};

/** Shows, in `el` until the widget is mounted, that search is loading
 * (in the words of `ui`, from `localize`); returns the function that
 * shows the download's progress. */
function loading(el, ui) {
  el.classList.add('chronicle');
  el.dataset.state = 'loading';
  // The figures are not announced: a screen reader would read each.
  el.innerHTML = '<div class="chronicle-status" role="status"><span></span><span aria-hidden="true"></span></div>';
  var parts = el.querySelectorAll('span');
  parts[0].textContent = ui.strings.loading;
  var mb = function (n) { return new Intl.NumberFormat(ui.lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(n / 1e6); };
  return function (n, total) {
    parts[1].textContent = ' ' + (total ? ui.strings.progress.replace('{n}', mb(n)).replace('{total}', mb(total)) : mb(n)) + ' MB';
  };
}

/** Says in `el` why search could not load. */
function unavailable(el, e, ui) {
  el.dataset.state = 'error';
  (el.querySelector('.chronicle-status') || el).textContent = e.transient
    ? ui.strings.offline
    : ui.strings.unavailable.replace('{e}', e.status ? 'HTTP ' + e.status : e.message || e);
}

/** Mounts a widget into `el`. options.index: a URL or a loaded index.
 * (`release`, for `mountShared`, is called once the widget is gone, or
 * when the mount fails.) */
async function mount(el, options, release) {
  options = options || {};
  await strings(language(el, options));
  var ui = localize(el, options);
  // A language of the other direction than the page's lays the widget
  // out its own way.
  var set = { lang: el.getAttribute('lang'), dir: el.getAttribute('dir') };
  if (options.lang) el.lang = ui.lang;
  if (RTL.test(ui.lang) !== (getComputedStyle(el).direction === 'rtl')) el.dir = RTL.test(ui.lang) ? 'rtl' : 'ltr';
  try {
    var own = !(options.index instanceof wasm_bindgen.Chronicle);
    var index = own ? await load(options.index, loading(el, ui)) : options.index;
    var far = index.isSplit() && chunkLoader(index).far;
    // (The widget reads only its own options: `index` is left alone.)
    var w = index.mount(el, Object.assign({}, options, { strings: ui.strings, locale: ui.locale }));
    var shown = function (e) { ahead(index, el, e.detail.query); };
    if (far) el.addEventListener('chronicle:results', shown);
    widgets.push(w);
    // unmount(): the widget leaves the page and its memory is freed,
    // with the index's when this mount loaded it.
    var unmount = w.unmount;
    w.unmount = function () {
      var i = widgets.indexOf(w);
      if (i < 0) return;
      widgets.splice(i, 1);
      unmount.call(w);
      el.removeEventListener('chronicle:results', shown);
      w.free();
      if (own) index.free();
      for (var a in set) set[a] == null ? el.removeAttribute(a) : el.setAttribute(a, set[a]);
      if (release) release();
    };
    return w;
  } catch (e) {
    if (release) release();
    unavailable(el, e, ui);
    throw e;
  }
}

function memoryBytes() {
  return booted ? wasm_bindgen.memoryBytes() : 0;
}

/** The mount options markup gives, each with the function that makes
 * its value of an attribute's text. An option's attribute is its name
 * in kebab case: `baseUrl` is `base-url` on <chronicle-search>, and
 * `data-base-url` on a [data-chronicle] element or the script tag. */
var flag = function (v) { return v !== 'false'; };
var OPTIONS = {
  index: String,
  baseUrl: String,
  limit: Number,
  placeholder: String,
  hash: flag,
  layout: String,
  lang: String,
  facets: flag,
  timeline: flag,
  sort: flag,
  related: flag,
  browse: flag,
};

function attribute(option) {
  return option.replace(/[A-Z]/g, '-$&').toLowerCase();
}

/** The options given by `el`'s attributes named `prefix` + an option's
 * attribute, over `defaults`. */
function optionsOf(el, prefix, defaults) {
  var o = Object.assign({}, defaults);
  for (var k in OPTIONS) {
    var v = el && el.getAttribute(prefix + attribute(k));
    if (v != null) o[k] = OPTIONS[k](v);
  }
  return o;
}

// The script tag's options: the defaults of every element's.
var defaults = optionsOf(script, 'data-');

// The indexes of the widgets mounted from markup, by URL: elements that
// name the same index share one download and one copy in memory, freed
// with the last of their widgets. (The offline file's own index is
// never freed: once its chunks are read the page drops its copy.)
var indexes = new Map();

/** The key in `indexes` of the index `src` names (a URL; the offline
 * file's own index without one), whose loading this starts unless an
 * entry has it already. */
function shared(src) {
  var inline = embed && (!src || src === embed.name);
  var key = inline ? '' : new URL(src || 'events.chron', document.baseURI).href;
  if (!indexes.has(key)) {
    var entry = { users: inline ? 1 : 0, shows: [] };
    entry.index = load(inline ? src : key, function (n, total) {
      entry.shows.forEach(function (show) { show(n, total); });
    }).finally(function () { entry.shows = null; });
    indexes.set(key, entry);
  }
  return key;
}

/** Lets go of one use of `entry`: the index is freed unless another
 * takes it up first (an element moved in the page, or whose attributes
 * changed, mounts again in the same task). */
function unshare(key, entry) {
  if (!--entry.users) entry.index.then(function (ix) {
    if (entry.users || indexes.get(key) !== entry) return;
    indexes.delete(key);
    ix.free();
  }, function () {});
}

/** Mounts a widget into `el` from markup: `options.index` a URL (the
 * offline file's own index without one), loaded once for every element
 * that names it, its progress shown in each. `t`, the mount's token:
 * once `t.dead` is set (the element has left the page) the widget is
 * not mounted, or is unmounted as soon as it is; `t.w` is the widget. */
function mountShared(el, options, t) {
  var key = shared(options.index);
  var entry = indexes.get(key);
  entry.users++;
  var ui;
  var shown = strings(language(el, options)).then(function () {
    ui = localize(el, options);
    var show = loading(el, ui);
    if (entry.shows) entry.shows.push(show);
  });
  var release = function () {
    unshare(key, entry);
  };
  return shown.then(function () { return entry.index; }).then(function (ix) {
    if (t.dead) return release();
    return mount(el, Object.assign({}, options, { index: ix }), release).then(function (w) {
      if (!t.dead) return (t.w = w);
      w.unmount();
    });
  }, function (e) {
    // The next element to name it tries again.
    if (indexes.get(key) === entry) indexes.delete(key);
    if (!t.dead) unavailable(el, e, ui);
    throw e;
  });
}

function warn(e) {
  console.warn('Chronicle:', e);
}

// <chronicle-search index="events.chron" base-url="/" limit="20">: a
// widget while it is in the document, its attributes the options (those
// of the script tag the defaults); a change to one mounts it again.
if (window.customElements && !customElements.get('chronicle-search')) {
  customElements.define('chronicle-search', class extends HTMLElement {
    static get observedAttributes() {
      return Object.keys(OPTIONS).map(attribute);
    }

    /** The mounted widget (`setQuery`, `query`), or null. */
    get widget() {
      var t = this.chronicle;
      return (t && t.w) || null;
    }

    connectedCallback() {
      mountShared(this, optionsOf(this, '', defaults), (this.chronicle = {})).catch(warn);
    }

    disconnectedCallback() {
      var t = this.chronicle;
      this.chronicle = null;
      if (!t) return;
      t.dead = true;
      if (t.w) t.w.unmount();
      else {
        // Still loading: the index is released when it comes.
        this.textContent = '';
        this.classList.remove('chronicle');
        this.removeAttribute('data-state');
      }
    }

    attributeChangedCallback(name, was, now) {
      if (this.chronicle && was !== now) {
        this.disconnectedCallback();
        this.connectedCallback();
      }
    }
  });
}

function ensureStylesheet() {
  if (embed || !script || !script.src || data.css === 'none') return;
  var href = data.css || new URL('chronicle.css', base).href;
  if (Array.from(document.querySelectorAll('link[rel="stylesheet"]')).some(function (l) { return l.href === href; })) return;
  // Before the page's own stylesheets: its rules outside a cascade
  // layer win over the widget's (all in the layer `chronicle`) in any
  // order, but layers rank in the order they first appear, so this
  // puts `chronicle` first and the page's layers over it too.
  var link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.insertBefore(link, document.head.querySelector('link[rel~=stylesheet],style'));
}

/** Mounts into every [data-chronicle] element, or, when the page has
 * none (nor a <chronicle-search>), a new one right after the script. */
function autoMount() {
  var targets = Array.from(document.querySelectorAll('[data-chronicle]'));
  if (!targets.length && script && script.parentNode && !document.querySelector('chronicle-search')) {
    var div = document.createElement('div');
    div.dataset.chronicle = '';
    script.after(div);
    targets.push(div);
  }
  targets.forEach(function (el) {
    mountShared(el, optionsOf(el, 'data-', defaults), {}).catch(warn);
  });
}

/** The classic script's start: the stylesheet, then the widgets of
 * [data-chronicle] elements unless `data-auto="false"`. */
function start() {
  ensureStylesheet();
  if (data.auto === 'false') return;
  // The offline file's widget is already above this script.
  if (document.readyState === 'loading' && !(embed && embed.early)) {
    // The wasm and the tag's index come while the page is still read:
    // the index held until the widgets have taken it up.
    var key = !embed && data.index && shared(data.index);
    boot().catch(function () {});
    document.addEventListener('DOMContentLoaded', function () {
      var held = key && indexes.get(key);
      if (held) held.users++;
      autoMount();
      if (held) unshare(key, held);
    });
  } else autoMount();
}

var api = { load: load, mount: mount, memoryBytes: memoryBytes, widgets: widgets };
