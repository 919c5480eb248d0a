//! Serialises a built index. Only the builder calls this.

use std::io;

use super::{
    field, put_varint, quantize_len, tag, BLOCK_DOCS, FOOTER_LEN,
    FORMAT_VERSION, HEADER_LEN, MAGIC, MAX_POSITIONS, SECTION_ENTRY_LEN,
};
use crate::error::{Error, Result};
use crate::event::Day;

/// One posting as the writer takes it. Compact, since a builder holds
/// millions of them: frequencies and title positions saturate at 65,535.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostingInput {
    /// The document id.
    pub doc: u32,
    /// Term frequency per field, in [`field::ALL`] order.
    pub tf: [u16; field::COUNT],
    /// The first `min(tf[0], 4)` positions of the term in the title.
    pub positions: [u16; MAX_POSITIONS],
}

/// One term and its postings, as the writer takes them.
#[derive(Debug, Clone, Default)]
pub struct TermInput {
    /// The normalised term. Terms must arrive sorted and unique.
    pub term: String,
    /// Its stem class, or [`super::NO_CLASS`].
    pub class: u32,
    /// Its postings, by increasing document id.
    pub postings: Vec<PostingInput>,
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
    /// Source-outlet ids with each source's URL.
    pub sources: Vec<(u32, Option<String>)>,
    /// Context ids.
    pub contexts: Vec<u32>,
    /// The event id.
    pub id: String,
    /// The headline.
    pub title: String,
    /// The event's page.
    pub url: Option<String>,
    /// Optional body text.
    pub body: Option<String>,
}

/// A facet dictionary: names (by id) and each name's documents.
#[derive(Debug, Clone, Default)]
pub struct FacetInput {
    /// The names, by id.
    pub names: Vec<String>,
    /// Per id, the documents that have it, ascending.
    pub docs: Vec<Vec<u32>>,
}

/// Everything an index holds, ready to be serialised.
#[derive(Debug, Clone, Default)]
pub struct IndexParts {
    /// Terms, sorted and unique; a term's ordinal is its position.
    pub terms: Vec<TermInput>,
    /// Stem classes: per class, the ordinals of its member terms.
    pub classes: Vec<Vec<u32>>,
    /// Documents in id order: newest first.
    pub docs: Vec<DocInput>,
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

/// Serialises `parts` into index bytes.
pub fn encode(parts: &IndexParts) -> Result<Vec<u8>> {
    let n_docs = to_u32(parts.docs.len(), "documents")?;
    let (info, post) = postings(parts)?;
    let sections: [([u8; 4], Vec<u8>); 12] = [
        (tag::META, meta(parts, n_docs)?),
        (tag::TERMS, term_fst(parts)?),
        (tag::TERM_INFO, info),
        (tag::POSTINGS, post),
        (tag::STEMS, stems(parts)?),
        (tag::DAYS, days(parts)?),
        (tag::NORMS, norms(parts)),
        (tag::CATEGORIES, facet(&parts.categories)?),
        (tag::SOURCES, facet(&parts.sources)?),
        (tag::CONTEXTS, facet(&parts.contexts)?),
        (tag::FORWARD, forward(parts)?),
        (tag::STORE, store(parts)?),
    ];
    let table_len = 4 + sections.len() * SECTION_ENTRY_LEN;
    let body_len: usize = sections.iter().map(|s| s.1.len()).sum();
    let mut out =
        Vec::with_capacity(HEADER_LEN + table_len + body_len + FOOTER_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // flags: none defined
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    let mut offset = HEADER_LEN + table_len;
    for (t, bytes) in &sections {
        out.extend_from_slice(t);
        out.extend_from_slice(&to_u32(offset, "index bytes")?.to_le_bytes());
        out.extend_from_slice(&to_u32(bytes.len(), "section")?.to_le_bytes());
        offset += bytes.len();
    }
    for (_, bytes) in &sections {
        out.extend_from_slice(bytes);
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

fn meta(parts: &IndexParts, n_docs: u32) -> Result<Vec<u8>> {
    let mut m = Vec::new();
    m.extend_from_slice(&n_docs.to_le_bytes());
    m.extend_from_slice(&to_u32(parts.terms.len(), "terms")?.to_le_bytes());
    m.extend_from_slice(
        &to_u32(parts.classes.len(), "stem classes")?.to_le_bytes(),
    );
    m.extend_from_slice(&BLOCK_DOCS.to_le_bytes());
    for f in 0..3 {
        let total: f64 =
            parts.docs.iter().map(|d| f64::from(d.lengths[f])).sum();
        let avg = if n_docs == 0 { 0.0 } else { total / f64::from(n_docs) };
        m.extend_from_slice(&(avg as f32).to_le_bytes());
    }
    Ok(m)
}

fn term_fst(parts: &IndexParts) -> Result<Vec<u8>> {
    let mut b = fst::MapBuilder::memory();
    for (ord, t) in parts.terms.iter().enumerate() {
        b.insert(&t.term, ord as u64).map_err(|e| Error::InvalidEvent {
            event: format!("term {:?}", t.term),
            detail: format!("terms must be sorted and unique: {e}"),
        })?;
    }
    b.into_inner().map_err(|e| Error::InvalidEvent {
        event: "term dictionary".into(),
        detail: e.to_string(),
    })
}

/// TINF (offset, df, class per term) and POST.
fn postings(parts: &IndexParts) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut info = Vec::with_capacity(parts.terms.len() * 12);
    let mut post = Vec::new();
    for t in &parts.terms {
        info.extend_from_slice(&to_u32(post.len(), "postings")?.to_le_bytes());
        info.extend_from_slice(
            &to_u32(t.postings.len(), "postings")?.to_le_bytes(),
        );
        info.extend_from_slice(&t.class.to_le_bytes());
        let mut prev = 0u32;
        for (i, p) in t.postings.iter().enumerate() {
            debug_assert!(i == 0 || p.doc > prev, "postings out of order");
            put_varint(&mut post, u64::from(p.doc - prev));
            prev = p.doc;
            encode_fields(&mut post, p);
        }
    }
    Ok((info, post))
}

fn encode_fields(out: &mut Vec<u8>, p: &PostingInput) {
    let mut bits = 0u8;
    let mut any_tf = false;
    for (i, &f) in field::ALL.iter().enumerate() {
        if p.tf[i] > 0 {
            bits |= f;
            any_tf |= p.tf[i] > 1;
        }
    }
    out.push(bits | if any_tf { field::HAS_TF } else { 0 });
    if any_tf {
        for i in 0..field::COUNT {
            if p.tf[i] > 0 {
                put_varint(out, u64::from(p.tf[i]));
            }
        }
    }
    if p.tf[0] > 0 {
        let n = (p.tf[0] as usize).min(MAX_POSITIONS);
        let mut prev = 0u16;
        for &pos in &p.positions[..n] {
            put_varint(out, u64::from(pos - prev));
            prev = pos;
        }
    }
}

fn stems(parts: &IndexParts) -> Result<Vec<u8>> {
    let mut s = Vec::new();
    s.extend_from_slice(
        &to_u32(parts.classes.len(), "classes")?.to_le_bytes(),
    );
    let mut off = 0u32;
    for c in &parts.classes {
        s.extend_from_slice(&off.to_le_bytes());
        off += to_u32(c.len(), "class members")?;
    }
    s.extend_from_slice(&off.to_le_bytes());
    for c in &parts.classes {
        for &m in c {
            s.extend_from_slice(&m.to_le_bytes());
        }
    }
    Ok(s)
}

fn days(parts: &IndexParts) -> Result<Vec<u8>> {
    let mut d = Vec::new();
    let mut last: Option<Day> = None;
    let mut count = 0u32;
    let mut body = Vec::new();
    for (id, doc) in parts.docs.iter().enumerate() {
        if last != Some(doc.day) {
            if last.is_some_and(|l| doc.day > l) {
                return Err(Error::InvalidEvent {
                    event: doc.id.clone(),
                    detail: "documents must be sorted newest first".into(),
                });
            }
            body.extend_from_slice(&doc.day.to_le_bytes());
            body.extend_from_slice(&to_u32(id, "documents")?.to_le_bytes());
            last = Some(doc.day);
            count += 1;
        }
    }
    d.extend_from_slice(&count.to_le_bytes());
    d.extend_from_slice(&body);
    Ok(d)
}

fn norms(parts: &IndexParts) -> Vec<u8> {
    let mut n = Vec::with_capacity(parts.docs.len() * 3);
    for f in 0..3 {
        n.extend(parts.docs.iter().map(|d| quantize_len(d.lengths[f])));
    }
    n
}

fn facet(f: &FacetInput) -> Result<Vec<u8>> {
    let count = to_u32(f.names.len(), "facet values")?;
    let mut names = Vec::new();
    let mut name_off = Vec::new();
    for n in &f.names {
        name_off.push(to_u32(names.len(), "facet names")?);
        names.extend_from_slice(n.as_bytes());
    }
    name_off.push(to_u32(names.len(), "facet names")?);
    let mut docs = Vec::new();
    let mut doc_off = Vec::new();
    for list in &f.docs {
        doc_off.push(to_u32(docs.len(), "facet postings")?);
        put_varint(&mut docs, list.len() as u64);
        let mut prev = 0u32;
        for &d in list {
            put_varint(&mut docs, u64::from(d - prev));
            prev = d;
        }
    }
    doc_off.push(to_u32(docs.len(), "facet postings")?);
    let mut s = Vec::new();
    s.extend_from_slice(&count.to_le_bytes());
    for o in name_off.iter().chain(&doc_off) {
        s.extend_from_slice(&o.to_le_bytes());
    }
    s.extend_from_slice(&names);
    s.extend_from_slice(&docs);
    Ok(s)
}

/// FWRD: per block of [`BLOCK_DOCS`] documents an offset, then per
/// document: category + 1 (0 = none), source count, source ids, context
/// count, context ids, all varints.
fn forward(parts: &IndexParts) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut offs = Vec::new();
    for (i, d) in parts.docs.iter().enumerate() {
        if i % BLOCK_DOCS as usize == 0 {
            offs.push(to_u32(data.len(), "forward lists")?);
        }
        put_varint(&mut data, d.category.map_or(0, |c| u64::from(c) + 1));
        put_varint(&mut data, d.sources.len() as u64);
        for (s, _) in &d.sources {
            put_varint(&mut data, u64::from(*s));
        }
        put_varint(&mut data, d.contexts.len() as u64);
        for &c in &d.contexts {
            put_varint(&mut data, u64::from(c));
        }
    }
    offs.push(to_u32(data.len(), "forward lists")?);
    let mut s = Vec::new();
    s.extend_from_slice(&to_u32(offs.len() - 1, "blocks")?.to_le_bytes());
    for o in offs {
        s.extend_from_slice(&o.to_le_bytes());
    }
    s.extend_from_slice(&data);
    Ok(s)
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            put_varint(out, s.len() as u64 + 1);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// STOR: per block of [`BLOCK_DOCS`] documents, raw deflate of: per
/// document id, title, url, body, then each source's URL (the outlet
/// names live in SRCS and FWRD).
fn store(parts: &IndexParts) -> Result<Vec<u8>> {
    let mut blocks = Vec::new();
    let mut offs = Vec::new();
    for chunk in parts.docs.chunks(BLOCK_DOCS as usize) {
        let mut raw = Vec::new();
        for d in chunk {
            put_str(&mut raw, &d.id);
            put_str(&mut raw, &d.title);
            put_opt_str(&mut raw, d.url.as_deref());
            put_opt_str(&mut raw, d.body.as_deref());
            for (_, url) in &d.sources {
                put_opt_str(&mut raw, url.as_deref());
            }
        }
        offs.push(to_u32(blocks.len(), "doc store")?);
        blocks.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(
            &raw, 6,
        ));
    }
    offs.push(to_u32(blocks.len(), "doc store")?);
    let mut s = Vec::new();
    s.extend_from_slice(&to_u32(offs.len() - 1, "blocks")?.to_le_bytes());
    for o in offs {
        s.extend_from_slice(&o.to_le_bytes());
    }
    s.extend_from_slice(&blocks);
    Ok(s)
}
