//! Query string → [`Query`]. Never fails: malformed syntax is read as
//! leniently as possible.
//!
//! Syntax: words (all must match), `"exact phrase"`, `-word` (exclude),
//! `a OR b`, and the filters `from:` / `to:` (`2014`, `2014-05`,
//! `2014-05-06`), `category:`, `source:`, `about:` (a context), each with
//! a bare or a `"quoted value"`. The last word is also a prefix unless the
//! query ends with a space.

use crate::event::{days_from_civil, days_in_month, Day};
use crate::text;
use std::ops::Range;

/// Most words (and phrase words) a query keeps; the rest are ignored.
pub const MAX_WORDS: usize = 16;
/// Most bytes of query text looked at; the rest is ignored.
pub const MAX_QUERY_BYTES: usize = 1024;

/// One thing a document must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A word; `prefix` when it is the word being typed.
    Word {
        /// The normalised term.
        term: String,
        /// Also match terms that start with it.
        prefix: bool,
    },
    /// Consecutive words.
    Phrase(Vec<String>),
}

/// The filters of a query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Earliest day, inclusive.
    pub from: Option<Day>,
    /// Latest day, inclusive.
    pub to: Option<Day>,
    /// Category names (normalised); any may match.
    pub categories: Vec<String>,
    /// Source-outlet names (normalised); any may match.
    pub sources: Vec<String>,
    /// Context names (normalised); all must match.
    pub about: Vec<String>,
}

impl Filters {
    /// Whether any filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// All groups must match; a group matches when any of its clauses
    /// does (`a OR b`).
    pub groups: Vec<Vec<Clause>>,
    /// Terms no result may contain.
    pub exclude: Vec<String>,
    /// Filters.
    pub filters: Filters,
}

impl Query {
    /// Whether the query has neither words nor filters.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.filters.is_empty()
    }
}

#[derive(Debug, PartialEq)]
pub(super) enum Lexeme {
    Word { text: String, negated: bool, or: bool },
    Quoted { text: String, negated: bool },
    Filter { key: String, value: String },
}

fn lex(input: &str) -> Vec<Lexeme> {
    lex_spans(input).into_iter().map(|(l, _)| l).collect()
}

/// The lexemes of `input`, each with the byte range it came from.
pub(super) fn lex_spans(input: &str) -> Vec<(Lexeme, Range<usize>)> {
    let chars: Vec<char> = input.chars().collect();
    // The byte offset of each char, and of the end.
    let byte: Vec<usize> =
        input.char_indices().map(|(b, _)| b).chain([input.len()]).collect();
    let mut i = 0;
    let mut out = Vec::new();
    let mut spans = Vec::new();
    let mut at = 0;
    loop {
        // The lexeme the last round pushed spans from `at` to `i`.
        if spans.len() < out.len() {
            spans.push(byte[at]..byte[i]);
        }
        if i >= chars.len() {
            break;
        }
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        at = i;
        let negated = chars[i] == '-'
            && chars.get(i + 1).is_some_and(|c| !c.is_whitespace());
        if negated {
            i += 1;
        }
        if chars[i] == '"' {
            let (text, next) = quoted(&chars, i);
            out.push(Lexeme::Quoted { text, negated });
            i = next;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
            if chars[i] == ':' {
                break;
            }
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        if i < chars.len() && chars[i] == ':' && !negated {
            let key = word.to_ascii_lowercase();
            if matches!(
                key.as_str(),
                "from" | "to" | "category" | "source" | "about"
            ) {
                i += 1;
                let value = if chars.get(i) == Some(&'"') {
                    let (v, next) = quoted(&chars, i);
                    i = next;
                    v
                } else {
                    let s = i;
                    while i < chars.len() && !chars[i].is_whitespace() {
                        i += 1;
                    }
                    chars[s..i].iter().collect()
                };
                out.push(Lexeme::Filter { key, value });
                continue;
            }
        }
        // Not a filter: the rest of the token (after a stray ':') is text.
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
            i += 1;
        }
        let text: String = chars[start..i].iter().collect();
        out.push(Lexeme::Word { or: text == "OR" && !negated, text, negated });
    }
    out.into_iter().zip(spans).collect()
}

/// Reads a quoted string starting at the quote `chars[at]`; an unclosed
/// quote runs to the end.
fn quoted(chars: &[char], at: usize) -> (String, usize) {
    let mut j = at + 1;
    while j < chars.len() && chars[j] != '"' {
        j += 1;
    }
    let text = chars[at + 1..j.min(chars.len())].iter().collect();
    (text, (j + 1).min(chars.len()))
}

/// Parses a date filter value. `end` picks the last day of a year or
/// month instead of the first.
pub fn parse_day(value: &str, end: bool) -> Option<Day> {
    let parts: Vec<&str> = value.split('-').collect();
    let num = |s: &str, len: usize| -> Option<i32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = match parts.as_slice() {
        [y] => {
            let y = num(y, 4)?;
            if end {
                (y, 12, 31)
            } else {
                (y, 1, 1)
            }
        }
        [y, m] => {
            let (y, m) = (num(y, 4)?, num(m, 2)?);
            if !(1..=12).contains(&m) {
                return None;
            }
            (y, m, if end { days_in_month(y, m) } else { 1 })
        }
        [y, m, d] => {
            let (y, m, d) = (num(y, 4)?, num(m, 2)?, num(d, 2)?);
            if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
                return None;
            }
            (y, m, d)
        }
        _ => return None,
    };
    Some(days_from_civil(y, m, d))
}

/// Parses a query string. Never fails.
pub fn parse(input: &str) -> Query {
    let mut cut = input.len().min(MAX_QUERY_BYTES);
    while !input.is_char_boundary(cut) {
        cut -= 1;
    }
    let input = input.get(..cut).unwrap_or_default();
    let typing = !input.ends_with(char::is_whitespace);
    let lexemes = lex(input);
    let mut q = Query::default();
    let mut words = 0usize;
    let mut join_next = false;
    let last_word_lexeme = lexemes.iter().rposition(|l| {
        matches!(l, Lexeme::Word { or: false, negated: false, .. })
    });
    let is_last_lexeme = |i: usize| i + 1 == lexemes.len();

    for (i, lx) in lexemes.iter().enumerate() {
        match lx {
            Lexeme::Filter { key, value } => {
                if !apply_filter(&mut q.filters, key, value) {
                    // Lenient: a filter we cannot read is searched as words.
                    let text = format!("{key} {value}");
                    for t in text::terms(&text) {
                        if words < MAX_WORDS {
                            q.groups.push(vec![Clause::Word {
                                term: t,
                                prefix: false,
                            }]);
                            words += 1;
                        }
                    }
                }
            }
            Lexeme::Word { or: true, .. } => {
                join_next = !q.groups.is_empty();
            }
            Lexeme::Word { text, negated: true, .. }
            | Lexeme::Quoted { text, negated: true } => {
                q.exclude.extend(text::terms(text));
                join_next = false;
            }
            Lexeme::Word { text, .. } => {
                let terms = text::terms(text);
                let n = terms.len();
                for (k, term) in terms.into_iter().enumerate() {
                    if words >= MAX_WORDS {
                        break;
                    }
                    let prefix = typing
                        && Some(i) == last_word_lexeme
                        && is_last_lexeme(i)
                        && k + 1 == n;
                    let clause = Clause::Word { term, prefix };
                    push_clause(&mut q.groups, clause, join_next && k == 0);
                    words += 1;
                }
                join_next = false;
            }
            Lexeme::Quoted { text, .. } => {
                let mut terms = text::terms(text);
                terms.truncate(MAX_WORDS.saturating_sub(words));
                words += terms.len();
                let clause = match terms.len() {
                    0 => None,
                    1 => Some(Clause::Word {
                        term: terms.remove(0),
                        prefix: false,
                    }),
                    _ => Some(Clause::Phrase(terms)),
                };
                if let Some(c) = clause {
                    push_clause(&mut q.groups, c, join_next);
                }
                join_next = false;
            }
        }
    }
    q.exclude.truncate(MAX_WORDS);
    q
}

fn push_clause(groups: &mut Vec<Vec<Clause>>, c: Clause, join: bool) {
    match groups.last_mut() {
        Some(g) if join => g.push(c),
        _ => groups.push(vec![c]),
    }
}

fn apply_filter(f: &mut Filters, key: &str, value: &str) -> bool {
    let norm = text::normalize_phrase(value);
    match key {
        "from" => {
            parse_day(value.trim(), false).map(|d| f.from = Some(d)).is_some()
        }
        "to" => {
            parse_day(value.trim(), true).map(|d| f.to = Some(d)).is_some()
        }
        _ if norm.is_empty() => false,
        "category" => {
            f.categories.push(norm);
            true
        }
        "source" => {
            f.sources.push(norm);
            true
        }
        "about" => {
            f.about.push(norm);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(t: &str, prefix: bool) -> Clause {
        Clause::Word { term: t.into(), prefix }
    }

    #[test]
    fn words_and_the_prefix() {
        let q = parse("Lavrov Genev");
        assert_eq!(
            q.groups,
            vec![vec![w("lavrov", false)], vec![w("genev", true)]]
        );
        let q = parse("lavrov geneva ");
        assert_eq!(q.groups[1], vec![w("geneva", false)]);
    }

    #[test]
    fn syntax_table() {
        let q = parse(r#""sergey lavrov" -ukraine talks OR negotiations "#);
        assert_eq!(
            q.groups,
            vec![
                vec![Clause::Phrase(vec!["sergey".into(), "lavrov".into()])],
                vec![w("talks", false), w("negotiations", false)],
            ]
        );
        assert_eq!(q.exclude, vec!["ukraine".to_string()]);
    }

    #[test]
    fn filters() {
        let q = parse(
            r#"from:2014-05 to:2016 category:sports source:BBC about:"Sergey Lavrov""#,
        );
        assert!(q.groups.is_empty());
        let f = &q.filters;
        assert_eq!(f.from, parse_day("2014-05-01", false));
        assert_eq!(f.to, parse_day("2016-12-31", false));
        assert_eq!(f.categories, vec!["sports".to_string()]);
        assert_eq!(f.sources, vec!["bbc".to_string()]);
        assert_eq!(f.about, vec!["sergey lavrov".to_string()]);
        assert_eq!(parse_day("2016-02", true), parse_day("2016-02-29", false));
    }

    #[test]
    fn malformed_syntax_is_lenient() {
        let q = parse(r#"from:banana "unclosed quote"#);
        assert_eq!(q.filters, Filters::default());
        assert_eq!(
            q.groups,
            vec![
                vec![w("from", false)],
                vec![w("banana", false)],
                vec![Clause::Phrase(vec!["unclosed".into(), "quote".into()])],
            ]
        );
        for s in [
            "\"",
            "-",
            "OR",
            "OR OR a",
            ":",
            "about:",
            "-\"",
            "a:b:c",
            "to:2014-13",
        ] {
            let _ = parse(s);
        }
        assert!(parse("OR").groups.is_empty());
        assert_eq!(parse("a:b").groups.len(), 2);
    }

    #[test]
    fn huge_queries_are_capped() {
        let q = parse(&"word ".repeat(2000));
        assert_eq!(q.groups.len(), MAX_WORDS);
        let q = parse(&"é".repeat(10_000));
        assert!(q.groups.len() <= 1);
    }
}
