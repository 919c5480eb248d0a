// In-page code of the engines benchmark (passed to page.addInitScript /
// page.evaluate, so every function here must be self-contained).

/**
 * Init script: records every WebAssembly.Memory the page creates or
 * instantiates (exported or imported), in self.__benchWasm. Also used as the
 * text prepended to a web worker's script (see workerHookSource).
 */
export function wasmHook() {
  if (self.__benchWasm) return;
  const mems = new Set();
  self.__benchWasm = {
    mems,
    bytes() {
      let n = 0;
      for (const m of mems) n += m.buffer.byteLength;
      return { bytes: n, count: mems.size };
    },
  };
  const W = WebAssembly;
  const track = (inst) => {
    try {
      for (const v of Object.values(inst.exports)) if (v instanceof W.Memory) mems.add(v);
    } catch {
      /* not an instance */
    }
  };
  const trackImports = (imports) => {
    try {
      for (const ns of Object.values(imports || {})) for (const v of Object.values(ns || {})) if (v instanceof W.Memory) mems.add(v);
    } catch {
      /* ignore */
    }
  };
  const inst = W.instantiate;
  W.instantiate = function (src, imports) {
    trackImports(imports);
    return inst.apply(this, arguments).then((r) => {
      track(r instanceof W.Instance ? r : r.instance);
      return r;
    });
  };
  if (W.instantiateStreaming) {
    const st = W.instantiateStreaming;
    W.instantiateStreaming = function (src, imports) {
      trackImports(imports);
      return st.apply(this, arguments).then((r) => {
        track(r.instance);
        return r;
      });
    };
  }
  const OrigInstance = W.Instance;
  const Instance = function Instance(module, imports) {
    trackImports(imports);
    const i = new OrigInstance(module, imports);
    track(i);
    return i;
  };
  Instance.prototype = OrigInstance.prototype;
  Object.defineProperty(Instance, Symbol.hasInstance, { value: (x) => x instanceof OrigInstance });
  W.Instance = Instance;
}

/** Source text to prepend to a classic worker script so that it records its wasm memories too. */
export const workerHookSource = `(${wasmHook.toString()})();\n`;

/**
 * Init script for cold loads: types `query` as soon as the input exists
 * (with `redispatch`, again after data-state="ready" if that has produced
 * nothing yet, for a widget that may drop input typed while loading), records the
 * first results event with total > 0 (time origin = navigation start).
 */
export function loadProbe({ query, rootSel, inputSel, eventName, redispatch }) {
  const st = { events: [], first: null, inputSeenAt: null, readyAt: null, errorAt: null, redispatchedAt: null };
  window.__engBench = st;
  window.addEventListener(
    eventName,
    (e) => {
      const d = (e && e.detail) || {};
      const rec = { t: performance.now(), query: d.query, total: d.total, ms: d.ms };
      st.events.push(rec);
      if (st.first === null && typeof d.total === 'number' && d.total > 0) st.first = rec;
    },
    true,
  );
  const typeIt = (input) => {
    input.value = query;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const check = () => {
    const input = document.querySelector(inputSel);
    if (input && st.inputSeenAt === null) {
      st.inputSeenAt = performance.now();
      typeIt(input);
    }
    const root = document.querySelector(rootSel);
    const state = root && root.getAttribute('data-state');
    if (state === 'ready' && st.readyAt === null) {
      st.readyAt = performance.now();
      setTimeout(() => {
        const inp = document.querySelector(inputSel);
        if (redispatch && st.first === null && inp && !st.events.some((ev) => ev.query === query)) {
          st.redispatchedAt = performance.now();
          typeIt(inp);
        }
      }, 0);
    }
    if (state === 'error' && st.errorAt === null) st.errorAt = performance.now();
  };
  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-state'],
  });
  document.addEventListener('DOMContentLoaded', check);
}

/**
 * Init script for typing: keydown -> results event latency. Two start
 * points per keystroke: the keydown event's timeStamp (when the browser
 * created the event; includes any wait for a busy main thread) and the time
 * the keydown listener ran (what bench/perf.mjs measures).
 */
export function keystrokeProbe({ inputSel, eventName }) {
  const ks = { lastKey: null, pending: [], samples: [], coalesced: 0, mismatched: 0 };
  window.__engKeys = ks;
  window.addEventListener('keydown', (e) => (ks.lastKey = { stamp: e.timeStamp, handler: performance.now() }), true);
  window.addEventListener(
    'input',
    (e) => {
      const t = e.target;
      if (!t || !t.matches || !t.matches(inputSel) || ks.lastKey === null) return;
      ks.pending.push({ ...ks.lastKey, value: t.value });
      ks.lastKey = null;
    },
    true,
  );
  window.addEventListener(
    eventName,
    (e) => {
      const now = performance.now();
      const d = (e && e.detail) || {};
      if (!ks.pending.length) return;
      const q = String(d.query ?? '');
      let idx = -1;
      for (let i = ks.pending.length - 1; i >= 0; i--) {
        const v = ks.pending[i].value;
        if (v === q || v.trim() === q.trim()) {
          idx = i;
          break;
        }
      }
      if (idx < 0) {
        ks.mismatched += 1;
        idx = ks.pending.length - 1;
      }
      const p = ks.pending[idx];
      ks.samples.push({ latency: now - p.handler, fromStamp: now - p.stamp, ms: d.ms, query: d.query, total: d.total });
      ks.coalesced += idx;
      ks.pending.splice(0, idx + 1);
    },
    true,
  );
}
