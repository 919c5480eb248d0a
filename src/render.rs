//! Search hits → a view model: plain data (text spans with highlight
//! flags, safe links, dates) that the CLI prints, the wasm API returns to
//! JavaScript and `wasm/dom.rs` turns into DOM nodes. Pure: no DOM here.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::event::format_date;
use crate::query::{SearchResult, Searcher};
use crate::text;

/// A run of text, highlighted or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// The text, exactly as in the event.
    pub text: String,
    /// Whether it matched the query.
    pub mark: bool,
}

/// A cited source, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceView {
    /// The outlet.
    pub name: String,
    /// The URL as stored (may be `null`, or not a web address).
    pub url: Option<String>,
    /// The URL when it is safe to link to (http or https), else `null`.
    pub href: Option<String>,
}

/// A related event, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedView {
    /// Event id.
    pub id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Headline.
    pub title: String,
    /// The context it shares with the hit.
    pub context: String,
    /// The event's page.
    pub url: Option<String>,
}

/// One hit, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitView {
    /// Event id.
    pub id: String,
    /// The document number in this index (for `related`).
    pub doc: u32,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The headline.
    pub title: String,
    /// The headline split into highlighted and plain runs.
    pub title_spans: Vec<Span>,
    /// Category.
    pub category: Option<String>,
    /// Sources.
    pub sources: Vec<SourceView>,
    /// Contexts.
    pub contexts: Vec<String>,
    /// The event's page.
    pub url: Option<String>,
    /// Start of the body text with highlights, when the event has one.
    pub excerpt: Option<Vec<Span>>,
    /// Relevance score.
    pub score: f32,
    /// Related events (filled only when asked for).
    pub related: Vec<RelatedView>,
}

/// Whether `url` may be used as a link: http or https only, so stored
/// `javascript:` or `data:` addresses are never clickable.
pub fn safe_href(url: &str) -> Option<String> {
    let t = url.trim();
    let web = [&b"http://"[..], b"https://"].iter().any(|p| {
        t.as_bytes().get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p))
    });
    web.then(|| t.to_owned())
}

/// The link to an event's page, from its `url` and the site's `base`
/// (`data-base-url`), or `None` when it must not be a link.
///
/// * An absolute `url` is used as it is, and only when it is http(s).
/// * A relative one is joined to `base` with exactly one slash between
///   them (`/` + `/news/x` → `/news/x`; `https://example.org/archive/` +
///   `news/x` → `https://example.org/archive/news/x`; `./` + `news/x` →
///   `./news/x`, relative to the page), so it stays on the base's host
///   whatever the event data holds (`//host`, `@host`, `.host`). Without
///   a base it is not a link: where the archive's pages live is the
///   site's to say (`chronicle build --site` says `./`).
/// * A URL holding a tab, a newline or a backslash is not a link:
///   browsers drop the first two and read the last as a slash, so they
///   could smuggle in a scheme or a host.
pub fn event_href(base: Option<&str>, url: &str) -> Option<String> {
    // (Other control characters a browser would strip stay, and only
    // ever end up after the base's slash.)
    let url = url.trim();
    if url.is_empty()
        || url.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r' | b'\\'))
    {
        return None;
    }
    if has_scheme(url) {
        return safe_href(url);
    }
    let base = base.map(str::trim).filter(|b| !b.is_empty())?;
    let mut joined = base.trim_end_matches('/').to_owned();
    joined.push('/');
    joined.push_str(url.trim_start_matches('/'));
    if has_scheme(&joined) {
        safe_href(&joined)
    } else {
        Some(joined)
    }
}

/// Whether `url` starts with a scheme (`https:`, `javascript:`), the way
/// a browser reads it: a letter, then letters, digits, `+`, `-` or `.`,
/// then a colon.
fn has_scheme(url: &str) -> bool {
    let b = url.as_bytes();
    let end = b
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || b"+-.".contains(&c)))
        .unwrap_or(b.len());
    b.first().is_some_and(u8::is_ascii_alphabetic) && b.get(end) == Some(&b':')
}

/// Text escaped for HTML, as text or as a quoted attribute value (the
/// one escaper: the widget's markup and the offline page's): `&`,
/// `<`, `>`, `"` and `'` as character references, so event text can
/// never open a tag or leave an attribute. (A carriage return is kept as
/// a reference, which the parser does not fold into a line feed; NUL,
/// which it would drop, becomes U+FFFD.)
pub struct Esc<'a>(pub &'a str);

impl std::fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.0;
        let mut at = 0;
        for (i, b) in text.bytes().enumerate() {
            let rep = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                b'\r' => "&#13;",
                0 => "\u{fffd}",
                _ => continue,
            };
            f.write_str(text.get(at..i).unwrap_or_default())?;
            f.write_str(rep)?;
            at = i + 1;
        }
        f.write_str(text.get(at..).unwrap_or_default())
    }
}

/// Splits `text` into runs, marking the words whose term is matched.
pub fn highlight(text: &str, is_match: impl Fn(&str) -> bool) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    let mut push = |s: &str, mark: bool| {
        if s.is_empty() {
            return;
        }
        match spans.last_mut() {
            Some(last) if last.mark == mark => last.text.push_str(s),
            _ => spans.push(Span { text: s.to_owned(), mark }),
        }
    };
    let mut at = 0;
    for t in text::tokenize(text) {
        if is_match(&t.term) {
            push(text.get(at..t.start).unwrap_or_default(), false);
            push(text.get(t.start..t.end).unwrap_or_default(), true);
            at = t.end;
        }
    }
    push(text.get(at..).unwrap_or_default(), false);
    spans
}

/// Most characters of body text shown as an excerpt.
const EXCERPT_CHARS: usize = 240;

/// Builds the views of `result.hits`, with up to `related` related events
/// each.
pub fn hits<D: AsRef<[u8]>>(
    searcher: &Searcher<D>,
    result: &SearchResult,
    related: usize,
) -> Result<Vec<HitView>> {
    let ix = searcher.index();
    let mut docs = Vec::with_capacity(result.hits.len());
    for h in &result.hits {
        docs.push(h.doc);
    }
    // Over a split index, the chunks of the hits and of every hit's
    // related events are asked for before a missing one fails the read,
    // so a page of hits with their related events takes as few rounds
    // as one hit.
    let mut rels = Vec::with_capacity(docs.len());
    let mut missing = false;
    for &doc in docs.iter().filter(|_| related > 0) {
        match related_views(searcher, doc, related) {
            Err(Error::NotLoaded) => missing = true,
            r => rels.push(r?),
        }
    }
    let stored = ix.stored(&docs)?;
    if missing {
        return Err(Error::NotLoaded);
    }
    let mut rels = rels.into_iter();
    // Matched terms came from loaded lexicon shards, so a word whose
    // shard is not loaded is no match (and loads nothing). Only words
    // that start like a matched term are looked up.
    let mut first = [false; 256];
    for o in result.matched.iter() {
        if let Some(r) = ix.first_bytes(o) {
            first[usize::from(*r.start())..=usize::from(*r.end())].fill(true);
        }
    }
    let is_match = |term: &str| {
        term.as_bytes().first().is_some_and(|&b| first[usize::from(b)])
            && ix
                .loaded_term_ordinal(term)
                .is_some_and(|o| result.matched.contains(o))
    };
    let mut out = Vec::with_capacity(docs.len());
    for (hit, doc) in result.hits.iter().zip(stored) {
        let sources = doc
            .sources
            .into_iter()
            .map(|(name, url)| SourceView {
                name,
                href: url.as_deref().and_then(safe_href),
                url,
            })
            .collect();
        let excerpt = doc.body.as_deref().map(|b| {
            let cut: String = b.chars().take(EXCERPT_CHARS).collect();
            let mut spans = highlight(&cut, is_match);
            if cut.len() < b.len() {
                spans.push(Span { text: "…".into(), mark: false });
            }
            spans
        });
        let related = rels.next().unwrap_or_default();
        out.push(HitView {
            id: doc.id,
            doc: hit.doc,
            date: format_date(ix.day(hit.doc)),
            title_spans: highlight(&doc.title, is_match),
            title: doc.title,
            category: doc.category,
            sources,
            contexts: doc.contexts,
            url: doc.url,
            excerpt,
            score: hit.score,
            related,
        });
    }
    Ok(out)
}

/// The related events of `doc`, ready to show.
pub fn related_views<D: AsRef<[u8]>>(
    searcher: &Searcher<D>,
    doc: u32,
    limit: usize,
) -> Result<Vec<RelatedView>> {
    let ix = searcher.index();
    let rel = searcher.related(doc, limit)?;
    let mut docs = Vec::with_capacity(rel.len());
    for r in &rel {
        docs.push(r.doc);
    }
    let stored = ix.stored(&docs)?;
    Ok(rel
        .into_iter()
        .zip(stored)
        .map(|(r, s)| RelatedView {
            id: s.id,
            date: format_date(ix.day(r.doc)),
            title: s.title,
            context: r.context,
            url: s.url,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_whole_words_and_keeps_the_text() {
        let spans = highlight("Lavrov's talks in Zürich.", |t| {
            t == "lavrov" || t == "zurich"
        });
        let text: String = spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(text, "Lavrov's talks in Zürich.");
        let marked: Vec<&str> =
            spans.iter().filter(|s| s.mark).map(|s| s.text.as_str()).collect();
        assert_eq!(marked, ["Lavrov's", "Zürich"]);
    }

    #[test]
    fn only_web_links_are_links() {
        assert!(safe_href("https://bbc.co.uk/x").is_some());
        assert_eq!(
            Esc("<a href=\"x\" title='y'>&\r\0</a>").to_string(),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#13;\u{fffd}\
             &lt;/a&gt;"
        );
        let cases: [(Option<&str>, &str, Option<&str>); 20] = [
            (Some("/"), "/news/x", Some("/news/x")),
            (Some("/"), "news/x", Some("/news/x")),
            (
                Some("https://example.org/archive/"),
                "news/x",
                Some("https://example.org/archive/news/x"),
            ),
            (
                Some("https://example.org/archive"),
                "/news/x",
                Some("https://example.org/archive/news/x"),
            ),
            (
                Some("https://example.org"),
                "//evil.com/x",
                Some("https://example.org/evil.com/x"),
            ),
            (
                Some("https://example.org"),
                "@evil.com",
                Some("https://example.org/@evil.com"),
            ),
            (
                Some("https://example.org"),
                ".evil.com",
                Some("https://example.org/.evil.com"),
            ),
            (Some("/"), "\\evil.com", None),
            (Some("/"), "/\t/evil.com", None),
            (
                Some("https://a.org/"),
                "https://b.org/x",
                Some("https://b.org/x"),
            ),
            (Some("https://a.org/"), "javascript:alert(1)", None),
            (Some("https://a.org/"), " JavaScript:alert(1)", None),
            (Some("javascript:alert(1)//"), "x", None),
            (Some("./"), "news/x.html", Some("./news/x.html")),
            (Some("./"), "/news/x.html", Some("./news/x.html")),
            (None, "news/x.html", None),
            (None, "https://example.org/x", Some("https://example.org/x")),
            (None, "data:text/html,x", None),
            (None, "java\nscript:alert(1)", None),
            (Some("./"), "  ", None),
        ];
        for (base, url, want) in cases {
            assert_eq!(
                event_href(base, url).as_deref(),
                want,
                "{base:?} + {url:?}"
            );
        }
        assert!(safe_href(" HTTP://x").is_some());
        for bad in
            ["javascript:alert(1)", "data:text/html,x", "//x", "ftp://x", ""]
        {
            assert_eq!(safe_href(bad), None, "{bad}");
        }
    }
}
