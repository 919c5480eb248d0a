//! Reading an index: validate everything first, then hand out views.
//!
//! A single-file index holds every section. The core of a split index
//! holds the small ones and a page table; the other pages live in chunk
//! files that are added with [`Index::add_chunk`] when a read asks for
//! them (the read fails with [`Error::NotLoaded`] and the chunk is listed
//! by [`Index::take_wanted`]).

use std::borrow::Cow;
use std::ops::{Range, RangeInclusive};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, OnceLock};

use fst::{Automaton, IntoStreamer, Streamer};

use super::{
    chunk_name, field, store_chunk_name, tag, tag_name, u32_at, Cursor,
    BLOCK_DOCS, FLAGS_KNOWN, FLAG_COLUMNS, FLAG_DERIVED, FLAG_NAMES_BY_ID,
    FLAG_SPLIT, FOOTER_LEN, FORMAT_VERSION, HEADER_LEN, MAGIC,
    MAX_BLOCK_BYTES, MAX_CHUNK_BYTES, MAX_TERM_LEN, NAME_BLOCK, NO_CLASS,
    OLDEST_SUPPORTED_VERSION, SECTION_ENTRY_LEN,
};
use crate::error::{Error, Result};
use crate::event::Day;
use crate::score::Derive;

/// Most title positions a posting carries.
pub const MAX_POSITIONS: usize = 4;

/// One decoded posting: a document, the fields the term occurs in, its
/// weight there and its first title positions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Posting {
    /// The document id.
    pub doc: u32,
    /// Field bits ([`field::TITLE`] …).
    pub fields: u8,
    /// The saturated BM25F weight, as a byte (see `score::from_impact`).
    pub impact: u8,
    /// Number of title positions kept (at most [`MAX_POSITIONS`]).
    pub n_positions: u8,
    /// When the term is in a context name: the fewest words of such a
    /// name (0 otherwise).
    pub ctx_words: u8,
    /// The first positions of the term in the title.
    pub positions: [u32; MAX_POSITIONS],
}

impl Posting {
    /// The title positions this posting carries.
    pub fn title_positions(&self) -> &[u32] {
        &self.positions[..usize::from(self.n_positions).min(MAX_POSITIONS)]
    }

    /// Whether the term occurs in field number `f` (0 title, 1 contexts,
    /// 2 sources, 3 category, 4 body).
    pub fn in_field(&self, f: usize) -> bool {
        field::ALL.get(f).is_some_and(|&bit| self.fields & bit != 0)
    }
}

/// Where a section's bytes are.
#[derive(Debug, Clone)]
enum Sect {
    /// In this file.
    Local(Range<usize>),
    /// In pages (of this core or of chunk files), by increasing start.
    Paged { len: usize, pages: Vec<Page> },
}

#[derive(Debug, Clone, Copy)]
struct Page {
    start: usize,
    len: usize,
    /// 0: the core's `CORE` section; else chunk number (from 1).
    chunk: u32,
    off: usize,
}

/// One lexicon shard: the terms of a segment whose first byte is in its
/// key range.
#[derive(Debug, Clone)]
struct Shard {
    key: u8,
    /// Its terms' places in the segment (for the sealed segment, their
    /// ordinals).
    ords: Range<u32>,
    /// The fst's range within TERM (XTRM for the tail).
    bytes: Range<usize>,
    /// In the tail segment.
    tail: bool,
}

/// A lexicon shard's fst, checked; for a tail shard also the (ordinal,
/// place) of each of its terms that is sealed, by ordinal.
struct Lexicon {
    map: fst::Map<Vec<u8>>,
    sealed: Vec<(u32, u32)>,
}

/// A validated, read-only index over any bytes.
///
/// [`Index::new`] checks the length, magic number, version, checksum and
/// the bounds of every section before anything else looks at the bytes,
/// and returns an error (never panics) on any input at all. Later reads of
/// variable-length data (postings, doc-store blocks, chunks) are
/// bounds-checked and return [`Error::Corrupt`] instead of panicking.
pub struct Index<D: AsRef<[u8]>> {
    data: D,
    version: u32,
    sections: [Sect; N],
    /// Split cores: (crc, length) per chunk listed in `CHNK`, and the
    /// chunks added (those, then the doc store's).
    chunks: Vec<(u32, usize)>,
    /// Split cores: the doc store's blocks, a chunk each (`BLKS`).
    store: Option<StoreChunks>,
    /// Split cores: where `PKEY` is, the keys of the sealed postings
    /// pages (empty without it).
    post_keys: Range<usize>,
    loaded: Vec<OnceLock<Box<[u8]>>>,
    wanted: Mutex<Vec<u32>>,
    /// The chunks are at hand (the offline file), not a request away.
    at_hand: AtomicBool,
    /// The doc store's records leave facet names to `FWRD`
    /// ([`FLAG_NAMES_BY_ID`]).
    names_by_id: bool,
    /// Whether each term's postings are stored a column at a time
    /// ([`FLAG_COLUMNS`]).
    columns: bool,
    /// The impacts are derived when read ([`FLAG_DERIVED`]): how, once
    /// the averages are read.
    derive: Option<Box<Derive>>,
    core: Range<usize>,
    /// The sealed segment's shards, then the tail's.
    shards: Vec<Shard>,
    maps: Vec<OnceLock<Lexicon>>,
    checked: [OnceLock<()>; 4],
    doc_count: u32,
    /// Documents per doc-store block (`META`).
    store_docs: u32,
    term_count: u32,
    class_count: u32,
    avg_len: [f32; 3],
    /// Documents and terms of the sealed segment (ordinals `0..T0`;
    /// `T0 + place` for a term that only the tail has).
    sealed: [u32; 2],
    /// Ordinals are below this: `T0` + the tail's terms.
    ord_end: u32,
    /// Names in each facet dictionary.
    facet_len: [u32; 3],
    days: Vec<(Day, u32)>,
    /// Recently inflated doc-store blocks, most recent first.
    blocks: Mutex<Vec<CachedBlock>>,
    /// A single file of which `data` holds the first bytes: where the
    /// rest is read.
    far: Option<Far>,
    /// The bytes `data` holds.
    held: usize,
}

/// The end of an index file kept outside memory and read a piece at a
/// time: a browser holds a single file's doc store in a JavaScript
/// buffer and copies into wasm memory only the blocks a query shows
/// ([`Index::with_outside`]).
pub trait Outside: Shared {
    /// Bytes `at..at + len` of the file (`at` counted from its start,
    /// beyond the bytes held); `None` if they cannot be read.
    fn read(&self, at: usize, len: usize) -> Option<Vec<u8>>;
}

/// What an index needs of its parts to be shared between threads: natively,
/// where it may be, `Send + Sync`; nothing in wasm, where there is one
/// thread (and JavaScript's values are neither).
#[cfg(not(target_arch = "wasm32"))]
pub trait Shared: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync> Shared for T {}
/// What an index needs of its parts to be shared between threads.
#[cfg(target_arch = "wasm32")]
pub trait Shared {}
#[cfg(target_arch = "wasm32")]
impl<T> Shared for T {}

/// The sections of a single file read through [`Outside`]: the doc store
/// and the facet dictionaries, as far as they lie beyond the bytes held.
struct Far {
    src: Box<dyn Outside>,
    /// The file's length.
    len: usize,
    /// The doc store (its blocks copied in as they are read, and cached
    /// inflated, [`CachedBlock`]).
    store: Option<FarBlocks>,
    /// The facet dictionaries (categories, sources, contexts): each name
    /// block kept once read, as names are handed out by reference.
    names: [Option<FarBlocks>; 3],
}

/// A section of blocks kept outside memory.
struct FarBlocks {
    /// Where the section begins in the file.
    at: usize,
    /// Its block table, read and checked when the index opens.
    table: Box<[u8]>,
    /// The blocks read so far (none kept for the doc store).
    kept: Box<[OnceLock<Box<[u8]>>]>,
}

impl FarBlocks {
    /// Where block `b` lies in the file, and its length: within the
    /// section, as the table (checked) says.
    fn place(&self, b: usize) -> Option<(usize, usize)> {
        let x = u32_at(self.table.get(4 + b * 4..12 + b * 4)?, 0) as usize;
        let y = u32_at(&self.table, 2 + b) as usize;
        Some((self.at + self.table.len() + x, y.checked_sub(x)?))
    }
}

impl Far {
    /// Bytes `at..at + len` of the file, all of them.
    fn get(&self, at: usize, len: usize) -> Result<Vec<u8>> {
        let got = self.src.read(at, len).filter(|b| b.len() == len);
        got.ok_or_else(|| Error::corrupt("STOR", "cannot be read"))
    }

    /// The block table of section `t`, `at..at + len` in the file, of
    /// `items` items `per` block: read and checked.
    fn blocks(
        &self,
        t: [u8; 4],
        at: Range<usize>,
        items: u32,
        per: u32,
        keep: bool,
    ) -> Result<FarBlocks> {
        let len = at.len();
        let n = items.div_ceil(per) as usize;
        let table = self.get(at.start, (4 + (n + 1) * 4).min(len))?;
        check_block_table(tag_name(t), &table, len, items, per, 1)?;
        let kept = (0..if keep { n } else { 0 }).map(|_| OnceLock::new());
        Ok(FarBlocks {
            at: at.start,
            table: table.into(),
            kept: kept.collect(),
        })
    }
}

/// Bytes read through [`Outside`] at a time while the checksum is taken.
const OUTSIDE_PIECE: usize = 64 << 10;

/// The doc store of a split core: block `k` is chunk `first + k`, its
/// bytes followed by their CRC32, and named by the digest of its group
/// (`digests`: where the core holds them).
#[derive(Debug, Clone)]
struct StoreChunks {
    first: u32,
    count: u32,
    digests: Range<usize>,
}

impl StoreChunks {
    /// The bytes of the block table a single file holds for these blocks.
    fn table_len(&self) -> usize {
        4 + (self.count as usize + 1) * 4
    }
}

/// An inflated doc-store block: its number, how many of its records the
/// bytes hold whole (`usize::MAX`: all), the bytes.
type CachedBlock = (u32, usize, Arc<Vec<u8>>);

/// Inflated doc-store blocks kept (about 10 KB each in a split index,
/// 35 KB in a file read whole: some 14 of those, a page of hits)...
const CACHED_BLOCKS: usize = 64;
/// ...and the most bytes they may hold together (the block inflated
/// last is kept even when it alone holds more, up to
/// [`MAX_BLOCK_BYTES`]): the doc store's decoded memory per index, which
/// in wasm is kept for good once reached (2 MiB held 1 MiB more there
/// after the widget's first queries, and made no keystroke faster).
const CACHED_BYTES: usize = 512 << 10;

/// The facet ids of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocFacets {
    /// Category id.
    pub category: Option<u32>,
    /// Source-outlet ids, in the event's order.
    pub sources: Vec<u32>,
    /// Context ids, in the event's order.
    pub contexts: Vec<u32>,
}

/// The display data of one document, from the doc store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredDoc {
    /// The event id.
    pub id: String,
    /// The headline.
    pub title: String,
    /// The event's page.
    pub url: Option<String>,
    /// Optional body text.
    pub body: Option<String>,
    /// The category's name.
    pub category: Option<String>,
    /// Per source: the outlet's name and the article's URL.
    pub sources: Vec<(String, Option<String>)>,
    /// The context names.
    pub contexts: Vec<String>,
}

/// The section of facet dictionary `which` (0 categories, 1 source
/// outlets, 2 contexts).
fn facet_tag(which: usize) -> [u8; 4] {
    [tag::CATEGORIES, tag::SOURCES, tag::CONTEXTS][which.min(2)]
}

/// The position of tag `t` in [`tag::ALL`].
#[inline]
fn section_index(t: [u8; 4]) -> usize {
    tag::ALL.iter().position(|&a| a == t).unwrap_or(tag::ALL.len() - 1)
}

impl<D: AsRef<[u8]>> Index<D> {
    /// Validates `data` and opens it as an index (a single file, or the
    /// core of a split index).
    pub fn new(data: D) -> Result<Self> {
        Self::open_held(data, None)
    }

    /// Opens a single file of `len` bytes of which `data` holds the
    /// first ([`held_len`] says how many): the rest, its doc store and
    /// footer, is read through `rest` (the checksum when it opens, then a
    /// doc-store block at a time). Every check of [`Index::new`] is made;
    /// a split core, or a file with anything but its doc store beyond
    /// `data`, is refused.
    pub fn with_outside(
        data: D,
        len: usize,
        rest: Box<dyn Outside>,
    ) -> Result<Self> {
        Self::open_held(data, Some((len, rest)))
    }

    fn open_held(
        data: D,
        rest: Option<(usize, Box<dyn Outside>)>,
    ) -> Result<Self> {
        let bytes = data.as_ref();
        let held = bytes.len();
        let total = rest.as_ref().map_or(held, |r| r.0);
        let min = HEADER_LEN + 4 + FOOTER_LEN;
        if total < min || held < min.min(total) || held > total {
            if held >= 8 && bytes[..8] != MAGIC {
                return Err(Error::BadMagic);
            }
            return Err(Error::TooShort { expected: min, got: held });
        }
        if bytes[..8] != MAGIC {
            return Err(Error::BadMagic);
        }
        let mut head = Cursor::at(bytes, 8, "header");
        let version = head.u32()?;
        if !(OLDEST_SUPPORTED_VERSION..=FORMAT_VERSION).contains(&version) {
            return Err(Error::Version {
                oldest: OLDEST_SUPPORTED_VERSION,
                newest: FORMAT_VERSION,
                got: version,
            });
        }
        let flags = head.u32()?;
        if flags & !FLAGS_KNOWN != 0 {
            return Err(Error::corrupt(
                "header",
                format!(
                    "flags {flags:#x}: written by a newer Chronicle, which \
                     this one cannot read"
                ),
            ));
        }
        let derived = flags & FLAG_DERIVED != 0;
        let body_end = total - FOOTER_LEN;
        let far = rest.map(|(len, src)| Far {
            src,
            len,
            store: None,
            names: Default::default(),
        });
        let (stored, computed) = match &far {
            None => (
                u32_at(&bytes[body_end..], 0),
                crate::checksum::crc32(&bytes[..body_end]),
            ),
            Some(far) => outside_checksum(bytes, body_end, far)?,
        };
        if stored != computed {
            return Err(Error::ChecksumMismatch {
                expected: stored,
                got: computed,
            });
        }
        let found = section_table(bytes, body_end)?;
        // Nothing but the doc store may lie beyond the bytes held: any
        // other section there fails to read (`Index::read`).
        let split = flags & FLAG_SPLIT != 0;
        if split && far.is_some() {
            return Err(Error::corrupt(
                "header",
                "a split core is held whole in memory",
            ));
        }
        let mut sections: [Sect; N] =
            std::array::from_fn(|_| Sect::Local(0..0));
        let mut chunks = Vec::new();
        let mut core = 0..0;
        let mut store = None;
        let mut post_keys = 0..0;
        if split {
            let need = |i: usize| {
                found[i].clone().ok_or_else(|| {
                    Error::corrupt(
                        tag_name(EXTRA[i - N]),
                        "section is missing",
                    )
                })
            };
            let (pages, chnk) = (need(N)?, need(N + 1)?);
            core = need(N + 2)?;
            chunks = read_chunks(&bytes[chnk])?;
            let mut paged: [Vec<Page>; N] = Default::default();
            read_pages(&bytes[pages], &mut chunks, core.len(), &mut paged)?;
            post_keys = found[N + 4].clone().unwrap_or(0..0);
            if let Some(r) = found[N + 3].clone() {
                let b = &bytes[r.clone()];
                let count = if b.len() >= 4 { u32_at(b, 0) } else { 0 };
                // (Its digests are counted once `META` says the blocks'
                // size: see `open`.)
                if b.len() < 4 || b.len() % 4 != 0 {
                    return Err(Error::corrupt("BLKS", "length"));
                }
                // The other sections are only claimed until their chunks
                // come: beyond 2^15 blocks (2^18 documents, whose arrays
                // a query keeps), a core holds a byte a block.
                if count as usize > bytes.len().max(1 << 15) {
                    return Err(Error::corrupt(
                        "BLKS",
                        "more blocks than the core can hold",
                    ));
                }
                store = Some(StoreChunks {
                    first: chunks.len() as u32 + 1,
                    count,
                    digests: r.start + 4..r.end,
                });
            }
            for (i, p) in paged.into_iter().enumerate() {
                let name = tag_name(tag::ALL[i]);
                sections[i] = match (found[i].clone(), p.is_empty()) {
                    (Some(r), true) => Sect::Local(r),
                    (None, false) => {
                        let mut len = 0;
                        for pg in &p {
                            if pg.start != len {
                                return Err(Error::corrupt(
                                    name,
                                    "pages are not contiguous",
                                ));
                            }
                            len += pg.len;
                        }
                        Sect::Paged { len, pages: p }
                    }
                    (Some(_), false) => {
                        return Err(Error::corrupt(name, "local and paged"))
                    }
                    (None, true)
                        if store.is_some() && tag::ALL[i] == tag::STORE =>
                    {
                        Sect::Local(0..0)
                    }
                    (None, true) if optional(tag::ALL[i], derived) => {
                        Sect::Local(0..0)
                    }
                    (None, true) => {
                        return Err(Error::corrupt(name, "section is missing"))
                    }
                };
            }
        } else {
            for (i, f) in found.iter().take(N).enumerate() {
                sections[i] = match f {
                    Some(r) => Sect::Local(r.clone()),
                    None if optional(tag::ALL[i], derived) => {
                        Sect::Local(0..0)
                    }
                    None => {
                        return Err(Error::corrupt(
                            tag_name(tag::ALL[i]),
                            "section is missing",
                        ))
                    }
                };
            }
        }
        let all =
            chunks.len() + store.as_ref().map_or(0, |s| s.count as usize);
        let mut ix = Index {
            loaded: (0..all).map(|_| OnceLock::new()).collect(),
            store,
            post_keys,
            data,
            version,
            sections,
            chunks,
            wanted: Mutex::default(),
            at_hand: AtomicBool::new(false),
            names_by_id: flags & FLAG_NAMES_BY_ID != 0,
            columns: flags & FLAG_COLUMNS != 0,
            derive: derived.then(|| Box::new(Derive::new([0.0; 3]))),
            core,
            shards: Vec::new(),
            maps: Vec::new(),
            checked: Default::default(),
            doc_count: 0,
            store_docs: BLOCK_DOCS,
            term_count: 0,
            class_count: 0,
            avg_len: [0.0; 3],
            sealed: [0; 2],
            ord_end: 0,
            facet_len: [0; 3],
            days: Vec::new(),
            blocks: Mutex::default(),
            far: None,
            held: 0,
        };
        ix.far = far;
        ix.held = held;
        ix.open()?;
        Ok(ix)
    }

    /// Reads what every query needs and checks what is local.
    fn open(&mut self) -> Result<()> {
        // (A copy, 48 bytes: `self` takes the block size at once.)
        let meta = self.whole(tag::META)?.to_vec();
        let mut meta = Cursor::new(&meta, "META");
        let doc_count = meta.u32()?;
        let term_count = meta.u32()?;
        let class_count = meta.u32()?;
        let store_docs = meta.u32()?;
        if !(super::SPLIT_BLOCK_DOCS..=super::LOCAL_BLOCK_DOCS)
            .contains(&store_docs)
            || !store_docs.is_power_of_two()
        {
            return Err(meta.err(format!("block size {store_docs}")));
        }
        // (Now: the doc-store blocks' names depend on it, and a read
        // that fails below may ask for chunks.)
        self.store_docs = store_docs;
        let avg_len = [meta.f32()?, meta.f32()?, meta.f32()?];
        if avg_len.iter().any(|a| !a.is_finite() || *a < 0.0) {
            return Err(meta.err("bad average field length"));
        }
        let derive = if self.derive.is_some() {
            if !self.columns {
                return Err(Error::corrupt(
                    "header",
                    "impacts derived in postings not in columns",
                ));
            }
            if self.sect_len(tag::LENGTHS) as u64 != 3 * u64::from(doc_count) {
                return Err(Error::corrupt(
                    "LENS",
                    "length is not 3 × documents",
                ));
            }
            Some(Box::new(Derive::new(avg_len)))
        } else {
            None
        };
        // Every document has a forward entry of three varints at least
        // (category, source count, context count): a document count the
        // forward section's length cannot hold is refused here, before
        // anything (a query's per-document arrays) is sized by it.
        let blocks = u64::from(doc_count.div_ceil(BLOCK_DOCS));
        let fwrd = 4 + (blocks + 1) * 4 + 3 * u64::from(doc_count);
        if (self.sect_len(tag::FORWARD) as u64) < fwrd {
            return Err(Error::corrupt(
                "FWRD",
                "too short for the document count",
            ));
        }
        let sealed = [meta.u32()?, meta.u32()?];
        let facet_len = [meta.u32()?, meta.u32()?, meta.u32()?];
        if sealed[0] > doc_count {
            return Err(meta.err("more sealed documents than documents"));
        }
        // A name takes a byte at least: a count its section cannot hold
        // is refused before anything is sized by it.
        for (i, t) in [tag::CATEGORIES, tag::SOURCES, tag::CONTEXTS]
            .into_iter()
            .enumerate()
        {
            if facet_len[i] as usize > self.sect_len(t) {
                return Err(Error::corrupt(tag_name(t), "too many names"));
            }
        }
        let days = read_days(self.whole(tag::DAYS)?, doc_count)?;
        let (mut shards, _) =
            self.read_shards(tag::TERMS, Some(sealed[1]), false)?;
        let (tail, tail_terms) =
            self.read_shards(tag::TAIL_TERMS, None, true)?;
        shards.extend(tail);
        let ord_end = sealed[1]
            .checked_add(tail_terms)
            .filter(|&e| e >= term_count)
            .ok_or_else(|| meta.err("term counts do not add up"))?;
        match &self.store {
            Some(s) if s.count != doc_count.div_ceil(store_docs) => {
                return Err(Error::corrupt("BLKS", "block count"));
            }
            Some(s)
                if s.digests.len() / 4
                    != s.count.div_ceil(super::store_group(store_docs))
                        as usize =>
            {
                return Err(Error::corrupt("BLKS", "length"));
            }
            // As for blocks (see `Index::new`), whatever their size:
            // beyond 2^20 documents, a core holds a byte per 32.
            Some(_)
                if u64::from(doc_count)
                    > (self.data.as_ref().len() as u64
                        * u64::from(BLOCK_DOCS))
                    .max(1 << 20) =>
            {
                return Err(Error::corrupt(
                    "BLKS",
                    "more documents than the core can hold",
                ));
            }
            Some(_) => {}
            None if self.beyond(tag::STORE).is_some() => {}
            None => {
                self.check_blocks_header(tag::STORE, doc_count, store_docs, 1)?
            }
        }
        // The sections a single file held in part keeps outside: their
        // block tables read and checked now.
        if let Some(far) = &self.far {
            let mut store = None;
            if let Some(r) = self.beyond(tag::STORE) {
                let t = tag::STORE;
                store = Some(far.blocks(t, r, doc_count, store_docs, false)?);
            }
            let mut names: [Option<FarBlocks>; 3] = Default::default();
            for (i, slot) in names.iter_mut().enumerate() {
                let t = facet_tag(i);
                if let Some(r) = self.beyond(t) {
                    *slot = Some(far.blocks(
                        t,
                        r,
                        facet_len[i],
                        NAME_BLOCK,
                        true,
                    )?);
                }
            }
            if let Some(far) = &mut self.far {
                (far.store, far.names) = (store, names);
            }
        }
        for (info, post, terms, tail) in [
            (tag::TERM_INFO, tag::POSTINGS, sealed[1], false),
            (tag::TAIL_INFO, tag::TAIL_POSTINGS, tail_terms, true),
        ] {
            if let Sect::Local(_) = self.sections[section_index(info)] {
                validate_term_info(
                    self.whole(info)?,
                    self.sect_len(post),
                    terms,
                    doc_count,
                    if tail { ord_end } else { sealed[1] },
                    tail,
                )?;
            }
        }
        if self.whole(tag::DICTIONARY)?.len() > 64 * 1024 {
            return Err(Error::corrupt("DICT", "longer than 64 KB"));
        }
        self.maps = (0..shards.len()).map(|_| OnceLock::new()).collect();
        self.shards = shards;
        self.doc_count = doc_count;
        self.term_count = term_count;
        self.derive = derive;
        self.class_count = class_count;
        self.avg_len = avg_len;
        self.sealed = sealed;
        self.ord_end = ord_end;
        self.facet_len = facet_len;
        self.days = days;
        Ok(())
    }

    /// The shards of lexicon `t` (`TERM`, or `XTRM` for the tail), and
    /// the number of terms they hold (which must be `expect` if given).
    fn read_shards(
        &self,
        t: [u8; 4],
        expect: Option<u32>,
        tail: bool,
    ) -> Result<(Vec<Shard>, u32)> {
        let name = tag_name(t);
        let len = self.sect_len(t);
        let head = self.read(t, 0..4.min(len))?;
        let mut c = Cursor::new(head, name);
        let n = c.u32()? as usize;
        let header = n
            .checked_add(1)
            .and_then(|k| k.checked_mul(8))
            .and_then(|k| k.checked_add(4 + n))
            .filter(|&h| h <= len)
            .ok_or_else(|| c.err(format!("{n} shards do not fit")))?;
        let h = self.read(t, 0..header)?;
        let ord = |i: usize| u32_at(h, 1 + i);
        let off = |i: usize| u32_at(h, 2 + n + i) as usize;
        let fst_len = len - header;
        let term_count = expect.unwrap_or(ord(n));
        if ord(0) != 0 || ord(n) != term_count || off(0) != 0 {
            return Err(c.err("shards do not cover the terms"));
        }
        if n == 0 && term_count > 0 {
            return Err(c.err("no shards for the terms"));
        }
        let mut out: Vec<Shard> = Vec::with_capacity(n);
        for i in 0..n {
            let key = h[4 + 8 * (n + 1) + i];
            let ok = ord(i) < ord(i + 1)
                && off(i) < off(i + 1)
                && off(i + 1) <= fst_len
                && out.last().is_none_or(|s| s.key < key);
            if !ok {
                return Err(c.err(format!("shard {i} out of order")));
            }
            out.push(Shard {
                key,
                ords: ord(i)..ord(i + 1),
                bytes: header + off(i)..header + off(i + 1),
                tail,
            });
        }
        if n > 0 && off(n) != fst_len {
            return Err(c.err("shards do not match the section length"));
        }
        Ok((out, term_count))
    }

    /// Checks the block table of a section of blocks (`STOR`, `FWRD`, a
    /// facet dictionary) of `items` items, `per_block` to a block: the
    /// block count, offsets that fit the section, and no block shorter
    /// than `least` bytes an item (a `STOR` block at least a byte).
    fn check_blocks_header(
        &self,
        t: [u8; 4],
        items: u32,
        per_block: u32,
        least: u32,
    ) -> Result<()> {
        let blocks = items.div_ceil(per_block);
        let len = self.sect_len(t);
        let base = 4 + (blocks as usize + 1) * 4;
        let s = self.read(t, 0..base.min(len))?;
        check_block_table(tag_name(t), s, len, items, per_block, least)
    }

    fn sect_len(&self, t: [u8; 4]) -> usize {
        match &self.sections[section_index(t)] {
            Sect::Local(r) => r.len(),
            Sect::Paged { len, .. } => *len,
        }
    }

    /// Bytes `r` of section `t`; for a paged section they must lie in one
    /// page, whose chunk is asked for when it is not loaded yet.
    fn read(&self, t: [u8; 4], r: Range<usize>) -> Result<&[u8]> {
        let bad = || {
            Error::corrupt(
                tag_name(t),
                format!("bytes {}..{}", r.start, r.end),
            )
        };
        if r.start > r.end {
            return Err(bad());
        }
        match &self.sections[section_index(t)] {
            Sect::Local(s) => {
                if r.end > s.len() {
                    return Err(bad());
                }
                // Beyond the bytes held: a doc store read from outside.
                self.data
                    .as_ref()
                    .get(s.start + r.start..s.start + r.end)
                    .ok_or_else(bad)
            }
            Sect::Paged { pages, .. } => {
                let i = pages.partition_point(|p| p.start <= r.start);
                let p = pages.get(i.wrapping_sub(1)).ok_or_else(bad)?;
                if r.end > p.start + p.len {
                    return Err(bad());
                }
                let chunk = self.chunk_bytes(p.chunk)?;
                let a = p.off + (r.start - p.start);
                chunk.get(a..a + r.len()).ok_or_else(bad)
            }
        }
    }

    /// From `at` to the end of the page holding it.
    fn read_from(&self, t: [u8; 4], at: usize) -> Result<&[u8]> {
        let end = match &self.sections[section_index(t)] {
            Sect::Local(s) => s.len(),
            Sect::Paged { pages, .. } => {
                let i = pages.partition_point(|p| p.start <= at);
                pages.get(i.wrapping_sub(1)).map_or(at, |p| p.start + p.len)
            }
        };
        self.read(t, at..end.max(at))
    }

    /// A whole section (one page when paged).
    fn whole(&self, t: [u8; 4]) -> Result<&[u8]> {
        self.read(t, 0..self.sect_len(t))
    }

    fn chunk_bytes(&self, chunk: u32) -> Result<&[u8]> {
        if chunk == 0 {
            return Ok(&self.data.as_ref()[self.core.clone()]);
        }
        let slot = self
            .loaded
            .get(chunk as usize - 1)
            .ok_or_else(|| Error::corrupt("PAGE", format!("chunk {chunk}")))?;
        match slot.get() {
            Some(b) => Ok(b),
            None => {
                if let Ok(mut w) = self.wanted.lock() {
                    if !w.contains(&chunk) {
                        w.push(chunk);
                    }
                }
                Err(Error::NotLoaded)
            }
        }
    }

    /// Whether the doc store's records leave their facet names to the
    /// forward lists and the dictionaries ([`FLAG_NAMES_BY_ID`]).
    pub fn names_by_id(&self) -> bool {
        self.names_by_id
    }

    /// Whether each term's postings are stored a column at a time
    /// ([`FLAG_COLUMNS`]).
    pub fn columns(&self) -> bool {
        self.columns
    }

    /// Whether most impacts are derived when read rather than stored
    /// ([`FLAG_DERIVED`]).
    pub fn derived(&self) -> bool {
        self.derive.is_some()
    }

    /// Whether this is the core of a split index.
    pub fn is_split(&self) -> bool {
        !self.chunks.is_empty()
    }

    /// Says the chunks of a split index are at hand (as in the offline
    /// file) rather than a request away: reads then do what they do on
    /// a single file (count every facet, look for typos under every
    /// first letter) and ask for every chunk that takes at once.
    pub fn set_chunks_at_hand(&self, yes: bool) {
        self.at_hand.store(yes, AtomicOrdering::Relaxed);
    }

    /// Whether a missing chunk is a request away (a split index served
    /// over HTTP), so reads should touch as few chunks as they can.
    pub fn chunks_far(&self) -> bool {
        self.is_split() && !self.at_hand.load(AtomicOrdering::Relaxed)
    }

    /// The file name of chunk `n` (from 1) of a split index.
    pub fn chunk_file(&self, n: u32) -> Option<String> {
        if let Some(&(crc, len)) =
            self.chunks.get((n as usize).checked_sub(1)?)
        {
            return Some(chunk_name(len, crc));
        }
        let s = self.store.as_ref()?;
        let k = n.checked_sub(s.first).filter(|&k| k < s.count)?;
        let digests = &self.data.as_ref()[s.digests.clone()];
        // (Checked against the block count once the index is open.)
        let at = (k / super::store_group(self.store_docs)) as usize * 4;
        let digest = u32_at(digests.get(at..at + 4)?, 0);
        Some(store_chunk_name(k, digest))
    }

    /// Number of chunk files of a split index (0 for a single file).
    pub fn chunk_count(&self) -> u32 {
        self.loaded.len() as u32
    }

    /// The chunks reads have asked for since the last call, in order.
    pub fn take_wanted(&self) -> Vec<u32> {
        self.wanted
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    /// Whether reads have asked (since [`Index::take_wanted`]) for a
    /// chunk holding a lexicon shard, of either segment.
    pub fn wants_lexicon(&self) -> bool {
        let Ok(w) = self.wanted.lock() else { return false };
        [tag::TERMS, tag::TAIL_TERMS].iter().any(|&t| {
            matches!(&self.sections[section_index(t)],
                Sect::Paged { pages, .. } if pages.iter().any(|p| w.contains(&p.chunk)))
        })
    }

    /// The chunks (numbers from 1) holding pages of section `t` of a
    /// split index, in order: for `STOR`, one a doc-store block.
    #[cfg(feature = "build")]
    pub fn section_chunks(&self, t: [u8; 4]) -> Vec<u32> {
        if let (Some(s), tag::STORE) = (&self.store, t) {
            return (s.first..s.first + s.count).collect();
        }
        match &self.sections[section_index(t)] {
            Sect::Paged { pages, .. } => {
                pages.iter().map(|p| p.chunk).filter(|&c| c > 0).collect()
            }
            Sect::Local(_) => Vec::new(),
        }
    }

    /// The sections of a split index whose chunks are all added, as its
    /// writer cut them: per section (in file order), its tag, its bytes
    /// and its pages (each page's range in the section and its chunk, 0
    /// for the core; none for a section kept whole in the core).
    #[cfg(feature = "build")]
    #[allow(clippy::type_complexity)]
    pub(crate) fn cut_sections(
        &self,
    ) -> Result<Vec<([u8; 4], Vec<u8>, Vec<(Range<usize>, u32)>)>> {
        // Pages may not claim more bytes than the core and the chunks
        // hold (bytes claimed twice would be copied twice): the copy is
        // no larger than the index.
        let claimed: usize = tag::ALL.iter().map(|&t| self.sect_len(t)).sum();
        let held = self.data.as_ref().len()
            + self.chunks.iter().map(|c| c.1).sum::<usize>();
        if claimed > held {
            return Err(Error::corrupt("PAGE", "pages overlap"));
        }
        tag::ALL
            .iter()
            .map(|&t| match &self.sections[section_index(t)] {
                _ if t == tag::STORE && self.store.is_some() => {
                    self.cut_store()
                }
                Sect::Local(r) => {
                    Ok((t, self.read(t, 0..r.len())?.to_vec(), Vec::new()))
                }
                Sect::Paged { len, pages } => {
                    let mut bytes = Vec::with_capacity(*len);
                    let mut cut = Vec::with_capacity(pages.len());
                    for p in pages {
                        let r = p.start..p.start + p.len;
                        bytes.extend_from_slice(self.read(t, r.clone())?);
                        cut.push((r, p.chunk));
                    }
                    Ok((t, bytes, cut))
                }
            })
            .collect()
    }

    /// The doc store of a split core whose blocks are chunks of their own
    /// (all added), as a single file holds it, cut as the writer cut it:
    /// the block table in the core, each block in its chunk.
    #[cfg(feature = "build")]
    #[allow(clippy::type_complexity)]
    fn cut_store(
        &self,
    ) -> Result<([u8; 4], Vec<u8>, Vec<(Range<usize>, u32)>)> {
        let s = self.store.as_ref().ok_or(Error::NotLoaded)?;
        let head = s.table_len();
        let mut table = Vec::with_capacity(head);
        table.extend_from_slice(&s.count.to_le_bytes());
        let mut data = Vec::new();
        let mut cut = vec![(0..head, 0)];
        for k in 0..s.count {
            table.extend_from_slice(&(data.len() as u32).to_le_bytes());
            let b = &self.store_block(k)?;
            cut.push((
                head + data.len()..head + data.len() + b.len(),
                s.first + k,
            ));
            data.extend_from_slice(b);
        }
        table.extend_from_slice(&(data.len() as u32).to_le_bytes());
        table.extend_from_slice(&data);
        Ok((tag::STORE, table, cut))
    }

    /// Adds chunk `n` (from 1) of a split index after checking its length
    /// and CRC32. Adding a chunk twice is harmless.
    pub fn add_chunk(&self, n: u32, bytes: Vec<u8>) -> Result<()> {
        let name = "chunk";
        let i = (n as usize).wrapping_sub(1);
        // A doc-store block's chunk ends with the CRC32 of its bytes.
        let (crc, len, body) = match self.chunks.get(i) {
            Some(&(crc, len)) => (crc, len, len),
            None if i < self.loaded.len() => {
                let len = bytes.len().clamp(4, MAX_CHUNK_BYTES);
                let crc = bytes.get(len - 4..len).map_or(0, |b| u32_at(b, 0));
                (crc, len, len - 4)
            }
            None => return Err(Error::corrupt(name, format!("no chunk {n}"))),
        };
        if bytes.len() != len {
            return Err(Error::corrupt(
                name,
                format!("chunk {n} has {} bytes, expected {len}", bytes.len()),
            ));
        }
        let got = crate::checksum::crc32(&bytes[..body]);
        if got != crc {
            return Err(Error::ChecksumMismatch { expected: crc, got });
        }
        let _ = self.loaded[i].set(bytes.into_boxed_slice());
        Ok(())
    }

    /// Adds chunk `n` of a split index given as raw DEFLATE (as the
    /// offline file stores most chunks): inflated to the length the core
    /// records, then checked as by [`Index::add_chunk`].
    pub fn add_deflated_chunk(&self, n: u32, z: &[u8]) -> Result<()> {
        // (A doc-store block's chunk, already deflated, is never stored
        // so: the core gives no length to inflate it to.)
        let (_, len) =
            *self.chunks.get((n as usize).wrapping_sub(1)).ok_or_else(
                || Error::corrupt("chunk", format!("no deflated chunk {n}")),
            )?;
        let bytes = inflate_exact(z, len)
            .map_err(|e| Error::corrupt("chunk", format!("chunk {n}: {e}")))?;
        self.add_chunk(n, bytes)
    }

    /// The chunks that reading terms with these first bytes needs (split
    /// indexes only; nothing when they are loaded). Lets a caller fetch
    /// them together.
    pub fn want_terms(&self, first_bytes: &[u8]) {
        for &b in first_bytes {
            for (tail, t, info) in [
                (false, tag::TERMS, tag::TERM_INFO),
                (true, tag::TAIL_TERMS, tag::TAIL_INFO),
            ] {
                if let Some(s) =
                    self.shard_for(tail, b).and_then(|k| self.shards.get(k))
                {
                    let _ = self.read(t, s.bytes.clone());
                    let a = s.ords.start as usize * 12;
                    let _ = self.read(info, a..a + 12);
                }
            }
        }
    }

    /// Asks for the postings of every term of `ords` at once; an error
    /// when any is missing.
    pub fn want_postings(&self, ords: &[u32]) -> Result<()> {
        // Impacts derived over chunks (the offline file): the lengths too.
        let mut missing = !ords.is_empty()
            && self.derive.is_some()
            && matches!(self.whole(tag::LENGTHS), Err(Error::NotLoaded));
        for &o in ords {
            // Both segments' pages asked for, even when one is missing.
            let read = self.term_info(o).and_then(|(parts, _)| {
                let mut r = Ok(());
                for (i, t) in
                    [tag::POSTINGS, tag::TAIL_POSTINGS].into_iter().enumerate()
                {
                    if parts[i].1 > 0 {
                        if let Err(e) = self.read_from(t, parts[i].0) {
                            r = Err(e);
                        }
                    }
                }
                r
            });
            match read {
                Err(Error::NotLoaded) => missing = true,
                Err(e) => return Err(e),
                Ok(()) => {}
            }
        }
        if missing {
            Err(Error::NotLoaded)
        } else {
            Ok(())
        }
    }

    /// Asks for the doc-store blocks of every one of `docs` at once.
    pub fn want_stored(&self, docs: &[u32]) -> Result<()> {
        if self.far.as_ref().is_some_and(|f| f.store.is_some()) {
            return Ok(()); // read when they are inflated
        }
        self.want_blocks(tag::STORE, docs, self.store_docs)
    }

    /// Asks for the names of values `ids` of facet dictionary `which` at
    /// once (see [`Index::facet_name`]).
    pub fn want_names(&self, which: usize, ids: &[u32]) -> Result<()> {
        self.want_blocks(facet_tag(which), ids, NAME_BLOCK)
    }

    /// Asks for the blocks of section `t` holding `items` (`per` items a
    /// block) at once; an error when any is missing.
    fn want_blocks(&self, t: [u8; 4], items: &[u32], per: u32) -> Result<()> {
        let mut missing = false;
        for &i in items {
            match self.block(t, i / per) {
                Err(Error::NotLoaded) => missing = true,
                Err(e) => return Err(e),
                Ok(_) => {}
            }
        }
        if missing {
            Err(Error::NotLoaded)
        } else {
            Ok(())
        }
    }

    /// The format version of this index.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The index's bytes held in memory: the whole file's, the core's
    /// for a split index, all but the doc store, the facet dictionaries
    /// and the footer for a file held in part ([`Index::with_outside`]).
    pub fn as_bytes(&self) -> &[u8] {
        self.data.as_ref()
    }

    /// The length of the file (the core's, for a split index), held in
    /// memory or not.
    pub fn file_len(&self) -> usize {
        self.far.as_ref().map_or(self.data.as_ref().len(), |f| f.len)
    }

    /// Number of documents.
    pub fn doc_count(&self) -> u32 {
        self.doc_count
    }

    /// Number of distinct terms.
    pub fn term_count(&self) -> u32 {
        self.term_count
    }

    /// Number of stem classes.
    pub fn class_count(&self) -> u32 {
        self.class_count
    }

    /// Number of lexicon shards.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// Average field lengths (title, contexts, body) in terms.
    pub fn avg_len(&self) -> [f32; 3] {
        self.avg_len
    }

    /// Every section: name, offset (in this file; 0 when paged) and
    /// length in bytes.
    pub fn sections(&self) -> Vec<(&'static str, usize, usize)> {
        tag::ALL
            .iter()
            .zip(&self.sections)
            .map(|(&t, s)| match (s, &self.store) {
                // A split core's doc store: the bytes of the blocks at
                // hand and, as a single file holds it, their table.
                (_, Some(st)) if t == tag::STORE => {
                    let blocks = (st.first..st.first + st.count)
                        .filter_map(|n| self.loaded[n as usize - 1].get());
                    let len = blocks.map(|b| b.len() - 4).sum::<usize>();
                    (tag_name(t), 0, len + st.table_len())
                }
                (Sect::Local(r), _) => (tag_name(t), r.start, r.len()),
                (Sect::Paged { len, .. }, _) => (tag_name(t), 0, *len),
            })
            .collect()
    }

    /// The shard of the sealed segment (or of the tail) holding the terms
    /// that start with byte `b`, when the segment has shards.
    fn shard_for(&self, tail: bool, b: u8) -> Option<usize> {
        let (from, to) = self.segment(tail);
        let seg = &self.shards[from..to];
        let i = seg.partition_point(|s| s.key <= b).checked_sub(1);
        Some(from + i.or((!seg.is_empty()).then_some(0))?)
    }

    /// The range of [`Index::shards`] of the sealed segment or the tail.
    fn segment(&self, tail: bool) -> (usize, usize) {
        let lo = self.shards.partition_point(|s| !s.tail);
        if tail {
            (lo, self.shards.len())
        } else {
            (0, lo)
        }
    }

    /// The shard holding term `ord`, and the term's place in its
    /// segment.
    fn shard_of(&self, ord: u32) -> Option<(usize, u32)> {
        let tail = ord >= self.sealed[1];
        let place = if tail { ord - self.sealed[1] } else { ord };
        let (from, to) = self.segment(tail);
        let seg = &self.shards[from..to];
        let i =
            seg.partition_point(|s| s.ords.start <= place).checked_sub(1)?;
        seg[i].ords.contains(&place).then_some((from + i, place))
    }

    /// The lexicon of shard `k`, its fst checked on first use: the only
    /// place an fst is made, so none is walked unchecked. (Checked
    /// lazily, shard by shard, rather than all at open: the bundled
    /// archive's 50 shards take a few milliseconds natively and several
    /// times that in wasm, where opening is on the way to the first
    /// results; a first query touches a shard or two.) The fst crate
    /// trusts its bytes, so its structure is checked node by node
    /// ([`super::fstcheck`]) against the shard's term count and the
    /// ordinals its values may take (its own ordinals in the sealed
    /// segment, any ordinal in the tail). Its own checksum is not
    /// checked: the file's CRC32 (a chunk's, in a split index) covers the
    /// same bytes against accidental damage, and a checksum anyone can
    /// recompute proves nothing against bytes made on purpose.
    fn lexicon(&self, k: usize) -> Result<&Lexicon> {
        let (Some(slot), Some(s)) = (self.maps.get(k), self.shards.get(k))
        else {
            return Err(Error::corrupt("TERM", format!("shard {k}")));
        };
        if let Some(m) = slot.get() {
            return Ok(m);
        }
        let t = if s.tail { tag::TAIL_TERMS } else { tag::TERMS };
        let bytes = self.read(t, s.bytes.clone())?;
        let keys = u64::from(s.ords.end - s.ords.start);
        let bound = if s.tail { self.ord_end } else { s.ords.end };
        let bad = |e: String| Error::corrupt(tag_name(t), e);
        super::fstcheck::verify(bytes, keys, bound.into(), MAX_TERM_LEN)
            .map_err(|e| bad(format!("lexicon shard {k}: {e}")))?;
        let map =
            fst::Map::new(bytes.to_vec()).map_err(|e| bad(e.to_string()))?;
        let mut sealed = Vec::new();
        if s.tail {
            let mut st = map.stream();
            let mut place = s.ords.start;
            while let Some((_, v)) = st.next() {
                if v < u64::from(self.sealed[1]) {
                    sealed.push((v as u32, place));
                }
                place += 1;
            }
            // By ordinal already: sealed ordinals follow byte order too.
            // (In a damaged file they may not; a search then misses,
            // harmlessly.)
        }
        let _ = slot.set(Lexicon { map, sealed });
        slot.get().ok_or_else(|| Error::corrupt("TERM", "shard"))
    }

    /// Checks every lexicon shard now rather than at its first use (each
    /// is checked once either way). A split index's shards whose chunks
    /// are missing are asked for, and the read fails with
    /// [`Error::NotLoaded`] once the others are checked.
    pub fn check_lexicon(&self) -> Result<()> {
        let mut missing = false;
        for k in 0..self.shards.len() {
            match self.lexicon(k) {
                Err(Error::NotLoaded) => missing = true,
                r => {
                    r?;
                }
            }
        }
        if missing {
            return Err(Error::NotLoaded);
        }
        Ok(())
    }

    /// The ordinal of `term`, if it is in the dictionary (the sealed
    /// segment's, else the tail's).
    pub fn term_ordinal(&self, term: &str) -> Result<Option<u32>> {
        let Some(&b) = term.as_bytes().first() else { return Ok(None) };
        for tail in [false, true] {
            let Some(k) = self.shard_for(tail, b) else { continue };
            let ords = &self.shards[k].ords;
            let found = self.lexicon(k)?.map.get(term);
            let found =
                found.and_then(|o| u32::try_from(o).ok()).filter(|o| {
                    if tail {
                        *o < self.ord_end
                    } else {
                        ords.contains(o)
                    }
                });
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// The ordinal of `term` when its lexicon shards are loaded (always
    /// in a single file); `None` otherwise, without asking for them.
    pub fn loaded_term_ordinal(&self, term: &str) -> Option<u32> {
        let &b = term.as_bytes().first()?;
        for tail in [false, true] {
            let Some(k) = self.shard_for(tail, b) else { continue };
            let s = &self.shards[k];
            let t = if tail { tag::TAIL_TERMS } else { tag::TERMS };
            if self.maps[k].get().is_none()
                && !self.page_loaded(t, s.bytes.start)
            {
                return None;
            }
        }
        self.term_ordinal(term).ok().flatten()
    }

    /// A split core's `PKEY`: the keys of the sealed postings pages (empty
    /// without it).
    pub(crate) fn post_keys(&self) -> &[u8] {
        self.data.as_ref().get(self.post_keys.clone()).unwrap_or_default()
    }

    /// Over a split index a request away whose sealed lexicon shard for
    /// `term` is not at hand: asks, with that shard, for the sealed
    /// postings pages that hold `term` (with its completions when
    /// `prefix`), as `PKEY` places them, when they are at most two; so a
    /// word's postings come in the same round as its lexicon, not one
    /// round after. Nothing is read, and nothing fails.
    pub fn ask_postings_near(&self, term: &[u8], prefix: bool) {
        const MOST: usize = 2;
        let Some(&b) = term.first() else { return };
        let Some(k) = self.shard_for(false, b) else { return };
        let (Some(map), Some(shard)) = (self.maps.get(k), self.shards.get(k))
        else {
            return;
        };
        if !self.chunks_far()
            || map.get().is_some()
            || self.page_loaded(tag::TERMS, shard.bytes.start)
        {
            return;
        }
        // The page of `term`: the last whose key is not after it; with
        // its completions, up to the first page whose key is past them. (The keys are only a hint: damaged, they ask for the
        // wrong pages, or none.)
        let mut c = Cursor::new(self.post_keys(), "PKEY");
        let mut key = Vec::new();
        let (mut lo, mut end) = (0, 0);
        for i in 0..c.u32().unwrap_or(0) as usize {
            let (Ok(shared), Ok(rest)) = (c.varint(), c.varint()) else {
                return;
            };
            let Ok(more) = c.take(rest as usize) else { return };
            if shared as usize > key.len() {
                return;
            }
            key.truncate(shared as usize);
            key.extend_from_slice(more);
            if *key <= *term {
                lo = i;
            } else if !key.starts_with(term) {
                break;
            }
            end = i + 1;
        }
        let hi = if prefix { end } else { lo + 1 };
        let Sect::Paged { pages, .. } =
            &self.sections[section_index(tag::POSTINGS)]
        else {
            return;
        };
        if hi.saturating_sub(lo) <= MOST {
            for p in pages.get(lo..hi).unwrap_or_default() {
                if p.chunk != 0 {
                    // Recorded as a read would; the bytes are not wanted
                    // now.
                    let _ = self.chunk_bytes(p.chunk);
                }
            }
        }
    }

    /// The bytes a term with ordinal `ord` may start with: the key range
    /// of its lexicon shard.
    pub fn first_bytes(&self, ord: u32) -> Option<RangeInclusive<u8>> {
        let (k, _) = self.shard_of(ord)?;
        let s = &self.shards[k];
        let next = self.shards.get(k + 1).filter(|n| n.tail == s.tail);
        Some(s.key..=next.map_or(u8::MAX, |n| n.key - 1))
    }

    /// Whether the page holding byte `at` of section `t` is at hand.
    fn page_loaded(&self, t: [u8; 4], at: usize) -> bool {
        match &self.sections[section_index(t)] {
            Sect::Local(_) => true,
            Sect::Paged { pages, .. } => {
                let i = pages.partition_point(|p| p.start <= at);
                pages.get(i.wrapping_sub(1)).is_some_and(|p| {
                    p.chunk == 0
                        || self
                            .loaded
                            .get(p.chunk as usize - 1)
                            .is_some_and(|l| l.get().is_some())
                })
            }
        }
    }

    /// The term with ordinal `ord`.
    pub fn term(&self, ord: u32) -> Result<Option<String>> {
        let Some((k, place)) = self.shard_of(ord) else { return Ok(None) };
        let mut st = self.lexicon(k)?.map.stream();
        let mut i = self.shards[k].ords.start;
        while let Some((key, _)) = st.next() {
            if i == place {
                return Ok(String::from_utf8(key.to_vec()).ok());
            }
            i += 1;
        }
        Ok(None)
    }

    /// The ordinals of the terms that start with `prefix`: one range of
    /// the sealed segment's (ordinals follow the terms' byte order, so it
    /// is found with two lookups, without visiting the terms), then those
    /// only the tail has.
    pub fn prefix_ordinals(
        &self,
        prefix: &[u8],
    ) -> Result<std::iter::Chain<Range<u32>, std::vec::IntoIter<u32>>> {
        let Some(&b) = prefix.first() else {
            return Ok((0..0).chain(Vec::new()));
        };
        let sealed = match self.shard_for(false, b) {
            Some(k) => self.sealed_prefix(k, prefix)?,
            None => 0..0,
        };
        let mut new = Vec::new();
        if let Some(k) = self.shard_for(true, b) {
            let mut st = self.lexicon(k)?.map.range().ge(prefix).into_stream();
            while let Some((key, v)) = st.next() {
                if !key.starts_with(prefix) {
                    break;
                }
                if v >= u64::from(self.sealed[1]) {
                    new.push(v as u32);
                }
            }
        }
        Ok(sealed.chain(new))
    }

    /// The ordinals of sealed shard `k`'s terms that start with `prefix`.
    fn sealed_prefix(&self, k: usize, prefix: &[u8]) -> Result<Range<u32>> {
        let m = &self.lexicon(k)?.map;
        let ords = self.shards[k].ords.clone();
        let mut st = m.range().ge(prefix).into_stream();
        let lo = match st.next() {
            Some((key, o)) if key.starts_with(prefix) => o as u32,
            _ => return Ok(0..0),
        };
        // The first term past the prefix: the prefix with its last byte
        // below 0xff raised by one and the rest dropped.
        let mut upper = prefix.to_vec();
        while upper.last() == Some(&0xff) {
            upper.pop();
        }
        let hi = match upper.last_mut() {
            Some(last) => {
                *last += 1;
                let mut st = m.range().ge(&upper).into_stream();
                st.next().map_or(ords.end, |(_, o)| o as u32)
            }
            None => ords.end,
        };
        Ok(lo.max(ords.start)..hi.min(ords.end))
    }

    /// Calls `f` with each term `aut` accepts, among the terms that share
    /// the first byte of `near` in a split index (whose other shards may
    /// not be loaded) and among all terms of a single file, until `f`
    /// returns false.
    pub fn search_terms<A: Automaton>(
        &self,
        aut: &A,
        near: &str,
        f: &mut dyn FnMut(&[u8], u32) -> bool,
    ) -> Result<()> {
        let first = near.as_bytes().first().copied();
        let far = self.chunks_far();
        // Every missing shard is asked for, not just the first.
        let mut missing = false;
        for (k, s) in self.shards.iter().enumerate() {
            if let (Some(b), true) = (first, far) {
                if self.shard_for(s.tail, b) != Some(k) {
                    continue;
                }
            }
            let lex = match self.lexicon(k) {
                Err(Error::NotLoaded) => {
                    missing = true;
                    continue;
                }
                r => r?,
            };
            let mut st = lex.map.search(aut).into_stream();
            while let Some((key, o)) = st.next() {
                // A sealed term in the tail is met in its sealed shard.
                if s.tail && o < u64::from(self.sealed[1]) {
                    continue;
                }
                if !f(key, o as u32) {
                    return Ok(());
                }
            }
        }
        if missing {
            return Err(Error::NotLoaded);
        }
        Ok(())
    }

    /// Where the postings of term `ord` are in each segment (offset and
    /// count; a count of 0 for none), and the next member of its stem
    /// class (the tail's word, when the tail has the term, wins).
    #[allow(clippy::type_complexity)]
    fn term_info(&self, ord: u32) -> Result<([(usize, u32); 2], u32)> {
        if ord >= self.ord_end {
            return Err(Error::corrupt("TINF", format!("ordinal {ord}")));
        }
        let mut parts = [(0, 0); 2];
        let mut next = NO_CLASS;
        let mut read = |t: [u8; 4], place: u32, i: usize| -> Result<()> {
            let a = place as usize * 12;
            let info = self.read(t, a..a + 12)?;
            parts[i] = (u32_at(info, 0) as usize, u32_at(info, 1));
            next = u32_at(info, 2);
            Ok(())
        };
        if ord < self.sealed[1] {
            read(tag::TERM_INFO, ord, 0)?;
        }
        if let Some(place) = self.tail_place(ord)? {
            read(tag::TAIL_INFO, place, 1)?;
        }
        let df = u64::from(parts[0].1) + u64::from(parts[1].1);
        if df == 0 || df > u64::from(self.doc_count) {
            return Err(Error::corrupt(
                "TINF",
                format!("term {ord}: df {df}"),
            ));
        }
        if next != NO_CLASS && next >= self.ord_end {
            return Err(Error::corrupt("TINF", format!("term {ord}: class")));
        }
        Ok((parts, next))
    }

    /// The place in the tail of term `ord`, when the tail has it.
    fn tail_place(&self, ord: u32) -> Result<Option<u32>> {
        if ord >= self.sealed[1] {
            return Ok(Some(ord - self.sealed[1]));
        }
        // A sealed term: in the tail shard of its first byte, if there.
        let Some(first) = self.first_bytes(ord) else { return Ok(None) };
        let Some(k) = self.shard_for(true, *first.start()) else {
            return Ok(None);
        };
        let lex = self.lexicon(k)?;
        let i = lex.sealed.binary_search_by_key(&ord, |e| e.0);
        Ok(i.ok().map(|i| lex.sealed[i].1))
    }

    /// Number of documents containing term `ord`.
    pub fn doc_freq(&self, ord: u32) -> Result<u32> {
        let ([a, b], _) = self.term_info(ord)?;
        Ok(a.1 + b.1)
    }

    /// The other terms that share the stem of term `ord`.
    pub fn stem_siblings(&self, ord: u32) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        let mut next = self.term_info(ord)?.1;
        while next != NO_CLASS && next != ord {
            if out.len() > 4096 || out.contains(&next) {
                return Err(Error::corrupt("TINF", "stem class loops"));
            }
            out.push(next);
            next = self.term_info(next)?.1;
        }
        Ok(out)
    }

    /// The postings of term `ord`, by increasing document id: the sealed
    /// segment's, then the tail's.
    pub fn postings(&self, ord: u32) -> Result<PostingIter<'_>> {
        let (parts, _) = self.term_info(ord)?;
        let mut lists = [Part::default(), Part::default()];
        for (i, t) in
            [tag::POSTINGS, tag::TAIL_POSTINGS].into_iter().enumerate()
        {
            let (off, n) = parts[i];
            if n > 0 {
                let bytes = self.read_from(t, off)?;
                let derived = self.derive.is_some();
                lists[i] = Part::new(bytes, n, self.columns, derived)
                    .ok_or_else(|| {
                        Error::corrupt(
                            tag_name(t),
                            format!("postings at {off}"),
                        )
                    })?;
            }
        }
        let [first, rest] = lists;
        let lens = match self.derive {
            Some(_) => self.whole(tag::LENGTHS)?,
            None => &[],
        };
        let mut it = PostingIter {
            left: first.left,
            cur: first.docs,
            cols: first.cols,
            until: first.until,
            derive: self.derive.as_deref(),
            lens,
            rest: Some(rest),
            prev: None,
            fresh: false,
            doc_count: self.doc_count,
        };
        if it.left == 0 {
            it.next_part();
        }
        Ok(it)
    }

    /// The day of document `doc`.
    pub fn day(&self, doc: u32) -> Day {
        self.day_and_place(doc).0
    }

    /// The place of document `doc` among its day's events as they were
    /// read (1 for the first): a day's documents are numbered in reverse.
    pub fn place(&self, doc: u32) -> u32 {
        self.day_and_place(doc).1
    }

    /// [`Index::day`] and [`Index::place`] of `doc`, from one lookup.
    fn day_and_place(&self, doc: u32) -> (Day, u32) {
        // Entries are sorted by first document; the first starts at 0.
        let i = self.days.partition_point(|&(_, first)| first <= doc);
        let day = self.days.get(i.saturating_sub(1)).map_or(0, |d| d.0);
        let next = self.days.get(i).map_or(self.doc_count, |d| d.1);
        (day, next.saturating_sub(doc))
    }

    /// Distinct days, oldest first, each with its first document.
    pub fn days(&self) -> &[(Day, u32)] {
        &self.days
    }

    /// The documents whose day lies in `from..=to` (oldest first, so a
    /// day range is a contiguous id range).
    pub fn doc_range(&self, from: Day, to: Day) -> Range<u32> {
        // Days increase with the entry index.
        let start_entry = self.days.partition_point(|&(d, _)| d < from);
        let end_entry = self.days.partition_point(|&(d, _)| d <= to);
        let first = |e: usize| {
            self.days.get(e).map_or(self.doc_count, |&(_, first)| first)
        };
        let (a, b) = (first(start_entry), first(end_entry));
        a..b.max(a)
    }

    /// Names in facet dictionary `which` (0 categories, 1 source outlets,
    /// 2 contexts).
    pub fn facet_len(&self, which: usize) -> u32 {
        self.facet_len.get(which).copied().unwrap_or(0)
    }

    /// The name of value `id` of facet dictionary `which` (0 categories,
    /// 1 source outlets, 2 contexts).
    pub fn facet_name(&self, which: usize, id: u32) -> Result<&str> {
        let t = facet_tag(which);
        let count = self.facet_len(which);
        if id >= count {
            return Err(Error::corrupt(tag_name(t), format!("value {id}")));
        }
        let block = self.block(t, id / NAME_BLOCK)?;
        let mut c = Cursor::new(block, tag_name(t));
        for _ in 0..id % NAME_BLOCK {
            skip_field(&mut c, 0).ok_or_else(|| c.err("short block"))?;
        }
        c.str()
    }

    /// Block `b` of a section of blocks (`STOR`, `FWRD`, a facet
    /// dictionary), its block table checked on first use.
    fn block(&self, t: [u8; 4], b: u32) -> Result<&[u8]> {
        let name = tag_name(t);
        let far = self.far.as_ref();
        let which = (0..3).find(|&k| facet_tag(k) == t);
        if let Some((far, names)) =
            far.zip(which).and_then(|(f, k)| Some((f, f.names[k].as_ref()?)))
        {
            // A facet dictionary kept outside: the block read once.
            let b = b as usize;
            let bad = || Error::corrupt(name, format!("block {b}"));
            let slot = names.kept.get(b).ok_or_else(bad)?;
            if slot.get().is_none() {
                let (at, len) = names.place(b).ok_or_else(bad)?;
                let _ = slot.set(far.get(at, len)?.into());
            }
            return slot.get().map(|k| &k[..]).ok_or_else(bad);
        }
        if let (Some(s), tag::STORE) = (&self.store, t) {
            if b >= s.count {
                return Err(Error::corrupt(name, format!("block {b}")));
            }
            // Added only with its CRC32 after it, checked.
            let c = self.chunk_bytes(s.first + b)?;
            return Ok(&c[..c.len() - 4]);
        }
        let (items, per, least, slot) = match t {
            tag::STORE => (self.doc_count, self.store_docs, 1, None),
            tag::FORWARD => (self.doc_count, BLOCK_DOCS, 3, Some(3)),
            _ => {
                let which = section_index(t) - section_index(tag::CATEGORIES);
                (self.facet_len(which), NAME_BLOCK, 1, Some(which))
            }
        };
        if let Some(slot) = slot.and_then(|i| self.checked.get(i)) {
            if slot.get().is_none() {
                self.check_blocks_header(t, items, per, least)?;
                let _ = slot.set(());
            }
        }
        let n = items.div_ceil(per) as usize;
        let b = b as usize;
        if b >= n {
            return Err(Error::corrupt(name, format!("block {b} of {n}")));
        }
        let base = 4 + (n + 1) * 4;
        let offs = self.read(t, 4 + b * 4..4 + b * 4 + 8)?;
        let (x, y) = (u32_at(offs, 0) as usize, u32_at(offs, 1) as usize);
        self.read(t, base + x..base + y)
    }

    /// Doc-store block `b`, in memory or (a file held in part) read from
    /// outside it.
    fn store_block(&self, b: u32) -> Result<Cow<'_, [u8]>> {
        let far = self.far.as_ref();
        let Some((far, store)) =
            far.and_then(|f| Some((f, f.store.as_ref()?)))
        else {
            return self.block(tag::STORE, b).map(Cow::Borrowed);
        };
        let bad = || Error::corrupt("STOR", format!("block {b}"));
        if b >= self.doc_count.div_ceil(self.store_docs) {
            return Err(bad());
        }
        // Offsets checked when the index opened: increasing, within
        // the section.
        let (at, len) = store.place(b as usize).ok_or_else(bad)?;
        far.get(at, len).map(Cow::Owned)
    }

    /// Where section `t` lies in the file when a single file held in part
    /// keeps it outside (it ends beyond the bytes held); `None` when it
    /// is in memory.
    fn beyond(&self, t: [u8; 4]) -> Option<Range<usize>> {
        self.far.as_ref()?;
        match &self.sections[section_index(t)] {
            Sect::Local(r) if r.end > self.held => Some(r.clone()),
            _ => None,
        }
    }

    /// Calls `f` with the facets of each document of `docs`, which must be
    /// increasing. Decodes each forward block once.
    pub fn for_each_facets(
        &self,
        docs: &[u32],
        f: &mut dyn FnMut(u32, &DocFacets),
    ) -> Result<()> {
        // Every missing block asked for before the read fails.
        self.want_blocks(tag::FORWARD, docs, BLOCK_DOCS)?;
        let mut facets = DocFacets::default();
        let mut cur: Option<(u32, Cursor<'_>, u32)> = None; // block, cursor, next doc
        for &doc in docs {
            if doc >= self.doc_count {
                return Err(Error::corrupt("FWRD", format!("doc {doc}")));
            }
            let b = doc / BLOCK_DOCS;
            let reuse = matches!(&cur, Some((cb, _, next)) if *cb == b && *next <= doc);
            if !reuse {
                let bytes = self.block(tag::FORWARD, b)?;
                cur = Some((b, Cursor::new(bytes, "FWRD"), b * BLOCK_DOCS));
            }
            let Some((_, c, next)) = cur.as_mut() else { continue };
            while *next <= doc {
                read_facets(c, &mut facets)?;
                *next += 1;
            }
            f(doc, &facets);
        }
        Ok(())
    }

    /// Adds, for each of `docs` (increasing), one to `counts[0]` at its
    /// category, `counts[1]` at each source and `counts[2]` at each
    /// context. Ids beyond a count vector are ignored. The hot loop of
    /// facet counting: no allocation, one pass over the forward blocks.
    pub fn count_facets(
        &self,
        docs: &[u32],
        counts: &mut [Vec<u32>; 3],
    ) -> Result<()> {
        let bad = || Error::corrupt("FWRD", "bad forward entry");
        let mut i = 0;
        // Every missing chunk is asked for, not just the first.
        let mut missing = false;
        while i < docs.len() {
            let b = docs[i] / BLOCK_DOCS;
            let block = match self.block(tag::FORWARD, b) {
                Err(Error::NotLoaded) => {
                    missing = true;
                    while i < docs.len() && docs[i] / BLOCK_DOCS == b {
                        i += 1;
                    }
                    continue;
                }
                r => r?,
            };
            let mut pos = 0usize;
            let mut doc = b * BLOCK_DOCS;
            while i < docs.len() && docs[i] / BLOCK_DOCS == b {
                let want = docs[i];
                if want < doc {
                    return Err(Error::corrupt(
                        "FWRD",
                        "documents out of order",
                    ));
                }
                let hit = want == doc;
                let cat = read_u32(block, &mut pos).ok_or_else(bad)?;
                if hit && cat > 0 {
                    bump(&mut counts[0], cat - 1);
                }
                for list in [1, 2] {
                    let n = read_u32(block, &mut pos).ok_or_else(bad)?;
                    if n > MAX_FACET_IDS {
                        return Err(bad());
                    }
                    for _ in 0..n {
                        let id = read_u32(block, &mut pos).ok_or_else(bad)?;
                        if hit {
                            bump(&mut counts[list], id);
                        }
                    }
                }
                doc += 1;
                if hit {
                    i += 1;
                }
            }
        }
        if missing {
            return Err(Error::NotLoaded);
        }
        Ok(())
    }

    /// The facets of one document.
    pub fn facets(&self, doc: u32) -> Result<DocFacets> {
        let mut out = DocFacets::default();
        self.for_each_facets(&[doc], &mut |_, f| out = f.clone())?;
        Ok(out)
    }

    /// The stored display data of each of `docs` (any order), inflating
    /// each doc-store block once (and keeping the most recent blocks, so
    /// successive keystrokes that show the same events inflate nothing).
    pub fn stored(&self, docs: &[u32]) -> Result<Vec<StoredDoc>> {
        let store = self.want_stored(docs);
        if self.names_by_id {
            self.want_blocks(tag::FORWARD, docs, BLOCK_DOCS)?;
        }
        store?;
        let mut out = vec![StoredDoc::default(); docs.len()];
        let mut order: Vec<usize> = (0..docs.len()).collect();
        crate::sorting::sort_by_key(&mut order, |&i| docs[i].into());
        let mut k = 0;
        let per = self.store_docs;
        while k < order.len() {
            let doc = docs[order[k]];
            if doc >= self.doc_count {
                return Err(Error::corrupt("STOR", format!("doc {doc}")));
            }
            let b = doc / per;
            // Inflated only as far as the last record asked for.
            let mut need = k;
            while need + 1 < order.len() && docs[order[need + 1]] / per == b {
                need += 1;
            }
            let raw = self.inflated(b, (docs[order[need]] % per) as usize)?;
            let first = b * per;
            let last = (first + per).min(self.doc_count);
            let mut c = Cursor::new(&raw, "STOR");
            for at in first..last {
                // Only the records asked for are decoded (the others are
                // stepped over: no strings built, no permalinks derived).
                if docs[order[k]] != at {
                    skip_stored(&mut c).ok_or_else(|| c.err("bad record"))?;
                    continue;
                }
                let (day, place) = self.day_and_place(at);
                let entry = read_stored(&mut c, day, place)?;
                while k < order.len() && docs[order[k]] == at {
                    out[order[k]] = entry.clone();
                    k += 1;
                }
                if k >= order.len() || docs[order[k]] / per != b {
                    break;
                }
            }
            if k < order.len() && docs[order[k]] / per == b {
                return Err(Error::corrupt(
                    "STOR",
                    format!("block {b} is short"),
                ));
            }
        }
        if self.names_by_id {
            self.name_stored(docs, &mut out)?;
        }
        Ok(out)
    }

    /// Gives `out`, the records of `docs` as a file written with
    /// [`FLAG_NAMES_BY_ID`] holds them, their category, outlet and
    /// context names, from the documents' forward lists; every name
    /// block missing is asked for before the read fails.
    fn name_stored(&self, docs: &[u32], out: &mut [StoredDoc]) -> Result<()> {
        let mut facets = Vec::with_capacity(docs.len());
        let mut missing = false;
        for &doc in docs {
            let f = self.facets(doc)?;
            for (which, ids) in
                [(0, f.category.as_slice()), (1, &f.sources), (2, &f.contexts)]
            {
                match self.want_names(which, ids) {
                    Err(Error::NotLoaded) => missing = true,
                    r => r?,
                }
            }
            facets.push(f);
        }
        if missing {
            return Err(Error::NotLoaded);
        }
        let name = |which, id| self.facet_name(which, id).map(str::to_owned);
        for ((f, s), doc) in facets.iter().zip(out).zip(docs) {
            if s.category.is_some()
                || s.sources.len() != f.sources.len()
                || !s.contexts.is_empty()
            {
                return Err(Error::corrupt(
                    "STOR",
                    format!("doc {doc} does not match its forward list"),
                ));
            }
            if let Some(c) = f.category {
                s.category = Some(name(0, c)?);
            }
            for (source, &id) in s.sources.iter_mut().zip(&f.sources) {
                source.0 = name(1, id)?;
            }
            for &c in &f.contexts {
                s.contexts.push(name(2, c)?);
            }
        }
        Ok(())
    }

    /// Doc-store block `b`, inflated at least as far as its record
    /// `record` (from the cache when it is there).
    fn inflated(&self, b: u32, record: usize) -> Result<Arc<Vec<u8>>> {
        if let Ok(mut cache) = self.blocks.try_lock() {
            if let Some(i) =
                cache.iter().position(|c| c.0 == b && c.1 > record)
            {
                let hit = cache.remove(i);
                let raw = hit.2.clone();
                cache.insert(0, hit);
                return Ok(raw);
            }
        }
        let z = self.store_block(b)?;
        let (raw, whole) = inflate(&z, self.whole(tag::DICTIONARY)?, record)
            .map_err(|e| {
            Error::corrupt("STOR", format!("block {b}: {e}"))
        })?;
        let raw = Arc::new(raw);
        if let Ok(mut cache) = self.blocks.try_lock() {
            if let Some(i) = cache.iter().position(|c| c.0 == b) {
                cache.remove(i);
            }
            cache.insert(0, (b, whole, raw.clone()));
            // The oldest go first, down to the count and the bytes
            // allowed; the newest stays.
            let mut bytes = 0;
            let keep = cache
                .iter()
                .position(|c| {
                    bytes += c.2.capacity();
                    bytes > CACHED_BYTES
                })
                .map_or(cache.len(), |i| i.max(1))
                .min(CACHED_BLOCKS);
            cache.truncate(keep);
        }
        Ok(raw)
    }
}

/// Checks the block table `s` (the first bytes of a section of blocks,
/// `len` bytes long) of `items` items, `per_block` to a block: the block
/// count, offsets that fit the section, and no block shorter than
/// `least` bytes an item (a `STOR` block at least a byte).
fn check_block_table(
    name: &'static str,
    s: &[u8],
    len: usize,
    items: u32,
    per_block: u32,
    least: u32,
) -> Result<()> {
    let blocks = items.div_ceil(per_block);
    let base = 4 + (blocks as usize + 1) * 4;
    if len < base || s.len() < base {
        return Err(Error::corrupt(name, "block offsets do not fit"));
    }
    if u32_at(s, 0) != blocks {
        return Err(Error::corrupt(
            name,
            format!("{} blocks, expected {blocks}", u32_at(s, 0)),
        ));
    }
    let mut last = u32_at(s, 1);
    if last != 0 {
        return Err(Error::corrupt(name, "blocks do not start at 0"));
    }
    for i in 1..=blocks {
        let o = u32_at(s, 1 + i as usize);
        let in_block = (items - (i - 1) * per_block).min(per_block);
        if o < last || o - last < (least * in_block).max(1) {
            return Err(Error::corrupt(
                name,
                "a block is too short for its items",
            ));
        }
        last = o;
    }
    if base + last as usize != len {
        return Err(Error::corrupt(
            name,
            "blocks do not match the section length",
        ));
    }
    Ok(())
}

/// How many of the first bytes of a file of `len` bytes, whose start is
/// `head`, to hold in memory for [`Index::with_outside`]: for a single
/// file, up to the end of the last section a query reads whole, so that
/// the sections after it that a reader may keep outside (`format::KEPT_OUTSIDE`: the
/// doc store, last, and the facet dictionaries, which a single file
/// puts before it: FORMAT.md) and the footer stay out; else `len` (the
/// whole file, for [`Index::new`], which also reports whatever is wrong
/// with it). `head` needs the header and the section table: 512 bytes
/// are ample.
pub fn held_len(head: &[u8], len: usize) -> usize {
    let flags = head.get(12..16).map_or(FLAG_SPLIT, |f| u32_at(f, 0));
    if !head.starts_with(&MAGIC) || flags & FLAG_SPLIT != 0 {
        return len;
    }
    let table =
        len.checked_sub(FOOTER_LEN).map(|end| section_table(head, end));
    let Some(Ok(found)) = table else { return len };
    let n = head.get(16..20).map_or(0, |b| u32_at(b, 0)) as usize;
    let mut held = HEADER_LEN + 4 + n * SECTION_ENTRY_LEN;
    for (i, r) in found.iter().take(N).enumerate() {
        if let Some(r) =
            r.as_ref().filter(|_| !super::KEPT_OUTSIDE.contains(&tag::ALL[i]))
        {
            held = held.max(r.end);
        }
    }
    held.min(len)
}

/// Whether a file may lack section `t`: `LENS` unless the impacts are
/// `derived` when read ([`FLAG_DERIVED`]).
fn optional(t: [u8; 4], derived: bool) -> bool {
    t == tag::LENGTHS && !derived
}

/// Sections a file's header may list besides those of [`tag::ALL`]: a
/// split core's.
const EXTRA: [[u8; 4]; 5] =
    [tag::PAGES, tag::CHUNKS, tag::CORE, tag::STORE_CHUNKS, tag::POST_KEYS];
const N: usize = tag::ALL.len();

/// The sections the section table of `bytes` lists, by
/// [`section_index`] then [`EXTRA`]'s order (unknown tags are skipped),
/// each checked to lie between the table and `body_end`, none twice.
fn section_table(
    bytes: &[u8],
    body_end: usize,
) -> Result<[Option<Range<usize>>; N + EXTRA.len()]> {
    let n = bytes.get(16..20).map_or(0, |b| u32_at(b, 0)) as usize;
    let table_end = n
        .checked_mul(SECTION_ENTRY_LEN)
        .and_then(|t| t.checked_add(HEADER_LEN + 4))
        .filter(|&e| e <= body_end.min(bytes.len()))
        .ok_or_else(|| {
            Error::corrupt("header", format!("{n} sections do not fit"))
        })?;
    let mut found: [Option<Range<usize>>; N + EXTRA.len()] =
        Default::default();
    let mut table = Cursor::at(&bytes[..table_end], HEADER_LEN + 4, "header");
    for _ in 0..n {
        let t: [u8; 4] = table
            .take(4)?
            .try_into()
            .map_err(|_| Error::corrupt("header", "short section tag"))?;
        let off = table.u32()? as usize;
        let len = table.u32()? as usize;
        let i = match tag::ALL.iter().position(|&a| a == t) {
            Some(i) => i,
            None => match EXTRA.iter().position(|&a| a == t) {
                Some(i) => N + i,
                None => continue, // unknown sections are ignored
            },
        };
        let end = off.checked_add(len).filter(|&e| e <= body_end);
        if off < table_end || end.is_none() {
            return Err(Error::corrupt(
                tag_name(t),
                format!("bounds {off}+{len} outside 0..{body_end}"),
            ));
        }
        if found[i].is_some() {
            return Err(Error::corrupt(tag_name(t), "appears twice"));
        }
        found[i] = Some(off..off + len);
    }
    Ok(found)
}

/// The checksum a file held in part carries and the one its bytes give:
/// `held`, then the rest read from outside memory a piece at a time up
/// to `body_end` (the footer's place).
fn outside_checksum(
    held: &[u8],
    body_end: usize,
    rest: &Far,
) -> Result<(u32, u32)> {
    let mut crc = crate::checksum::crc32(held);
    let mut at = held.len();
    while at < body_end {
        let n = OUTSIDE_PIECE.min(body_end - at);
        crc = crate::checksum::crc32_more(crc, &rest.get(at, n)?);
        at += n;
    }
    let footer = rest.get(body_end, FOOTER_LEN)?;
    Ok((u32_at(&footer, 0), crc))
}

/// Output inflated between checks for whole records.
const INFLATE_STEP: usize = 2048;

/// Inflates raw DEFLATE `z` whose back-references may reach into the
/// preset dictionary `dict` (placed before the output, as DEFLATE's
/// window), stopping early once doc-store record number `record` is
/// whole. Returns the bytes and how many records they hold whole
/// (`usize::MAX` when inflated to the end). A block that would inflate
/// beyond [`MAX_BLOCK_BYTES`] is an error, found after inflating that
/// much at most; the output grows as it is filled, so memory follows what
/// the data inflates to, not what it claims.
pub(crate) fn inflate(
    z: &[u8],
    dict: &[u8],
    record: usize,
) -> std::result::Result<(Vec<u8>, usize), String> {
    use miniz_oxide::inflate::core::{
        decompress, inflate_flags, DecompressorOxide,
    };
    use miniz_oxide::inflate::TINFLStatus;
    let cap = dict.len() + MAX_BLOCK_BYTES;
    let first = z.len().saturating_mul(4).clamp(4096, MAX_BLOCK_BYTES);
    let mut out = vec![0u8; dict.len() + first];
    out[..dict.len()].copy_from_slice(dict);
    let mut r = DecompressorOxide::new();
    let (mut in_pos, mut out_pos) = (0, dict.len());
    let mut limit = dict.len() + INFLATE_STEP;
    // Records found whole so far, and where the next one starts.
    let (mut whole, mut at) = (0, dict.len());
    loop {
        let end = limit.min(out.len());
        let (status, n_in, n_out) = decompress(
            &mut r,
            &z[in_pos..],
            &mut out[..end],
            out_pos,
            inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        );
        in_pos += n_in;
        out_pos += n_out;
        match status {
            TINFLStatus::Done => {
                whole = usize::MAX;
                break;
            }
            TINFLStatus::HasMoreOutput => {
                let mut c = Cursor::at(&out[..out_pos], at, "STOR");
                while whole <= record && skip_stored(&mut c).is_some() {
                    at = c.position();
                    whole += 1;
                }
                if whole > record {
                    out_pos = at;
                    break;
                }
                if end == out.len() {
                    if out.len() >= cap {
                        return Err(format!(
                            "inflates beyond {} MiB",
                            MAX_BLOCK_BYTES >> 20
                        ));
                    }
                    out.resize(out.len().saturating_mul(2).min(cap), 0);
                }
                limit += INFLATE_STEP;
            }
            _ => return Err("bad DEFLATE data".into()),
        }
    }
    out.truncate(out_pos);
    out.drain(..dict.len());
    // Kept in the cache: its bytes, not the room it grew into.
    out.shrink_to_fit();
    Ok((out, whole))
}

/// Inflates raw DEFLATE `z` that must give exactly `len` bytes; the
/// output grows as it is filled, so a false `len` costs no more memory
/// than the data inflates to.
fn inflate_exact(
    z: &[u8],
    len: usize,
) -> std::result::Result<Vec<u8>, &'static str> {
    use miniz_oxide::inflate::core::{
        decompress, inflate_flags, DecompressorOxide,
    };
    use miniz_oxide::inflate::TINFLStatus;
    let mut out = vec![0u8; len.min(z.len().saturating_mul(4).max(4096))];
    let mut r = DecompressorOxide::new();
    let (mut in_pos, mut out_pos) = (0, 0);
    loop {
        let (status, n_in, n_out) = decompress(
            &mut r,
            &z[in_pos..],
            &mut out,
            out_pos,
            inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        );
        in_pos += n_in;
        out_pos += n_out;
        match status {
            TINFLStatus::Done if out_pos == len => return Ok(out),
            TINFLStatus::Done => return Err("inflates short of its length"),
            TINFLStatus::HasMoreOutput if out.len() < len => {
                out.resize(out.len().saturating_mul(2).min(len), 0);
            }
            TINFLStatus::HasMoreOutput => {
                return Err("inflates beyond its length")
            }
            _ => return Err("bad DEFLATE data"),
        }
    }
}

/// The split core's chunk table: each chunk's CRC32.
fn read_chunks(s: &[u8]) -> Result<Vec<(u32, usize)>> {
    let mut c = Cursor::new(s, "CHNK");
    let n = c.u32()? as usize;
    if s.len() != 4 + n.saturating_mul(4) {
        return Err(c.err("length is not 4 + 4 × chunks"));
    }
    (0..n).map(|_| Ok((c.u32()?, 0))).collect()
}

/// The split core's page table, into one list per section; sets each
/// chunk's length (the end of its last page).
fn read_pages(
    s: &[u8],
    chunks: &mut [(u32, usize)],
    core_len: usize,
    out: &mut [Vec<Page>; tag::ALL.len()],
) -> Result<()> {
    let mut c = Cursor::new(s, "PAGE");
    let n = c.u32()? as usize;
    let mut chunk = 0i64;
    let mut starts = [0usize; tag::ALL.len()];
    for _ in 0..n {
        let i = usize::from(c.u8()?);
        let len = c.varint()? as usize;
        let z = c.varint()? as i64;
        chunk += (z >> 1) ^ -(z & 1);
        let off = c.varint()? as usize;
        if i >= out.len() || chunk < 0 || chunk as usize > chunks.len() {
            return Err(c.err("bad page entry"));
        }
        let too_long = || c.err("page too long");
        let end = off.checked_add(len).ok_or_else(too_long)?;
        let start = starts[i];
        starts[i] = start.checked_add(len).ok_or_else(too_long)?;
        if chunk == 0 && end > core_len {
            return Err(c.err("page outside the core"));
        }
        if chunk > 0 {
            let k = &mut chunks[chunk as usize - 1].1;
            *k = (*k).max(end);
        }
        out[i].push(Page { start, len, chunk: chunk as u32, off });
    }
    if c.position() != s.len() {
        return Err(c.err("trailing bytes"));
    }
    // A deflated chunk inflates to the length its pages give it: at
    // most this.
    if chunks.iter().any(|c| c.1 > MAX_CHUNK_BYTES) {
        return Err(c.err("a chunk is over 128 MiB"));
    }
    Ok(())
}

#[inline]
fn bump(counts: &mut [u32], id: u32) {
    if let Some(c) = counts.get_mut(id as usize) {
        *c += 1;
    }
}

/// A varint (at most u32) at `*pos` of `b`; the one-byte case first.
#[inline]
fn read_u32(b: &[u8], pos: &mut usize) -> Option<u32> {
    let first = *b.get(*pos)?;
    if first < 0x80 {
        *pos += 1;
        return Some(u32::from(first));
    }
    let mut c = Cursor::at(b, *pos, "FWRD");
    let v = c.fast_u32()?;
    *pos = c.position();
    Some(v)
}

fn read_stored(c: &mut Cursor<'_>, day: Day, place: u32) -> Result<StoredDoc> {
    Ok(super::store::Record::read(c)?.to_stored(day, place))
}

/// Steps over one doc-store record (see [`read_stored`]); `None` when
/// its bytes run out.
fn skip_stored(c: &mut Cursor<'_>) -> Option<()> {
    // id (a length of 0 followed by an optional string's: see
    // `Record::write`), title, url, body, category, each a length (stored
    // 2 more for a URL, 1 more for an optional string) and bytes.
    match c.fast_u32()? {
        0 => skip_field(c, 1)?,
        n => c.skip(n as usize)?,
    }
    for above in [0, 2, 1, 1] {
        skip_field(c, above)?;
    }
    // Sources (name, optional URL), then contexts (name).
    for fields in [&[0, 1][..], &[0]] {
        for _ in 0..c.fast_u32()? {
            for &above in fields {
                skip_field(c, above)?;
            }
        }
    }
    Some(())
}

/// Steps over a field stored as a length `above` more than its bytes,
/// and the bytes.
#[inline(never)]
fn skip_field(c: &mut Cursor<'_>, above: u32) -> Option<()> {
    let n = c.fast_u32()?.saturating_sub(above);
    c.skip(n as usize)
}

/// Most ids one forward entry, or names one doc-store record, may list
/// (a sanity bound on corrupt input).
pub(crate) const MAX_FACET_IDS: u32 = 100_000;

fn read_facets(c: &mut Cursor<'_>, f: &mut DocFacets) -> Result<()> {
    decode_facets(c, f).ok_or_else(|| c.err("bad forward entry"))
}

#[inline]
fn decode_facets(c: &mut Cursor<'_>, f: &mut DocFacets) -> Option<()> {
    f.category = c.fast_u32()?.checked_sub(1);
    f.sources.clear();
    f.contexts.clear();
    let n = c.fast_u32()?;
    if n > MAX_FACET_IDS {
        return None;
    }
    for _ in 0..n {
        f.sources.push(c.fast_u32()?);
    }
    let n = c.fast_u32()?;
    if n > MAX_FACET_IDS {
        return None;
    }
    for _ in 0..n {
        f.contexts.push(c.fast_u32()?);
    }
    Some(())
}

/// Iterates the postings of one term. Yields an error (once) on corrupt
/// bytes.
pub struct PostingIter<'a> {
    /// The document deltas (with the rest of each posting when the
    /// postings are interleaved).
    cur: Cursor<'a>,
    /// The field bytes, impacts, context word counts and title positions,
    /// when stored a column at a time ([`FLAG_COLUMNS`]).
    cols: Option<[Cursor<'a>; 4]>,
    left: u32,
    /// With impacts derived ([`FLAG_DERIVED`]): postings before the next
    /// stored impact (`u32::MAX`: none), how to derive the others, and
    /// the documents' field lengths (`LENS`).
    until: u32,
    derive: Option<&'a Derive>,
    lens: &'a [u8],
    /// The tail's postings, read after the sealed segment's.
    rest: Option<Part<'a>>,
    prev: Option<u32>,
    /// The next document is absolute (the first of the tail's).
    fresh: bool,
    doc_count: u32,
}

/// One segment's postings of a term, about to be read.
struct Part<'a> {
    docs: Cursor<'a>,
    cols: Option<[Cursor<'a>; 4]>,
    left: u32,
    /// Postings before the first stored impact, when they are derived.
    until: u32,
}

impl Default for Part<'_> {
    fn default() -> Self {
        Part {
            docs: Cursor::new(&[], "POST"),
            cols: None,
            left: 0,
            until: u32::MAX,
        }
    }
}

impl<'a> Part<'a> {
    /// The `n` postings at the start of `bytes` (their impacts `derived`
    /// when read but for the exceptions, [`FLAG_DERIVED`]); `None` when
    /// their columns do not fit.
    fn new(
        bytes: &'a [u8],
        n: u32,
        columns: bool,
        derived: bool,
    ) -> Option<Part<'a>> {
        let at = |r: Range<usize>| Some(Cursor::new(bytes.get(r)?, "POST"));
        if !columns {
            return Some(Part {
                docs: at(0..bytes.len())?,
                cols: None,
                left: n,
                until: u32::MAX,
            });
        }
        let mut c = Cursor::new(bytes, "POST");
        let docs = c.fast_u32()? as usize;
        let n = n as usize;
        let bits = c.pos.checked_add(docs)?;
        let mut impacts = bits.checked_add(n)?;
        let ctx = if derived {
            let mut e = Cursor::new(bytes.get(impacts..)?, "POST");
            let len = e.fast_u32()? as usize;
            impacts = impacts.checked_add(e.pos)?;
            impacts.checked_add(len)?
        } else {
            impacts.checked_add(n)?
        };
        let with_ctx = bytes.get(bits..bits + n)?;
        let pos = ctx
            + with_ctx.iter().filter(|&&b| b & field::CONTEXTS != 0).count();
        let mut stored = at(impacts..ctx)?;
        let until = match stored.left() {
            0 => u32::MAX,
            _ if derived => stored.fast_u32()?,
            _ => u32::MAX,
        };
        Some(Part {
            docs: at(c.pos..bits)?,
            cols: Some([
                at(bits..bits + n)?,
                stored,
                at(ctx..pos)?,
                at(pos..bytes.len())?,
            ]),
            left: n as u32,
            until,
        })
    }
}

/// The columns of [`PostingIter::col`].
const BITS: usize = 0;
const IMPACT: usize = 1;
const CTX: usize = 2;
const POSITIONS: usize = 3;

impl<'a> PostingIter<'a> {
    /// Postings not yet read.
    pub fn remaining(&self) -> u32 {
        self.left + self.rest.as_ref().map_or(0, |r| r.left)
    }

    /// Moves on to the tail's postings; false when there are none.
    fn next_part(&mut self) -> bool {
        match self.rest.take() {
            Some(p) if p.left > 0 => {
                (self.cur, self.cols, self.left, self.until, self.fresh) =
                    (p.docs, p.cols, p.left, p.until, true);
                true
            }
            _ => false,
        }
    }

    /// Where column `k` is read: its own cursor, or the one of
    /// interleaved postings.
    #[inline(always)]
    fn col(&mut self, k: usize) -> &mut Cursor<'a> {
        match &mut self.cols {
            Some(c) => &mut c[k],
            None => &mut self.cur,
        }
    }

    fn read(&mut self) -> Result<Posting> {
        self.decode().ok_or_else(|| {
            self.cur.err("bad posting or document out of order")
        })
    }

    /// The next posting's document: its delta read and checked.
    #[inline(always)]
    fn next_doc(&mut self) -> Option<u32> {
        let delta = self.cur.fast_u32()?;
        let doc = match self.prev {
            None => delta,
            // The tail's first document is absolute, and after the
            // sealed segment's last.
            Some(p) if self.fresh && delta > p => delta,
            Some(p) if delta > 0 && !self.fresh => p.checked_add(delta)?,
            Some(_) => return None,
        };
        self.fresh = false;
        if doc >= self.doc_count {
            return None;
        }
        self.prev = Some(doc);
        Some(doc)
    }

    /// The impact of the next posting, of document `doc` with field byte
    /// `bits`: stored, or derived ([`FLAG_DERIVED`]).
    #[inline(always)]
    fn impact(&mut self, doc: u32, bits: u8) -> Option<u8> {
        let Some(d) = self.derive else {
            return self.col(IMPACT).byte();
        };
        if self.until == 0 {
            let c = self.col(IMPACT);
            let i = c.byte()?;
            self.until = if c.left() > 0 { c.fast_u32()? } else { u32::MAX };
            return Some(i);
        }
        if self.until != u32::MAX {
            self.until -= 1;
        }
        let at = doc as usize * 3;
        match self.lens.get(at..at + 3)? {
            &[a, b, c] => Some(d.impact(bits, [a, b, c])),
            _ => None,
        }
    }

    #[inline(always)]
    fn decode(&mut self) -> Option<Posting> {
        let doc = self.next_doc()?;
        let bits = self.col(BITS).byte()?;
        let impact = self.impact(doc, bits)?;
        let mut p =
            Posting { doc, fields: bits, impact, ..Posting::default() };
        if bits & field::CONTEXTS != 0 {
            p.ctx_words = self.col(CTX).byte()?;
        }
        if bits & field::TITLE != 0 {
            let n = usize::from((bits >> field::POS_SHIFT) & 3) + 1;
            let mut pos = 0u32;
            let c = self.col(POSITIONS);
            for k in 0..n {
                pos = pos.saturating_add(c.fast_u32()?);
                p.positions[k] = pos;
            }
            p.n_positions = n as u8;
        }
        Some(p)
    }
}

impl PostingIter<'_> {
    /// Calls `f` with the document, the impact and the first title
    /// position (if any) of each remaining posting: the hot loop of a
    /// query, which needs no more of a posting than that.
    pub fn for_each_brief(
        mut self,
        mut f: impl FnMut(u32, u8, Option<u32>),
    ) -> Result<()> {
        while self.left > 0 || self.next_part() {
            let Some((doc, impact, pos)) = self.decode_brief() else {
                return Err(self
                    .cur
                    .err("bad posting or document out of order"));
            };
            self.left -= 1;
            f(doc, impact, pos);
        }
        Ok(())
    }

    /// [`PostingIter::decode`], stepping over all but the first title
    /// position.
    #[inline(always)]
    fn decode_brief(&mut self) -> Option<(u32, u8, Option<u32>)> {
        let doc = self.next_doc()?;
        let bits = self.col(BITS).byte()?;
        let impact = self.impact(doc, bits)?;
        if bits & field::CONTEXTS != 0 && self.cols.is_none() {
            self.cur.byte()?;
        }
        let mut first = None;
        if bits & field::TITLE != 0 {
            let c = self.col(POSITIONS);
            first = Some(c.fast_u32()?);
            for _ in 0..(bits >> field::POS_SHIFT) & 3 {
                c.fast_u32()?;
            }
        }
        Some((doc, impact, first))
    }
}

impl Iterator for PostingIter<'_> {
    type Item = Result<Posting>;

    fn next(&mut self) -> Option<Result<Posting>> {
        if self.left == 0 && !self.next_part() {
            return None;
        }
        let r = self.read();
        if r.is_err() {
            self.rest = None;
        }
        self.left = if r.is_err() { 0 } else { self.left - 1 };
        Some(r)
    }
}

/// Checks a segment's term infos (`TINF` or `XINF`) of `terms` terms:
/// offsets in order and within `post_len`, document counts no larger
/// than `docs` (at least 1 in the sealed segment, whose terms all have
/// postings; the tail also lists sealed terms only for their stem
/// class), stem-class links below `next_end`.
fn validate_term_info(
    info: &[u8],
    post_len: usize,
    terms: u32,
    docs: u32,
    next_end: u32,
    tail: bool,
) -> Result<()> {
    if info.len() != terms as usize * 12 {
        return Err(Error::corrupt("TINF", "length is not 12 × terms"));
    }
    let mut last = 0;
    for t in 0..terms as usize {
        let (off, df, next) = (
            u32_at(info, t * 3),
            u32_at(info, t * 3 + 1),
            u32_at(info, t * 3 + 2),
        );
        let off = off as usize;
        if off < last || off > post_len {
            return Err(Error::corrupt(
                "TINF",
                format!("term {t}: postings offset {off} out of order"),
            ));
        }
        if (df == 0 && !tail) || df > docs {
            return Err(Error::corrupt("TINF", format!("term {t}: df {df}")));
        }
        if next != NO_CLASS && next >= next_end {
            return Err(Error::corrupt("TINF", format!("term {t}: class")));
        }
        last = off;
    }
    Ok(())
}

/// The days an index may hold: 0000-01-01 to 9999-12-31, the dates the
/// builder takes (four-digit years).
const DAY_MIN: Day = -719_528;
/// See [`DAY_MIN`].
const DAY_MAX: Day = 2_932_896;

fn read_days(s: &[u8], docs: u32) -> Result<Vec<(Day, u32)>> {
    let mut c = Cursor::new(s, "DAYS");
    let n = c.u32()? as usize;
    if n > docs as usize {
        return Err(c.err("more days than documents"));
    }
    // The first entry takes 4 bytes, each other at least 2: a count the
    // bytes cannot hold is refused before anything is reserved for it.
    if n > 0 && (n - 1).saturating_mul(2).saturating_add(8) > s.len() {
        return Err(c.err("more days than bytes"));
    }
    let mut out: Vec<(Day, u32)> = Vec::with_capacity(n);
    for i in 0..n {
        let entry = match out.last() {
            None => (c.i32()?, 0),
            Some(&(d, f)) => {
                let gap = c.varint_u32()?;
                let step = c.varint_u32()?;
                let day = i64::from(d) + i64::from(gap);
                match (Day::try_from(day), f.checked_add(step)) {
                    (Ok(day), Some(first)) if gap > 0 && step > 0 => {
                        (day, first)
                    }
                    _ => return Err(c.err(format!("entry {i} out of order"))),
                }
            }
        };
        if entry.1 >= docs || entry.0 < DAY_MIN || entry.0 > DAY_MAX {
            return Err(c.err(format!("entry {i} out of order")));
        }
        out.push(entry);
    }
    if c.position() != s.len() {
        return Err(c.err("trailing bytes"));
    }
    if docs > 0 && out.is_empty() {
        return Err(c.err("no days for the documents"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_those_the_builder_takes() {
        use crate::event::days_from_civil;
        assert_eq!(DAY_MIN, days_from_civil(0, 1, 1));
        assert_eq!(DAY_MAX, days_from_civil(9999, 12, 31));
    }

    #[test]
    fn day_counts_the_bytes_cannot_hold_are_refused() {
        // 0xFFFFFFFF days, and as many documents: refused before a
        // capacity is taken from the count (it once was: 34 GB).
        let mut s = u32::MAX.to_le_bytes().to_vec();
        s.extend_from_slice(&[0; 8]);
        assert!(read_days(&s, u32::MAX).is_err());
        let mut s = 3u32.to_le_bytes().to_vec();
        s.extend_from_slice(&[0, 0, 0, 0, 1, 1]);
        assert!(read_days(&s, 10).is_err());
        s.extend_from_slice(&[1, 1]);
        assert_eq!(read_days(&s, 10).unwrap(), [(0, 0), (1, 1), (2, 2)]);
    }

    #[test]
    fn section_index_matches_the_tag_list() {
        for (i, &t) in tag::ALL.iter().enumerate() {
            assert_eq!(section_index(t), i, "{}", tag_name(t));
        }
    }
}
