//! The widget's DOM shell: state, listeners and insertion. Its markup
//! comes from the pure templates (`templates.rs`: the frame, hits,
//! facets, timeline, related events and messages), placed here as HTML
//! strings (the hits of a keystroke are one string, parsed once), or as
//! `textContent` for plain text; filter edits go through the query
//! module (`query::toggle_filters`).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::{Rc, Weak};

use js_sys::Function;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, EventTarget, HtmlElement, HtmlInputElement,
    HtmlSelectElement, KeyboardEvent,
};

use super::run_search;
use crate::query::{toggle_filters, SearchOptions, Sort};
use crate::render;
use crate::templates::{Locale, Panels, Plural, Status, Strings, Ui};

type JsResult<T> = Result<T, JsValue>;

/// Widget options, all optional.
struct Options {
    placeholder: Option<String>,
    limit: Option<usize>,
    base_url: Option<String>,
    hash: Option<bool>,
    /// `page` (the default, and what an unknown name means), `compact`
    /// or `dropdown` (for the stylesheet;
    /// it also sets the panels' and browsing's defaults).
    layout: String,
    panels: Panels,
    /// Whether an empty query shows the newest events (and the archive's
    /// timeline).
    browse: bool,
    strings: Strings,
    locale: JsLocale,
}

/// Numbers, dates and plurals through the functions the loader gives
/// (`Intl`), or else plain digits, ISO dates and English plurals.
struct JsLocale {
    number: Option<Function>,
    date: Option<Function>,
    month: Option<Function>,
    plural: Option<Function>,
}

impl JsLocale {
    fn call(f: &Option<Function>, arg: JsValue) -> Option<String> {
        f.as_ref()?.call1(&JsValue::NULL, &arg).ok()?.as_string()
    }
}

impl Locale for JsLocale {
    fn number(&self, n: f64) -> String {
        Self::call(&self.number, n.into())
            .unwrap_or_else(|| (n.round() as u32).to_string())
    }

    fn date(&self, iso: &str) -> String {
        Self::call(&self.date, iso.into()).unwrap_or_else(|| iso.to_owned())
    }

    fn month(&self, iso: &str) -> String {
        Self::call(&self.month, iso.into()).unwrap_or_else(|| iso.to_owned())
    }

    fn plural(&self, n: u32) -> Plural {
        Self::call(&self.plural, n.into())
            .map_or(if n == 1 { Plural::One } else { Plural::Other }, |c| {
                Plural::from_name(&c)
            })
    }
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
    /// The sort menu, unless the widget shows none.
    sort: Option<HtmlSelectElement>,
    status: Element,
    suggest: Element,
    /// The facets and timeline, unless the widget shows neither.
    facets: Option<Element>,
    /// "Latest events", over the hits of an empty query.
    caption: Element,
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
    /// The "Related events" button whose events wait for chunks.
    related_due: RefCell<Option<Element>>,
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
    /// A reader has paused in the empty box of a split index: time to
    /// fetch the newest events.
    Browse,
    /// Typing has paused on this query, whose last word is one letter
    /// (see [`ONE_LETTER_WAIT_MS`]).
    Wait(String),
}

/// Facets and the timeline are counted, and the query is written to the
/// URL, once typing pauses this long, so every keystroke pays only for
/// its hits. (`history.replaceState` alone can take longer than a
/// search.)
const SETTLE_DELAY_MS: i32 = 90;

/// The same pause over a split index a request away, whose facets fetch
/// the forward lists of every match (for a first letter, most of them):
/// a reader who stops to look, not one between two keys, pays for them.
const FAR_SETTLE_DELAY_MS: i32 = 400;

/// Hits a page shows unless told otherwise: as many as a screen or two
/// holds, like the peers' widgets (Pagefind's shows 5). Each keystroke
/// renders a page, and the browser's parsing of the hits' markup is the
/// largest part of a keystroke's time; "More results" adds pages.
const PAGE_SIZE: usize = 10;

/// A query whose chunks take longer than this to arrive says
/// "Searching…" (sooner, the notice would flicker at every keystroke).
const SLOW_MS: i32 = 300;

/// Over a split index a request away, a query whose last word is one
/// letter waits this long for the next keystroke before its chunks are
/// fetched: a letter completes to so much of the vocabulary that its
/// postings run to 100–200 KB gzipped, which the next letter (whose
/// completions take a page or two) makes moot. A reader who stops on
/// the letter gets its hits after the pause; one who types on never
/// pays for them.
const ONE_LETTER_WAIT_MS: i32 = 300;

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
    /// The one-letter query that has waited (see [`Inner::waits`]).
    waited: Option<String>,
    /// Whether the last query failed (the root says so until one works).
    failed: bool,
    /// Whether an empty query shows the newest events yet: at once over
    /// an index at hand; over a split index, once a reader pauses in the
    /// box (they are chunks to fetch, which a reader who types at once
    /// does not need).
    engaged: bool,
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
        let layout = f.string("layout")?.unwrap_or_else(|| "page".into());
        // (An unknown layout is the page's.)
        let page = !matches!(layout.as_str(), "compact" | "dropdown");
        let or_page = |v: Option<bool>| v.unwrap_or(page);
        let panels = Panels {
            facets: or_page(f.flag("facets")?),
            timeline: or_page(f.flag("timeline")?),
            sort: or_page(f.flag("sort")?),
            related: or_page(f.flag("related")?),
        };
        let strings = f.object("strings");
        let locale = f.object("locale");
        let func = |k: &str| {
            locale
                .as_ref()
                .and_then(|l| js_sys::Reflect::get(l, &k.into()).ok())
                .and_then(|v| v.dyn_into::<Function>().ok())
        };
        let opts = Options {
            placeholder: f.string("placeholder")?,
            limit: f.count("limit")?,
            base_url: f.string("baseUrl")?,
            hash: f.flag("hash")?,
            browse: or_page(f.flag("browse")?),
            layout,
            panels,
            strings: Strings::new(|k| {
                strings
                    .as_ref()
                    .and_then(|o| js_sys::Reflect::get(o, &k.into()).ok())
                    .and_then(|v| v.as_string())
            }),
            locale: JsLocale {
                number: func("number"),
                date: func("date"),
                month: func("month"),
                plural: func("plural"),
            },
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
        let root: EventTarget = self.inner.root.clone().into();
        self.listen(&input, "input")?;
        self.listen(&input, "keydown")?;
        self.listen(&input, "focus")?;
        if let Some(sort) = self.inner.sort.clone() {
            self.listen(&sort.into(), "change")?;
        }
        self.listen(&root, "click")?;
        if self.inner.opts.layout == "dropdown" {
            self.listen(&root, "focusout")?;
            self.listen(&root, "focusin")?;
        }
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
        if root.class_list().length() == 0 {
            unattr(root, "class");
        }
        for a in ["data-state", "data-layout", "data-empty"] {
            unattr(root, a);
        }
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
            "focus" => self.engage(),
            // A dropdown folds while the focus is elsewhere (the
            // stylesheet's `:focus-within`): the combobox says so. Focus
            // moving within the widget leaves it, then comes back in.
            "focusout" | "focusin" => {
                let open = kind == "focusin"
                    && !self.state.borrow().shown_html.is_empty();
                attr(
                    &self.input,
                    "aria-expanded",
                    if open { "true" } else { "false" },
                );
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
        attr(&root, "data-layout", &opts.layout);
        let events = src.searcher().index().doc_count();
        let shell = {
            let ui = Ui {
                strings: &opts.strings,
                locale: &opts.locale,
                uid: &uid,
                base_url: None,
                panels: opts.panels,
            };
            ui.shell(&ui.placeholder(opts.placeholder.as_deref(), events))
        };
        root.set_inner_html(&shell);
        let part = |class: &str| {
            root.query_selector(&format!(".chronicle-{class}")).ok().flatten()
        };
        let need = |class: &str| {
            part(class).ok_or_else(|| JsValue::from_str("widget markup"))
        };
        let input: HtmlInputElement = need("input")?.unchecked_into();
        let sort = part("sort").map(JsCast::unchecked_into);
        let (status, suggest, facets) =
            (need("status")?, need("suggest")?, part("facets"));
        let (listbox, list, more) =
            (need("listbox")?, need("results")?, need("more")?);
        let caption = need("caption")?;
        let limit = page_size(&opts);
        let engaged = !src.searcher().index().is_split();
        Ok(Inner {
            src,
            root,
            input,
            sort,
            status,
            suggest,
            facets,
            caption,
            listbox,
            list,
            more,
            uid,
            opts,
            state: RefCell::new(State { limit, engaged, ..State::default() }),
            me: RefCell::new(Weak::new()),
            settle_timer: RefCell::new(None),
            prepare_timer: RefCell::new(None),
            slow_timer: RefCell::new(None),
            related_due: RefCell::new(None),
        })
    }

    fn page_size(&self) -> usize {
        page_size(&self.opts)
    }

    /// This widget's templates.
    fn ui(&self) -> Ui<'_> {
        Ui {
            strings: &self.opts.strings,
            locale: &self.opts.locale,
            uid: &self.uid,
            base_url: self.opts.base_url.as_deref(),
            panels: self.opts.panels,
        }
    }

    /// The sort the menu says (relevance without one).
    fn sort_name(&self) -> String {
        self.sort.as_ref().map_or_else(|| "relevance".into(), |s| s.value())
    }

    /// What to search for the controls' query and sort: an empty query
    /// browses the newest events (when the widget browses), and a query
    /// of filters only (a year, a category) lists its events newest
    /// first, as relevance has nothing to rank them by.
    fn search_options(&self, query: &str, limit: usize) -> SearchOptions {
        let browse = self.opts.browse
            && query.trim().is_empty()
            && self.state.borrow().engaged;
        let mut sort = Sort::from_name(&self.sort_name()).unwrap_or_default();
        if sort == Sort::Relevance
            && crate::query::parse(query).groups.is_empty()
        {
            sort = Sort::Newest;
        }
        SearchOptions {
            limit,
            sort,
            facets: false,
            browse,
            ..SearchOptions::default()
        }
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
                        && v != self.sort_name() =>
                {
                    if let Some(sort) = &self.sort {
                        sort.set_value(&v);
                        changed = true;
                    }
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
        let sort_name = self.sort_name();
        let limit = self.state.borrow().limit.max(1);
        let opts = self.search_options(&query, limit);
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
                if !self.waits(&query) {
                    self.load_then(Inner::search, Inner::failed);
                }
                return;
            }
            Err(e) => {
                let why = self.opts.strings.fill(
                    crate::templates::Msg::FailedWhy,
                    &[("e", &e.to_string())],
                );
                self.failed(&why);
                self.write_hash(&query, &sort_name);
                Ok(0)
            }
        };
        if let Err(e) = rendered {
            web_sys::console::warn_1(&e);
        }
    }

    /// Whether `query`, whose read asked for chunks, first waits
    /// [`ONE_LETTER_WAIT_MS`] for the next keystroke (its last word is a
    /// letter, over a split index a request away, and what it asked for
    /// is its completions' postings: a lexicon shard, small and what the
    /// next letter needs too, is fetched at once); if so, the chunks
    /// asked for are forgotten (a newer query asks for its own) and
    /// [`Inner::waited`] is due (in the settle timer's place: a pending
    /// settle is an older query's, moot now).
    fn waits(&self, query: &str) -> bool {
        let searcher = self.src.searcher();
        let index = searcher.index();
        let last = query.split_whitespace().next_back().unwrap_or("");
        let letters = last.trim_start_matches(|c: char| !c.is_alphanumeric());
        if !index.chunks_far()
            || letters.chars().count() != 1
            || query.ends_with(char::is_whitespace)
            || index.wants_lexicon()
            || self.state.borrow().waited.as_deref() == Some(query)
        {
            return false;
        }
        index.take_wanted();
        let timer = self.later(ONE_LETTER_WAIT_MS, Job::Wait(query.into()));
        let old =
            std::mem::replace(&mut *self.settle_timer.borrow_mut(), timer);
        if let (Some(win), Some((id, _))) = (web_sys::window(), old) {
            win.clear_timeout_with_handle(id);
        }
        true
    }

    /// Typing has paused on the one-letter `query`: it is searched now,
    /// fetching what it needs.
    fn waited(&self, query: &str) {
        if self.input.value() == query {
            self.state.borrow_mut().waited = Some(query.into());
            self.search();
        }
    }

    /// The results of `query`, ready to show.
    fn results(
        &self,
        query: &str,
        opts: &SearchOptions,
    ) -> crate::Result<Shown> {
        let (r, views) = run_search(&self.src.searcher(), query, opts, 0)?;
        let ui = self.ui();
        let hits = views
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut h = String::new();
                ui.hit(&mut h, i, v);
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
            let text = self.ui().status(Status::Searching);
            self.status.set_text_content(Some(&text));
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
        attr(&self.caption, "hidden", "");
        if let Some(f) = &self.facets {
            f.set_text_content(None);
            unattr(f, "aria-busy");
        }
        self.status.set_inner_html(&self.ui().failure(message));
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
        if empty {
            attr(&self.root, "data-empty", "");
        } else {
            unattr(&self.root, "data-empty");
        }
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
        let browsing = empty && self.opts.browse;
        // Before a query, the archive's timeline (over a split index, its
        // years are in the core: no fetch).
        self.schedule_settle(query, (!empty && r.total > 0) || browsing);
        if browsing && shown > 0 {
            unattr(&self.caption, "hidden");
        } else {
            attr(&self.caption, "hidden", "");
        }
        if let Some(s) = &r.suggestion {
            self.suggest.set_inner_html(&self.ui().suggestion(s));
            unattr(&self.suggest, "hidden");
        }
        let ms = now() - start;
        let events = self.src.searcher().index().doc_count();
        let text = self.ui().status(if empty {
            Status::Ready { events }
        } else {
            Status::Found { total: r.total, partial: r.partial, ms }
        });
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

    /// After [`SETTLE_DELAY_MS`] ([`FAR_SETTLE_DELAY_MS`] over a split
    /// index a request away), unless another keystroke comes first:
    /// writes `query` to the URL and, when `facets`, counts its facets
    /// (without, they are cleared now).
    fn schedule_settle(&self, query: &str, facets: bool) {
        let Some(win) = web_sys::window() else { return };
        if let Some((id, _)) = self.settle_timer.borrow_mut().take() {
            win.clear_timeout_with_handle(id);
        }
        let facets = facets && self.facets.is_some();
        if let Some(f) = &self.facets {
            if facets {
                attr(f, "aria-busy", "true");
            } else {
                f.set_text_content(None);
                unattr(f, "aria-busy");
            }
        }
        self.state.borrow_mut().facets_due = facets;
        let delay = if self.src.searcher().index().chunks_far() {
            FAR_SETTLE_DELAY_MS
        } else {
            SETTLE_DELAY_MS
        };
        *self.settle_timer.borrow_mut() =
            self.later(delay, Job::Settle(query.to_owned()));
    }

    /// Typing has paused on `query`: the URL and the facets follow.
    fn settle(&self, query: &str) {
        if self.input.value() != query {
            return; // a newer keystroke has its own timer
        }
        self.write_hash(query, &self.sort_name());
        if std::mem::take(&mut self.state.borrow_mut().facets_due) {
            self.show_facets(query);
        }
    }

    /// The box has the focus: over a split index, the newest events are
    /// fetched if the reader pauses with it empty (see [`State::engaged`]).
    fn engage(&self) {
        if self.opts.browse && !self.state.borrow().engaged {
            // (Preparation does nothing over a split index: its timer is
            // free.)
            let timer = self.later(SLOW_MS, Job::Browse);
            let old = std::mem::replace(
                &mut *self.prepare_timer.borrow_mut(),
                timer,
            );
            if let (Some(win), Some((id, _))) = (web_sys::window(), old) {
                win.clear_timeout_with_handle(id);
            }
        }
    }

    fn browse(&self) {
        if self.input.value().trim().is_empty() {
            self.state.borrow_mut().engaged = true;
            self.run();
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
        let q = char::from(letter).to_string();
        let opts = self.search_options(&q, self.state.borrow().limit.max(1));
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
                    Job::Browse => w.browse(),
                    Job::Wait(q) => w.waited(q),
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
                Ok(false) => failed(&me, "failed"),
                Err(e) => failed(&me, &e),
            }
        });
    }

    fn related_again(&self) {
        let due = self.related_due.borrow_mut().take();
        if let Some(b) = due {
            if let Err(e) = self.fill_related(&b) {
                web_sys::console::warn_1(&e);
            }
        }
    }

    fn facets_again(&self) {
        let q = self.input.value();
        self.show_facets(&q);
    }

    /// The facets' chunks did not come: the facets are left out.
    fn facets_failed(&self, _: &str) {
        if let Some(f) = &self.facets {
            unattr(f, "aria-busy");
        }
    }

    fn show_facets(&self, query: &str) {
        let Some(panel) = &self.facets else { return };
        if self.input.value() != query {
            return; // a newer keystroke has its own timer
        }
        let shown = match self.src.searcher().facets(query, 10) {
            Err(crate::Error::NotLoaded) => {
                self.load_then(Inner::facets_again, Inner::facets_failed);
                return;
            }
            Ok((facets, years, months, done)) => {
                let (html, heights) =
                    self.ui().facets(&facets, &years, &months);
                panel.set_inner_html(&html);
                let set = set_heights(panel, &heights);
                // The timeline now; the facets once their chunks come,
                // the panel busy and the event held until then.
                if !done {
                    self.load_then(Inner::facets_again, Inner::facets_failed);
                    return;
                }
                set
            }
            Err(e) => Err(JsValue::from_str(&e.to_string())),
        };
        if let Err(e) = shown {
            web_sys::console::warn_1(&e);
        }
        unattr(panel, "aria-busy");
        if let Ok(ev) = Event::new("chronicle:facets") {
            let _ = self.root.dispatch_event(&ev);
        }
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
            let text = self.ui().status(Status::Searching);
            self.status.set_text_content(Some(&text));
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
        let q = toggle_filters(&self.input.value(), token);
        self.input.set_value(&q);
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
                // Fetched like a query's chunks (a newer query drops it:
                // its hits replace this one).
                *self.related_due.borrow_mut() = Some(b.clone());
                self.load_then(Inner::related_again, |_, _| {});
                return Ok(());
            }
            r => r.map_err(|e| JsValue::from_str(&e.to_string()))?,
        };
        attr(b, "data-loaded", "");
        let open = b.get_attribute("aria-expanded").as_deref() == Some("true");
        b.insert_adjacent_html("afterend", &self.ui().related(&rel, open))
    }
}

/// Sets the timeline's bar heights (percent) through the CSS object
/// model: a strict CSP blocks style attributes in markup.
fn set_heights(panel: &Element, heights: &[u32]) -> JsResult<()> {
    let bars = panel.get_elements_by_class_name("chronicle-year-bar");
    for (i, pct) in heights.iter().enumerate() {
        if let Some(bar) = bars.item(i as u32) {
            bar.unchecked_into::<HtmlElement>()
                .style()
                .set_property("height", &format!("{pct}%"))?;
        }
    }
    Ok(())
}
