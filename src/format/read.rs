//! Reading an index: validate everything first, then hand out views.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use super::{
    field, tag, tag_name, u32_at, Cursor, BLOCK_DOCS, FOOTER_LEN,
    FORMAT_VERSION, HEADER_LEN, MAGIC, NO_CLASS, OLDEST_SUPPORTED_VERSION,
    SECTION_ENTRY_LEN,
};
use crate::error::{Error, Result};
use crate::event::Day;

/// Most title positions a posting carries.
pub const MAX_POSITIONS: usize = 4;

/// One decoded posting: a document and the term's frequencies in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Posting {
    /// The document id.
    pub doc: u32,
    /// Term frequency per field, in [`field::ALL`] order.
    pub tf: [u32; field::COUNT],
    /// The first `min(tf[0], 4)` positions of the term in the title.
    pub positions: [u32; MAX_POSITIONS],
}

impl Posting {
    /// The title positions this posting carries.
    pub fn title_positions(&self) -> &[u32] {
        &self.positions[..(self.tf[0] as usize).min(MAX_POSITIONS)]
    }
}

/// A validated, read-only index over any bytes.
///
/// [`Index::new`] checks the length, magic number, version, checksum and
/// the bounds of every section before anything else looks at the bytes,
/// and returns an error (never panics) on any input at all. Later reads of
/// variable-length data (postings, doc-store blocks) are bounds-checked and
/// return [`Error::Corrupt`] instead of panicking.
pub struct Index<D: AsRef<[u8]>> {
    data: D,
    version: u32,
    sections: [Range<usize>; 12],
    terms: fst::Map<Vec<u8>>,
    doc_count: u32,
    term_count: u32,
    class_count: u32,
    avg_len: [f32; 3],
    days: Vec<(Day, u32)>,
    /// Recently inflated doc-store blocks, most recent first.
    blocks: Mutex<Vec<(u32, Arc<Vec<u8>>)>>,
}

/// Inflated doc-store blocks kept (about 10 KB each).
const CACHED_BLOCKS: usize = 64;

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
    /// Per source (in the order of [`DocFacets::sources`]) its URL.
    pub source_urls: Vec<Option<String>>,
}

/// A facet dictionary: names by id, and each name's documents.
#[derive(Clone, Copy)]
pub struct FacetTable<'a> {
    bytes: &'a [u8],
    count: usize,
    section: &'static str,
}

/// The position of tag `t` in [`tag::ALL`] (a constant once inlined).
#[inline]
fn section_index(t: [u8; 4]) -> usize {
    match &t {
        b"META" => 0,
        b"TERM" => 1,
        b"TINF" => 2,
        b"POST" => 3,
        b"STEM" => 4,
        b"DAYS" => 5,
        b"NORM" => 6,
        b"CATS" => 7,
        b"SRCS" => 8,
        b"CTXS" => 9,
        b"FWRD" => 10,
        _ => 11,
    }
}

impl<D: AsRef<[u8]>> Index<D> {
    /// Validates `data` and opens it as an index.
    pub fn new(data: D) -> Result<Self> {
        let bytes = data.as_ref();
        let min = HEADER_LEN + 4 + FOOTER_LEN;
        if bytes.len() < min {
            if bytes.len() >= 8 && bytes[..8] != MAGIC {
                return Err(Error::BadMagic);
            }
            return Err(Error::TooShort { expected: min, got: bytes.len() });
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
        let _flags = head.u32()?;
        let body_end = bytes.len() - FOOTER_LEN;
        let stored = u32_at(&bytes[body_end..], 0);
        let computed = crate::checksum::crc32(&bytes[..body_end]);
        if stored != computed {
            return Err(Error::ChecksumMismatch {
                expected: stored,
                got: computed,
            });
        }
        let n = head.u32()? as usize;
        let table_end = n
            .checked_mul(SECTION_ENTRY_LEN)
            .and_then(|t| t.checked_add(HEADER_LEN + 4))
            .filter(|&e| e <= body_end)
            .ok_or_else(|| {
                Error::corrupt("header", format!("{n} sections do not fit"))
            })?;
        let mut found: [Option<Range<usize>>; 12] = Default::default();
        let mut table =
            Cursor::at(&bytes[..table_end], HEADER_LEN + 4, "header");
        for _ in 0..n {
            let t: [u8; 4] = table
                .take(4)?
                .try_into()
                .map_err(|_| Error::corrupt("header", "short section tag"))?;
            let off = table.u32()? as usize;
            let len = table.u32()? as usize;
            let Some(i) = tag::ALL.iter().position(|&a| a == t) else {
                continue; // unknown sections are ignored
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
        let mut sections: [Range<usize>; 12] = Default::default();
        for (i, f) in found.into_iter().enumerate() {
            sections[i] = f.ok_or_else(|| {
                Error::corrupt(tag_name(tag::ALL[i]), "section is missing")
            })?;
        }
        let sec = |t: [u8; 4]| &bytes[sections[section_index(t)].clone()];

        let mut meta = Cursor::new(sec(tag::META), "META");
        let doc_count = meta.u32()?;
        let term_count = meta.u32()?;
        let class_count = meta.u32()?;
        let block_docs = meta.u32()?;
        if block_docs != BLOCK_DOCS {
            return Err(meta.err(format!("block size {block_docs}")));
        }
        let avg_len = [meta.f32()?, meta.f32()?, meta.f32()?];
        if avg_len.iter().any(|a| !a.is_finite() || *a < 0.0) {
            return Err(meta.err("bad average field length"));
        }

        // fst trusts its input (bad bytes may panic later), so its own
        // checksum is verified too, on top of the file's CRC32.
        let terms = fst::Map::new(sec(tag::TERMS).to_vec())
            .map_err(|e| Error::corrupt("TERM", e.to_string()))?;
        crate::checksum::verify_fst(terms.as_fst().as_bytes())
            .map_err(|e| Error::corrupt("TERM", e))?;
        if terms.len() != term_count as usize {
            return Err(Error::corrupt(
                "TERM",
                format!("{} terms, META says {term_count}", terms.len()),
            ));
        }
        validate_term_info(
            sec(tag::TERM_INFO),
            sec(tag::POSTINGS).len(),
            term_count,
            class_count,
            doc_count,
        )?;
        validate_stems(sec(tag::STEMS), class_count, term_count)?;
        let days = read_days(sec(tag::DAYS), doc_count)?;
        if sec(tag::NORMS).len() != doc_count as usize * 3 {
            return Err(Error::corrupt("NORM", "length is not 3 × documents"));
        }
        for t in [tag::CATEGORIES, tag::SOURCES, tag::CONTEXTS] {
            FacetTable::open(sec(t), tag_name(t))?;
        }
        let blocks = doc_count.div_ceil(BLOCK_DOCS);
        validate_blocks(sec(tag::FORWARD), blocks, "FWRD")?;
        validate_blocks(sec(tag::STORE), blocks, "STOR")?;

        Ok(Index {
            data,
            version,
            sections,
            terms,
            doc_count,
            term_count,
            class_count,
            avg_len,
            days,
            blocks: Mutex::default(),
        })
    }

    #[inline]
    fn sec(&self, t: [u8; 4]) -> &[u8] {
        &self.data.as_ref()[self.sections[section_index(t)].clone()]
    }

    /// The format version of this index.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The whole index's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.data.as_ref()
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

    /// Average field lengths (title, contexts, body) in terms.
    pub fn avg_len(&self) -> [f32; 3] {
        self.avg_len
    }

    /// Every section: name, offset and length in bytes.
    pub fn sections(&self) -> Vec<(&'static str, usize, usize)> {
        tag::ALL
            .iter()
            .zip(&self.sections)
            .map(|(&t, r)| (tag_name(t), r.start, r.len()))
            .collect()
    }

    /// The term dictionary: normalised term → ordinal.
    pub fn terms(&self) -> &fst::Map<Vec<u8>> {
        &self.terms
    }

    /// The ordinal of `term`, if it is in the dictionary.
    pub fn term_ordinal(&self, term: &str) -> Option<u32> {
        self.terms
            .get(term)
            .and_then(|o| u32::try_from(o).ok())
            .filter(|&o| o < self.term_count)
    }

    fn term_info(&self, ord: u32) -> Result<(usize, u32, u32)> {
        if ord >= self.term_count {
            return Err(Error::corrupt("TINF", format!("ordinal {ord}")));
        }
        let info = self.sec(tag::TERM_INFO);
        let i = ord as usize * 3;
        Ok((
            u32_at(info, i) as usize,
            u32_at(info, i + 1),
            u32_at(info, i + 2),
        ))
    }

    /// Number of documents containing term `ord`.
    pub fn doc_freq(&self, ord: u32) -> Result<u32> {
        Ok(self.term_info(ord)?.1)
    }

    /// The stem class of term `ord`, if it shares its stem with others.
    pub fn stem_class(&self, ord: u32) -> Result<Option<u32>> {
        let c = self.term_info(ord)?.2;
        Ok((c != NO_CLASS).then_some(c))
    }

    /// The term ordinals of stem class `class`.
    pub fn class_members(&self, class: u32) -> Result<Vec<u32>> {
        if class >= self.class_count {
            return Err(Error::corrupt("STEM", format!("class {class}")));
        }
        let s = self.sec(tag::STEMS);
        let c = class as usize;
        let (a, b) = (u32_at(s, 1 + c) as usize, u32_at(s, 2 + c) as usize);
        let base = 2 + self.class_count as usize;
        Ok((a..b).map(|i| u32_at(s, base + i)).collect())
    }

    /// The postings of term `ord`, by increasing document id.
    pub fn postings(&self, ord: u32) -> Result<PostingIter<'_>> {
        let (off, df, _) = self.term_info(ord)?;
        Ok(PostingIter {
            cur: Cursor::at(self.sec(tag::POSTINGS), off, "POST"),
            left: df,
            prev: None,
            doc_count: self.doc_count,
        })
    }

    /// The day of document `doc`.
    pub fn day(&self, doc: u32) -> Day {
        // Entries are sorted by first document; the first starts at 0.
        let i = self.days.partition_point(|&(_, first)| first <= doc);
        self.days.get(i.saturating_sub(1)).map_or(0, |d| d.0)
    }

    /// Distinct days, newest first, each with its first document.
    pub fn days(&self) -> &[(Day, u32)] {
        &self.days
    }

    /// The documents whose day lies in `from..=to` (newest first, so a
    /// day range is a contiguous id range).
    pub fn doc_range(&self, from: Day, to: Day) -> Range<u32> {
        // Days decrease with the entry index.
        let start_entry = self.days.partition_point(|&(d, _)| d > to);
        let end_entry = self.days.partition_point(|&(d, _)| d >= from);
        let first = |e: usize| {
            self.days.get(e).map_or(self.doc_count, |&(_, first)| first)
        };
        let (a, b) = (first(start_entry), first(end_entry));
        a..b.max(a)
    }

    /// The quantised length of field `f` (0 title, 1 contexts, 2 body).
    #[inline]
    pub fn norm(&self, doc: u32, f: usize) -> u8 {
        let n = self.sec(tag::NORMS);
        n.get(f * self.doc_count as usize + doc as usize).copied().unwrap_or(0)
    }

    /// The category dictionary.
    pub fn categories(&self) -> FacetTable<'_> {
        self.facet(tag::CATEGORIES)
    }

    /// The source-outlet dictionary.
    pub fn sources(&self) -> FacetTable<'_> {
        self.facet(tag::SOURCES)
    }

    /// The context dictionary.
    pub fn contexts(&self) -> FacetTable<'_> {
        self.facet(tag::CONTEXTS)
    }

    fn facet(&self, t: [u8; 4]) -> FacetTable<'_> {
        let bytes = self.sec(t);
        // Validated in `new`.
        let count = if bytes.len() >= 4 { u32_at(bytes, 0) } else { 0 };
        FacetTable { bytes, count: count as usize, section: tag_name(t) }
    }

    fn block<'a>(
        &'a self,
        t: [u8; 4],
        b: u32,
        name: &'static str,
    ) -> Result<&'a [u8]> {
        let s = self.sec(t);
        let n = u32_at(s, 0) as usize;
        let b = b as usize;
        if b >= n {
            return Err(Error::corrupt(name, format!("block {b} of {n}")));
        }
        let base = 4 + (n + 1) * 4;
        let (x, y) = (u32_at(s, 1 + b) as usize, u32_at(s, 2 + b) as usize);
        Ok(&s[base + x..base + y])
    }

    /// Calls `f` with the facets of each document of `docs`, which must be
    /// increasing. Decodes each forward block once.
    pub fn for_each_facets(
        &self,
        docs: impl IntoIterator<Item = u32>,
        mut f: impl FnMut(u32, &DocFacets),
    ) -> Result<()> {
        let mut facets = DocFacets::default();
        let mut cur: Option<(u32, Cursor<'_>, u32)> = None; // block, cursor, next doc
        for doc in docs {
            if doc >= self.doc_count {
                return Err(Error::corrupt("FWRD", format!("doc {doc}")));
            }
            let b = doc / BLOCK_DOCS;
            let reuse = matches!(&cur, Some((cb, _, next)) if *cb == b && *next <= doc);
            if !reuse {
                let bytes = self.block(tag::FORWARD, b, "FWRD")?;
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
        while i < docs.len() {
            let b = docs[i] / BLOCK_DOCS;
            let block = self.block(tag::FORWARD, b, "FWRD")?;
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
        Ok(())
    }

    /// The facets of one document.
    pub fn facets(&self, doc: u32) -> Result<DocFacets> {
        let mut out = DocFacets::default();
        self.for_each_facets([doc], |_, f| out = f.clone())?;
        Ok(out)
    }

    /// The stored display data of each of `docs` (any order), inflating
    /// each doc-store block once (and keeping the most recent blocks, so
    /// successive keystrokes that show the same events inflate nothing).
    pub fn stored(&self, docs: &[u32]) -> Result<Vec<StoredDoc>> {
        let mut out = vec![StoredDoc::default(); docs.len()];
        let mut order: Vec<usize> = (0..docs.len()).collect();
        crate::sorting::sort_by_key(&mut order, |&i| docs[i].into());
        let mut k = 0;
        while k < order.len() {
            let doc = docs[order[k]];
            if doc >= self.doc_count {
                return Err(Error::corrupt("STOR", format!("doc {doc}")));
            }
            let b = doc / BLOCK_DOCS;
            let raw = self.inflated(b)?;
            // Source counts (to parse each entry) come from FWRD.
            let first = b * BLOCK_DOCS;
            let last = (first + BLOCK_DOCS).min(self.doc_count);
            let mut counts = Vec::with_capacity(BLOCK_DOCS as usize);
            self.for_each_facets(first..last, |_, f| {
                counts.push(f.sources.len())
            })?;
            let mut c = Cursor::new(&raw, "STOR");
            for (at, &n_src) in (first..).zip(&counts) {
                let entry = read_stored(&mut c, n_src)?;
                while k < order.len() && docs[order[k]] == at {
                    out[order[k]] = entry.clone();
                    k += 1;
                }
                if k >= order.len() || docs[order[k]] / BLOCK_DOCS != b {
                    break;
                }
            }
            if k < order.len() && docs[order[k]] / BLOCK_DOCS == b {
                return Err(Error::corrupt(
                    "STOR",
                    format!("block {b} is short"),
                ));
            }
        }
        Ok(out)
    }

    /// Doc-store block `b`, inflated (from the cache when it is there).
    fn inflated(&self, b: u32) -> Result<Arc<Vec<u8>>> {
        if let Ok(mut cache) = self.blocks.try_lock() {
            if let Some(i) = cache.iter().position(|(cb, _)| *cb == b) {
                let hit = cache.remove(i);
                let raw = hit.1.clone();
                cache.insert(0, hit);
                return Ok(raw);
            }
        }
        let z = self.block(tag::STORE, b, "STOR")?;
        let raw =
            miniz_oxide::inflate::decompress_to_vec_with_limit(z, 64 << 20)
                .map_err(|e| {
                    Error::corrupt(
                        "STOR",
                        format!("block {b}: {:?}", e.status),
                    )
                })?;
        let raw = Arc::new(raw);
        if let Ok(mut cache) = self.blocks.try_lock() {
            cache.insert(0, (b, raw.clone()));
            cache.truncate(CACHED_BLOCKS);
        }
        Ok(raw)
    }
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

fn read_stored(c: &mut Cursor<'_>, n_src: usize) -> Result<StoredDoc> {
    let id = c.str()?.to_owned();
    let title = c.str()?.to_owned();
    let url = c.opt_str()?.map(str::to_owned);
    let body = c.opt_str()?.map(str::to_owned);
    let mut source_urls = Vec::with_capacity(n_src);
    for _ in 0..n_src {
        source_urls.push(c.opt_str()?.map(str::to_owned));
    }
    Ok(StoredDoc { id, title, url, body, source_urls })
}

/// Most ids one forward entry may list (a sanity bound on corrupt input).
const MAX_FACET_IDS: u32 = 100_000;

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
    cur: Cursor<'a>,
    left: u32,
    prev: Option<u32>,
    doc_count: u32,
}

impl PostingIter<'_> {
    /// Postings not yet read.
    pub fn remaining(&self) -> u32 {
        self.left
    }

    fn read(&mut self) -> Result<Posting> {
        self.decode().ok_or_else(|| {
            self.cur.err("bad posting or document out of order")
        })
    }

    #[inline]
    fn decode(&mut self) -> Option<Posting> {
        let delta = self.cur.fast_u32()?;
        let doc = match self.prev {
            None => delta,
            Some(p) if delta > 0 => p.checked_add(delta)?,
            Some(_) => return None,
        };
        if doc >= self.doc_count {
            return None;
        }
        self.prev = Some(doc);
        let bits = self.cur.u8().ok()?;
        let mut p = Posting { doc, ..Posting::default() };
        for (i, &f) in field::ALL.iter().enumerate() {
            p.tf[i] = u32::from(bits & f != 0);
        }
        if bits & field::HAS_TF != 0 {
            for i in 0..field::COUNT {
                if p.tf[i] > 0 {
                    p.tf[i] = self.cur.fast_u32()?;
                }
            }
        }
        if p.tf[0] > 0 {
            let mut pos = 0u32;
            for k in 0..(p.tf[0] as usize).min(MAX_POSITIONS) {
                pos = pos.saturating_add(self.cur.fast_u32()?);
                p.positions[k] = pos;
            }
        }
        Some(p)
    }
}

impl Iterator for PostingIter<'_> {
    type Item = Result<Posting>;

    fn next(&mut self) -> Option<Result<Posting>> {
        if self.left == 0 {
            return None;
        }
        let r = self.read();
        self.left = if r.is_err() { 0 } else { self.left - 1 };
        Some(r)
    }
}

impl<'a> FacetTable<'a> {
    fn open(bytes: &'a [u8], section: &'static str) -> Result<Self> {
        let mut c = Cursor::new(bytes, section);
        let count = c.u32()? as usize;
        let head = count
            .checked_add(1)
            .and_then(|n| n.checked_mul(8))
            .and_then(|n| n.checked_add(4))
            .filter(|&h| h <= bytes.len())
            .ok_or_else(|| c.err(format!("{count} entries do not fit")))?;
        let t = FacetTable { bytes, count, section };
        let names_len = t.off(0, count) as usize;
        let docs_len = t.off(1, count) as usize;
        if head + names_len + docs_len != bytes.len() {
            return Err(c.err("offsets do not match the section length"));
        }
        for part in 0..2 {
            let mut last = 0;
            for i in 0..=count {
                let o = t.off(part, i);
                if o < last {
                    return Err(c.err("offsets decrease"));
                }
                last = o;
            }
        }
        let names = &bytes[head..head + names_len];
        let names = std::str::from_utf8(names)
            .map_err(|_| c.err("names are not UTF-8"))?;
        for i in 0..count {
            if !names.is_char_boundary(t.off(0, i) as usize) {
                return Err(c.err("a name splits a character"));
            }
        }
        Ok(t)
    }

    /// Offset `i` of part 0 (names) or 1 (documents).
    fn off(&self, part: usize, i: usize) -> u32 {
        u32_at(self.bytes, 1 + part * (self.count + 1) + i)
    }

    fn head(&self) -> usize {
        4 + (self.count + 1) * 8
    }

    /// Number of distinct values.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the dictionary is empty.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The name of value `id` ("" when out of range).
    pub fn name(&self, id: u32) -> &'a str {
        let i = id as usize;
        if i >= self.count {
            return "";
        }
        let h = self.head();
        let (a, b) = (self.off(0, i) as usize, self.off(0, i + 1) as usize);
        // Validated in `open`: in bounds, UTF-8, on char boundaries.
        std::str::from_utf8(&self.bytes[h + a..h + b]).unwrap_or("")
    }

    /// The documents that have value `id`, ascending.
    pub fn docs(&self, id: u32) -> Result<Vec<u32>> {
        let i = id as usize;
        if i >= self.count {
            return Err(Error::corrupt(self.section, format!("value {id}")));
        }
        let base = self.head() + self.off(0, self.count) as usize;
        let (a, b) = (self.off(1, i) as usize, self.off(1, i + 1) as usize);
        let mut c = Cursor::new(&self.bytes[base + a..base + b], self.section);
        let n = c.varint_u32()?;
        let mut out = Vec::with_capacity((n as usize).min(b - a));
        let mut prev = 0u32;
        for k in 0..n {
            let d = c.varint_u32()?;
            if k > 0 && d == 0 {
                return Err(c.err("documents out of order"));
            }
            prev = prev
                .checked_add(d)
                .ok_or_else(|| c.err("document id overflow"))?;
            out.push(prev);
        }
        Ok(out)
    }

    /// Number of documents with value `id`.
    pub fn doc_count(&self, id: u32) -> u32 {
        let i = id as usize;
        if i >= self.count {
            return 0;
        }
        let base = self.head() + self.off(0, self.count) as usize;
        let (a, b) = (self.off(1, i) as usize, self.off(1, i + 1) as usize);
        Cursor::new(&self.bytes[base + a..base + b], self.section)
            .varint_u32()
            .unwrap_or(0)
    }
}

fn validate_term_info(
    info: &[u8],
    post_len: usize,
    terms: u32,
    classes: u32,
    docs: u32,
) -> Result<()> {
    if info.len() != terms as usize * 12 {
        return Err(Error::corrupt("TINF", "length is not 12 × terms"));
    }
    let mut last = 0;
    for t in 0..terms as usize {
        let (off, df, class) = (
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
        if df == 0 || df > docs {
            return Err(Error::corrupt("TINF", format!("term {t}: df {df}")));
        }
        if class != NO_CLASS && class >= classes {
            return Err(Error::corrupt("TINF", format!("term {t}: class")));
        }
        last = off;
    }
    Ok(())
}

fn validate_stems(s: &[u8], classes: u32, terms: u32) -> Result<()> {
    let mut c = Cursor::new(s, "STEM");
    if c.u32()? != classes {
        return Err(c.err("class count differs from META"));
    }
    let n = classes as usize;
    let head = (n + 2) * 4;
    if s.len() < head {
        return Err(c.err("offsets do not fit"));
    }
    let mut last = 0;
    for i in 0..=n {
        let o = u32_at(s, 1 + i);
        if o < last {
            return Err(c.err("offsets decrease"));
        }
        last = o;
    }
    if head + last as usize * 4 != s.len() {
        return Err(c.err("members do not match the section length"));
    }
    for i in 0..last as usize {
        if u32_at(s, n + 2 + i) >= terms {
            return Err(c.err("member out of range"));
        }
    }
    Ok(())
}

fn read_days(s: &[u8], docs: u32) -> Result<Vec<(Day, u32)>> {
    let mut c = Cursor::new(s, "DAYS");
    let n = c.u32()? as usize;
    if s.len() != 4 + n.saturating_mul(8) {
        return Err(c.err("length is not 4 + 8 × days"));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let day = c.i32()?;
        let first = c.u32()?;
        let ok = match out.last() {
            None => first == 0,
            Some(&(d, f)) => day < d && first > f,
        };
        if !ok || first >= docs {
            return Err(c.err(format!("entry {i} out of order")));
        }
        out.push((day, first));
    }
    if docs > 0 && out.is_empty() {
        return Err(c.err("no days for the documents"));
    }
    Ok(out)
}

fn validate_blocks(s: &[u8], blocks: u32, name: &'static str) -> Result<()> {
    let mut c = Cursor::new(s, name);
    let n = c.u32()?;
    if n != blocks {
        return Err(c.err(format!("{n} blocks, expected {blocks}")));
    }
    let base = 4 + (n as usize + 1) * 4;
    if s.len() < base {
        return Err(c.err("block offsets do not fit"));
    }
    let mut last = 0;
    for i in 0..=n as usize {
        let o = u32_at(s, 1 + i);
        if o < last {
            return Err(c.err("block offsets decrease"));
        }
        last = o;
    }
    if base + last as usize != s.len() {
        return Err(c.err("blocks do not match the section length"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_index_matches_the_tag_list() {
        for (i, &t) in tag::ALL.iter().enumerate() {
            assert_eq!(section_index(t), i, "{}", tag_name(t));
        }
    }
}
