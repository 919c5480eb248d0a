//! Build → read → search: every term finds exactly its documents, and
//! every event is found by each of its title words.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chronicle::builder::{self, Origin};
use chronicle::query::{SearchOptions, Searcher};
use chronicle::{format, text, Event, Index, Source};

mod common;
use common::Rng;

const WORDS: &[&str] = &[
    "talks",
    "talk",
    "talked",
    "Geneva",
    "Zürich",
    "ZURICH",
    "pro-Russian",
    "earthquake",
    "the",
    "of",
    "Lavrov's",
    "1,000",
    "2014",
    "São",
    "Paulo",
    "negotiations",
    "negotiating",
    "ceasefire",
    "U.S.",
    "Łódź",
    "straße",
    "election",
    "elections",
    "minister",
    "Ministers",
    "x",
    "don't",
    "B2B",
];

fn sentence(rng: &mut Rng, max: usize) -> String {
    let n = 1 + rng.below(max);
    (0..n).map(|_| rng.pick(WORDS)).collect::<Vec<_>>().join(" ")
}

fn random_events(seed: u64, count: usize) -> Vec<(Event, Origin)> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|i| {
            let ev = Event {
                id: format!("e{i}"),
                date: format!(
                    "{}-{:02}-{:02}",
                    1999 + rng.below(28),
                    1 + rng.below(12),
                    1 + rng.below(28)
                ),
                title: sentence(&mut rng, 12),
                category: (rng.below(3) > 0).then(|| sentence(&mut rng, 2)),
                sources: (0..rng.below(3))
                    .map(|_| Source {
                        name: sentence(&mut rng, 2),
                        url: (rng.below(2) == 0)
                            .then(|| format!("https://example.org/{i}")),
                    })
                    .collect(),
                contexts: (0..rng.below(4))
                    .map(|_| sentence(&mut rng, 3))
                    .collect(),
                url: Some(format!("/e/{i}")),
                body: (rng.below(4) == 0).then(|| sentence(&mut rng, 30)),
            };
            (ev, Origin { file: "random".into(), line: i as u64 + 1 })
        })
        .collect()
}

/// Every term of every field of `ev`.
fn all_terms(ev: &Event) -> BTreeSet<String> {
    let mut t: BTreeSet<String> = text::terms(&ev.title).into_iter().collect();
    for c in &ev.contexts {
        t.extend(text::terms(c));
    }
    for s in &ev.sources {
        t.extend(text::terms(&s.name));
    }
    if let Some(c) = &ev.category {
        t.extend(text::terms(c));
    }
    if let Some(b) = &ev.body {
        t.extend(text::terms(b));
    }
    t
}

/// Maps event ids to document numbers by reading the doc store.
fn doc_ids<D: AsRef<[u8]>>(ix: &Index<D>) -> HashMap<String, u32> {
    let docs: Vec<u32> = (0..ix.doc_count()).collect();
    ix.stored(&docs)
        .unwrap()
        .into_iter()
        .zip(docs)
        .map(|(s, d)| (s.id, d))
        .collect()
}

#[test]
fn every_term_finds_exactly_its_documents() {
    for seed in [1, 7, 42, 2024] {
        let events = random_events(seed, 300);
        let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (ev, _) in &events {
            for t in all_terms(ev) {
                expected.entry(t).or_default().insert(ev.id.clone());
            }
        }
        let bytes = builder::build(events.clone()).unwrap();
        let ix = Index::new(bytes).unwrap();
        let ids = doc_ids(&ix);
        let by_doc: HashMap<u32, &str> =
            ids.iter().map(|(k, &v)| (v, k.as_str())).collect();
        assert_eq!(ix.term_count() as usize, expected.len(), "seed {seed}");
        for (term, want) in &expected {
            let ord = ix.term_ordinal(term).unwrap().unwrap_or_else(|| {
                panic!("seed {seed}: term {term:?} missing")
            });
            let got: BTreeSet<String> = ix
                .postings(ord)
                .unwrap()
                .map(|p| by_doc[&p.unwrap().doc].to_owned())
                .collect();
            assert_eq!(&got, want, "seed {seed}, term {term:?}");
        }
        // Stored fields come back as given.
        let docs: Vec<u32> = events.iter().map(|(e, _)| ids[&e.id]).collect();
        let stored = ix.stored(&docs).unwrap();
        for ((ev, _), s) in events.iter().zip(&stored) {
            assert_eq!(s.title, ev.title.trim());
            assert_eq!(s.body, ev.body);
            assert_eq!(s.id, ev.id);
            assert_eq!(s.url, ev.url);
            let sources: Vec<(String, Option<String>)> = ev
                .sources
                .iter()
                .map(|s| (s.name.trim().to_owned(), s.url.clone()))
                .collect();
            assert_eq!(s.sources, sources);
            let category = ev
                .category
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty());
            assert_eq!(s.category.as_deref(), category);
            let mut contexts: Vec<&str> = Vec::new();
            for c in ev.contexts.iter().map(|c| c.trim()) {
                if !c.is_empty() && !contexts.contains(&c) {
                    contexts.push(c);
                }
            }
            assert_eq!(s.contexts, contexts);
        }
        // Documents are in date order, oldest first.
        let days: Vec<i32> = (0..ix.doc_count()).map(|d| ix.day(d)).collect();
        assert!(days.windows(2).all(|w| w[0] <= w[1]), "seed {seed}");
    }
}

fn sample_events() -> Vec<(Event, Origin)> {
    common::read_events("data/sample.jsonl")
}

#[test]
fn every_sample_event_is_found_by_each_title_word() {
    let events = sample_events();
    assert_eq!(events.len(), 2000);
    let bytes = builder::build(events.clone()).unwrap();
    let searcher = Searcher::new(Index::new(bytes).unwrap());
    let ix = searcher.index();
    let ids = doc_ids(ix);
    // Index level: each title term's postings hold the event.
    for (ev, _) in &events {
        let doc = ids[&ev.id];
        for term in text::terms(&ev.title) {
            let ord =
                ix.term_ordinal(&term).unwrap().expect("title term indexed");
            let found =
                ix.postings(ord).unwrap().any(|p| p.unwrap().doc == doc);
            assert!(found, "{} not in postings of {term:?}", ev.id);
        }
    }
    // Query level, through the parser and the ranker (a trailing space
    // means the word is complete: no prefix expansion).
    let opts = SearchOptions {
        limit: 2000,
        facets: false,
        ..SearchOptions::default()
    };
    let mut cache: HashMap<String, BTreeSet<u32>> = HashMap::new();
    for (ev, _) in events.iter().step_by(5) {
        let doc = ids[&ev.id];
        for term in text::terms(&ev.title) {
            let hits = cache.entry(term.clone()).or_insert_with(|| {
                let r = searcher.search(&format!("{term} "), &opts).unwrap();
                r.hits.iter().map(|h| h.doc).collect()
            });
            assert!(hits.contains(&doc), "{} not found by {term:?}", ev.id);
        }
        // And by its whole title, as typed.
        let r = searcher.search(&ev.title, &SearchOptions::default()).unwrap();
        assert!(r.total > 0, "{}: no hit for its own title", ev.id);
    }
}

#[test]
fn a_few_stored_documents_read_like_all_of_them() {
    let bytes = builder::build(random_events(5, 200)).unwrap();
    let all: Vec<u32> = (0..200).collect();
    let full = Index::new(bytes.clone()).unwrap().stored(&all).unwrap();
    // Scattered, out of order and repeated: the records between them are
    // stepped over, and a block is inflated only as far as needed (later
    // records of a block partly inflated before inflate it again).
    let sets: [Vec<u32>; 6] = [
        vec![199, 3, 64, 65, 31, 32, 3, 150],
        vec![0],
        vec![31],
        vec![1, 33],
        vec![30, 2, 63],
        (0..200).rev().step_by(7).collect(),
    ];
    let warm = Index::new(bytes.clone()).unwrap();
    for docs in &sets {
        let cold = Index::new(bytes.clone()).unwrap();
        for ix in [&cold, &warm] {
            let got = ix.stored(docs).unwrap();
            for (d, s) in docs.iter().zip(&got) {
                assert_eq!(s, &full[*d as usize], "doc {d}");
            }
        }
    }
}

/// The build runs on all cores; its bytes must not depend on how the work
/// was scheduled, nor on the path through the writer.
#[test]
fn builds_are_deterministic() {
    let events = sample_events();
    let first = builder::build(events.clone()).unwrap();
    for _ in 0..3 {
        let again = builder::build(events.clone()).unwrap();
        assert!(again == first, "a second build differs");
    }
    let parts = builder::build_parts(events.clone()).unwrap();
    let (single, split) = format::encode_both(parts, true, true).unwrap();
    assert!(single.unwrap() == first, "encode_both differs from build");
    let split = split.unwrap();
    for _ in 0..2 {
        let parts = builder::build_parts(events.clone()).unwrap();
        let again =
            format::encode_both(parts, false, true).unwrap().1.unwrap();
        assert!(again.core == split.core, "a split core differs");
        assert!(again.chunks == split.chunks, "split chunks differ");
    }
}

#[test]
fn a_searcher_answers_as_a_fresh_one_after_other_queries() {
    // A searcher keeps its accumulators between queries and clears only
    // what each query wrote: whatever came before, every answer (matches,
    // scores, order, partial matches) equals that of a fresh searcher.
    let bytes = builder::build(sample_events()).unwrap();
    let kept = Searcher::new(Index::new(bytes.clone()).unwrap());
    let queries = [
        "earthquake japan",
        "parkfield",
        "e",
        "president election results",
        "storm flood",
        "parkfield earthquake california",
        "zzzz parkfield",
        "\"earthquake\" -japan",
        "the of and",
        "iraq",
        "iraq war bush",
        "earthquake",
    ];
    for round in 0..2 {
        for q in queries {
            for opts in [
                SearchOptions { limit: 50, ..SearchOptions::default() },
                SearchOptions {
                    limit: 5,
                    facets: true,
                    ..SearchOptions::default()
                },
            ] {
                let fresh = Searcher::new(Index::new(bytes.clone()).unwrap());
                let answer = |s: &Searcher<Vec<u8>>| {
                    let r = s.search(q, &opts).unwrap();
                    let hits: Vec<(u32, u32)> = r
                        .hits
                        .iter()
                        .map(|h| (h.doc, h.score.to_bits()))
                        .collect();
                    (r.total, r.partial, hits)
                };
                assert_eq!(
                    answer(&kept),
                    answer(&fresh),
                    "{q:?}, round {round}"
                );
            }
        }
    }
}

/// Opens a split index with all its chunks added.
/// The split index cut again as `chronicle bundle` embeds it: records
/// without names in a single file's blocks, impacts derived.
fn offline_cut(split: &format::SplitIndex) -> format::SplitIndex {
    let chunks = split.chunks.iter().map(|c| c.1.clone()).collect();
    format::resplit(
        &split.core,
        chunks,
        true,
        format::LOCAL_BLOCK_DOCS,
        true,
        format::deflated_block,
    )
    .unwrap()
}

fn open_split(split: &format::SplitIndex) -> Index<Vec<u8>> {
    let ix = Index::new(split.core.clone()).unwrap();
    for (n, (_, c)) in (1u32..).zip(&split.chunks) {
        ix.add_chunk(n, c.clone()).unwrap();
    }
    ix
}

#[test]
fn a_split_index_cut_again_is_the_same_and_with_stored_blocks_reads_the_same()
{
    let parts = builder::build_parts(sample_events()).unwrap();
    let (single, split) = format::encode_both(parts, true, true).unwrap();
    let (single, split) = (single.unwrap(), split.unwrap());
    // Every section is as long as the single file's, the doc store's
    // blocks (one chunk each, named by number and group digest) too, but
    // for the doc store, whose records the single file writes without
    // their names, and the postings, whose impacts the single file
    // derives when read (from its documents' lengths, `LENS`, which the
    // split index keeps too, for the offline file).
    let lengths = |ix: &Index<Vec<u8>>| {
        ix.sections().into_iter().map(|(t, _, n)| (t, n)).collect::<Vec<_>>()
    };
    let whole = Index::new(single).unwrap();
    let (a, b) = (lengths(&open_split(&split)), lengths(&whole));
    assert_eq!(a.len(), b.len());
    for (a, b) in a.iter().zip(&b) {
        assert_eq!(a.0, b.0);
        if ["STOR", "POST", "XPST"].contains(&a.0) {
            assert!(b.1 < a.1 * 9 / 10, "{}: {} against {}", a.0, b.1, a.1);
        } else {
            assert_eq!(a.1, b.1, "{}", a.0);
        }
    }
    assert!(whole.names_by_id() && !open_split(&split).names_by_id());
    let named = split.chunks.iter().filter(|c| c.0.starts_with('s'));
    let per = format::SPLIT_BLOCK_DOCS;
    assert_eq!(named.count(), whole.doc_count().div_ceil(per) as usize);
    let chunks = || split.chunks.iter().map(|c| c.1.clone()).collect();
    // Blocks deflated again as they were: the same core and chunks, byte
    // for byte.
    let same = format::resplit(
        &split.core,
        chunks(),
        false,
        per,
        false,
        format::deflated_block,
    )
    .unwrap();
    assert!(same.core == split.core, "the core differs");
    assert!(same.chunks == split.chunks, "the chunks differ");
    // 32 events a block, as split indexes were written before (a digest
    // per 32 blocks, 1,024 events, as now per 128): read the same.
    let older =
        format::resplit(&split.core, chunks(), false, 32, false, |d, r| {
            format::deflated_block(d, r)
        })
        .unwrap();
    let named = older.chunks.iter().filter(|c| c.0.starts_with('s'));
    assert_eq!(named.count(), whole.doc_count().div_ceil(32) as usize);
    let all: Vec<u32> = (0..whole.doc_count()).collect();
    let (a, b) = (open_split(&split), open_split(&older));
    assert_eq!(a.stored(&all).unwrap(), b.stored(&all).unwrap());
    let (a, b) = (Searcher::new(a), Searcher::new(b));
    for q in ["earthquake japan", "\"iraq war\"", "storm -flood"] {
        let opts = SearchOptions::default();
        let (x, y) =
            (a.search(q, &opts).unwrap(), b.search(q, &opts).unwrap());
        assert_eq!((x.hits, x.total), (y.hits, y.total), "{q}");
    }
    // Blocks without names: the records read the same as the single
    // file's and the split index's.
    let named = open_split(
        &format::resplit(
            &split.core,
            chunks(),
            true,
            format::LOCAL_BLOCK_DOCS,
            true,
            format::deflated_block,
        )
        .unwrap(),
    );
    assert!(named.names_by_id() && named.derived());
    let docs: Vec<u32> = (0..whole.doc_count()).collect();
    let want = open_split(&split).stored(&docs).unwrap();
    assert_eq!(named.stored(&docs).unwrap(), want);
    assert_eq!(whole.stored(&docs).unwrap(), want);
    // Blocks stored uncompressed: only they and the core change, and
    // every record, posting and answer is the same.
    let stored = format::resplit(
        &split.core,
        chunks(),
        false,
        per,
        false,
        format::stored_block,
    )
    .unwrap();
    assert_eq!(stored.chunks.len(), split.chunks.len());
    let changed: Vec<usize> = (0..split.chunks.len())
        .filter(|&i| stored.chunks[i] != split.chunks[i])
        .collect();
    let (a, b) = (open_split(&split), open_split(&stored));
    let blocks = a.doc_count().div_ceil(per) as usize;
    assert_eq!(changed.len(), blocks, "one chunk a doc-store block changes");
    assert!(changed.windows(2).all(|w| w[1] == w[0] + 1), "{changed:?}");
    for i in &changed {
        assert!(stored.chunks[*i].1.len() > split.chunks[*i].1.len());
    }
    let docs: Vec<u32> = (0..a.doc_count()).collect();
    assert_eq!(a.stored(&docs).unwrap(), b.stored(&docs).unwrap());
    let (a, b) = (Searcher::new(a), Searcher::new(b));
    let opts =
        SearchOptions { limit: 50, facets: true, ..SearchOptions::default() };
    for q in ["earthquake japan", "iraq war", "parkfield", "\"storm\" -flood"]
    {
        let (x, y) =
            (a.search(q, &opts).unwrap(), b.search(q, &opts).unwrap());
        assert_eq!(x.hits, y.hits, "{q}");
        assert_eq!(x.total, y.total, "{q}");
    }
    // Not a split index: an error, not a panic.
    let single = builder::build(sample_events()).unwrap();
    assert!(format::resplit(
        &single,
        Vec::new(),
        false,
        32,
        false,
        format::stored_block
    )
    .is_err());
}

/// Ids that follow the archive's rule (a start, the day as `YYYYMMDD`, a
/// dash and the event's place among its day's events as read, in three
/// digits) are stored without their date and place, and read back whole
/// from the single file, the split index and the split index cut again
/// as the offline file's is; ids that do not are kept as given.
#[test]
fn dated_ids_read_back_whole_in_every_form() {
    let dated = |shift: u32| {
        let mut events = random_events(11, 400);
        let mut places: HashMap<String, u32> = HashMap::new();
        for (i, (ev, _)) in events.iter_mut().enumerate() {
            let place = places.entry(ev.date.clone()).or_default();
            *place += 1;
            let day = ev.date.replace('-', "");
            ev.id = match i % 4 {
                // Unpadded, or another event's place: as given.
                0 => format!("x{day}-{place}"),
                1 => format!("y{day}-{:03}", *place + 1),
                _ => format!("wcep-{day}-{:03}", *place + shift),
            };
        }
        events
    };
    let events = dated(0);
    let parts = builder::build_parts(events.clone()).unwrap();
    let (single, split) = format::encode_both(parts, true, true).unwrap();
    let (single, split) = (single.unwrap(), split.unwrap());
    let offline = offline_cut(&split);
    let forms = [
        Index::new(single.clone()).unwrap(),
        open_split(&split),
        open_split(&offline),
    ];
    for ix in &forms {
        let ids = doc_ids(ix);
        assert_eq!(ids.len(), events.len());
        for (ev, _) in &events {
            assert!(ids.contains_key(&ev.id), "{}", ev.id);
        }
    }
    // The same ids with places that do not match take more room.
    let undated = builder::build(dated(500)).unwrap();
    assert!(
        single.len() + 400 < undated.len(),
        "{} against {}",
        single.len(),
        undated.len()
    );
}

/// A term only the tail has joins the stem class of sealed terms, and a
/// term in both segments has one ordinal, its document frequency summed
/// and its postings from both (FORMAT.md, "Terms: sealed and tail").
#[test]
fn terms_span_the_sealed_segment_and_the_tail() {
    let events: Vec<(Event, Origin)> = (0..300)
        .map(|i| {
            let word = if i < 290 { "talks" } else { "talked" };
            let ev = Event {
                id: format!("e{i}"),
                date: format!("{}-01-01", 2000 + i),
                title: format!("Geneva {word} {i}"),
                ..Event::default()
            };
            (ev, Origin { file: "t".into(), line: i as u64 + 1 })
        })
        .collect();
    assert_eq!(format::sealed_docs(300), 256);
    let ix = Index::new(builder::build(events).unwrap()).unwrap();
    let ord = |t: &str| ix.term_ordinal(t).unwrap().unwrap();
    let (talks, talked, geneva) = (ord("talks"), ord("talked"), ord("geneva"));
    assert_eq!(ix.stem_siblings(talks).unwrap(), [talked]);
    assert_eq!(ix.stem_siblings(talked).unwrap(), [talks]);
    assert_eq!(ix.doc_freq(geneva).unwrap(), 300);
    let docs: Vec<u32> =
        ix.postings(geneva).unwrap().map(|p| p.unwrap().doc).collect();
    assert_eq!(docs, (0..300).collect::<Vec<u32>>());
    assert_eq!(ix.doc_freq(talks).unwrap(), 290);
    assert_eq!(ix.prefix_ordinals(b"talk").unwrap().count(), 2);
    let s = Searcher::new(ix);
    // "talks" finds "talked" (a stem-mate only the tail has) too.
    let r = s.search("talks geneva ", &SearchOptions::default()).unwrap();
    assert_eq!((r.total, r.partial), (300, false));
    // Ties break by recency: the newest first.
    let r = s.search("geneva", &SearchOptions::default()).unwrap();
    assert_eq!(r.hits[0].doc, 299);
}

/// A single file opened as a browser opens it, its doc store and facet
/// dictionaries outside memory (`held_len`, `Index::with_outside`),
/// answers every query (with its facets) and reads every record and
/// name as the whole file does.
#[test]
fn a_single_file_with_its_doc_store_outside_reads_the_same() {
    let bytes = builder::build(sample_events()).unwrap();
    let cut = format::held_len(&bytes[..512], bytes.len());
    assert!(cut < bytes.len() * 9 / 10, "{cut} of {}", bytes.len());
    let held = common::held(&bytes, cut, 0).unwrap();
    let whole = Index::new(bytes.clone()).unwrap();
    let all: Vec<u32> = (0..whole.doc_count()).rev().collect();
    assert_eq!(held.stored(&all).unwrap(), whole.stored(&all).unwrap());
    // The facet dictionaries are outside too: every name reads the same.
    for which in 0..3 {
        assert!(whole.facet_len(which) > 0);
        for id in 0..whole.facet_len(which) {
            let name = whole.facet_name(which, id).unwrap();
            assert_eq!(held.facet_name(which, id).unwrap(), name);
        }
        assert!(held.facet_name(which, whole.facet_len(which)).is_err());
    }
    let (held, whole) = (Searcher::new(held), Searcher::new(whole));
    let opts =
        SearchOptions { limit: 20, facets: true, ..SearchOptions::default() };
    for q in [
        "earthquake japan",
        "eartquake",
        "parkfield",
        "\"earthquake\" -japan",
        "iraq war bush",
        "e",
    ] {
        let a = held.search(q, &opts).unwrap();
        let b = whole.search(q, &opts).unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{q}");
        let views = |s: &Searcher<Vec<u8>>, r| {
            format!("{:?}", chronicle::render::hits(s, r, 3).unwrap())
        };
        assert_eq!(views(&held, &a), views(&whole, &b), "{q}");
    }
}

/// A single file derives most impacts when read (`FLAG_DERIVED`), and so
/// does the offline file's cut of the split index (`resplit`): every
/// posting of every term reads as in the split index of the same events,
/// which stores them all, whole and through the query's brief loop;
/// words repeated in a field and fields longer than a length byte holds
/// (300-word bodies and titles) are among them, so both derived and
/// stored impacts are read.
#[test]
fn impacts_derived_when_read_are_the_stored_ones() {
    let mut events = random_events(17, 700);
    let mut rng = Rng(5);
    for (i, (ev, _)) in events.iter_mut().enumerate().step_by(37) {
        let long = (0..300).map(|_| rng.pick(WORDS)).collect::<Vec<_>>();
        if i % 2 == 0 {
            ev.body = Some(long.join(" "));
        } else {
            ev.title = long.join(" ");
        }
    }
    let parts = builder::build_parts(events.clone()).unwrap();
    let (one, many) = format::encode_both(parts, true, true).unwrap();
    let one = Index::new(one.unwrap()).unwrap();
    let many = many.unwrap();
    let offline = open_split(&offline_cut(&many));
    let many = open_split(&many);
    assert!(one.derived() && offline.derived() && !many.derived());
    assert_ne!(one.sections(), many.sections());
    // The same postings bytes as the single file's, and its lengths.
    let len = |ix: &Index<Vec<u8>>, t: &str| {
        ix.sections().into_iter().find(|s| s.0 == t).unwrap().2
    };
    for t in ["TINF", "POST", "XINF", "XPST", "LENS"] {
        assert_eq!(len(&offline, t), len(&one, t), "{t}");
    }
    assert!(format::sealed_docs(one.doc_count()) > 0);
    let alone = builder::build(events.clone()).unwrap();
    assert_eq!(one.sections(), Index::new(alone).unwrap().sections());
    let terms: BTreeSet<String> =
        events.iter().flat_map(|(ev, _)| all_terms(ev)).collect();
    let (mut postings, mut repeated) = (0, 0);
    for t in &terms {
        let ord = one.term_ordinal(t).unwrap().unwrap();
        assert_eq!(many.term_ordinal(t).unwrap(), Some(ord), "{t}");
        let a: Vec<_> =
            one.postings(ord).unwrap().map(Result::unwrap).collect();
        let b: Vec<_> =
            many.postings(ord).unwrap().map(Result::unwrap).collect();
        assert_eq!(a, b, "{t}");
        let c: Vec<_> =
            offline.postings(ord).unwrap().map(Result::unwrap).collect();
        assert_eq!(c, b, "{t}, offline");
        postings += a.len();
        repeated += a.iter().filter(|p| p.n_positions > 1).count();
        let mut brief = Vec::new();
        one.postings(ord)
            .unwrap()
            .for_each_brief(|d, i, p| brief.push((d, i, p)))
            .unwrap();
        let want: Vec<_> = b
            .iter()
            .map(|p| {
                (
                    p.doc,
                    p.impact,
                    (p.n_positions > 0).then_some(p.positions[0]),
                )
            })
            .collect();
        assert_eq!(brief, want, "{t}");
    }
    assert!(postings > 5_000 && repeated > 100, "{postings} {repeated}");
    // Fewer impact bytes: the postings are smaller.
    let post = |ix: &Index<Vec<u8>>| -> usize {
        let s = ix.sections();
        s.iter().filter(|s| s.0 == "POST" || s.0 == "XPST").map(|s| s.2).sum()
    };
    assert!(post(&one) + postings / 2 < post(&many));
}

#[test]
fn a_split_index_a_request_away_asks_for_a_words_postings_with_its_lexicon() {
    let parts = builder::build_parts(sample_events()).unwrap();
    let (single, split) = format::encode_both(parts, true, true).unwrap();
    let (single, split) = (single.unwrap(), split.unwrap());
    let one = Searcher::new(Index::new(single).unwrap());
    let opts = SearchOptions { facets: false, ..SearchOptions::default() };
    for q in
        ["president", "election results", "earthquake japan", "police gover"]
    {
        // From the core alone, every chunk a request away.
        let s = Searcher::new(Index::new(split.core.clone()).unwrap());
        let mut rounds = 0;
        let r = loop {
            match s.search(q, &opts) {
                Err(chronicle::Error::NotLoaded) => {
                    for n in s.index().take_wanted() {
                        let c = split.chunks[n as usize - 1].1.clone();
                        s.index().add_chunk(n, c).unwrap();
                    }
                    rounds += 1;
                }
                r => break r.unwrap(),
            }
        };
        // One round: each word's lexicon shards and postings pages (the
        // last word's completions too) together.
        assert_eq!(rounds, 1, "{q}: {rounds} rounds");
        let want = one.search(q, &opts).unwrap();
        assert!(want.total > 0, "{q}");
        assert_eq!((r.total, r.hits), (want.total, want.hits), "{q}");
    }
}
