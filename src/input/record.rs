//! One record of an owner's data → an [`Event`]: the field mapping, the
//! forms dates, sources and contexts come in, and stable ids for records
//! that have none.

use serde_json::{Map, Value};

use super::mapping::{Field, Mapping};
use crate::event::{parse_date, Event, Source};

/// How the records of one input are read: which input fields fill which
/// event fields, and how a text cell holds a list.
pub(crate) struct Shape<'a> {
    mapping: &'a Mapping,
    /// Per event field (in [`Field::ALL`] order), the input fields read.
    names: Vec<Vec<&'a str>>,
    /// What separates the items of a list in one string (a CSV cell), or
    /// `None` when a string is one item (JSON, which has arrays).
    list_sep: Option<&'static [char]>,
    /// What an input field is called in hints: `FIELD` or `COLUMN`.
    word: &'static str,
}

/// What reading one record gave: the event (with whether its id was
/// generated) or what is wrong with it.
pub(crate) type Converted = Result<(Event, bool), String>;

impl<'a> Shape<'a> {
    pub(crate) fn new(
        mapping: &'a Mapping,
        list_sep: Option<&'static [char]>,
        word: &'static str,
    ) -> Shape<'a> {
        let names = Field::ALL
            .iter()
            .map(|&f| match mapping.sources(f) {
                [] => vec![f.name()],
                from => from.iter().map(String::as_str).collect(),
            })
            .collect();
        Shape { mapping, names, list_sep, word }
    }

    fn names(&self, f: Field) -> &[&'a str] {
        &self.names[f as usize]
    }

    /// Whether some event field reads the input field `name`.
    fn reads(&self, name: &str) -> bool {
        self.names.iter().flatten().any(|n| *n == name)
    }

    /// The record's fields that hold something but fill no event field.
    pub(crate) fn unused(&self, rec: &Map<String, Value>) -> Vec<String> {
        rec.iter()
            .filter(|(k, v)| !is_blank(v) && !self.reads(k))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The values of the input fields that fill `f`, with their names.
    fn values<'r>(
        &'r self,
        rec: &'r Map<String, Value>,
        f: Field,
    ) -> impl Iterator<Item = (&'r str, &'r Value)> + 'r {
        self.names(f).iter().filter_map(move |&n| {
            rec.get(n).filter(|v| !v.is_null()).map(|v| (n, v))
        })
    }

    /// The first non-blank value for a text field (numbers as their
    /// digits when `numbers`).
    fn text(
        &self,
        rec: &Map<String, Value>,
        f: Field,
        numbers: bool,
    ) -> Result<Option<String>, String> {
        for (name, v) in self.values(rec, f) {
            match v {
                Value::String(s) if s.trim().is_empty() => {}
                Value::String(s) => return Ok(Some(s.clone())),
                Value::Number(n) if numbers => return Ok(Some(n.to_string())),
                _ => {
                    return Err(format!(
                        "field {} must be a string",
                        self.called(name, f)
                    ))
                }
            }
        }
        Ok(None)
    }

    /// How an input field is named in a message about `f`: "`date`",
    /// or "`day` (for `date`)" when mapped.
    fn called(&self, name: &str, f: Field) -> String {
        if name == f.name() {
            format!("`{name}`")
        } else {
            format!("`{name}` (for `{}`)", f.name())
        }
    }

    /// The message for a required field the record lacks, with what to
    /// do when that is not obvious.
    fn missing(&self, f: Field, has_unused: bool) -> String {
        let mut s = format!("missing required field `{}`", f.name());
        match self.mapping.sources(f) {
            [] if has_unused => s.push_str(&format!(
                " (map it with --field {}={})",
                f.name(),
                self.word
            )),
            [] => {}
            from => {
                let from: Vec<String> =
                    from.iter().map(|n| format!("`{n}`")).collect();
                s.push_str(&format!(
                    " (mapped from {}, empty in this record)",
                    from.join(" or ")
                ));
            }
        }
        s
    }

    /// Reads one record. `has_unused`: whether it has fields no event
    /// field reads (a missing field's message then suggests a mapping).
    pub(crate) fn convert(
        &self,
        rec: &Map<String, Value>,
        has_unused: bool,
    ) -> Converted {
        let date = self
            .text(rec, Field::Date, false)?
            .ok_or_else(|| self.missing(Field::Date, has_unused))?;
        let Some(title) = self.text(rec, Field::Title, false)? else {
            if self.values(rec, Field::Title).next().is_some() {
                return Err("field `title` is empty".into());
            }
            return Err(self.missing(Field::Title, has_unused));
        };
        let date = normalise_date(&date).ok_or_else(|| {
            format!("invalid date {date:?} (expected YYYY-MM-DD)")
        })?;
        let id = self.text(rec, Field::Id, true)?;
        let category = self.text(rec, Field::Category, false)?;
        let url = self.text(rec, Field::Url, false)?;
        let body = self.text(rec, Field::Body, false)?;
        let mut sources = Vec::new();
        for (name, v) in self.values(rec, Field::Sources) {
            self.sources(name, v, &mut sources)?;
        }
        let mut contexts = Vec::new();
        for (name, v) in self.values(rec, Field::Contexts) {
            self.contexts(name, v, &mut contexts)?;
        }
        let mut distinct: Vec<String> = Vec::with_capacity(contexts.len());
        for c in contexts {
            if !distinct.contains(&c) {
                distinct.push(c);
            }
        }
        let generated = id.is_none();
        let id = id.unwrap_or_else(|| {
            generated_id(&date, title.trim(), url.as_deref())
        });
        let event = Event {
            id,
            date,
            title,
            category,
            sources,
            contexts: distinct,
            url,
            body,
        };
        Ok((event, generated))
    }

    /// The items of a list held in one string.
    fn items<'s>(&self, s: &'s str) -> Vec<&'s str> {
        match self.list_sep {
            Some(sep) => s.split(sep).collect(),
            None => vec![s],
        }
    }

    fn sources(
        &self,
        name: &str,
        v: &Value,
        out: &mut Vec<Source>,
    ) -> Result<(), String> {
        let bad = || {
            format!(
                "field {} must be a list of sources: names, URLs or \
                 {{\"name\", \"url\"}} objects",
                self.called(name, Field::Sources)
            )
        };
        let one = |item: &Value, out: &mut Vec<Source>| match item {
            Value::String(s) => {
                out.extend(self.items(s).into_iter().filter_map(source_text));
                Ok(())
            }
            Value::Object(o) => {
                out.push(source_object(o)?);
                Ok(())
            }
            Value::Null => Ok(()),
            _ => Err(bad()),
        };
        match v {
            Value::Array(items) => items.iter().try_for_each(|i| one(i, out)),
            v => one(v, out),
        }
    }

    fn contexts(
        &self,
        name: &str,
        v: &Value,
        out: &mut Vec<String>,
    ) -> Result<(), String> {
        let one = |item: &Value, out: &mut Vec<String>| match item {
            Value::String(s) => {
                for i in self.items(s) {
                    if !i.trim().is_empty() {
                        out.push(i.trim().to_owned());
                    }
                }
                Ok(())
            }
            Value::Number(n) => {
                out.push(n.to_string());
                Ok(())
            }
            Value::Null => Ok(()),
            _ => Err(format!(
                "field {} must be a list of strings",
                self.called(name, Field::Contexts)
            )),
        };
        match v {
            Value::Array(items) => items.iter().try_for_each(|i| one(i, out)),
            v => one(v, out),
        }
    }
}

/// Whether a value holds nothing: null, blank text, an empty list or
/// object.
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A date as `YYYY-MM-DD`, from `YYYY-MM-DD`, `YYYY-M-D` or an ISO
/// date-time such as `2014-05-06T12:00:00Z` (its date as written: the
/// time zone is not applied).
pub(crate) fn normalise_date(s: &str) -> Option<String> {
    let s = s.trim();
    let day = match s.find(['T', 't', ' ']) {
        Some(i) => {
            let time = &s[i + 1..];
            if !time.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            &s[..i]
        }
        None => s,
    };
    let mut parts = day.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some()
        || !digits(y, 4..=4)
        || !digits(m, 1..=2)
        || !digits(d, 1..=2)
    {
        return None;
    }
    let out = format!("{y}-{m:0>2}-{d:0>2}");
    parse_date(&out).map(|_| out)
}

/// The id of a record that has none: `ev-` and 16 hex digits of a hash
/// of its date, title and url, so the same record gets the same id
/// wherever it is in the input and whichever build reads it.
pub(crate) fn generated_id(
    date: &str,
    title: &str,
    url: Option<&str>,
) -> String {
    // FNV-1a (64 bits): fixed, unlike std's hasher, and enough to tell
    // an archive's events apart (the builder reports any duplicate id).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [date, title, url.unwrap_or("")] {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("ev-{h:016x}")
}

/// A source written as text: a plain name (`BBC`), a bare http(s) URL
/// (named by its host), `Name <url>` or `Name url`.
pub(crate) fn source_text(s: &str) -> Option<Source> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let named = |name: &str, url: &str| Source {
        name: if name.is_empty() { host(url) } else { name.to_owned() },
        url: Some(url.to_owned()),
    };
    if let Some((name, url)) =
        s.strip_suffix('>').and_then(|inner| inner.rsplit_once('<'))
    {
        if is_http(url.trim()) {
            return Some(named(name.trim(), url.trim()));
        }
    }
    if is_http(s) && !s.contains(char::is_whitespace) {
        return Some(named("", s));
    }
    if let Some((name, url)) = s.rsplit_once(char::is_whitespace) {
        if is_http(url) {
            return Some(named(name.trim(), url));
        }
    }
    Some(Source { name: s.to_owned(), url: None })
}

/// A source written as an object: `{name, url}`, `{name}` or `{url}`.
fn source_object(o: &Map<String, Value>) -> Result<Source, String> {
    let text = |key: &str| match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(format!("a source's `{key}` must be a string")),
    };
    match (text("name")?, text("url")?) {
        (Some(name), url) => Ok(Source { name, url }),
        (None, Some(url)) => Ok(Source { name: host(&url), url: Some(url) }),
        (None, None) => Err("a source needs a `name` or a `url`".into()),
    }
}

fn is_http(s: &str) -> bool {
    let lower = |p: &str| {
        s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p))
            && s.len() > p.len()
    };
    lower("http://") || lower("https://")
}

/// The host of an http(s) URL: `www.bbc.com` for
/// `http://www.bbc.com/news/x`.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    if host.is_empty() {
        url.to_owned()
    } else {
        host.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_forms() {
        let cases = [
            ("2014-05-06", Some("2014-05-06")),
            ("2014-5-6", Some("2014-05-06")),
            ("2014-05-6", Some("2014-05-06")),
            (" 2014-05-06 ", Some("2014-05-06")),
            ("2014-05-06T12:00:00Z", Some("2014-05-06")),
            ("2014-05-06T23:30:00+02:00", Some("2014-05-06")),
            ("2014-05-06 12:00", Some("2014-05-06")),
            ("2000-2-29", Some("2000-02-29")),
            ("2014-02-30", None),
            ("2014-13-01", None),
            ("06/05/2014", None),
            ("2014-05", None),
            ("2014-05-06-01", None),
            ("14-05-06", None),
            ("2014-005-06", None),
            ("2014-05-06Tnoon", None),
            ("2014-05-06 ", Some("2014-05-06")),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(normalise_date(s).as_deref(), want, "{s:?}");
        }
    }

    #[test]
    fn generated_ids_are_stable() {
        let a = generated_id("2014-05-06", "Talks in Geneva", None);
        assert_eq!(a, generated_id("2014-05-06", "Talks in Geneva", None));
        assert_eq!(a.len(), 3 + 16);
        assert!(a.starts_with("ev-"));
        // Fixed for good: ids must not change between builds.
        assert_eq!(a, "ev-95f15ff19c197ea4");
        assert_ne!(a, generated_id("2014-05-07", "Talks in Geneva", None));
        assert_ne!(a, generated_id("2014-05-06", "Talks", Some("Geneva")));
        assert_ne!(
            generated_id("2014-05-06", "ab", Some("c")),
            generated_id("2014-05-06", "a", Some("bc"))
        );
    }

    #[test]
    fn sources_written_as_text() {
        let s = |name: &str, url: Option<&str>| Source {
            name: name.into(),
            url: url.map(Into::into),
        };
        let cases = [
            ("BBC", s("BBC", None)),
            (" Al Jazeera ", s("Al Jazeera", None)),
            (
                "http://www.bbc.com/news/world-europe-27289897",
                s(
                    "www.bbc.com",
                    Some("http://www.bbc.com/news/world-europe-27289897"),
                ),
            ),
            (
                "BBC <http://www.bbc.com/news/x>",
                s("BBC", Some("http://www.bbc.com/news/x")),
            ),
            (
                "The Guardian https://www.theguardian.com/x",
                s("The Guardian", Some("https://www.theguardian.com/x")),
            ),
            (
                "<https://user@example.org:8080/a?b>",
                s("example.org", Some("https://user@example.org:8080/a?b")),
            ),
            ("Reuters <not a url>", s("Reuters <not a url>", None)),
        ];
        for (text, want) in cases {
            assert_eq!(source_text(text), Some(want), "{text}");
        }
        assert_eq!(source_text("  "), None);
    }

    fn record(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn records_in_other_shapes() {
        let m = Mapping::from_specs([
            "title=headline",
            "date=day",
            "contexts=tags",
            "contexts=people",
        ])
        .unwrap();
        let shape = Shape::new(&m, None, "FIELD");
        let rec = record(
            r#"{"headline":"Talks in Geneva","day":"2014-5-6T09:00Z",
                "sources":["BBC",{"name":"Reuters"},
                    {"url":"https://ft.com/a"}],
                "tags":["Geneva","Syria"],"people":"Sergey Lavrov",
                "contexts":["ignored"],"id":17,"author":"x"}"#,
        );
        let (ev, generated) = shape.convert(&rec, true).unwrap();
        assert!(!generated);
        assert_eq!(ev.id, "17");
        assert_eq!(ev.date, "2014-05-06");
        assert_eq!(ev.title, "Talks in Geneva");
        assert_eq!(ev.contexts, ["Geneva", "Syria", "Sergey Lavrov"]);
        let names: Vec<_> = ev.sources.iter().map(|s| &s.name[..]).collect();
        assert_eq!(names, ["BBC", "Reuters", "ft.com"]);
        // `contexts` is mapped, so its own field is not read.
        assert_eq!(shape.unused(&rec), ["author", "contexts"]);

        // A single string is one item in JSON, a list in a CSV cell.
        let rec = record(
            r#"{"title":"t","date":"2014-05-06","sources":"BBC; CNN",
                "contexts":"a | b"}"#,
        );
        let plain = Mapping::new();
        let (ev, generated) =
            Shape::new(&plain, None, "FIELD").convert(&rec, false).unwrap();
        assert!(generated);
        assert_eq!(ev.id, generated_id("2014-05-06", "t", None));
        assert_eq!(ev.sources.len(), 1);
        assert_eq!(ev.contexts, ["a | b"]);
        let cells = Shape::new(&plain, Some(&[';', '|']), "COLUMN");
        let (ev, _) = cells.convert(&rec, false).unwrap();
        assert_eq!(ev.sources.len(), 2);
        assert_eq!(ev.contexts, ["a", "b"]);
    }

    #[test]
    fn record_errors() {
        let m = Mapping::from_specs(["date=day"]).unwrap();
        let mapped = Shape::new(&m, None, "FIELD");
        let plain = Mapping::new();
        let own = Shape::new(&plain, None, "COLUMN");
        let cases = [
            (&own, r#"{"title":"t"}"#, "missing required field `date`"),
            (
                &own,
                r#"{"title":"t","day":"2014-05-06"}"#,
                "missing required field `date` (map it with --field \
                 date=COLUMN)",
            ),
            (
                &mapped,
                r#"{"title":"t","date":"2014-05-06"}"#,
                "missing required field `date` (mapped from `day`, empty in \
                 this record)",
            ),
            (
                &own,
                r#"{"date":"2014-05-06"}"#,
                "missing required field `title`",
            ),
            (
                &own,
                r#"{"date":"2014-05-06","title":" "}"#,
                "field `title` is empty",
            ),
            (
                &own,
                r#"{"date":"2014-13-06","title":"t"}"#,
                "invalid date \"2014-13-06\" (expected YYYY-MM-DD)",
            ),
            (
                &own,
                r#"{"date":5,"title":"t"}"#,
                "field `date` must be a string",
            ),
            (
                &mapped,
                r#"{"day":[1],"title":"t"}"#,
                "field `day` (for `date`) must be a string",
            ),
            (
                &own,
                r#"{"date":"2014-05-06","title":"t","sources":3}"#,
                "field `sources` must be a list of sources: names, URLs or \
                 {\"name\", \"url\"} objects",
            ),
            (
                &own,
                r#"{"date":"2014-05-06","title":"t","sources":[{"x":1}]}"#,
                "a source needs a `name` or a `url`",
            ),
            (
                &own,
                r#"{"date":"2014-05-06","title":"t","contexts":[{}]}"#,
                "field `contexts` must be a list of strings",
            ),
        ];
        for (shape, json, want) in cases {
            let rec = record(json);
            let has_unused = !shape.unused(&rec).is_empty();
            let got = shape.convert(&rec, has_unused).unwrap_err();
            assert_eq!(got, want, "{json}");
        }
    }
}
