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
