//! The index format: the only code that reads or writes index bytes.
//!
//! `FORMAT.md` at the repository root documents the layout field by
//! field. In short: a 16-byte header (magic, version, flags), a section
//! table, the sections, and a CRC32 footer over everything before it.
//! Numbers are little-endian unless noted; "varint" is LEB128.

mod fstcheck;
#[cfg(feature = "build")]
pub mod offline;
mod read;
mod store;
#[cfg(feature = "build")]
mod write;

pub use read::{
    held_len, DocFacets, Index, Outside, Posting, PostingIter, Shared,
    StoredDoc, MAX_POSITIONS,
};
pub use store::{dated_id, derived_url, Record, RecordUrl};
#[cfg(feature = "build")]
pub use write::{
    deflated_block, encode, encode_both, resplit, split, stored_block,
    DocInput, FacetInput, IndexParts, IndexWriter, PackedIter, PostingInput,
    PostingList, SplitIndex, TermInput,
};

use crate::error::{Error, Result};

/// The first eight bytes of every index.
pub const MAGIC: [u8; 8] = *b"CHRONIDX";

/// The format version this build writes.
///
/// It guards the meaning of every byte after the header. Bump it for any
/// change a reader of the previous version would misread (a new required
/// section, a changed encoding); add the frozen `tests/data/index_vN.bin`
/// and a CHANGELOG "Format" entry with it.
pub const FORMAT_VERSION: u32 = 3;

/// The oldest format version this build still reads. (Version 3
/// numbered the documents oldest first instead of newest first: a
/// version 2 file would be misread, so it is refused with the advice to
/// rebuild it.)
pub const OLDEST_SUPPORTED_VERSION: u32 = 3;

/// Header: magic (8), version (4), flags (4).
pub const HEADER_LEN: usize = 16;
/// One section-table entry: tag (4), offset (4), length (4).
pub const SECTION_ENTRY_LEN: usize = 12;
/// The CRC32 footer.
pub const FOOTER_LEN: usize = 4;

/// Events per forward-list block.
pub const BLOCK_DOCS: u32 = 32;

/// Events per doc-store block of a split index served over HTTP: a hit
/// costs one request, of about 1.1 KB (32 events a block took 4.1 KB;
/// the preset dictionary keeps small blocks nearly as compact).
pub const SPLIT_BLOCK_DOCS: u32 = 8;

/// Events per doc-store block of a file read whole (a single file, the
/// offline file's index): larger blocks compress better, and a hit
/// inflates its block locally. The writer halves it (down to
/// [`BLOCK_DOCS`]) while a block would inflate beyond
/// [`MAX_BLOCK_BYTES`]; `META` says what it chose.
pub const LOCAL_BLOCK_DOCS: u32 = 128;

/// Names per block of a facet dictionary (`CATS`, `SRCS`, `CTXS`).
pub const NAME_BLOCK: u32 = 1024;

/// Forward-list blocks per chunk of a split index.
pub const FORWARD_CHUNK_BLOCKS: usize = 64;

/// The documents `0..B` whose term data is sealed, for an index of `n`
/// documents: `n` rounded down to a multiple of the granule `G`, a power
/// of two, `2^max(8, ⌊log2 n⌋ − 5)`, so the tail `B..n` holds fewer
/// than `G` documents (at most 1/32 of them once `n` ≥ 8,192) and `B`
/// moves once every `G` documents added. Where `G` doubles (`n` passes a
/// power of two) both granules give the same `B`.
pub fn sealed_docs(n: u32) -> u32 {
    let log = 31u32.saturating_sub(n.max(1).leading_zeros());
    let g = 1u32 << log.saturating_sub(5).max(8);
    n - n % g
}

/// The documents `0..D` the doc store's preset dictionary is trained
/// on, for an index of `n` documents: `n` rounded down to a multiple of
/// half its highest power of two (so `D` moves only when `n` passes
/// 1, 1.5, 2, 3, 4, 6, 8… × a power of two, and the doc store's blocks,
/// deflated against the dictionary, stay the same bytes in between).
pub fn dictionary_docs(n: usize) -> usize {
    let half = (n.max(2).next_power_of_two() >> 2).max(1);
    n - n % half
}

/// Most bytes a doc-store block may inflate to (its 32 records). The
/// writer refuses to write a larger one; the reader stops inflating at
/// this size and fails. It bounds the work and memory of showing a hit.
pub const MAX_BLOCK_BYTES: usize = 8 << 20;

/// Longest chunk of a split index (the core states each chunk's length;
/// the reader refuses a core that states more, and never inflates a
/// deflated chunk beyond its stated length).
pub const MAX_CHUNK_BYTES: usize = 128 << 20;

/// Longest term (in bytes) a lexicon shard may hold. The tokenizer cuts
/// terms at 48 bytes; the reader refuses an fst with a longer key, which
/// bounds the work of walking it by its number of keys.
pub const MAX_TERM_LEN: usize = 255;

/// Header flag: this file is the core of a split index; the sections it
/// lacks live in chunk files listed by its `PAGE` and `CHNK` sections.
pub const FLAG_SPLIT: u32 = 1;

/// Header flag: the doc store's records leave the category, source-outlet
/// and context names out (a record keeps its source count and each
/// source's URL); a reader takes them from the document's forward list
/// (`FWRD`) and the facet dictionaries. Single files and the offline
/// file's index, which hold those sections at hand, are written so; a
/// split index served over HTTP keeps the names in its records, so that a
/// hit is shown from one chunk.
pub const FLAG_NAMES_BY_ID: u32 = 2;

/// Header flag: each term's postings are stored a column at a time (the
/// document deltas, then the field bytes, the impacts, the context word
/// counts and the title positions: see FORMAT.md, `POST`), which
/// compress better than one posting after another. Every index this
/// build writes is; a reader still takes the older interleaved layout.
pub const FLAG_COLUMNS: u32 = 4;

/// Header flag: the postings store no impact but where it differs from
/// the one derived from the posting's field byte and the document's
/// field lengths (`LENS`), which the reader computes
/// ([`crate::score::Derive`]): each term's impact column holds only
/// those exceptions (FORMAT.md, `POST`). A single file is written so;
/// a split index keeps every impact, to need no lengths before its
/// first results.
pub const FLAG_DERIVED: u32 = 8;

/// Every header flag this build knows: a file with any other was
/// written by a newer one, and is refused rather than misread.
pub const FLAGS_KNOWN: u32 =
    FLAG_SPLIT | FLAG_NAMES_BY_ID | FLAG_COLUMNS | FLAG_DERIVED;

/// A posting's impact byte stands for `impact / IMPACT_SCALE`, the
/// saturated BM25F term weight, which lies in `[0, K1 + 1)`.
pub const IMPACT_SCALE: f32 = 255.0 / 2.2;

/// Per-field bits of a posting's field byte, and field numbers.
pub mod field {
    /// The headline.
    pub const TITLE: u8 = 1;
    /// Context names.
    pub const CONTEXTS: u8 = 2;
    /// Source outlet names.
    pub const SOURCES: u8 = 4;
    /// The category.
    pub const CATEGORY: u8 = 8;
    /// The optional body text.
    pub const BODY: u8 = 16;
    /// The number of title positions, minus one, sits in bits 5-6.
    pub const POS_SHIFT: u8 = 5;
    /// All field bits, in the order their frequencies are stored.
    pub const ALL: [u8; 5] = [TITLE, CONTEXTS, SOURCES, CATEGORY, BODY];
    /// Number of fields.
    pub const COUNT: usize = 5;
}

/// Section tags, in the order the writer emits them.
pub mod tag {
    /// Counts and averages.
    pub const META: [u8; 4] = *b"META";
    /// The term dictionary: fst maps (normalised term → ordinal), one per
    /// shard of first bytes.
    pub const TERMS: [u8; 4] = *b"TERM";
    /// Per term ordinal: postings offset, document frequency, next member
    /// of its stem class.
    pub const TERM_INFO: [u8; 4] = *b"TINF";
    /// Postings lists.
    pub const POSTINGS: [u8; 4] = *b"POST";
    /// Distinct days with the first document of each.
    pub const DAYS: [u8; 4] = *b"DAYS";
    /// Category dictionary with its documents.
    pub const CATEGORIES: [u8; 4] = *b"CATS";
    /// Source-outlet dictionary with its documents.
    pub const SOURCES: [u8; 4] = *b"SRCS";
    /// Context dictionary with its documents.
    pub const CONTEXTS: [u8; 4] = *b"CTXS";
    /// Per-document facet ids (category, sources, contexts), in blocks.
    pub const FORWARD: [u8; 4] = *b"FWRD";
    /// The preset dictionary the doc-store blocks are deflated against.
    pub const DICTIONARY: [u8; 4] = *b"DICT";
    /// The compressed doc store.
    pub const STORE: [u8; 4] = *b"STOR";
    /// The tail's term dictionary (documents `B..N`), as `TERM`, each
    /// term mapped to its global ordinal.
    pub const TAIL_TERMS: [u8; 4] = *b"XTRM";
    /// The tail's term info, as `TINF`, per tail term.
    pub const TAIL_INFO: [u8; 4] = *b"XINF";
    /// The tail's postings, as `POST`.
    pub const TAIL_POSTINGS: [u8; 4] = *b"XPST";
    /// Per document, its title, context-name and body lengths in terms,
    /// a byte each (255 for any longer): only with
    /// [`super::FLAG_DERIVED`].
    pub const LENGTHS: [u8; 4] = *b"LENS";
    /// Every section, numbered by its place here (a split core's `PAGE`
    /// entries name sections so). A writer puts `STOR` last.
    pub const ALL: [[u8; 4]; 15] = [
        META,
        TERMS,
        TERM_INFO,
        POSTINGS,
        TAIL_TERMS,
        TAIL_INFO,
        TAIL_POSTINGS,
        DAYS,
        CATEGORIES,
        SOURCES,
        CONTEXTS,
        FORWARD,
        DICTIONARY,
        STORE,
        LENGTHS,
    ];
    /// Split cores only: where the pages of each section live.
    pub const PAGES: [u8; 4] = *b"PAGE";
    /// Split cores only: the chunk files (checksum and length).
    pub const CHUNKS: [u8; 4] = *b"CHNK";
    /// Split cores only: the pages kept in the core itself (chunk 0).
    pub const CORE: [u8; 4] = *b"CORE";
    /// Split cores only: the doc store's blocks, a chunk each, and the
    /// digests their file names carry.
    pub const STORE_CHUNKS: [u8; 4] = *b"BLKS";
    /// Split cores only (optional): a key for each page of the sealed
    /// postings (the shortest start of its first term past the page
    /// before), so that a word's postings can be asked for with its
    /// lexicon shard.
    pub const POST_KEYS: [u8; 4] = *b"PKEY";
}

/// The sections a single file held in part may keep outside memory
/// (`Index::with_outside`): those a query reads a block at a time. A
/// single file puts them last, in this order (`STOR` the very last).
pub(crate) const KEPT_OUTSIDE: [[u8; 4]; 4] =
    [tag::CATEGORIES, tag::SOURCES, tag::CONTEXTS, tag::STORE];

/// The file name of a chunk of a split index of `len` bytes with CRC32
/// `crc`: it changes whenever the bytes do, so a chunk can be cached
/// forever, and depends on nothing else (not on the chunk's number), so
/// a chunk whose bytes a rebuild keeps keeps its name.
pub fn chunk_name(len: usize, crc: u32) -> String {
    format!("{len}-{crc:08x}.bin")
}

/// Events per name group of a split index's doc-store blocks: a block's
/// file name carries the digest of its group's blocks.
pub const STORE_GROUP_DOCS: u32 = 1024;

/// Doc-store blocks per name group, for blocks of `docs` events (a power
/// of two up to [`STORE_GROUP_DOCS`]): 128 of 8 events, 32 of 32.
pub fn store_group(docs: u32) -> u32 {
    (STORE_GROUP_DOCS / docs.max(1)).max(1)
}

/// The file name of doc-store block `k` of a split index whose group
/// (blocks `g ⌊k / g⌋ ..`, `g` = [`store_group`]) has digest `digest`: it
/// changes whenever a block of the group does, and the core lists one
/// digest a group instead of a length and a CRC32 a block.
pub fn store_chunk_name(k: u32, digest: u32) -> String {
    format!("s{k}-{digest:08x}.bin")
}

/// Name of a section tag, for error messages. (A table, not a `match`
/// of byte strings, which compiles to a kilobyte of wasm.)
pub(crate) fn tag_name(t: [u8; 4]) -> &'static str {
    const TAGS: [&str; 19] = [
        "META", "TERM", "TINF", "POST", "XTRM", "XINF", "XPST", "DAYS",
        "CATS", "SRCS", "CTXS", "FWRD", "DICT", "STOR", "LENS", "PAGE",
        "CHNK", "CORE", "BLKS",
    ];
    TAGS.iter().find(|n| n.as_bytes() == t).copied().unwrap_or("unknown")
}

/// "No stem class" in the term-info table (and in the builder).
pub const NO_CLASS: u32 = u32::MAX;

/// Appends `v` as a LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A bounds-checked reader over one section. Every method returns an
/// error naming the section instead of panicking on short input.
#[derive(Clone)]
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    section: &'static str,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8], section: &'static str) -> Self {
        Cursor { bytes, pos: 0, section }
    }

    pub(crate) fn at(
        bytes: &'a [u8],
        pos: usize,
        section: &'static str,
    ) -> Self {
        Cursor { bytes, pos, section }
    }

    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet read.
    pub(crate) fn left(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(crate) fn err(&self, detail: impl Into<String>) -> Error {
        Error::corrupt(self.section, detail)
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
            self.err(format!(
                "needs {n} bytes at offset {}, has {}",
                self.pos,
                self.bytes.len().saturating_sub(self.pos)
            ))
        })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// Steps over `n` bytes, or `None` when there are fewer.
    pub(crate) fn skip(&mut self, n: usize) -> Option<()> {
        self.pos =
            self.pos.checked_add(n).filter(|&e| e <= self.bytes.len())?;
        Some(())
    }

    /// The next byte, or `None` at the end (hot loops: no error built).
    #[inline(always)]
    pub(crate) fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8> {
        match self.bytes.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => {
                Err(self.err(format!("needs 1 byte at offset {}", self.pos)))
            }
        }
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn i32(&mut self) -> Result<i32> {
        Ok(self.u32()? as i32)
    }

    pub(crate) fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_bits(self.u32()?))
    }

    #[inline]
    pub(crate) fn varint(&mut self) -> Result<u64> {
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        let mut v = 0u64;
        for (i, &b) in rest.iter().take(10).enumerate() {
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                self.pos += i + 1;
                return Ok(v);
            }
        }
        Err(self.err(format!("bad varint at offset {}", self.pos)))
    }

    /// A varint that fits in u32, or `None` (hot loops: no error built
    /// per call; the caller makes one).
    #[inline(always)]
    pub(crate) fn fast_u32(&mut self) -> Option<u32> {
        let first = *self.bytes.get(self.pos)?;
        if first < 0x80 {
            self.pos += 1;
            return Some(u32::from(first));
        }
        let rest = self.bytes.get(self.pos..)?;
        let mut v = 0u32;
        for (i, &b) in rest.iter().take(5).enumerate() {
            v |= u32::from(b & 0x7f).checked_shl(7 * i as u32)?;
            if b & 0x80 == 0 {
                if i == 4 && b > 0x0f {
                    return None;
                }
                self.pos += i + 1;
                return Some(v);
            }
        }
        None
    }

    #[inline]
    pub(crate) fn varint_u32(&mut self) -> Result<u32> {
        let v = self.varint()?;
        u32::try_from(v).map_err(|_| self.err(format!("value {v} too big")))
    }

    pub(crate) fn str(&mut self) -> Result<&'a str> {
        let n = self.varint_u32()? as usize;
        let b = self.take(n)?;
        std::str::from_utf8(b).map_err(|_| self.err("string is not UTF-8"))
    }

    /// A string stored as length + 1, where 0 means "none".
    pub(crate) fn opt_str(&mut self) -> Result<Option<&'a str>> {
        let n = self.varint_u32()? as usize;
        if n == 0 {
            return Ok(None);
        }
        let b = self.take(n - 1)?;
        std::str::from_utf8(b)
            .map(Some)
            .map_err(|_| self.err("string is not UTF-8"))
    }
}

/// Reads a little-endian u32 at `i` (in units of 4 bytes) of `bytes`,
/// which the caller has bounds-checked.
pub(crate) fn u32_at(bytes: &[u8], i: usize) -> u32 {
    let o = i * 4;
    u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        let values = [
            0u64,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u32::MAX as u64,
            u64::MAX,
        ];
        let mut buf = Vec::new();
        for &v in &values {
            put_varint(&mut buf, v);
        }
        let mut c = Cursor::new(&buf, "test");
        for &v in &values {
            assert_eq!(c.varint().unwrap(), v);
        }
        assert!(c.is_empty());
        assert!(c.varint().is_err());
    }

    #[test]
    fn the_sealed_boundary_moves_by_granules() {
        for (n, b) in [
            (0, 0),
            (46, 0),
            (300, 256),
            (8191, 7936),
            (12_300, 12_288),
            (114_017, 112_640),
            (131_071, 129_024),
            (131_072, 131_072),
            (132_000, 131_072),
        ] {
            assert_eq!(sealed_docs(n), b, "{n}");
        }
        // Where the granule doubles, both granules agree.
        for p in 14..31 {
            let n = 1u32 << p;
            for d in [0, 1, 5, 100] {
                let g = 1u32 << (p - 6);
                assert_eq!(sealed_docs(n + d), (n + d) - (n + d) % (2 * g));
                assert_eq!(sealed_docs(n - 1 - d), (n - 1 - d) / g * g);
            }
        }
    }

    #[test]
    fn the_dictionary_sample_moves_rarely() {
        assert_eq!(dictionary_docs(114_017), 98_304);
        assert_eq!(dictionary_docs(114_317), 98_304);
        assert_eq!(dictionary_docs(131_073), 131_072);
        assert_eq!(dictionary_docs(3), 3);
    }

    #[test]
    fn overlong_varint_is_an_error() {
        let buf = [0xffu8; 11];
        assert!(Cursor::new(&buf, "test").varint().is_err());
    }
}
