//! The WebAssembly shell: a handle that owns an index and answers
//! queries with plain JS objects, and the widget (`dom.rs`) that renders
//! them. Every export returns `Result<_, JsError>`: bad input is an
//! exception in JavaScript, never a trap.

mod dom;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::format::Index;
use crate::query::{
    Facets, SearchOptions, SearchResult, Searcher, Sort, YearCount,
};
use crate::render::{self, HitView, RelatedView};

pub use dom::Widget;

/// A loaded index. Create it from bytes (`new Chronicle(bytes)`) or a URL
/// (`await Chronicle.load(url)`).
#[wasm_bindgen]
pub struct Chronicle {
    searcher: Rc<Searcher<Vec<u8>>>,
    /// Where the chunks of a split index are (the core's directory).
    chunks: ChunkBase,
}

/// Where a split index's chunks come from, shared by a handle and its
/// widgets: the URL prefix of the chunk files, and the fetches in flight
/// (so two keystrokes that need the same chunk fetch it once).
#[derive(Default)]
pub(crate) struct ChunkSource {
    base: RefCell<String>,
    inflight: RefCell<HashMap<u32, js_sys::Promise>>,
}

pub(crate) type ChunkBase = Rc<ChunkSource>;

/// Most rounds of chunk fetching one operation may take (a query needs
/// at most lexicon shards, then postings, then doc-store blocks).
const MAX_ROUNDS: usize = 8;

/// Fetches the chunks of a split index that reads have asked for (all
/// requests start before the first is awaited; a chunk already on its way
/// is awaited, not fetched again) and adds them. `Ok(false)` when none was
/// asked for.
pub(crate) async fn fetch_wanted(
    searcher: &Searcher<Vec<u8>>,
    source: &ChunkSource,
) -> Result<bool, JsError> {
    let ix = searcher.index();
    let wanted = ix.take_wanted();
    if wanted.is_empty() {
        return Ok(false);
    }
    let window = web_sys::window().ok_or_else(|| JsError::new("no window"))?;
    // Chunks this call fetches (each with the resolve and reject of the
    // promise other callers wait on), and chunks others are fetching.
    let mut mine = Vec::new();
    let mut theirs = Vec::new();
    for n in wanted {
        if let Some(p) = source.inflight.borrow().get(&n) {
            theirs.push(p.clone());
            continue;
        }
        let name = ix
            .chunk_file(n)
            .ok_or_else(|| JsError::new("the index names no such chunk"))?;
        let url = format!("{}{name}", source.base.borrow());
        let mut settle = None;
        let done =
            js_sys::Promise::new(&mut |res, rej| settle = Some((res, rej)));
        source.inflight.borrow_mut().insert(n, done);
        let fut = JsFuture::from(window.fetch_with_str(&url));
        mine.push((n, url, fut, settle));
    }
    let mut failed = None;
    for (n, url, fut, settle) in mine {
        let got = match response_bytes(&url, fut).await {
            Ok(bytes) => ix
                .add_chunk(n, bytes)
                .map_err(|e| JsError::new(&format!("{url}: {e}"))),
            Err(e) => Err(e),
        };
        source.inflight.borrow_mut().remove(&n);
        if let Some((res, rej)) = settle {
            let _ = match &got {
                Ok(()) => res.call0(&JsValue::NULL),
                Err(_) => rej.call1(&JsValue::NULL, &JsValue::from_str(&url)),
            };
        }
        if let Err(e) = got {
            failed = Some(e);
        }
    }
    for p in theirs {
        if let Err(e) = JsFuture::from(p).await {
            let url = e.as_string().unwrap_or_default();
            failed = Some(JsError::new(&format!("cannot fetch {url}")));
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(true),
    }
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

/// What `search` returns to JavaScript.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JsResult<'a> {
    query: &'a str,
    total: u32,
    partial: bool,
    hits: Vec<HitView>,
    facets: &'a Facets,
    years: &'a [YearCount],
    suggestion: Option<&'a str>,
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser).map_err(|e| JsError::new(&e.to_string()))
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
                    "unknown sort {s:?} (relevance, newest, oldest)"
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

#[wasm_bindgen]
impl Chronicle {
    /// Opens an index from its bytes (a `Uint8Array`), validating it. The
    /// bytes are copied into wasm memory once and owned by the handle.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: Vec<u8>) -> Result<Chronicle, JsError> {
        let index = Index::new(bytes).map_err(js_err)?;
        Ok(Chronicle {
            searcher: Rc::new(Searcher::new(index)),
            chunks: ChunkBase::default(),
        })
    }

    /// Fetches an index (a single file, or the core of a split index,
    /// whose chunks are then fetched from beside it) and opens it.
    pub async fn load(url: String) -> Result<Chronicle, JsError> {
        let bytes = fetch_bytes(&url).await?;
        let c = Chronicle::new(bytes)?;
        c.set_chunk_base(chunk_dir(&url));
        Ok(c)
    }

    /// Whether this is the core of a split index (whose chunks are
    /// fetched on demand: use `searchAsync`, or a mounted widget).
    #[wasm_bindgen(js_name = isSplit)]
    pub fn is_split(&self) -> bool {
        self.searcher.index().is_split()
    }

    /// The URL prefix of the chunk files of a split index (the URL of
    /// its directory, ending in `/`).
    #[wasm_bindgen(js_name = setChunkBase)]
    pub fn set_chunk_base(&self, base: String) {
        *self.chunks.base.borrow_mut() = base;
    }

    /// Like `search`, but first fetches whatever chunks of a split index
    /// the query needs. Returns a promise of the same object.
    #[wasm_bindgen(js_name = searchAsync)]
    pub fn search_async(
        &self,
        query: String,
        options: JsValue,
    ) -> Result<js_sys::Promise, JsError> {
        let (opts, related) = JsOptions::parse(options)?;
        let searcher = self.searcher.clone();
        let base = self.chunks.clone();
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            for _ in 0..MAX_ROUNDS {
                match run_search(&searcher, &query, &opts, related) {
                    Err(crate::Error::NotLoaded) => {
                        if !fetch_wanted(&searcher, &base).await? {
                            break;
                        }
                    }
                    r => {
                        let (r, hits) = r.map_err(js_err)?;
                        return Ok(to_js(&JsResult {
                            query: &query,
                            total: r.total,
                            partial: r.partial,
                            hits,
                            facets: &r.facets,
                            years: &r.years,
                            suggestion: r.suggestion.as_deref(),
                        })?);
                    }
                }
            }
            Err(JsError::new("the split index did not load").into())
        }))
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
        let (r, hits) = run_search(&self.searcher, query, &opts, related)
            .map_err(js_err)?;
        to_js(&JsResult {
            query,
            total: r.total,
            partial: r.partial,
            hits,
            facets: &r.facets,
            years: &r.years,
            suggestion: r.suggestion.as_deref(),
        })
    }

    /// Events related to document `doc` (the `doc` of a hit), newest
    /// first, each with the context it shares.
    pub fn related(&self, doc: u32, limit: usize) -> Result<JsValue, JsError> {
        if doc >= self.searcher.index().doc_count() {
            return Err(JsError::new(&format!("no document {doc}")));
        }
        let views: Vec<RelatedView> =
            render::related_views(&self.searcher, doc, limit.min(100))
                .map_err(js_err)?;
        to_js(&views)
    }

    /// Counts: `{version, events, terms, categories, sources, contexts,
    /// bytes}`.
    pub fn info(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Info {
            version: u32,
            events: u32,
            terms: u32,
            categories: usize,
            sources: usize,
            contexts: usize,
            bytes: usize,
        }
        let ix = self.searcher.index();
        to_js(&Info {
            version: ix.version(),
            events: ix.doc_count(),
            terms: ix.term_count(),
            categories: ix.categories().map_or(0, |t| t.len()),
            sources: ix.sources().map_or(0, |t| t.len()),
            contexts: ix.contexts().map_or(0, |t| t.len()),
            bytes: ix.as_bytes().len(),
        })
    }

    /// Mounts the search widget into `element`. `options`: `{placeholder,
    /// limit, baseUrl, hash: bool}`. Keep the returned widget: dropping it
    /// removes its listeners.
    pub fn mount(
        &self,
        element: web_sys::Element,
        options: JsValue,
    ) -> Result<Widget, JsError> {
        Widget::mount(
            self.searcher.clone(),
            self.chunks.clone(),
            element,
            options,
        )
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

/// The directory part of `url`, ending in `/`.
fn chunk_dir(url: &str) -> String {
    match url.rfind('/') {
        Some(i) => url[..=i].to_owned(),
        None => String::new(),
    }
}

async fn fetch_bytes(url: &str) -> Result<Vec<u8>, JsError> {
    let window = web_sys::window().ok_or_else(|| JsError::new("no window"))?;
    response_bytes(url, JsFuture::from(window.fetch_with_str(url))).await
}

async fn response_bytes(url: &str, fut: JsFuture) -> Result<Vec<u8>, JsError> {
    let resp = fut
        .await
        .map_err(|e| JsError::new(&format!("cannot fetch {url}: {e:?}")))?;
    let resp: web_sys::Response = resp.unchecked_into();
    if !resp.ok() {
        return Err(JsError::new(&format!(
            "cannot fetch {url}: HTTP {}",
            resp.status()
        )));
    }
    let buf = JsFuture::from(
        resp.array_buffer().map_err(|e| JsError::new(&format!("{e:?}")))?,
    )
    .await
    .map_err(|e| JsError::new(&format!("cannot read {url}: {e:?}")))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}
