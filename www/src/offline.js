/* Chronicle offline file: reads what `chronicle bundle` packed into this
 * page, for chronicle.js, which follows this code in the same script and
 * finds it as `window.ChronicleEmbedded`. Only the offline file carries
 * it (the bundler embeds this file), so the widget's script stays small.
 *
 * The wasm and the index are in non-executed <script
 * type="application/octet-stream"> blocks that the HTML parser passes as
 * plain text. The file is UTF-16, and the bytes are packed two to a
 * character (see `unpack`; FORMAT.md, "Offline file"): half the
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

  async function gunzip(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
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
    /** Chunk `n` as stored (its block must be parsed): its bytes, or
     * `{ deflated: bytes }`, which the wasm inflates. */
    function stored(t, n) {
      var b = t.block[n - 1];
      var from = n > 1 && t.block[n - 2] === b ? t.ends[n - 2] : 0;
      var bytes = unpack(texts[b], from, t.ends[n - 1], t.odd.charAt(n - 1) === '1');
      return t.deflated.charAt(n - 1) === '1' ? { deflated: bytes } : bytes;
    }
    var ix = new wasm_bindgen.Chronicle(unpackBlock(indexEl));
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
      return new wasm_bindgen.Chronicle(await gunzip(unpackBlock(indexEl)));
    },
  };
})();
