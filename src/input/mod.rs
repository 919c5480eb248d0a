//! An owner's data, read as it is: JSON Lines, a JSON array, CSV with a
//! header row, or Markdown event pages (a folder of them, or one), each
//! gzipped or not, recognised from the content, with the owner's field
//! names mapped onto Chronicle's.
//!
//! This is the builder's input side (feature `build`, native only), so
//! it reads files and standard input itself; the core never does.
//!
//! * A directory is a folder of Markdown pages; a file (or `-`, standard
//!   input) is recognised from its first non-space byte: `[` a JSON
//!   array, `{` JSON Lines (or, when its first line is not a whole
//!   object, one JSON object whose one array of objects holds the
//!   records), `#` a Markdown page, anything else CSV. Gzip is
//!   recognised by its magic bytes, a UTF-8 byte-order mark is skipped.
//! * Every error names the file and line; except in JSON Lines (whose
//!   messages are the builder's own), it also says how the input was
//!   read and why: `events.csv:3: read as CSV (header: headline,day,tags):
//!   missing required field `date` (map it with --field date=COLUMN)`.
//! * A record that is invalid, including one that is not UTF-8, stops
//!   the read, or with [`OnInvalid::Skip`] is counted and skipped.
//! * Fields of the input that fill no event field are reported, by name
//!   with how many records had them ([`Inputs::unused`]), not dropped
//!   without a word.
//! * A record without an id gets one from its date, title and url (`ev-`
//!   and 16 hex digits of a hash of them, so the same record always gets
//!   the same id); identical records get `-2`, `-3`, … in input order.

mod csv;
mod events;
mod json;
mod mapping;
mod markdown;
mod record;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

pub use events::Events;
pub use mapping::{Config, Field, Mapping};

pub use crate::builder::{OnInvalid, Origin};
use crate::error::{Error, Result};
use crate::hash::Map;

/// How to read inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputOptions {
    /// Which input fields fill which event fields (not used for Markdown
    /// pages, whose layout is fixed).
    pub mapping: Mapping,
    /// What a Markdown page's `.md` becomes in its URL: `.html` (the
    /// default), `""` for extensionless pages, `/` for directory style.
    pub page_suffix: String,
    /// Stop at an invalid record, or skip it.
    pub on_invalid: OnInvalid,
}

impl Default for InputOptions {
    fn default() -> InputOptions {
        InputOptions {
            mapping: Mapping::new(),
            page_suffix: ".html".into(),
            on_invalid: OnInvalid::Fail,
        }
    }
}

/// The shape an input was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// A JSON array of records, or a JSON object holding one.
    JsonArray,
    /// CSV (or `;`- or tab-separated values) with a header row.
    Csv,
    /// Markdown event pages: a folder of them, or one.
    Markdown,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Jsonl => "JSONL",
            Format::JsonArray => "a JSON array",
            Format::Csv => "CSV",
            Format::Markdown => "Markdown pages",
        })
    }
}

/// What reading the inputs gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// The events, in input order, with where each came from.
    pub events: Events,
    /// Records seen, valid or not.
    pub records: u64,
    /// Invalid records skipped (always 0 with [`OnInvalid::Fail`]).
    pub skipped: u64,
    /// Per input, its name and the shape it was read as.
    pub formats: Vec<(String, Format)>,
    /// Input fields that filled no event field, with how many records
    /// had them: most common first, then by name.
    pub unused: Vec<(String, u64)>,
    /// Pages of a folder that are not event pages (no date line: an
    /// about page, a day's index), left out; not records, so not counted
    /// as skipped.
    pub other_pages: Vec<String>,
}

impl Inputs {
    /// A one-line note on [`unused`](Inputs::unused) fields, e.g.
    /// `fields not used: tags (24 records), author (24) — map one with
    /// --field contexts=tags`; `None` when every field was used. The
    /// mapping it suggests is for the first field whose name says what
    /// it holds (`tags`, `headline`, `day`, …).
    pub fn unused_note(&self) -> Option<String> {
        let (first, _) = self.unused.first()?;
        let list: Vec<String> = self
            .unused
            .iter()
            .enumerate()
            .map(|(i, (name, n))| match (i, n) {
                (0, 1) => format!("{name} (1 record)"),
                (0, n) => format!("{name} ({n} records)"),
                (_, n) => format!("{name} ({n})"),
            })
            .collect();
        let hint = self
            .unused
            .iter()
            .find_map(|(name, _)| Some((likely_field(name)?.name(), name)));
        let (field, name) = hint.unwrap_or(("FIELD", first));
        Some(format!(
            "fields not used: {} — map one with --field {field}={name}",
            list.join(", ")
        ))
    }
}

impl Inputs {
    /// A one-line note on the [`other_pages`](Inputs::other_pages) left
    /// out, naming the first few; `None` when there are none.
    pub fn other_pages_note(&self) -> Option<String> {
        let first = self.other_pages.first()?;
        let n = self.other_pages.len();
        let shown: Vec<&str> =
            self.other_pages.iter().take(3).map(String::as_str).collect();
        let more = if n > 3 { ", …" } else { "" };
        Some(if n == 1 {
            format!("{first} is not an event page (no date line): left out")
        } else {
            format!(
                "{n} pages are not event pages (no date line) and were \
                 left out: {}{more}",
                shown.join(", ")
            )
        })
    }
}

/// The event field an input field's name suggests, for the note on
/// unused fields only: a mapping is never guessed.
fn likely_field(name: &str) -> Option<Field> {
    let n = name.to_ascii_lowercase().replace(['-', ' '], "_");
    Some(match n.as_str() {
        "identifier" | "uid" | "guid" | "uuid" | "key" => Field::Id,
        _ if n.ends_with("_id") => Field::Id,
        "day" | "when" | "published" | "published_at" | "pubdate"
        | "timestamp" | "datetime" | "created" | "created_at" => Field::Date,
        "headline" | "heading" | "subject" | "name" => Field::Title,
        "section" | "type" | "kind" => Field::Category,
        "source" | "outlet" | "outlets" | "publisher" | "publishers"
        | "references" | "citations" => Field::Sources,
        "tags" | "tag" | "keywords" | "topics" | "subjects" | "people"
        | "places" | "entities" | "labels" => Field::Contexts,
        "link" | "permalink" | "href" | "page" => Field::Url,
        "description" | "text" | "content" | "summary" | "details"
        | "article" => Field::Body,
        _ => return None,
    })
}

/// Reads inputs: files, folders of Markdown pages, and `-` for standard
/// input. Inputs are read side by side on all cores (and the records of
/// a large one parsed on all cores) and joined in the order given, so
/// events, errors and generated ids are as if read one by one.
/// `progress` is called with each count of bytes read (compressed bytes
/// for gzip), from any thread.
pub fn read_all(
    paths: &[PathBuf],
    opts: &InputOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Inputs> {
    let parts = crate::par::map(paths, |p| read_path(p, opts, progress));
    let mut named = Vec::with_capacity(parts.len());
    for (path, part) in paths.iter().zip(parts) {
        named.push((path.display().to_string(), part?));
    }
    Ok(finish(named))
}

/// Reads one input held in memory (gzipped or not); `name` stands for
/// its file in errors and origins. A folder of pages cannot be given
/// this way.
pub fn read_bytes(
    bytes: &[u8],
    name: &str,
    opts: &InputOptions,
) -> Result<Inputs> {
    let part = read_source(bytes, name, opts, &|_| {})?;
    Ok(finish(vec![(name.to_owned(), part)]))
}

/// The bytes `read_all` will read from these inputs (files' sizes, and
/// the `.md` files' in folders; nothing for standard input), for a
/// progress bar.
pub fn total_bytes(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .filter(|p| p.as_path() != Path::new("-"))
        .map(|p| {
            if p.is_dir() {
                let mut files = Vec::new();
                let _ = walk(p, Path::new(""), &mut files);
                files
                    .iter()
                    .filter_map(|f| std::fs::metadata(p.join(f)).ok())
                    .map(|m| m.len())
                    .sum()
            } else {
                std::fs::metadata(p).map_or(0, |m| m.len())
            }
        })
        .sum()
}

/// What one input (or a part of one) gave.
#[derive(Default)]
struct Part {
    format: Option<Format>,
    events: Events,
    /// Indexes in `events` of the events whose ids were generated.
    generated: Vec<usize>,
    records: u64,
    skipped: u64,
    unused: Map<String, u64>,
    other_pages: Vec<String>,
}

impl Part {
    /// Takes one record's outcome: its event, or its error, which stops
    /// the read unless invalid records are skipped. `unused` are its
    /// fields that fill no event field.
    fn take(
        &mut self,
        outcome: record::Converted,
        unused: Vec<String>,
        origin: Origin,
        on_invalid: OnInvalid,
        error: impl FnOnce(Origin, String) -> Error,
    ) -> Result<()> {
        self.records += 1;
        for name in unused {
            *self.unused.entry(name).or_default() += 1;
        }
        match outcome {
            Ok((event, generated)) => {
                if generated {
                    self.generated.push(self.events.len());
                }
                self.events.push(&event, &origin);
            }
            Err(_) if on_invalid == OnInvalid::Skip => self.skipped += 1,
            Err(detail) => return Err(error(origin, detail)),
        }
        Ok(())
    }

    /// Appends the records of `other`, which came after this part's.
    fn append(&mut self, other: Part) {
        let base = self.events.len();
        self.generated.extend(other.generated.iter().map(|i| base + i));
        self.events.append(other.events);
        self.records += other.records;
        self.skipped += other.skipped;
        self.other_pages.extend(other.other_pages);
        for (name, n) in other.unused {
            *self.unused.entry(name).or_default() += n;
        }
    }

    /// Joins parts made in order (the first error in order wins).
    fn join(parts: Vec<Result<Part>>) -> Result<Part> {
        let mut all = Part::default();
        for p in parts {
            all.append(p?);
        }
        Ok(all)
    }

    fn with_format(mut self, format: Format) -> Part {
        self.format = Some(format);
        self
    }
}

/// Joins the inputs' parts, in order, and gives identical generated ids
/// their `-2`, `-3` suffixes.
fn finish(parts: Vec<(String, Part)>) -> Inputs {
    let mut all = Part::default();
    let mut formats = Vec::with_capacity(parts.len());
    for (name, part) in parts {
        formats.push((name, part.format.unwrap_or(Format::Jsonl)));
        all.append(part);
    }
    let mut inputs = Inputs {
        events: all.events,
        records: all.records,
        skipped: all.skipped,
        formats,
        unused: all.unused.into_iter().collect(),
        other_pages: all.other_pages,
    };
    let mut seen: Map<String, u32> = Map::default();
    for i in all.generated {
        let id = inputs.events.id(i).to_owned();
        let n = seen.entry(id.clone()).or_default();
        *n += 1;
        if *n > 1 {
            inputs.events.set_id(i, &format!("{id}-{n}"));
        }
    }
    inputs.unused.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    inputs
}

/// A reader that reports the bytes that go through it.
struct Counting<'a, R> {
    inner: R,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress)(n as u64);
        Ok(n)
    }
}

/// The longest record of JSON Lines, and the largest Markdown page: a
/// longer line is an error, so memory per record is bounded whatever
/// the input holds.
pub const MAX_RECORD_BYTES: usize = 8 << 20;
/// JSON Lines is read this much text at a time (whole lines), each
/// batch parsed on all cores while the input's next bytes wait.
pub(crate) const BATCH_BYTES: usize = 16 << 20;
/// The largest input read whole (a JSON array, CSV, one Markdown page),
/// after gunzip.
pub const MAX_WHOLE_BYTES: usize = 1 << 30;

/// An input's bytes as they are read: gunzipped when they start with
/// gzip's magic bytes, counted for the progress bar.
fn decoded<'a>(
    raw: impl Read + 'a,
    progress: &'a (dyn Fn(u64) + Sync),
) -> io::Result<Box<dyn BufRead + 'a>> {
    let mut input =
        BufReader::with_capacity(1 << 16, Counting { inner: raw, progress });
    let gzip = input.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(input),
        ))
    } else {
        Box::new(input)
    })
}

/// Appends one line (with its newline, if it has one) to `out`, or
/// nothing at the end of the input; a line longer than `max` is an
/// error of kind `InvalidData` (what was read of it stays in `out`).
fn read_line(
    input: &mut dyn BufRead,
    out: &mut Vec<u8>,
    max: usize,
) -> io::Result<usize> {
    let n = input.take(max as u64 + 1).read_until(b'\n', out)?;
    if n > max && out.last() != Some(&b'\n') {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "too long"));
    }
    Ok(n)
}

/// Reads a whole input (at most `max` bytes after gunzip). A read that
/// fails part way returns what came before it, and the error.
fn read_stream(
    raw: impl Read,
    progress: &(dyn Fn(u64) + Sync),
    max: usize,
) -> (Vec<u8>, Option<io::Error>) {
    let mut text = Vec::new();
    let mut input = match decoded(raw, progress) {
        Ok(i) => i,
        Err(e) => return (text, Some(e)),
    };
    let failed = read_rest(&mut input, &mut text, max).err();
    (text, failed)
}

/// Reads the rest of `input` onto `text`, which may hold at most `max`
/// bytes.
fn read_rest(
    input: &mut dyn BufRead,
    text: &mut Vec<u8>,
    max: usize,
) -> io::Result<()> {
    let room = max.saturating_sub(text.len()) as u64;
    input.take(room + 1).read_to_end(text)?;
    if text.len() > max {
        return Err(too_large(max));
    }
    Ok(())
}

/// The error of an input larger than `max` bytes that is read whole.
fn too_large(max: usize) -> io::Error {
    io::Error::other(format!(
        "larger than {} MiB, the most read whole; give JSON Lines (one \
         record a line, read a batch at a time) for an archive this large",
        max >> 20
    ))
}

/// Reads one input from a stream (a file or standard input). JSON Lines
/// — an input whose first line is a whole JSON object and is not its
/// only line — is read a batch of lines at a time; any other shape is
/// read whole.
fn read_source(
    raw: impl Read,
    name: &str,
    opts: &InputOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Part> {
    let read_error = |e: io::Error| Error::Input {
        file: name.to_owned(),
        detail: format!("cannot read: {e}"),
    };
    let mut input = decoded(raw, progress).map_err(read_error)?;
    // The blank lines before the first line with something on it, and
    // that line.
    let mut head = Vec::new();
    let mut failed = None;
    let mut lines = 0u64;
    let mut last;
    loop {
        last = head.len();
        match read_line(&mut input, &mut head, MAX_WHOLE_BYTES) {
            Ok(0) => break,
            Ok(_) => lines += 1,
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                failed = Some(too_large(MAX_WHOLE_BYTES));
                break;
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
        let line = &head[last..];
        let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
        if !line.iter().all(u8::is_ascii_whitespace) {
            break;
        }
    }
    let first = head[last..].strip_prefix(b"\xef\xbb\xbf");
    let first = first.unwrap_or(&head[last..]);
    let jsonl = failed.is_none()
        && json::is_object_line(first)
        && !input.fill_buf().map_err(read_error)?.is_empty();
    if jsonl {
        return json::read_jsonl_stream(head, lines, input, name, opts);
    }
    if failed.is_none() {
        failed = read_rest(&mut input, &mut head, MAX_WHOLE_BYTES).err();
    }
    read_text(head, failed, name, opts)
}

/// Reads one input given by path: a folder, a file, or `-`.
fn read_path(
    path: &Path,
    opts: &InputOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Part> {
    let name = path.display().to_string();
    if path == Path::new("-") {
        return read_source(io::stdin().lock(), &name, opts, progress);
    }
    let cannot_open = |e: io::Error| Error::CannotOpen {
        file: name.clone(),
        detail: e.to_string(),
    };
    if std::fs::metadata(path).map_err(cannot_open)?.is_dir() {
        return markdown::read_folder(path, &name, opts, progress);
    }
    let file = File::open(path).map_err(cannot_open)?;
    read_source(file, &name, opts, progress)
}

/// Reads one input's bytes, in the shape its content shows.
fn read_text(
    text: Vec<u8>,
    failed: Option<io::Error>,
    name: &str,
    opts: &InputOptions,
) -> Result<Part> {
    let body = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&text);
    let first = body.iter().position(|b| !b.is_ascii_whitespace());
    let first = first.map(|i| body[i]);
    // JSON Lines keeps the builder's handling of a read that fails part
    // way (the whole lines before it are read); any other shape needs
    // the whole input.
    if let Some(e) = &failed {
        if !matches!(first, None | Some(b'{')) {
            return Err(Error::Input {
                file: name.to_owned(),
                detail: format!("cannot read: {e}"),
            });
        }
    }
    let part = match first {
        None | Some(b'{') => json::read_braced(body, failed, name, opts)?,
        Some(b'[') => {
            let text = Text::new(body);
            let why = "a JSON array (the input starts with `[`)";
            json::read_array(&text, &text.text, name, why, opts)?
                .with_format(Format::JsonArray)
        }
        Some(b'#') => {
            let file = Path::new(name)
                .file_name()
                .map_or(name.into(), |f| f.to_string_lossy().into_owned());
            let why = "a Markdown event page (the input starts with `#`)";
            markdown::read_page(body, name, &file, why, opts, false)?
                .with_format(Format::Markdown)
        }
        Some(_) => {
            csv::read(&Text::new(body), name, opts)?.with_format(Format::Csv)
        }
    };
    Ok(part)
}

/// An input's text, with where its invalid UTF-8 was: each invalid
/// sequence became U+FFFD, and a record holding one is invalid (so
/// [`OnInvalid::Skip`] skips it) while the rest reads as usual.
struct Text {
    text: String,
    /// Byte offsets in `text` of the replacement characters, ascending.
    bad: Vec<usize>,
}

impl Text {
    fn new(bytes: &[u8]) -> Text {
        let mut text = String::with_capacity(bytes.len());
        let mut bad = Vec::new();
        for chunk in bytes.utf8_chunks() {
            text.push_str(chunk.valid());
            if !chunk.invalid().is_empty() {
                bad.push(text.len());
                text.push(char::REPLACEMENT_CHARACTER);
            }
        }
        Text { text, bad }
    }

    /// Whether the bytes `start..end` held invalid UTF-8.
    fn is_bad(&self, start: usize, end: usize) -> bool {
        let i = self.bad.partition_point(|&b| b < start);
        self.bad.get(i).is_some_and(|&b| b < end)
    }
}

/// The message for a record that is not UTF-8 (as the builder words it).
const NOT_UTF8: &str = "cannot read: stream did not contain valid UTF-8";

/// Lists the `.md` files under `dir` (recursively, by path relative to
/// `rel`), skipping hidden entries and not following links to folders.
fn walk(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir.join(rel))? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = rel.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(dir, &path, out)?;
        } else if name.to_string_lossy().ends_with(".md")
            && (kind.is_file() || dir.join(&path).is_file())
        {
            out.push(path);
        }
    }
    Ok(())
}

/// The number of the line holding byte `at` of `text`.
fn line_at(text: &[u8], at: usize) -> u64 {
    1 + text[..at.min(text.len())].iter().filter(|&&b| b == b'\n').count()
        as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Inputs> {
        read_bytes(text.as_bytes(), "in", &InputOptions::default())
    }

    #[test]
    fn the_shape_is_recognised_from_the_content() {
        let rec = r#"{"date":"2014-05-06","title":"Talks"}"#;
        let cases = [
            (format!("{rec}\n{rec}\n"), Format::Jsonl),
            (format!("\u{feff}  \n{rec}\n"), Format::Jsonl),
            ("".to_owned(), Format::Jsonl),
            (format!("[{rec},\n{rec}]"), Format::JsonArray),
            (format!("{{\n\"events\": [{rec}, {rec}]\n}}"), Format::JsonArray),
            (format!("{{\"events\": [{rec}, {rec}]}}"), Format::JsonArray),
            ("date,title\n2014-05-06,Talks\n".into(), Format::Csv),
            ("### [2014-05-6](/x)\n# Talks\n".into(), Format::Markdown),
        ];
        for (text, want) in cases {
            let got = read(&text).unwrap();
            assert_eq!(got.formats, [("in".to_owned(), want)], "{text}");
        }
    }

    #[test]
    fn identical_records_get_numbered_ids() {
        let rec = r#"{"date":"2014-05-06","title":"Talks"}"#;
        let other = r#"{"date":"2014-05-07","title":"Talks"}"#;
        let got = read(&format!("{rec}\n{other}\n{rec}\n{rec}\n")).unwrap();
        let ids: Vec<String> = got.events.iter().map(|(e, _)| e.id).collect();
        let base = record::generated_id("2014-05-06", "Talks", None);
        let second = record::generated_id("2014-05-07", "Talks", None);
        let want =
            [base.clone(), second, format!("{base}-2"), format!("{base}-3")];
        assert_eq!(ids, want);
    }

    #[test]
    fn unused_fields_are_counted_and_noted() {
        let got = read(
            "{\"date\":\"2014-05-06\",\"title\":\"a\",\"tags\":[\"x\"],\
             \"author\":\"b\"}\n\
             {\"date\":\"2014-05-06\",\"title\":\"b\",\"tags\":[\"x\"]}\n",
        )
        .unwrap();
        assert_eq!(got.unused, [("tags".into(), 2), ("author".into(), 1)]);
        assert_eq!(
            got.unused_note().unwrap(),
            "fields not used: tags (2 records), author (1) — map one with \
             --field contexts=tags"
        );
    }

    #[test]
    fn the_note_suggests_a_mapping_only_by_name() {
        let note = |unused: &[(&str, u64)]| {
            let unused =
                unused.iter().map(|(n, c)| (n.to_string(), *c)).collect();
            Inputs { unused, ..Default::default() }.unused_note()
        };
        assert_eq!(note(&[]), None);
        assert_eq!(
            note(&[("wcep_id", 8)]).unwrap(),
            "fields not used: wcep_id (8 records) — map one with --field \
             id=wcep_id"
        );
        assert_eq!(
            note(&[("author", 3), ("Headline", 2)]).unwrap(),
            "fields not used: author (3 records), Headline (2) — map one \
             with --field title=Headline"
        );
        assert_eq!(
            note(&[("author", 1)]).unwrap(),
            "fields not used: author (1 record) — map one with --field \
             FIELD=author"
        );
    }

    #[test]
    fn invalid_utf8_is_an_invalid_record() {
        let skip =
            InputOptions { on_invalid: OnInvalid::Skip, ..Default::default() };
        let good = r#"{"date":"2014-05-06","title":"Talks"}"#;
        let bad = b"{\"date\":\"2014-05-06\",\"title\":\"Z\xfcrich\"}";
        let mut jsonl = format!("{good}\n").into_bytes();
        jsonl.extend_from_slice(bad);
        let mut array = format!("[{good},\n").into_bytes();
        array.extend_from_slice(bad);
        array.push(b']');
        let mut csv = b"date,title\n2014-05-06,Talks\n2014-05-07,Z".to_vec();
        csv.extend_from_slice(b"\xfcrich\n");
        let errors = [
            (jsonl, "in:2: cannot read: stream did not contain valid UTF-8"),
            (
                array,
                "in:2: read as a JSON array (the input starts with `[`): \
                 cannot read: stream did not contain valid UTF-8",
            ),
            (
                csv,
                "in:3: read as CSV (header: date,title): cannot read: \
                 stream did not contain valid UTF-8",
            ),
        ];
        for (bytes, want) in errors {
            let e = read_bytes(&bytes, "in", &InputOptions::default());
            assert_eq!(e.unwrap_err().to_string(), want);
            let got = read_bytes(&bytes, "in", &skip).unwrap();
            assert_eq!(
                (got.events.len(), got.records, got.skipped),
                (1, 2, 1)
            );
        }
    }

    #[test]
    fn gzip_is_recognised_by_its_magic() {
        use std::io::Write;
        let rec = r#"[{"date":"2014-05-06","title":"Talks"}]"#;
        let mut gz = flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        );
        gz.write_all(b"\xef\xbb\xbf").unwrap();
        gz.write_all(rec.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let got = read_bytes(&bytes, "in.json", &InputOptions::default());
        assert_eq!(got.unwrap().events.get(0).0.title, "Talks");
        let cut = &bytes[..bytes.len() - 4];
        let e = read_bytes(cut, "in.json", &InputOptions::default());
        assert!(e
            .unwrap_err()
            .to_string()
            .starts_with("in.json: cannot read: "),);
    }
}
