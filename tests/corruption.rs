//! Any bytes at all given as an index give an error or a working index:
//! never a panic (in wasm, a panic kills the page), an abort or memory
//! out of proportion to the bytes.
//!
//! Damage that a checksum catches is the easy case. A checksum anyone can
//! recompute proves nothing against bytes made on purpose, so most cases
//! here recompute every checksum after the damage (the file's CRC32, a
//! lexicon shard's CRC32C, a chunk's CRC32 in the core's `CHNK`), and the
//! damage reaches the decoders. The cases are made from a freshly built
//! index, section by section (see `FORMAT.md`), so they follow the format
//! as it changes; the crafted files a hostile tester sent are kept in
//! `tests/data/repro/` as regression tests too.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use chronicle::builder;
use chronicle::format::{self, tag, MAX_BLOCK_BYTES};
use chronicle::query::{SearchOptions, Searcher};
use chronicle::{render, Error, Index, Result};

mod common;
use common::{held, Rng};

// ---------------------------------------------------------------------
// Memory: each thread's live and peak heap bytes, so a test can bound
// what one operation allocates (the tests of this binary run side by
// side on other threads).

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

// SAFETY: every call is passed on to the system allocator unchanged;
// the counting touches only const-initialised thread-locals.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            note(l.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            note(l.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        note(-(l.size() as isize));
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, size) };
        if !q.is_null() {
            note(size as isize - l.size() as isize);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result and the most heap it held at once
/// on this thread beyond what was live before.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let out = f();
    (out, (PEAK.with(Cell::get) - start).max(0) as usize)
}

const MIB: usize = 1 << 20;

// ---------------------------------------------------------------------
// Index surgery: the container (header, section table, CRC32 footer),
// lexicon shards and chunks, so damage can be aimed and every checksum
// recomputed after it.

/// An index file taken apart: header fields and its sections in order.
#[derive(Clone)]
struct Parts {
    version: u32,
    flags: u32,
    sections: Vec<([u8; 4], Vec<u8>)>,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Takes a well-formed file apart (its sections lie in table order).
fn parse(file: &[u8]) -> Parts {
    let n = u32_at(file, 16) as usize;
    let sections = (0..n)
        .map(|i| {
            let e = 20 + 12 * i;
            let (off, len) =
                (u32_at(file, e + 4) as usize, u32_at(file, e + 8) as usize);
            (file[e..e + 4].try_into().unwrap(), file[off..off + len].to_vec())
        })
        .collect();
    Parts { version: u32_at(file, 8), flags: u32_at(file, 12), sections }
}

/// Lays the sections out again, with a fresh table and CRC32.
fn assemble(p: &Parts) -> Vec<u8> {
    let mut out = b"CHRONIDX".to_vec();
    for v in [p.version, p.flags, p.sections.len() as u32] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let mut off = out.len() + 12 * p.sections.len();
    for (t, s) in &p.sections {
        out.extend_from_slice(t);
        out.extend_from_slice(&(off as u32).to_le_bytes());
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        off += s.len();
    }
    for (_, s) in &p.sections {
        out.extend_from_slice(s);
    }
    out.extend_from_slice(&crc32fast::hash(&out).to_le_bytes());
    out
}

/// Rewrites the CRC32 footer so damage reaches the section checks.
fn fix_crc(bytes: &mut [u8]) {
    if bytes.len() < 4 {
        return;
    }
    let end = bytes.len() - 4;
    let crc = crc32fast::hash(&bytes[..end]);
    bytes[end..].copy_from_slice(&crc.to_le_bytes());
}

fn section_mut<'a>(p: &'a mut Parts, t: &[u8; 4]) -> &'a mut Vec<u8> {
    &mut p.sections.iter_mut().find(|s| &s.0 == t).unwrap().1
}

/// The CRC-32C (Castagnoli) of `b`, bit by bit.
fn crc32c(b: &[u8]) -> u32 {
    let mut c = !0u32;
    for &x in b {
        c ^= u32::from(x);
        for _ in 0..8 {
            c = (c >> 1) ^ (0x82F6_3B78 & (c & 1).wrapping_neg());
        }
    }
    !c
}

/// Rewrites an fst's own checksum (fst masks its CRC-32C) after damage.
fn fix_fst_crc(fst: &mut [u8]) {
    let n = fst.len() - 4;
    let sum = crc32c(&fst[..n]).rotate_right(15).wrapping_add(0xA282_EAD8);
    fst[n..].copy_from_slice(&sum.to_le_bytes());
}

/// Where each lexicon shard's fst lies in a `TERM` section (FORMAT.md:
/// shard count, first ordinals, fst offsets, keys, fst bytes).
fn shard_ranges(term: &[u8]) -> Vec<std::ops::Range<usize>> {
    let n = u32_at(term, 0) as usize;
    let head = 4 + 8 * (n + 1) + n;
    let off = |i: usize| head + u32_at(term, 4 + 4 * (n + 1) + 4 * i) as usize;
    (0..n).map(|i| off(i)..off(i + 1)).collect()
}

/// A split index: its core and its chunks (chunk `n` at `n - 1`).
#[derive(Clone)]
struct Split {
    core: Vec<u8>,
    chunks: Vec<Vec<u8>>,
}

impl Split {
    /// Replaces chunk `n` (from 1) and records its CRC32 in the core's
    /// `CHNK`, then the core's own CRC32; for a doc-store block's chunk
    /// (after those `CHNK` lists), in its own last four bytes.
    fn set_chunk(&mut self, n: usize, mut bytes: Vec<u8>) {
        let mut p = parse(&self.core);
        let chnk = section_mut(&mut p, &tag::CHUNKS);
        if n <= u32_at(chnk, 0) as usize {
            put_u32(chnk, 4 * n, crc32fast::hash(&bytes));
            self.core = assemble(&p);
        } else if let Some(body) = bytes.len().checked_sub(4) {
            let crc = crc32fast::hash(&bytes[..body]);
            put_u32(&mut bytes, body, crc);
        }
        self.chunks[n - 1] = bytes;
    }
}

// ---------------------------------------------------------------------
// Test indexes.

fn good_events() -> Vec<(chronicle::Event, builder::Origin)> {
    common::read_events("tests/data/events.jsonl")
}

fn good_index() -> Vec<u8> {
    builder::build(good_events()).unwrap()
}

/// The section of a file holding its lexicon shards: the tail's
/// (`XTRM`), since the good index is too small for a sealed segment.
fn lexicon(file: &[u8]) -> usize {
    let p = parse(file);
    assert!(p.sections.iter().any(|s| s.0 == tag::TERMS && s.1.len() < 64));
    p.sections.iter().position(|s| s.0 == tag::TAIL_TERMS).unwrap()
}

/// The same events as a single file and as a split index.
fn good_both() -> (Vec<u8>, Split) {
    let parts = builder::build_parts(good_events()).unwrap();
    let (one, many) = format::encode_both(parts, true, true).unwrap();
    let many = many.unwrap();
    let chunks = many.chunks.into_iter().map(|c| c.1).collect();
    (one.unwrap(), Split { core: many.core, chunks })
}

/// `n` small events over the years, for a doc store of many blocks.
fn many_events(n: usize) -> Vec<(chronicle::Event, builder::Origin)> {
    let words = ["summit", "geneva", "talks", "earthquake", "lavrov", "vote"];
    (0..n)
        .map(|i| {
            let ev = chronicle::Event {
                id: format!("e{i}"),
                date: format!("{}-{:02}-01", 2000 + i % 20, 1 + i % 12),
                title: format!("{} {} {i}", words[i % 6], words[(i / 6) % 6]),
                contexts: vec![words[i % 5].to_owned()],
                ..Default::default()
            };
            (ev, builder::Origin { file: "many".into(), line: i as u64 + 1 })
        })
        .collect()
}

// ---------------------------------------------------------------------
// Using an index every way a page does.

/// Queries run on every index that opens: words, a typo (the lexicon
/// walked by an automaton), prefixes, a phrase, an exclusion, filters.
const QUERIES: [&str; 10] = [
    "eartquake",
    "lavrov geneva",
    "negotiati",
    "zur",
    "\"sergey lavrov\"",
    "talks -geneva",
    "from:2014 to:2016 summit",
    "about:geneva",
    "source:bbc category:politics",
    "a OR b",
];

/// Runs `f`, adding the chunks it asks for (from `chunks`) between
/// attempts, as the widget's loader does.
fn with_chunks<T, D: AsRef<[u8]>>(
    ix: &Index<D>,
    chunks: &[Vec<u8>],
    mut f: impl FnMut() -> Result<T>,
) -> Result<T> {
    for _ in 0..8 {
        match f() {
            Err(Error::NotLoaded) => {
                for n in ix.take_wanted() {
                    let c = (n as usize)
                        .checked_sub(1)
                        .and_then(|i| chunks.get(i))
                        .cloned()
                        .unwrap_or_default();
                    ix.add_chunk(n, c)?;
                }
            }
            r => return r,
        }
    }
    Err(Error::NotLoaded)
}

/// What using a damaged index came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// It did not open.
    Refused,
    /// It opened, and some read said it is corrupt.
    Caught,
    /// It opened and answered everything asked.
    Answered,
}

/// Opens `core` (with `chunks` for a split index; `at_hand` as in the
/// offline file) and, when that succeeds, runs `queries` of
/// [`QUERIES`] (from the `first`th on), renders their hits with related
/// events and reads stored records and facets. Fails the test (naming
/// `what`) if anything panicked.
fn exercise(
    core: &[u8],
    chunks: &[Vec<u8>],
    at_hand: bool,
    first: usize,
    queries: usize,
    what: &str,
) -> Outcome {
    let open = || Index::new(core);
    exercise_with(open, chunks, at_hand, first, queries, what)
}

/// [`exercise`] on the index `open` gives.
fn exercise_with<D: AsRef<[u8]>>(
    open: impl FnOnce() -> Result<Index<D>>,
    chunks: &[Vec<u8>],
    at_hand: bool,
    first: usize,
    queries: usize,
    what: &str,
) -> Outcome {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let Ok(ix) = open() else { return Outcome::Refused };
        ix.set_chunks_at_hand(at_hand);
        let s = Searcher::new(ix);
        let opts = SearchOptions::default();
        let mut caught = false;
        let mut note = |r: Result<()>| caught |= r.is_err();
        for k in 0..queries {
            let q = QUERIES[(first + k) % QUERIES.len()];
            note(with_chunks(s.index(), chunks, || {
                let r = s.search(q, &opts)?;
                render::hits(&s, &r, 2).map(drop)
            }));
        }
        let ix = s.index();
        let docs: Vec<u32> = (0..ix.doc_count().min(64)).step_by(7).collect();
        note(with_chunks(ix, chunks, || ix.stored(&docs).map(drop)));
        for &d in docs.iter().take(3) {
            note(with_chunks(ix, chunks, || ix.facets(d).map(drop)));
            note(with_chunks(ix, chunks, || s.related(d, 3).map(drop)));
        }
        if caught {
            Outcome::Caught
        } else {
            Outcome::Answered
        }
    }));
    match outcome {
        Ok(o) => o,
        Err(_) => panic!("panicked on {what}"),
    }
}

/// How much of `bytes` a browser holds in memory ([`format::held_len`]).
fn held_len(bytes: &[u8]) -> usize {
    format::held_len(&bytes[..bytes.len().min(512)], bytes.len())
}

/// [`exercise`] on a single file, with every query: whether it opened.
fn exercise_file(bytes: &[u8], what: &str) -> bool {
    exercise(bytes, &[], false, 0, QUERIES.len(), what) != Outcome::Refused
}

/// Opening `bytes` fails.
fn refused(bytes: &[u8]) -> bool {
    Index::new(bytes).is_err()
}

// ---------------------------------------------------------------------
// The basics.

#[test]
fn the_good_indexes_open_and_answer() {
    let (one, split) = good_both();
    let o = exercise(&one, &[], false, 0, QUERIES.len(), "the good index");
    assert_eq!(o, Outcome::Answered);
    for at_hand in [false, true] {
        let s = &split;
        let o = exercise(&s.core, &s.chunks, at_hand, 0, 10, "the split");
        assert_eq!(o, Outcome::Answered);
    }
    // The surgery helpers take files apart and put them back exactly.
    assert_eq!(assemble(&parse(&one)), one);
    assert_eq!(assemble(&parse(&split.core)), split.core);
    let term = &parse(&one).sections[lexicon(&one)].1;
    assert!(shard_ranges(term).len() > 10);
}

#[test]
fn truncation_at_every_section_boundary_is_an_error() {
    let good = good_index();
    let ix = Index::new(good.as_slice()).unwrap();
    let mut cuts = vec![0, 8, 12, 16, 20, good.len() - 4];
    for (_, off, len) in ix.sections() {
        cuts.extend([off, off + len]);
    }
    for b in cuts.clone() {
        cuts.extend([b.saturating_sub(1), b + 1]);
    }
    cuts.extend(0..64);
    cuts.extend((0..good.len()).step_by(97));
    for cut in cuts.into_iter().filter(|&c| c < good.len()) {
        let what = format!("truncation at {cut}");
        assert!(!exercise_file(&good[..cut], &what), "{what} was accepted");
        // With a fresh checksum over the truncated bytes, too.
        let mut t = good[..cut].to_vec();
        fix_crc(&mut t);
        assert!(!exercise_file(&t, &what), "{what} + crc was accepted");
    }
}

#[test]
fn random_flips_are_caught_by_the_checksum() {
    let good = good_index();
    let mut rng = Rng(0x5eed);
    for i in 0..3000 {
        let mut b = good.clone();
        let at = rng.below(b.len());
        b[at] ^= 1 + rng.below(255) as u8;
        assert!(refused(&b), "flip {i} at {at} accepted");
    }
}

#[test]
fn random_garbage_is_an_error() {
    let mut rng = Rng(99);
    let mut behind_header = 0;
    for i in 0..3000 {
        let len = rng.below(if i % 10 == 0 { 5000 } else { 200 });
        let mut b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if i % 3 == 0 && b.len() >= 24 {
            // A plausible header (this build's version) and checksum, so
            // the checks behind them run: the section table's.
            b[..8].copy_from_slice(b"CHRONIDX");
            put_u32(&mut b, 8, format::FORMAT_VERSION);
            put_u32(&mut b, 12, rng.below(2) as u32);
            put_u32(&mut b, 16, rng.below(16) as u32);
            fix_crc(&mut b);
            match Index::new(b.as_slice()) {
                Err(Error::Corrupt { .. }) => behind_header += 1,
                Err(e) => panic!("garbage {i}: {e}"),
                Ok(_) => {}
            }
        }
        assert!(!exercise_file(&b, &format!("garbage {i}")), "garbage {i}");
    }
    assert!(behind_header > 800, "{behind_header}");
}

// ---------------------------------------------------------------------
// The crafted files a hostile tester sent (FORMAT v2, now refused for
// their version), and the same kinds of damage made here from a fresh
// index.

const REPRO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/repro");

fn repro(name: &str) -> Vec<u8> {
    std::fs::read(format!("{REPRO}/{name}")).unwrap()
}

/// One bit of a lexicon shard's fst flipped, both checksums recomputed:
/// the fst crate panicked on the typo search (`eartquake`) behind a
/// checksum that matched. Now a shard's structure is checked before its
/// first use: the search that walks it says the index is corrupt. (The
/// file sent was of format version 2, now refused; `fst-node-v3.chron`
/// is the same damage made at version 3.)
#[test]
fn regression_fst_panic_repro() {
    let v2 = repro("fst-panic.chron");
    assert!(matches!(
        Index::new(v2.as_slice()),
        Err(Error::Version { got: 2, .. })
    ));
    let b = repro("fst-node-v3.chron");
    let is_shard_10 = |r: Result<()>| match r {
        Err(Error::Corrupt { section: "XTRM", detail }) => {
            assert!(detail.contains("shard 10"), "{detail}")
        }
        other => panic!("{other:?}"),
    };
    let s = Searcher::new(Index::new(b.as_slice()).unwrap());
    is_shard_10(s.search("eartquake", &SearchOptions::default()).map(drop));
    is_shard_10(s.index().check_lexicon());
    assert!(exercise_file(&b, "fst-node-v3.chron"));
}

/// The document and day counts set to 0xFFFFFFFF: a capacity taken from
/// the file (34 GB) aborted the process.
#[test]
fn regression_days_capacity_repro() {
    let b = repro("days-capacity-abort.chron");
    let (opened, heap) = peak_heap(|| exercise_file(&b, "days-capacity"));
    assert!(!opened);
    assert!(heap < MIB, "{heap} bytes");
}

/// Doc-store blocks that inflate to ~63 MB each: a page of hits took
/// 2 GB.
#[test]
fn regression_amp_bomb_repro() {
    let b = repro("amp-bomb-10blocks.chron");
    let (_, heap) = peak_heap(|| exercise_file(&b, "amp-bomb"));
    assert!(heap < 32 * MIB, "{heap} bytes");
}

/// Bits of every lexicon shard's fst flipped in turn (the fst's
/// CRC-32C and the file's CRC32 recomputed): the shard's check finds the
/// damage, or the fst is still one fst walks safely; queries say the
/// index is corrupt or answer; nothing panics.
#[test]
fn flipped_fst_bits_behind_both_checksums() {
    let good = good_index();
    let p = parse(&good);
    let term = lexicon(&good);
    let shards = shard_ranges(&p.sections[term].1);
    let (mut cases, mut caught, mut passed) = (0, 0, 0);
    let mut pair = 0usize;
    for (k, r) in shards.iter().enumerate() {
        // The shard's checksum is the last four bytes: flipped behind it.
        for at in r.start..r.end - 4 {
            for bit in 0..8 {
                // One bit in six, all bit positions and shards alike (for
                // time: each case checks the whole lexicon at open).
                pair += 1;
                if pair % 6 != 0 {
                    continue;
                }
                let mut p = p.clone();
                let fst = &mut p.sections[term].1[r.clone()];
                fst[at - r.start] ^= 1 << bit;
                fix_fst_crc(fst);
                let b = assemble(&p);
                cases += 1;
                let what =
                    format!("shard {k} byte {} bit {bit}", at - r.start);
                let ix = Index::new(b.as_slice()).unwrap();
                match ix.check_lexicon() {
                    Err(Error::Corrupt { section: "XTRM", .. }) => caught += 1,
                    Err(e) => panic!("{what}: {e}"),
                    Ok(()) => passed += 1,
                }
                // Searched and shown (for time) one case in four: the
                // queries check the shards they walk on their own.
                if cases % 4 == 0 {
                    exercise_file(&b, &what);
                }
            }
        }
    }
    // The checksums were right (the damage reached the fst check), and
    // some flips leave a valid fst (an output or a final bit changed).
    assert!(caught > cases / 2, "{caught} of {cases}");
    assert!(passed > 0);
}

/// The same in a split index: the shard lives in a chunk, checked when
/// it is first used.
#[test]
fn flipped_fst_bits_in_a_split_chunk() {
    let (one, split) = good_both();
    let shards = shard_ranges(&parse(&one).sections[lexicon(&one)].1);
    let lexicon = {
        let ix = Index::new(split.core.as_slice()).unwrap();
        ix.section_chunks(tag::TAIL_TERMS)
    };
    assert_eq!(lexicon.len(), shards.len());
    let mut rng = Rng(10);
    let mut caught = 0;
    for i in 0..1000 {
        let k = rng.below(shards.len());
        let len = shards[k].len();
        let n = lexicon[k] as usize;
        let mut s = split.clone();
        let mut chunk = s.chunks[n - 1].clone();
        // The chunk starts with the shard's fst, then its term infos.
        chunk[rng.below(len - 4)] ^= 1 << rng.below(8);
        fix_fst_crc(&mut chunk[..len]);
        s.set_chunk(n, chunk);
        let what = format!("split shard {k}, case {i}");
        let o = exercise(&s.core, &s.chunks, i % 2 == 0, i, 3, &what);
        assert_ne!(o, Outcome::Refused, "{what}");
        let ix = Index::new(s.core.as_slice()).unwrap();
        for c in 1..=s.chunks.len() {
            ix.add_chunk(c as u32, s.chunks[c - 1].clone()).unwrap();
        }
        if ix.check_lexicon().is_err() {
            caught += 1;
        }
    }
    assert!(caught > 300, "{caught}");
}

/// The document count and the day count set to 0xFFFFFFFF (and other
/// extremes), alone and together: refused at open, before anything is
/// sized by them.
#[test]
fn huge_counts_are_refused_before_allocating() {
    let good = good_index();
    let p = parse(&good);
    for docs in [None, Some(u32::MAX), Some(1 << 26), Some(47), Some(0)] {
        for days in [None, Some(u32::MAX), Some(46), Some(1 << 20)] {
            let mut p = p.clone();
            if let Some(d) = docs {
                put_u32(section_mut(&mut p, &tag::META), 0, d);
            }
            if let Some(d) = days {
                put_u32(section_mut(&mut p, &tag::DAYS), 0, d);
            }
            let b = assemble(&p);
            let what = format!("docs {docs:?}, days {days:?}");
            let (opened, heap) = peak_heap(|| exercise_file(&b, &what));
            let huge = |c: Option<u32>| c.is_some_and(|c| c >= 1 << 20);
            if huge(docs) || huge(days) {
                assert!(!opened, "{what}");
            }
            assert!(heap < 4 * MIB, "{what}: {heap} bytes");
        }
    }
}

/// Postings read in another layout than they were written (flag bit 2
/// cleared on a file stored a column at a time, set on the frozen
/// interleaved one; flag bit 3, impacts derived, flipped), or whose
/// doc-delta column claims more bytes than the page has, give errors or
/// some answer: never a panic, nor memory out of proportion. Impacts
/// derived in interleaved postings, without `LENS`, or a flag no reader
/// knows are refused when the file opens.
#[test]
fn postings_in_the_wrong_layout_or_past_their_page() {
    let good = good_index();
    let frozen = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/index_v3.bin"
    ))
    .unwrap();
    assert!(Index::new(good.as_slice()).unwrap().columns());
    assert!(!Index::new(frozen.as_slice()).unwrap().columns());
    assert_ne!(parse(&good).flags & format::FLAG_DERIVED, 0);
    for (file, flip, opens, what) in [
        (&good, format::FLAG_COLUMNS, false, "derived, interleaved"),
        (&good, format::FLAG_DERIVED, true, "derived read as stored"),
        (&frozen, format::FLAG_COLUMNS, true, "interleaved read as columns"),
        (&frozen, format::FLAG_DERIVED, false, "derived, no lengths"),
        (
            &frozen,
            format::FLAG_DERIVED | format::FLAG_COLUMNS,
            false,
            "stored read as derived, no lengths",
        ),
        (&good, 16, false, "an unknown flag"),
        (&good, 1 << 31, false, "an unknown flag"),
    ] {
        let mut p = parse(file);
        p.flags ^= flip;
        let (opened, heap) = peak_heap(|| exercise_file(&assemble(&p), what));
        assert_eq!(opened, opens, "{what}");
        assert!(heap < 4 * MIB, "{what}: {heap} bytes");
    }
    // Stored impacts read as derived, with the lengths a split index
    // keeps in a chunk: some answer.
    let (_, split) = good_both();
    let mut p = parse(&split.core);
    p.flags |= format::FLAG_DERIVED;
    let core = assemble(&p);
    let o = exercise(&core, &split.chunks, true, 0, 3, "stored as derived");
    assert_ne!(o, Outcome::Refused);
    // The first tail term's doc deltas said to be 4 GiB long.
    let mut p = parse(&good);
    let post = section_mut(&mut p, &tag::TAIL_POSTINGS);
    assert!(post[0] < 0x80);
    post.splice(0..1, [0xff, 0xff, 0xff, 0xff, 0x0f]);
    let b = assemble(&p);
    let ix = Index::new(b.as_slice()).unwrap();
    assert!(matches!(ix.postings(0), Err(Error::Corrupt { .. })));
    let (opened, heap) =
        peak_heap(|| exercise_file(&b, "doc deltas of 4 GiB"));
    assert!(opened);
    assert!(heap < 4 * MIB, "{heap} bytes");
}

/// 67 M documents declared with empty doc-store and forward blocks (a
/// 16.8 MB file: just their block tables) made one query take 1.9 GB.
/// Every document needs three bytes of forward list, so such a count is
/// refused at open.
#[test]
fn many_empty_documents_are_refused() {
    let good = good_index();
    let mut p = parse(&good);
    let docs = 1u32 << 26;
    let blocks = docs / 32;
    put_u32(section_mut(&mut p, &tag::META), 0, docs);
    for t in [tag::STORE, tag::FORWARD] {
        let mut s = Vec::with_capacity(4 + 4 * (blocks as usize + 1) + 2);
        s.extend_from_slice(&blocks.to_le_bytes());
        for _ in 0..=blocks {
            s.extend_from_slice(&0u32.to_le_bytes());
        }
        *section_mut(&mut p, &t) = s;
    }
    let b = assemble(&p);
    assert!(b.len() > 16 << 20);
    let (opened, heap) = peak_heap(|| exercise_file(&b, "67 M documents"));
    assert!(!opened);
    assert!(heap < MIB, "{heap} bytes");
}

#[test]
fn a_split_core_too_short_for_its_documents_is_refused() {
    let (_, split) = good_both();
    // 67 M documents, their doc-store blocks named in BLKS (256 KB): the
    // core claims the rest of what they need in pages.
    let with_blocks_of = |docs: u32, per: u32| {
        let mut p = parse(&split.core);
        put_u32(section_mut(&mut p, &tag::META), 0, docs);
        put_u32(section_mut(&mut p, &tag::META), 12, per);
        let blocks = docs.div_ceil(per);
        let mut b = blocks.to_le_bytes().to_vec();
        b.resize(
            4 + 4 * blocks.div_ceil(format::store_group(per)) as usize,
            7,
        );
        *section_mut(&mut p, &tag::STORE_CHUNKS) = b;
        assemble(&p)
    };
    let with_docs = |docs: u32| with_blocks_of(docs, 32);
    let core = with_docs(1 << 26);
    let (opened, heap) =
        peak_heap(|| exercise(&core, &split.chunks, false, 0, 2, "67 M"));
    assert!(matches!(opened, Outcome::Refused));
    assert!(heap < MIB, "{heap} bytes");
    let err = Index::new(core.as_slice()).err().unwrap().to_string();
    assert!(err.contains("more blocks than the core"), "{err}");
    // Up to 2^20 documents need no more than that: refused later, for
    // its forward lists (whose pages do not add up to them).
    let err = Index::new(with_docs(1 << 20)).err().unwrap().to_string();
    assert!(!err.contains("more blocks than the core"), "{err}");
    // Blocks of 128 documents: 2^15 of them (a short BLKS) claim 4 M
    // documents, refused at open (here for the forward lists' pages, or
    // else, were those claimed longer, for the core's length).
    let core = with_blocks_of(1 << 22, format::LOCAL_BLOCK_DOCS);
    let (opened, heap) =
        peak_heap(|| exercise(&core, &split.chunks, false, 0, 2, "4 M"));
    assert!(matches!(opened, Outcome::Refused));
    assert!(heap < MIB, "{heap} bytes");
    // The same with the forward lists' last page claimed long enough.
    let mut p = parse(&core);
    let page = section_mut(&mut p, &tag::PAGES);
    let fwrd = tag::ALL.iter().position(|&t| t == tag::FORWARD).unwrap();
    let varint = |b: &[u8], at: &mut usize| {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let x = b[*at];
            *at += 1;
            v |= u64::from(x & 127) << shift;
            shift += 7;
            if x < 128 {
                return v;
            }
        }
    };
    let mut entries = Vec::new();
    let mut at = 4;
    for _ in 0..u32_at(page, 0) {
        let section = page[at];
        at += 1;
        let e = [
            varint(page, &mut at),
            varint(page, &mut at),
            varint(page, &mut at),
        ];
        entries.push((section, e));
    }
    let last = entries.iter().rposition(|e| e.0 as usize == fwrd).unwrap();
    entries[last].1[0] += 4 << 23;
    let mut out = page[..4].to_vec();
    for (section, e) in entries {
        out.push(section);
        for v in e {
            format::put_varint(&mut out, v);
        }
    }
    *page = out;
    let core = assemble(&p);
    let err = Index::new(core.as_slice()).err().unwrap().to_string();
    assert!(err.contains("more documents than the core"), "{err}");
}

/// Raw DEFLATE of `raw`.
fn deflate(raw: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(raw, 6)
}

/// Replaces every doc-store block of `file` with `block(n)`.
fn with_blocks(file: &[u8], block: impl Fn(usize) -> Vec<u8>) -> Vec<u8> {
    let mut p = parse(file);
    let stor = section_mut(&mut p, &tag::STORE);
    let n = u32_at(stor, 0) as usize;
    let blocks: Vec<Vec<u8>> = (0..n).map(block).collect();
    let mut s = (n as u32).to_le_bytes().to_vec();
    let mut off = 0u32;
    s.extend_from_slice(&off.to_le_bytes());
    for b in &blocks {
        off += b.len() as u32;
        s.extend_from_slice(&off.to_le_bytes());
    }
    for b in blocks {
        s.extend(b);
    }
    *stor = s;
    assemble(&p)
}

/// A doc-store record (FORMAT.md, `STOR`) whose body is `body` bytes.
fn record(id: &str, body: usize) -> Vec<u8> {
    let mut r = Vec::new();
    for s in [id, "a title"] {
        format::put_varint(&mut r, s.len() as u64);
        r.extend_from_slice(s.as_bytes());
    }
    r.push(0); // no URL
    format::put_varint(&mut r, body as u64 + 1);
    r.resize(r.len() + body, b'x');
    r.extend_from_slice(&[0, 0, 0]); // no category, sources, contexts
    r
}

/// Doc-store blocks that inflate to 64 MB each (a 5 MB-per-block
/// ratio beyond the format's bound): the first record asked for fails
/// after at most `MAX_BLOCK_BYTES`, and a page of hits stays small.
#[test]
fn doc_store_bombs_stop_at_the_bound() {
    let good = builder::build(many_events(320)).unwrap();
    // One record holding 64 MB of body: far beyond the bound.
    let bomb = deflate(&record("bomb", 64 * MIB));
    let b = with_blocks(&good, |_| bomb.clone());
    assert!(b.len() < 1 << 20);
    let (_, heap) = peak_heap(|| {
        let ix = Index::new(b.as_slice()).unwrap();
        match ix.stored(&[0]) {
            Err(Error::Corrupt { section: "STOR", detail }) => {
                assert!(detail.contains("beyond"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
        exercise_file(&b, "64 MB blocks")
    });
    assert!(heap < MAX_BLOCK_BYTES + 8 * MIB, "{heap} bytes");
}

/// Blocks just within the bound (8 MB of records each): every page of
/// hits inflates a lot, but the reader keeps a bounded number of bytes
/// of them, not 64 blocks.
#[test]
fn doc_store_blocks_within_the_bound_are_cached_in_bounded_memory() {
    // A single file's blocks hold `per` events (`META`).
    let per = {
        let mut p = parse(&builder::build(many_events(1)).unwrap());
        u32_at(section_mut(&mut p, &tag::META), 12)
    };
    let good = builder::build(many_events(per as usize * 10)).unwrap();
    let raw: Vec<u8> = (0..per)
        .flat_map(|i| record(&format!("r{i}"), 8_000_000 / per as usize))
        .collect();
    assert!(raw.len() < MAX_BLOCK_BYTES);
    let z = deflate(&raw);
    let b = with_blocks(&good, |_| z.clone());
    let ix = Index::new(b.as_slice()).unwrap();
    // The last record of each of the ten blocks: ten whole blocks.
    let docs: Vec<u32> = (0..10).map(|b| b * per + per - 1).collect();
    let (stored, heap) = peak_heap(|| ix.stored(&docs).unwrap());
    assert_eq!(stored[3].id, format!("r{}", per - 1));
    // What a page shows (2.5 MB of bodies) and what the cache keeps.
    assert!(heap < 32 * MIB, "{heap} bytes");
    let (_, heap) = peak_heap(|| {
        for d in &docs {
            ix.stored(&[*d]).unwrap();
        }
    });
    // The one block kept, the one being inflated, the record shown.
    assert!(heap < 2 * MAX_BLOCK_BYTES + 4 * MIB, "{heap} bytes");
}

// ---------------------------------------------------------------------
// Structure-aware damage, section by section, every checksum recomputed.

/// Values a u32 length, count or offset is set to.
fn extremes(len: usize) -> [u32; 8] {
    let len = len as u32;
    [0, 1, 0x7fff_ffff, 0x8000_0000, u32::MAX, len, len + 1, len / 2]
}

/// Damaged copies of `s` (one section or chunk): bit flips, bytes set to
/// telling values, u32 fields (its head first) set to extremes, runs of
/// overlong varint bytes, truncations and extensions. About `n` of them.
fn damaged(s: &[u8], rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if s.is_empty() {
        out.push(vec![0]);
        return out;
    }
    // Headers (counts, offsets, lengths) are at the front: aim there
    // half the time.
    let at = |rng: &mut Rng| {
        if rng.below(2) == 0 {
            rng.below(s.len().min(48))
        } else {
            rng.below(s.len())
        }
    };
    for _ in 0..n * 4 / 10 {
        let mut b = s.to_vec();
        let i = at(rng);
        b[i] ^= 1 << rng.below(8);
        out.push(b);
    }
    for _ in 0..n * 2 / 10 {
        let mut b = s.to_vec();
        let i = at(rng);
        b[i] = [0, 1, 0x7f, 0x80, 0xff, rng.next() as u8][rng.below(6)];
        out.push(b);
    }
    for k in 0..n * 2 / 10 {
        if s.len() < 4 {
            break;
        }
        let mut b = s.to_vec();
        let i = if k < 16 { 4 * k } else { 4 * rng.below(s.len() / 4) };
        if i + 4 <= b.len() {
            put_u32(&mut b, i, extremes(s.len())[rng.below(8)]);
            out.push(b);
        }
    }
    for _ in 0..n / 10 {
        let mut b = s.to_vec();
        let i = at(rng);
        let run = 1 + rng.below(11);
        for x in b.iter_mut().skip(i).take(run) {
            *x = if rng.below(2) == 0 { 0xff } else { 0x80 };
        }
        out.push(b);
    }
    for cut in [0, 1, 3, 4, 5, s.len() / 2, s.len() - 1] {
        out.push(s[..cut.min(s.len())].to_vec());
    }
    let mut longer = s.to_vec();
    longer.extend((0..1 + rng.below(8)).map(|_| rng.next() as u8));
    out.push(longer);
    out
}

/// Damage to each section of a single file, and to the section table;
/// the file's CRC32 (and a damaged shard's CRC-32C) recomputed.
#[test]
fn damage_to_every_section_of_a_file() {
    let good = good_index();
    let p = parse(&good);
    let mut rng = Rng(7);
    let (mut cases, mut answered) = (0, 0);
    let mut caught_per_section = vec![0; p.sections.len()];
    for (i, (t, s)) in p.sections.iter().enumerate() {
        let name = String::from_utf8_lossy(t).into_owned();
        for (k, d) in damaged(s, &mut rng, 600).into_iter().enumerate() {
            let mut q = p.clone();
            q.sections[i].1 = d;
            if *t == tag::TAIL_TERMS && q.sections[i].1.len() == s.len() {
                // The shard the damage fell in gets its own checksum
                // back, as a crafted file's would.
                for r in shard_ranges(s) {
                    if q.sections[i].1[r.clone()] != s[r.clone()] {
                        fix_fst_crc(&mut q.sections[i].1[r]);
                    }
                }
            }
            let b = assemble(&q);
            let what = format!("{name} case {k}");
            cases += 1;
            let whole = exercise(&b, &[], false, cases, 2, &what);
            match whole {
                Outcome::Answered => answered += 1,
                _ => caught_per_section[i] += 1,
            }
            // Held in part, as a browser holds a single file: one case in
            // four, with its doc store and facet dictionaries outside
            // memory, comes to the same, or is refused where the whole
            // file failed a read (the block tables of the sections kept
            // outside are checked when it opens, not on first use).
            if k % 4 == 0 {
                let open = || held(&b, held_len(&b), 0);
                let o = exercise_with(open, &[], false, cases, 2, &what);
                if !(o == Outcome::Refused && whole == Outcome::Caught) {
                    assert_eq!(o, whole, "{what}, held in part");
                }
            }
        }
    }
    // The section table: each entry's offset and length set to extremes.
    for i in 0..p.sections.len() {
        for field in [4, 8] {
            for v in extremes(good.len()) {
                let mut b = good.clone();
                put_u32(&mut b, 20 + 12 * i + field, v);
                fix_crc(&mut b);
                cases += 1;
                exercise(&b, &[], false, cases, 1, &format!("table {i}"));
            }
        }
    }
    // Damage reached every section's checks (but the preset dictionary's:
    // any bytes will do; and the sealed segment's, empty in an index this
    // small), and some (inside text, say) is harmless.
    for (i, (t, s)) in p.sections.iter().enumerate() {
        let c = caught_per_section[i];
        assert!(c > 0 || *t == tag::DICTIONARY || s.is_empty(), "{t:?}: {c}");
    }
    assert!(answered > 0);
    assert!(cases > 6_000, "{cases}");
}

/// Damage to each section of a split core and to each chunk; the core's
/// CRC32, the chunk's CRC32 in `CHNK` (and a damaged shard's CRC-32C)
/// recomputed. Chunks are added as reads ask for them, or all at hand.
#[test]
fn damage_to_every_section_of_a_split_index() {
    let (one, split) = good_both();
    let shards = shard_ranges(&parse(&one).sections[lexicon(&one)].1);
    let lexicon = {
        let ix = Index::new(split.core.as_slice()).unwrap();
        ix.section_chunks(tag::TAIL_TERMS)
    };
    let p = parse(&split.core);
    let mut rng = Rng(8);
    let mut cases = 0;
    for (i, (t, s)) in p.sections.iter().enumerate() {
        let name = String::from_utf8_lossy(t).into_owned();
        for (k, d) in damaged(s, &mut rng, 600).into_iter().enumerate() {
            let mut q = p.clone();
            q.sections[i].1 = d;
            let core = assemble(&q);
            cases += 1;
            let what = format!("core {name} case {k}");
            exercise(&core, &split.chunks, cases % 2 == 0, cases, 2, &what);
        }
    }
    for n in 1..=split.chunks.len() {
        let c = &split.chunks[n - 1];
        let shard = lexicon.iter().position(|&l| l as usize == n);
        for (k, mut d) in damaged(c, &mut rng, 80).into_iter().enumerate() {
            if let Some(sh) = shard {
                let len = shards[sh].len();
                if d.len() == c.len() && d[..len] != c[..len] {
                    fix_fst_crc(&mut d[..len]);
                }
            }
            let mut s = split.clone();
            s.set_chunk(n, d);
            cases += 1;
            let what = format!("chunk {n} case {k}");
            exercise(&s.core, &s.chunks, cases % 2 == 0, cases, 2, &what);
        }
    }
    assert!(cases > 6_000, "{cases}");
}

/// A single file held in part, as the browser holds it (`held_len` bytes
/// in memory, its doc store read from outside): it answers as when whole;
/// outside bytes that are short, long, missing or changed are refused
/// when it opens; a cut anywhere else, or a split core held in part, is
/// an error or an answer, never a panic.
#[test]
fn a_file_held_in_part_answers_or_fails_cleanly() {
    let (good, split) = good_both();
    let cut = held_len(&good);
    let whole = Index::new(&good[..]).unwrap();
    // The facet dictionaries, then the doc store, are the last sections:
    // the cut is where they begin.
    let mut by_place = whole.sections();
    by_place.sort_by_key(|s| s.1);
    let last: Vec<_> = by_place[by_place.len() - 4..].iter().collect();
    assert_eq!(
        last.iter().map(|s| s.0).collect::<Vec<_>>(),
        ["CATS", "SRCS", "CTXS", "STOR"]
    );
    assert_eq!(cut, last[0].1, "the facet dictionaries start there");
    let ix = held(&good, cut, 0).unwrap();
    assert_eq!((ix.as_bytes().len(), ix.file_len()), (cut, good.len()));
    let o = exercise_with(|| held(&good, cut, 0), &[], false, 0, 10, "held");
    assert_eq!(o, Outcome::Answered);
    for spoil in 1..=4 {
        assert!(held(&good, cut, spoil).is_err(), "spoilt {spoil}");
    }
    // Every section boundary, a byte either side, and the extremes.
    let mut cuts = vec![0, 1, 8, 16, 20, 23, good.len() - 4, good.len()];
    for (_, off, len) in whole.sections() {
        for at in [off, off + len] {
            cuts.extend([at.saturating_sub(1), at, at + 1]);
        }
    }
    for (k, &c) in cuts.iter().enumerate() {
        let what = format!("cut at {c}");
        exercise_with(|| held(&good, c, 0), &[], false, k, 3, &what);
    }
    // A split core is held whole, its chunks fetched as they are needed.
    assert_eq!(held_len(&split.core), split.core.len());
    let core = &split.core;
    assert!(held(core, core.len() / 2, 0).is_err());
    // Any first bytes at all: a length to hold within the file.
    let mut rng = Rng(41);
    for n in 0..2000 {
        let mut head = good[..512].to_vec();
        for _ in 0..=rng.below(8) {
            let i = rng.below(if n % 2 == 0 { 64 } else { 512 });
            head[i] = rng.next() as u8;
        }
        let len = rng.below(1 << 20);
        assert!(format::held_len(&head, len) <= len);
    }
}

/// Damage to a split core's `PKEY` (the first term of each sealed
/// postings page, which the events above are too few to have): the keys
/// are a hint of which pages a word will read, so damaged ones ask for
/// the wrong pages, or none, and the answers stay the good core's.
#[test]
fn damage_to_the_postings_page_keys() {
    let parts = builder::build_parts(common::read_events("data/sample.jsonl"))
        .unwrap();
    let (_, split) = format::encode_both(parts, false, true).unwrap();
    let split = split.unwrap();
    let chunks: Vec<Vec<u8>> = split.chunks.into_iter().map(|c| c.1).collect();
    let p = parse(&split.core);
    let keys = p.sections.iter().position(|s| s.0 == tag::POST_KEYS).unwrap();
    let good = p.sections[keys].1.clone();
    assert!(u32_at(&good, 0) > 1, "pages");
    let with = |s: Vec<u8>| {
        let mut q = p.clone();
        q.sections[keys].1 = s;
        assemble(&q)
    };
    let answers = |core: &[u8]| {
        let s = Searcher::new(Index::new(core).unwrap());
        let opts = SearchOptions { facets: false, ..SearchOptions::default() };
        ["eartquake", "lavrov geneva", "president", "election res", "police"]
            .iter()
            .map(|q| {
                let r = with_chunks(s.index(), &chunks, || s.search(q, &opts));
                r.map(|r| (r.total, r.hits)).unwrap()
            })
            .collect::<Vec<_>>()
    };
    let want = answers(&split.core);
    // Keys too many or too few, out of order, longer than a term may be,
    // cut short, bytes left over, none at all.
    let mut more = good.clone();
    put_u32(&mut more, 0, u32::MAX);
    let mut fewer = good.clone();
    put_u32(&mut fewer, 0, 1);
    let mut backwards = 2u32.to_le_bytes().to_vec();
    for k in [&b"zz"[..], b"aa"] {
        backwards.extend_from_slice(&[0, k.len() as u8]);
        backwards.extend_from_slice(k);
    }
    let mut long = 1u32.to_le_bytes().to_vec();
    long.extend_from_slice(&[9, 0x80, 0x80, 0x80, 0x80, 0x0f]);
    let mut extra = good.clone();
    extra.push(0);
    let short = good[..good.len() / 2].to_vec();
    for (what, s) in [
        ("more", more),
        ("fewer", fewer),
        ("backwards", backwards),
        ("long", long),
        ("extra", extra),
        ("short", short),
        ("none", Vec::new()),
    ] {
        assert_eq!(answers(&with(s)), want, "{what}");
    }
    // Random damage: refused, caught or answered, never a panic.
    let mut rng = Rng(9);
    for (k, d) in damaged(&good, &mut rng, 300).into_iter().enumerate() {
        let core = with(d);
        exercise(&core, &chunks, false, k, 2, &format!("PKEY case {k}"));
    }
}
