//! Any bytes at all given as an index give an error, never a panic:
//! truncations at every section boundary, random flips, random garbage,
//! and damage hidden behind a recomputed checksum.
#![cfg(not(target_arch = "wasm32"))]

use std::panic::{catch_unwind, AssertUnwindSafe};

use chronicle::builder;
use chronicle::query::{SearchOptions, Searcher};
use chronicle::{render, Index};

mod common;
use common::Rng;

fn good_index() -> Vec<u8> {
    builder::build(common::read_events("tests/data/events.jsonl")).unwrap()
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

/// Opens `bytes` and, when that succeeds, uses every read path. Returns
/// whether opening failed; panics (with `what`) if anything panicked.
fn exercise(bytes: &[u8], what: &str) -> bool {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let Ok(ix) = Index::new(bytes) else { return true };
        let s = Searcher::new(ix);
        for q in [
            "lavrov geneva",
            "zurich",
            "negotiati",
            "eartquake",
            "\"sergey lavrov\"",
            "talks -geneva",
            "a OR b",
            "from:2014 to:2016",
            "about:geneva",
            "source:bbc",
            "category:politics",
        ] {
            if let Ok(r) = s.search(q, &SearchOptions::default()) {
                let _ = render::hits(&s, &r, 3);
            }
        }
        let ix = s.index();
        let docs: Vec<u32> = (0..ix.doc_count().min(200)).collect();
        let _ = ix.stored(&docs);
        for d in docs {
            let _ = ix.facets(d);
            let _ = s.related(d, 5);
        }
        false
    }));
    match outcome {
        Ok(failed) => failed,
        Err(_) => panic!("panicked on {what}"),
    }
}

fn section_bounds(bytes: &[u8]) -> Vec<usize> {
    let ix = Index::new(bytes).unwrap();
    let mut b = vec![0, 8, 12, 16, 20, bytes.len() - 4];
    for (_, off, len) in ix.sections() {
        b.extend([off, off + len]);
    }
    b.sort_unstable();
    b.dedup();
    b
}

#[test]
fn the_good_index_opens() {
    assert!(!exercise(&good_index(), "the good index"));
}

#[test]
fn truncation_at_every_section_boundary_is_an_error() {
    let good = good_index();
    let mut cuts: Vec<usize> = Vec::new();
    for b in section_bounds(&good) {
        cuts.extend([b.saturating_sub(1), b, b + 1]);
    }
    cuts.extend(0..64);
    cuts.extend((0..good.len()).step_by(97));
    for cut in cuts.into_iter().filter(|&c| c < good.len()) {
        let failed = exercise(&good[..cut], &format!("truncation at {cut}"));
        assert!(failed, "truncation at {cut} was accepted");
        // With a fresh checksum over the truncated bytes, too.
        let mut t = good[..cut].to_vec();
        fix_crc(&mut t);
        assert!(exercise(&t, &format!("truncation at {cut} + crc")));
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
        assert!(
            exercise(&b, &format!("flip {i} at {at}")),
            "flip at {at} accepted"
        );
    }
}

#[test]
fn random_garbage_is_an_error() {
    let mut rng = Rng(99);
    for i in 0..3000 {
        let len = rng.below(if i % 10 == 0 { 5000 } else { 200 });
        let mut b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if i % 3 == 0 && b.len() >= 16 {
            // A plausible header, so the checks behind it run.
            b[..8].copy_from_slice(b"CHRONIDX");
            b[8..12].copy_from_slice(&1u32.to_le_bytes());
            fix_crc(&mut b);
        }
        assert!(exercise(&b, &format!("garbage {i}")), "garbage {i} accepted");
    }
}

#[test]
fn damage_behind_a_valid_checksum_never_panics() {
    let good = good_index();
    let bounds = section_bounds(&good);
    let mut rng = Rng(7);
    let mut opened = 0;
    for i in 0..4000 {
        let mut b = good.clone();
        // Aim at every section in turn, then anywhere.
        let at = if i < bounds.len() * 20 {
            let k = (i / 20) % (bounds.len() - 1);
            let (lo, hi) = (bounds[k], bounds[k + 1].max(bounds[k] + 1));
            lo + rng.below(hi - lo)
        } else {
            rng.below(b.len() - 4)
        };
        for _ in 0..1 + rng.below(3) {
            let at = (at + rng.below(8)).min(b.len() - 5);
            b[at] = rng.next() as u8;
        }
        fix_crc(&mut b);
        if !exercise(&b, &format!("hidden damage {i} at {at}")) {
            opened += 1;
        }
    }
    // Some damage (inside text, say) is undetectable and opens fine.
    assert!(opened > 0);
}
