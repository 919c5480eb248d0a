//! The WebAssembly shell: a handle that owns an index and answers
//! queries with plain JS objects, and the widget (`dom.rs`) that renders
//! them. Every export returns `Result<_, JsError>`: bad input is an
//! exception in JavaScript, never a trap.

mod dom;
mod js;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::format::{Index, Outside};
use crate::query::{SearchOptions, SearchResult, Searcher, Sort};
use crate::render::{self, HitView};
use js::Obj;

pub use dom::Widget;

#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc =
    talc::wasm::new_wasm_dynamic_allocator();

/// A loaded index. Create it from bytes (`new Chronicle(bytes)`) or a URL
/// (`await Chronicle.load(url)`, added by `widget/loader.js`, which
/// fetches the index in JS; the chunks of a split index are fetched here).
#[wasm_bindgen]
pub struct Chronicle {
    src: Source,
}

/// What a handle shares with its widgets: the open index (which
/// `addChunk(0, core)` replaces under them), and where a split index's chunks come
/// from: the URL prefix of the chunk files, and the JS function that
/// fetches them (set by `widget/loader.js`, which keeps fetching in JS
/// and an async runtime out of the wasm).
pub(crate) struct Shared {
    searcher: RefCell<Rc<Searcher<Vec<u8>>>>,
    base: RefCell<String>,
    loader: RefCell<Option<js_sys::Function>>,
}

pub(crate) type Source = Rc<Shared>;

impl Shared {
    /// The index open now (a search holds it to its end, even if
    /// `addChunk(0, core)` replaces it meanwhile).
    #[inline(never)]
    pub(crate) fn searcher(&self) -> Rc<Searcher<Vec<u8>>> {
        self.searcher.borrow().clone()
    }

    /// Has the loader fetch and add the chunks that reads have asked for,
    /// then calls `done`: `Ok(true)` when chunks were added, `Ok(false)`
    /// when none was asked for, or the loader's error message.
    pub(crate) fn fetch_then(
        &self,
        done: impl FnOnce(Result<bool, String>) + 'static,
    ) {
        let Some(loader) = self.loader.borrow().clone() else {
            done(Err("a split index needs its chunk loader: load it with \
                      Chronicle.load(url)"
                .into()));
            return;
        };
        let promise = match loader.call0(&JsValue::NULL) {
            Ok(p) => p,
            Err(e) => return done(Err(e.as_string().unwrap_or_default())),
        };
        // The loader's promise always resolves: to true, false or an
        // error message, so one closure (freed once called) suffices.
        let then = Closure::once_into_js(move |v: JsValue| {
            done(match v.as_string() {
                Some(e) => Err(e),
                None => Ok(v.is_truthy()),
            })
        });
        promise.unchecked_ref::<Thenable>().then(&then);
    }
}

#[wasm_bindgen]
extern "C" {
    /// A promise seen through `then(f)` with any function, here one made
    /// by `Closure::once_into_js` (js-sys's `then` wants a closure that
    /// the Rust side keeps alive).
    type Thenable;
    #[wasm_bindgen(method)]
    fn then(this: &Thenable, f: &JsValue);
}

/// Options of `search`, all optional.
#[derive(Default)]
struct JsOptions {
    limit: Option<usize>,
    offset: Option<usize>,
    sort: Option<String>,
    facets: Option<bool>,
    related: Option<usize>,
}

/// Reads an options object field by field (`undefined` and `null` mean
/// "not given"). Hand-written rather than serde's `Deserialize`, whose
/// error messages alone would add a float formatter to the wasm.
pub(crate) struct Fields(JsValue);

impl Fields {
    pub(crate) fn new(v: JsValue) -> Result<Fields, JsError> {
        if v.is_undefined() || v.is_null() || v.is_object() {
            Ok(Fields(v))
        } else {
            Err(JsError::new("bad options: expected an object"))
        }
    }

    fn get(&self, key: &str) -> Option<JsValue> {
        if !self.0.is_object() {
            return None;
        }
        js_sys::Reflect::get(&self.0, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    /// An object (or function) field, as it is.
    pub(crate) fn object(&self, key: &str) -> Option<JsValue> {
        self.get(key).filter(|v| v.is_object() || v.is_function())
    }

    pub(crate) fn count(&self, key: &str) -> Result<Option<usize>, JsError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        match v.as_f64() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 1e9 => {
                Ok(Some(n as usize))
            }
            _ => Err(JsError::new(&format!(
                "bad options: `{key}` must be a whole number"
            ))),
        }
    }

    pub(crate) fn string(&self, key: &str) -> Result<Option<String>, JsError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_string().map(Some).ok_or_else(|| {
            JsError::new(&format!("bad options: `{key}` must be a string"))
        })
    }

    pub(crate) fn flag(&self, key: &str) -> Result<Option<bool>, JsError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_bool().map(Some).ok_or_else(|| {
            JsError::new(&format!(
                "bad options: `{key}` must be true or false"
            ))
        })
    }
}

fn js_err(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

impl JsOptions {
    fn parse(v: JsValue) -> Result<(SearchOptions, usize), JsError> {
        let f = Fields::new(v)?;
        let o = JsOptions {
            limit: f.count("limit")?,
            offset: f.count("offset")?,
            sort: f.string("sort")?,
            facets: f.flag("facets")?,
            related: f.count("related")?,
        };
        let mut opts = SearchOptions::default();
        if let Some(l) = o.limit {
            opts.limit = l.min(1000);
        }
        opts.offset = o.offset.unwrap_or(0);
        if let Some(s) = o.sort {
            opts.sort = Sort::from_name(&s).ok_or_else(|| {
                JsError::new(&format!(
                    "unknown sort \"{s}\" (relevance, newest, oldest)"
                ))
            })?;
        }
        opts.facets = o.facets.unwrap_or(true);
        Ok((opts, o.related.unwrap_or(0).min(50)))
    }
}

pub(crate) fn run_search(
    searcher: &Searcher<Vec<u8>>,
    query: &str,
    opts: &SearchOptions,
    related: usize,
) -> crate::Result<(SearchResult, Vec<HitView>)> {
    let result = searcher.search(query, opts)?;
    let views = render::hits(searcher, &result, related)?;
    Ok((result, views))
}

/// A searcher over an index just opened (one place for `new` and
/// `addChunk`).
#[inline(never)]
fn open(
    index: crate::Result<Index<Vec<u8>>>,
) -> Result<Rc<Searcher<Vec<u8>>>, JsError> {
    Ok(Rc::new(Searcher::new(index.map_err(js_err)?)))
}

/// The doc store of a single file, kept in JavaScript: a copy of the
/// file's bytes from `at` on.
struct JsOutside {
    rest: js_sys::Uint8Array,
    at: usize,
}

impl Outside for JsOutside {
    fn read(&self, at: usize, len: usize) -> Option<Vec<u8>> {
        let from = at.checked_sub(self.at)?;
        let to = from.checked_add(len)?;
        if to > self.rest.length() as usize {
            return None;
        }
        Some(bytes_of(&self.rest, from as u32, to as u32))
    }
}

#[wasm_bindgen]
extern "C" {
    /// A `Uint8Array`, read by the glue's own copy (no length checks).
    type Bytes;
    /// `a.subarray(from, to)`, copied into wasm memory.
    #[wasm_bindgen(method, js_name = subarray)]
    fn copy(a: &Bytes, from: u32, to: u32) -> Vec<u8>;
}

/// Bytes `from..to` of `a` (as many as it has), copied into wasm memory.
fn bytes_of(a: &js_sys::Uint8Array, from: u32, to: u32) -> Vec<u8> {
    a.unchecked_ref::<Bytes>().copy(from, to)
}

#[wasm_bindgen]
impl Chronicle {
    /// Opens an index from its bytes (a `Uint8Array`), validating it.
    /// What every query reads is copied into wasm memory and owned by the
    /// handle; a single file's doc store (a third of it) stays out, in a
    /// copy of its own (so that `bytes` can be freed), from which a query
    /// copies in the blocks it shows.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: js_sys::Uint8Array) -> Result<Chronicle, JsError> {
        let len = bytes.length();
        let head = bytes_of(&bytes, 0, len.min(512));
        let held = crate::format::held_len(&head, len as usize) as u32;
        let data = bytes_of(&bytes, 0, held);
        let index = if held < len {
            let rest = bytes.slice(held, len);
            let far = JsOutside { rest, at: held as usize };
            Index::with_outside(data, len as usize, Box::new(far))
        } else {
            Index::new(data)
        };
        Ok(Chronicle {
            src: Rc::new(Shared {
                searcher: RefCell::new(open(index)?),
                base: RefCell::default(),
                loader: RefCell::default(),
            }),
        })
    }

    /// Whether this is the core of a split index (whose chunks are
    /// fetched on demand: use `searchAsync`, or a mounted widget).
    #[wasm_bindgen(js_name = isSplit)]
    pub fn is_split(&self) -> bool {
        self.src.searcher().index().is_split()
    }

    /// The URL prefix of the chunk files of a split index (the URL of
    /// its directory, ending in `/`).
    #[wasm_bindgen(js_name = setChunkBase)]
    pub fn set_chunk_base(&self, base: String) {
        *self.src.base.borrow_mut() = base;
    }

    /// The URL of chunk `n` of a split index (`undefined` if none).
    #[wasm_bindgen(js_name = chunkUrl)]
    pub fn chunk_url(&self, n: u32) -> Option<String> {
        let name = self.src.searcher().index().chunk_file(n)?;
        Some(format!("{}{name}", self.src.base.borrow()))
    }

    /// The chunks of a split index that reads have asked for since the
    /// last call (a failed `search` asks for what it lacked).
    #[wasm_bindgen(js_name = takeWanted)]
    pub fn take_wanted(&self) -> Vec<u32> {
        self.src.searcher().index().take_wanted()
    }

    /// Adds chunk `n` of a split index, after checking its length and
    /// CRC32. Chunk 0 is the core itself: adding one (the core as the
    /// server has it after a rebuild) opens it in place of the open one.
    /// This handle and its widgets then search it, fetching its chunks
    /// from the same place, and the old core is freed with the chunks
    /// added to it. An error changes nothing.
    #[wasm_bindgen(js_name = addChunk)]
    pub fn add_chunk(&self, n: u32, bytes: Vec<u8>) -> Result<(), JsError> {
        if n == 0 {
            *self.src.searcher.borrow_mut() = open(Index::new(bytes))?;
            return Ok(());
        }
        self.src.searcher().index().add_chunk(n, bytes).map_err(js_err)
    }

    /// Adds chunk `n` of a split index given as raw DEFLATE (inflated
    /// here, at once, then checked as by `addChunk`).
    #[wasm_bindgen(js_name = addDeflatedChunk)]
    pub fn add_deflated_chunk(&self, n: u32, z: &[u8]) -> Result<(), JsError> {
        self.src.searcher().index().add_deflated_chunk(n, z).map_err(js_err)
    }

    /// Says the chunks of a split index are at hand (the offline file
    /// carries them): reads then count every facet and look for typos
    /// under every first letter, as on a single file.
    #[wasm_bindgen(js_name = setChunksAtHand)]
    pub fn set_chunks_at_hand(&self, yes: bool) {
        self.src.searcher().index().set_chunks_at_hand(yes);
    }

    /// The function the widget calls to fetch the chunks reads asked
    /// for: no arguments, returns a promise of `true` (added), `false`
    /// (nothing asked for) or an error message. `Chronicle.load` sets it.
    #[wasm_bindgen(js_name = setChunkLoader)]
    pub fn set_chunk_loader(&self, loader: js_sys::Function) {
        *self.src.loader.borrow_mut() = Some(loader);
    }

    /// Searches. `options`: `{limit, offset, sort: "relevance" | "newest"
    /// | "oldest", facets: bool, related: n}`. Returns `{query, total,
    /// partial, hits, facets, years, suggestion}`.
    pub fn search(
        &self,
        query: &str,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        let (opts, related) = JsOptions::parse(options)?;
        let (r, hits) =
            run_search(&self.src.searcher(), query, &opts, related)
                .map_err(js_err)?;
        Ok(result_js(query, &r, &hits))
    }

    /// Events related to document `doc` (the `doc` of a hit), newest
    /// first, each with the context it shares.
    pub fn related(&self, doc: u32, limit: usize) -> Result<JsValue, JsError> {
        if doc >= self.src.searcher().index().doc_count() {
            return Err(JsError::new(&format!("no document {doc}")));
        }
        let views =
            render::related_views(&self.src.searcher(), doc, limit.min(100))
                .map_err(js_err)?;
        Ok(js::array(&views, js::related))
    }

    /// Counts: `{version, events, terms, categories, sources, contexts,
    /// bytes}`.
    pub fn info(&self) -> Result<JsValue, JsError> {
        let searcher = self.src.searcher();
        let ix = searcher.index();
        let count = |which: usize| f64::from(ix.facet_len(which));
        Ok(Obj::new()
            .num("version", ix.version().into())
            .num("events", ix.doc_count().into())
            .num("terms", ix.term_count().into())
            .num("categories", count(0))
            .num("sources", count(1))
            .num("contexts", count(2))
            .num("bytes", ix.file_len() as f64)
            .done())
    }

    /// Mounts the search widget into `element`. `options`: `{placeholder,
    /// limit, baseUrl, hash, layout, facets, timeline, sort, related,
    /// browse, strings, locale}` (see README; the loader fills `strings`
    /// and `locale`). Keep the returned widget: dropping it removes its
    /// listeners.
    pub fn mount(
        &self,
        element: web_sys::Element,
        options: JsValue,
    ) -> Result<Widget, JsError> {
        Widget::mount(self.src.clone(), element, options)
    }
}

/// Bytes of WebAssembly linear memory, for memory measurements.
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    let mem: js_sys::WebAssembly::Memory =
        wasm_bindgen::memory().unchecked_into();
    let buf: js_sys::ArrayBuffer = mem.buffer().unchecked_into();
    buf.byte_length() as f64
}

/// What `search` and `searchAsync` return.
fn result_js(query: &str, r: &SearchResult, hits: &[HitView]) -> JsValue {
    Obj::new()
        .str("query", query)
        .num("total", r.total.into())
        .set("partial", JsValue::from_bool(r.partial))
        .set("hits", js::array(hits, js::hit))
        .set("facets", js::facets(&r.facets))
        .set("years", js::years(&r.years))
        .opt_str("suggestion", r.suggestion.as_deref())
        .done()
}
