//! Events → index: parse JSONL, order documents newest first, collect
//! terms and facets, compute stem classes, and hand the parts to the
//! format writer.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::BufRead;

use crate::error::{Error, Result};
use crate::event::{parse_date, Event};
use crate::format::{
    encode, DocInput, FacetInput, IndexParts, PostingInput, TermInput,
    MAX_POSITIONS, NO_CLASS,
};
use crate::text;

/// A fast, non-cryptographic hasher for the builder's own maps (keys are
/// terms and names from the input; nothing here needs DoS resistance,
/// and SipHash was a tenth of the build time). FxHash's mixing step.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w)
            .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Where an event came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The input file (`-` for standard input).
    pub file: String,
    /// The 1-based line number.
    pub line: u64,
}

/// What [`read_jsonl`] does with an invalid record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnInvalid {
    /// Stop with an error naming file and line.
    Fail,
    /// Skip the record and count it.
    Skip,
}

/// Reads events from JSON Lines, appending them to `out` with their
/// origins. Blank lines are ignored. Returns the number of records
/// skipped (always 0 with [`OnInvalid::Fail`]).
pub fn read_jsonl(
    input: impl BufRead,
    file: &str,
    on_invalid: OnInvalid,
    out: &mut Vec<(Event, Origin)>,
) -> Result<u64> {
    let mut skipped = 0;
    for (i, line) in input.lines().enumerate() {
        let line_no = i as u64 + 1;
        let err = |detail: String| Error::InvalidRecord {
            file: file.to_owned(),
            line: line_no,
            detail,
        };
        let line = line.map_err(|e| err(format!("cannot read: {e}")))?;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        match parse_record(trimmed) {
            Ok(ev) => {
                out.push((ev, Origin { file: file.into(), line: line_no }))
            }
            Err(detail) if on_invalid == OnInvalid::Skip => {
                let _ = detail;
                skipped += 1;
            }
            Err(detail) => return Err(err(detail)),
        }
    }
    Ok(skipped)
}

/// Parses and checks one JSON record.
pub fn parse_record(line: &str) -> std::result::Result<Event, String> {
    // The common case, straight into an event; anything odd goes through
    // the slow path below, which says exactly what is wrong.
    if let Ok(ev) = serde_json::from_str::<Event>(line) {
        let blank = |s: &str| s.trim().is_empty();
        if !blank(&ev.id)
            && !blank(&ev.title)
            && parse_date(&ev.date).is_some()
        {
            return Ok(ev);
        }
    }
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| format!("malformed JSON: {}", strip_position(&e)))?;
    let obj = value
        .as_object()
        .ok_or_else(|| "a record must be a JSON object".to_owned())?;
    for key in ["id", "date", "title"] {
        match obj.get(key) {
            None | Some(serde_json::Value::Null) => {
                return Err(format!("missing required field `{key}`"))
            }
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => {
                return Err(format!("field `{key}` is empty"))
            }
            Some(serde_json::Value::String(_)) => {}
            Some(_) => return Err(format!("field `{key}` must be a string")),
        }
    }
    let ev: Event = serde_json::from_value(value)
        .map_err(|e| format!("bad field: {}", strip_position(&e)))?;
    if parse_date(&ev.date).is_none() {
        return Err(format!(
            "invalid date {:?} (expected YYYY-MM-DD)",
            ev.date
        ));
    }
    Ok(ev)
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// Builds index bytes from events (any order). Ids must be unique; the
/// error for a duplicate names both places it occurs.
pub fn build(events: Vec<(Event, Origin)>) -> Result<Vec<u8>> {
    encode(&build_parts(events)?)
}

/// Builds the parts of an index from events (any order).
pub fn build_parts(mut events: Vec<(Event, Origin)>) -> Result<IndexParts> {
    let mut seen: Map<&str, &Origin> =
        Map::with_capacity_and_hasher(events.len(), Default::default());
    for (ev, origin) in &events {
        if let Some(first) = seen.insert(ev.id.as_str(), origin) {
            return Err(Error::InvalidRecord {
                file: origin.file.clone(),
                line: origin.line,
                detail: format!(
                    "duplicate id `{}` (first at {}:{})",
                    ev.id, first.file, first.line
                ),
            });
        }
    }
    drop(seen);
    let mut keyed: Vec<(i32, Event)> = Vec::with_capacity(events.len());
    for (ev, origin) in events.drain(..) {
        let day =
            parse_date(&ev.date).ok_or_else(|| Error::InvalidRecord {
                file: origin.file.clone(),
                line: origin.line,
                detail: format!(
                    "invalid date {:?} (expected YYYY-MM-DD)",
                    ev.date
                ),
            })?;
        keyed.push((day, ev));
    }
    // Newest first; a stable sort keeps input order within a day.
    keyed.sort_by_key(|k| std::cmp::Reverse(k.0));
    for (_, ev) in &mut keyed {
        tidy(ev);
    }

    let categories = Dictionary::collect(keyed.iter().map(|(_, e)| {
        e.category.iter().map(String::as_str).collect::<Vec<_>>()
    }));
    let sources = Dictionary::collect(keyed.iter().map(|(_, e)| {
        e.sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()
    }));
    let contexts = Dictionary::collect(keyed.iter().map(|(_, e)| {
        e.contexts.iter().map(String::as_str).collect::<Vec<_>>()
    }));

    let mut postings: Map<String, Vec<PostingInput>> = Map::default();
    let mut docs = Vec::with_capacity(keyed.len());
    let mut local: Map<String, PostingInput> = Map::default();
    // Consumes the events: their strings move into the documents.
    for (doc, (day, ev)) in keyed.into_iter().enumerate() {
        let doc = doc as u32;
        local.clear();
        // `ctx`: for a context-name term, the name's word count.
        let mut add = |term: String, f: usize, pos: Option<u32>, ctx: u8| {
            let p = local
                .entry(term)
                .or_insert(PostingInput { doc, ..PostingInput::default() });
            if let Some(pos) = pos {
                let k = p.tf[0] as usize;
                if k < MAX_POSITIONS {
                    p.positions[k] = u16::try_from(pos).unwrap_or(u16::MAX);
                }
            }
            p.tf[f] = p.tf[f].saturating_add(1);
            if ctx > 0 {
                p.ctx_words = match p.ctx_words {
                    0 => ctx,
                    w => w.min(ctx),
                };
            }
        };
        let mut lengths = [0u32; 3];
        for t in text::tokenize(&ev.title) {
            add(t.term, 0, Some(t.position), 0);
            lengths[0] += 1;
        }
        for c in &ev.contexts {
            let terms = text::terms(c);
            let words = u8::try_from(terms.len()).unwrap_or(u8::MAX);
            for t in terms {
                add(t, 1, None, words.max(1));
                lengths[1] += 1;
            }
        }
        for s in &ev.sources {
            for t in text::terms(&s.name) {
                add(t, 2, None, 0);
            }
        }
        if let Some(c) = &ev.category {
            for t in text::terms(c) {
                add(t, 3, None, 0);
            }
        }
        if let Some(b) = &ev.body {
            for t in text::terms(b) {
                add(t, 4, None, 0);
                lengths[2] += 1;
            }
        }
        for (term, p) in local.drain() {
            postings.entry(term).or_default().push(p);
        }
        let title = match ev.title.trim() {
            t if t.len() == ev.title.len() => ev.title,
            t => t.to_owned(),
        };
        docs.push(DocInput {
            day,
            lengths,
            category: ev.category.as_deref().map(|c| categories.id(c)),
            sources: ev
                .sources
                .into_iter()
                .map(|s| (sources.id(&s.name), s.url))
                .collect(),
            contexts: dedup_ids(ev.contexts.iter().map(|c| contexts.id(c))),
            id: ev.id,
            title,
            url: ev.url,
            body: ev.body,
        });
    }

    let mut terms: Vec<TermInput> = postings
        .into_iter()
        .map(|(term, postings)| TermInput { term, class: NO_CLASS, postings })
        .collect();
    terms.sort_unstable_by(|a, b| a.term.cmp(&b.term));
    let classes = stem_classes(&mut terms);

    Ok(IndexParts {
        terms,
        classes,
        docs,
        categories: categories.finish(),
        sources: sources.finish(),
        contexts: contexts.finish(),
    })
}

/// Trims names and drops blank categories and contexts, so every facet
/// value the dictionaries see is one a reader can show.
fn tidy(ev: &mut Event) {
    ev.category = ev
        .category
        .take()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    ev.contexts.retain(|c| !c.trim().is_empty());
    for c in &mut ev.contexts {
        *c = c.trim().to_owned();
    }
    for s in &mut ev.sources {
        s.name = s.name.trim().to_owned();
    }
}

fn dedup_ids(ids: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Groups terms that share a Snowball English stem; only groups of two or
/// more become classes. Sets each member's class and returns the classes.
fn stem_classes(terms: &mut [TermInput]) -> Vec<Vec<u32>> {
    let stemmer =
        rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let mut by_stem: Map<String, Vec<u32>> = Map::default();
    for (ord, t) in terms.iter().enumerate() {
        // Numbers and very short words have no useful stem.
        if t.term.len() < 3 || !t.term.chars().all(char::is_alphabetic) {
            continue;
        }
        let stem = stemmer.stem(&t.term).into_owned();
        by_stem.entry(stem).or_default().push(ord as u32);
    }
    let mut classes: Vec<Vec<u32>> =
        by_stem.into_values().filter(|m| m.len() > 1).collect();
    classes.sort_unstable();
    for (c, members) in classes.iter().enumerate() {
        for &m in members {
            terms[m as usize].class = c as u32;
        }
    }
    classes
}

/// A facet dictionary under construction: ids by decreasing frequency, so
/// common values get short varints.
struct Dictionary {
    ids: Map<String, u32>,
    names: Vec<String>,
    docs: Vec<Vec<u32>>,
}

impl Dictionary {
    fn collect<'a>(per_doc: impl Iterator<Item = Vec<&'a str>>) -> Self {
        let mut docs_of: Map<&str, Vec<u32>> = Map::default();
        for (doc, values) in per_doc.enumerate() {
            for v in values {
                let list = docs_of.entry(v).or_default();
                if list.last() != Some(&(doc as u32)) {
                    list.push(doc as u32);
                }
            }
        }
        let mut entries: Vec<(&str, Vec<u32>)> = docs_of.into_iter().collect();
        entries.sort_unstable_by(|a, b| {
            b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(b.0))
        });
        let mut d = Dictionary {
            ids: Map::with_capacity_and_hasher(
                entries.len(),
                Default::default(),
            ),
            names: Vec::with_capacity(entries.len()),
            docs: Vec::with_capacity(entries.len()),
        };
        for (i, (name, list)) in entries.into_iter().enumerate() {
            d.ids.insert(name.to_owned(), i as u32);
            d.names.push(name.to_owned());
            d.docs.push(list);
        }
        d
    }

    /// The id of a value seen by `collect` (every value of every
    /// document was, so the fallback is never taken).
    fn id(&self, name: &str) -> u32 {
        self.ids.get(name).copied().unwrap_or(0)
    }

    fn finish(self) -> FacetInput {
        FacetInput { names: self.names, docs: self.docs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_errors_are_precise() {
        let cases = [
            ("{", "malformed JSON: EOF while parsing an object"),
            ("[1]", "a record must be a JSON object"),
            (
                r#"{"date":"2014-05-06","title":"t"}"#,
                "missing required field `id`",
            ),
            (r#"{"id":"a","title":"t"}"#, "missing required field `date`"),
            (
                r#"{"id":"a","date":"2014-05-06"}"#,
                "missing required field `title`",
            ),
            (
                r#"{"id":"a","date":"2014-05-06","title":" "}"#,
                "field `title` is empty",
            ),
            (
                r#"{"id":7,"date":"2014-05-06","title":"t"}"#,
                "field `id` must be a string",
            ),
            (
                r#"{"id":"a","date":"2014-5-6","title":"t"}"#,
                "invalid date \"2014-5-6\" (expected YYYY-MM-DD)",
            ),
            (
                r#"{"id":"a","date":"2014-05-06","title":"t","sources":3}"#,
                "bad field: invalid type: integer `3`, expected a sequence",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(parse_record(line).unwrap_err(), want, "{line}");
        }
    }

    #[test]
    fn null_source_urls_are_valid() {
        let ev = parse_record(
            r#"{"id":"a","date":"2020-01-01","title":"t",
               "sources":[{"name":"BBC","url":null}]}"#,
        )
        .unwrap();
        assert_eq!(ev.sources[0].url, None);
    }
}
