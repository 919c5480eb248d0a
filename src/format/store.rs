//! The doc-store record codec shared by the writer and the reader:
//! event permalinks and ids that follow the archive's rules are stored
//! short and derived again when read.

use super::read::MAX_FACET_IDS;
use super::{put_varint, Cursor, StoredDoc};
use crate::error::Result;
use crate::event::Day;

/// One event's doc-store record, its fields borrowed (FORMAT.md,
/// `STOR`): what [`Record::write`] writes and the reader reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record<'a> {
    /// The event id, or when `dated` the part of it before the date.
    pub id: &'a str,
    /// The id is `id` followed by the event's day and its place in the
    /// day ([`dated_id`]), which a doc store does not hold.
    pub dated: bool,
    /// The headline.
    pub title: &'a str,
    /// The event's page.
    pub url: RecordUrl<'a>,
    /// Optional body text.
    pub body: Option<&'a str>,
    /// The category's name.
    pub category: Option<&'a str>,
    /// Per source: the outlet's name and the article's URL.
    pub sources: Vec<(&'a str, Option<&'a str>)>,
    /// The context names.
    pub contexts: Vec<&'a str>,
}

/// An event's page as a record holds it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RecordUrl<'a> {
    /// None.
    #[default]
    None,
    /// The permalink [`derived_url`] gives the event's day and title.
    Derived,
    /// Any other address.
    Given(&'a str),
}

impl<'a> RecordUrl<'a> {
    /// How a record holds `url`, the page of an event of `day` (if it
    /// has a valid date) titled `title`.
    pub fn of(url: Option<&'a str>, day: Option<Day>, title: &str) -> Self {
        match (url, day) {
            (None, _) => RecordUrl::None,
            (Some(u), Some(day)) if u == derived_url(day, title) => {
                RecordUrl::Derived
            }
            (Some(u), _) => RecordUrl::Given(u),
        }
    }

    /// The address, for an event of `day` titled `title`.
    pub fn get(self, day: Day, title: &str) -> Option<String> {
        match self {
            RecordUrl::None => None,
            RecordUrl::Derived => Some(derived_url(day, title)),
            RecordUrl::Given(u) => Some(u.to_owned()),
        }
    }
}

impl<'a> Record<'a> {
    /// Appends the record to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        // A length of 0 is followed by another: 0 for an empty id, else
        // 1 + the length of a dated id's start.
        match (self.dated, self.id.len()) {
            (false, 0) => out.extend_from_slice(&[0, 0]),
            (false, _) => put_str(out, self.id),
            (true, _) => {
                out.push(0);
                put_opt_str(out, Some(self.id));
            }
        }
        put_str(out, self.title);
        match self.url {
            RecordUrl::None => out.push(0),
            RecordUrl::Derived => out.push(1),
            RecordUrl::Given(u) => {
                put_varint(out, u.len() as u64 + 2);
                out.extend_from_slice(u.as_bytes());
            }
        }
        put_opt_str(out, self.body);
        put_opt_str(out, self.category);
        put_varint(out, self.sources.len() as u64);
        for (name, url) in &self.sources {
            put_str(out, name);
            put_opt_str(out, *url);
        }
        put_varint(out, self.contexts.len() as u64);
        for c in &self.contexts {
            put_str(out, c);
        }
    }

    /// Reads a record, checking every length and string.
    pub(crate) fn read(c: &mut Cursor<'a>) -> Result<Record<'a>> {
        let (id, dated) = match c.str()? {
            "" => c.opt_str()?.map_or(("", false), |s| (s, true)),
            id => (id, false),
        };
        let title = c.str()?;
        let url = match c.varint_u32()? {
            0 => RecordUrl::None,
            1 => RecordUrl::Derived,
            n => {
                let b = c.take(n as usize - 2)?;
                RecordUrl::Given(
                    std::str::from_utf8(b)
                        .map_err(|_| c.err("string is not UTF-8"))?,
                )
            }
        };
        let body = c.opt_str()?;
        let category = c.opt_str()?;
        // Reserved no further than the bytes left can hold: a source
        // takes at least two, a context one.
        let n = c.varint_u32()?;
        if n > MAX_FACET_IDS {
            return Err(c.err("too many sources"));
        }
        let mut sources = Vec::with_capacity((n as usize).min(c.left() / 2));
        for _ in 0..n {
            sources.push((c.str()?, c.opt_str()?));
        }
        let n = c.varint_u32()?;
        if n > MAX_FACET_IDS {
            return Err(c.err("too many contexts"));
        }
        let mut contexts = Vec::with_capacity((n as usize).min(c.left()));
        for _ in 0..n {
            contexts.push(c.str()?);
        }
        Ok(Record { id, dated, title, url, body, category, sources, contexts })
    }

    /// Appends the record to `out` as a doc store holds it: when
    /// `names_by_id` ([`super::FLAG_NAMES_BY_ID`]), without its category,
    /// outlet names (each source keeps its URL) and contexts.
    pub fn write_stored(&self, names_by_id: bool, out: &mut Vec<u8>) {
        if !names_by_id {
            return self.write(out);
        }
        Record {
            category: None,
            sources: self.sources.iter().map(|s| ("", s.1)).collect(),
            contexts: Vec::new(),
            ..self.clone()
        }
        .write(out);
    }

    /// Marks the id dated when it is [`dated_id`] of an event of `day`,
    /// `place` in it, keeping only its start.
    pub fn date_id(&mut self, day: Day, place: u32) {
        if self.dated {
            return;
        }
        let tail = dated_id("", day, place);
        if let Some(start) = self.id.strip_suffix(tail.as_str()) {
            (self.id, self.dated) = (start, true);
        }
    }

    /// The record's data, owned, for an event of `day`, `place` in it
    /// (see [`dated_id`]).
    pub fn to_stored(&self, day: Day, place: u32) -> StoredDoc {
        let own = |s: Option<&str>| s.map(str::to_owned);
        StoredDoc {
            id: match self.dated {
                true => dated_id(self.id, day, place),
                false => self.id.to_owned(),
            },
            title: self.title.to_owned(),
            url: self.url.get(day, self.title),
            body: own(self.body),
            category: own(self.category),
            sources: self
                .sources
                .iter()
                .map(|(n, u)| ((*n).to_owned(), own(*u)))
                .collect(),
            contexts: self.contexts.iter().map(|&c| c.to_owned()).collect(),
        }
    }
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            put_varint(out, s.len() as u64 + 1);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// The id the archive gives the event of `day` that is `place` in it (1
/// for the day's first event as read): `start`, the day as `YYYYMMDD`, a
/// dash and the place in three digits or more (`wcep-20140506-001`).
pub fn dated_id(start: &str, day: Day, place: u32) -> String {
    let (y, m, d) = crate::event::civil_from_days(day);
    format!("{start}{y:04}{m:02}{d:02}-{place:03}")
}

/// The permalink the archive gives an event of `day` titled `title`:
/// `/news/YYYY/MM/D/slug.md`, where the day has no leading zero and the
/// slug is the title folded to ASCII, lower-cased, with every run of
/// other characters turned into one `-`, cut to 140 bytes.
pub fn derived_url(day: Day, title: &str) -> String {
    let mut url = url_prefix(day);
    push_slug(&mut url, title);
    url.push_str(".md");
    url
}

/// The permalink up to the slug: `/news/YYYY/MM/D/`.
pub(crate) fn url_prefix(day: Day) -> String {
    let (y, m, d) = crate::event::civil_from_days(day);
    format!("/news/{y:04}/{m:02}/{d}/")
}

/// Appends the slug of `title` to `out`.
pub(crate) fn push_slug(out: &mut String, title: &str) {
    const MAX: usize = 140;
    let start = out.len();
    let mut dash = false;
    for c in title.chars() {
        match slug_char(c) {
            Some(c) if c.is_ascii_alphanumeric() => {
                if dash && out.len() > start {
                    out.push('-');
                }
                dash = false;
                out.push(c.to_ascii_lowercase());
                if out.len() - start >= MAX {
                    break; // the rest would be cut
                }
            }
            Some(_) => dash = true,
            None => {}
        }
    }
    // The slug is ASCII, so any cut is a character boundary.
    out.truncate(start + MAX);
    while out.len() > start && out.ends_with('-') {
        out.pop();
    }
}

/// What a title character becomes in a slug: ASCII as is, a letter with
/// a diacritic its base letter, anything else nothing (as Unicode's
/// compatibility decomposition followed by dropping non-ASCII does).
fn slug_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    let l = crate::lowercase::to_lowercase(c).next()?;
    let base = match l {
        'à'..='å' | 'ª' => 'a',
        'ç' => 'c',
        'è'..='ë' => 'e',
        'ì'..='ï' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'º' => 'o',
        'ù'..='ü' => 'u',
        'ý' | 'ÿ' => 'y',
        // Latin Extended-A, but for the letters that do not decompose.
        '\u{0110}' | '\u{0111}' | '\u{0126}' | '\u{0127}' | '\u{0131}'
        | '\u{0138}' | '\u{0141}' | '\u{0142}' | '\u{014a}' | '\u{014b}'
        | '\u{0152}' | '\u{0153}' | '\u{0166}' | '\u{0167}' => return None,
        '\u{0100}'..='\u{017f}' => {
            let b = crate::text::LATIN_EXT_A[l as usize - 0x100];
            if b == b'#' {
                return None;
            }
            b as char
        }
        _ => return None,
    };
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::parse_date;

    #[test]
    fn permalinks_follow_the_archive_rule() {
        let day = |s| parse_date(s).unwrap();
        assert_eq!(
            derived_url(day("1999-01-01"), "The euro currency is introduced."),
            "/news/1999/01/1/the-euro-currency-is-introduced.md"
        );
        assert_eq!(
            derived_url(day("2002-06-12"), "Bülent Ecevit – 2–1 Bømlafjord's"),
            "/news/2002/06/12/bulent-ecevit-21-bmlafjord-s.md"
        );
        let long = "word ".repeat(40);
        let url = derived_url(day("2020-10-05"), &long);
        assert!(url.len() <= "/news/2020/10/5/".len() + 140 + 3);
        assert!(url.ends_with("word.md"), "{url}");
    }

    #[test]
    fn derived_permalinks_are_recognised() {
        let day = parse_date("2002-06-12").unwrap();
        let long = "word ".repeat(40);
        for title in ["Bülent Ecevit – 2–1 Bømlafjord's", &long, "", "–"]
        {
            let url = derived_url(day, title);
            let of = |u, day| RecordUrl::of(Some(u), Some(day), title);
            assert_eq!(of(&url, day), RecordUrl::Derived, "{title}");
            assert_eq!(RecordUrl::Derived.get(day, title), Some(url.clone()));
            let (longer, shorter) = (format!("{url}x"), &url[1..]);
            assert_eq!(of(&longer, day), RecordUrl::Given(&longer));
            assert_eq!(of(shorter, day), RecordUrl::Given(shorter));
            assert_eq!(of(&url, day + 1), RecordUrl::Given(&url));
            assert_eq!(
                RecordUrl::of(Some(&url), None, title),
                RecordUrl::Given(&url)
            );
        }
    }

    #[test]
    fn records_read_back_as_written() {
        let r = Record {
            id: "e1",
            dated: false,
            title: "Talks in Geneva",
            url: RecordUrl::Given("https://example.org/e1"),
            body: Some("More."),
            category: None,
            sources: vec![("BBC", Some("https://bbc.co.uk/x")), ("", None)],
            contexts: vec!["Geneva", "Sergey Lavrov"],
        };
        let mut out = Vec::new();
        r.write(&mut out);
        Record { id: "e2", url: RecordUrl::Derived, ..Record::default() }
            .write(&mut out);
        let day = crate::event::days_from_civil(2014, 5, 6);
        let mut dated = Record { id: "wcep-20140506-012", ..r.clone() };
        for (d, place) in [(day + 1, 12), (day, 11), (day, 1012)] {
            dated.date_id(d, place);
            assert!(!dated.dated, "{d} {place}");
        }
        dated.date_id(day, 12);
        assert_eq!((dated.id, dated.dated), ("wcep-", true));
        dated.write(&mut out);
        let empty = Record { id: "", ..Record::default() };
        empty.write(&mut out);
        let mut c = Cursor::new(&out, "STOR");
        assert_eq!(Record::read(&mut c).unwrap(), r);
        let second = Record::read(&mut c).unwrap();
        assert_eq!((second.id, second.url), ("e2", RecordUrl::Derived));
        let third = Record::read(&mut c).unwrap();
        assert_eq!(third, dated);
        assert_eq!(third.to_stored(day, 12).id, "wcep-20140506-012");
        assert_eq!(dated_id("x", day, 1234), "x20140506-1234");
        assert_eq!(Record::read(&mut c).unwrap(), empty);
        assert!(c.is_empty());
        // Cut anywhere, it is an error, not a panic.
        for n in 0..out.len() {
            let mut c = Cursor::new(&out[..n], "STOR");
            let _ = Record::read(&mut c).and_then(|_| Record::read(&mut c));
        }
    }

    /// The slug is cut at 140 bytes, then of its trailing dashes; it is
    /// built only that far.
    #[test]
    fn slugs_are_cut_as_if_built_whole() {
        let whole = |title: &str| {
            let mut slug = String::new();
            let mut dash = false;
            for c in title.chars() {
                match slug_char(c) {
                    Some(c) if c.is_ascii_alphanumeric() => {
                        if dash && !slug.is_empty() {
                            slug.push('-');
                        }
                        dash = false;
                        slug.push(c.to_ascii_lowercase());
                    }
                    Some(_) => dash = true,
                    None => {}
                }
            }
            slug.truncate(140);
            while slug.ends_with('-') {
                slug.pop();
            }
            slug
        };
        for word in 1..12 {
            for sep in [" ", " - ", "ü", "é "] {
                let title = vec!["x".repeat(word); 40].join(sep);
                let mut slug = "/".to_owned();
                push_slug(&mut slug, &title);
                assert_eq!(slug[1..], whole(&title), "{title}");
            }
        }
    }
}
