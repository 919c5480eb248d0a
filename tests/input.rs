//! Reading an owner's data in the shapes they have it: each fixture of
//! `tests/data/input/` through `read_all`, the messages of each kind of
//! error, and the byte-level cases (BOM, gzip by its magic, invalid
//! UTF-8).
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chronicle::input::{
    read_all, read_bytes, total_bytes, Config, Format, InputOptions, Inputs,
    Mapping, OnInvalid,
};
use chronicle::query::{SearchOptions, Searcher};
use chronicle::{builder, Event, Index, Result, Source};

/// A fixture, by the path tests run from (the package root), so that
/// messages name it as a user would.
fn data(name: &str) -> PathBuf {
    Path::new("tests/data/input").join(name)
}

fn read(paths: &[PathBuf], opts: &InputOptions) -> Result<Inputs> {
    read_all(paths, opts, &|_| {})
}

fn one(path: &Path, opts: &InputOptions) -> Result<Inputs> {
    read(&[path.to_owned()], opts)
}

fn skip() -> InputOptions {
    InputOptions { on_invalid: OnInvalid::Skip, ..Default::default() }
}

fn mapped(mapping: Mapping) -> InputOptions {
    InputOptions { mapping, ..Default::default() }
}

fn find(inputs: &Inputs, title_start: &str) -> Event {
    let found =
        inputs.events.iter().find(|e| e.0.title.starts_with(title_start));
    found.unwrap_or_else(|| panic!("no event {title_start:?}")).0
}

fn source(name: &str, url: Option<&str>) -> Source {
    Source { name: name.into(), url: url.map(Into::into) }
}

const SEED_TITLE: &str = "Russian foreign minister Sergey Lavrov rules out \
                          any fresh talks in Geneva to defuse the crisis \
                          unless pro-Russian groups are also involved.";
const SEED_PAGE: &str = "news/2014/05/6/russian-foreign-minister-sergey-\
                         lavrov-rules-out-any-fresh-talks-in-geneva-to-\
                         defuse-the-crisis-unless-pro-russian-groups-are-\
                         also-involved";

fn bbc() -> Source {
    source("BBC", Some("http://www.bbc.com/news/world-europe-27289897"))
}

#[test]
fn a_json_array() {
    let got = read(&[data("events.json")], &Default::default()).unwrap();
    assert_eq!(
        got.formats,
        [("tests/data/input/events.json".to_owned(), Format::JsonArray)]
    );
    assert_eq!((got.events.len(), got.records, got.skipped), (6, 6, 0));
    assert!(got.unused.is_empty());
    let seed = find(&got, "Russian foreign minister Sergey Lavrov rules");
    assert_eq!(seed.id, "wcep-20140506-001");
    assert_eq!(seed.title, SEED_TITLE);
    assert_eq!(seed.date, "2014-05-06");
    assert_eq!(seed.sources, [bbc()]);
    // Each record keeps the line it starts on.
    let lines: Vec<u64> = got.events.iter().map(|e| e.1.line).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]) && lines[0] == 2);

    // A record without an id gets one; a date-time gives its date.
    let no_id = find(&got, "Russian Foreign Minister Sergey Lavrov says that");
    assert!(no_id.id.starts_with("ev-") && no_id.id.len() == 19);
    let again = read(&[data("events.json")], &Default::default()).unwrap();
    assert_eq!(find(&again, &no_id.title).id, no_id.id);
    let timed = find(&got, "United Nations special envoy");
    assert_eq!(timed.date, "2016-02-26");

    // The same records inside an object: `{"events": [...]}`.
    let array = std::fs::read_to_string(data("events.json")).unwrap();
    let wrapped = format!("{{\n  \"version\": 1,\n  \"events\": {array}}}");
    let inner =
        read_bytes(wrapped.as_bytes(), "wrapped.json", &Default::default())
            .unwrap();
    assert_eq!(inner.formats[0].1, Format::JsonArray);
    let events: Vec<Event> = inner.events.iter().map(|e| e.0).collect();
    let want: Vec<Event> = got.events.iter().map(|e| e.0).collect();
    assert_eq!(events, want);
    assert_eq!(inner.events.get(0).1.line, 4);
}

#[test]
fn csv_with_an_owners_column_names() {
    let csv = data("events.csv");
    let e = one(&csv, &Default::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "tests/data/input/events.csv:2: read as CSV (header: \
         headline,day,section,tags,outlets,page,wcep_id): missing required \
         field `date` (map it with --field date=COLUMN)"
    );
    // Skipped, every record says which of its fields went unused.
    let got = one(&csv, &skip()).unwrap();
    assert_eq!((got.events.len(), got.records, got.skipped), (0, 8, 8));
    assert_eq!(got.unused.len(), 7);
    assert!(got.unused.iter().all(|u| u.1 == 8), "{:?}", got.unused);

    let config = Config::read(&data("events.toml")).unwrap();
    assert_eq!(config.page_suffix, None);
    let got = one(&csv, &mapped(config.mapping.clone())).unwrap();
    assert_eq!(got.formats[0].1, Format::Csv);
    assert_eq!(got.events.len(), 8);
    assert_eq!(got.unused, [("wcep_id".to_owned(), 8)]);
    let first = &got.events.get(0).0;
    assert_eq!(first.title, "Talks in Geneva end.");
    assert_eq!(first.date, "2014-02-01");
    assert_eq!(first.category.as_deref(), Some("Armed conflicts and attacks"));
    assert_eq!(first.contexts, ["Syrian Civil War", "Geneva"]);
    assert_eq!(
        first.sources,
        [source(
            "BBC",
            Some("http://www.bbc.co.uk/news/world-middle-east-25983181")
        )]
    );
    assert_eq!(
        first.url.as_deref(),
        Some("/news/2014/02/1/talks-in-geneva-end.md")
    );
    assert!(first.id.starts_with("ev-"));
    // A quoted cell keeps its commas; a list cell its items.
    let hnc = find(&got, "The High Negotiations Committee, Syria's main");
    assert!(hnc.title.ends_with("against rebels in Aleppo."));
    assert_eq!(hnc.sources.len(), 3);
    assert_eq!(hnc.contexts.len(), 9);
    assert_eq!(got.events.get(2).1.line, 4);

    // The same mapping from the command line's `--field`s.
    let fields = Mapping::from_specs([
        "title=headline",
        "date=day",
        "category=section",
        "contexts=tags",
        "sources=outlets",
        "url=page",
    ])
    .unwrap();
    assert_eq!(fields, config.mapping);
}

#[test]
fn csv_in_chronicles_own_names() {
    let got = read(&[data("events-own.csv")], &Default::default()).unwrap();
    assert_eq!(got.formats[0].1, Format::Csv);
    assert_eq!(got.events.len(), 5);
    assert!(got.unused.is_empty());
    let ev = &got.events.get(1).0;
    assert_eq!(ev.id, "wcep-20101206-006");
    assert_eq!(ev.date, "2010-12-06");
    assert_eq!(ev.category.as_deref(), Some("International relations"));
    assert_eq!(
        ev.sources,
        [source(
            "BBC",
            Some("http://www.bbc.co.uk/news/world-middle-east-11923194")
        )]
    );
    assert_eq!(ev.contexts, ["Geneva", "Nuclear program of Iran"]);
    // An empty cell is an absent field.
    assert_eq!(got.events.get(0).0.category, None);
    assert_eq!(got.events.get(0).0.sources[0].name, "allafrica.com");
}

#[test]
fn sources_as_plain_names_and_a_field_not_used() {
    let path = data("sources-plain.jsonl");
    let got = one(&path, &Default::default()).unwrap();
    assert_eq!(got.formats[0].1, Format::Jsonl);
    assert_eq!(got.events.len(), 6);
    assert_eq!(got.unused, [("tags".to_owned(), 6)]);
    assert_eq!(
        got.unused_note().unwrap(),
        "fields not used: tags (6 records) — map one with --field \
         contexts=tags"
    );
    let committee = find(&got, "The first meeting of the Syrian");
    assert_eq!(committee.sources, [source("Reuters", None)]);
    assert!(committee.contexts.is_empty());
    let summit = find(&got, "U.S. President Joe Biden meets");
    assert_eq!(summit.sources, [source("CBS News", None)]);

    let tags = Mapping::from_specs(["contexts=tags"]).unwrap();
    let got = read(&[path], &mapped(tags)).unwrap();
    assert!(got.unused.is_empty());
    let committee = find(&got, "The first meeting of the Syrian");
    assert_eq!(committee.contexts, ["Syrian peace process"]);
}

#[test]
fn a_folder_of_event_pages() {
    let site = data("site");
    // about.md has no date line: it is another kind of page, left out
    // and named, not an invalid record.
    let got = one(&site, &Default::default()).unwrap();
    assert_eq!(got.other_pages, ["tests/data/input/site/about.md"]);
    assert_eq!(
        got.formats,
        [("tests/data/input/site".to_owned(), Format::Markdown)]
    );
    assert_eq!((got.events.len(), got.records, got.skipped), (22, 22, 0));
    assert_eq!(
        got.other_pages_note().unwrap(),
        "tests/data/input/site/about.md is not an event page (no date \
         line): left out"
    );
    // A page with a date line but no headline is a broken event page.
    let broken = scratch(&[("x/a.md", b"### [2014-05-6](/x)\n\ntext\n")]);
    let e = one(&broken.path().join("x"), &Default::default()).unwrap_err();
    assert!(
        e.to_string().ends_with("no `# headline` line after the date"),
        "{e}"
    );
    // Sorted path order: about.md (skipped), then news/1999/…
    assert_eq!(got.events.get(0).0.title, "The euro currency is introduced.");
    let dates: Vec<String> = got.events.iter().map(|e| e.0.date).collect();
    assert!(
        dates.iter().any(|d| d == "2014-02-01")
            && dates.iter().any(|d| d == "2022-01-10")
    );

    let seed = find(&got, "Russian foreign minister Sergey Lavrov rules");
    assert_eq!(seed.title, SEED_TITLE);
    assert_eq!(seed.date, "2014-05-06");
    assert_eq!(seed.sources, [bbc()], "the cover image is no source");
    assert_eq!(
        seed.contexts,
        ["Geneva", "Sergey Lavrov", "2014 pro-Russian unrest in Ukraine"]
    );
    assert_eq!(seed.id, SEED_PAGE);
    assert_eq!(seed.url.as_deref(), Some(&*format!("{SEED_PAGE}.html")));
    let origin = &got.events.iter().find(|e| e.0.id == SEED_PAGE).unwrap().1;
    assert_eq!(origin.file, format!("tests/data/input/site/{SEED_PAGE}.md"));

    // A source without a link keeps its name.
    let committee = find(&got, "The first meeting of the Syrian");
    assert_eq!(committee.sources, [source("Reuters", None)]);
    assert_eq!(committee.contexts, ["Syrian peace process"]);

    for (suffix, want) in
        [("", SEED_PAGE.to_owned()), ("/", format!("{SEED_PAGE}/"))]
    {
        let opts = InputOptions { page_suffix: suffix.into(), ..skip() };
        let got = one(&site, &opts).unwrap();
        let seed = find(&got, "Russian foreign minister Sergey Lavrov rules");
        assert_eq!(seed.url.as_deref(), Some(&*want));
    }
}

#[test]
fn one_event_page() {
    let page = data(&format!("site/{SEED_PAGE}.md"));
    let got = read(&[page], &Default::default()).unwrap();
    assert_eq!(got.formats[0].1, Format::Markdown);
    let (seed, origin) = &got.events.get(0);
    assert_eq!(seed.title, SEED_TITLE);
    // Alone, a page is named from its own folder.
    let stem = SEED_PAGE.rsplit('/').next().unwrap();
    assert_eq!(seed.id, stem);
    assert_eq!(seed.url.as_deref(), Some(&*format!("{stem}.html")));
    assert_eq!(origin.line, 1);

    let about = read(&[data("site/about.md")], &Default::default());
    assert_eq!(
        about.unwrap_err().to_string(),
        "tests/data/input/site/about.md:1: read as a Markdown event page \
         (the input starts with `#`): not an event page: no date line, such \
         as `### [2014-05-6](/news/2014/05/6/index.md)`"
    );
}

#[test]
fn the_pages_build_an_index_that_finds_the_seed() {
    let got = read(&[data("site")], &skip()).unwrap();
    let bytes = builder::build(got.events).unwrap();
    let searcher = Searcher::new(Index::new(bytes.as_slice()).unwrap());
    let result = searcher
        .search("lavrov geneva talks", &SearchOptions::default())
        .unwrap();
    let top = Index::new(bytes.as_slice())
        .unwrap()
        .stored(&[result.hits[0].doc])
        .unwrap();
    assert_eq!(top[0].id, SEED_PAGE);
    assert_eq!(top[0].url.as_deref(), Some(&*format!("{SEED_PAGE}.html")));
}

#[test]
fn several_inputs_are_joined_in_order() {
    let config = Config::read(&data("events.toml")).unwrap();
    let opts = InputOptions { mapping: config.mapping, ..skip() };
    let paths = [data("events.csv"), data("site"), data("events.csv")];
    let got = read(&paths, &opts).unwrap();
    let formats: Vec<Format> = got.formats.iter().map(|f| f.1).collect();
    assert_eq!(formats, [Format::Csv, Format::Markdown, Format::Csv]);
    assert_eq!(got.events.len(), 8 + 22 + 8);
    // The second copy of each record gets `-2` on its generated id.
    for i in 0..8 {
        let (first, second) =
            (&got.events.get(i).0, &got.events.get(30 + i).0);
        assert_eq!(second.id, format!("{}-2", first.id));
        assert_eq!(
            got.events.get(30 + i).1.file,
            "tests/data/input/events.csv"
        );
    }
}

#[test]
fn progress_counts_the_bytes_read() {
    let paths = [data("events.json"), data("site"), data("events.csv")];
    let seen = AtomicU64::new(0);
    let count = |n: u64| {
        seen.fetch_add(n, Ordering::Relaxed);
    };
    read_all(&paths, &skip(), &count).unwrap();
    let seen = seen.load(Ordering::Relaxed);
    assert_eq!(seen, total_bytes(&paths));
    assert!(seen > 40_000, "{seen}");
}

/// A scratch folder for inputs made on the spot.
fn scratch(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz =
        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn byte_order_marks_and_gzip_by_its_magic() {
    let json = std::fs::read(data("events.json")).unwrap();
    let mut csv = b"\xef\xbb\xbf".to_vec();
    csv.extend(std::fs::read(data("events-own.csv")).unwrap());
    let dir = scratch(&[
        ("export.data", &gzip(&json)),
        ("own.txt", &csv),
        ("site/a.md.txt", b"not a page"),
        ("site/a.md", &gzip(&std::fs::read(data("site/about.md")).unwrap())),
    ]);
    let p = |n: &str| dir.path().join(n);
    let got =
        read(&[p("export.data"), p("own.txt")], &Default::default()).unwrap();
    let formats: Vec<Format> = got.formats.iter().map(|f| f.1).collect();
    assert_eq!(formats, [Format::JsonArray, Format::Csv]);
    assert_eq!(got.events.len(), 6 + 5);
    assert_eq!(got.events.get(6).0.id, "wcep-20040211-009", "BOM skipped");
    // A gzipped page is read too (and about.md is no event).
    let got = read(&[p("site")], &skip()).unwrap();
    assert_eq!((got.records, got.skipped), (0, 0));
    assert_eq!(got.other_pages.len(), 1);
}

#[test]
fn invalid_utf8_is_a_record_to_skip() {
    let good = br#"{"id":"a","date":"2014-05-06","title":"Talks"}"#;
    let mut jsonl = good.to_vec();
    jsonl.extend(
        b"\n{\"id\":\"b\",\"date\":\"2014-05-06\",\"title\":\"Z\xfc\"}\n",
    );
    let page = b"### [2014-05-6](/x)\n\n# Z\xfcrich\n";
    let dir = scratch(&[
        ("in.jsonl", &jsonl),
        ("site/a.md", page),
        ("site/b.md", b"### [2014-05-6](/x)\n\n# Zurich\n"),
    ]);
    let p = |n: &str| dir.path().join(n);
    let e = read(&[p("in.jsonl")], &Default::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2: cannot read: stream did not contain valid UTF-8",
            p("in.jsonl").display()
        )
    );
    let got = read(&[p("in.jsonl"), p("site")], &skip()).unwrap();
    assert_eq!((got.events.len(), got.records, got.skipped), (2, 4, 2));
    assert_eq!(got.events.get(1).0.id, "b");
    let e = read(&[p("site")], &Default::default()).unwrap_err();
    let site = p("site").display().to_string();
    assert_eq!(
        e.to_string(),
        format!(
            "{site}/a.md:3: read as a Markdown event page (a `.md` file in \
             the folder {site}): cannot read: stream did not contain valid \
             UTF-8"
        )
    );
}

#[test]
fn errors_about_the_inputs_themselves() {
    let dir = scratch(&[
        ("empty/notes.txt", b"x"),
        ("broken.json", b"[\n  {\"title\": \"a\"},\n  {\"title\"\n"),
    ]);
    let p = |n: &str| dir.path().join(n);
    let cases = [
        (
            p("missing.json"),
            "cannot open {}: No such file or directory (os error 2)",
        ),
        (
            p("empty"),
            "{}: a folder is read as Markdown event pages, and this one \
             holds no `.md` file",
        ),
        (
            p("broken.json"),
            "{}:4: read as a JSON array (the input starts with `[`): \
             malformed JSON: EOF while parsing an object",
        ),
    ];
    for (path, want) in cases {
        let e = one(&path, &Default::default()).unwrap_err();
        let want = want.replace("{}", &path.display().to_string());
        assert_eq!(e.to_string(), want);
    }
}

/// JSON Lines is read a batch at a time: an input of several batches
/// reads whole, and an error in a later batch names its line.
#[test]
fn json_lines_larger_than_a_batch_streams() {
    let line = |i: usize| {
        format!(
            "{{\"id\":\"e{i}\",\"date\":\"2014-05-06\",\"title\":\"Event {i} \
             {}\"}}\n",
            "of a long archive ".repeat(20)
        )
    };
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 40 << 20 {
        text.push_str(&line(n));
        n += 1;
    }
    let dir = scratch(&[("big.jsonl", text.as_bytes())]);
    let path = dir.path().join("big.jsonl");
    let got = read(std::slice::from_ref(&path), &Default::default()).unwrap();
    assert_eq!(got.events.len(), n);
    assert_eq!(got.events.get(n - 1).1.line, n as u64);
    text.push_str("{oops\n");
    std::fs::write(&path, &text).unwrap();
    let e = read(&[path], &Default::default()).unwrap_err();
    assert!(
        e.to_string().ends_with(&format!(
            ":{}: malformed JSON: key must be a string",
            n + 1
        )),
        "{e}"
    );
}

/// Memory per record is bounded: a line longer than the limit is an
/// error at that line, not an allocation as large as the input.
#[test]
fn a_record_longer_than_the_limit_is_an_error() {
    let mut text = br#"{"id":"a","date":"2014-05-06","title":"x"}"#.to_vec();
    text.push(b'\n');
    text.extend(std::iter::repeat_n(
        b'a',
        chronicle::input::MAX_RECORD_BYTES + 1,
    ));
    let dir = scratch(&[("long.jsonl", &text)]);
    let e = read(&[dir.path().join("long.jsonl")], &Default::default())
        .unwrap_err();
    assert!(
        e.to_string().ends_with("long.jsonl:2: a record longer than 8 MiB (JSON Lines: one record a line)"),
        "{e}"
    );
}
