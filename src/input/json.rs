//! JSON inputs: JSON Lines, a JSON array of records, and one JSON object
//! holding such an array.

use std::io::{self, BufRead};
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::record::{Converted, Shape};
use super::{
    line_at, Format, InputOptions, Part, Text, BATCH_BYTES, MAX_RECORD_BYTES,
    NOT_UTF8,
};
use crate::builder::Origin;
use crate::error::{Error, Result};
use crate::event::{parse_date, Event, Source};

/// Reads an input whose first non-space byte is `{` (or that is blank):
/// JSON Lines, unless its first line is not a whole JSON object and the
/// whole input is one (or it is a single line that is an object with
/// one field, an array of objects): then the records are that array.
pub(super) fn read_braced(
    body: &[u8],
    failed: Option<io::Error>,
    file: &str,
    opts: &InputOptions,
) -> Result<Part> {
    let mut lines = body
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let is_object = |l: &[u8]| {
        l.trim_ascii_start().starts_with(b"{")
            && serde_json::from_slice::<IgnoredAny>(l).is_ok()
    };
    let Some(first) = lines.next() else {
        return read_jsonl(body, failed, file, opts);
    };
    if failed.is_some() {
        return read_jsonl(body, failed, file, opts);
    }
    if is_object(first) {
        if lines.next().is_none() {
            // One line: a record, or an object holding the records.
            let text = Text::new(body);
            let fields = serde_json::from_str::<Fields>(&text.text);
            if let Ok(Fields(fields)) = fields {
                if let [(name, value)] = fields.as_slice() {
                    if is_records(value).is_some_and(|n| n > 0) {
                        return read_array(
                            &text,
                            value.get(),
                            file,
                            &field_why(name),
                            opts,
                        )
                        .map(|p| p.with_format(Format::JsonArray));
                    }
                }
            }
        }
        return read_jsonl(body, failed, file, opts);
    }
    let text = Text::new(body);
    let why = "one JSON object (its first line is not a whole record, so \
               not JSON Lines)";
    let err = |line: u64, detail: String| Error::InputRecord {
        file: file.to_owned(),
        line,
        read_as: why.into(),
        detail,
    };
    let fields = match serde_json::from_str::<Fields>(&text.text) {
        Ok(Fields(fields)) => fields,
        // The first line of JSON Lines may be the bad one.
        Err(_) if lines.next().is_some_and(is_object) => {
            return read_jsonl(body, failed, file, opts)
        }
        Err(e) => {
            let detail = format!("malformed JSON: {}", strip_position(&e));
            return Err(err(e.line() as u64, detail));
        }
    };
    let mut lists: Vec<(&str, &RawValue, usize)> = fields
        .iter()
        .filter_map(|(k, v)| is_records(v).map(|n| (k.as_str(), *v, n)))
        .collect();
    if lists.len() > 1 {
        lists.retain(|l| l.2 > 0);
    }
    let names = |list: &mut dyn Iterator<Item = &str>| {
        list.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    };
    match lists.as_slice() {
        [(name, value, _)] => {
            read_array(&text, value.get(), file, &field_why(name), opts)
                .map(|p| p.with_format(Format::JsonArray))
        }
        [] => Err(err(
            1,
            format!(
                "no field holds a list of records (JSON objects); its \
                 fields: {}",
                names(&mut fields.iter().map(|f| f.0.as_str()))
            ),
        )),
        several => Err(err(
            1,
            format!(
                "several fields hold lists of records ({}): give each list \
                 as an input of its own",
                names(&mut several.iter().map(|f| f.0))
            ),
        )),
    }
}

fn field_why(name: &str) -> String {
    format!(
        "a JSON array (field `{name}` of the one JSON object the input holds)"
    )
}

/// The number of records when `v` is an array of JSON objects.
fn is_records(v: &RawValue) -> Option<usize> {
    let items: Vec<&RawValue> = serde_json::from_str(v.get()).ok()?;
    items.iter().all(|i| i.get().starts_with('{')).then_some(items.len())
}

/// An object's fields in order, their values left unparsed.
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Fields<'a> {
    fn deserialize<D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Fields<'a>;
            fn expecting(
                &self,
                f: &mut std::fmt::Formatter<'_>,
            ) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Fields<'a>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// Reads the JSON array `json`, a slice of `text`, whose records are
/// numbered by their lines in `text`. `why` is how the input was read,
/// for errors.
pub(super) fn read_array(
    text: &Text,
    json: &str,
    file: &str,
    why: &str,
    opts: &InputOptions,
) -> Result<Part> {
    let all = text.text.as_bytes();
    // Both are slices of one string.
    let offset = |s: &str| s.as_ptr() as usize - all.as_ptr() as usize;
    let err = |line: u64, detail: String| Error::InputRecord {
        file: file.to_owned(),
        line,
        read_as: why.to_owned(),
        detail,
    };
    let items: Vec<&RawValue> = serde_json::from_str(json).map_err(|e| {
        let line = line_at(all, offset(json)) + e.line() as u64 - 1;
        err(line, format!("malformed JSON: {}", strip_position(&e)))
    })?;
    let mut at = 0;
    let mut line = 1;
    let mut records = Vec::with_capacity(items.len());
    for item in items {
        let start = offset(item.get());
        line += all[at..start].iter().filter(|&&b| b == b'\n').count() as u64;
        at = start;
        let bad = text.is_bad(start, start + item.get().len());
        records.push((line, item.get(), bad));
    }
    let shape = Shape::new(&opts.mapping, None, "FIELD");
    let fast = opts.mapping.is_empty();
    let parts = crate::par::map(records.chunks(1024), |chunk| {
        let mut part = Part::default();
        for &(line, json, bad) in chunk {
            let (outcome, unused) = if bad {
                (Err(NOT_UTF8.to_owned()), Vec::new())
            } else {
                record(json, &shape, fast)
            };
            let origin = Origin { file: file.to_owned(), line };
            part.take(outcome, unused, origin, opts.on_invalid, |o, d| {
                err(o.line, d)
            })?;
        }
        Ok(part)
    });
    Part::join(parts)
}

/// Whether a line is a whole JSON object: what the first line of JSON
/// Lines is.
pub(super) fn is_object_line(line: &[u8]) -> bool {
    let l = line.trim_ascii();
    l.starts_with(b"{") && serde_json::from_slice::<IgnoredAny>(l).is_ok()
}

/// Reads JSON Lines held whole: its whole lines, then the error of a read
/// that failed part way, at the line it cut short.
fn read_jsonl(
    body: &[u8],
    failed: Option<io::Error>,
    file: &str,
    opts: &InputOptions,
) -> Result<Part> {
    let body = match failed {
        // Only whole lines were read; a line cut short is not parsed.
        Some(_) => {
            let whole =
                body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            &body[..whole]
        }
        None => body,
    };
    let (part, next) = jsonl_lines(body, 1, file, opts)?;
    if let Some(e) = failed {
        return Err(cut_short(file, next, &e));
    }
    Ok(part.with_format(Format::Jsonl))
}

/// Reads JSON Lines from a stream, a batch of whole lines at a time (the
/// lines of each parsed on all cores), so the text in memory is one
/// batch whatever the input's size, and a line may be at most
/// [`MAX_RECORD_BYTES`]. `head` holds the first `lines` lines, read
/// already.
pub(super) fn read_jsonl_stream(
    head: Vec<u8>,
    lines: u64,
    mut input: Box<dyn BufRead + '_>,
    file: &str,
    opts: &InputOptions,
) -> Result<Part> {
    let mut part = Part::default();
    let mut batch = head;
    let mut first = 1;
    let mut next = 1 + lines;
    loop {
        let mut failed = None;
        let mut end = false;
        while batch.len() < BATCH_BYTES {
            let start = batch.len();
            match super::read_line(&mut input, &mut batch, MAX_RECORD_BYTES) {
                Ok(0) => {
                    end = true;
                    break;
                }
                Ok(_) => next += 1,
                Err(e) => {
                    batch.truncate(start);
                    failed = Some(e);
                    break;
                }
            }
        }
        part.append(jsonl_lines(&batch, first, file, opts)?.0);
        if let Some(e) = failed {
            if e.kind() == io::ErrorKind::InvalidData {
                return Err(Error::InvalidRecord {
                    file: file.to_owned(),
                    line: next,
                    detail: format!(
                        "a record longer than {} MiB (JSON Lines: one \
                         record a line)",
                        MAX_RECORD_BYTES >> 20
                    ),
                });
            }
            return Err(cut_short(file, next, &e));
        }
        if end {
            return Ok(part.with_format(Format::Jsonl));
        }
        batch.clear();
        first = next;
    }
}

/// The error of a read that failed at line `line`.
fn cut_short(file: &str, line: u64, e: &io::Error) -> Error {
    Error::InvalidRecord {
        file: file.to_owned(),
        line,
        detail: format!("cannot read: {e}"),
    }
}

/// Parses whole lines of JSON Lines, the first of them numbered `first`
/// (pieces of about 1 MB on all cores, errors as if read line by line),
/// with the field mapping, generated ids and unused fields of other
/// shapes. Returns the part and the number of the line after the last.
fn jsonl_lines(
    body: &[u8],
    first: u64,
    file: &str,
    opts: &InputOptions,
) -> Result<(Part, u64)> {
    let (pieces, next) = pieces(body);
    let shape = Shape::new(&opts.mapping, None, "FIELD");
    let fast = opts.mapping.is_empty();
    let parts = crate::par::map(pieces, |(at, piece)| {
        let mut part = Part::default();
        let piece = piece.strip_suffix(b"\n").unwrap_or(piece);
        for (i, line) in piece.split(|&b| b == b'\n').enumerate() {
            let origin = Origin {
                file: file.to_owned(),
                line: first - 1 + at + i as u64,
            };
            let line = if origin.line == 1 {
                line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line)
            } else {
                line
            };
            let (outcome, unused) = match std::str::from_utf8(line) {
                Ok(l) if l.trim().is_empty() => continue,
                Ok(l) => record(l.trim(), &shape, fast),
                Err(_) => (Err(NOT_UTF8.to_owned()), Vec::new()),
            };
            part.take(outcome, unused, origin, opts.on_invalid, |o, d| {
                Error::InvalidRecord { file: o.file, line: o.line, detail: d }
            })?;
        }
        Ok(part)
    });
    Ok((Part::join(parts)?, first - 1 + next))
}

/// Bytes of input per parsing task.
const PIECE_BYTES: usize = 1 << 20;

/// Cuts text into pieces of about [`PIECE_BYTES`], each after a newline,
/// with the number of its first line; and the number of the line after
/// the last.
fn pieces(text: &[u8]) -> (Vec<(u64, &[u8])>, u64) {
    let mut pieces: Vec<(u64, &[u8])> = Vec::new();
    let mut rest = text;
    let mut line = 1u64;
    while !rest.is_empty() {
        let cut = match rest.get(PIECE_BYTES..) {
            None => rest.len(),
            Some(after) => after
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |i| PIECE_BYTES + i + 1),
        };
        let (piece, tail) = rest.split_at(cut);
        pieces.push((line, piece));
        line += piece.iter().filter(|&&b| b == b'\n').count() as u64;
        rest = tail;
    }
    (pieces, line)
}

/// A serde_json error without its ` at line L column C`: the caller
/// says where.
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// A record in Chronicle's own shape and nothing else, for the fast
/// path: one pass of serde straight into an event.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Strict {
    id: String,
    date: String,
    title: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    sources: Vec<Source>,
    #[serde(default, deserialize_with = "null_as_empty")]
    contexts: Vec<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

fn null_as_empty<'de, D, T>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Reads one JSON record; returns it with its unused fields. `fast`
/// (no mapping): a record in Chronicle's own shape goes straight into an
/// event; anything else takes the general path, which says exactly what
/// is wrong.
fn record(json: &str, shape: &Shape, fast: bool) -> (Converted, Vec<String>) {
    let blank = |s: &str| s.trim().is_empty();
    if fast {
        if let Ok(s) = serde_json::from_str::<Strict>(json) {
            if !blank(&s.id)
                && !blank(&s.title)
                && parse_date(&s.date).is_some()
                && s.sources.iter().all(|s| !blank(&s.name))
            {
                let ev = Event {
                    id: s.id,
                    date: s.date,
                    title: s.title,
                    category: s.category,
                    sources: s.sources,
                    contexts: s.contexts,
                    url: s.url,
                    body: s.body,
                };
                return (Ok((ev, false)), Vec::new());
            }
        }
    }
    let rec: Map<String, Value> = match serde_json::from_str(json) {
        Ok(Value::Object(rec)) => rec,
        Ok(_) => {
            return (Err("a record must be a JSON object".into()), Vec::new())
        }
        Err(e) => {
            let detail = format!("malformed JSON: {}", strip_position(&e));
            return (Err(detail), Vec::new());
        }
    };
    let unused = shape.unused(&rec);
    (shape.convert(&rec, !unused.is_empty()), unused)
}

#[cfg(test)]
mod tests {
    use super::super::{read_bytes, Inputs, OnInvalid};
    use super::*;

    fn read(text: &str) -> Result<Inputs> {
        read_bytes(text.as_bytes(), "in.json", &InputOptions::default())
    }

    fn err(text: &str) -> String {
        read(text).unwrap_err().to_string()
    }

    /// `lines` valid records of about 100 bytes each, one per line.
    fn records(lines: usize) -> String {
        (0..lines)
            .map(|i| {
                format!(
                    "{{\"id\":\"e{i}\",\"date\":\"2020-01-01\",\
                     \"title\":\"Event number {i} of many\"}}\n"
                )
            })
            .collect()
    }

    fn read_jsonl(
        text: &[u8],
        on_invalid: OnInvalid,
    ) -> Result<(Vec<(Event, Origin)>, u64)> {
        let opts = InputOptions { on_invalid, ..Default::default() };
        let got = read_bytes(text, "f.jsonl", &opts)?;
        Ok((got.events.to_vec(), got.skipped))
    }

    fn invalid_line(e: Error) -> (u64, String) {
        match e {
            Error::InvalidRecord { line, detail, .. } => (line, detail),
            e => panic!("unexpected error {e}"),
        }
    }

    // Inputs of several parsing pieces report what reading them line by
    // line would: every line's number, the first bad line.
    #[test]
    fn lines_keep_their_numbers_across_pieces() {
        let n = 3 * PIECE_BYTES / 60;
        let mut text = records(n);
        text.push_str("\r\n  \n");
        text.push_str(&records(3));
        let (events, skipped) =
            read_jsonl(text.as_bytes(), OnInvalid::Fail).unwrap();
        assert_eq!((events.len(), skipped), (n + 3, 0));
        for (i, (ev, origin)) in events.iter().enumerate() {
            let line = if i < n { i + 1 } else { i + 3 };
            assert_eq!(origin.line, line as u64, "{}", ev.id);
        }

        let mut lines: Vec<&str> = text.lines().collect();
        lines[n - 7] = "{";
        lines[n + 2] = "[1]";
        let text = lines.join("\n");
        let err = read_jsonl(text.as_bytes(), OnInvalid::Fail).unwrap_err();
        assert_eq!(
            invalid_line(err),
            (
                n as u64 - 6,
                "malformed JSON: EOF while parsing an object".into()
            )
        );
        let (events, skipped) =
            read_jsonl(text.as_bytes(), OnInvalid::Skip).unwrap();
        assert_eq!((events.len(), skipped), (n + 1, 2));
    }

    #[test]
    fn a_read_that_fails_is_reported_at_the_line_it_cut_short() {
        // The whole lines before it are read; the error names the line
        // it cut short.
        struct Failing<'a>(&'a [u8]);
        impl std::io::Read for Failing<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() {
                    return Err(std::io::Error::other("disk on fire"));
                }
                let n = buf.len().min(self.0.len()).min(7);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let text = records(4);
        let cut = text.len() - 10;
        let opts = InputOptions::default();
        let Err(err) = super::super::read_source(
            Failing(&text.as_bytes()[..cut]),
            "f.jsonl",
            &opts,
            &|_| {},
        ) else {
            panic!("the read failed part way")
        };
        assert_eq!(invalid_line(err), (4, "cannot read: disk on fire".into()));
    }

    #[test]
    fn null_source_urls_are_valid() {
        let got = read(
            r#"{"id":"a","date":"2020-01-01","title":"t","sources":[{"name":"BBC","url":null}]}"#,
        )
        .unwrap();
        assert_eq!(got.events.get(0).0.sources[0].url, None);
    }

    const REC: &str = r#"{"date":"2014-05-06","title":"Talks"}"#;

    #[test]
    fn json_lines_keep_the_builders_messages() {
        let cases = [
            ("{not json", "malformed JSON: key must be a string"),
            (r#"{"id":"b","title":"t"}"#, "missing required field `date`"),
            (
                r#"{"id":"b","date":"2014-05-06","title":null}"#,
                "missing required field `title`",
            ),
            (
                r#"{"id":"b","date":"06/05/2014","title":"t"}"#,
                "invalid date \"06/05/2014\" (expected YYYY-MM-DD)",
            ),
            ("[]", "a record must be a JSON object"),
        ];
        for (bad, want) in cases {
            let got = err(&format!("{REC}\n\n{bad}\n"));
            assert_eq!(got, format!("in.json:3: {want}"));
        }
    }

    #[test]
    fn array_records_keep_their_lines() {
        let text = format!(
            "[\n  {REC},\n\n  {REC},\n  {{\"title\": 1,\n\
             \"date\":\"2014-05-06\"}}\n]"
        );
        assert_eq!(
            err(&text),
            "in.json:5: read as a JSON array (the input starts with `[`): \
             field `title` must be a string"
        );
        let skip =
            InputOptions { on_invalid: OnInvalid::Skip, ..Default::default() };
        let got = read_bytes(text.as_bytes(), "in.json", &skip).unwrap();
        let lines: Vec<u64> = got.events.iter().map(|e| e.1.line).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!((got.records, got.skipped), (3, 1));

        assert_eq!(
            err(&format!("[{REC},\n{REC}")),
            "in.json:2: read as a JSON array (the input starts with `[`): \
             malformed JSON: EOF while parsing a list"
        );
        assert_eq!(
            err(&format!("[{REC}, 3]")),
            "in.json:1: read as a JSON array (the input starts with `[`): \
             a record must be a JSON object"
        );
    }

    #[test]
    fn an_object_holding_the_records() {
        let text = format!(
            "{{\n  \"version\": 2,\n  \"tags\": [],\n  \"events\": [\n    \
             {REC},\n    {{\"date\":\"2014-05-07\"}}\n  ]\n}}\n"
        );
        assert_eq!(
            err(&text),
            "in.json:6: read as a JSON array (field `events` of the one JSON \
             object the input holds): missing required field `title`"
        );
        let cases = [
            (
                "{\n\"a\": 1,\n\"b\": [1]\n}",
                "in.json:1: read as one JSON object (its first line is not a \
                 whole record, so not JSON Lines): no field holds a list of \
                 records (JSON objects); its fields: `a`, `b`",
            ),
            (
                &*format!("{{\n\"a\": [{REC}],\n\"b\": [{REC}]\n}}"),
                "in.json:1: read as one JSON object (its first line is not a \
                 whole record, so not JSON Lines): several fields hold lists \
                 of records (`a`, `b`): give each list as an input of its own",
            ),
            (
                "{\n\"a\": [\n",
                "in.json:3: read as one JSON object (its first line is not a \
                 whole record, so not JSON Lines): malformed JSON: EOF while \
                 parsing a list",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(err(text), want);
        }
        // A JSON Lines file whose first line is bad is still JSON Lines.
        assert_eq!(
            err(&format!("{{oops\n{REC}\n")),
            "in.json:1: malformed JSON: key must be a string"
        );
    }

    #[test]
    fn the_fast_path_and_the_general_one_agree() {
        let rec = r#"{"id":"a","date":"2014-05-06","title":"t",
            "category":"c","sources":[{"name":"BBC","url":null}],
            "contexts":["x"],"url":"u","body":"b"}"#
            .replace('\n', "");
        let plain = super::super::Mapping::new();
        let shape = Shape::new(&plain, None, "FIELD");
        let fast = record(&rec, &shape, true);
        let slow = record(&rec, &shape, false);
        assert_eq!(fast, slow);
        assert!(fast.0.is_ok());
    }
}
