//! Issue 17: a split index is stable under growth. A day of events
//! added after an archive's last day and a rebuild into the same
//! directory leave at least 95 % of the split index's bytes in files
//! whose names do not change (a chunk's name is its length and CRC32, so
//! a kept name is kept bytes, which a CDN or a browser keeps serving
//! from its cache).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chronicle::format::sealed_docs;
use chronicle::Index;

/// A scratch directory under the target directory, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("growth-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An archive of `n` events: the sample's 2,000 (1999–2018) again and
/// again, each copy 20 years later than the one before, with its own
/// ids. One JSON line each, oldest copy first.
fn archive(n: usize) -> Vec<serde_json::Value> {
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/sample.jsonl"
    ))
    .unwrap();
    let events: Vec<serde_json::Value> =
        sample.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (0..n)
        .map(|i| {
            let (copy, e) = (i / events.len(), &events[i % events.len()]);
            let mut e = e.clone();
            let date = e["date"].as_str().unwrap().to_owned();
            let year: usize = date[..4].parse().unwrap();
            e["date"] = format!("{}{}", year + 20 * copy, &date[4..]).into();
            e["id"] = format!("{}-{copy}", e["id"].as_str().unwrap()).into();
            e
        })
        .collect()
}

/// `count` more events, dated the day after the archive's last: its
/// last `count` events again under new ids.
fn a_day_after(
    events: &[serde_json::Value],
    count: usize,
) -> Vec<serde_json::Value> {
    let last =
        events.iter().map(|e| e["date"].as_str().unwrap()).max().unwrap();
    let day = chronicle::event::parse_date(last).unwrap() + 1;
    let (y, m, d) = chronicle::event::civil_from_days(day);
    events[events.len() - count..]
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e["id"] = format!("{}-next", e["id"].as_str().unwrap()).into();
            e["date"] = format!("{y:04}-{m:02}-{d:02}").into();
            e
        })
        .collect()
}

/// Builds `events` as a split index into `dir` (over what is there) and
/// returns the files its core names with their sizes, the core
/// (`index.chron`) included.
fn build(dir: &Path, events: &[serde_json::Value]) -> HashMap<String, u64> {
    let input = dir.join("events.jsonl");
    let lines: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let split = dir.join("split");
    let out = Command::new(env!("CARGO_BIN_EXE_chronicle"))
        .arg("build")
        .arg(&input)
        .arg("--split")
        .arg(&split)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let core = std::fs::read(split.join("index.chron")).unwrap();
    let mut files = HashMap::new();
    files.insert("index.chron".to_owned(), core.len() as u64);
    let ix = Index::new(core).unwrap();
    for n in 1..=ix.chunk_count() {
        let name = ix.chunk_file(n).unwrap();
        let len = std::fs::metadata(split.join(&name)).unwrap().len();
        files.insert(name, len);
    }
    files
}

/// The share of `old`'s bytes in files `new` names too (the core, whose
/// name never changes but whose bytes do, counts as changed).
fn kept(old: &HashMap<String, u64>, new: &HashMap<String, u64>) -> f64 {
    let total: u64 = old.values().sum();
    let kept: u64 = old
        .iter()
        .filter(|(n, _)| *n != "index.chron" && new.contains_key(*n))
        .map(|(_, s)| s)
        .sum();
    kept as f64 / total as f64
}

#[test]
fn a_day_of_events_keeps_95_percent_of_the_split_index() {
    // 16,400 events: the sealed boundary is 16,384 and stays there up to
    // 16,895 events.
    let events = archive(16_400);
    assert_eq!(sealed_docs(16_400), 16_384);
    for count in [10, 300] {
        assert_eq!(sealed_docs(16_400 + count as u32), 16_384);
        let d = Dir::new(&count.to_string());
        let before = build(&d.0, &events);
        let mut grown = events.clone();
        grown.extend(a_day_after(&events, count));
        let after = build(&d.0, &grown);
        let share = kept(&before, &after);
        assert!(share >= 0.95, "+{count} events: {:.2} % kept", 100.0 * share);
        // The same input gives the same files.
        assert_eq!(build(&d.0, &grown), after);
    }
}

/// The day the sealed boundary moves, the sealed term data is written
/// anew (FORMAT.md, "Terms: sealed and tail"); the doc store, the
/// forward lists and the facet names still keep their chunks.
#[test]
fn the_day_the_sealed_boundary_moves_keeps_the_documents_chunks() {
    let events = archive(16_400);
    let mut grown = events.clone();
    grown.extend(a_day_after(&events, 600));
    assert_eq!(sealed_docs(17_000), 16_896);
    let d = Dir::new("moves");
    let before = build(&d.0, &events);
    let after = build(&d.0, &grown);
    let share = kept(&before, &after);
    assert!((0.4..0.95).contains(&share), "{:.2} % kept", 100.0 * share);
}
