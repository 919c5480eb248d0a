/* Chronicle offline file: reads what `chronicle bundle` packed into this
 * page, for chronicle.js, which follows this code in the same script and
 * finds it as `window.ChronicleEmbedded`. Only the offline file carries
 * it (the bundler embeds this file), so the widget's script stays small.
 *
 * The wasm and the index are in non-executed <script
 * type="application/octet-stream"> blocks that the HTML parser passes as
 * plain text. The layout is defined once, by `format::offline` (Rust;
 * FORMAT.md, "Offline file"), and this is its reader:
 * tests/e2e/offline-layout.test.mjs has it unpack what that writes. The
 * file is UTF-16, and the bytes are packed two to a character (see
 * `unpack`): half the
 * characters of base64, so the page parses sooner. The index is either
 * gzipped whole, or a split index's core with its chunks in blocks of
 * their own (the first named by the core's data-chunks), each chunk
 * decoded when a read needs it. Those blocks come after the code, so the
 * widget boots while the parser is still reading them. */
window.ChronicleEmbedded = (function () {
  'use strict';
  var wasmEl = document.getElementById('chronicle-wasm');
  var indexEl = document.getElementById('chronicle-index');
  if (!wasmEl || !indexEl) return null;
  var chunksId = indexEl.getAttribute('data-chunks');

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
        else setTimeout(check, 2);
      })();
    });
  }

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

  // LZMA, as the offline file's doc-store groups use it (raw, no end
  // marker: the caller knows the length). Probabilities live in one
  // array; these are where each kind starts.
  var IS_MATCH = 0, IS_REP = 192, IS_REP_G0 = 204, IS_REP_G1 = 216, IS_REP_G2 = 228,
    IS_REP0_LONG = 240, POS_SLOT = 432, SPEC_POS = 688, ALIGN = 803, LEN = 819,
    REP_LEN = 1333, LITERAL = 1847;

  /** Decodes the LZMA stream `z` (from `at`) into `win[pos..end]`, where
   * `win[0..pos]` holds the preset dictionary. Throws on a stream that
   * reaches outside the window; other damage gives other bytes, which
   * the chunk's checksum then refuses. */
  function lzma(z, at, win, pos, end, lc, lp, pb) {
    var probs = new Uint16Array(LITERAL + (0x300 << (lc + lp))).fill(1024);
    // The range coder's range and code, in a typed array: numbers up to
    // 2^32 kept in a closure's variables would be boxed at every store.
    var rc = new Uint32Array(2);
    rc[0] = 0xffffffff;
    if (z[at] !== 0) throw new Error('not an LZMA stream');
    for (var i = 1; i < 5; i++) rc[1] = rc[1] * 256 + z[at + i];
    at += 5;
    function bit(p) {
      var pr = probs[p], range = rc[0], code = rc[1], bound = (range >>> 11) * pr, b;
      if (code < bound) {
        range = bound;
        probs[p] = pr + ((2048 - pr) >>> 5);
        b = 0;
      } else {
        range -= bound;
        code -= bound;
        probs[p] = pr - (pr >>> 5);
        b = 1;
      }
      keep(range, code);
      return b;
    }
    /** Stores the coder's range and code, first taking in a byte when
     * the range has become too small. */
    function keep(range, code) {
      if (range < 0x1000000) {
        range *= 256;
        code = code * 256 + z[at++];
      }
      rc[0] = range;
      rc[1] = code;
    }
    function tree(p, n) {
      var m = 1;
      for (var k = 0; k < n; k++) m = (m << 1) | bit(p + m);
      return m - (1 << n);
    }
    function reverse(p, n) {
      var m = 1, s = 0;
      for (var k = 0; k < n; k++) {
        var b = bit(p + m);
        m = (m << 1) | b;
        s |= b << k;
      }
      return s;
    }
    function direct(n) {
      var r = 0;
      for (var k = 0; k < n; k++) {
        var range = rc[0] >>> 1, code = rc[1];
        var b = code >= range ? 1 : 0;
        if (b) code -= range;
        r = r * 2 + b;
        keep(range, code);
      }
      return r;
    }
    function length(p, ps) {
      if (!bit(p)) return tree(p + 2 + ps * 8, 3);
      if (!bit(p + 1)) return 8 + tree(p + 130 + ps * 8, 3);
      return 16 + tree(p + 258, 8);
    }
    function distance(len) {
      var slot = tree(POS_SLOT + ((len < 3 ? len : 3) << 6), 6);
      if (slot < 4) return slot;
      var n = (slot >>> 1) - 1;
      if (slot < 14) {
        var d = (2 | (slot & 1)) << n;
        return d + reverse(SPEC_POS + d - slot, n);
      }
      // Kept a small integer (so the copy loop indexes with one): a
      // distance beyond any window is refused by the caller all the same.
      var v = (2 | (slot & 1)) * Math.pow(2, n) + direct(n - 4) * 16 + reverse(ALIGN, 4);
      return v < 0x3fffffff ? v : 0x3fffffff;
    }
    var state = 0, rep0 = 0, rep1 = 0, rep2 = 0, rep3 = 0;
    var pbMask = (1 << pb) - 1, lpMask = (1 << lp) - 1;
    while (pos < end) {
      var ps = pos & pbMask;
      if (!bit(IS_MATCH + (state << 4) + ps)) {
        var prev = pos > 0 ? win[pos - 1] : 0;
        var base = LITERAL + 0x300 * (((pos & lpMask) << lc) + (prev >>> (8 - lc)));
        var sym = 1;
        if (state >= 7 && rep0 < pos) {
          var mb = win[pos - rep0 - 1];
          do {
            var mbit = (mb >>> 7) & 1;
            mb <<= 1;
            var b = bit(base + ((1 + mbit) << 8) + sym);
            sym = (sym << 1) | b;
            if (mbit !== b) break;
          } while (sym < 0x100);
        }
        while (sym < 0x100) sym = (sym << 1) | bit(base + sym);
        win[pos++] = sym & 0xff;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      var len;
      if (bit(IS_REP + state)) {
        if (!bit(IS_REP_G0 + state)) {
          if (!bit(IS_REP0_LONG + (state << 4) + ps)) {
            if (rep0 >= pos) throw new Error('bad LZMA distance');
            state = state < 7 ? 9 : 11;
            win[pos] = win[pos - rep0 - 1];
            pos++;
            continue;
          }
        } else {
          var d;
          if (!bit(IS_REP_G1 + state)) d = rep1;
          else {
            if (!bit(IS_REP_G2 + state)) d = rep2;
            else {
              d = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = d;
        }
        len = length(REP_LEN, ps);
        state = state < 7 ? 8 : 11;
      } else {
        rep3 = rep2;
        rep2 = rep1;
        rep1 = rep0;
        len = length(LEN, ps);
        state = state < 7 ? 7 : 10;
        rep0 = distance(len);
      }
      if (rep0 >= pos) throw new Error('bad LZMA distance');
      len = Math.min(len + 2, end - pos);
      for (var k = 0; k < len; k++, pos++) win[pos] = win[pos - rep0 - 1];
    }
  }

  /** The doc-store groups' preset dictionary (deflated in its own
   * block): a promise that resolves once it is parsed and inflated, and
   * then `dict`, its bytes. */
  var lzDict = null, dict = null;
  function dictionary() {
    return lzDict || (lzDict = whenParsed(function () {
      var el = document.getElementById('chronicle-lzdict');
      return el && (el.nextSibling || document.readyState !== 'loading') ? el : null;
    }).then(function (el) {
      return inflate(unpackBlock(el), 'deflate-raw');
    }).then(function (d) {
      return (dict = d);
    }));
  }

  /** The blocks of an LZMA group (see `chronicle bundle`: a varint
   * count, a varint length each, then the stream), decoded as far as
   * block `upto` (from 0); the rest of the list is left out. The window
   * (the dictionary, then the output) is kept for the next group. */
  var lzWindow = null;
  function ungroup(z, dict, upto) {
    var at = 0;
    function varint() {
      var v = 0;
      for (var shift = 0; shift < 35; shift += 7) {
        if (at >= z.length) break;
        var b = z[at++];
        v += (b & 127) * Math.pow(2, shift);
        if (b < 128) return v;
      }
      throw new Error('bad LZMA group');
    }
    var count = varint(), lens = [], raw = 0;
    if (count < 1 || count > 64) throw new Error('bad LZMA group');
    for (var i = 0; i < count; i++) {
      lens.push(varint());
      if (i <= upto) raw += lens[i];
    }
    if (raw > 64 << 20) throw new Error('bad LZMA group');
    var need = dict.length + raw;
    if (!lzWindow || lzWindow.dict !== dict || lzWindow.bytes.length < need) {
      lzWindow = { dict: dict, bytes: new Uint8Array(Math.max(need, dict.length + (256 << 10))) };
      lzWindow.bytes.set(dict);
    }
    var win = lzWindow.bytes;
    lzma(z, at, win, dict.length, need, 3, 0, 0);
    var out = [], from = dict.length;
    for (i = 0; i <= upto && i < count; i++) {
      out.push(win.slice(from, from + lens[i]));
      from += lens[i];
    }
    return out;
  }

  /** The embedded split index: its core, with a loader (made by
   * chronicle.js's `attachLoader`) that decodes the chunks reads ask for
   * from the chunks blocks. A block is read once the parser has closed
   * it (the page may still be loading), so a query typed early gets its
   * chunks as soon as they are parsed. */
  function embeddedSplit(attachLoader) {
    var table = null;
    var texts = [];
    /** Chunks block `b` (from 0), if the parser has reached it. */
    function blockEl(b) {
      return document.getElementById(b ? chunksId + '-' + (b + 1) : chunksId);
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
    /** Whether chunk `n` is in an LZMA group. */
    function grouped(t, n) {
      var kind = t.deflated.charAt(n - 1);
      return kind === '2' || kind === '3';
    }
    /** The chunk of an LZMA group that holds chunk `n`: `n` itself, or
     * the one before it that starts the group. */
    function groupOf(t, n) {
      var g = n;
      while (g > 1 && t.deflated.charAt(g - 1) === '3') g--;
      if (t.deflated.charAt(g - 1) !== '2') throw new Error('no group for chunk ' + n);
      return g;
    }
    var groups = new Map();
    /** Chunk `n` as stored (its block must be parsed, and for an LZMA
     * group the dictionary inflated): its bytes, or `{ deflated: bytes }`,
     * which the wasm inflates. A group is decoded as far as the chunk
     * asked for (`whole`: to its end) and kept for its other chunks (the
     * last few groups). */
    function stored(t, n, whole) {
      if (grouped(t, n)) {
        var g = groupOf(t, n), parts = groups.get(g);
        if (!parts || !parts[n - g]) {
          // As far as this chunk (a query's few hits), or whole (warming).
          parts = ungroup(packed(t, g), dict, whole ? Infinity : n - g);
          groups.set(g, parts);
          if (groups.size > 8) groups.delete(groups.keys().next().value);
        }
        if (!parts[n - g]) throw new Error('no chunk ' + n + ' in its group');
        return parts[n - g];
      }
      var bytes = packed(t, n);
      return t.deflated.charAt(n - 1) === '1' ? { deflated: bytes } : bytes;
    }
    function packed(t, n) {
      var b = t.block[n - 1];
      var from = n > 1 && t.block[n - 2] === b ? t.ends[n - 2] : 0;
      return unpack(texts[b], from, t.ends[n - 1], t.odd.charAt(n - 1) === '1');
    }
    /** Resolves once chunk `n` can be read as stored: the block holding
     * its bytes (its group's) parsed, and a group's dictionary inflated. */
    function ready(t, n) {
      var g = grouped(t, n) ? groupOf(t, n) : n;
      var wait = whenParsed(function () { return blockText(t.block[g - 1]); });
      return grouped(t, n) ? Promise.all([wait, dictionary()]) : wait;
    }
    var ix = new wasm_bindgen.Chronicle(unpackBlock(indexEl));
    ix.setChunksAtHand(true);
    var load = attachLoader(ix, function (n) {
      return whenParsed(readTable).then(function (t) {
        if (!(n >= 1 && n <= t.ends.length && t.block.length === t.ends.length)) throw new Error('no chunk ' + n);
        return ready(t, n).then(function () {
          return stored(t, n);
        });
      });
    }, function () { return 'Search failed: the offline file is damaged.'; });
    whenParsed(function () {
      return document.readyState !== 'loading' ? readTable() : null;
    }).then(function (t) {
      if (t.block.length !== t.ends.length) return;
      // The groups need the dictionary; without it (a damaged file) their
      // chunks are left for the reads that need them to report.
      var start = function () { warm(t, load); };
      if (t.deflated.indexOf('2') < 0) start();
      else dictionary().then(start, start);
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
            if (grouped(t, k) && !dict) throw new Error('no dictionary');
            load.put(k, stored(t, k, true));
          } catch (e) {
            failed.add(t.block[k - 1]);
          }
        }
        if (n < t.ends.length) return idle(step);
        groups.clear();
        for (var b = 0; b < texts.length; b++) {
          if (failed.has(b)) continue;
          texts[b] = null;
          var el = blockEl(b);
          if (el) el.textContent = '';
        }
      });
    }
  }

  return {
    /** The index's file name: `Chronicle.load(name)` loads it too. */
    name: indexEl.getAttribute('data-name'),
    /** The widget's element is above the code: mount without waiting for
     * the page to be parsed (the chunks come later, read as they are). */
    early: !!chunksId,
    wasm: function () { return unpackBlock(wasmEl); },
    /** The embedded index, given chronicle.js's chunk-loader factory. */
    load: async function (attachLoader) {
      if (chunksId) return embeddedSplit(attachLoader);
      return new wasm_bindgen.Chronicle(await inflate(unpackBlock(indexEl), 'gzip'));
    },
  };
})();
