//! The widget's markup: view models (`render.rs`) and UI strings in,
//! HTML out. Pure: no DOM and no JavaScript here, so every template is
//! tested natively; `wasm/dom.rs` only places what these return and
//! wires the listeners. Event text reaches the markup only through the
//! one escaper, [`Esc`]; links only as [`event_href`] and
//! [`safe_href`](crate::render::safe_href) made them.
//!
//! The UI strings are the loader's (`widget/strings.json`: English,
//! German, French, Spanish, Arabic, and a site's own `strings`); numbers,
//! dates and plural forms come from a [`Locale`] (in the browser, `Intl`).

use std::fmt::Write as _;

use crate::query::{filter_token, Facets, MonthCount, YearCount};
use crate::render::{event_href, Esc, HitView, RelatedView, Span};

include!(concat!(env!("OUT_DIR"), "/english.rs"));

macro_rules! messages {
    ($($(#[$doc:meta])* $id:ident = $name:literal,)*) => {
        /// A UI string, by its key in `widget/strings.json`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg {
            $($(#[$doc])* $id,)*
        }

        impl Msg {
            /// Every message, in order.
            pub const ALL: &'static [Msg] = &[$(Msg::$id,)*];

            /// Its key in the strings.
            pub fn name(self) -> &'static str {
                match self {
                    $(Msg::$id => $name,)*
                }
            }
        }
    };
}

messages! {
    /// The search box's label.
    SearchLabel = "searchLabel",
    /// The sort menu's label.
    SortLabel = "sortLabel",
    /// Sort: by relevance.
    SortRelevance = "sortRelevance",
    /// Sort: newest first.
    SortNewest = "sortNewest",
    /// Sort: oldest first.
    SortOldest = "sortOldest",
    /// The button that shows the filters in a narrow widget.
    Filters = "filters",
    /// The list of results' label.
    ResultsLabel = "resultsLabel",
    /// The filters' label.
    Refine = "refine",
    /// The button that shows more results.
    More = "more",
    /// A query waits for its data.
    Searching = "searching",
    /// The button that runs a failed query again.
    Retry = "retry",
    /// `{q}`: a suggested query.
    DidYouMean = "didYouMean",
    /// `{n}`: the number of events (the status before a query, and,
    /// with "…", the box's placeholder).
    Ready = "ready",
    /// No event matches.
    NoResults = "noResults",
    /// … form "one".
    ResultsOne = "resultsOne",
    /// … form "other" (the fallback of every form).
    ResultsOther = "resultsOther",
    /// No event has every word: the results are the closest.
    Partial = "partial",
    /// A hit's sources; the sources facet.
    Sources = "sources",
    /// A source without a name.
    Source = "source",
    /// `{x}`: a context chip's title.
    About = "about",
    /// The button that shows a hit's related events.
    Related = "related",
    /// A hit has no related events.
    NoRelated = "noRelated",
    /// `{x}`: the context a related event shares.
    Context = "context",
    /// The timeline facet.
    Timeline = "timeline",
    /// The category facet.
    Category = "category",
    /// The contexts facet.
    Topics = "topics",
    /// The newest events, shown before a query.
    Latest = "latest",
    /// A query failed.
    Failed = "failed",
    /// `{e}`: a query failed, and why.
    FailedWhy = "failedWhy",
    /// Part of a split index did not come: the network.
    PartOffline = "partOffline",
    /// Part of a split index did not come: it changed on the server.
    PartChanged = "partChanged",
    // (The plural forms English does not have come last: the ones
    // before are in English's order, see `ENGLISH`.)
    /// `{n}` results, plural form "zero" (for languages that have it).
    ResultsZero = "resultsZero",
    /// … form "two".
    ResultsTwo = "resultsTwo",
    /// … form "few".
    ResultsFew = "resultsFew",
    /// … form "many".
    ResultsMany = "resultsMany",
}

/// The UI strings of one widget.
#[derive(Debug, Clone)]
pub struct Strings(Vec<Option<String>>);

impl Strings {
    /// The strings `lookup` gives by key, English for any it does not.
    pub fn new(mut lookup: impl FnMut(&str) -> Option<String>) -> Strings {
        Strings(
            Msg::ALL
                .iter()
                .map(|&m| {
                    // (After the messages, English has the loader's.)
                    let english = ENGLISH[..Msg::ResultsZero as usize]
                        .get(m as usize)
                        .copied();
                    lookup(m.name()).or_else(|| english.map(str::to_owned))
                })
                .collect(),
        )
    }

    /// Message `m` (a plural form no language gave falls back to
    /// "other"; any other missing message, which only an unknown key
    /// could be, reads as its key).
    pub fn get(&self, m: Msg) -> &str {
        let at = |m: Msg| self.0.get(m as usize).and_then(|s| s.as_deref());
        at(m)
            .or_else(|| {
                let plural = m as usize >= Msg::ResultsZero as usize;
                plural.then(|| at(Msg::ResultsOther)).flatten()
            })
            .unwrap_or(m.name())
    }

    /// Message `m` with each `{name}` replaced by its value.
    pub fn fill(&self, m: Msg, args: &[(&str, &str)]) -> String {
        let mut out = String::new();
        pieces(self.get(m), |piece, hole| {
            let value = args.iter().find(|a| hole && a.0 == piece);
            match value {
                Some((_, v)) => out.push_str(v),
                None if hole => {
                    out.push('{');
                    out.push_str(piece);
                    out.push('}');
                }
                None => out.push_str(piece),
            }
        });
        out
    }

    /// The message of a failure code (a message key, as the loader
    /// gives it), or `text` as it is.
    pub fn failure<'a>(&'a self, text: &'a str) -> &'a str {
        Msg::ALL
            .iter()
            .find(|m| m.name() == text)
            .map_or(text, |&m| self.get(m))
    }
}

/// Calls `f` with each piece of `template` in order: its text between
/// holes (`false`) and the name of each `{name}` hole (`true`).
fn pieces<'t>(template: &'t str, mut f: impl FnMut(&'t str, bool)) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest.get(open..).and_then(|r| r.find('}')) else {
            break;
        };
        f(rest.get(..open).unwrap_or_default(), false);
        f(rest.get(open + 1..open + len).unwrap_or_default(), true);
        rest = rest.get(open + len + 1..).unwrap_or_default();
    }
    f(rest, false);
}

/// A plural category (CLDR's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    /// zero
    Zero,
    /// one
    One,
    /// two
    Two,
    /// few
    Few,
    /// many
    Many,
    /// other
    Other,
}

impl Plural {
    /// The category `Intl.PluralRules` names `name` (other if unknown).
    pub fn from_name(name: &str) -> Plural {
        match name {
            "zero" => Plural::Zero,
            "one" => Plural::One,
            "two" => Plural::Two,
            "few" => Plural::Few,
            "many" => Plural::Many,
            _ => Plural::Other,
        }
    }

    fn msg(self) -> Msg {
        match self {
            Plural::Zero => Msg::ResultsZero,
            Plural::One => Msg::ResultsOne,
            Plural::Two => Msg::ResultsTwo,
            Plural::Few => Msg::ResultsFew,
            Plural::Many => Msg::ResultsMany,
            Plural::Other => Msg::ResultsOther,
        }
    }
}

/// How numbers, dates and plurals read in the widget's language.
pub trait Locale {
    /// A count or a duration (at most one decimal).
    fn number(&self, n: f64) -> String;
    /// A `YYYY-MM-DD` date.
    fn date(&self, iso: &str) -> String;
    /// A `YYYY-MM` month.
    fn month(&self, iso: &str) -> String;
    /// The plural category of count `n`.
    fn plural(&self, n: u32) -> Plural;
}

/// English figures without `Intl`: `114,017`, `12.5`, ISO dates.
pub struct Plain;

impl Locale for Plain {
    fn number(&self, n: f64) -> String {
        // Tenths, as u32: ample for counts and milliseconds here (and
        // u64's formatter is more wasm).
        let t = (n.max(0.0) * 10.0).round() as u32;
        let s = (t / 10).to_string();
        let mut out = String::with_capacity(s.len() + s.len() / 3 + 2);
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if t % 10 != 0 {
            out.push('.');
            out.push(char::from(b'0' + (t % 10) as u8));
        }
        out
    }

    fn date(&self, iso: &str) -> String {
        iso.to_owned()
    }

    fn month(&self, iso: &str) -> String {
        iso.to_owned()
    }

    fn plural(&self, n: u32) -> Plural {
        if n == 1 {
            Plural::One
        } else {
            Plural::Other
        }
    }
}

/// The panels a widget shows (each by `data-*` attribute or `mount`
/// option; a layout sets their defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panels {
    /// Category, sources and contexts.
    pub facets: bool,
    /// The years (and months) of the matches.
    pub timeline: bool,
    /// The sort menu.
    pub sort: bool,
    /// Each hit's "Related events".
    pub related: bool,
}

impl Panels {
    /// All panels (the full search page).
    pub const ALL: Panels =
        Panels { facets: true, timeline: true, sort: true, related: true };
    /// None: the box and its results.
    pub const NONE: Panels =
        Panels { facets: false, timeline: false, sort: false, related: false };
}

/// What the status line says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Status {
    /// Before a query: the archive's size.
    Ready {
        /// Events in the index.
        events: u32,
    },
    /// A query's outcome.
    Found {
        /// Matching events.
        total: u32,
        /// Whether no event had every word.
        partial: bool,
        /// How long it took.
        ms: f64,
    },
    /// A query waits for its data.
    Searching,
}

/// Bar heights of a timeline, in percent of its tallest (the widget sets
/// them through the CSS object model: a strict CSP blocks style
/// attributes in markup).
pub type Heights = Vec<u32>;

/// One widget's templates: its strings, locale, element ids and options.
pub struct Ui<'a> {
    /// UI strings.
    pub strings: &'a Strings,
    /// Numbers, dates, plurals.
    pub locale: &'a dyn Locale,
    /// The prefix of the widget's element ids (unique in the page).
    pub uid: &'a str,
    /// Where relative event URLs are joined (`data-base-url`).
    pub base_url: Option<&'a str>,
    /// The panels shown.
    pub panels: Panels,
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

impl Ui<'_> {
    fn s(&self, m: Msg) -> Esc<'_> {
        Esc(self.strings.get(m))
    }

    /// `{n} results` in the right plural form.
    pub fn results(&self, n: u32) -> String {
        let msg = self.locale.plural(n).msg();
        self.strings.fill(msg, &[("n", &self.locale.number(n.into()))])
    }

    /// The box's placeholder: `placeholder`, or "Search {n} events…".
    pub fn placeholder(
        &self,
        placeholder: Option<&str>,
        events: u32,
    ) -> String {
        placeholder.map_or_else(
            || {
                let n = self.locale.number(events.into());
                self.strings.fill(Msg::Ready, &[("n", &n)]) + "…"
            },
            str::to_owned,
        )
    }

    /// The widget's frame: the search bar, the status line, the list and
    /// the panels it shows.
    pub fn shell(&self, placeholder: &str) -> String {
        let uid = self.uid;
        let mut h = format!(
            "<div class=\"chronicle-bar\"><input class=\"chronicle-input\" \
             type=\"search\" role=\"combobox\" aria-expanded=\"false\" \
             aria-autocomplete=\"list\" aria-controls=\"{uid}-list\" \
             aria-label=\"{}\" autocomplete=\"off\" spellcheck=\"false\" \
             placeholder=\"{}\">",
            self.s(Msg::SearchLabel),
            Esc(placeholder)
        );
        if self.panels.sort {
            let _ = write!(
                h,
                "<select class=\"chronicle-sort\" aria-label=\"{}\">\
                 <option value=\"relevance\">{}</option><option \
                 value=\"newest\">{}</option><option value=\"oldest\">{}\
                 </option></select>",
                self.s(Msg::SortLabel),
                self.s(Msg::SortRelevance),
                self.s(Msg::SortNewest),
                self.s(Msg::SortOldest)
            );
        }
        let aside = self.panels.facets || self.panels.timeline;
        if aside {
            let _ = write!(
                h,
                "<button class=\"chronicle-filters\" type=\"button\" \
                 aria-expanded=\"false\" aria-controls=\"{uid}-facets\">{}\
                 </button>",
                self.s(Msg::Filters)
            );
        }
        let _ = write!(
            h,
            "</div><div class=\"chronicle-drop\"><div \
             class=\"chronicle-status\" role=\"status\" \
             aria-live=\"polite\"></div><div class=\"chronicle-suggest\" \
             hidden></div><div class=\"chronicle-body\"><div \
             class=\"chronicle-main\"><div class=\"chronicle-caption\" \
             hidden>{}</div><div class=\"chronicle-listbox\" \
             id=\"{uid}-list\" role=\"listbox\" aria-label=\"{}\"></div>\
             <ul class=\"chronicle-results\"></ul><button \
             class=\"chronicle-more\" type=\"button\" hidden>{}</button></div>",
            self.s(Msg::Latest),
            self.s(Msg::ResultsLabel),
            self.s(Msg::More)
        );
        if aside {
            let _ = write!(
                h,
                "<aside class=\"chronicle-facets\" id=\"{uid}-facets\" \
                 aria-label=\"{}\"></aside>",
                self.s(Msg::Refine)
            );
        }
        h.push_str("</div></div>");
        h
    }

    /// The status line's text.
    pub fn status(&self, s: Status) -> String {
        match s {
            Status::Ready { events } => {
                let n = self.locale.number(events.into());
                self.strings.fill(Msg::Ready, &[("n", &n)])
            }
            Status::Found { total: 0, .. } => {
                self.strings.get(Msg::NoResults).to_owned()
            }
            Status::Found { total, partial, ms } => {
                let mut t = self.results(total);
                if partial {
                    let _ = write!(t, " ({})", self.strings.get(Msg::Partial));
                }
                let _ = write!(t, " · {} ms", self.locale.number(ms));
                t
            }
            Status::Searching => self.strings.get(Msg::Searching).to_owned(),
        }
    }

    /// The status line of a failed query: `message` and a Retry button.
    pub fn failure(&self, message: &str) -> String {
        format!(
            "<span class=\"chronicle-error\">{}</span> <button \
             class=\"chronicle-retry\" type=\"button\">{}</button>",
            Esc(self.strings.failure(message)),
            self.s(Msg::Retry)
        )
    }

    /// "Did you mean …?", the suggestion a button that searches it.
    pub fn suggestion(&self, query: &str) -> String {
        let q = Esc(query);
        let button = format!(
            "<button class=\"chronicle-suggestion\" type=\"button\" \
             data-query=\"{q}\">{q}</button>"
        );
        let mut out = String::new();
        pieces(self.strings.get(Msg::DidYouMean), |piece, hole| {
            if hole && piece == "q" {
                out.push_str(&button);
            } else {
                let _ = write!(out, "{}", Esc(piece));
            }
        });
        out
    }

    /// A button that toggles filter `key:"value"` (class
    /// `chronicle-{class}`), titled "Events about …" when `about`.
    fn filter_button(
        &self,
        out: &mut String,
        class: &str,
        key: &str,
        value: &str,
        about: bool,
    ) {
        let _ = write!(
            out,
            "<button class=\"chronicle-{class}\" type=\"button\" \
             data-filter=\"{}\"",
            Esc(&filter_token(key, value))
        );
        if about {
            let title = self.strings.fill(Msg::About, &[("x", value)]);
            let _ = write!(out, " title=\"{}\"", Esc(&title));
        }
        let _ = write!(out, ">{}</button>", Esc(value));
    }

    /// Appends hit `i`: its option (the title's text, for the listbox),
    /// its link laid over the option, and its details.
    pub fn hit(&self, out: &mut String, i: usize, v: &HitView) {
        let (uid, id) = (self.uid, Esc(&v.id));
        let _ = write!(
            out,
            "<li class=\"chronicle-hit\"><div class=\"chronicle-meta\">\
             <time class=\"chronicle-date\" datetime=\"{}\">{}</time>",
            Esc(&v.date),
            Esc(&self.locale.date(&v.date))
        );
        if let Some(c) = &v.category {
            self.filter_button(out, "category", "category", c, false);
        }
        out.push_str("</div><div class=\"chronicle-title\" dir=\"auto\">");
        // The option holds the title's text only; the link, named by it,
        // lies over it (see the stylesheet), so the option holds no
        // focusable element.
        if let Some(h) =
            v.url.as_deref().and_then(|u| event_href(self.base_url, u))
        {
            let _ = write!(
                out,
                "<a class=\"chronicle-link\" href=\"{}\" \
                 aria-labelledby=\"{uid}-opt-{i}\"></a>",
                Esc(&h)
            );
        }
        let _ = write!(
            out,
            "<div class=\"chronicle-opt\" id=\"{uid}-opt-{i}\" \
             role=\"option\" aria-selected=\"false\" data-id=\"{id}\">{}\
             </div></div>",
            Spans(&v.title_spans)
        );
        if let Some(ex) = &v.excerpt {
            let _ = write!(
                out,
                "<p class=\"chronicle-excerpt\" dir=\"auto\">{}</p>",
                Spans(ex)
            );
        }
        if !v.sources.is_empty() {
            let _ = write!(
                out,
                "<div class=\"chronicle-sources\"><span \
                 class=\"chronicle-label\">{}</span>",
                self.s(Msg::Sources)
            );
            for s in &v.sources {
                let name = if s.name.is_empty() {
                    self.s(Msg::Source)
                } else {
                    Esc(&s.name)
                };
                let _ = match &s.href {
                    Some(h) => write!(
                        out,
                        "<a class=\"chronicle-source\" href=\"{}\" \
                         rel=\"noopener noreferrer\" target=\"_blank\">{name}</a>",
                        Esc(h)
                    ),
                    None => write!(out, "<span class=\"chronicle-source\">{name}</span>"),
                };
            }
            out.push_str("</div>");
        }
        if !v.contexts.is_empty() {
            out.push_str("<div class=\"chronicle-contexts\">");
            for c in v.contexts.iter().take(8) {
                self.filter_button(out, "chip", "about", c, true);
            }
            out.push_str("</div>");
            // A disclosure button, not `<details>`: the browser builds a
            // shadow tree for each of those, a quarter of the list's cost.
            if self.panels.related {
                let _ = write!(
                    out,
                    "<button class=\"chronicle-related\" type=\"button\" \
                     aria-expanded=\"false\" data-doc=\"{}\">{}</button>",
                    v.doc,
                    self.s(Msg::Related)
                );
            }
        }
        out.push_str("</li>");
    }

    /// The timeline and the facets, with the timeline's bar heights. The
    /// timeline has a bar per year of the matches' span, or, when they
    /// all fall in one year and `months` counts them, per month of it;
    /// each bar a button that filters the query to its year or month.
    pub fn facets(
        &self,
        facets: &Facets,
        years: &[YearCount],
        months: &[MonthCount],
    ) -> (String, Heights) {
        let mut html = String::new();
        let mut heights = Vec::new();
        // (Bar's period as the query writes it, its label, its count.)
        let mut bars: Vec<(String, String, u32)> = Vec::new();
        match (years, months) {
            ([y], [first, .., last] | [first @ last]) => {
                for m in first.month..=last.month {
                    let ym = format!("{}-{m:02}", y.year);
                    let n = months
                        .iter()
                        .find(|c| c.month == m)
                        .map_or(0, |c| c.count);
                    let label = self.locale.month(&ym);
                    bars.push((ym, label, n));
                }
            }
            ([first, ..], _) => {
                let last = years.last().map_or(first.year, |y| y.year);
                for y in first.year..=last {
                    let n = years
                        .iter()
                        .find(|c| c.year == y)
                        .map_or(0, |c| c.count);
                    bars.push((y.to_string(), y.to_string(), n));
                }
            }
            _ => {}
        }
        if let (true, Some(first), Some(last)) =
            (self.panels.timeline, bars.first(), bars.last())
        {
            let _ = write!(
                html,
                "<fieldset class=\"chronicle-facet chronicle-timeline-box\">\
                 <legend>{}</legend><div class=\"chronicle-timeline\">",
                self.s(Msg::Timeline)
            );
            let max = bars.iter().map(|b| b.2).max().unwrap_or(1).max(1);
            for (period, label, count) in &bars {
                let (period, label) = (Esc(period), Esc(label));
                let _ = write!(
                    html,
                    "<button class=\"chronicle-year\" type=\"button\" \
                     data-filter=\"from:{period} to:{period}\" title=\"{label}: {n}\" \
                     aria-label=\"{label}: {}\"><span \
                     class=\"chronicle-year-bar\"></span></button>",
                    Esc(&self.results(*count)),
                    n = Esc(&self.locale.number((*count).into())),
                );
                heights.push(if *count == 0 {
                    0
                } else {
                    (u64::from(*count) * 100 / u64::from(max)).max(4) as u32
                });
            }
            let _ = write!(
                html,
                "</div><div class=\"chronicle-axis\"><span>{}</span>\
                 <span>{}</span></div></fieldset>",
                Esc(&first.1),
                Esc(&last.1)
            );
        }
        if self.panels.facets {
            let groups = [
                (Msg::Category, "category", &facets.categories),
                (Msg::Sources, "source", &facets.sources),
                (Msg::Topics, "about", &facets.contexts),
            ];
            for (title, key, values) in groups {
                if values.is_empty() {
                    continue;
                }
                let _ = write!(
                    html,
                    "<fieldset class=\"chronicle-facet\"><legend>{}</legend><ul>",
                    self.s(title)
                );
                for v in values.iter().take(8) {
                    let _ = write!(
                        html,
                        "<li><button class=\"chronicle-facet-value\" \
                         type=\"button\" data-filter=\"{}\">{}<span \
                         class=\"chronicle-count\">{}</span></button></li>",
                        Esc(&filter_token(key, &v.name)),
                        Esc(&v.name),
                        Esc(&self.locale.number(v.count.into()))
                    );
                }
                html.push_str("</ul></fieldset>");
            }
        }
        (html, heights)
    }

    /// A hit's related events, a list hidden unless `open`.
    pub fn related(&self, rel: &[RelatedView], open: bool) -> String {
        let mut html = String::from("<ul class=\"chronicle-related-list\"");
        if !open {
            html.push_str(" hidden");
        }
        html.push('>');
        if rel.is_empty() {
            let _ = write!(html, "<li>{}</li>", self.s(Msg::NoRelated));
        }
        for r in rel {
            let context =
                self.strings.fill(Msg::Context, &[("x", &r.context)]);
            let _ = write!(
                html,
                "<li data-id=\"{}\"><time class=\"chronicle-date\" \
                 datetime=\"{}\">{}</time> <span \
                 class=\"chronicle-related-title\" dir=\"auto\">{}</span> <em \
                 class=\"chronicle-shared\">{}</em></li>",
                Esc(&r.id),
                Esc(&r.date),
                Esc(&self.locale.date(&r.date)),
                Esc(&r.title),
                Esc(&context)
            );
        }
        html.push_str("</ul>");
        html
    }
}

#[cfg(all(test, feature = "build"))]
mod tests {
    use super::*;
    use crate::query::FacetCount;
    use crate::render::SourceView;

    /// The loader's translations, by language.
    fn table() -> serde_json::Map<String, serde_json::Value> {
        let json = include_str!("../widget/strings.json");
        match serde_json::from_str(json).unwrap() {
            serde_json::Value::Object(m) => m,
            _ => panic!("strings.json is not an object"),
        }
    }

    fn strings(lang: &str) -> Strings {
        let t = table();
        let l = t[lang].as_object().unwrap().clone();
        Strings::new(|k| l.get(k).and_then(|v| v.as_str()).map(str::to_owned))
    }

    fn ui<'a>(s: &'a Strings, panels: Panels) -> Ui<'a> {
        Ui {
            strings: s,
            locale: &Plain,
            uid: "c0",
            base_url: Some("/"),
            panels,
        }
    }

    fn hit() -> HitView {
        HitView {
            id: "e<1>".into(),
            doc: 7,
            date: "2014-05-06".into(),
            title: "Lavrov in Geneva".into(),
            title_spans: vec![
                Span { text: "Lavrov".into(), mark: true },
                Span { text: " in <b>Geneva</b>".into(), mark: false },
            ],
            category: Some("Politics \"and\" elections".into()),
            sources: vec![
                SourceView {
                    name: "".into(),
                    url: Some("javascript:alert(1)".into()),
                    href: None,
                },
                SourceView {
                    name: "BBC".into(),
                    url: Some("https://bbc.co.uk/x".into()),
                    href: Some("https://bbc.co.uk/x".into()),
                },
            ],
            contexts: vec!["Sergey Lavrov".into()],
            url: Some("//evil.example/x".into()),
            excerpt: Some(vec![Span { text: "Talks'".into(), mark: false }]),
            score: 1.0,
            related: Vec::new(),
        }
    }

    #[test]
    fn every_language_has_every_message_and_its_placeholders() {
        let t = table();
        let en = t["en"].as_object().unwrap();
        for m in Msg::ALL {
            let optional = matches!(
                m,
                Msg::ResultsZero
                    | Msg::ResultsTwo
                    | Msg::ResultsFew
                    | Msg::ResultsMany
            );
            assert!(
                optional || en.contains_key(m.name()),
                "en lacks {}",
                m.name()
            );
        }
        // `ENGLISH` (build.rs, in the file's order) is indexed by message.
        for &m in &Msg::ALL[..Msg::ResultsZero as usize] {
            assert_eq!(
                Some(ENGLISH[m as usize]),
                en[m.name()].as_str(),
                "widget/strings.json's English is not in the order of `Msg` at {}",
                m.name()
            );
        }
        let holes = |s: &str| {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(a, _)| a.to_owned()))
                .collect();
            v.sort();
            v
        };
        for lang in ["en", "de", "fr", "es", "ar"] {
            let l = t[lang].as_object().unwrap_or_else(|| panic!("no {lang}"));
            for (k, v) in en {
                let s = l.get(k).and_then(|v| v.as_str());
                let s = s.unwrap_or_else(|| panic!("{lang} lacks {k}"));
                assert!(!s.trim().is_empty(), "{lang}.{k} is empty");
                // ("one result" may name no number.)
                if !(k.starts_with("results") && holes(s).is_empty()) {
                    assert_eq!(
                        holes(s),
                        holes(v.as_str().unwrap()),
                        "{lang}.{k}"
                    );
                }
            }
            for k in l.keys() {
                assert!(
                    en.contains_key(k) || k.starts_with("results"),
                    "{lang}.{k} is not a message"
                );
            }
        }
    }

    #[test]
    fn plural_forms_fall_back_to_other() {
        let s = strings("en");
        assert_eq!(s.get(Msg::ResultsFew), "{n} results");
        let ar = strings("ar");
        assert_eq!(ar.get(Msg::ResultsTwo), "نتيجتان");
        struct Arabic;
        impl Locale for Arabic {
            fn number(&self, n: f64) -> String {
                Plain.number(n)
            }
            fn date(&self, iso: &str) -> String {
                iso.into()
            }
            fn month(&self, iso: &str) -> String {
                iso.into()
            }
            fn plural(&self, n: u32) -> Plural {
                match n {
                    0 => Plural::Zero,
                    1 => Plural::One,
                    2 => Plural::Two,
                    _ => Plural::Few,
                }
            }
        }
        let u = Ui { locale: &Arabic, ..ui(&ar, Panels::ALL) };
        assert_eq!(u.results(2), "نتيجتان");
        assert_eq!(u.results(5), "5 نتائج");
        assert_eq!(ui(&s, Panels::ALL).results(1), "1 result");
        assert_eq!(ui(&s, Panels::ALL).results(114017), "114,017 results");
        // A message nobody gave is the English one.
        let none = Strings::new(|_| None);
        assert_eq!(none.get(Msg::Retry), "Retry");
        assert_eq!(none.get(Msg::ResultsFew), "{n} results");
        // Holes: each filled, unknown ones and stray braces kept.
        let odd = Strings::new(|k| {
            (k == "context").then(|| "{x}{y}{x} {".to_owned())
        });
        assert_eq!(odd.fill(Msg::Context, &[("x", "1")]), "1{y}1 {");
    }

    #[test]
    fn the_shell_has_what_the_panels_say() {
        let s = strings("de");
        let full = ui(&s, Panels::ALL).shell("Suche…");
        for part in [
            "chronicle-sort",
            "chronicle-filters",
            "chronicle-facets",
            "aria-controls=\"c0-list\"",
            "id=\"c0-facets\"",
            ">Beste Treffer<",
            "aria-label=\"Ereignisse durchsuchen\"",
        ] {
            assert!(full.contains(part), "{part} in {full}");
        }
        let bare = ui(&s, Panels::NONE).shell("x");
        for part in ["chronicle-sort", "chronicle-filters", "chronicle-facets"]
        {
            assert!(!bare.contains(part), "{part} in {bare}");
        }
        assert!(bare.contains("role=\"listbox\""));
        // An owner's placeholder is text, never markup.
        assert!(ui(&s, Panels::ALL)
            .shell("\"><script>")
            .contains("placeholder=\"&quot;&gt;&lt;script&gt;\""));
    }

    #[test]
    fn a_hit_escapes_event_text_and_links_only_what_is_safe() {
        let s = strings("en");
        let mut out = String::new();
        ui(&s, Panels::ALL).hit(&mut out, 3, &hit());
        assert!(
            out.contains("<mark>Lavrov</mark> in &lt;b&gt;Geneva&lt;/b&gt;")
        );
        assert!(out.contains("data-id=\"e&lt;1&gt;\""));
        assert!(out.contains("id=\"c0-opt-3\" role=\"option\""));
        // The event's `//host` URL stays on the site.
        assert!(out.contains("href=\"/evil.example/x\""), "{out}");
        assert!(!out.contains("javascript:"));
        assert!(out.contains("<span class=\"chronicle-source\">source</span>"));
        assert!(out.contains(
            "data-filter=\"category:&quot;Politics and elections&quot;\""
        ));
        assert!(out.contains("title=\"Events about Sergey Lavrov\""));
        assert!(out.contains("Talks&#39;") || out.contains("Talks&#x27;"));
        assert!(out.contains("data-doc=\"7\">Related events</button>"));
        // Event text runs its own way in a right-to-left widget.
        assert!(out.contains("<div class=\"chronicle-title\" dir=\"auto\">"));
        let mut bare = String::new();
        ui(&s, Panels::NONE).hit(&mut bare, 0, &hit());
        assert!(!bare.contains("chronicle-related"));
        // Without a base, a relative URL is no link.
        let mut nolink = String::new();
        Ui { base_url: None, ..ui(&s, Panels::ALL) }.hit(
            &mut nolink,
            0,
            &hit(),
        );
        assert!(!nolink.contains("chronicle-link"));
    }

    #[test]
    fn facets_and_timeline() {
        let s = strings("fr");
        let facets = Facets {
            categories: vec![FacetCount {
                id: 0,
                name: "Sports & <games>".into(),
                count: 1234,
            }],
            sources: Vec::new(),
            contexts: vec![FacetCount {
                id: 1,
                name: "Gaza Strip".into(),
                count: 2,
            }],
        };
        let years = [
            YearCount { year: 2012, count: 100 },
            YearCount { year: 2014, count: 1 },
        ];
        let (html, heights) = ui(&s, Panels::ALL).facets(&facets, &years, &[]);
        // Every year of the span, the empty one too, the smallest bar
        // still visible.
        assert_eq!(heights, vec![100, 0, 4]);
        assert_eq!(html.matches("class=\"chronicle-year\"").count(), 3);
        assert!(html.contains("data-filter=\"from:2013 to:2013\""));
        assert!(html.contains("<legend>Chronologie</legend>"));
        assert!(html.contains("Sports &amp; &lt;games&gt;<span class=\"chronicle-count\">1,234</span>"));
        assert!(html.contains("data-filter=\"about:&quot;Gaza Strip&quot;\""));
        assert!(html.contains("aria-label=\"2014: 1 résultat\""));
        assert!(
            !html.contains("<legend>Sources"),
            "an empty facet is left out"
        );
        let only_timeline = Panels { facets: false, ..Panels::ALL };
        let (html, _) = ui(&s, only_timeline).facets(&facets, &years, &[]);
        assert!(
            html.contains("chronicle-timeline") && !html.contains("Catégorie")
        );
        let (html, heights) =
            ui(&s, Panels::NONE).facets(&facets, &years, &[]);
        assert!(html.is_empty() && heights.is_empty());
        // One year: its months.
        let one = [YearCount { year: 2014, count: 7 }];
        let months = [
            MonthCount { month: 3, count: 5 },
            MonthCount { month: 5, count: 2 },
        ];
        let (html, heights) =
            ui(&s, Panels::ALL).facets(&Facets::default(), &one, &months);
        assert_eq!(heights, vec![100, 0, 40]);
        assert!(html.contains("data-filter=\"from:2014-04 to:2014-04\""));
        assert!(html.contains("<span>2014-03</span><span>2014-05</span>"));
        // Without month counts, one year is one bar.
        let (_, heights) =
            ui(&s, Panels::ALL).facets(&Facets::default(), &one, &[]);
        assert_eq!(heights, vec![100]);
    }

    #[test]
    fn status_failure_suggestion_related() {
        let s = strings("en");
        let u = ui(&s, Panels::ALL);
        assert_eq!(
            u.status(Status::Ready { events: 114017 }),
            "Search 114,017 events"
        );
        assert_eq!(u.placeholder(None, 3), "Search 3 events…");
        assert_eq!(u.placeholder(Some("Find"), 3), "Find");
        assert_eq!(
            u.status(Status::Found { total: 2, partial: true, ms: 1.25 }),
            "2 results (no event has every word; closest matches) · 1.3 ms"
        );
        assert_eq!(
            u.status(Status::Found { total: 0, partial: false, ms: 1.0 }),
            "No results"
        );
        let f = u.failure("partOffline");
        assert!(
            f.contains("Couldn&#39;t load part")
                || f.contains("Couldn&#x27;t load part"),
            "{f}"
        );
        assert!(f.contains(">Retry</button>"));
        assert!(u.failure("<img src=x>").contains("&lt;img src=x&gt;"));
        assert_eq!(
            u.suggestion("gaza \"x"),
            "Did you mean <button class=\"chronicle-suggestion\" type=\"button\" \
             data-query=\"gaza &quot;x\">gaza &quot;x</button>?"
        );
        let es = strings("es");
        assert!(ui(&es, Panels::ALL)
            .suggestion("a")
            .starts_with("¿Quisiste decir <button"));
        let rel = [RelatedView {
            id: "r".into(),
            date: "2014-05-07".into(),
            title: "<i>x</i>".into(),
            context: "Geneva".into(),
            url: None,
        }];
        let html = u.related(&rel, false);
        assert!(
            html.starts_with("<ul class=\"chronicle-related-list\" hidden>")
        );
        assert!(
            html.contains("&lt;i&gt;x&lt;/i&gt;")
                && html.contains("Context: Geneva")
        );
        assert!(u.related(&[], true).contains("No related events."));
    }
}
