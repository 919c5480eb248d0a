//! The events read, held packed: one buffer of bytes for all of them
//! rather than a dozen allocations each, so that a million events take
//! about the bytes of their text (an [`Event`] with its strings takes
//! two to three times that). Each event is its date and its doc-store
//! record ([`Record`]: the layout the index stores it in), so the
//! builder hands most records to the doc store as they are.

use std::fmt;
use std::ops::Range;

use crate::builder::Origin;
use crate::event::{parse_date, Event, Source};
use crate::format::{Record, RecordUrl};

/// Events in input order, each with where it came from.
#[derive(Clone, Default)]
pub struct Events {
    /// Per event, its date (a string) then its record.
    bytes: Vec<u8>,
    /// Per event: where its bytes start, where its record starts, and
    /// where it ends.
    at: Vec<(usize, usize, usize)>,
    /// Per event: its file (in `files`) and line.
    origins: Vec<(u32, u64)>,
    files: Vec<String>,
    /// Bytes of text: titles, bodies, contexts, source names and URLs.
    text: u64,
}

impl Events {
    /// No events.
    pub fn new() -> Events {
        Events::default()
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// Adds an event read at `origin`.
    pub fn push(&mut self, ev: &Event, origin: &Origin) {
        let file = self.file(&origin.file);
        self.origins.push((file, origin.line));
        self.text += (ev.title.len()
            + ev.body.as_ref().map_or(0, String::len)
            + ev.contexts.iter().map(String::len).sum::<usize>()
            + ev.sources
                .iter()
                .map(|s| s.name.len() + s.url.as_ref().map_or(0, String::len))
                .sum::<usize>()) as u64;
        let record = Record {
            id: &ev.id,
            dated: false,
            title: &ev.title,
            url: RecordUrl::of(
                ev.url.as_deref(),
                parse_date(&ev.date),
                &ev.title,
            ),
            body: ev.body.as_deref(),
            category: ev.category.as_deref(),
            sources: ev
                .sources
                .iter()
                .map(|s| (s.name.as_str(), s.url.as_deref()))
                .collect(),
            contexts: ev.contexts.iter().map(String::as_str).collect(),
        };
        self.put(ev.date.as_str(), &record, None);
    }

    /// Appends an event's bytes (at the end, also for an event already
    /// here: `i`).
    fn put(&mut self, date: &str, record: &Record<'_>, i: Option<usize>) {
        let start = self.bytes.len();
        crate::format::put_varint(&mut self.bytes, date.len() as u64);
        self.bytes.extend_from_slice(date.as_bytes());
        let rec = self.bytes.len();
        record.write(&mut self.bytes);
        let at = (start, rec, self.bytes.len());
        match i {
            Some(i) => self.at[i] = at,
            None => self.at.push(at),
        }
    }

    /// Where event `i`'s record lies in [`Events::into_bytes`].
    pub fn record_bytes(&self, i: usize) -> Range<usize> {
        self.at[i].1..self.at[i].2
    }

    /// Event `i`'s date, as read.
    pub fn date(&self, i: usize) -> &str {
        let (start, rec, _) = self.at[i];
        first_str(&self.bytes[start..rec])
    }

    /// Event `i`'s record, its fields borrowed.
    pub fn record(&self, i: usize) -> Record<'_> {
        read_record(&self.bytes[self.record_bytes(i)])
    }

    /// Event `i`'s id (its record's first string).
    pub fn id(&self, i: usize) -> &str {
        first_str(&self.bytes[self.record_bytes(i)])
    }

    /// The index in `files` of the file named `name`, added if new.
    fn file(&mut self, name: &str) -> u32 {
        let i =
            self.files.iter().rposition(|f| f == name).unwrap_or_else(|| {
                self.files.push(name.to_owned());
                self.files.len() - 1
            });
        i as u32
    }

    /// Where event `i` came from.
    pub fn origin(&self, i: usize) -> Origin {
        let (file, line) = self.origins[i];
        Origin { file: self.files[file as usize].clone(), line }
    }

    /// Event `i`, with where it came from.
    pub fn get(&self, i: usize) -> (Event, Origin) {
        let r = self.record(i);
        let date = self.date(i).to_owned();
        // (A derived permalink was recognised on a valid date.)
        let url = r.url.get(parse_date(&date).unwrap_or_default(), r.title);
        let own = |s: Option<&str>| s.map(str::to_owned);
        let event = Event {
            id: r.id.to_owned(),
            date,
            title: r.title.to_owned(),
            category: own(r.category),
            sources: r
                .sources
                .iter()
                .map(|&(name, url)| Source {
                    name: name.to_owned(),
                    url: own(url),
                })
                .collect(),
            contexts: r.contexts.iter().map(|&c| c.to_owned()).collect(),
            url,
            body: own(r.body),
        };
        (event, self.origin(i))
    }

    /// The events, with where each came from.
    pub fn iter(&self) -> impl Iterator<Item = (Event, Origin)> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The events as a list.
    pub fn to_vec(&self) -> Vec<(Event, Origin)> {
        self.iter().collect()
    }

    /// Gives event `i` the id `id` (its bytes move to the end).
    pub fn set_id(&mut self, i: usize, id: &str) {
        let (start, rec, end) = self.at[i];
        let old = self.bytes[start..end].to_vec();
        let (date, rest) = old.split_at(rec - start);
        let mut record = read_record(rest);
        record.id = id;
        self.put(first_str(date), &record, Some(i));
    }

    /// Appends `other`'s events.
    pub fn append(&mut self, other: Events) {
        if self.is_empty() {
            *self = other; // the common case: no copy
            return;
        }
        let base = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes);
        self.at.extend(
            other.at.iter().map(|&(a, r, e)| (base + a, base + r, base + e)),
        );
        let files: Vec<u32> =
            other.files.iter().map(|f| self.file(f)).collect();
        self.origins.extend(
            other.origins.iter().map(|&(f, l)| (files[f as usize], l)),
        );
        self.text += other.text;
    }

    /// Bytes of text the events hold: titles, bodies, context names,
    /// source names and URLs.
    pub fn text_bytes(&self) -> u64 {
        self.text
    }

    /// The bytes every [`Events::record_bytes`] range is into.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// The string at the start of `bytes`, which `Events::put` wrote.
fn first_str(bytes: &[u8]) -> &str {
    let mut c = crate::format::Cursor::new(bytes, "events");
    c.str().expect("a string written by `Events::put`")
}

/// The record `bytes` hold, which `Events::put` wrote.
fn read_record(bytes: &[u8]) -> Record<'_> {
    let mut c = crate::format::Cursor::new(bytes, "events");
    Record::read(&mut c).expect("a record written by `Events::put`")
}

impl From<Vec<(Event, Origin)>> for Events {
    fn from(list: Vec<(Event, Origin)>) -> Events {
        list.into_iter().collect()
    }
}

impl FromIterator<(Event, Origin)> for Events {
    fn from_iter<I: IntoIterator<Item = (Event, Origin)>>(it: I) -> Events {
        let mut all = Events::new();
        for (ev, origin) in it {
            all.push(&ev, &origin);
        }
        all
    }
}

impl PartialEq for Events {
    fn eq(&self, other: &Events) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Events {}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(file: &str, line: u64) -> Origin {
        Origin { file: file.into(), line }
    }

    #[test]
    fn events_come_back_as_pushed() {
        let full = Event {
            id: "e1".into(),
            date: "2014-05-06".into(),
            title: " Talks in Geneva ".into(),
            category: Some("".into()),
            sources: vec![
                Source { name: "BBC".into(), url: Some("https://b/x".into()) },
                Source { name: String::new(), url: None },
            ],
            contexts: vec!["Geneva".into(), "Geneva".into(), " ".into()],
            url: Some(crate::format::derived_url(
                parse_date("2014-05-06").unwrap(),
                " Talks in Geneva ",
            )),
            body: Some("More.".into()),
        };
        let odd = Event {
            id: "e2".into(),
            date: "2014-5-6".into(),
            title: "t".into(),
            url: Some("/news/2014/05/6/t.md".into()),
            ..Event::default()
        };
        let list = vec![
            (full.clone(), origin("a.jsonl", 1)),
            (odd, origin("b.jsonl", 7)),
            (Event::default(), origin("a.jsonl", 9)),
        ];
        let mut events = Events::from(list.clone());
        assert_eq!(events.to_vec(), list);
        assert_eq!((events.id(0), events.date(1)), ("e1", "2014-5-6"));
        // The derived permalink takes one byte.
        assert_eq!(events.record(0).url, RecordUrl::Derived);
        events.set_id(1, "e2-2");
        assert_eq!(events.get(1).0.id, "e2-2");
        assert_eq!(events.get(2), list[2]);
        let mut joined = Events::from(list[..1].to_vec());
        joined.append(Events::from(list[1..].to_vec()));
        assert_eq!(joined.to_vec(), list);
        assert_eq!(joined.origin(2), origin("a.jsonl", 9));
        assert_eq!(joined.text_bytes(), Events::from(list).text_bytes());
    }
}
