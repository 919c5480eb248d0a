//! The `chronicle` command line: exact messages for bad input, exit
//! codes, atomic writes, JSON output.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use chronicle::format;
use chronicle::format::offline::{self, ChunkTable, Stored};
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
            r#"{"id":"b","date":"2014-05-06","title":"  "}"#,
            "field `title` is empty",
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
    let out = d.run(&[
        "build",
        "in.jsonl",
        "-o",
        "out.chron",
        "--skip-invalid",
        "--max-skipped",
        "100",
    ]);
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
        // A typo in the first letter: looked for under every first
        // letter, since every chunk is read (not only the word's shard,
        // as over HTTP).
        "keneva",
        "\"world cup\"",
        "from:2014 talks",
    ] {
        for args in [&[][..], &["--json", "--related", "2"], &["--facets"]] {
            let a = d.run(&[&["search", "events.chron", q], args].concat());
            let b = d.run(&[&["search", "split", q], args].concat());
            assert_eq!(stdout(&a), stdout(&b), "{q} {args:?}");
            assert_eq!(code(&a), code(&b), "{q}");
        }
    }
    let out = d.run(&["search", "split", "keneva"]);
    assert!(stdout(&out).contains("Geneva"), "{}", stdout(&out));
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
        let out =
            d.run(&["build", input, "--split", "split", "--grace-hours", "0"]);
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
/// file's (tests/data/README.md, `repro/`): the fst crate panicked on the
/// typo search while `inspect` said the index was fine. (The same damage,
/// made again at format version 3.)
#[test]
fn regression_a_damaged_fst_is_reported_not_a_panic() {
    let d = Dir::new();
    let repro = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/repro/fst-node-v3.chron"
    );
    fs::copy(repro, d.path("bad.chron")).unwrap();
    for args in
        [&["inspect", "bad.chron"][..], &["search", "bad.chron", "eartquake"]]
    {
        let out = d.run(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        eqnice!(
            "chronicle: bad.chron: corrupt index: section XTRM: lexicon \
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
        "version   3\n",
        "checksum  ok (CRC32)\n",
        "layout    single file, names by id, postings in columns, impacts derived\n",
        "  LENS  offset",
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

/// The bytes packed in `units` (`format::offline`, as the page's
/// reader unpacks them; anything the packing cannot write fails).
fn unpack(units: &[u16], odd: bool) -> Vec<u8> {
    offline::unpack(units, odd).unwrap()
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
    let (_, tag) = block(&html, &units, &offline::chunks_block_id(0));
    let table =
        ChunkTable::parse(|name| tag.contains(name).then(|| attr(&tag, name)))
            .unwrap();
    assert_eq!(table.counts.len(), blocks);
    assert_eq!(table.ends.len(), chunk_count);
    for kind in [Stored::Deflated, Stored::Group, Stored::InGroup] {
        assert!(table.stored.contains(&kind), "{kind:?}");
    }
    let mut group: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    for (b, &count) in table.counts.iter().enumerate() {
        assert!(count > 0);
        let (data, _) = block(&html, &units, &offline::chunks_block_id(b));
        let mut from = 0;
        for _ in 0..count {
            let n = i as u32 + 1;
            let kind = table.stored[i];
            let (in_block, range, odd) = table.place(n).unwrap();
            assert_eq!((in_block, range.start), (b, from));
            assert!(range.end > from || kind == Stored::InGroup);
            let mut got = unpack(&data[range.clone()], odd);
            match kind {
                Stored::Deflated => {
                    let mut inflated = Vec::new();
                    std::io::Read::read_to_end(
                        &mut flate2::read::DeflateDecoder::new(&got[..]),
                        &mut inflated,
                    )
                    .unwrap();
                    got = inflated;
                }
                Stored::Group => {
                    group = offline::decompress_group(&got, &dict).unwrap();
                    group.reverse();
                    got = group.pop().unwrap();
                }
                Stored::InGroup => {
                    assert!(got.is_empty());
                    got = group.pop().expect("a group's chunk");
                }
                Stored::AsIs => {}
            }
            let grouped = matches!(kind, Stored::Group | Stored::InGroup);
            assert_eq!(stor.contains(&n), grouped, "chunk {n}");
            index
                .add_chunk(n, got)
                .unwrap_or_else(|e| panic!("chunk {n}: {e}"));
            from = range.end;
            i += 1;
        }
        assert_eq!(data.len(), from, "block {}", b + 1);
    }
    assert!(group.is_empty());
    let docs: Vec<u32> = (0..index.doc_count()).collect();
    assert!(index.stored(&docs).unwrap() == original.stored(&docs).unwrap());

    // By default (`--doc-store deflate`): the split index's core and
    // chunks, its doc-store blocks deflated again without their records'
    // names, each chunk stored as is or deflated, and no dictionary.
    let deflate =
        ["bundle", "split", "--assets", "assets", "-o", "deflate.html"];
    let out = d.run(&deflate);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let units = read_utf16(d.path("deflate.html"));
    let html = String::from_utf16(&units).unwrap();
    assert!(!html.contains("id=\"chronicle-lzdict\""));
    let (data, tag) = block(&html, &units, "chronicle-index");
    let core = unpack(data, attr(&tag, "data-odd") == "1");
    let split_core = fs::read(d.path("split/index.chron")).unwrap();
    let split_index = Index::new(split_core.as_slice()).unwrap();
    let chunks: Vec<Vec<u8>> = (1..=split_index.chunk_count())
        .map(|n| {
            fs::read(d.path("split").join(split_index.chunk_file(n).unwrap()))
        })
        .collect::<Result<_, _>>()
        .unwrap();
    let again = format::resplit(
        &split_core,
        chunks,
        true,
        256,
        true,
        format::deflated_block,
    )
    .unwrap();
    assert_eq!(core, again.core);
    assert!(Index::new(core).unwrap().names_by_id());
    let (_, tag) = block(&html, &units, &offline::chunks_block_id(0));
    let table =
        ChunkTable::parse(|name| tag.contains(name).then(|| attr(&tag, name)))
            .unwrap();
    assert!(table
        .stored
        .iter()
        .all(|&s| s == Stored::AsIs || s == Stored::Deflated));
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

/// Issue 13: a build that yields no events fails and keeps the previous
/// index, whatever the empty input looks like; `--allow-empty` writes it.
#[test]
fn an_empty_or_all_invalid_input_fails_and_keeps_the_index() {
    let d = Dir::new();
    let index = d.index();
    let before = fs::read(&index).unwrap();
    d.write("empty.jsonl", "");
    d.write("blank.jsonl", "\n  \n\n");
    d.write("bad.jsonl", "{\n{\"id\":\"x\"}\n");
    let cases: [(&[&str], Option<&str>, &str); 4] = [
        (&["empty.jsonl"], None, "empty.jsonl has no records"),
        (&["blank.jsonl"], None, "blank.jsonl has no records"),
        (&["-"], Some(""), "- has no records"),
        (
            &["bad.jsonl", "--skip-invalid"],
            None,
            "bad.jsonl has 2 records and all are invalid",
        ),
    ];
    for (args, stdin, why) in cases {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-o", "events.chron"]);
        let out = d.run_stdin(&all, stdin);
        assert_eq!(code(&out), 2, "{args:?}");
        eqnice!(
            format!(
                "chronicle: {why}; nothing was written and the previous \
                 index is kept. Check the input, or pass --allow-empty to \
                 write an empty index\n"
            ),
            stderr(&out)
        );
        assert_eq!(fs::read(&index).unwrap(), before, "{args:?}");
    }
    let out =
        d.run(&["build", "empty.jsonl", "-o", "empty.chron", "--allow-empty"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("indexed 0 events"));
    let out = d.run(&["search", "empty.chron", "lavrov"]);
    assert_eq!(code(&out), 1, "an empty index answers: nothing found");
}

/// Issue 13: skipping more than `--max-skipped` percent of the records
/// fails the build.
#[test]
fn skipping_too_many_records_fails_the_build() {
    let d = Dir::new();
    let index = d.index();
    let before = fs::read(&index).unwrap();
    let mut text = String::new();
    for i in 0..19 {
        text.push_str(&format!(
            "{{\"id\":\"g{i}\",\"date\":\"2014-05-06\",\"title\":\"Talks {i}\"}}\n"
        ));
    }
    text.push_str("{oops\n");
    d.write("in.jsonl", &text);
    let run = |max: &str| {
        d.run(&[
            "build",
            "in.jsonl",
            "-o",
            "events.chron",
            "--skip-invalid",
            "--max-skipped",
            max,
        ])
    };
    let out = run("4");
    assert_eq!(code(&out), 2);
    eqnice!(
        "chronicle: in.jsonl: 1 of 20 records (5.0 %) are invalid, more \
         than --max-skipped 4 %; nothing was written and the previous \
         index is kept. Run without --skip-invalid to see the first one, \
         fix the input, or raise --max-skipped\n",
        stderr(&out)
    );
    assert_eq!(fs::read(&index).unwrap(), before);
    // The default share is 5 %: one bad record in twenty passes.
    let out =
        d.run(&["build", "in.jsonl", "-o", "events.chron", "--skip-invalid"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("indexed 19 events"));
}

/// Issue 13: `-o /dev/null` run as root replaced the device with a
/// regular file. Anything but a regular file (or a new path) is refused
/// before any work, and left as it was.
#[test]
fn outputs_that_are_not_what_they_should_be_are_refused() {
    let d = Dir::new();
    fs::create_dir(d.path("adir")).unwrap();
    d.write("afile", "keep me");
    let cases: [(&[&str], String); 5] = [
        (
            // The input does not exist: the output is checked first.
            &["build", "nope.jsonl", "-o", "/dev/null"],
            "chronicle: -o /dev/null: is a character device, not a \
             regular file; give the path of the file to write (nothing \
             was written)\n"
                .into(),
        ),
        (
            &["build", EVENTS, "-o", "adir"],
            format!(
                "chronicle: -o adir: is a directory, not a file; give the \
                 path of the file to write (e.g. {})\n",
                std::path::Path::new("adir").join("events.chron").display()
            ),
        ),
        (
            &["build", EVENTS, "-o", "no/such/dir/x.chron"],
            "chronicle: -o no/such/dir/x.chron: directory no/such/dir does \
             not exist; create it first\n"
                .into(),
        ),
        (
            &["build", EVENTS, "--split", "afile"],
            "chronicle: --split afile: is a regular file, not a directory; \
             give a directory to write into (nothing was written)\n"
                .into(),
        ),
        (
            &["build", EVENTS, "--site", "afile"],
            "chronicle: --site afile: is a regular file, not a directory; \
             give a directory to write into (nothing was written)\n"
                .into(),
        ),
    ];
    for (args, want) in cases {
        let out = d.run(args);
        assert_eq!(code(&out), 2, "{args:?}");
        eqnice!(want, stderr(&out));
    }
    use std::os::unix::fs::FileTypeExt;
    let null = fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device(), "/dev/null is untouched");
    assert_eq!(fs::read_to_string(d.path("afile")).unwrap(), "keep me");
    d.index();
    let out = d.run(&["bundle", "events.chron", "-o", "/dev/null"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).starts_with("chronicle: -o /dev/null: is a"));
}

/// Issue 13: `--batch -` answers each line as soon as it is read, so a
/// program can keep it open and ask one query at a time.
#[test]
fn batch_mode_streams_one_answer_per_line() {
    use std::io::BufRead;
    let d = Dir::new();
    d.index();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chronicle"))
        .args(["search", "events.chron", "--batch", "-"])
        .current_dir(d.tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    for (id, q) in [("1", "lavrov"), ("2", "geneva talks")] {
        writeln!(stdin, "{{\"id\": {id}, \"query\": \"{q}\"}}").unwrap();
        stdin.flush().unwrap();
        // The input stays open: the answer must come anyway. (The wait
        // only keeps a broken build from hanging the test.)
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("an answer while the input is still open");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["id"].to_string(), id);
        assert!(v["total"].as_u64().unwrap() > 0, "{line}");
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn version_names_the_index_formats() {
    let d = Dir::new();
    let out = d.run(&["--version"]);
    assert_eq!(code(&out), 0);
    let v = chronicle::format::FORMAT_VERSION;
    let oldest = chronicle::format::OLDEST_SUPPORTED_VERSION;
    let reads =
        if oldest == v { v.to_string() } else { format!("{oldest} to {v}") };
    eqnice!(
        format!(
            "chronicle {} (index format: writes {v}, reads {reads})\n",
            env!("CARGO_PKG_VERSION")
        ),
        stdout(&out)
    );
}

/// The widget files the binary carries are the ones in `widget/`
/// (build.sh checks those against a fresh build).
#[test]
fn widget_writes_the_files_the_binary_carries() {
    let d = Dir::new();
    let out = d.run(&["widget", "site/w"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, from) in [
        ("chronicle.js", "widget/dist/chronicle.js"),
        ("chronicle_bg.wasm", "widget/dist/chronicle_bg.wasm"),
        ("chronicle.css", "widget/dist/chronicle.css"),
        ("chronicle.mjs", "widget/dist/chronicle.mjs"),
        ("chronicle.d.ts", "widget/chronicle.d.ts"),
        ("chronicle.d.mts", "widget/chronicle.d.ts"),
    ] {
        let got = fs::read(d.path("site/w").join(name)).unwrap();
        assert_eq!(got, fs::read(repo.join(from)).unwrap(), "{name}");
    }
    assert!(fs::read(d.path("site/w/chronicle_bg.wasm"))
        .unwrap()
        .starts_with(b"\0asm"));
}

/// Issue 13: one command for a site: the index (split when large) and
/// the widget under DIR/chronicle/, and the tag to paste.
#[test]
fn build_site_writes_index_and_widget_and_prints_the_tag() {
    let d = Dir::new();
    let out = d.run(&["build", EVENTS, "--site", "public"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let s = stdout(&out);
    let tag = "<script src=\"chronicle/chronicle.js\" \
               data-index=\"chronicle/events.chron\" \
               data-base-url=\"./\"></script>";
    assert!(s.contains(&format!("\n\n  {tag}\n\n")), "{s}");
    assert!(s.contains("Preview: chronicle serve public"), "{s}");
    for f in
        ["events.chron", "chronicle.js", "chronicle_bg.wasm", "chronicle.css"]
    {
        assert!(d.path("public/chronicle").join(f).is_file(), "{f}");
    }
    Index::new(fs::read(d.path("public/chronicle/events.chron")).unwrap())
        .unwrap();
    // An archive with over a megabyte of text gets a split index (and
    // the single file of the earlier build goes).
    let mut big = String::new();
    for i in 0..8000 {
        big.push_str(&format!(
            "{{\"id\":\"e{i}\",\"date\":\"2014-05-{:02}\",\"title\":\"Event \
             number {i} of a long archive, with a title of about two \
             hundred characters so that the text of all of them passes a \
             megabyte: talks in Geneva, storms, elections\"}}\n",
            1 + i % 28
        ));
    }
    d.write("big.jsonl", &big);
    let out = d.run(&["build", "big.jsonl", "--site", "public"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let s = stdout(&out);
    assert!(
        s.contains(
            "<script src=\"chronicle/chronicle.js\" \
             data-index=\"chronicle/index/index.chron\" \
             data-base-url=\"./\"></script>"
        ),
        "{s}"
    );
    assert!(d.path("public/chronicle/index/index.chron").is_file());
    assert!(!d.path("public/chronicle/events.chron").exists());
    let out = d.run(&["search", "public/chronicle/index", "number 7999"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // And back: a small archive again replaces the split index.
    let out = d.run(&["build", EVENTS, "--site", "public"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(d.path("public/chronicle/events.chron").is_file());
    assert!(!d.path("public/chronicle/index").exists());
}

#[test]
fn bundle_carries_the_widget_and_links_to_the_site() {
    let d = Dir::new();
    d.index();
    let out = d.run(&[
        "bundle",
        "events.chron",
        "-o",
        "offline.html",
        "--base-url",
        "https://example.org/\"archive/",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let units = read_utf16(d.path("offline.html"));
    let html = String::from_utf16(&units).unwrap();
    assert!(html.contains(
        "<div data-chronicle \
         data-base-url=\"https://example.org/&quot;archive/\"></div>"
    ));
    let (data, tag) = block(&html, &units, "chronicle-wasm");
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        unpack(data, attr(&tag, "data-odd") == "1"),
        fs::read(repo.join("widget/dist/chronicle_bg.wasm")).unwrap()
    );
}

#[test]
fn bundle_speaks_the_language_it_is_given() {
    let d = Dir::new();
    d.index();
    let page = |args: &[&str]| {
        let mut all = vec!["bundle", "events.chron", "-o", "offline.html"];
        all.extend(args);
        let out = d.run(&all);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        String::from_utf16(&read_utf16(d.path("offline.html"))).unwrap()
    };
    assert!(page(&[]).contains("<html lang=\"en\">"));
    assert!(page(&["--lang", "de"]).contains("<html lang=\"de\">"));
    assert!(page(&["--lang", "ar-EG"])
        .contains("<html lang=\"ar-EG\" dir=\"rtl\">"));
    // Not a language tag: refused, nothing written.
    fs::remove_file(d.path("offline.html")).unwrap();
    for bad in ["de\"><script>", "", "1de", "de_DE"] {
        let out = d.run(&[
            "bundle",
            "events.chron",
            "-o",
            "offline.html",
            "--lang",
            bad,
        ]);
        assert_eq!(code(&out), 2, "{bad}");
        assert!(stderr(&out).contains("not a language tag"), "{bad}");
        assert!(!d.path("offline.html").exists());
    }
}

/// A running `chronicle serve`, stopped when dropped.
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(d: &Dir, args: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_chronicle"))
            .arg("serve")
            .args(args)
            .current_dir(d.tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        assert!(line.ends_with("/ (Ctrl-C to stop)\n"), "{line}");
        Server { child, port }
    }

    /// One request on a new connection: the status line, the headers
    /// (names lower-cased) and the body.
    fn get(
        &self,
        method: &str,
        path: &str,
        headers: &str,
    ) -> (String, Vec<(String, String)>, Vec<u8>) {
        use std::io::Read;
        let mut s =
            std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: x\r\n{headers}Connection: \
             close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8(raw[..end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().to_owned();
        let headers = lines
            .map(|l| {
                let (k, v) = l.split_once(": ").unwrap();
                (k.to_ascii_lowercase(), v.to_owned())
            })
            .collect();
        (status, headers, raw[end + 4..].to_vec())
    }
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Issue 13: `chronicle serve` previews a site as production serves it.
#[test]
fn serve_previews_a_site_with_types_gzip_and_csp() {
    let d = Dir::new();
    let out = d.run(&["build", EVENTS, "--site", "public"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    d.write("public/index.html", "<!doctype html><title>x</title>");
    fs::create_dir(d.path("public/news")).unwrap();
    d.write("public/news/index.html", "news");
    d.write("secret.txt", "outside the site");
    let srv = Server::start(&d, &["public", "--port", "0"]);

    let (status, h, body) = srv.get("GET", "/", "");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(header(&h, "content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(
        header(&h, "content-security-policy"),
        Some(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
             style-src 'self'"
        )
    );
    assert_eq!(body, b"<!doctype html><title>x</title>");

    let wasm = fs::read(d.path("public/chronicle/chronicle_bg.wasm")).unwrap();
    let (status, h, body) = srv.get(
        "GET",
        "/chronicle/chronicle_bg.wasm",
        "Accept-Encoding: gzip, deflate, br\r\n",
    );
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(header(&h, "content-type"), Some("application/wasm"));
    assert_eq!(header(&h, "content-encoding"), Some("gzip"));
    assert_eq!(header(&h, "vary"), Some("Accept-Encoding"));
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&body[..]),
        &mut plain,
    )
    .unwrap();
    assert_eq!(plain, wasm);
    assert!(body.len() < wasm.len() / 2);

    // Without gzip in Accept-Encoding, the bytes as they are.
    let (_, h, body) = srv.get("GET", "/chronicle/chronicle_bg.wasm", "");
    assert_eq!(header(&h, "content-encoding"), None);
    assert_eq!(body, wasm);
    // The classic script and the ES module alike (a module script must
    // come with a JavaScript type).
    for js in ["/chronicle/chronicle.js", "/chronicle/chronicle.mjs"] {
        let (status, h, _) = srv.get("GET", js, "");
        assert_eq!(status, "HTTP/1.1 200 OK", "{js}");
        assert_eq!(
            header(&h, "content-type"),
            Some("text/javascript; charset=utf-8"),
            "{js}"
        );
    }
    let (_, h, _) = srv.get("GET", "/chronicle/events.chron", "");
    assert_eq!(header(&h, "content-type"), Some("application/octet-stream"));

    // HEAD, directories, conditional requests, and what is refused.
    let (status, h, body) = srv.get("HEAD", "/chronicle/chronicle.css", "");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.is_empty());
    let etag = header(&h, "etag").unwrap().to_owned();
    let (status, _, _) = srv.get(
        "GET",
        "/chronicle/chronicle.css",
        &format!("If-None-Match: {etag}\r\n"),
    );
    assert_eq!(status, "HTTP/1.1 304 Not Modified");
    let (status, h, _) = srv.get("GET", "/news", "");
    assert_eq!(status, "HTTP/1.1 301 Moved Permanently");
    assert_eq!(header(&h, "location"), Some("/news/"));
    let (status, _, body) = srv.get("GET", "/news/", "");
    assert_eq!(
        (status.as_str(), &body[..]),
        ("HTTP/1.1 200 OK", &b"news"[..])
    );
    for bad in ["/../secret.txt", "/%2e%2e/secret.txt", "/nope.html"] {
        let (status, _, body) = srv.get("GET", bad, "");
        assert!(
            status == "HTTP/1.1 404 Not Found"
                || status == "HTTP/1.1 400 Bad Request",
            "{bad}: {status}"
        );
        assert!(!String::from_utf8_lossy(&body).contains("outside"));
    }
    let (status, _, body) = srv.get("GET", "/favicon.ico", "");
    assert_eq!((status.as_str(), body.len()), ("HTTP/1.1 204 No Content", 0));
    let (status, _, _) = srv.get("POST", "/", "");
    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");

    // A busy port is a clear error.
    let port = srv.port.to_string();
    let out = d.run(&["serve", "public", "--port", &port]);
    assert_eq!(code(&out), 2);
    eqnice!(
        format!(
            "chronicle: port {port} on 127.0.0.1 is already in use (another \
             server?): stop it, or choose another port with --port N \
             (--port 0 picks a free one)\n"
        ),
        stderr(&out)
    );
}

/// Issue 13: the owner's data as it is: each shape of
/// `tests/data/input/`, recognised from its content, mapped by flags or
/// a config file, with fields that fill nothing reported by name.
#[test]
fn build_reads_each_input_shape() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/input/");
    let d = Dir::new();
    let cases: [(&[&str], &str, &str); 5] = [
        (&["events.json"], "geneva", "indexed 6 events"),
        (
            &["events.csv", "--config", "events.toml"],
            "geneva",
            "indexed 8 events",
        ),
        (&["events-own.csv"], "geneva", "indexed 5 events"),
        (&["sources-plain.jsonl"], "geneva", "indexed 6 events"),
        (&["site"], "lavrov geneva", "indexed 22 events"),
    ];
    for (args, query, want) in cases {
        let mut all = vec!["build".to_owned()];
        all.push(format!("{data}{}", args[0]));
        for a in &args[1..] {
            let is_file = a.ends_with(".toml");
            all.push(if is_file {
                format!("{data}{a}")
            } else {
                a.to_string()
            });
        }
        all.extend(["-o".into(), "out.chron".into()]);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = d.run(&all);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).starts_with(want), "{args:?}: {}", stdout(&out));
        let out = d.run(&["search", "out.chron", query]);
        assert_eq!(code(&out), 0, "{args:?}: {query}");
    }
    // A field nothing uses is named once, with a mapping to try.
    let plain = format!("{data}sources-plain.jsonl");
    let out = d.run(&["build", &plain, "-o", "out.chron"]);
    let e = stderr(&out);
    assert!(
        e.starts_with("chronicle: note: fields not used: tags (")
            && e.contains("map one with --field contexts=tags"),
        "{e}"
    );
    let out = d.run(&[
        "build",
        &plain,
        "-o",
        "out.chron",
        "--field",
        "contexts=tags",
    ]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    // A folder's pages that are not events are left out, by name.
    let site = format!("{data}site");
    let out = d.run(&["build", &site, "-o", "out.chron"]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).ends_with(
            "about.md is not an event page (no date line): left out\n"
        ),
        "{}",
        stderr(&out)
    );
    // The shape that was assumed is named when a record fails.
    d.write("bad.csv", "headline,day\nTalks,2014-05-06\n");
    let out = d.run(&["build", "bad.csv", "-o", "out.chron"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with(
            "chronicle: bad.csv:2: read as CSV (header: headline,day): \
             missing required field `date`"
        ),
        "{}",
        stderr(&out)
    );
}

/// What a killed build left (temporary files of a process that is gone)
/// is removed by the next build into the same place; other files stay.
#[test]
fn a_build_removes_what_a_killed_build_left() {
    let d = Dir::new();
    let out = d.run(&["build", EVENTS, "--split", "split", "-o", "a.chron"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // No process has this id (it is above Linux's largest).
    let dead = "4194305";
    let left = [
        format!("split/.1-0badc0de.bin.tmp{dead}"),
        format!("split/.index.chron.tmp{dead}"),
        format!(".a.chron.tmp{dead}"),
    ];
    let kept =
        [format!("split/.notes.tmp{dead}"), format!(".b.chron.tmp{dead}")];
    for f in left.iter().chain(&kept) {
        d.write(f, "half-written");
    }
    let out = d.run(&["build", EVENTS, "--split", "split", "-o", "a.chron"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for f in &left {
        assert!(!d.path(f).exists(), "{f} is removed");
    }
    for f in &kept {
        assert!(d.path(f).exists(), "{f} is not Chronicle's: kept");
    }
}

/// Issue 15: an endless input (`/dev/zero`) is read to a stated bound and
/// refused, instead of growing without end.
#[test]
fn an_endless_input_is_refused_at_the_bound() {
    let d = Dir::new();
    let out = d.run(&["build", "/dev/zero", "-o", "out.chron"]);
    assert_eq!(code(&out), 2);
    eqnice!(
        "chronicle: /dev/zero: cannot read: larger than 1024 MiB, the most \
         read whole; give JSON Lines (one record a line, read a batch at a \
         time) for an archive this large\n",
        stderr(&out)
    );
    assert!(!d.path("out.chron").exists());
}

/// Issue 17: a rebuild keeps the chunks the previous core named for a
/// grace period, so a page that loaded that core keeps finding them; a
/// build after the grace period removes them.
#[test]
fn a_split_rebuild_keeps_the_previous_chunks_for_a_grace_period() {
    let d = Dir::new();
    let chunks = || -> std::collections::BTreeSet<String> {
        fs::read_dir(d.path("split"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".bin"))
            .collect()
    };
    let out = d.run(&["build", EVENTS, "--split", "split"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let old_core = fs::read(d.path("split/index.chron")).unwrap();
    let old = chunks();
    let text = fs::read_to_string(EVENTS).unwrap();
    let half: String = text.lines().take(20).flat_map(|l| [l, "\n"]).collect();
    d.write("half.jsonl", &half);
    let out = d.run(&["build", "half.jsonl", "--split", "split"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let new = chunks();
    assert!(old.is_subset(&new), "the old chunks stay");
    let retired: Vec<String> =
        old.difference(&new_only(&d)).cloned().collect();
    assert!(!retired.is_empty());
    // A page that loaded the old core still gets every chunk it names.
    let ix = Index::new(old_core).unwrap();
    for n in 1..=ix.chunk_count() {
        let name = ix.chunk_file(n).unwrap();
        ix.add_chunk(n, fs::read(d.path("split").join(&name)).unwrap())
            .unwrap();
    }
    // The record says when each was retired; once that is more than the
    // grace period ago, the next build removes them.
    let record =
        fs::read_to_string(d.path("split/.chronicle-retired")).unwrap();
    assert_eq!(record.lines().count(), retired.len(), "{record}");
    let aged: String = record
        .lines()
        .map(|l| {
            let (name, t) = l.split_once(' ').unwrap();
            let t: u64 = t.parse().unwrap();
            format!("{name} {}\n", t - 48 * 3600)
        })
        .collect();
    d.write("split/.chronicle-retired", &aged);
    let out = d.run(&["build", "half.jsonl", "--split", "split"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(chunks(), new_only(&d));
    assert!(!d.path("split/.chronicle-retired").exists());
}

/// The chunks the split index in `d/split` names.
fn new_only(d: &Dir) -> std::collections::BTreeSet<String> {
    let ix =
        Index::new(fs::read(d.path("split/index.chron")).unwrap()).unwrap();
    (1..=ix.chunk_count()).map(|n| ix.chunk_file(n).unwrap()).collect()
}
