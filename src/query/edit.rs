//! Edits to a query's text: the filters a widget adds and takes out
//! when a reader clicks a facet, a chip or a year. They go through the
//! query's own lexer, so a filter is found however it was typed
//! (`category:sports`, `Category:"Sports"`) and words are left as typed.

use std::ops::Range;

use super::parse::{lex_spans, parse_day, Lexeme};
use crate::text;

/// `key:value`, the value quoted when it holds a space or is empty (a
/// quote inside is dropped: the syntax has no escape).
pub fn filter_token(key: &str, value: &str) -> String {
    let value = value.replace('"', "");
    if value.is_empty() || value.contains(char::is_whitespace) {
        format!("{key}:\"{value}\"")
    } else {
        format!("{key}:{value}")
    }
}

/// A filter's value as the query reads it, to tell two spellings of one
/// filter apart from two filters.
fn canonical(key: &str, value: &str) -> String {
    match key {
        "from" | "to" => parse_day(value.trim(), key == "to")
            .map_or_else(String::new, |d| d.to_string()),
        _ => text::normalize_phrase(value),
    }
}

/// The filters in `text`: key, canonical value, and where it is.
fn filters_of(text: &str) -> Vec<(String, String, Range<usize>)> {
    let mut out = Vec::new();
    for (l, at) in lex_spans(text) {
        if let Lexeme::Filter { key, value } = l {
            let c = canonical(&key, &value);
            out.push((key, c, at));
        }
    }
    out
}

/// `query` with the filters of `token` (one or more, e.g.
/// `category:"Armed conflicts"` or `from:2014 to:2014`) toggled: when
/// every one is in the query already, they are taken out; otherwise they
/// are added as `token` writes them, in place of any `from:` or `to:`
/// there (a query has one date range). The rest of the query is kept;
/// the result ends with a space, so its last word reads as complete (not
/// a prefix), unless it is empty.
pub fn toggle_filters(query: &str, token: &str) -> String {
    let wanted = filters_of(token);
    let have = filters_of(query);
    let all_there = !wanted.is_empty()
        && wanted
            .iter()
            .all(|w| have.iter().any(|h| h.0 == w.0 && h.1 == w.1));
    // The query's words as typed, without the filters dropped.
    let mut out = String::new();
    let mut at = 0;
    for (key, value, span) in &have {
        let drop = wanted.iter().any(|w| {
            w.0 == *key
                && (w.1 == *value
                    || (!all_there && matches!(&key[..], "from" | "to")))
        });
        if drop {
            words(&mut out, query.get(at..span.start).unwrap_or_default());
            at = span.end;
        }
    }
    words(&mut out, query.get(at..).unwrap_or_default());
    if !all_there {
        for (_, _, span) in &wanted {
            words(&mut out, token.get(span.clone()).unwrap_or_default());
        }
    }
    out
}

/// Appends the words of `text`, each followed by a space.
fn words(out: &mut String, text: &str) {
    for w in text.split_whitespace() {
        out.push_str(w);
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    #[test]
    fn tokens_quote_what_needs_it() {
        assert_eq!(filter_token("category", "Sports"), "category:Sports");
        assert_eq!(
            filter_token("about", "Sergey \"The\" Lavrov"),
            "about:\"Sergey The Lavrov\""
        );
        assert_eq!(filter_token("source", ""), "source:\"\"");
        // What a token says is what the query reads.
        let q = parse(&filter_token("about", "Armed conflicts and attacks"));
        assert_eq!(q.filters.about, vec!["armed conflicts and attacks"]);
    }

    #[test]
    fn adding_and_taking_out() {
        let q = toggle_filters("lavrov gen", "category:\"Armed conflicts\"");
        assert_eq!(q, "lavrov gen category:\"Armed conflicts\" ");
        assert_eq!(
            toggle_filters(&q, "category:\"Armed conflicts\""),
            "lavrov gen "
        );
        // However it was typed.
        assert_eq!(
            toggle_filters(
                "a Category:\"armed  CONFLICTS\" b",
                "category:\"Armed conflicts\""
            ),
            "a b "
        );
        assert_eq!(toggle_filters("", "category:x"), "category:x ");
        assert_eq!(toggle_filters("category:x", "category:x"), "");
    }

    #[test]
    fn words_that_look_like_the_filter_stay() {
        // String surgery would cut the word or the phrase.
        assert_eq!(
            toggle_filters(
                "\"category:sports\" sportscategory:sports x",
                "category:sports"
            ),
            "\"category:sports\" sportscategory:sports x category:sports "
        );
        assert_eq!(
            toggle_filters("about:gaza about:\"gaza strip\"", "about:gaza"),
            "about:\"gaza strip\" "
        );
    }

    #[test]
    fn one_date_range() {
        assert_eq!(
            toggle_filters("quake from:2010 to:2011", "from:2014 to:2014"),
            "quake from:2014 to:2014 "
        );
        assert_eq!(
            toggle_filters("quake from:2014-01 to:2014 ", "from:2014 to:2014"),
            "quake "
        );
        // A month inside the year replaces the year.
        assert_eq!(
            toggle_filters("from:2014 to:2014", "from:2014-03 to:2014-03"),
            "from:2014-03 to:2014-03 "
        );
    }

    #[test]
    fn odd_input_never_panics() {
        for q in ["\"", "-", "from:", "é:é", "a\u{0}b", "to:\"", "\"\"x:"] {
            for t in ["from:2014 to:2014", "about:\"\"", "x", ""] {
                let out = toggle_filters(q, t);
                assert!(out.is_empty() || out.ends_with(' '));
            }
        }
    }
}
