//! Serialises a built index. Only the builder calls this.

use std::io;
use std::ops::Range;

use super::store::put_str;
use super::{
    field, put_varint, tag, Record, BLOCK_DOCS, FLAG_COLUMNS, FLAG_DERIVED,
    FLAG_NAMES_BY_ID, FLAG_SPLIT, FOOTER_LEN, FORMAT_VERSION, HEADER_LEN,
    LOCAL_BLOCK_DOCS, MAGIC, MAX_BLOCK_BYTES, MAX_CHUNK_BYTES, MAX_POSITIONS,
    NO_CLASS, SECTION_ENTRY_LEN,
};
use crate::error::{Error, Result};
use crate::event::Day;
use crate::hash::{Map, Set};
use crate::score::{self, Derive};

/// One posting as the writer takes it: frequencies and title positions
/// saturate at 65,535. A builder holds millions of postings, so it keeps
/// them in a [`PostingList`] and only one at a time as this.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostingInput {
    /// The document id.
    pub doc: u32,
    /// Term frequency per field, in [`field::ALL`] order.
    pub tf: [u16; field::COUNT],
    /// The first `min(tf[0], 4)` positions of the term in the title.
    pub positions: [u16; MAX_POSITIONS],
    /// When the term is in a context name: the fewest words of such a
    /// name (saturating at 255).
    pub ctx_words: u8,
}

/// One term and its postings, as the writer takes them.
#[derive(Debug, Clone, Default)]
pub struct TermInput {
    /// The normalised term. Terms must arrive sorted and unique.
    pub term: String,
    /// Its stem class, or [`super::NO_CLASS`].
    pub class: u32,
    /// Its postings, by increasing document id.
    pub postings: PostingList,
}

/// A term's postings, by increasing document, packed: per posting the
/// gap from the previous document (the first: the document itself) as a
/// varint, a byte with a bit per field the term occurs in (bit 7: a
/// context word count follows), the nonzero frequencies as varints, the
/// stored title positions as varints, and the context word count. About
/// 5 bytes a posting where a [`PostingInput`] takes 24: a million events
/// hold some 40 million postings until the index is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostingList {
    bytes: Vec<u8>,
    len: usize,
    last: u32,
}

impl PostingList {
    /// An empty list with room for `bytes` bytes of postings.
    pub fn with_capacity(bytes: usize) -> Self {
        PostingList { bytes: Vec::with_capacity(bytes), len: 0, last: 0 }
    }

    /// Appends `p`, whose document must come after the last one's.
    pub fn push(&mut self, p: &PostingInput) {
        assert!(self.len == 0 || p.doc > self.last, "postings out of order");
        put_varint(&mut self.bytes, u64::from(p.doc - self.last));
        self.last = p.doc;
        self.len += 1;
        let out = &mut self.bytes;
        let mut bits = 0u8;
        for (f, &tf) in p.tf.iter().enumerate() {
            if tf > 0 {
                bits |= 1 << f;
            }
        }
        if p.ctx_words > 0 {
            bits |= 0x80;
        }
        out.push(bits);
        for &tf in p.tf.iter().filter(|&&tf| tf > 0) {
            put_varint(out, u64::from(tf));
        }
        let n = (p.tf[0] as usize).min(MAX_POSITIONS);
        for &pos in &p.positions[..n] {
            put_varint(out, u64::from(pos));
        }
        if p.ctx_words > 0 {
            out.push(p.ctx_words);
        }
    }

    /// Appends `len` postings packed by [`PostingList::push`] into a list
    /// of their own (`bytes`), whose last document is `last`. They must
    /// come after this list's.
    pub fn append_packed(&mut self, bytes: &[u8], len: usize, last: u32) {
        if len == 0 {
            return;
        }
        let mut it = PackedIter { bytes, at: 0, left: len, doc: 0 };
        let first = it.varint() as u32;
        assert!(self.len == 0 || first > self.last, "postings out of order");
        put_varint(&mut self.bytes, u64::from(first - self.last));
        self.bytes.extend_from_slice(&bytes[it.at..]);
        self.len += len;
        self.last = last;
    }

    /// The packed bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The last posting's document (0 for none).
    pub fn last(&self) -> u32 {
        self.last
    }

    /// Empties the list, keeping its allocation.
    pub fn reset(&mut self) {
        self.bytes.clear();
        (self.len, self.last) = (0, 0);
    }

    /// The number of postings.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The postings, in order.
    pub fn iter(&self) -> PackedIter<'_> {
        PackedIter { bytes: &self.bytes, at: 0, left: self.len, doc: 0 }
    }

    /// The postings of the documents below `doc`, and the others.
    fn split_at_doc(&self, doc: u32) -> (Postings<'_>, Postings<'_>) {
        let mut it = self.iter();
        let (mut at, mut n, mut prev) = (0, 0, 0);
        while let Some(p) = it.next() {
            if p.doc >= doc {
                break;
            }
            (at, n, prev) = (it.at, n + 1, p.doc);
        }
        let (a, b) = self.bytes.split_at(at);
        (
            Postings { bytes: a, len: n, prev: 0 },
            Postings { bytes: b, len: self.len - n, prev },
        )
    }
}

/// Some consecutive postings of a [`PostingList`]: its bytes from one
/// posting on, and the document before the first.
#[derive(Clone, Copy)]
struct Postings<'a> {
    bytes: &'a [u8],
    len: usize,
    prev: u32,
}

impl<'a> Postings<'a> {
    fn len(&self) -> usize {
        self.len
    }

    fn iter(&self) -> PackedIter<'a> {
        PackedIter { bytes: self.bytes, at: 0, left: self.len, doc: self.prev }
    }
}

/// The postings of a [`PostingList`], decoded one at a time.
pub struct PackedIter<'a> {
    bytes: &'a [u8],
    at: usize,
    left: usize,
    doc: u32,
}

impl PackedIter<'_> {
    /// A varint this module wrote.
    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let byte = self.bytes[self.at];
            self.at += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return v;
            }
            shift += 7;
        }
    }
}

impl Iterator for PackedIter<'_> {
    type Item = PostingInput;

    fn next(&mut self) -> Option<PostingInput> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        self.doc += self.varint() as u32;
        let mut p = PostingInput { doc: self.doc, ..PostingInput::default() };
        let bits = self.bytes[self.at];
        self.at += 1;
        for f in 0..field::COUNT {
            if bits & (1 << f) != 0 {
                p.tf[f] = self.varint() as u16;
            }
        }
        let n = (p.tf[0] as usize).min(MAX_POSITIONS);
        for i in 0..n {
            p.positions[i] = self.varint() as u16;
        }
        if bits & 0x80 != 0 {
            p.ctx_words = self.bytes[self.at];
            self.at += 1;
        }
        Some(p)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// One document, as the writer takes it (in document-id order).
#[derive(Debug, Clone, Default)]
pub struct DocInput {
    /// The event's day.
    pub day: Day,
    /// Field lengths in terms: title, contexts, body.
    pub lengths: [u32; 3],
    /// Category id, if any.
    pub category: Option<u32>,
    /// Source-outlet ids, one per source.
    pub sources: Vec<u32>,
    /// Context ids.
    pub contexts: Vec<u32>,
    /// Where its doc-store record ([`super::Record`]) lies in
    /// [`IndexParts::records`].
    pub record: Range<usize>,
}

/// A facet dictionary: its names, by id. Ids are given in order of
/// first appearance (by document, then within the document), so a new
/// document never changes an older document's ids.
#[derive(Debug, Clone, Default)]
pub struct FacetInput {
    /// The names, by id.
    pub names: Vec<String>,
}

/// Everything an index holds, ready to be serialised.
#[derive(Debug, Clone, Default)]
pub struct IndexParts {
    /// Terms, sorted and unique; a term's ordinal is its position.
    pub terms: Vec<TermInput>,
    /// Stem classes: per class, the ordinals of its member terms.
    pub classes: Vec<Vec<u32>>,
    /// Documents in id order: oldest first.
    pub docs: Vec<DocInput>,
    /// The documents' doc-store records (see [`DocInput::record`]), in
    /// any order.
    pub records: Vec<u8>,
    /// The category dictionary.
    pub categories: FacetInput,
    /// The source-outlet dictionary.
    pub sources: FacetInput,
    /// The context dictionary.
    pub contexts: FacetInput,
}

/// Writes an index to any [`io::Write`].
pub struct IndexWriter<W: io::Write> {
    out: W,
}

impl<W: io::Write> IndexWriter<W> {
    /// A writer that will write to `out`.
    pub fn new(out: W) -> Self {
        IndexWriter { out }
    }

    /// Serialises `parts` and returns the number of bytes written.
    pub fn write(mut self, parts: &IndexParts) -> io::Result<u64> {
        let bytes = encode(parts).map_err(io::Error::other)?;
        self.out.write_all(&bytes)?;
        self.out.flush()?;
        Ok(bytes.len() as u64)
    }
}

fn to_u32(n: usize, what: &'static str) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::TooLarge { what })
}

/// Terms a lexicon shard holds at least (shards end where a term's first
/// byte changes, so all terms sharing a first byte share a shard).
const MIN_SHARD_TERMS: usize = 1;
/// Postings bytes per page of a split index, at least (a page ends at a
/// term boundary).
const POST_PAGE_BYTES: usize = 8 * 1024;
/// Size of the doc store's preset dictionary (DEFLATE's window).
pub const DICT_BYTES: usize = 32 * 1024;

/// The sections of an index, in file order, with where the split writer
/// puts their pages.
struct Sections {
    list: Vec<([u8; 4], Vec<u8>)>,
    /// Per page of a section a split index cuts: the section, the page's
    /// bytes in it and its chunk (0: the core; pages of one number share
    /// a chunk, in order). Sections without pages stay whole in the core.
    pages: Vec<([u8; 4], Range<usize>, u32)>,
    /// A split core's `PKEY` (empty: none).
    post_keys: Vec<u8>,
}

impl Sections {
    fn get(&self, t: [u8; 4]) -> &[u8] {
        &self.list.iter().find(|s| s.0 == t).expect("every section").1
    }
}

/// The sections of `parts`: when `local`, a single file's (the doc
/// store laid out for a file read whole, see [`store`]; the impacts
/// derived when read, [`FLAG_DERIVED`]), else a split index's.
fn sections(parts: &IndexParts, local: bool) -> Result<Sections> {
    let (terms, dict) = crate::par::join(
        || term_sections(parts, local),
        || train_dictionary(parts),
    );
    other_sections(parts, terms?, dict, local)
}

/// One term of a segment of the term data: its text, the value its
/// lexicon maps it to (its global ordinal), its postings among the
/// segment's documents and the next member of its stem class (a global
/// ordinal, or [`NO_CLASS`]).
struct SegTerm<'a> {
    term: &'a str,
    value: u32,
    postings: Postings<'a>,
    next: u32,
}

/// A segment's sections (`TERM`, `TINF`, `POST` or `XTRM`, `XINF`,
/// `XPST`) and where a split index cuts them: the `TERM` header's
/// length, each shard's fst and term infos, the postings pages.
struct Segment {
    term: Vec<u8>,
    header: usize,
    shards: Vec<Range<usize>>,
    info: Vec<u8>,
    info_pages: Vec<Range<usize>>,
    post: Vec<u8>,
    post_pages: Vec<Range<usize>>,
    /// The key of each of `post_pages` (see [`postings`]).
    post_keys: Vec<Vec<u8>>,
}

fn segment(
    terms: &[SegTerm<'_>],
    lengths: &[[u32; 3]],
    avg: [f32; 3],
    derive: Option<&Derive>,
) -> Result<Segment> {
    let (term, header, shards, starts) = term_shards(terms)?;
    let (info, post, post_pages, post_keys) =
        postings(terms, lengths, avg, derive)?;
    let info_pages = starts.windows(2).map(|w| w[0] * 12..w[1] * 12).collect();
    Ok(Segment {
        term,
        header,
        shards,
        info,
        info_pages,
        post,
        post_pages,
        post_keys,
    })
}

/// The term data (see FORMAT.md, "Terms: sealed and tail"), apart so
/// that a caller owning the parts can free the postings before the rest
/// is built.
struct TermSections {
    n_docs: u32,
    sealed_docs: u32,
    sealed_terms: u32,
    distinct: u32,
    avg: [f32; 3],
    /// The impacts are derived when read ([`FLAG_DERIVED`]).
    derived: bool,
    sealed: Segment,
    tail: Segment,
}

/// The term sections of `parts`, their impacts derived when read
/// ([`FLAG_DERIVED`]) when `derived`.
fn term_sections(parts: &IndexParts, derived: bool) -> Result<TermSections> {
    let n_docs = to_u32(parts.docs.len(), "documents")?;
    let b = super::sealed_docs(n_docs);
    // The impacts of the sealed postings may depend on the sealed
    // documents only: the averages are theirs (all documents' while
    // nothing is sealed).
    let sealed_part = if b > 0 { b as usize } else { parts.docs.len() };
    let avg = averages(&parts.docs[..sealed_part]);
    let lengths: Vec<[u32; 3]> =
        parts.docs.iter().map(|d| d.lengths).collect();
    let terms = &parts.terms;
    let n = terms.len();
    // Each term's postings in the sealed documents and in the tail.
    let halves: Vec<(Postings<'_>, Postings<'_>)> =
        terms.iter().map(|t| t.postings.split_at_doc(b)).collect();
    let cut: Vec<usize> = halves.iter().map(|h| h.0.len()).collect();
    let mut global = vec![0u32; n];
    let mut sealed_terms = 0u32;
    for (g, &c) in global.iter_mut().zip(&cut) {
        if c > 0 {
            *g = sealed_terms;
            sealed_terms += 1;
        }
    }
    // Stem classes over the sealed terms alone (what the sealed
    // segment links), and the sealed members of classes a new term
    // joins (the tail links them anew).
    let mut sealed_next = vec![NO_CLASS; n];
    let mut relinked = vec![false; n];
    for class in &parts.classes {
        let sealed: Vec<usize> = class
            .iter()
            .map(|&m| m as usize)
            .filter(|&m| cut.get(m).is_some_and(|&c| c > 0))
            .collect();
        if sealed.len() > 1 {
            for (i, &m) in sealed.iter().enumerate() {
                sealed_next[m] = global[sealed[(i + 1) % sealed.len()]];
            }
        }
        if sealed.len() < class.len() {
            for &m in &sealed {
                relinked[m] = true;
            }
        }
    }
    // The tail's terms: those with postings in the tail, and the sealed
    // members of classes with a new term. A new term's global ordinal
    // is the sealed terms' count plus its place among them.
    let tail: Vec<usize> = (0..n)
        .filter(|&i| cut[i] < terms[i].postings.len() || relinked[i])
        .collect();
    let mut distinct = sealed_terms;
    for (place, &i) in tail.iter().enumerate() {
        if cut[i] == 0 {
            global[i] = to_u32(sealed_terms as usize + place, "terms")?;
            distinct += 1;
        }
    }
    let mut next = vec![NO_CLASS; n];
    for class in &parts.classes {
        for (i, &m) in class.iter().enumerate() {
            if let Some(slot) = next.get_mut(m as usize) {
                *slot = global[class[(i + 1) % class.len()] as usize];
            }
        }
    }
    let sealed_list: Vec<SegTerm<'_>> = (0..n)
        .filter(|&i| cut[i] > 0)
        .map(|i| SegTerm {
            term: &terms[i].term,
            value: global[i],
            postings: halves[i].0,
            next: sealed_next[i],
        })
        .collect();
    let tail_list: Vec<SegTerm<'_>> = tail
        .iter()
        .map(|&i| SegTerm {
            term: &terms[i].term,
            value: global[i],
            postings: halves[i].1,
            next: next[i],
        })
        .collect();
    let derive = derived.then(|| Derive::new(avg));
    let (sealed, tail) = crate::par::join(
        || segment(&sealed_list, &lengths, avg, derive.as_ref()),
        || segment(&tail_list, &lengths, avg, derive.as_ref()),
    );
    Ok(TermSections {
        n_docs,
        sealed_docs: b,
        sealed_terms,
        distinct,
        avg,
        derived,
        sealed: sealed?,
        tail: tail?,
    })
}

/// Documents whose lengths (`LENS`) a split index keeps in a chunk.
const LENGTH_PAGE_DOCS: usize = 16384;

fn other_sections(
    parts: &IndexParts,
    ts: TermSections,
    dict: Vec<u8>,
    local: bool,
) -> Result<Sections> {
    let mut pages: Vec<([u8; 4], Range<usize>, u32)> = Vec::new();
    let mut chunk = 0u32;
    let mut fresh = || {
        chunk += 1;
        chunk
    };
    let meta = meta(parts, &ts)?;
    let derived = ts.derived;
    let mut list = vec![(tag::META, meta)];
    // The key of each sealed postings page, for `PKEY`.
    let mut keys: Vec<Vec<u8>> = Vec::new();
    for (seg, tags) in [
        (ts.sealed, [tag::TERMS, tag::TERM_INFO, tag::POSTINGS]),
        (ts.tail, [tag::TAIL_TERMS, tag::TAIL_INFO, tag::TAIL_POSTINGS]),
    ] {
        // The TERM header in the core; each shard with its term infos
        // in a chunk; the sealed segment's postings pages a chunk each,
        // the tail's (small) in the chunk of their terms' shard, so a
        // word's tail comes with its lexicon.
        let tail = tags[0] == tag::TAIL_TERMS;
        pages.push((tags[0], 0..seg.header, 0));
        for (s, i) in seg.shards.iter().zip(&seg.info_pages) {
            let c = fresh();
            pages.push((tags[0], s.clone(), c));
            pages.push((tags[1], i.clone(), c));
            let at = |r: usize| {
                seg.info.get(r..r + 4).map_or(seg.post.len(), |b| {
                    u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
                })
            };
            let post = at(i.start)..at(i.end);
            if tail && !post.is_empty() {
                pages.push((tags[2], post, c));
            }
        }
        let cut = seg.post_pages.iter().zip(&seg.post_keys);
        for (p, key) in cut.filter(|p| !tail && !p.0.is_empty()) {
            pages.push((tags[2], p.clone(), fresh()));
            keys.push(key.clone());
        }
        list.push((tags[0], seg.term));
        list.push((tags[1], seg.info));
        list.push((tags[2], seg.post));
    }
    let post_keys = post_keys(&keys)?;
    list.push((tag::DAYS, days(parts)?));
    // The facet dictionaries' block tables in the core, each block in a
    // chunk.
    for (t, f) in [
        (tag::CATEGORIES, &parts.categories),
        (tag::SOURCES, &parts.sources),
        (tag::CONTEXTS, &parts.contexts),
    ] {
        let (bytes, blocks) = facet(f)?;
        pages.extend(cut_blocks(t, &blocks, 1, &mut fresh, 0));
        list.push((t, bytes));
    }
    // The forward lists' block table (it changes with every document
    // added) in a chunk of its own, the blocks in chunks of
    // FORWARD_CHUNK_BLOCKS.
    let (fwrd, blocks) = forward(parts)?;
    let table = fresh();
    pages.extend(cut_blocks(
        tag::FORWARD,
        &blocks,
        super::FORWARD_CHUNK_BLOCKS,
        &mut fresh,
        table,
    ));
    list.push((tag::FORWARD, fwrd));
    // The documents' lengths: a single file derives its impacts from
    // them; a split index, which stores every impact, keeps them in
    // chunks of their own that its reader never asks for, so that the
    // offline file cut from it can derive them too (`resplit`). New
    // documents change only the last.
    let lens = lengths(parts);
    if !derived {
        for at in (0..lens.len()).step_by(3 * LENGTH_PAGE_DOCS) {
            let end = (at + 3 * LENGTH_PAGE_DOCS).min(lens.len());
            pages.push((tag::LENGTHS, at..end, fresh()));
        }
    }
    list.push((tag::LENGTHS, lens));
    list.push((tag::DICTIONARY, dict));
    if local {
        single_order(&mut list);
    }
    let (stor, blocks, docs) = store(parts, &list, local)?;
    set_store_docs(&mut list, docs);
    pages.extend(cut_blocks(tag::STORE, &blocks, 1, &mut fresh, 0));
    list.push((tag::STORE, stor));
    Ok(Sections { list, pages, post_keys })
}

/// `PKEY`: the count of keys (u32), then each key as the bytes it
/// shares with the one before (a varint), the length of the rest (a
/// varint) and the rest; nothing without sealed postings.
fn post_keys(keys: &[Vec<u8>]) -> Result<Vec<u8>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(4 + keys.len() * 8);
    out.extend_from_slice(&to_u32(keys.len(), "pages")?.to_le_bytes());
    let mut prev: &[u8] = &[];
    for k in keys {
        let shared = prev.iter().zip(k).take_while(|(a, b)| a == b).count();
        put_varint(&mut out, shared as u64);
        put_varint(&mut out, (k.len() - shared) as u64);
        out.extend_from_slice(&k[shared..]);
        prev = k;
    }
    Ok(out)
}

/// The pages of a section of blocks (`blocks`: the header's range, then
/// each block's): the header in chunk `header` (0: the core), the blocks
/// `per_chunk` to a chunk. Chunks hold whole groups of blocks counted
/// from the first, so a block added at the end changes only the last.
fn cut_blocks(
    t: [u8; 4],
    blocks: &[Range<usize>],
    per_chunk: usize,
    fresh: &mut impl FnMut() -> u32,
    header: u32,
) -> Vec<([u8; 4], Range<usize>, u32)> {
    let mut out = Vec::new();
    let Some((head, rest)) = blocks.split_first() else { return out };
    out.push((t, head.clone(), header));
    for group in rest.chunks(per_chunk) {
        let (a, b) = (group[0].start, group[group.len() - 1].end);
        out.push((t, a..b, fresh()));
    }
    out
}

/// Serialises `parts` into the bytes of a single-file index.
pub fn encode(parts: &IndexParts) -> Result<Vec<u8>> {
    assemble(SINGLE_FLAGS, sections(parts, true)?.list)
}

/// Puts a single file's sections in its order: the facet dictionaries
/// after the sections every query reads whole, just before the doc store
/// (which comes last), so that a reader holding the file in part keeps
/// them outside memory with it ([`super::held_len`]).
fn single_order(list: &mut [([u8; 4], Vec<u8>)]) {
    list.sort_by_key(|s| super::KEPT_OUTSIDE.iter().position(|&t| t == s.0));
}

/// A single file's header flags.
const SINGLE_FLAGS: u32 = FLAG_NAMES_BY_ID | FLAG_COLUMNS | FLAG_DERIVED;

/// Where `META` holds the doc store's documents a block.
const META_STORE_DOCS: usize = 12;

/// Sets `META`'s documents per doc-store block in `list` to `docs`.
fn set_store_docs(list: &mut [([u8; 4], Vec<u8>)], docs: u32) {
    if let Some(m) = list.iter_mut().find(|s| s.0 == tag::META) {
        m.1[META_STORE_DOCS..META_STORE_DOCS + 4]
            .copy_from_slice(&docs.to_le_bytes());
    }
}

/// Serialises `parts` as a single file (when `single`) and as a split
/// index (when `split`), encoding the sections once. Takes the parts to
/// free the postings once encoded, before the doc store is compressed.
pub fn encode_both(
    mut parts: IndexParts,
    single: bool,
    split: bool,
) -> Result<(Option<Vec<u8>>, Option<SplitIndex>)> {
    // The doc store's dictionary is trained while the terms are encoded:
    // with every impact for a split index, with those derived when read
    // for a single file, both when both are asked for.
    let ((terms, derived), dict) = crate::par::join(
        || {
            let both = single && split;
            crate::par::join(
                || term_sections(&parts, !split),
                || both.then(|| term_sections(&parts, true)).transpose(),
            )
        },
        || train_dictionary(&parts),
    );
    let (terms, derived) = (terms?, derived?);
    for t in &mut parts.terms {
        t.postings = PostingList::default();
    }
    // The split index keeps small blocks with the names in their
    // records; the single file has its doc store made again for a file
    // read whole, and its own term sections.
    let s = other_sections(&parts, terms, dict, !split)?;
    let many =
        if split { Some(split_sections(&s, FLAG_COLUMNS)?) } else { None };
    let one = if single {
        let mut list = s.list;
        if let Some(ts) = derived {
            list.pop();
            for (seg, tags) in [
                (ts.sealed, [tag::TERM_INFO, tag::POSTINGS]),
                (ts.tail, [tag::TAIL_INFO, tag::TAIL_POSTINGS]),
            ] {
                for (t, bytes) in tags.into_iter().zip([seg.info, seg.post]) {
                    if let Some(s) = list.iter_mut().find(|s| s.0 == t) {
                        s.1 = bytes;
                    }
                }
            }
            single_order(&mut list);
            let (stor, _, docs) = store(&parts, &list, true)?;
            set_store_docs(&mut list, docs);
            list.push((tag::STORE, stor));
        }
        drop(parts);
        Some(assemble(SINGLE_FLAGS, list)?)
    } else {
        None
    };
    Ok((one, many))
}

/// Header, section table, sections, CRC32. The last section's buffer
/// becomes the whole (its bytes moved up in place, the others copied in
/// before it), so a last section made with room for the rest (as the
/// doc store is) spares holding the index twice.
fn assemble(
    flags: u32,
    mut sections: Vec<([u8; 4], Vec<u8>)>,
) -> Result<Vec<u8>> {
    let table_len = 4 + sections.len() * SECTION_ENTRY_LEN;
    let mut head = Vec::with_capacity(HEADER_LEN + table_len);
    head.extend_from_slice(&MAGIC);
    head.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    head.extend_from_slice(&flags.to_le_bytes());
    head.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    let mut offset = HEADER_LEN + table_len;
    for (t, bytes) in &sections {
        head.extend_from_slice(t);
        head.extend_from_slice(&to_u32(offset, "index bytes")?.to_le_bytes());
        head.extend_from_slice(&to_u32(bytes.len(), "section")?.to_le_bytes());
        offset += bytes.len();
    }
    let total = offset + FOOTER_LEN;
    let mut out = sections.pop().map(|s| s.1).unwrap_or_default();
    let len = out.len();
    let before = total - FOOTER_LEN - len;
    out.reserve_exact(total - len);
    out.resize(before + len, 0);
    out.copy_within(0..len, before);
    let mut at = 0;
    for bytes in std::iter::once(head).chain(sections.into_iter().map(|s| s.1))
    {
        out[at..at + bytes.len()].copy_from_slice(&bytes);
        at += bytes.len();
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// A split index: a small core and the chunk files it names.
pub struct SplitIndex {
    /// The core: what every query needs, and where everything else is.
    pub core: Vec<u8>,
    /// The chunks, in the order the core numbers them (from 1), each
    /// with the file name the core derives for it.
    pub chunks: Vec<(String, Vec<u8>)>,
}

/// Serialises `parts` as a split index: a core holding the header, the
/// counts, dates, lexicon shard keys, doc-store block table and the
/// preset dictionary; and chunk files holding one lexicon shard (its fst
/// and term infos), one page of postings, one doc-store block, or one
/// facet section each.
pub fn split(parts: &IndexParts) -> Result<SplitIndex> {
    split_sections(&sections(parts, false)?, FLAG_COLUMNS)
}

/// The split index of sections `s`, its core's header flags [`FLAG_SPLIT`]
/// and `flags`.
fn split_sections(s: &Sections, flags: u32) -> Result<SplitIndex> {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut core_extra: Vec<u8> = Vec::new(); // PAGE-addressed core bytes
                                              // (section, start, len, chunk, offset in chunk); chunk 0 is the core.
    let mut pages: Vec<(u8, usize, usize, usize, usize)> = Vec::new();
    // The doc store's blocks are the last chunks, one each: they are not
    // paged (see `BLKS`), and their block table is not needed.
    let mut blocks: Vec<&[u8]> = Vec::new();
    let first_block =
        s.pages.iter().filter(|p| p.0 == tag::STORE && p.2 > 0).map(|p| p.2);
    let first_block = first_block.min().unwrap_or(u32::MAX) as usize;
    for (t, r, c) in &s.pages {
        let c = *c as usize;
        if *t == tag::STORE {
            if c != 0 && c != first_block + blocks.len() {
                return Err(Error::corrupt("STOR", "blocks out of order"));
            }
            if c != 0 {
                blocks.push(&s.get(*t)[r.clone()]);
            }
            continue;
        }
        if c >= first_block {
            return Err(Error::corrupt("PAGE", "a page after the doc store"));
        }
        if chunks.len() < c {
            chunks.resize(c, Vec::new());
        }
        let dst = if c == 0 { &mut core_extra } else { &mut chunks[c - 1] };
        pages.push((section_number(*t), r.start, r.len(), c, dst.len()));
        dst.extend_from_slice(&s.get(*t)[r.clone()]);
    }
    let mut list = Vec::new();
    for (t, bytes) in &s.list {
        if matches!(*t, tag::META | tag::DAYS | tag::DICTIONARY) {
            list.push((*t, bytes.clone()));
        } else if *t != tag::STORE && !s.pages.iter().any(|p| p.0 == *t) {
            // An empty section (a segment without terms): one empty page.
            pages.push((section_number(*t), 0, 0, 0, core_extra.len()));
        }
    }
    // PAGE: per section, its pages in order (contiguous, so a page's
    // start is the sum of the lengths before it): section number, length,
    // chunk (as a zigzag difference from the previous page's) and offset
    // in the chunk, as varints.
    pages.sort_by_key(|p| (p.0, p.1));
    let mut table = Vec::with_capacity(4 + pages.len() * 6);
    table.extend_from_slice(&to_u32(pages.len(), "pages")?.to_le_bytes());
    let mut prev_chunk = 0i64;
    for &(t, _, len, chunk, off) in &pages {
        table.push(t);
        put_varint(&mut table, len as u64);
        let d = chunk as i64 - prev_chunk;
        put_varint(&mut table, ((d << 1) ^ (d >> 63)) as u64);
        prev_chunk = chunk as i64;
        put_varint(&mut table, off as u64);
    }
    list.push((tag::PAGES, table));
    if !s.post_keys.is_empty() {
        list.push((tag::POST_KEYS, s.post_keys.clone()));
    }
    // CHNK: the CRC32 of each chunk (its length follows from its pages).
    let mut chnk = Vec::with_capacity(4 + chunks.len() * 4);
    chnk.extend_from_slice(&to_u32(chunks.len(), "chunks")?.to_le_bytes());
    let mut named: Vec<(String, Vec<u8>)> = Vec::with_capacity(chunks.len());
    // The reader refuses a longer chunk (it bounds what one may inflate
    // to).
    if chunks.iter().any(|c| c.len() > MAX_CHUNK_BYTES) {
        return Err(Error::TooLarge { what: "a chunk over 128 MiB" });
    }
    // A chunk's name is its length and CRC32: two different chunks with
    // both the same would share a file.
    let mut seen: Map<(usize, u32), usize> = Map::default();
    for (i, c) in chunks.into_iter().enumerate() {
        let crc = crc32fast::hash(&c);
        chnk.extend_from_slice(&crc.to_le_bytes());
        if let Some(&j) = seen.get(&(c.len(), crc)) {
            if named[j].1 != c {
                return Err(Error::corrupt(
                    "CHNK",
                    "two chunks share a length and a CRC32",
                ));
            }
        }
        seen.insert((c.len(), crc), i);
        named.push((super::chunk_name(c.len(), crc), c));
    }
    list.push((tag::CHUNKS, chnk));
    // BLKS: the number of doc-store blocks, and per group of them
    // (`store_group`: 1,024 events) the digest (CRC32 of the group's
    // blocks, in order) that names them; each block's chunk is its bytes
    // and their CRC32.
    let docs = super::u32_at(s.get(tag::META), META_STORE_DOCS / 4);
    let group = super::store_group(docs) as usize;
    let mut blks = Vec::with_capacity(4 + blocks.len().div_ceil(group) * 4);
    blks.extend_from_slice(&to_u32(blocks.len(), "blocks")?.to_le_bytes());
    for (g, members) in blocks.chunks(group).enumerate() {
        let mut h = crc32fast::Hasher::new();
        members.iter().for_each(|b| h.update(b));
        let digest = h.finalize();
        blks.extend_from_slice(&digest.to_le_bytes());
        for (j, b) in members.iter().enumerate() {
            let mut c = Vec::with_capacity(b.len() + 4);
            c.extend_from_slice(b);
            c.extend_from_slice(&crc32fast::hash(b).to_le_bytes());
            let k = to_u32(g * group + j, "blocks")?;
            named.push((super::store_chunk_name(k, digest), c));
        }
    }
    list.push((tag::STORE_CHUNKS, blks));
    list.push((CORE_PAGES, core_extra));
    let core = assemble(FLAG_SPLIT | flags, list)?;
    Ok(SplitIndex { core, chunks: named })
}

/// A split index (`core` and its `chunks`, in order) cut again, the same
/// way, with its doc store's records (inflated, and without their names
/// when `names_by_id`: [`FLAG_NAMES_BY_ID`]) in blocks of `docs` (halved,
/// down to [`BLOCK_DOCS`], while one would be over [`MAX_BLOCK_BYTES`];
/// at least [`SPLIT_BLOCK_DOCS`](super::SPLIT_BLOCK_DOCS)),
/// each block's chunk `block(dictionary, records)`: the other chunks come
/// out as they were. The offline file, which has every chunk at hand,
/// takes its blocks this way: large and without names
/// ([`deflated_block`]), or uncompressed ([`stored_block`]) to compress
/// them together instead.
///
/// With `derive`, the postings keep only the impacts a reader cannot
/// derive ([`FLAG_DERIVED`], from the split index's `LENS`, which then
/// goes whole into one chunk; an index without it keeps them all): the
/// offline file, read whole, has no need to store them all.
pub fn resplit(
    core: &[u8],
    chunks: Vec<Vec<u8>>,
    names_by_id: bool,
    docs: u32,
    derive: bool,
    mut block: impl FnMut(&[u8], &[u8]) -> Result<Vec<u8>>,
) -> Result<SplitIndex> {
    let ix = super::Index::new(core)?;
    if !ix.is_split() {
        return Err(Error::corrupt("PAGE", "not a split index"));
    }
    let names_by_id = names_by_id || ix.names_by_id();
    for (n, c) in (1u32..).zip(chunks) {
        ix.add_chunk(n, c)?;
    }
    let mut list = Vec::new();
    let mut pages = Vec::new();
    let mut store = None;
    for (t, bytes, cut) in ix.cut_sections()? {
        if t == tag::LENGTHS && bytes.is_empty() {
            continue;
        }
        if t == tag::STORE {
            store = Some((bytes, cut));
            continue;
        }
        pages.extend(cut.into_iter().map(|(r, c)| (t, r, c)));
        list.push((t, bytes));
    }
    let (stor, cut) = store.unwrap_or_default();
    let dict = list
        .iter()
        .find(|c| c.0 == tag::DICTIONARY)
        .map(|c| c.1.clone())
        .unwrap_or_default();
    let store_header = match cut.first() {
        Some((r, 0)) if r.start == 0 => r.end,
        _ => return Err(Error::corrupt("STOR", "no header in the core")),
    };
    // Every record, in order: its bytes in `records`, ending at `ends`.
    let mut records = Vec::with_capacity(stor.len() * 3);
    let mut ends = Vec::with_capacity(ix.doc_count() as usize);
    for (r, _) in &cut[1..] {
        let (raw, _) =
            super::read::inflate(&stor[r.clone()], &dict, usize::MAX)
                .map_err(|e| Error::corrupt("STOR", e))?;
        let mut c = super::Cursor::new(&raw, "STOR");
        while c.left() > 0 {
            Record::read(&mut c)?.write_stored(names_by_id, &mut records);
            ends.push(records.len());
        }
    }
    if ends.len() != ix.doc_count() as usize {
        return Err(Error::corrupt(
            "STOR",
            "records do not match the documents",
        ));
    }
    let lens =
        ends.iter().scan(0, |at, &e| Some(e - std::mem::replace(at, e)));
    let docs = fitting_docs(&lens.collect::<Vec<_>>(), docs) as usize;
    let span = ends.chunks(docs).scan(0, |at, g| {
        let r = *at..g[g.len() - 1];
        *at = r.end;
        Some(r)
    });
    let first = cut.get(1).map_or(0, |c| c.1);
    let mut data = Vec::with_capacity(stor.len());
    let mut offsets = Vec::with_capacity(ends.len() / docs + 2);
    let mut new_pages = vec![(tag::STORE, 0..store_header, 0)];
    for (k, r) in span.enumerate() {
        offsets.push(to_u32(data.len(), "doc store")?);
        let b = block(&dict, &records[r])?;
        let at = store_header + data.len();
        new_pages.push((tag::STORE, at..at + b.len(), first + k as u32));
        data.extend_from_slice(&b);
    }
    offsets.push(to_u32(data.len(), "doc store")?);
    let mut new = Vec::with_capacity(4 + offsets.len() * 4 + data.len());
    new.extend_from_slice(&to_u32(offsets.len() - 1, "blocks")?.to_le_bytes());
    for o in offsets {
        new.extend_from_slice(&o.to_le_bytes());
    }
    // The header's pages: the block table, now of other length.
    new_pages[0].1 = 0..new.len();
    for p in &mut new_pages[1..] {
        let len = p.1.len();
        p.1.start = p.1.start - store_header + new.len();
        p.1.end = p.1.start + len;
    }
    new.extend_from_slice(&data);
    pages.extend(new_pages);
    set_store_docs(&mut list, docs as u32);
    let at =
        list.iter().position(|s| s.0 == tag::DICTIONARY).map_or(0, |i| i + 1);
    list.insert(at, (tag::STORE, new));
    // The postings are copied as they are, so in the input's layout,
    // but for their impacts when they are to be derived.
    let mut flags = if names_by_id { FLAG_NAMES_BY_ID } else { 0 };
    if ix.columns() {
        flags |= FLAG_COLUMNS;
    }
    // A split index from before it kept its documents' lengths (`LENS`)
    // is cut with its impacts stored, as it was.
    let lengths = list.iter().any(|s| s.0 == tag::LENGTHS);
    if ix.derived() {
        flags |= FLAG_DERIVED;
    } else if derive && lengths {
        if !ix.columns() {
            return Err(Error::corrupt(
                "POST",
                "impacts derived need columns",
            ));
        }
        derive_impacts(&mut list, &mut pages, ix.avg_len(), ix.doc_count())?;
        flags |= FLAG_DERIVED;
    }
    // The postings pages are cut at the same terms: their keys stay.
    let post_keys = ix.post_keys().to_vec();
    split_sections(&Sections { list, pages, post_keys }, flags)
}

/// Turns the sections of a split index that stores every impact into
/// those of one that derives them ([`FLAG_DERIVED`]): each segment's
/// postings with only the impacts that differ from the derived ones (as
/// the writer leaves them, [`encode_term`]), its term infos pointing at
/// them and its pages cut at the same terms; the lengths (`LENS`) in one
/// chunk, as a reader takes them whole; the chunks numbered again.
fn derive_impacts(
    list: &mut [([u8; 4], Vec<u8>)],
    pages: &mut Vec<([u8; 4], Range<usize>, u32)>,
    avg: [f32; 3],
    docs: u32,
) -> Result<()> {
    let get = |list: &[([u8; 4], Vec<u8>)], t: [u8; 4]| {
        list.iter()
            .position(|s| s.0 == t)
            .ok_or_else(|| Error::corrupt(super::tag_name(t), "missing"))
    };
    let lens = get(list, tag::LENGTHS)?;
    if list[lens].1.len() != 3 * docs as usize {
        return Err(Error::corrupt("LENS", "length is not 3 × documents"));
    }
    let d = Derive::new(avg);
    for (info_t, post_t) in
        [(tag::TERM_INFO, tag::POSTINGS), (tag::TAIL_INFO, tag::TAIL_POSTINGS)]
    {
        let (i, p) = (get(list, info_t)?, get(list, post_t)?);
        let (info, post, map) =
            derived_postings(&list[i].1, &list[p].1, &list[lens].1, &d)?;
        let at = |x: usize| {
            let k = map.binary_search_by_key(&x, |m| m.0).map_err(|_| {
                Error::corrupt(
                    super::tag_name(post_t),
                    "a page ends inside a term's postings",
                )
            })?;
            Ok::<usize, Error>(map[k].1)
        };
        for pg in pages.iter_mut().filter(|pg| pg.0 == post_t) {
            pg.1 = at(pg.1.start)?..at(pg.1.end)?;
        }
        (list[i].1, list[p].1) = (info, post);
    }
    // LENS whole in the chunk of its first page.
    let first = pages.iter().find(|pg| pg.0 == tag::LENGTHS).map(|pg| pg.2);
    pages.retain(|pg| pg.0 != tag::LENGTHS);
    let len = list[lens].1.len();
    pages.push((tag::LENGTHS, 0..len, first.unwrap_or(0)));
    // Chunk numbers without the ones left empty, in the same order.
    let mut used: Vec<u32> =
        pages.iter().map(|pg| pg.2).filter(|&c| c > 0).collect();
    used.sort_unstable();
    used.dedup();
    for pg in pages.iter_mut().filter(|pg| pg.2 > 0) {
        pg.2 = used.binary_search(&pg.2).map_or(0, |k| k as u32 + 1);
    }
    pages.sort_by_key(|pg| pg.2);
    Ok(())
}

/// One segment's term infos and postings (`TINF` and `POST`, or `XINF`
/// and `XPST`, every impact stored) with the impacts a reader derives
/// left out, and where each term's postings moved (old offset, new
/// offset; the end last).
#[allow(clippy::type_complexity)]
fn derived_postings(
    info: &[u8],
    post: &[u8],
    lens: &[u8],
    d: &Derive,
) -> Result<(Vec<u8>, Vec<u8>, Vec<(usize, usize)>)> {
    let n = info.len() / 12;
    let mut new_info = Vec::with_capacity(info.len());
    let mut out = Vec::with_capacity(post.len());
    let mut map = Vec::with_capacity(n + 1);
    let word = |k: usize| super::u32_at(info, k);
    for t in 0..n {
        let bad = || Error::corrupt("POST", format!("term {t}"));
        let (off, df) = (word(3 * t) as usize, word(3 * t + 1) as usize);
        let end =
            if t + 1 < n { word(3 * t + 3) as usize } else { post.len() };
        let bytes = post.get(off..end).ok_or_else(bad)?;
        map.push((off, out.len()));
        new_info
            .extend_from_slice(&to_u32(out.len(), "postings")?.to_le_bytes());
        new_info.extend_from_slice(&info[12 * t + 4..12 * t + 12]);
        if df == 0 {
            out.extend_from_slice(bytes);
            continue;
        }
        let mut c = super::Cursor::new(bytes, "POST");
        let docs_len = c.fast_u32().ok_or_else(bad)? as usize;
        let bits_at = c.pos.checked_add(docs_len).ok_or_else(bad)?;
        let impacts_at = bits_at.checked_add(df).ok_or_else(bad)?;
        let rest_at = impacts_at.checked_add(df).ok_or_else(bad)?;
        let rest = bytes.get(rest_at..).ok_or_else(bad)?;
        let mut deltas = super::Cursor::new(&bytes[c.pos..bits_at], "POST");
        let (mut doc, mut since) = (0u32, 0u64);
        let mut stored = Vec::new();
        for k in 0..df {
            let delta = deltas.fast_u32().ok_or_else(bad)?;
            doc = if k == 0 {
                delta
            } else {
                doc.checked_add(delta).ok_or_else(bad)?
            };
            let at = doc as usize * 3;
            let l = lens.get(at..at + 3).ok_or_else(bad)?;
            let (bits, impact) = (bytes[bits_at + k], bytes[impacts_at + k]);
            if d.impact(bits, [l[0], l[1], l[2]]) == impact {
                since += 1;
            } else {
                put_varint(&mut stored, since);
                stored.push(impact);
                since = 0;
            }
        }
        out.extend_from_slice(&bytes[..impacts_at]);
        put_varint(&mut out, stored.len() as u64);
        out.extend_from_slice(&stored);
        out.extend_from_slice(rest);
    }
    map.push((post.len(), out.len()));
    Ok((new_info, out, map))
}

/// A doc-store block of `records` as the writer makes it: raw DEFLATE
/// against the preset dictionary `dict`.
pub fn deflated_block(dict: &[u8], records: &[u8]) -> Result<Vec<u8>> {
    let mut z = flate2::Compress::new(flate2::Compression::new(6), false);
    deflate_block(&mut z, records, dict)
}

/// A doc-store block of `records` as raw DEFLATE "stored" blocks: the
/// records as they are, five bytes of header a 64 KB, which any inflater
/// reads (so the reader needs nothing new) and a stronger codec can
/// compress.
pub fn stored_block(_dict: &[u8], raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 65535 * 5 + 5);
    let mut pieces = raw.chunks(65535).peekable();
    if pieces.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(p) = pieces.next() {
        let last = pieces.peek().is_none();
        let len = p.len() as u16;
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(p);
    }
    Ok(out)
}

fn section_number(t: [u8; 4]) -> u8 {
    tag::ALL.iter().position(|&a| a == t).unwrap_or(0) as u8
}

/// The section of a split core holding the pages that live in the core
/// (chunk 0); PAGE offsets into chunk 0 are relative to its start.
const CORE_PAGES: [u8; 4] = super::tag::CORE;

fn averages(docs: &[DocInput]) -> [f32; 3] {
    let n = docs.len().max(1) as f64;
    let mut avg = [0f32; 3];
    for (f, a) in avg.iter_mut().enumerate() {
        let total: f64 = docs.iter().map(|d| f64::from(d.lengths[f])).sum();
        *a = if docs.is_empty() { 0.0 } else { (total / n) as f32 };
    }
    avg
}

fn meta(parts: &IndexParts, ts: &TermSections) -> Result<Vec<u8>> {
    let mut m = Vec::with_capacity(48);
    let counts = [
        ts.n_docs,
        ts.distinct,
        to_u32(parts.classes.len(), "stem classes")?,
        BLOCK_DOCS,
    ];
    for c in counts {
        m.extend_from_slice(&c.to_le_bytes());
    }
    for a in ts.avg {
        m.extend_from_slice(&a.to_le_bytes());
    }
    let counts = [
        ts.sealed_docs,
        ts.sealed_terms,
        to_u32(parts.categories.names.len(), "categories")?,
        to_u32(parts.sources.names.len(), "sources")?,
        to_u32(parts.contexts.names.len(), "contexts")?,
    ];
    for c in counts {
        m.extend_from_slice(&c.to_le_bytes());
    }
    Ok(m)
}

fn order_error(term: &str, e: impl std::fmt::Display) -> Error {
    Error::InvalidEvent {
        event: format!("term {term:?}"),
        detail: format!("terms must be sorted and unique: {e}"),
    }
}

/// TERM (or XTRM): shards of terms by first byte, each an fst map to
/// the term's value (its global ordinal). Returns the section, its header
/// length, each shard's fst range and the shards' first positions in
/// `terms` (with their count at the end).
#[allow(clippy::type_complexity)]
fn term_shards(
    terms: &[SegTerm<'_>],
) -> Result<(Vec<u8>, usize, Vec<Range<usize>>, Vec<usize>)> {
    let mut starts = vec![0usize];
    for i in 1..terms.len() {
        let first = |t: &SegTerm<'_>| t.term.as_bytes().first().copied();
        if first(&terms[i]) != first(&terms[i - 1])
            && i - starts.last().copied().unwrap_or(0) >= MIN_SHARD_TERMS
        {
            starts.push(i);
        }
    }
    if terms.is_empty() {
        starts.clear();
    }
    let count = starts.len();
    let mut fsts = Vec::new();
    let mut ranges = Vec::with_capacity(count);
    let mut ords = starts.clone();
    ords.push(terms.len());
    // The shards' fsts are independent: built on all cores.
    let built = crate::par::map(ords.windows(2), |w| {
        let mut b = fst::MapBuilder::memory();
        for t in &terms[w[0]..w[1]] {
            b.insert(t.term, u64::from(t.value))
                .map_err(|e| order_error(t.term, e))?;
        }
        b.into_inner().map_err(|e| order_error("", e))
    });
    for bytes in built {
        let bytes = bytes?;
        ranges.push(fsts.len()..fsts.len() + bytes.len());
        fsts.extend_from_slice(&bytes);
    }
    let header = 4 + 8 * (count + 1) + count;
    let mut s = Vec::with_capacity(header + fsts.len());
    s.extend_from_slice(&to_u32(count, "shards")?.to_le_bytes());
    for &o in &ords {
        s.extend_from_slice(&to_u32(o, "terms")?.to_le_bytes());
    }
    for r in &ranges {
        s.extend_from_slice(&to_u32(r.start, "terms")?.to_le_bytes());
    }
    s.extend_from_slice(&to_u32(fsts.len(), "terms")?.to_le_bytes());
    for &o in &starts {
        s.push(terms[o].term.as_bytes().first().copied().unwrap_or(0));
    }
    s.extend_from_slice(&fsts);
    let ranges =
        ranges.into_iter().map(|r| r.start + header..r.end + header).collect();
    Ok((s, header, ranges, ords))
}

/// TINF (offset, df, next member of the stem class, per term), POST and
/// the POST page cuts with the key of each (the shortest start of its
/// first term past the page before), for one segment.
#[allow(clippy::type_complexity)]
fn postings(
    terms: &[SegTerm<'_>],
    lengths: &[[u32; 3]],
    avg: [f32; 3],
    derive: Option<&Derive>,
) -> Result<(Vec<u8>, Vec<u8>, Vec<Range<usize>>, Vec<Vec<u8>>)> {
    // Runs of terms with about the same number of postings are encoded
    // on all cores, each into its own bytes, then joined in term order.
    let total: usize = terms.iter().map(|t| t.postings.len()).sum();
    let per_run = total.div_ceil(64).max(1);
    let mut runs = Vec::new();
    let (mut first, mut size) = (0, 0);
    for (ord, t) in terms.iter().enumerate() {
        size += t.postings.len();
        if size >= per_run {
            runs.push(&terms[first..=ord]);
            (first, size) = (ord + 1, 0);
        }
    }
    if first < terms.len() {
        runs.push(&terms[first..]);
    }
    let encoded = crate::par::map(runs, |terms| {
        let mut bytes = Vec::new();
        let mut starts = Vec::with_capacity(terms.len());
        let mut cols = Default::default();
        for t in terms {
            starts.push(bytes.len());
            encode_term(
                &mut bytes,
                &mut cols,
                t.postings.iter(),
                lengths,
                avg,
                derive,
            );
        }
        (bytes, starts)
    });
    let mut info = Vec::with_capacity(terms.len() * 12);
    let mut post = Vec::with_capacity(encoded.iter().map(|e| e.0.len()).sum());
    let mut pages = Vec::new();
    let mut keys = Vec::new();
    let mut page_start = 0;
    let mut ord = 0;
    for (bytes, starts) in encoded {
        let base = post.len();
        for start in starts {
            let t = &terms[ord];
            let at = base + start;
            // A page ends once full, but not inside a family of terms
            // that share their first letters ("japan", "japanese",
            // "japan's"), which one query word tends to read together;
            // very full, it ends anyway.
            let size = at - page_start;
            let family =
                ord > 0 && common_prefix(terms[ord - 1].term, t.term) >= 5;
            if size >= 8 * POST_PAGE_BYTES
                || (size >= POST_PAGE_BYTES && !family)
            {
                pages.push(page_start..at);
                // The shortest start of the page's first term that is past
                // the previous page's last (terms are in byte order).
                let past = common_prefix(terms[ord - 1].term, t.term) + 1;
                let first = t.term.as_bytes();
                keys.push(first.get(..past).unwrap_or(first).to_vec());
                page_start = at;
            }
            info.extend_from_slice(&to_u32(at, "postings")?.to_le_bytes());
            info.extend_from_slice(
                &to_u32(t.postings.len(), "postings")?.to_le_bytes(),
            );
            info.extend_from_slice(&t.next.to_le_bytes());
            ord += 1;
        }
        post.extend_from_slice(&bytes);
    }
    if post.len() > page_start || pages.is_empty() {
        pages.push(page_start..post.len());
    }
    // Each page's key: none for the first, then those that began the
    // others.
    keys.insert(0, Vec::new());
    keys.truncate(pages.len());
    Ok((info, post, pages, keys))
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

/// One term's postings, a column at a time ([`FLAG_COLUMNS`]): the
/// length of the document deltas, the deltas, the field bytes, the
/// impacts, the context word counts, the title positions (nothing for
/// no postings). With `derive` ([`FLAG_DERIVED`]), the impacts are only
/// those that differ from the derived ones, after the column's length:
/// each as the count of postings since the last (a varint), then the
/// impact. `cols` is room for the columns, kept from term to term.
fn encode_term(
    out: &mut Vec<u8>,
    cols: &mut [Vec<u8>; 5],
    postings: impl Iterator<Item = PostingInput>,
    lengths: &[[u32; 3]],
    avg: [f32; 3],
    derive: Option<&Derive>,
) {
    let [docs, bits_col, impacts, ctx, positions] = cols;
    let mut prev = 0u32;
    let mut since = 0u64;
    for p in postings {
        put_varint(docs, u64::from(p.doc - prev));
        prev = p.doc;
        let len = lengths.get(p.doc as usize).copied().unwrap_or([0; 3]);
        let mut bits = 0u8;
        for (i, &f) in field::ALL.iter().enumerate() {
            if p.tf[i] > 0 {
                bits |= f;
            }
        }
        let n = (p.tf[0] as usize).min(MAX_POSITIONS);
        if n > 0 {
            bits |= ((n - 1) as u8) << field::POS_SHIFT;
        }
        bits_col.push(bits);
        let impact = score::impact(score::weight(p.tf, len, avg));
        match derive {
            None => impacts.push(impact),
            Some(d) if d.impact(bits, short_lengths(len)) == impact => {
                since += 1
            }
            Some(_) => {
                put_varint(impacts, since);
                impacts.push(impact);
                since = 0;
            }
        }
        if p.tf[1] > 0 {
            ctx.push(p.ctx_words.max(1));
        }
        let mut prev = 0u16;
        for &pos in &p.positions[..n] {
            put_varint(positions, u64::from(pos - prev));
            prev = pos;
        }
    }
    if cols[0].is_empty() {
        // A tail term listed only for its stem class has no postings.
        return;
    }
    put_varint(out, cols[0].len() as u64);
    for (k, c) in cols.iter_mut().enumerate() {
        if k == 2 && derive.is_some() {
            put_varint(out, c.len() as u64);
        }
        out.append(c);
    }
}

/// A document's field lengths as `LENS` holds them: a byte each, longer
/// ones as [`score::MAX_DERIVED_LEN`].
fn short_lengths(len: [u32; 3]) -> [u8; 3] {
    len.map(|l| l.min(score::MAX_DERIVED_LEN) as u8)
}

/// `LENS`: each document's field lengths, three bytes.
fn lengths(parts: &IndexParts) -> Vec<u8> {
    parts.docs.iter().flat_map(|d| short_lengths(d.lengths)).collect()
}

/// DAYS: the count, then per distinct day (oldest first) the day (the
/// first as an i32, the others as the varint gap from the previous) and
/// the previous day's number of documents (a varint).
fn days(parts: &IndexParts) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut last: Option<(Day, usize)> = None;
    let mut count = 0u32;
    for (id, doc) in parts.docs.iter().enumerate() {
        match last {
            Some((l, _)) if l == doc.day => continue,
            Some((l, _)) if doc.day < l => {
                return Err(Error::InvalidEvent {
                    event: format!("document {id}"),
                    detail: "documents must be sorted oldest first".into(),
                });
            }
            Some((l, first)) => {
                put_varint(&mut body, (doc.day - l) as u64);
                put_varint(&mut body, (id - first) as u64);
            }
            None => body.extend_from_slice(&doc.day.to_le_bytes()),
        }
        last = Some((doc.day, id));
        count += 1;
    }
    let mut d = Vec::with_capacity(4 + body.len());
    d.extend_from_slice(&count.to_le_bytes());
    d.extend_from_slice(&body);
    Ok(d)
}

/// A section of blocks: their count, each block's start in the data
/// (from 0) and the data's length, as u32s, then the data. Returns it
/// with the header's range and each block's.
#[allow(clippy::type_complexity)]
fn blocked(
    starts: &[usize],
    data: &[u8],
) -> Result<(Vec<u8>, Vec<Range<usize>>)> {
    let header = 4 + (starts.len() + 1) * 4;
    let mut s = Vec::with_capacity(header + data.len());
    s.extend_from_slice(&to_u32(starts.len(), "blocks")?.to_le_bytes());
    let mut ranges = Vec::with_capacity(starts.len() + 1);
    ranges.push(0..header);
    for (i, &o) in starts.iter().enumerate() {
        s.extend_from_slice(&to_u32(o, "blocks")?.to_le_bytes());
        let end = starts.get(i + 1).copied().unwrap_or(data.len());
        ranges.push(header + o..header + end);
    }
    s.extend_from_slice(&to_u32(data.len(), "blocks")?.to_le_bytes());
    s.extend_from_slice(data);
    Ok((s, ranges))
}

/// CATS, SRCS, CTXS: the names by id, [`super::NAME_BLOCK`] to a block,
/// each a `string`.
#[allow(clippy::type_complexity)]
fn facet(f: &FacetInput) -> Result<(Vec<u8>, Vec<Range<usize>>)> {
    let mut data = Vec::new();
    let mut starts = Vec::new();
    for (i, n) in f.names.iter().enumerate() {
        if i % super::NAME_BLOCK as usize == 0 {
            starts.push(data.len());
        }
        put_str(&mut data, n);
    }
    blocked(&starts, &data)
}

/// FWRD: per block of [`BLOCK_DOCS`] documents an offset, then per
/// document: category + 1 (0 = none), source count, source ids, context
/// count, context ids, all varints.
#[allow(clippy::type_complexity)]
fn forward(parts: &IndexParts) -> Result<(Vec<u8>, Vec<Range<usize>>)> {
    let mut data = Vec::new();
    let mut starts = Vec::new();
    for (i, d) in parts.docs.iter().enumerate() {
        if i % BLOCK_DOCS as usize == 0 {
            starts.push(data.len());
        }
        put_varint(&mut data, d.category.map_or(0, |c| u64::from(c) + 1));
        put_varint(&mut data, d.sources.len() as u64);
        for &s in &d.sources {
            put_varint(&mut data, u64::from(s));
        }
        put_varint(&mut data, d.contexts.len() as u64);
        for &c in &d.contexts {
            put_varint(&mut data, u64::from(c));
        }
    }
    blocked(&starts, &data)
}

/// DICT: a preset dictionary for the doc-store blocks: the strings that
/// recur most across records (word runs of titles and names, URL
/// prefixes), scored by occurrences × length over a sample of blocks,
/// the best placed last (nearest the data, so cheapest to refer to).
fn train_dictionary(parts: &IndexParts) -> Vec<u8> {
    let block = BLOCK_DOCS as usize;
    let mut counts: Map<&[u8], u32> = Map::default();
    let mut sample: Vec<&[u8]> = Vec::new();
    // About 1 block in 32, spread over the documents the dictionary is
    // made from (which change rarely: see `dictionary_docs`).
    let docs = &parts.docs[..super::dictionary_docs(parts.docs.len())];
    for (i, chunk) in docs.chunks(block).enumerate() {
        if i % 32 != 0 {
            continue;
        }
        sample.extend(chunk.iter().map(|d| &parts.records[d.record.clone()]));
    }
    for r in sample {
        let mut seen: Vec<&[u8]> = Vec::new();
        // Word runs of one to four words, with the space after them.
        let words: Vec<usize> = std::iter::once(0)
            .chain(
                r.iter()
                    .enumerate()
                    .filter(|(_, &b)| b <= b' ')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        for (wi, &a) in words.iter().enumerate() {
            for n in 1..=4 {
                if let Some(&b) = words.get(wi + n) {
                    if b - a >= 4 && b - a <= 64 {
                        seen.push(&r[a..b]);
                    }
                }
            }
        }
        // URL prefixes up to each slash.
        let mut i = 0;
        while let Some(p) = find(&r[i..], b"http") {
            let start = i + p;
            let end = r[start..]
                .iter()
                .position(|&b| b < 0x20)
                .map_or(r.len(), |e| start + e);
            for (j, &b) in r[start..end].iter().enumerate() {
                if b == b'/' && j >= 8 {
                    seen.push(&r[start..start + j + 1]);
                }
            }
            i = end.max(start + 4);
        }
        seen.sort_unstable();
        seen.dedup();
        for s in seen {
            *counts.entry(s).or_default() += 1;
        }
    }
    let mut cands: Vec<(u64, &[u8])> = counts
        .into_iter()
        .filter(|&(_, c)| c >= 4)
        .map(|(s, c)| (u64::from(c - 1) * s.len() as u64, s))
        .collect();
    cands.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    // A run already inside a chosen longer run adds nothing; checking
    // its words against the chosen runs' words is a cheap approximation.
    let mut chosen: Vec<&[u8]> = Vec::new();
    let mut size = 0;
    let mut inside: Set<&[u8]> = Set::default();
    for (_, s) in cands {
        if size + s.len() > DICT_BYTES || inside.contains(s) {
            continue;
        }
        size += s.len();
        chosen.push(s);
        // Its shorter word runs are now redundant.
        let cuts: Vec<usize> = std::iter::once(0)
            .chain(
                s.iter()
                    .enumerate()
                    .filter(|(_, &b)| b == b' ')
                    .map(|(i, _)| i + 1),
            )
            .chain(std::iter::once(s.len()))
            .collect();
        for a in 0..cuts.len() {
            for b in a + 1..cuts.len() {
                inside.insert(&s[cuts[a]..cuts[b]]);
            }
        }
        if size + 4 > DICT_BYTES {
            break;
        }
    }
    // Best last.
    chosen.reverse();
    chosen.concat()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > 4 && hay.len() > 4 {
        // First the rarest-looking byte pair, then the whole needle.
        return hay.windows(needle.len()).position(|w| {
            w[0] == needle[0] && w[1] == needle[1] && w == needle
        });
    }
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Doc-store blocks per compression task.
const STORE_GROUP_BLOCKS: usize = 16;

/// Raw DEFLATE (level 6) of one block's records against the preset
/// dictionary.
fn deflate_block(
    z: &mut flate2::Compress,
    raw: &[u8],
    dict: &[u8],
) -> Result<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| Error::InvalidEvent {
        event: "doc store".into(),
        detail: e.to_string(),
    };
    z.reset();
    z.set_dictionary(dict).map_err(|e| fail(&e))?;
    let mut buf = Vec::with_capacity(raw.len() / 2 + 64);
    loop {
        let before = z.total_in();
        let done = z
            .compress_vec(
                &raw[(z.total_in() as usize).min(raw.len())..],
                &mut buf,
                flate2::FlushCompress::Finish,
            )
            .map_err(|e| fail(&e))?;
        if done == flate2::Status::StreamEnd {
            return Ok(buf);
        }
        if z.total_in() == before {
            buf.reserve(buf.capacity().max(1024));
        }
    }
}

/// STOR: per block of documents, raw DEFLATE of their records against
/// the preset dictionary, the last of the sections `before` it. For a
/// file read whole (`local`), blocks of [`LOCAL_BLOCK_DOCS`] (halved
/// while one would inflate beyond [`MAX_BLOCK_BYTES`]) of records
/// without their names ([`FLAG_NAMES_BY_ID`]); else of
/// [`SPLIT_BLOCK_DOCS`](super::SPLIT_BLOCK_DOCS) records as they are. Returns the section, made with room for the rest
/// of a single file around it (see `assemble`), its header's range and
/// each block's, and the documents a block.
#[allow(clippy::type_complexity)]
fn store(
    parts: &IndexParts,
    before: &[([u8; 4], Vec<u8>)],
    local: bool,
) -> Result<(Vec<u8>, Vec<Range<usize>>, u32)> {
    let docs = if local {
        let lens: Vec<usize> =
            parts.docs.iter().map(|d| d.record.len()).collect();
        fitting_docs(&lens, LOCAL_BLOCK_DOCS)
    } else {
        super::SPLIT_BLOCK_DOCS
    };
    let (s, ranges) = store_blocks(parts, before, local, docs)?;
    Ok((s, ranges, docs))
}

/// Each document's place among its day's events as read (1 for the
/// first; a day's documents are numbered in reverse): what
/// [`Record::date_id`] takes, as the reader's `Index::place` gives it.
fn places(docs: &[DocInput]) -> Vec<u32> {
    let mut out = vec![0; docs.len()];
    let mut end = docs.len();
    for i in (0..docs.len()).rev() {
        if docs.get(i + 1).is_some_and(|n| n.day != docs[i].day) {
            end = i + 1;
        }
        out[i] = (end - i) as u32;
    }
    out
}

/// The most events a doc-store block of records `lens` bytes long (in
/// order) may hold: `most` (at most [`LOCAL_BLOCK_DOCS`]), halved, down
/// to [`BLOCK_DOCS`] (or `most`, when fewer), while a block would be
/// over [`MAX_BLOCK_BYTES`] (records written without their names are no
/// longer than `lens`).
fn fitting_docs(lens: &[usize], most: u32) -> u32 {
    let least = BLOCK_DOCS.min(most).max(super::SPLIT_BLOCK_DOCS);
    let mut docs = most.clamp(least, LOCAL_BLOCK_DOCS);
    while docs > least
        && lens
            .chunks(docs as usize)
            .any(|b| b.iter().sum::<usize>() > MAX_BLOCK_BYTES)
    {
        docs /= 2;
    }
    docs
}

/// [`store`] with blocks of `docs` documents.
#[allow(clippy::type_complexity)]
fn store_blocks(
    parts: &IndexParts,
    before: &[([u8; 4], Vec<u8>)],
    names_by_id: bool,
    docs: u32,
) -> Result<(Vec<u8>, Vec<Range<usize>>)> {
    let docs = docs as usize;
    let dict = before.iter().find(|s| s.0 == tag::DICTIONARY);
    let dict = dict.map_or(&[][..], |s| s.1.as_slice());
    let room = HEADER_LEN
        + 4
        + (before.len() + 1) * SECTION_ENTRY_LEN
        + before.iter().map(|s| s.1.len()).sum::<usize>()
        + FOOTER_LEN;
    // Groups of blocks are compressed on all cores (the blocks are
    // independent), each group with one compressor, reset per block.
    let places = places(&parts.docs);
    let groups: Vec<(usize, &[DocInput])> = parts
        .docs
        .chunks(docs * STORE_GROUP_BLOCKS)
        .enumerate()
        .map(|(g, group)| (g * docs * STORE_GROUP_BLOCKS, group))
        .collect();
    let compressed = crate::par::map(groups, |(first, group)| {
        let mut z = flate2::Compress::new(flate2::Compression::new(6), false);
        let mut raw = Vec::new();
        let mut out = Vec::with_capacity(STORE_GROUP_BLOCKS);
        for (b, block) in group.chunks(docs).enumerate() {
            raw.clear();
            for (i, d) in block.iter().enumerate() {
                let mut c = super::Cursor::new(
                    &parts.records[d.record.clone()],
                    "STOR",
                );
                let mut r = Record::read(&mut c)?;
                r.date_id(d.day, places[first + b * docs + i]);
                r.write_stored(names_by_id, &mut raw);
            }
            // The reader refuses more (it bounds the cost of a hit).
            if raw.len() > MAX_BLOCK_BYTES {
                return Err(Error::TooLarge {
                    what: "the text of a doc-store block's consecutive \
                           events over 8 MiB",
                });
            }
            out.push(deflate_block(&mut z, &raw, dict)?);
        }
        Ok(out)
    });
    let compressed: Vec<Vec<u8>> = compressed
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let header = 4 + (compressed.len() + 1) * 4;
    let body: usize = compressed.iter().map(Vec::len).sum();
    let mut s = Vec::with_capacity(header + body + room);
    s.extend_from_slice(&to_u32(compressed.len(), "blocks")?.to_le_bytes());
    let mut off = 0usize;
    let mut ranges = Vec::with_capacity(compressed.len() + 1);
    ranges.push(0..header);
    for c in &compressed {
        s.extend_from_slice(&to_u32(off, "doc store")?.to_le_bytes());
        ranges.push(header + off..header + off + c.len());
        off += c.len();
    }
    s.extend_from_slice(&to_u32(off, "doc store")?.to_le_bytes());
    for c in compressed {
        s.extend_from_slice(&c);
    }
    Ok((s, ranges))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_posting_list_gives_back_what_was_pushed() {
        let p = |doc: u32, tf: [u16; 5], positions: [u16; 4], ctx: u8| {
            PostingInput { doc, tf, positions, ctx_words: ctx }
        };
        let all = [
            p(0, [1, 0, 0, 0, 0], [3, 0, 0, 0], 0),
            p(7, [0, 2, 0, 0, 0], [0; 4], 2),
            p(200, [5, 0, 1, 1, 300], [1, 4, 9, 70], 255),
            p(70_000, [0, 0, 0, 1, 0], [0; 4], 0),
            p(70_001, [65_535, 1, 0, 0, 0], [65_535; 4], 1),
        ];
        let mut one = PostingList::default();
        all.iter().for_each(|q| one.push(q));
        assert_eq!(one.len(), all.len());
        assert_eq!(one.iter().collect::<Vec<_>>(), all);
        // Split at any document: the two halves are the list.
        for at in [0, 1, 7, 8, 200, 70_001, 80_000] {
            let (a, b) = one.split_at_doc(at);
            let got: Vec<_> = a.iter().chain(b.iter()).collect();
            assert_eq!(got, all, "split at {at}");
            assert!(a.iter().all(|q| q.doc < at));
            assert!(b.iter().all(|q| q.doc >= at));
        }
        // Joined from pieces packed on their own.
        let mut joined = PostingList::default();
        for piece in [&all[..2], &all[2..3], &all[3..]] {
            let mut own = PostingList::default();
            piece.iter().for_each(|q| own.push(q));
            joined.append_packed(own.bytes(), own.len(), own.last());
        }
        assert_eq!(joined, one);
    }

    #[test]
    #[should_panic(expected = "postings out of order")]
    fn a_posting_list_refuses_a_document_out_of_order() {
        let mut list = PostingList::default();
        list.push(&PostingInput { doc: 5, ..PostingInput::default() });
        list.push(&PostingInput { doc: 5, ..PostingInput::default() });
    }

    #[test]
    fn doc_store_blocks_beyond_the_bound_are_refused() {
        let doc = |parts: &mut IndexParts, body: usize| {
            let start = parts.records.len();
            let body = "x".repeat(body);
            let r = Record {
                id: "e",
                title: "t",
                body: Some(&body),
                ..Record::default()
            };
            r.write(&mut parts.records);
            let record = start..parts.records.len();
            parts.docs.push(DocInput { record, ..DocInput::default() });
        };
        let mut parts = IndexParts::default();
        doc(&mut parts, MAX_BLOCK_BYTES / 2 - 64);
        doc(&mut parts, MAX_BLOCK_BYTES / 2 - 64);
        assert!(store(&parts, &[], false).is_ok());
        doc(&mut parts, 200);
        assert!(matches!(
            store(&parts, &[], false),
            Err(Error::TooLarge { .. })
        ));
        // A file read whole takes the largest blocks within the bound:
        // 128 records of 80 KB would inflate to 10 MB, 64 to 5 MB.
        let mut parts = IndexParts::default();
        for _ in 0..300 {
            doc(&mut parts, 80_000);
        }
        let (_, blocks, docs) = store(&parts, &[], true).unwrap();
        assert_eq!((docs, blocks.len()), (64, 1 + 5));
        let (_, blocks, docs) = store(&parts, &[], false).unwrap();
        assert_eq!((docs, blocks.len()), (8, 1 + 38));
        parts.docs.truncate(100);
        let (_, blocks, docs) = store(&parts, &[], true).unwrap();
        assert_eq!((docs, blocks.len()), (128, 1 + 1));
    }
}

#[cfg(test)]
mod lengths_tests {
    use super::*;
    use crate::builder::{build_parts, Origin};
    use crate::Event;

    /// A split index from before it kept its documents' lengths: cut for
    /// the offline file, its impacts stay stored, and it reads as before.
    #[test]
    fn a_split_index_without_lengths_is_cut_with_its_impacts_stored() {
        let events: Vec<(Event, Origin)> = (0..60)
            .map(|i| {
                let ev = Event {
                    id: format!("e{i}"),
                    date: format!("{}-03-01", 1990 + i),
                    title: format!("talks in Geneva {i} and talks again"),
                    ..Event::default()
                };
                (ev, Origin { file: "t".into(), line: i as u64 + 1 })
            })
            .collect();
        let parts = build_parts(events).unwrap();
        let mut s = sections(&parts, false).unwrap();
        s.list.retain(|x| x.0 != tag::LENGTHS);
        s.pages.retain(|p| p.0 != tag::LENGTHS);
        let old = split_sections(&s, FLAG_COLUMNS).unwrap();
        let chunks = || old.chunks.iter().map(|c| c.1.clone()).collect();
        let cut = |derive| {
            let s =
                resplit(&old.core, chunks(), true, 32, derive, deflated_block);
            let s = s.unwrap();
            let ix = crate::Index::new(s.core).unwrap();
            for (n, (_, c)) in (1u32..).zip(s.chunks) {
                ix.add_chunk(n, c).unwrap();
            }
            ix
        };
        let (derived, stored) = (cut(true), cut(false));
        assert!(!derived.derived() && !stored.derived());
        let ord = derived.term_ordinal("talks").unwrap().unwrap();
        let a: Vec<_> = derived.postings(ord).unwrap().collect();
        let b: Vec<_> = stored.postings(ord).unwrap().collect();
        assert_eq!(a.len(), 60);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
}
