//! The widget: DOM only. It turns the view model of `render.rs` into
//! nodes and wires the listeners. The hits of a keystroke are one HTML
//! string, every piece of event text escaped (`push_escaped`), set with
//! one `innerHTML`; the rest is built node by node, event text only
//! through `textContent`.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, EventTarget, HtmlElement, HtmlInputElement,
    HtmlSelectElement, KeyboardEvent,
};

use super::run_search;
use crate::query::{Facets, SearchOptions, Sort, YearCount};
use crate::render::{self, Esc, HitView, Span};

type JsResult<T> = Result<T, JsValue>;

/// Widget options, all optional.
#[derive(Default, Clone)]
struct Options {
    placeholder: Option<String>,
    limit: Option<usize>,
    base_url: Option<String>,
    hash: Option<bool>,
}

/// A mounted search widget. It owns its event listeners and removes them
/// when dropped (or freed from JavaScript).
#[wasm_bindgen]
pub struct Widget {
    inner: Rc<Inner>,
    listeners: Vec<Listener>,
}

struct Listener {
    target: EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut(Event)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            self.kind,
            self.closure.as_ref().unchecked_ref(),
        );
    }
}

struct Inner {
    /// The index (which a rebuild on the server may replace: see
    /// `Chronicle::add_chunk`) and where its chunks are fetched from.
    src: super::Source,
    root: Element,
    input: HtmlInputElement,
    sort: HtmlSelectElement,
    status: Element,
    suggest: Element,
    facets: Element,
    /// The `role="listbox"` the input controls: it holds no markup and
    /// owns (`aria-owns`) the options inside the hits, so that each
    /// option holds no links or buttons (they sit beside it).
    listbox: Element,
    /// The hits, each with its option, links and buttons.
    list: Element,
    more: Element,
    uid: String,
    opts: Options,
    state: RefCell<State>,
    /// This widget, for callbacks it schedules itself.
    me: RefCell<Weak<Inner>>,
    /// The pending work for when typing pauses (timer id and callback).
    settle_timer: RefCell<Option<Timer>>,
    /// Idle work after mounting (see [`Inner::prepare`]).
    prepare_timer: RefCell<Option<Timer>>,
    /// The "Searching…" notice of a slow fetch (see [`Inner::busy`]).
    slow_timer: RefCell<Option<Timer>>,
}

/// A scheduled callback: the browser's timer id and the closure it calls.
type Timer = (i32, Closure<dyn FnMut()>);

/// What a timer does when it fires (one closure type for every timer).
enum Job {
    /// Typing has paused on this query.
    Settle(String),
    /// A step of the idle work after mounting.
    Prepare,
    /// The chunks a query needs are still on their way.
    Slow,
}

/// Facets and the timeline are counted, and the query is written to the
/// URL, once typing pauses this long, so every keystroke pays only for
/// its hits. (`history.replaceState` alone can take longer than a
/// search.)
const SETTLE_DELAY_MS: i32 = 90;

/// Hits a page shows unless told otherwise: as many as a screen or two
/// holds, like the peers' widgets (Pagefind's shows 5). Each keystroke
/// renders a page, and the browser's parsing of the hits' markup is the
/// largest part of a keystroke's time; "More results" adds pages.
const PAGE_SIZE: usize = 10;

/// A query whose chunks take longer than this to arrive says
/// "Searching…" (sooner, the notice would flicker at every keystroke).
const SLOW_MS: i32 = 300;

#[derive(Default)]
struct State {
    limit: usize,
    active: Option<usize>,
    /// Whether the pending settle should count facets.
    facets_due: bool,
    /// The HTML of each hit shown, in order.
    shown_html: Vec<String>,
    /// Steps of [`Inner::prepare`] taken.
    prepared: u8,
    /// Results found ahead of time, by query and options.
    ahead: Vec<(String, SearchOptions, Shown)>,
    /// The number of the latest query: chunks fetched for an older one
    /// are added, but its result or failure is not shown.
    seq: u32,
    /// Whether the list waits for the chunks of the latest query.
    busy: bool,
    /// Whether the last query failed (the root says so until one works).
    failed: bool,
}

/// The results of a query as the widget shows them.
#[derive(Clone)]
struct Shown {
    total: u32,
    partial: bool,
    suggestion: Option<String>,
    /// Each hit's HTML.
    hits: Vec<String>,
}

/// Numbers widgets for their element ids (wasm here is single-threaded;
/// an atomic is the simplest safe static counter).
static NEXT_ID: std::sync::atomic::AtomicU32 =
    std::sync::atomic::AtomicU32::new(0);

/// Sets an attribute. Only an invalid name can make this throw, and the
/// names here are constants; so it cannot fail.
fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

/// Removes an attribute (which cannot fail for a valid name).
fn unattr(e: &Element, name: &str) {
    let _ = e.remove_attribute(name);
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Highlighted text as escaped HTML: text, and `<mark>` for matches.
struct Spans<'a>(&'a [Span]);

impl std::fmt::Display for Spans<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for s in self.0 {
            let t = Esc(&s.text);
            if s.mark {
                write!(f, "<mark>{t}</mark>")?;
            } else {
                write!(f, "{t}")?;
            }
        }
        Ok(())
    }
}

/// Appends, as HTML, a button (class `chronicle-{class}`) that toggles
/// the filter `key:"value"` (see [`filter_token`]); titled "Events about
/// …" when `about` is not empty.
fn filter_button_html(
    out: &mut String,
    class: &str,
    key: &str,
    value: &str,
    about: &str,
) {
    let _ = write!(
        out,
        "<button class=\"chronicle-{class}\" type=\"button\" data-filter=\"{}\"",
        Esc(&filter_token(key, value))
    );
    if !about.is_empty() {
        let _ = write!(out, " title=\"Events about {}\"", Esc(about));
    }
    let _ = write!(out, ">{}</button>", Esc(value));
}

/// `key:"value"` for a filter, quoted so any name round-trips.
fn filter_token(key: &str, value: &str) -> String {
    format!("{key}:\"{}\"", value.replace('"', ""))
}

/// Hits a page shows: `limit`, or [`PAGE_SIZE`].
fn page_size(opts: &Options) -> usize {
    opts.limit.unwrap_or(PAGE_SIZE).clamp(1, 200)
}

/// A DOM exception as a `JsError` with its message (not its `Debug`
/// form, whose formatter is large in both the wasm and the JS glue).
fn to_js_err(e: JsValue) -> JsError {
    let msg = match e.dyn_ref::<js_sys::Error>() {
        Some(err) => err.message().into(),
        None => e.as_string().unwrap_or_default(),
    };
    JsError::new(&msg)
}

impl Widget {
    pub(crate) fn mount(
        src: super::Source,
        root: Element,
        options: JsValue,
    ) -> Result<Widget, JsError> {
        let f = super::Fields::new(options)?;
        let opts = Options {
            placeholder: f.string("placeholder")?,
            limit: f.count("limit")?,
            base_url: f.string("baseUrl")?,
            hash: f.flag("hash")?,
        };
        let inner = Rc::new(Inner::build(src, root, opts).map_err(to_js_err)?);
        *inner.me.borrow_mut() = Rc::downgrade(&inner);
        let mut w = Widget { inner, listeners: Vec::new() };
        w.wire().map_err(to_js_err)?;
        w.inner.schedule_prepare();
        w.inner.restore_from_hash();
        w.inner.run();
        w.inner
            .root
            .set_attribute("data-state", "ready")
            .map_err(to_js_err)?;
        Ok(w)
    }

    /// Listens for `kind` events on `target`. One closure type for all
    /// listeners (each closure type costs its own glue in the wasm); it
    /// holds a weak reference, so the widget can be dropped.
    fn listen(
        &mut self,
        target: &EventTarget,
        kind: &'static str,
    ) -> JsResult<()> {
        let weak: Weak<Inner> = Rc::downgrade(&self.inner);
        let closure = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
            if let Some(inner) = weak.upgrade() {
                inner.handle(kind, &e);
            }
        });
        target.add_event_listener_with_callback(
            kind,
            closure.as_ref().unchecked_ref(),
        )?;
        self.listeners.push(Listener {
            target: target.clone(),
            kind,
            closure,
        });
        Ok(())
    }

    fn wire(&mut self) -> JsResult<()> {
        let input: EventTarget = self.inner.input.clone().into();
        let sort: EventTarget = self.inner.sort.clone().into();
        let root: EventTarget = self.inner.root.clone().into();
        self.listen(&input, "input")?;
        self.listen(&input, "keydown")?;
        self.listen(&sort, "change")?;
        self.listen(&root, "click")?;
        if self.inner.opts.hash.unwrap_or(true) {
            if let Some(win) = web_sys::window() {
                self.listen(&win.into(), "hashchange")?;
            }
        }
        Ok(())
    }
}

#[wasm_bindgen]
impl Widget {
    /// Takes the widget out of the page: removes its listeners, cancels
    /// its timers and empties its element (which can mount another).
    /// Free the handle afterwards (`free()`; the loader's `unmount` does
    /// both) to release its memory.
    pub fn unmount(&mut self) {
        self.listeners.clear(); // each removes itself (`Drop`)
        self.inner.stop_timers();
        let root = &self.inner.root;
        root.set_text_content(None);
        let _ = root.class_list().remove_1("chronicle");
        unattr(root, "data-state");
    }

    /// Sets the query text and searches.
    #[wasm_bindgen(js_name = setQuery)]
    pub fn set_query(&self, query: &str) {
        self.inner.input.set_value(query);
        self.inner.run();
    }

    /// The current query text.
    pub fn query(&self) -> String {
        self.inner.input.value()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // A timer that fires after its closure is freed throws in the
        // page ("closure invoked … after being dropped").
        self.stop_timers();
    }
}

impl Inner {
    /// Cancels the pending settle, the idle preparation and the
    /// "Searching…" timer.
    fn stop_timers(&self) {
        let Some(win) = web_sys::window() else { return };
        for timer in
            [&self.settle_timer, &self.prepare_timer, &self.slow_timer]
        {
            if let Some((id, _)) = timer.borrow_mut().take() {
                win.clear_timeout_with_handle(id);
            }
        }
    }

    /// An event of the kind a listener was registered for.
    fn handle(&self, kind: &str, e: &Event) {
        match kind {
            "input" => {
                self.state.borrow_mut().limit = self.page_size();
                self.run();
            }
            "keydown" => {
                if let Some(k) = e.dyn_ref::<KeyboardEvent>() {
                    self.key(k);
                }
            }
            "change" => self.run(),
            "click" => self.click(e),
            "hashchange" if self.restore_from_hash() => self.run(),
            _ => {}
        }
    }

    fn build(
        src: super::Source,
        root: Element,
        opts: Options,
    ) -> JsResult<Inner> {
        let n = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let uid = format!("chronicle-{n}");
        root.class_list().add_1("chronicle")?;
        let events = src.searcher().index().doc_count();
        let placeholder = opts.placeholder.clone().unwrap_or_else(|| {
            format!("Search {} events…", group_digits(events))
        });
        root.set_inner_html(&format!(
            "<div class=\"chronicle-bar\"><input class=\"chronicle-input\" \
             type=\"search\" role=\"combobox\" aria-expanded=\"false\" \
             aria-autocomplete=\"list\" aria-controls=\"{uid}-list\" \
             aria-label=\"Search events\" autocomplete=\"off\" \
             spellcheck=\"false\" placeholder=\"{}\"><select \
             class=\"chronicle-sort\" aria-label=\"Sort results\"><option \
             value=\"relevance\">Best match</option><option value=\"newest\">\
             Newest</option><option value=\"oldest\">Oldest</option></select>\
             <button class=\"chronicle-filters\" type=\"button\" \
             aria-expanded=\"false\" aria-controls=\"{uid}-facets\">Filters\
             </button></div><div class=\"chronicle-status\" role=\"status\" \
             aria-live=\"polite\"></div><div class=\"chronicle-suggest\" \
             hidden></div><div class=\"chronicle-body\"><div \
             class=\"chronicle-main\"><div class=\"chronicle-listbox\" \
             id=\"{uid}-list\" role=\"listbox\" aria-label=\"Results\"></div>\
             <ul class=\"chronicle-results\"></ul>\
             <button class=\"chronicle-more\" type=\"button\" hidden>More \
             results</button></div><aside class=\"chronicle-facets\" \
             id=\"{uid}-facets\" aria-label=\"Refine\"></aside></div>",
            Esc(&placeholder)
        ));
        let part = |class: &str| {
            root.query_selector(&format!(".chronicle-{class}"))
                .ok()
                .flatten()
                .ok_or_else(|| JsValue::from_str("widget markup"))
        };
        let input: HtmlInputElement = part("input")?.unchecked_into();
        let sort: HtmlSelectElement = part("sort")?.unchecked_into();
        let (status, suggest, facets) =
            (part("status")?, part("suggest")?, part("facets")?);
        let (listbox, list, more) =
            (part("listbox")?, part("results")?, part("more")?);
        let limit = page_size(&opts);
        Ok(Inner {
            src,
            root,
            input,
            sort,
            status,
            suggest,
            facets,
            listbox,
            list,
            more,
            uid,
            opts,
            state: RefCell::new(State { limit, ..State::default() }),
            me: RefCell::new(Weak::new()),
            settle_timer: RefCell::new(None),
            prepare_timer: RefCell::new(None),
            slow_timer: RefCell::new(None),
        })
    }

    fn page_size(&self) -> usize {
        page_size(&self.opts)
    }

    /// Reads `#q=…&sort=…` into the controls; true when it changed them.
    fn restore_from_hash(&self) -> bool {
        if !self.opts.hash.unwrap_or(true) {
            return false;
        }
        let Some(hash) =
            web_sys::window().and_then(|w| w.location().hash().ok())
        else {
            return false;
        };
        let mut changed = false;
        for pair in hash.trim_start_matches('#').split('&') {
            let Some((k, v)) = pair.split_once('=') else { continue };
            let v: String = js_sys::decode_uri_component(&v.replace('+', " "))
                .map(String::from)
                .unwrap_or_default();
            match k {
                "q" if v != self.input.value() => {
                    self.input.set_value(&v);
                    changed = true;
                }
                "sort"
                    if Sort::from_name(&v).is_some()
                        && v != self.sort.value() =>
                {
                    self.sort.set_value(&v);
                    changed = true;
                }
                _ => {}
            }
        }
        changed
    }

    fn write_hash(&self, query: &str, sort: &str) {
        if !self.opts.hash.unwrap_or(true) {
            return;
        }
        let Some(win) = web_sys::window() else { return };
        let mut h = String::new();
        if !query.trim().is_empty() {
            h.push_str("#q=");
            h.push_str(&String::from(js_sys::encode_uri_component(query)));
            if sort != "relevance" {
                h.push_str("&sort=");
                h.push_str(sort);
            }
        }
        let current = win.location().hash().unwrap_or_default();
        if current == h || (h.is_empty() && current.is_empty()) {
            return;
        }
        let url = if h.is_empty() {
            let loc = win.location();
            format!(
                "{}{}",
                loc.pathname().unwrap_or_default(),
                loc.search().unwrap_or_default()
            )
        } else {
            h
        };
        if let Ok(history) = win.history() {
            let _ =
                history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }

    /// Searches for what the controls hold, as a new query.
    fn run(&self) {
        {
            let mut st = self.state.borrow_mut();
            st.seq = st.seq.wrapping_add(1);
        }
        self.search();
    }

    /// Searches for what the controls hold (again, once chunks it asked
    /// for have come).
    fn search(&self) {
        let start = now();
        let query = self.input.value();
        let sort_name = self.sort.value();
        let limit = self.state.borrow().limit.max(1);
        let opts = SearchOptions {
            limit,
            sort: Sort::from_name(&sort_name).unwrap_or_default(),
            facets: false,
            ..SearchOptions::default()
        };
        let kept = self
            .state
            .borrow()
            .ahead
            .iter()
            .find(|a| a.0 == query && a.1 == opts)
            .map(|a| a.2.clone());
        let outcome = kept.map_or_else(|| self.results(&query, &opts), Ok);
        let rendered = match outcome {
            Ok(shown) => self.render(&query, shown, start),
            Err(crate::Error::NotLoaded) => {
                // A split index: fetch what the query needs, then search
                // again (unless a newer query has started by then).
                self.busy();
                self.load_then(Inner::search, Inner::failed);
                return;
            }
            Err(e) => {
                self.failed(&format!("Search failed: {e}"));
                self.write_hash(&query, &sort_name);
                Ok(0)
            }
        };
        if let Err(e) = rendered {
            web_sys::console::warn_1(&e);
        }
    }

    /// The results of `query`, ready to show.
    fn results(
        &self,
        query: &str,
        opts: &SearchOptions,
    ) -> crate::Result<Shown> {
        let (r, views) = run_search(&self.src.searcher(), query, opts, 0)?;
        let hits = views
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut h = String::new();
                self.hit_html(&mut h, i, v);
                h
            })
            .collect();
        Ok(Shown {
            total: r.total,
            partial: r.partial,
            suggestion: r.suggestion,
            hits,
        })
    }

    /// Marks the list busy while the chunks of a query are fetched (the
    /// hits shown stay until new ones come); when that takes longer than
    /// [`SLOW_MS`], the status line says so ([`Inner::slow`]).
    fn busy(&self) {
        if std::mem::replace(&mut self.state.borrow_mut().busy, true) {
            return;
        }
        attr(&self.listbox, "aria-busy", "true");
        let timer = self.later(SLOW_MS, Job::Slow);
        let old = std::mem::replace(&mut *self.slow_timer.borrow_mut(), timer);
        if let (Some(win), Some((id, _))) = (web_sys::window(), old) {
            win.clear_timeout_with_handle(id);
        }
    }

    fn slow(&self) {
        if self.state.borrow().busy {
            self.status.set_text_content(Some("Searching…"));
        }
    }

    /// The latest query failed: says `message`, with a Retry button, in
    /// the status line (a live region), and shows no hits (those shown
    /// were another query's).
    fn failed(&self, message: &str) {
        self.answered(true);
        self.list.set_text_content(None);
        unattr(&self.listbox, "aria-owns");
        {
            let mut st = self.state.borrow_mut();
            st.shown_html.clear();
            st.active = None;
            st.facets_due = false;
        }
        unattr(&self.input, "aria-activedescendant");
        attr(&self.input, "aria-expanded", "false");
        attr(&self.more, "hidden", "");
        attr(&self.suggest, "hidden", "");
        self.facets.set_text_content(None);
        unattr(&self.facets, "aria-busy");
        self.status.set_inner_html(&format!(
            "<span class=\"chronicle-error\">{}</span> <button \
             class=\"chronicle-retry\" type=\"button\">Retry</button>",
            Esc(message)
        ));
    }

    /// A query has its answer: the list is no longer busy, and the root
    /// says whether it `failed` (when that changes).
    fn answered(&self, failed: bool) {
        unattr(&self.listbox, "aria-busy");
        let mut st = self.state.borrow_mut();
        st.busy = false;
        if std::mem::replace(&mut st.failed, failed) != failed {
            attr(
                &self.root,
                "data-state",
                if failed { "error" } else { "ready" },
            );
        }
    }

    fn render(&self, query: &str, r: Shown, start: f64) -> JsResult<u32> {
        self.answered(false);
        self.suggest.set_text_content(None);
        attr(&self.suggest, "hidden", "");
        let (shown, hits) = (r.hits.len(), r.hits);
        let (old, keep, active) = {
            let mut st = self.state.borrow_mut();
            let keep = st
                .shown_html
                .iter()
                .zip(&hits)
                .take_while(|(a, b)| a == b)
                .count();
            let old = std::mem::replace(&mut st.shown_html, hits);
            (old.len(), keep, st.active.take())
        };
        unattr(&self.input, "aria-activedescendant");
        let empty = query.trim().is_empty();
        attr(
            &self.input,
            "aria-expanded",
            if shown == 0 { "false" } else { "true" },
        );
        // Hits already shown where they are stay (typing on often keeps
        // the first ones); the others are one string, parsed once by the
        // browser: far cheaper than a call into JavaScript per node and
        // attribute.
        if let Some(a) = active.filter(|&a| a < keep) {
            if let Some(o) = self.options().get(a) {
                attr(o, "aria-selected", "false");
            }
        }
        let st = self.state.borrow();
        let mut rest = String::new();
        for h in &st.shown_html[keep..] {
            rest.push_str(h);
        }
        if keep == 0 {
            self.list.set_inner_html(&rest);
        } else {
            for _ in keep..old {
                if let Some(li) = self.list.last_element_child() {
                    li.remove();
                }
            }
            if !rest.is_empty() {
                let _ = self.list.insert_adjacent_html("beforeend", &rest);
            }
        }
        drop(st);
        // The listbox owns the options by id, in order.
        let mut ids = String::new();
        for i in 0..shown {
            let _ = write!(ids, "{}-opt-{i} ", self.uid);
        }
        attr(&self.listbox, "aria-owns", ids.trim_end());
        if (r.total as usize) > shown {
            unattr(&self.more, "hidden");
        } else {
            attr(&self.more, "hidden", "");
        }
        self.schedule_settle(query, !empty && r.total > 0);
        if let Some(s) = &r.suggestion {
            let s = Esc(s);
            self.suggest.set_inner_html(&format!(
                "Did you mean <button class=\"chronicle-suggestion\" \
                 type=\"button\" data-query=\"{s}\">{s}</button>?"
            ));
            unattr(&self.suggest, "hidden");
        }
        let ms = now() - start;
        let text = if empty {
            format!(
                "Search {} events",
                group_digits(self.src.searcher().index().doc_count())
            )
        } else if r.total == 0 {
            "No results".to_owned()
        } else {
            let noun = if r.total == 1 { "result" } else { "results" };
            let partial = if r.partial {
                " (no event has every word; closest matches)"
            } else {
                ""
            };
            format!(
                "{} {noun}{partial} · {} ms",
                group_digits(r.total),
                tenths(ms)
            )
        };
        self.status.set_text_content(Some(&text));
        self.announce(query, r.total, ms)?;
        Ok(r.total)
    }

    fn announce(&self, query: &str, total: u32, ms: f64) -> JsResult<()> {
        let detail = super::js::Obj::new()
            .str("query", query)
            .num("total", total.into())
            .num("ms", ms)
            .done();
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&detail);
        init.set_bubbles(true);
        let ev = web_sys::CustomEvent::new_with_event_init_dict(
            "chronicle:results",
            &init,
        )?;
        self.root.dispatch_event(&ev)?;
        Ok(())
    }

    /// Appends hit `i` as HTML: every piece of event text escaped, links
    /// only as `render` made them safe (see [`push_escaped`]).
    fn hit_html(&self, out: &mut String, i: usize, v: &HitView) {
        let (id, date) = (Esc(&v.id), Esc(&v.date));
        let _ = write!(
            out,
            "<li class=\"chronicle-hit\"><div class=\"chronicle-meta\">\
             <time class=\"chronicle-date\" datetime=\"{date}\">{date}</time>"
        );
        if let Some(c) = &v.category {
            filter_button_html(out, "category", "category", c, "");
        }
        out.push_str("</div><div class=\"chronicle-title\">");
        let href = v.url.as_deref().and_then(|u| {
            render::event_href(self.opts.base_url.as_deref(), u)
        });
        // The option holds the title's text only; the link, named by
        // it, lies over it (see the stylesheet), so the option holds no
        // focusable element.
        let uid = &self.uid;
        if let Some(h) = href {
            let _ = write!(
                out,
                "<a class=\"chronicle-link\" href=\"{}\" \
                 aria-labelledby=\"{uid}-opt-{i}\"></a>",
                Esc(&h)
            );
        }
        let _ = write!(
            out,
            "<div class=\"chronicle-opt\" id=\"{uid}-opt-{i}\" role=\"option\" aria-selected=\"false\" \
             data-id=\"{id}\">{}</div></div>",
            Spans(&v.title_spans)
        );
        if let Some(ex) = &v.excerpt {
            let _ = write!(
                out,
                "<p class=\"chronicle-excerpt\">{}</p>",
                Spans(ex)
            );
        }
        if !v.sources.is_empty() {
            out.push_str(
                "<div class=\"chronicle-sources\">\
                 <span class=\"chronicle-label\">Sources</span>",
            );
            for s in &v.sources {
                let name =
                    Esc(if s.name.is_empty() { "source" } else { &s.name });
                let _ = match &s.href {
                    Some(h) => write!(
                        out,
                        "<a class=\"chronicle-source\" href=\"{}\" \
                         rel=\"noopener noreferrer\" target=\"_blank\">{name}</a>",
                        Esc(h)
                    ),
                    None => write!(
                        out,
                        "<span class=\"chronicle-source\">{name}</span>"
                    ),
                };
            }
            out.push_str("</div>");
        }
        if !v.contexts.is_empty() {
            out.push_str("<div class=\"chronicle-contexts\">");
            for c in v.contexts.iter().take(8) {
                filter_button_html(out, "chip", "about", c, c);
            }
            // A disclosure button, not `<details>`: the browser builds a
            // shadow tree for each of those, a quarter of the list's cost.
            let _ = write!(
                out,
                "</div><button class=\"chronicle-related\" type=\"button\" \
                 aria-expanded=\"false\" data-doc=\"{}\">Related events</button>",
                v.doc
            );
        }
        out.push_str("</li>");
    }

    /// After [`SETTLE_DELAY_MS`], unless another keystroke comes first:
    /// writes `query` to the URL and, when `facets`, counts its facets
    /// (without, they are cleared now).
    fn schedule_settle(&self, query: &str, facets: bool) {
        let Some(win) = web_sys::window() else { return };
        if let Some((id, _)) = self.settle_timer.borrow_mut().take() {
            win.clear_timeout_with_handle(id);
        }
        if facets {
            attr(&self.facets, "aria-busy", "true");
        } else {
            self.facets.set_text_content(None);
            unattr(&self.facets, "aria-busy");
        }
        self.state.borrow_mut().facets_due = facets;
        *self.settle_timer.borrow_mut() =
            self.later(SETTLE_DELAY_MS, Job::Settle(query.to_owned()));
    }

    /// Typing has paused on `query`: the URL and the facets follow.
    fn settle(&self, query: &str) {
        if self.input.value() != query {
            return; // a newer keystroke has its own timer
        }
        self.write_hash(query, &self.sort.value());
        if std::mem::take(&mut self.state.borrow_mut().facets_due) {
            self.show_facets(query);
        }
    }

    /// Prepares shortly after mounting (see [`Inner::prepare`]).
    fn schedule_prepare(&self) {
        *self.prepare_timer.borrow_mut() = self.later(50, Job::Prepare);
    }

    /// Idle work after mounting, so that the first keystrokes do not pay
    /// for it, one step per timer task: finds the results of each
    /// one-letter query, the slowest (one letter completes to the most
    /// common words), and keeps them ready to show (which also has the
    /// browser compile the keystroke path). Nothing over a split index,
    /// whose chunks it would fetch.
    fn prepare(&self) {
        let step = {
            let mut st = self.state.borrow_mut();
            st.prepared += 1;
            usize::from(st.prepared)
        };
        let Some(&letter) = b"abcdefghijklmnopqrstuvwxyz".get(step - 1) else {
            return;
        };
        if self.src.searcher().index().is_split() {
            return;
        }
        let opts = SearchOptions {
            limit: self.state.borrow().limit.max(1),
            sort: Sort::from_name(&self.sort.value()).unwrap_or_default(),
            facets: false,
            ..SearchOptions::default()
        };
        let q = char::from(letter).to_string();
        if let Ok(shown) = self.results(&q, &opts) {
            self.state.borrow_mut().ahead.push((q, opts, shown));
        }
        // The next step in a task of its own, so keystrokes come between
        // (its id kept, so that unmounting can cancel it).
        if let (Some(win), Some((id, cb))) =
            (web_sys::window(), &mut *self.prepare_timer.borrow_mut())
        {
            if let Ok(next) = win
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    cb.as_ref().unchecked_ref(),
                    0,
                )
            {
                *id = next;
            }
        }
    }

    /// Does `job` after `ms`.
    fn later(&self, ms: i32, job: Job) -> Option<Timer> {
        let win = web_sys::window()?;
        let weak = self.me.borrow().clone();
        let cb = Closure::<dyn FnMut()>::new(move || {
            if let Some(w) = weak.upgrade() {
                match &job {
                    Job::Settle(q) => w.settle(q),
                    Job::Prepare => w.prepare(),
                    Job::Slow => w.slow(),
                }
            }
        });
        let id = win
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.as_ref().unchecked_ref(),
                ms,
            )
            .ok()?;
        Some((id, cb))
    }

    /// Fetches the chunks a read of a split index asked for, then calls
    /// `again`, or `failed` with the loader's message for a reader (it
    /// gives the details to the console). Neither when a newer query has
    /// started meanwhile: it fetches what it needs itself.
    fn load_then(&self, again: fn(&Inner), failed: fn(&Inner, &str)) {
        let Some(me) = self.me.borrow().upgrade() else { return };
        let seq = me.state.borrow().seq;
        let chunks = me.src.clone();
        chunks.fetch_then(move |got| {
            if me.state.borrow().seq != seq {
                return;
            }
            match got {
                Ok(true) => again(&me),
                Ok(false) => failed(&me, "Search failed."),
                Err(e) => failed(&me, &e),
            }
        });
    }

    fn facets_again(&self) {
        let q = self.input.value();
        self.show_facets(&q);
    }

    /// The facets' chunks did not come: the facets are left out.
    fn facets_failed(&self, _: &str) {
        unattr(&self.facets, "aria-busy");
    }

    fn show_facets(&self, query: &str) {
        if self.input.value() != query {
            return; // a newer keystroke has its own timer
        }
        let shown = match self.src.searcher().facets(query, 10) {
            Err(crate::Error::NotLoaded) => {
                self.load_then(Inner::facets_again, Inner::facets_failed);
                return;
            }
            Ok((facets, years)) => self.render_facets(&facets, &years),
            Err(e) => Err(JsValue::from_str(&e.to_string())),
        };
        if let Err(e) = shown {
            web_sys::console::warn_1(&e);
        }
        let _ = self.facets.remove_attribute("aria-busy");
        if let Ok(ev) = Event::new("chronicle:facets") {
            let _ = self.root.dispatch_event(&ev);
        }
    }

    fn render_facets(
        &self,
        facets: &Facets,
        years: &[YearCount],
    ) -> JsResult<()> {
        let mut html = String::new();
        let mut heights = Vec::new();
        if let (Some(first), Some(last)) = (years.first(), years.last()) {
            let (first, last) = (first.year, last.year);
            html.push_str(
                "<fieldset class=\"chronicle-facet chronicle-timeline-box\">\
                 <legend>Timeline</legend><div class=\"chronicle-timeline\">",
            );
            let max = years.iter().map(|y| y.count).max().unwrap_or(1).max(1);
            for year in first..=last {
                let count = years
                    .iter()
                    .find(|y| y.year == year)
                    .map_or(0, |y| y.count);
                let _ = write!(
                    html,
                    "<button class=\"chronicle-year\" type=\"button\" \
                     data-filter=\"from:{year} to:{year}\" title=\"{year}: {count}\" \
                     aria-label=\"{year}: {count} results\">\
                     <span class=\"chronicle-year-bar\"></span></button>"
                );
                let pct = if count == 0 {
                    0.0
                } else {
                    (count as f64 / max as f64 * 100.0).max(4.0)
                };
                heights.push(pct.round() as u32);
            }
            let _ = write!(
                html,
                "</div><div class=\"chronicle-axis\"><span>{first}</span>\
                 <span>{last}</span></div></fieldset>"
            );
        }
        let groups = [
            ("Category", "category", &facets.categories),
            ("Sources", "source", &facets.sources),
            ("About", "about", &facets.contexts),
        ];
        for (title, key, values) in groups {
            if values.is_empty() {
                continue;
            }
            let _ = write!(
                html,
                "<fieldset class=\"chronicle-facet\"><legend>{title}</legend><ul>"
            );
            for v in values.iter().take(8) {
                let _ = write!(
                    html,
                    "<li><button class=\"chronicle-facet-value\" type=\"button\" \
                     data-filter=\"{}\">{}<span class=\"chronicle-count\">{}\
                     </span></button></li>",
                    Esc(&filter_token(key, &v.name)),
                    Esc(&v.name),
                    group_digits(v.count)
                );
            }
            html.push_str("</ul></fieldset>");
        }
        self.facets.set_inner_html(&html);
        // Heights through the CSS object model: a strict CSP blocks
        // style attributes in markup.
        let bars =
            self.facets.get_elements_by_class_name("chronicle-year-bar");
        for (i, pct) in heights.into_iter().enumerate() {
            if let Some(bar) = bars.item(i as u32) {
                bar.unchecked_into::<HtmlElement>()
                    .style()
                    .set_property("height", &format!("{pct}%"))?;
            }
        }
        Ok(())
    }

    /// The hits shown, in order.
    fn cards(&self) -> Vec<Element> {
        let items = self.list.children();
        (0..items.length()).filter_map(|i| items.item(i)).collect()
    }

    /// The options, in order (one in each hit).
    fn options(&self) -> Vec<Element> {
        let items = self.list.get_elements_by_class_name("chronicle-opt");
        (0..items.length()).filter_map(|i| items.item(i)).collect()
    }

    fn set_active(&self, i: Option<usize>) {
        let opts = self.options();
        for (k, o) in opts.iter().enumerate() {
            attr(
                o,
                "aria-selected",
                if Some(k) == i { "true" } else { "false" },
            );
        }
        match i.and_then(|k| opts.get(k)) {
            Some(o) => {
                attr(&self.input, "aria-activedescendant", &o.id());
                o.scroll_into_view_with_bool(false);
            }
            None => {
                let _ = self.input.remove_attribute("aria-activedescendant");
            }
        }
        self.state.borrow_mut().active = i;
    }

    fn key(&self, k: &KeyboardEvent) {
        let (active, shown) = {
            let st = self.state.borrow();
            (st.active, st.shown_html.len())
        };
        match k.key().as_str() {
            "ArrowDown" if shown > 0 => {
                k.prevent_default();
                self.set_active(Some(
                    active.map_or(0, |a| (a + 1).min(shown - 1)),
                ));
            }
            "ArrowUp" if shown > 0 => {
                k.prevent_default();
                self.set_active(active.and_then(|a| a.checked_sub(1)));
            }
            "Enter" => {
                if let Some(o) =
                    active.and_then(|a| self.cards().into_iter().nth(a))
                {
                    k.prevent_default();
                    let target = o
                        .query_selector("a.chronicle-link, .chronicle-related")
                        .ok()
                        .flatten();
                    if let Some(t) =
                        target.and_then(|t| t.dyn_into::<HtmlElement>().ok())
                    {
                        t.click();
                    }
                }
            }
            "Escape" => {
                if active.is_some() {
                    self.set_active(None);
                } else {
                    self.input.set_value("");
                    self.run();
                }
            }
            _ => {}
        }
    }

    fn click(&self, e: &Event) {
        let Some(target) =
            e.target().and_then(|t| t.dyn_into::<Element>().ok())
        else {
            return;
        };
        let closest = |sel: &str| target.closest(sel).ok().flatten();
        if let Some(b) = closest("[data-filter]") {
            let token = b.get_attribute("data-filter").unwrap_or_default();
            self.toggle_filter(&token);
        } else if let Some(b) = closest("[data-query]") {
            self.input.set_value(&format!(
                "{} ",
                b.get_attribute("data-query").unwrap_or_default()
            ));
            self.run();
        } else if closest(".chronicle-retry").is_some() {
            self.status.set_text_content(Some("Searching…"));
            let _ = self.input.focus();
            self.run();
        } else if closest(".chronicle-more").is_some() {
            self.state.borrow_mut().limit += self.page_size();
            self.run();
        } else if let Some(b) =
            closest(".chronicle-filters, .chronicle-related")
        {
            // A disclosure: the stylesheet shows what the Filters button
            // controls; a hit's related events are fetched once.
            let open =
                b.get_attribute("aria-expanded").as_deref() == Some("true");
            attr(&b, "aria-expanded", if open { "false" } else { "true" });
            if b.get_attribute("data-doc").is_none() {
                // the Filters button
            } else if b.get_attribute("data-loaded").is_none() {
                if let Err(e) = self.fill_related(&b) {
                    web_sys::console::warn_1(&e);
                }
            } else if let Some(list) = b.next_element_sibling() {
                if open {
                    attr(&list, "hidden", "");
                } else {
                    unattr(&list, "hidden");
                }
            }
        }
    }

    fn toggle_filter(&self, token: &str) {
        let q = self.input.value();
        let next = if q.contains(token) {
            // Not `join`: its instance for `&str` alone is 0.5 KB of wasm.
            let mut s = String::new();
            for w in q.replace(token, " ").split_whitespace() {
                s.push_str(w);
                s.push(' ');
            }
            s
        } else {
            format!("{} {token}", q.trim())
        };
        self.input.set_value(&format!("{} ", next.trim()));
        self.state.borrow_mut().limit = self.page_size();
        self.run();
        let _ = self.input.focus();
    }

    /// Lists the events related to the hit of disclosure button `b`
    /// after it.
    fn fill_related(&self, b: &Element) -> JsResult<()> {
        let id: u32 = b
            .get_attribute("data-doc")
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| JsValue::from_str("no document"))?;
        let rel = match render::related_views(&self.src.searcher(), id, 5) {
            Err(crate::Error::NotLoaded) => {
                let d = b.clone();
                let Some(me) = self.me.borrow().upgrade() else {
                    return Ok(());
                };
                let chunks = me.src.clone();
                chunks.fetch_then(move |got| {
                    if let Ok(true) = got {
                        let _ = me.fill_related(&d);
                    }
                });
                return Ok(());
            }
            r => r.map_err(|e| JsValue::from_str(&e.to_string()))?,
        };
        attr(b, "data-loaded", "");
        let open = b.get_attribute("aria-expanded").as_deref() == Some("true");
        let mut html = String::from("<ul class=\"chronicle-related-list\"");
        if !open {
            html.push_str(" hidden");
        }
        html.push('>');
        if rel.is_empty() {
            html.push_str("<li>No related events.</li>");
        }
        for r in rel {
            let _ = write!(
                html,
                "<li data-id=\"{}\"><time class=\"chronicle-date\">{}</time> \
                 <span class=\"chronicle-related-title\">{}</span> \
                 <em class=\"chronicle-shared\">Context: {}</em></li>",
                Esc(&r.id),
                Esc(&r.date),
                Esc(&r.title),
                Esc(&r.context)
            );
        }
        html.push_str("</ul>");
        b.insert_adjacent_html("afterend", &html)
    }
}

/// `12.345` → `12.3`, without the float formatter (which alone is a
/// tenth of the wasm).
fn tenths(x: f64) -> String {
    let t = (x.max(0.0) * 10.0).round() as u64;
    format!("{}.{}", t / 10, t % 10)
}

/// `114017` → `114,017`.
fn group_digits(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
