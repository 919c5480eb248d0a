//! Recomputing an index's checksums after the fuzzer changed its bytes,
//! so that the damage reaches what lies behind them. A checksum anyone can
//! recompute proves nothing about hostile bytes, so the reader must be
//! safe behind it; without this, nearly every mutation would stop at the
//! first CRC.
//!
//! This reads the layout FORMAT.md describes as far as the bytes allow
//! and fixes what it finds; it never fails and never panics (a harness
//! panic would be reported as the library's).

use std::ops::Range;

/// What [`reseal`] fixes, besides the CRC32s (the chunks' in the core's
/// `CHNK` table, and the core's own footer), which it always fixes.
#[derive(Clone, Copy)]
pub struct Fix {
    /// Cut or pad each chunk to the length its pages give it.
    pub fit_lengths: bool,
    /// Recompute the checksum at the end of every lexicon shard's fst.
    pub fst: bool,
}

/// Everything.
pub const FIX_ALL: Fix = Fix { fit_lengths: true, fst: true };
/// Only the CRC32s (the chunks are given as they decode, and changing
/// them would part them from what the library is handed).
pub const FIX_CRCS: Fix = Fix { fit_lengths: false, fst: false };

const HEADER_LEN: usize = 16;
const ENTRY_LEN: usize = 12;
/// The term dictionaries (the sealed segment's `TERM`, the tail's
/// `XTRM`, one layout) and their positions in the list `PAGE` numbers
/// sections by.
const DICTIONARIES: [(&[u8; 4], u8); 2] = [(b"TERM", 1), (b"XTRM", 4)];
/// Most bytes [`fit_lengths`] adds to the chunks in all, and most fst
/// bytes [`fix_fsts`] hashes: far more than a fuzz input holds, and few
/// enough that a page table claiming gigabytes costs the harness little
/// (its time and memory would be blamed on the library).
const FIT_BUDGET: usize = 32 << 20;
const FST_BUDGET: usize = 8 << 20;

/// The byte range `at..at + n` when it lies within `len`.
fn span(at: usize, n: usize, len: usize) -> Option<Range<usize>> {
    let end = at.checked_add(n)?;
    (end <= len).then_some(at..end)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(span(at, 4, b.len())?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    if let Some(r) = span(at, 4, b.len()) {
        b[r].copy_from_slice(&v.to_le_bytes());
    }
}

/// The bytes of the first section tagged `tag` in `b`'s table, when they
/// lie before the footer.
fn section(b: &[u8], tag: &[u8; 4]) -> Option<Range<usize>> {
    let body = b.len().checked_sub(4)?;
    let n = u32_at(b, HEADER_LEN)? as usize;
    let fit = body.saturating_sub(HEADER_LEN + 4) / ENTRY_LEN;
    (0..n.min(fit)).find_map(|i| {
        let at = HEADER_LEN + 4 + ENTRY_LEN * i;
        if b.get(at..at + 4)? != tag {
            return None;
        }
        let off = u32_at(b, at + 4)? as usize;
        let len = u32_at(b, at + 8)? as usize;
        span(off, len, body)
    })
}

fn varint(b: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*pos)?;
        *pos += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(v);
        }
    }
    None
}

/// A page of a split core's `PAGE` table.
#[derive(Clone)]
struct Page {
    section: u8,
    start: usize,
    len: usize,
    chunk: u64,
    off: usize,
}

/// The entries of a `PAGE` section that read, in order.
fn pages(s: &[u8]) -> Vec<Page> {
    let mut out = Vec::new();
    let Some(n) = u32_at(s, 0) else { return out };
    let mut pos = 4;
    let mut chunk = 0i64;
    let mut starts = [0usize; 256];
    for _ in 0..n {
        let Some(&section) = s.get(pos) else { break };
        pos += 1;
        let (Some(len), Some(z), Some(off)) =
            (varint(s, &mut pos), varint(s, &mut pos), varint(s, &mut pos))
        else {
            break;
        };
        let z = z as i64;
        chunk = chunk.wrapping_add((z >> 1) ^ -(z & 1));
        let (len, off) = (len as usize, off as usize);
        let start = &mut starts[usize::from(section)];
        if chunk >= 0 {
            out.push(Page {
                section,
                start: *start,
                len,
                chunk: chunk as u64,
                off,
            });
        }
        *start = start.saturating_add(len);
    }
    out
}

/// Where a byte of a section lives: in the core, or in a chunk (from 0).
#[derive(Clone, Copy)]
enum At {
    Core(usize),
    Chunk(usize, usize),
}

/// Where the bytes of one section are.
struct Section {
    /// A section in the core's table.
    local: Option<Range<usize>>,
    /// Otherwise its pages.
    pages: Vec<Page>,
    /// The core's `CORE` area, which chunk 0 means.
    core_area: Range<usize>,
}

impl Section {
    fn len(&self) -> usize {
        match &self.local {
            Some(r) => r.len(),
            None => self.pages.iter().fold(0, |a, p| a.saturating_add(p.len)),
        }
    }

    fn locate(&self, pos: usize) -> Option<At> {
        if let Some(r) = &self.local {
            return (pos < r.len()).then(|| At::Core(r.start + pos));
        }
        // The last page starting at or before `pos`, as the reader finds
        // it (starts never decrease).
        let i = self.pages.partition_point(|p| p.start <= pos);
        let p = self.pages.get(i.checked_sub(1)?)?;
        if pos - p.start >= p.len {
            return None;
        }
        let at = p.off.checked_add(pos - p.start)?;
        if p.chunk == 0 {
            (at < self.core_area.len())
                .then(|| At::Core(self.core_area.start + at))
        } else {
            Some(At::Chunk(usize::try_from(p.chunk - 1).ok()?, at))
        }
    }
}

/// The index's bytes: the core (or single file) and the chunks at hand.
struct Bytes<'a> {
    core: &'a mut Vec<u8>,
    chunks: &'a mut [Option<Vec<u8>>],
}

impl Bytes<'_> {
    fn get(&self, at: At) -> Option<u8> {
        match at {
            At::Core(i) => self.core.get(i).copied(),
            At::Chunk(c, i) => self.chunks.get(c)?.as_ref()?.get(i).copied(),
        }
    }

    fn set(&mut self, at: At, v: u8) {
        let b = match at {
            At::Core(i) => self.core.get_mut(i),
            At::Chunk(c, i) => self
                .chunks
                .get_mut(c)
                .and_then(|c| c.as_mut())
                .and_then(|c| c.get_mut(i)),
        };
        if let Some(b) = b {
            *b = v;
        }
    }

    fn read(&self, s: &Section, pos: usize) -> Option<u8> {
        self.get(s.locate(pos)?)
    }

    fn read_u32(&self, s: &Section, pos: usize) -> Option<u32> {
        let mut v = [0u8; 4];
        for (k, b) in v.iter_mut().enumerate() {
            *b = self.read(s, pos.checked_add(k)?)?;
        }
        Some(u32::from_le_bytes(v))
    }
}

/// Recomputes the checksums of an index (a single file: no chunks) or of
/// a split index's core and the chunks at hand, in the order the reader
/// checks them: chunk lengths (if asked), the fst checksums (if asked),
/// the chunk CRC32s in the core, the core's CRC32.
pub fn reseal(core: &mut Vec<u8>, chunks: &mut [Option<Vec<u8>>], fix: Fix) {
    let page_table = section(core, b"PAGE").map(|r| pages(&core[r]));
    let core_area = section(core, b"CORE").unwrap_or(0..0);
    let page_table = page_table.unwrap_or_default();
    // The chunks `CHNK` lists; those after them are the doc store's
    // blocks, each ending with its own CRC32 (FORMAT.md, "Split index").
    let listed = section(core, b"CHNK")
        .and_then(|r| u32_at(core, r.start))
        .map_or(chunks.len(), |n| (n as usize).min(chunks.len()));
    if fix.fit_lengths {
        fit_lengths(&page_table, &mut chunks[..listed]);
    }
    if fix.fst {
        for (tag, number) in DICTIONARIES {
            let term = Section {
                local: section(core, tag),
                pages: page_table
                    .iter()
                    .filter(|p| p.section == number)
                    .cloned()
                    .collect(),
                core_area: core_area.clone(),
            };
            fix_fsts(&mut Bytes { core, chunks }, &term);
        }
    }
    if let Some(r) = section(core, b"CHNK") {
        let n = u32_at(core, r.start).unwrap_or(0) as usize;
        for (i, c) in chunks.iter().enumerate().take(n) {
            let at = r.start + 4 + 4 * i;
            if let (Some(c), true) = (c, at + 4 <= r.end) {
                put_u32(core, at, crc32fast::hash(c));
            }
        }
    }
    for c in chunks[listed..].iter_mut().flatten() {
        if let Some(body) = c.len().checked_sub(4) {
            let crc = crc32fast::hash(&c[..body]);
            put_u32(c, body, crc);
        }
    }
    seal_footer(core);
}

/// Cuts or pads each chunk to the end of its last page (padding at most
/// [`FIT_BUDGET`] bytes in all).
fn fit_lengths(pages: &[Page], chunks: &mut [Option<Vec<u8>>]) {
    let mut want = vec![0usize; chunks.len()];
    for p in pages {
        let i = usize::try_from(p.chunk).unwrap_or(usize::MAX);
        if let Some(w) = i.checked_sub(1).and_then(|i| want.get_mut(i)) {
            *w = (*w).max(p.off.saturating_add(p.len));
        }
    }
    let mut budget = FIT_BUDGET;
    for (c, w) in chunks.iter_mut().zip(want) {
        let Some(c) = c else { continue };
        let grow = w.saturating_sub(c.len());
        if grow <= budget {
            budget -= grow;
            c.resize(w, 0);
        }
    }
}

/// Rewrites the checksum at the end of every lexicon shard's fst that
/// the `TERM` header locates.
fn fix_fsts(b: &mut Bytes<'_>, term: &Section) {
    let len = term.len();
    let Some(n) = b.read_u32(term, 0) else { return };
    let n = n as usize;
    if n > 256 {
        return; // one shard per first byte
    }
    let header = 4 + 8 * (n + 1) + n;
    let mut budget = FST_BUDGET;
    let off = |b: &Bytes<'_>, i: usize| {
        b.read_u32(term, 4 + 4 * (n + 1) + 4 * i).map(|o| header + o as usize)
    };
    for i in 0..n {
        let (Some(a), Some(z)) = (off(b, i), off(b, i + 1)) else { continue };
        if z > len || z < a + 4 || z - a > budget {
            continue;
        }
        budget -= z - a;
        let mut crc = Crc32c::new();
        for pos in a..z - 4 {
            match b.read(term, pos) {
                Some(v) => crc.update(v),
                None => return,
            }
        }
        for (k, v) in crc.masked().to_le_bytes().into_iter().enumerate() {
            match term.locate(z - 4 + k) {
                Some(at) => b.set(at, v),
                None => return,
            }
        }
    }
}

/// Rewrites the CRC32 footer (the last four bytes) of a file.
pub fn seal_footer(b: &mut [u8]) {
    if let Some(end) = b.len().checked_sub(4) {
        let crc = crc32fast::hash(&b[..end]);
        b[end..].copy_from_slice(&crc.to_le_bytes());
    }
}

/// CRC-32C (Castagnoli), a byte at a time, with the mask fst 0.4 stores.
struct Crc32c(u32);

impl Crc32c {
    fn new() -> Self {
        Crc32c(!0)
    }

    fn update(&mut self, byte: u8) {
        let mut c = self.0 ^ u32::from(byte);
        for _ in 0..8 {
            c = (c >> 1) ^ (0x82F6_3B78 & (c & 1).wrapping_neg());
        }
        self.0 = c;
    }

    fn masked(&self) -> u32 {
        let sum = !self.0;
        sum.rotate_right(15).wrapping_add(0xA282_EAD8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chronicle::Index;

    #[test]
    fn crc32c_check_value() {
        let mut c = Crc32c::new();
        for &b in b"123456789" {
            c.update(b);
        }
        assert_eq!(!c.0, 0xE306_9283);
    }

    fn split_chunks() -> (Vec<u8>, Vec<Option<Vec<u8>>>) {
        let split = &crate::built().1;
        let chunks = split.chunks.iter().map(|(_, b)| Some(b.clone()));
        (split.core.clone(), chunks.collect())
    }

    /// The fst byte ranges of a single file's lexicon shards, sealed
    /// segment and tail.
    fn shard_fsts(b: &[u8]) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        for (tag, _) in DICTIONARIES {
            let term = section(b, tag).unwrap();
            let t = &b[term.clone()];
            let n = u32_at(t, 0).unwrap() as usize;
            let header = term.start + 4 + 8 * (n + 1) + n;
            let off = |i| {
                header + u32_at(t, 4 + 4 * (n + 1) + 4 * i).unwrap() as usize
            };
            out.extend((0..n).map(|i| off(i)..off(i + 1)));
        }
        out
    }

    #[test]
    fn resealing_a_good_index_changes_nothing() {
        let single = crate::built().0.clone();
        let mut b = single.clone();
        reseal(&mut b, &mut [], FIX_ALL);
        assert_eq!(b, single);
        let (core, chunks) = split_chunks();
        let (mut c, mut k) = (core.clone(), chunks.clone());
        reseal(&mut c, &mut k, FIX_ALL);
        assert_eq!((c, k), (core, chunks));
    }

    #[test]
    fn a_changed_fst_is_resealed_so_it_opens_and_verifies() {
        let mut b = crate::built().0.clone();
        let shards = shard_fsts(&b);
        assert!(shards.len() > 10);
        // A byte in the middle of every shard's fst (not its checksum).
        for r in &shards {
            b[r.start + 16 + (r.len() - 20) / 2] ^= 0x40;
        }
        assert!(Index::new(b.clone()).is_err());
        reseal(&mut b, &mut [], FIX_ALL);
        let ix = Index::new(b.clone()).expect("resealed");
        for r in &shards {
            let fst = &b[r.clone()];
            let mut c = Crc32c::new();
            fst[..fst.len() - 4].iter().for_each(|&v| c.update(v));
            assert_eq!(c.masked(), u32_at(fst, fst.len() - 4).unwrap());
        }
        drop(ix);
    }

    #[test]
    fn changed_chunks_are_fitted_and_resealed() {
        let (mut core, mut chunks) = split_chunks();
        let good = chunks.clone();
        for c in chunks.iter_mut().flatten() {
            c[0] ^= 1;
            c.push(7);
        }
        reseal(&mut core, &mut chunks, FIX_ALL);
        let ix = Index::new(core).expect("the core opens");
        let blocks = ix.section_chunks(chronicle::format::tag::STORE);
        assert!(!blocks.is_empty());
        for (i, (c, g)) in chunks.into_iter().zip(good).enumerate() {
            let (c, g) = (c.unwrap(), g.unwrap());
            let n = i as u32 + 1;
            // A doc-store block keeps its new length, and its CRC32 is
            // its own last four bytes; every other chunk is fitted.
            let want = if blocks.contains(&n) { g.len() + 1 } else { g.len() };
            assert_eq!(c.len(), want);
            ix.add_chunk(n, c).expect("the chunk is accepted");
        }
    }

    #[test]
    fn a_page_table_claiming_gigabytes_costs_the_harness_little() {
        let pages: Vec<Page> = (1..=100)
            .map(|k| Page {
                section: 3,
                start: 0,
                len: 1 << 30,
                chunk: k,
                off: 7,
            })
            .collect();
        let mut chunks = vec![Some(vec![1u8; 10]); 100];
        fit_lengths(&pages, &mut chunks);
        let total: usize = chunks.iter().flatten().map(Vec::len).sum();
        assert!(total <= 100 * 10 + FIT_BUDGET);
    }
}
