//! The `chronicle` command line: exact messages for bad input, exit
//! codes, atomic writes, JSON output.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use chronicle::Index;

const EVENTS: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/events.jsonl");

/// Prints both sides when they differ, line by line.
macro_rules! eqnice {
    ($want:expr, $got:expr) => {{
        let (want, got): (&str, &str) = (&$want, &$got);
        if want != got {
            panic!("\n--- want\n{want}\n--- got\n{got}\n---");
        }
    }};
}

struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir { tmp: tempfile::tempdir().unwrap() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        fs::write(&p, text).unwrap();
        p
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_stdin(args, None)
    }

    fn run_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chronicle"))
            .args(args)
            .current_dir(self.tmp.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let input = stdin.unwrap_or("").to_owned();
        let mut pipe = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = pipe.write_all(input.as_bytes());
        });
        child.wait_with_output().unwrap()
    }

    fn index(&self) -> PathBuf {
        let out = self.run(&["build", EVENTS, "-o", "events.chron"]);
        assert!(out.status.success(), "{}", stderr(&out));
        self.path("events.chron")
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

const GOOD: &str =
    r#"{"id":"a","date":"2014-05-06","title":"Talks in Geneva"}"#;

#[test]
fn build_reports_counts_on_one_line() {
    let d = Dir::new();
    let out = d.run(&["build", EVENTS, "-o", "events.chron"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let s = stdout(&out);
    assert_eq!(s.lines().count(), 1, "{s}");
    assert!(s.starts_with("indexed 46 events, "), "{s}");
    assert!(s.contains(" terms, ") && s.contains(" bytes in "), "{s}");
    assert!(stderr(&out).is_empty(), "no progress bar on a pipe");
}

#[test]
fn each_bad_record_names_file_and_line() {
    let cases = [
        ("{not json", "malformed JSON: key must be a string"),
        (
            r#"{"date":"2014-05-06","title":"t"}"#,
            "missing required field `id`",
        ),
        (r#"{"id":"b","title":"t"}"#, "missing required field `date`"),
        (
            r#"{"id":"b","date":"2014-05-06"}"#,
            "missing required field `title`",
        ),
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
    for (bad, msg) in cases {
        let d = Dir::new();
        d.write("in.jsonl", &format!("{GOOD}\n\n{bad}\n"));
        let out = d.run(&["build", "in.jsonl", "-o", "out.chron"]);
        assert_eq!(code(&out), 2, "{bad}");
        eqnice!(format!("chronicle: in.jsonl:3: {msg}\n"), stderr(&out));
        assert!(!d.path("out.chron").exists());
    }
}

#[test]
fn duplicate_ids_are_an_error_naming_both_lines() {
    let d = Dir::new();
    d.write("a.jsonl", &format!("{GOOD}\n"));
    d.write("b.jsonl", &format!("{GOOD}\n"));
    let out = d.run(&["build", "a.jsonl", "b.jsonl", "-o", "out.chron"]);
    assert_eq!(code(&out), 2);
    eqnice!(
        "chronicle: b.jsonl:1: duplicate id `a` (first at a.jsonl:1)\n",
        stderr(&out)
    );
}

#[test]
fn skip_invalid_skips_and_counts() {
    let d = Dir::new();
    d.write("in.jsonl", &format!("{GOOD}\n{{\n{{\"id\":\"x\"}}\n"));
    let out =
        d.run(&["build", "in.jsonl", "-o", "out.chron", "--skip-invalid"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let s = stdout(&out);
    assert!(s.starts_with("indexed 1 events"), "{s}");
    assert!(s.trim_end().ends_with(", 2 invalid records skipped"), "{s}");
}

#[test]
fn gzip_and_stdin_inputs() {
    let d = Dir::new();
    let gz = d.path("in.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(
        fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(format!("{GOOD}\n").as_bytes()).unwrap();
    enc.finish().unwrap();
    let second = r#"{"id":"b","date":"2015-01-01","title":"Snow in Zürich","sources":[{"name":"BBC","url":null}]}"#;
    let out = d.run_stdin(
        &["build", "in.jsonl.gz", "-", "-o", "out.chron"],
        Some(&format!("{second}\n")),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("indexed 2 events"));
    let out = d.run(&["search", "out.chron", "zurich", "--json"]);
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["hits"][0]["id"], "b");
    assert_eq!(v["hits"][0]["sources"][0]["url"], serde_json::Value::Null);
}

#[test]
fn a_failed_build_keeps_the_previous_index() {
    let d = Dir::new();
    let index = d.index();
    let before = fs::read(&index).unwrap();
    d.write("bad.jsonl", &format!("{GOOD}\n{{oops\n"));
    let out = d.run(&["build", "bad.jsonl", "-o", "events.chron"]);
    assert_eq!(code(&out), 2);
    assert_eq!(fs::read(&index).unwrap(), before);
    let leftovers: Vec<_> = fs::read_dir(d.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn missing_input_is_a_clear_error() {
    let d = Dir::new();
    let out = d.run(&["build", "nope.jsonl", "-o", "out.chron"]);
    assert_eq!(code(&out), 2);
    let e = stderr(&out);
    assert!(e.starts_with("chronicle: cannot open nope.jsonl: "), "{e}");
}

#[test]
fn search_exit_codes_and_text() {
    let d = Dir::new();
    d.index();
    let out = d.run(&["search", "events.chron", "lavrov geneva"]);
    assert_eq!(code(&out), 0);
    let s = stdout(&out);
    assert!(
        s.starts_with(
            "2014-05-06  Russian foreign minister Sergey Lavrov rules out"
        ),
        "{s}"
    );
    assert!(s.contains(
        "            BBC <http://www.bbc.com/news/world-europe-27289897>"
    ));
    assert!(s.ends_with("1 results\n"), "{s}");

    let out = d.run(&["search", "events.chron", "xyzzyplugh"]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "0 results\n");

    let out = d.run(&["search", "missing.chron", "x"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).starts_with("chronicle: cannot read missing.chron"));
}

#[test]
fn search_facets_and_suggestions_in_text() {
    let d = Dir::new();
    d.index();
    let out = d.run(&["search", "events.chron", "lavrov", "--facets"]);
    assert_eq!(code(&out), 0);
    let s = stdout(&out);
    assert!(
        s.contains("\ncategories: Armed conflicts and attacks (1)\n"),
        "{s}"
    );
    assert!(s.contains("\nyears: 2014 1\n"), "{s}");
    let out = d.run(&["search", "events.chron", "lvarvo "]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "0 results\ndid you mean: lavrov\n");
}

#[test]
fn search_json_shape() {
    let d = Dir::new();
    d.index();
    let out =
        d.run(&["search", "events.chron", "lavrov", "--json", "--limit", "1"]);
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["query"], "lavrov");
    assert_eq!(v["total"], 1);
    assert_eq!(v["partial"], false);
    assert_eq!(
        v["facets"]["categories"][0]["name"],
        "Armed conflicts and attacks"
    );
    assert_eq!(v["facets"]["categories"][0]["count"], 1);
    assert_eq!(v["years"][0]["year"], 2014);
    let hit = &v["hits"][0];
    let keys: Vec<&str> =
        hit.as_object().unwrap().keys().map(String::as_str).collect();
    // serde_json's map is sorted: compare as sets.
    let mut want = [
        "id", "date", "title", "category", "sources", "contexts", "url",
        "score",
    ];
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(hit["id"], "wcep-20140506-001");
    assert_eq!(hit["date"], "2014-05-06");
    assert_eq!(hit["category"], "Armed conflicts and attacks");
    assert_eq!(hit["sources"][0]["name"], "BBC");
    assert_eq!(hit["contexts"][1], "Sergey Lavrov");
    assert!(hit["score"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_corrupt_index_is_exit_2_with_a_message() {
    let d = Dir::new();
    let index = d.index();
    let mut bytes = fs::read(&index).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    fs::write(&index, &bytes).unwrap();
    let out = d.run(&["search", "events.chron", "lavrov"]);
    assert_eq!(code(&out), 2);
    let e = stderr(&out);
    assert!(
        e.starts_with("chronicle: events.chron: index checksum mismatch"),
        "{e}"
    );
    d.write("text.chron", "hello");
    let out = d.run(&["inspect", "text.chron"]);
    assert_eq!(code(&out), 2);
    eqnice!(
        "chronicle: text.chron: not a Chronicle index: 5 bytes, an index has at least 24\n",
        stderr(&out)
    );
}

#[test]
fn a_split_index_answers_like_the_single_file() {
    let d = Dir::new();
    let out =
        d.run(&["build", EVENTS, "-o", "events.chron", "--split", "split"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let s = stdout(&out);
    assert!(s.contains("; split: core "), "{s}");
    let chunks = std::fs::read_dir(d.path("split"))
        .unwrap()
        .filter(|e| {
            e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".bin")
        })
        .count();
    assert!(chunks > 3, "{chunks} chunks");
    for q in [
        "lavrov geneva",
        "zurich",
        "negotiaton",
        "\"world cup\"",
        "from:2014 talks",
    ] {
        // (Text output: a split index counts only the timeline facets.)
        let a = d.run(&["search", "events.chron", q]);
        let b = d.run(&["search", "split", q]);
        assert_eq!(stdout(&a), stdout(&b), "{q}");
        assert_eq!(code(&a), code(&b), "{q}");
    }
    let out = d.run(&["inspect", "split"]);
    assert!(stdout(&out).contains("split     core + "), "{}", stdout(&out));
    // A damaged chunk is an error naming it, not a panic.
    let victim = std::fs::read_dir(d.path("split"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "bin"))
        .unwrap();
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[0] ^= 0xff;
    std::fs::write(&victim, bytes).unwrap();
    let out = d.run(&["search", "split", "lavrov"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("checksum mismatch"), "{}", stderr(&out));
}

/// Chunks are staged under temporary names and renamed once synced: none
/// is left behind, a rebuild over a different index replaces it whole,
/// and a chunk already there is kept.
#[test]
fn a_split_build_replaces_the_index_whole() {
    let d = Dir::new();
    let names = || {
        let mut v: Vec<String> = fs::read_dir(d.path("split"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let text = fs::read_to_string(EVENTS).unwrap();
    let half: String = text.lines().take(20).flat_map(|l| [l, "\n"]).collect();
    let half = d.write("half.jsonl", &half);
    let half = half.to_str().unwrap();
    let mut seen = Vec::new();
    for input in [EVENTS, half, EVENTS] {
        let out = d.run(&["build", input, "--split", "split"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let now = names();
        assert!(now.iter().all(|n| !n.starts_with('.')), "{now:?}");
        assert!(now.contains(&"index.chron".to_owned()), "{now:?}");
        let core = fs::read(d.path("split/index.chron")).unwrap();
        let ix = chronicle::Index::new(core).unwrap();
        // Every file but the core is a chunk the core names.
        assert_eq!(now.len(), ix.chunk_count() as usize + 1, "{now:?}");
        seen.push(now);
    }
    assert_ne!(seen[0], seen[1]);
    assert_eq!(seen[0], seen[2]);
}

/// A lexicon shard's fst damaged behind both its checksum and the
/// file's (tests/data/repro/README.md): the fst crate panicked on the
/// typo search while `inspect` said the index was fine.
#[test]
fn regression_a_damaged_fst_is_reported_not_a_panic() {
    let d = Dir::new();
    let repro = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/repro/fst-panic.chron"
    );
    fs::copy(repro, d.path("bad.chron")).unwrap();
    for args in
        [&["inspect", "bad.chron"][..], &["search", "bad.chron", "eartquake"]]
    {
        let out = d.run(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        eqnice!(
            "chronicle: bad.chron: corrupt index: section TERM: lexicon \
             shard 10: fst node out of bounds\n",
            stderr(&out)
        );
    }
}

#[test]
fn inspect_prints_header_and_sections() {
    let d = Dir::new();
    d.index();
    let out = d.run(&["inspect", "events.chron"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let s = stdout(&out);
    for want in [
        "version   2\n",
        "checksum  ok (CRC32)\n",
        "events    46\n",
        "(every fst checked)\n",
        "  TERM  offset",
        "  STOR  offset",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
}

#[test]
fn batch_mode_answers_each_line() {
    let d = Dir::new();
    d.index();
    let input = "{\"id\": 1, \"query\": \"lavrov\"}\n{\"id\": \"q2\", \"query\": \"xyzzyplugh\"}\n";
    let out =
        d.run_stdin(&["search", "events.chron", "--batch", "-"], Some(input));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[0]["total"], 1);
    assert_eq!(lines[0]["hits"][0]["id"], "wcep-20140506-001");
    assert_eq!(lines[1]["id"], "q2");
    assert_eq!(lines[1]["total"], 0);
}

/// The offline file's units: it must start with the UTF-16LE byte-order
/// mark.
fn read_utf16(path: PathBuf) -> Vec<u16> {
    let bytes = fs::read(path).unwrap();
    assert_eq!(&bytes[..2], b"\xff\xfe", "UTF-16LE byte-order mark");
    assert_eq!(bytes.len() % 2, 0);
    bytes[2..].chunks(2).map(|p| u16::from_le_bytes([p[0], p[1]])).collect()
}

/// The bytes packed in `units`, as the loader unpacks them.
fn unpack(units: &[u16], odd: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut it = units.iter();
    while let Some(&u) = it.next() {
        let w = if u == 0x3D {
            let e = *it.next().expect("an escape ends the data");
            if e < 0x4800 {
                e - 0x4000 + 0xD800
            } else {
                [0, 0x0D, 0x3C, 0x3D][usize::from(e - 0x4800)]
            }
        } else {
            assert!(
                !(0xD800..=0xDFFF).contains(&u)
                    && ![0, 0x0D, 0x3C].contains(&u),
                "{u:#x} unescaped"
            );
            u
        };
        out.extend(w.to_le_bytes());
    }
    if odd {
        assert_eq!(out.pop(), Some(0), "padding");
    }
    out
}

/// The data of the raw-text block with `id` (its units) and its opening
/// tag's text.
fn block<'a>(html: &str, units: &'a [u16], id: &str) -> (&'a [u16], String) {
    let open = html.find(&format!("id=\"{id}\"")).unwrap();
    let start = open + html[open..].find('>').unwrap() + 1;
    let tag = html[open..start].to_owned();
    // In the decoded text, every unit of packed data is one char.
    let first = html[..start].encode_utf16().count();
    let len = html[start..].find("</script>").unwrap();
    let n = html[start..start + len].encode_utf16().count();
    (&units[first..first + n], tag)
}

fn attr(tag: &str, name: &str) -> String {
    let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    tag[at..at + tag[at..].find('"').unwrap()].to_owned()
}

#[test]
fn bundle_writes_one_self_contained_file() {
    let d = Dir::new();
    d.index();
    let assets = d.path("assets");
    fs::create_dir(&assets).unwrap();
    fs::write(assets.join("chronicle.js"), "console.log('</script>');")
        .unwrap();
    fs::write(assets.join("chronicle.css"), ".chronicle{}").unwrap();
    // Odd length, and words that must be escaped: NUL, CR, '<', '=' and
    // surrogates.
    let wasm = b"\0asm\x01\0\0\0\r\0<\0=\0\x00\xd8\xff\xdf<";
    fs::write(assets.join("chronicle_bg.wasm"), wasm).unwrap();
    let out = d.run(&[
        "bundle",
        "events.chron",
        "--assets",
        "assets",
        "-o",
        "offline.html",
        "--attribution",
        "Text <CC BY-SA>",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let units = read_utf16(d.path("offline.html"));
    let html = String::from_utf16(&units).unwrap();
    // The wasm, the index and the code: three blocks, none closed early.
    assert_eq!(
        html.matches("</script>").count(),
        3,
        "inline JS cannot close its tag"
    );
    assert!(html.contains("<script type=\"application/octet-stream\" id=\"chronicle-index\" data-name=\"events.chron\""));
    assert!(html.contains("console.log('<\\/script>');"));
    assert!(html.contains("Text &lt;CC BY-SA&gt;"));
    assert!(!html.contains("src=\""), "no external resources");
    let (data, tag) = block(&html, &units, "chronicle-wasm");
    assert_eq!(unpack(data, attr(&tag, "data-odd") == "1"), wasm);
    let (data, tag) = block(&html, &units, "chronicle-index");
    let gz = unpack(data, attr(&tag, "data-odd") == "1");
    let mut index = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&gz[..]),
        &mut index,
    )
    .unwrap();
    assert_eq!(index, fs::read(d.path("events.chron")).unwrap());
}

#[test]
fn bundle_of_a_split_index_carries_the_core_and_every_chunk() {
    let d = Dir::new();
    // The sample: enough chunks for several chunks blocks.
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample.jsonl");
    let out =
        d.run(&["build", sample, "-o", "events.chron", "--split", "split"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let assets = d.path("assets");
    fs::create_dir(&assets).unwrap();
    fs::write(assets.join("chronicle.js"), "console.log(1);").unwrap();
    fs::write(assets.join("chronicle.css"), ".chronicle{}").unwrap();
    fs::write(assets.join("chronicle_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let args = [
        "bundle",
        "split",
        "--assets",
        "assets",
        "-o",
        "offline.html",
        "--doc-store",
        "lzma",
    ];
    let out = d.run(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let units = read_utf16(d.path("offline.html"));
    let html = String::from_utf16(&units).unwrap();
    let blocks = html.matches("id=\"chronicle-chunks").count();
    assert!(blocks > 1, "{blocks} chunks blocks");
    assert_eq!(
        html.matches("</script>").count(),
        4 + blocks,
        "wasm, core, JS, the dictionary and the chunks blocks"
    );
    assert!(html.contains(
        "id=\"chronicle-index\" data-name=\"index.chron\" data-chunks=\"chronicle-chunks\""
    ));
    // The core: the split index's, but for its doc-store blocks, which
    // the file stores uncompressed (and compresses in groups).
    let (data, tag) = block(&html, &units, "chronicle-index");
    let core = unpack(data, attr(&tag, "data-odd") == "1");
    let index = Index::new(core).unwrap();
    let original =
        Index::new(fs::read(d.path("events.chron")).unwrap()).unwrap();
    assert_eq!(index.doc_count(), original.doc_count());
    let stor = index.section_chunks(chronicle::format::tag::STORE);
    assert_eq!(stor.len(), (original.doc_count() as usize).div_ceil(32));
    // The chunks come after the code, which boots while they are parsed;
    // the dictionary of the doc-store groups before them.
    let js = html.find("console.log(1);").unwrap();
    let dict_at = html.find("id=\"chronicle-lzdict\"").unwrap();
    assert!(
        dict_at > js
            && html.find("id=\"chronicle-chunks\"").unwrap() > dict_at
    );
    let (data, tag) = block(&html, &units, "chronicle-lzdict");
    let mut dict = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::DeflateDecoder::new(
            &unpack(data, attr(&tag, "data-odd") == "1")[..],
        ),
        &mut dict,
    )
    .unwrap();
    assert!(!dict.is_empty());
    let chunk_count = index.chunk_count() as usize;
    // One end offset and one flag of each kind per chunk; in each block
    // the offsets rise (but for a group's later chunks, whose slots are
    // empty) and end where the block does, and each chunk unpacks (and
    // inflates, or decompresses with its group) to the bytes the core
    // names, checksum and all.
    let (_, tag) = block(&html, &units, "chronicle-chunks");
    let counts: Vec<usize> = attr(&tag, "data-blocks")
        .split(',')
        .map(|e| e.parse().unwrap())
        .collect();
    let ends: Vec<usize> = attr(&tag, "data-ends")
        .split(',')
        .map(|e| e.parse().unwrap())
        .collect();
    let deflated = attr(&tag, "data-deflated");
    let odd = attr(&tag, "data-odd");
    assert_eq!(counts.len(), blocks);
    assert_eq!(counts.iter().sum::<usize>(), chunk_count);
    assert_eq!(ends.len(), chunk_count);
    assert_eq!(deflated.len(), chunk_count);
    assert_eq!(odd.len(), chunk_count);
    for kind in ['1', '2', '3'] {
        assert!(deflated.contains(kind), "{kind} in {deflated}");
    }
    let mut group: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    for (b, &count) in counts.iter().enumerate() {
        assert!(count > 0);
        let id = if b == 0 {
            "chronicle-chunks".to_owned()
        } else {
            format!("chronicle-chunks-{}", b + 1)
        };
        let (data, _) = block(&html, &units, &id);
        let mut from = 0;
        for _ in 0..count {
            let n = i as u32 + 1;
            let kind = deflated.as_bytes()[i];
            assert!(ends[i] > from || (kind == b'3' && ends[i] == from));
            let mut got =
                unpack(&data[from..ends[i]], odd.as_bytes()[i] == b'1');
            match kind {
                b'1' => {
                    let mut inflated = Vec::new();
                    std::io::Read::read_to_end(
                        &mut flate2::read::DeflateDecoder::new(&got[..]),
                        &mut inflated,
                    )
                    .unwrap();
                    got = inflated;
                }
                b'2' => {
                    group = chronicle::format::offline::decompress_group(
                        &got, &dict,
                    )
                    .unwrap();
                    group.reverse();
                    got = group.pop().unwrap();
                }
                b'3' => got = group.pop().expect("a group's chunk"),
                _ => {}
            }
            assert_eq!(stor.contains(&n), kind >= b'2', "chunk {n}");
            index
                .add_chunk(n, got)
                .unwrap_or_else(|e| panic!("chunk {n}: {e}"));
            from = ends[i];
            i += 1;
        }
        assert_eq!(data.len(), from, "block {}", b + 1);
    }
    assert!(group.is_empty());
    let docs: Vec<u32> = (0..index.doc_count()).collect();
    assert!(index.stored(&docs).unwrap() == original.stored(&docs).unwrap());

    // By default (`--doc-store deflate`): the split index's own core and
    // chunks, each stored as is or deflated, and no dictionary.
    let deflate =
        ["bundle", "split", "--assets", "assets", "-o", "deflate.html"];
    let out = d.run(&deflate);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let units = read_utf16(d.path("deflate.html"));
    let html = String::from_utf16(&units).unwrap();
    assert!(!html.contains("id=\"chronicle-lzdict\""));
    let (data, tag) = block(&html, &units, "chronicle-index");
    let core = unpack(data, attr(&tag, "data-odd") == "1");
    assert_eq!(core, fs::read(d.path("split/index.chron")).unwrap());
    let (_, tag) = block(&html, &units, "chronicle-chunks");
    assert!(attr(&tag, "data-deflated").chars().all(|c| c == '0' || c == '1'));
    let out = d.run(&[&args[..], &["--doc-store", "zstd"]].concat());
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let html = fs::read(d.path("offline.html")).unwrap();

    // A damaged chunk is refused, and the old file stays.
    let victim = fs::read_dir(d.path("split"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "bin"))
        .unwrap();
    let mut bytes = fs::read(&victim).unwrap();
    bytes[0] ^= 0xff;
    fs::write(&victim, bytes).unwrap();
    let out = d.run(&args);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("checksum mismatch"), "{}", stderr(&out));
    assert_eq!(fs::read(d.path("offline.html")).unwrap(), html);
}
