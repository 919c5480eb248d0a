//! The harness behind the fuzz targets in `fuzz_targets/`: how each
//! target reads its input, what it does with the bytes, and the guard that
//! turns a memory blow-up into a crash. The targets are one line each, so
//! `cargo test` and the `unframe` example run the very same code without
//! libFuzzer (see README.md).
//!
//! Inputs made of several blobs (a split index's core and chunks, say)
//! are framed: each blob is a u32 little-endian length and that many
//! bytes; a length that runs past the end makes the rest the last blob.
//! `seeds.py` writes seeds in this framing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use chronicle::format::{self, offline, Index, SplitIndex};
use chronicle::query::{SearchOptions, Searcher, Sort};
use chronicle::{builder, input, render, Error, Result};

pub mod seal;

/// Most bytes of live Rust heap the harness may hold while it runs one
/// input, unless `CHRONICLE_FUZZ_HEAP_MB` says otherwise: an allocation
/// past it aborts the process (a crash to libFuzzer), with a line on
/// stderr saying so. What the harness keeps between inputs (the `query`
/// target's index) is a few hundred KB.
pub const HEAP_LIMIT: usize = 512 << 20;

/// The limit in force ([`HEAP_LIMIT`] until [`init`] reads the
/// environment).
static LIMIT: AtomicUsize = AtomicUsize::new(HEAP_LIMIT);

/// Reads `CHRONICLE_FUZZ_HEAP_MB` (once; every target calls this first).
fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let mb = std::env::var("CHRONICLE_FUZZ_HEAP_MB").ok();
        if let Some(mb) = mb.and_then(|m| m.parse::<usize>().ok()) {
            LIMIT.store(mb.saturating_mul(1 << 20), Ordering::Relaxed);
        }
    });
}

/// The global allocator: the system's, counting live bytes.
pub struct Guard;

#[global_allocator]
static GUARD: Guard = Guard;

static LIVE: AtomicUsize = AtomicUsize::new(0);

impl Guard {
    fn charge(&self, size: usize) {
        let live =
            LIVE.fetch_add(size, Ordering::Relaxed).saturating_add(size);
        if live > LIMIT.load(Ordering::Relaxed) {
            over_limit(size, live);
        }
    }
}

/// A line of at most 160 bytes built without allocating (the allocator
/// cannot allocate while it reports).
struct Line {
    buf: [u8; 160],
    len: usize,
}

impl Line {
    fn push(&mut self, s: &[u8]) -> &mut Self {
        for &b in s {
            if self.len < self.buf.len() {
                self.buf[self.len] = b;
                self.len += 1;
            }
        }
        self
    }

    fn num(&mut self, mut v: usize) -> &mut Self {
        let mut d = [0u8; 20];
        let mut i = d.len();
        loop {
            i -= 1;
            d[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push(&d[i..])
    }
}

/// Says why on stderr, then where (a backtrace, once the limit is lifted
/// so that taking it may allocate), and aborts.
#[cold]
fn over_limit(size: usize, live: usize) -> ! {
    static REPORTING: AtomicBool = AtomicBool::new(false);
    let mut line = Line { buf: [0; 160], len: 0 };
    line.push(b"==chronicle-fuzz== memory blow-up: an allocation of ")
        .num(size)
        .push(b" bytes takes the live heap to ")
        .num(live)
        .push(b" bytes, over the limit of ")
        .num(LIMIT.load(Ordering::Relaxed) >> 20)
        .push(b" MiB\n");
    // SAFETY: writes initialised bytes of `line.buf` to stderr.
    unsafe {
        libc::write(2, line.buf.as_ptr().cast(), line.len);
    }
    if !REPORTING.swap(true, Ordering::Relaxed) {
        LIMIT.store(usize::MAX, Ordering::Relaxed);
        eprintln!("{}", std::backtrace::Backtrace::force_capture());
    }
    std::process::abort()
}

// SAFETY: every call is passed to `System` unchanged; the counting
// around it allocates nothing.
unsafe impl GlobalAlloc for Guard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.charge(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.charge(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(
        &self,
        ptr: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        if new_size > layout.size() {
            self.charge(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }
}

/// Live bytes of Rust heap now.
pub fn live_heap() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Most blobs one input is cut into.
const MAX_PARTS: usize = 1024;

/// Cuts `data` into blobs (see the crate docs for the framing).
pub fn parts(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !data.is_empty() && out.len() < MAX_PARTS {
        let Some((len, rest)) = data.split_first_chunk::<4>() else {
            out.push(data);
            break;
        };
        let n = u32::from_le_bytes(*len) as usize;
        if n > rest.len() {
            out.push(rest);
            break;
        }
        out.push(&rest[..n]);
        data = &rest[n..];
    }
    out
}

/// The queries run against every index that opens: exact words, a
/// prefix, typos, a phrase, exclusion, OR, and each kind of filter.
pub const QUERIES: [&str; 13] = [
    "lavrov geneva",
    "zurich",
    "negotiati",
    "eartquake",
    "earthquak japan",
    "\"sergey lavrov\"",
    "talks -geneva",
    "a OR b",
    "from:2014-05 to:2016 talks",
    "about:\"Sergey Lavrov\"",
    "source:bbc",
    "category:politics",
    "z",
];

/// The options for the `i`th of [`QUERIES`]: each sort, with and without
/// facets, a few limits and offsets.
fn options_for(i: usize) -> SearchOptions {
    SearchOptions {
        limit: [10, 3, 50][i % 3],
        offset: [0, 0, 0, 2][i % 4],
        sort: [Sort::Relevance, Sort::Newest, Sort::Oldest][i % 3],
        facets: i % 5 != 4,
        facet_limit: 10,
        browse: i % 2 == 0,
    }
}

/// Where the chunks of a split index come from: chunk `n` (from 1).
pub type Loader<'a> = &'a dyn Fn(u32) -> Option<Vec<u8>>;

/// Runs `f`; while it fails for want of chunks, adds the chunks the reads
/// asked for (those `load` has) and runs it again, as the widget does.
fn with_chunks<D: AsRef<[u8]>, T>(
    ix: &Index<D>,
    load: Loader<'_>,
    mut f: impl FnMut() -> Result<T>,
) -> Result<T> {
    let mut rounds = 0;
    loop {
        match f() {
            Err(Error::NotLoaded) if rounds < 4 => {
                rounds += 1;
                let mut added = false;
                for n in ix.take_wanted() {
                    if let Some(b) = load(n) {
                        added |= ix.add_chunk(n, b).is_ok();
                    }
                }
                if !added {
                    return Err(Error::NotLoaded);
                }
            }
            r => return r,
        }
    }
}

/// Uses every read path of an index that opened: [`QUERIES`] with their
/// hits rendered (related events included), then the stored records,
/// facets and related events of its first documents.
pub fn exercise<D: AsRef<[u8]>>(s: &Searcher<D>, load: Loader<'_>) {
    let ix = s.index();
    for (i, q) in QUERIES.iter().enumerate() {
        let opts = options_for(i);
        if let Ok(r) = with_chunks(ix, load, || s.search(q, &opts)) {
            let _ = with_chunks(ix, load, || render::hits(s, &r, 3));
        }
    }
    let docs: Vec<u32> = (0..ix.doc_count().min(64)).collect();
    let _ = with_chunks(ix, load, || ix.stored(&docs));
    for &d in docs.iter().take(16) {
        let _ = with_chunks(ix, load, || ix.facets(d));
        let _ = with_chunks(ix, load, || render::related_views(s, d, 5));
    }
}

/// A target's input as the library is handed it: an index (or a split
/// index's core), resealed if the flags say so, and its chunks (chunk `n`
/// at `n - 1`; `None` for one the input did not decode to).
pub struct Decoded {
    /// The input's first byte.
    pub flags: u8,
    /// The index, or the core of a split index.
    pub core: Vec<u8>,
    /// The chunks of a split index.
    pub chunks: Vec<Option<Vec<u8>>>,
}

/// Decodes an input of the `index` target.
pub fn decode_index(data: &[u8]) -> Option<Decoded> {
    let (&flags, bytes) = data.split_first()?;
    let mut core = bytes.to_vec();
    if flags & 1 != 0 {
        seal::reseal(&mut core, &mut [], seal::FIX_ALL);
    }
    Some(Decoded { flags, core, chunks: Vec::new() })
}

/// Target `index`: `flags u8, index bytes`. Flag bit 0 reseals the bytes
/// first (every lexicon shard's fst checksum, then the file's CRC32), so
/// that damage reaches the decoders behind the checksums. Opens the bytes
/// as a single-file index (bit 1: as a browser does, its first
/// `format::held_len` bytes in memory and the rest read through
/// `format::Outside`) and, if that succeeds, [`exercise`]s it.
pub fn index(data: &[u8]) {
    init();
    let Some(d) = decode_index(data) else { return };
    let ix = if d.flags & 2 != 0 {
        held_in_part(d.core)
    } else {
        Index::new(d.core)
    };
    if let Ok(ix) = ix {
        exercise(&Searcher::new(ix), &|_| None);
    }
}

/// The end of a file, from `.0` on, kept out of the index's memory.
struct Rest(usize, Vec<u8>);

impl format::Outside for Rest {
    fn read(&self, at: usize, len: usize) -> Option<Vec<u8>> {
        let from = at.checked_sub(self.0)?;
        Some(self.1.get(from..from.checked_add(len)?)?.to_vec())
    }
}

/// `file` opened as the browser opens a single file.
fn held_in_part(mut file: Vec<u8>) -> Result<Index<Vec<u8>>> {
    let len = file.len();
    let cut = format::held_len(&file[..len.min(512)], len).min(len);
    let rest = Rest(cut, file.split_off(cut));
    Index::with_outside(file, len, Box::new(rest))
}

/// Decodes an input of the `split` target.
pub fn decode_split(data: &[u8]) -> Option<Decoded> {
    let (&flags, rest) = data.split_first()?;
    let blobs = parts(rest);
    let (core, chunks) = blobs.split_first()?;
    let mut core = core.to_vec();
    let mut chunks: Vec<Option<Vec<u8>>> =
        chunks.iter().map(|c| Some(c.to_vec())).collect();
    if flags & 1 != 0 {
        seal::reseal(&mut core, &mut chunks, seal::FIX_ALL);
    }
    Some(Decoded { flags, core, chunks })
}

/// Target `split`: `flags u8`, then framed blobs: a split index's core,
/// then its chunks (the second blob is chunk 1). Flag bit 0 reseals them
/// ([`seal::reseal`]: chunk lengths fitted to the page table, fst
/// checksums, chunk CRC32s, the core's CRC32); bit 1 says the chunks are
/// at hand (as in the offline file); bit 2 adds every chunk before the
/// first query, otherwise reads fetch what they ask for. Chunks that fail
/// their checks are refused, which is fine: the point is no panic.
pub fn split(data: &[u8]) {
    init();
    let Some(Decoded { flags, core, chunks }) = decode_split(data) else {
        return;
    };
    let Ok(ix) = Index::new(core) else { return };
    ix.set_chunks_at_hand(flags & 2 != 0);
    let load = |n: u32| chunks.get((n as usize).checked_sub(1)?)?.clone();
    if flags & 4 != 0 {
        for n in 1..=chunks.len() as u32 {
            if let Some(b) = load(n) {
                let _ = ix.add_chunk(n, b);
            }
        }
    }
    exercise(&Searcher::new(ix), &load);
}

/// How the offline file stores a chunk (its `data-deflated` character).
#[derive(Clone, Copy, PartialEq)]
enum Stored {
    AsIs,
    Deflated,
    GroupStart,
    InGroup,
}

/// Decodes an input of the `offline` target: the core, resealed if the
/// flags say so, and the chunks as the harness decodes them (a deflated
/// chunk inflated by the harness, which hands the library the DEFLATE
/// bytes; see [`offline`]).
pub fn decode_offline(data: &[u8]) -> Option<Decoded> {
    decode_offline_kinds(data).map(|(d, _)| d)
}

fn decode_offline_kinds(data: &[u8]) -> Option<(Decoded, Vec<Stored>)> {
    let (&flags, rest) = data.split_first()?;
    let blobs = parts(rest);
    let [core, dict, records @ ..] = blobs.as_slice() else { return None };
    let mut kinds = Vec::with_capacity(records.len());
    // What each chunk decodes to, as far as the harness knows; at most
    // PLAIN_BUDGET bytes of it kept, so that what the harness holds stays
    // well under the heap limit (a group alone may inflate to 64 MiB).
    const PLAIN_BUDGET: usize = 128 << 20;
    let mut budget = PLAIN_BUDGET;
    let mut keep = |b: Vec<u8>| {
        let ok = b.len() <= budget;
        budget -= if ok { b.len() } else { 0 };
        ok.then_some(b)
    };
    let mut plain: Vec<Option<Vec<u8>>> = vec![None; records.len()];
    for (i, r) in records.iter().enumerate() {
        let (kind, body) = match r.split_first() {
            Some((&k, body)) => (k % 4, body),
            None => (3, &[][..]),
        };
        let kind = [Stored::AsIs, Stored::Deflated, Stored::GroupStart][..]
            .get(usize::from(kind))
            .copied()
            .unwrap_or(Stored::InGroup);
        kinds.push(kind);
        match kind {
            Stored::AsIs => plain[i] = Some(body.to_vec()),
            Stored::Deflated => {
                plain[i] = inflate_limited(body).and_then(&mut keep)
            }
            Stored::GroupStart => {
                // As the page's reader: the group's blocks are chunk i
                // and the `3` chunks after it.
                let Ok(blocks) = offline::decompress_group(body, dict) else {
                    continue;
                };
                for (k, b) in blocks.into_iter().enumerate() {
                    let slot = i + k;
                    let of_group = k == 0
                        || records.get(slot).is_some_and(|r| {
                            r.first().is_none_or(|k| k % 4 == 3)
                        });
                    if !of_group {
                        break;
                    }
                    if let Some(p) = plain.get_mut(slot) {
                        *p = keep(b);
                    }
                }
            }
            Stored::InGroup => {}
        }
    }
    let mut core = core.to_vec();
    if flags & 1 != 0 {
        seal::reseal(&mut core, &mut plain, seal::FIX_CRCS);
    }
    Some((Decoded { flags, core, chunks: plain }, kinds))
}

/// Target `offline`: what the offline file carries for a split index and
/// the Rust side decodes. `flags u8`, then framed blobs: the core; the
/// LZMA groups' preset dictionary (inflated, as the page hands it over);
/// then one blob a chunk (the third is chunk 1), each a kind byte (taken
/// mod 4: `0` as is, `1` raw DEFLATE for `add_deflated_chunk`, `2` an LZMA
/// group for `format::offline::decompress_group` starting at this chunk,
/// `3` a later chunk of that group, whose slot is empty) and its bytes.
/// Flag bit 0 reseals the core's chunk CRC32s and its own CRC32 to match
/// what the chunks decode to (the harness inflates a deflated chunk itself
/// for that), so that damage reaches past the checks. The chunks are added
/// as the page does (at hand), then the index is [`exercise`]d.
pub fn offline(data: &[u8]) {
    init();
    let Some((d, kinds)) = decode_offline_kinds(data) else { return };
    let Ok(ix) = Index::new(d.core) else { return };
    ix.set_chunks_at_hand(true);
    // The records again, for the DEFLATE bytes of deflated chunks.
    let records = parts(&data[1..]);
    for (i, (kind, plain)) in kinds.into_iter().zip(d.chunks).enumerate() {
        let n = i as u32 + 1;
        let _ = match (kind, plain) {
            (Stored::Deflated, _) => {
                let z = records.get(i + 2).map_or(&[][..], |r| &r[1..]);
                ix.add_deflated_chunk(n, z)
            }
            (_, Some(b)) => ix.add_chunk(n, b),
            (_, None) => Ok(()),
        };
    }
    exercise(&Searcher::new(ix), &|_| None);
}

/// What a deflated chunk inflates to, up to 64 MiB (the harness's view,
/// for resealing).
fn inflate_limited(z: &[u8]) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(z, 64 << 20).ok()
}

/// The small real index of `tests/data/events.jsonl`: a single file, and
/// the same split.
pub fn built() -> &'static (Vec<u8>, SplitIndex) {
    static BUILT: OnceLock<(Vec<u8>, SplitIndex)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let jsonl = include_bytes!("../../tests/data/events.jsonl");
        let read =
            input::read_bytes(jsonl, "events.jsonl", &Default::default())
                .expect("tests/data/events.jsonl reads");
        let parts = builder::build_parts(read.events).expect("it builds");
        let single = format::encode(&parts).expect("it encodes");
        let split = format::split(&parts).expect("it splits");
        (single, split)
    })
}

/// Target `query`: six bytes of options, then the query (UTF-8, invalid
/// sequences replaced), run against the index of
/// `tests/data/events.jsonl`, with its hits rendered. Options: bytes 0–1
/// the limit (u16 mod 1001: the widget caps it at 1000), byte 2 the
/// offset (255 means 10⁹, the widget's cap), byte 3 the sort (mod 3),
/// facets (bit 2) and browsing (bit 3: an empty query matches all), byte 4 the most values per facet (mod 64), byte 5
/// related events per hit (low six bits, mod 51: the widget's cap is 50)
/// and the index (top two bits, mod 3: the single file, the split index
/// with its chunks at hand and all added, or fetched as reads ask).
pub fn query(data: &[u8]) {
    init();
    let Some((o, q)) = data.split_first_chunk::<6>() else { return };
    let query = String::from_utf8_lossy(q);
    let opts = SearchOptions {
        limit: usize::from(u16::from_le_bytes([o[0], o[1]]) % 1001),
        offset: if o[2] == 255 { 1_000_000_000 } else { usize::from(o[2]) },
        sort: [Sort::Relevance, Sort::Newest, Sort::Oldest]
            [usize::from(o[3] % 3)],
        facets: o[3] & 4 != 0,
        facet_limit: usize::from(o[4] % 64),
        browse: o[3] & 8 != 0,
    };
    let related = usize::from(o[5] & 63) % 51;
    let (single, split) = built();
    let load = |n: u32| {
        let i = (n as usize).checked_sub(1)?;
        split.chunks.get(i).map(|(_, b)| b.clone())
    };
    let ix = match (o[5] >> 6) % 3 {
        0 => Index::new(single.clone()),
        _ => Index::new(split.core.clone()),
    };
    let ix = ix.expect("the built index opens");
    if (o[5] >> 6) % 3 == 1 {
        ix.set_chunks_at_hand(true);
        for n in 1..=split.chunks.len() as u32 {
            ix.add_chunk(n, load(n).expect("a chunk")).expect("it fits");
        }
    }
    let s = Searcher::new(ix);
    let ix = s.index();
    let Ok(r) = with_chunks(ix, &load, || s.search(&query, &opts)) else {
        return;
    };
    let _ = with_chunks(ix, &load, || render::hits(&s, &r, related));
    for h in r.hits.iter().take(3) {
        let _ = with_chunks(ix, &load, || s.related(h.doc, related));
    }
}
