//! The offline file's layout (`chronicle bundle`, FORMAT.md "Offline
//! file"), native only: the page reads it in JavaScript
//! (`widget/offline.js`, which `tests/e2e/offline-layout.test.mjs` holds
//! to what is written here).
//!
//! * Bytes packed two to a UTF-16 unit ([`pack`], [`unpack`]): the file
//!   is UTF-16, and its raw-text `<script>` blocks carry data in half the
//!   characters of base64.
//! * The chunks of a split index, packed one after another in blocks
//!   ([`ChunkBlocks`]), found again through the table the first block
//!   carries in data attributes ([`ChunkTable`]).
//! * The LZMA codec for doc-store blocks, `chronicle bundle --doc-store
//!   lzma`.
//!
//! A split index's doc-store blocks are DEFLATE streams of 32 records
//! each, small enough that a hit costs one short fetch over HTTP. In the
//! offline file nothing is fetched, so the blocks can be stored
//! uncompressed instead ([`super::stored_block`]) and compressed
//! together: LZMA (raw, `lc 3 lp 0 pb 0`), [`GROUP_BLOCKS`] consecutive
//! blocks a stream, every stream against one preset dictionary of
//! records taken evenly across the archive ([`dictionary`]). That takes
//! the doc store to about three quarters of its DEFLATE size, and a hit
//! still decodes (part of) one group, not the archive; but decoding LZMA
//! in JavaScript costs a first query more time than the smaller page
//! saves, so it is not the default (FORMAT.md, "Offline file").
//!
//! A group: `count` varint, each block's length as a varint, then the
//! LZMA stream without end marker (the lengths say where it ends).

use lzma_rust2::{EncodeMode, LzmaOptions, LzmaReader, LzmaWriter, MfType};
use std::io::{Read, Write};
use std::ops::Range;

use crate::error::{Error, Result};
use crate::format::{put_varint, Cursor};

/// Doc-store blocks a group holds.
pub const GROUP_BLOCKS: usize = 8;

/// Most bytes of the preset dictionary.
pub const DICT_BYTES: usize = 1 << 20;

/// LZMA's literal context bits, literal position bits and position bits.
const LC: u32 = 3;
const LP: u32 = 0;
const PB: u32 = 0;

fn fail(e: impl std::fmt::Display) -> Error {
    Error::corrupt("STOR", format!("LZMA: {e}"))
}

/// The preset dictionary for `blocks`: whole blocks, one in every few
/// across all of them (so every year and topic is in it), at most
/// [`DICT_BYTES`].
pub fn dictionary(blocks: &[&[u8]]) -> Vec<u8> {
    let total: usize = blocks.iter().map(|b| b.len()).sum();
    let every = (total / DICT_BYTES).max(1);
    let mut dict = Vec::with_capacity(DICT_BYTES + DICT_BYTES / 8);
    for b in blocks.iter().step_by(every) {
        dict.extend_from_slice(b);
    }
    let cut = dict.len().saturating_sub(DICT_BYTES);
    dict.drain(..cut);
    dict
}

/// The window a group needs: the dictionary and its own bytes.
fn window(dict: &[u8], raw: usize) -> u32 {
    let need = (dict.len() + raw).max(4096);
    u32::try_from(need.next_power_of_two()).unwrap_or(u32::MAX)
}

/// One group of blocks, compressed against `dict`.
pub fn compress_group(blocks: &[&[u8]], dict: &[u8]) -> Result<Vec<u8>> {
    let raw: usize = blocks.iter().map(|b| b.len()).sum();
    let mut out = Vec::with_capacity(raw / 3 + 16);
    put_varint(&mut out, blocks.len() as u64);
    for b in blocks {
        put_varint(&mut out, b.len() as u64);
    }
    let mut opts = LzmaOptions::with_preset(6);
    (opts.lc, opts.lp, opts.pb) = (LC, LP, PB);
    // The fast mode: the normal one takes the bundled archive's doc
    // store 1 MB smaller but takes ten times as long (390 ms a group),
    // most of it reading the dictionary again for every group.
    opts.mode = EncodeMode::Fast;
    opts.mf = MfType::Hc4;
    opts.nice_len = 273;
    opts.depth_limit = 48;
    opts.dict_size = window(dict, raw);
    opts.preset_dict = Some(dict.to_vec());
    let mut w =
        LzmaWriter::new_no_header(&mut out, &opts, false).map_err(fail)?;
    for b in blocks {
        w.write_all(b).map_err(fail)?;
    }
    w.finish().map_err(fail)?;
    Ok(out)
}

/// Every [`GROUP_BLOCKS`] consecutive blocks compressed as a group, on
/// all cores.
pub fn compress_groups(blocks: &[&[u8]], dict: &[u8]) -> Result<Vec<Vec<u8>>> {
    crate::par::map(blocks.chunks(GROUP_BLOCKS), |g| compress_group(g, dict))
        .into_iter()
        .collect()
}

/// The blocks of group `z`, decompressed against `dict` (a header that
/// cannot be, or a stream that ends short, is an error).
pub fn decompress_group(z: &[u8], dict: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut c = Cursor::new(z, "STOR");
    let count = c.varint()?;
    if count == 0 || count > GROUP_BLOCKS as u64 {
        return Err(fail(format!("{count} blocks in a group")));
    }
    let lens: Vec<usize> = (0..count)
        .map(|_| usize::try_from(c.varint()?).map_err(fail))
        .collect::<Result<_>>()?;
    let at = c.position();
    let raw = lens.iter().try_fold(0usize, |a, &l| a.checked_add(l));
    let raw =
        raw.filter(|&r| r <= 64 << 20).ok_or_else(|| fail("too long"))?;
    let mut r = LzmaReader::new(
        &z[at..],
        raw as u64,
        LC,
        LP,
        PB,
        window(dict, raw),
        Some(dict),
    )
    .map_err(fail)?;
    let mut all = Vec::with_capacity(raw);
    r.read_to_end(&mut all).map_err(fail)?;
    if all.len() != raw {
        return Err(fail("short"));
    }
    let mut out = Vec::with_capacity(lens.len());
    let mut rest = all.as_slice();
    for l in lens {
        let (b, tail) = rest.split_at(l);
        out.push(b.to_vec());
        rest = tail;
    }
    Ok(out)
}

/// The section named in the errors of the offline file's layout.
const PAGE: &str = "offline file";

/// The unit that escapes a packed word which cannot stand for itself in
/// a raw-text element (`=`).
pub const ESCAPE: u16 = 0x3D;

/// After [`ESCAPE`], `SURROGATES + n` stands for the surrogate `0xD800 +
/// n` (which a UTF-16 decoder would replace).
const SURROGATES: u16 = 0x4000;

/// The other words that are escaped: NUL (the HTML parser would replace
/// it), CR (it turns CR into LF), `<` (could end the element) and the
/// escape itself. After [`ESCAPE`], `OTHERS_AT + i` stands for
/// `OTHERS[i]`.
const OTHERS: [u16; 4] = [0x00, 0x0D, 0x3C, ESCAPE];
const OTHERS_AT: u16 = 0x4800;

/// Appends `bytes` to `out` packed two to a unit: as little-endian
/// 16-bit words (an odd length's last byte padded with 0), each word the
/// unit of that value, but for the words that are escaped (a surrogate,
/// NUL, CR, `<`, `=`), which take [`ESCAPE`] and one more unit. Returns
/// whether the length is odd (`data-odd`: the reader drops the padding).
pub fn pack(out: &mut Vec<u16>, bytes: &[u8]) -> bool {
    out.reserve(bytes.len() / 2 + bytes.len() / 32 + 1);
    for pair in bytes.chunks(2) {
        let word = u16::from_le_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
        if (0xD800..=0xDFFF).contains(&word) {
            out.extend([ESCAPE, SURROGATES + (word - 0xD800)]);
        } else if let Some(i) = OTHERS.iter().position(|&w| w == word) {
            out.extend([ESCAPE, OTHERS_AT + i as u16]);
        } else {
            out.push(word);
        }
    }
    bytes.len() % 2 == 1
}

/// The bytes packed in `units` (`odd`: the last word holds one byte).
/// Anything [`pack`] cannot have written is an error: a word that should
/// have been escaped, an escape of nothing, a padding byte that is not 0.
pub fn unpack(units: &[u16], odd: bool) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(units.len() * 2);
    let mut it = units.iter();
    while let Some(&u) = it.next() {
        let word = if u == ESCAPE {
            match it.next().copied() {
                Some(e @ SURROGATES..0x4800) => e - SURROGATES + 0xD800,
                Some(e @ OTHERS_AT..0x4804) => {
                    OTHERS[usize::from(e - OTHERS_AT)]
                }
                e => {
                    return Err(Error::corrupt(
                        PAGE,
                        format!("bad escape {e:x?}"),
                    ))
                }
            }
        } else if (0xD800..=0xDFFF).contains(&u) || OTHERS.contains(&u) {
            return Err(Error::corrupt(PAGE, format!("{u:#x} not escaped")));
        } else {
            u
        };
        out.extend(word.to_le_bytes());
    }
    if odd && out.pop() != Some(0) {
        return Err(Error::corrupt(PAGE, "no padding byte"));
    }
    Ok(out)
}

/// The id of the wasm's block.
pub const WASM_ID: &str = "chronicle-wasm";
/// The id of the index's block (a gzipped single file, or a core).
pub const INDEX_ID: &str = "chronicle-index";
/// The id of the deflated LZMA dictionary's block.
pub const LZDICT_ID: &str = "chronicle-lzdict";

/// The id of chunks block `b` (from 0): `chronicle-chunks`, then
/// `chronicle-chunks-2`, `-3`, …
pub fn chunks_block_id(b: usize) -> String {
    match b {
        0 => "chronicle-chunks".to_owned(),
        _ => format!("chronicle-chunks-{}", b + 1),
    }
}

/// Appends a raw-text block of `data` (packed bytes) to the page's
/// `text`: `<script type="application/octet-stream" id="{id}"{attrs}>`,
/// the data, `</script>` and a line break. The HTML parser passes such a
/// block's text as it is, and the page runs no script of that type.
pub fn push_data_block(
    text: &mut Vec<u16>,
    id: &str,
    attrs: &str,
    data: &[u16],
) {
    text.extend(
        format!(
            "<script type=\"application/octet-stream\" id=\"{id}\"{attrs}>"
        )
        .encode_utf16(),
    );
    text.extend(data);
    text.extend("</script>\n".encode_utf16());
}

/// Appends a block of `bytes`, packed, with `data-odd` after `attrs`.
pub fn push_block(text: &mut Vec<u16>, id: &str, attrs: &str, bytes: &[u8]) {
    let mut data = Vec::new();
    let odd = pack(&mut data, bytes);
    let attrs = format!("{attrs} data-odd=\"{}\"", u8::from(odd));
    push_data_block(text, id, &attrs, &data);
}

/// UTF-16 units after which a new chunks block starts: Chromium parses
/// many blocks of this size about a quarter faster than one block of
/// them all, and the page reads each as soon as it is parsed.
pub const CHUNKS_BLOCK_UNITS: usize = 128 * 1024;

/// How a chunk is stored (`data-deflated`, one character a chunk).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// `0`: its bytes as they are.
    AsIs,
    /// `1`: raw DEFLATE of its bytes.
    Deflated,
    /// `2`: the first doc-store block of an LZMA group; its slot holds
    /// the group.
    Group,
    /// `3`: a later block of the group before it; its slot is empty.
    InGroup,
}

impl Stored {
    const CODES: [(Stored, char); 4] = [
        (Stored::AsIs, '0'),
        (Stored::Deflated, '1'),
        (Stored::Group, '2'),
        (Stored::InGroup, '3'),
    ];

    fn code(self) -> char {
        Stored::CODES.iter().find(|c| c.0 == self).map_or('0', |c| c.1)
    }

    fn from_code(c: char) -> Option<Stored> {
        Stored::CODES.iter().find(|s| s.1 == c).map(|s| s.0)
    }
}

/// Where each chunk of a split index is in the chunks blocks, as the
/// first block's data attributes say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChunkTable {
    /// How many chunks each block holds (`data-blocks`).
    pub counts: Vec<usize>,
    /// Where each chunk ends, in units of its block's text, from the
    /// block's start (`data-ends`).
    pub ends: Vec<usize>,
    /// How each chunk is stored (`data-deflated`).
    pub stored: Vec<Stored>,
    /// Whether each chunk's last word holds one byte (`data-odd`).
    pub odd: Vec<bool>,
}

impl ChunkTable {
    /// The attributes of the first chunks block, names and values.
    pub fn attributes(&self) -> [(&'static str, String); 4] {
        let list = |v: &[usize]| {
            v.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
        };
        [
            ("data-blocks", list(&self.counts)),
            ("data-ends", list(&self.ends)),
            ("data-deflated", self.stored.iter().map(|s| s.code()).collect()),
            (
                "data-odd",
                self.odd.iter().map(|&o| ['0', '1'][o as usize]).collect(),
            ),
        ]
    }

    /// The table from the first block's attributes (`attr(name)`, `None`
    /// when missing), checked: one end, one storage and one oddness a
    /// chunk, as many chunks as the blocks hold, ends that do not go back
    /// within a block.
    pub fn parse(attr: impl Fn(&str) -> Option<String>) -> Result<ChunkTable> {
        let get = |name: &str| {
            attr(name).ok_or_else(|| {
                Error::corrupt(PAGE, format!("no {name} on the chunks"))
            })
        };
        let list = |name: &str| -> Result<Vec<usize>> {
            get(name)?
                .split(',')
                .map(|n| {
                    n.parse().map_err(|_| {
                        Error::corrupt(PAGE, format!("bad {name}: {n:?}"))
                    })
                })
                .collect()
        };
        let stored = get("data-deflated")?
            .chars()
            .map(|c| {
                Stored::from_code(c).ok_or_else(|| {
                    Error::corrupt(PAGE, format!("bad data-deflated: {c:?}"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let odd = get("data-odd")?
            .chars()
            .map(|c| match c {
                '0' => Ok(false),
                '1' => Ok(true),
                _ => Err(Error::corrupt(PAGE, format!("bad data-odd: {c:?}"))),
            })
            .collect::<Result<Vec<_>>>()?;
        let t = ChunkTable {
            counts: list("data-blocks")?,
            ends: list("data-ends")?,
            stored,
            odd,
        };
        let n = t.ends.len();
        if t.counts.iter().sum::<usize>() != n
            || t.stored.len() != n
            || t.odd.len() != n
        {
            return Err(Error::corrupt(PAGE, "chunk table counts disagree"));
        }
        if (1..=n as u32).any(|c| t.place(c).is_none()) {
            return Err(Error::corrupt(PAGE, "chunk ends go back"));
        }
        Ok(t)
    }

    /// Chunk `n` (from 1): its block (from 0), the range of its units in
    /// that block's text, and whether its last word holds one byte.
    pub fn place(&self, n: u32) -> Option<(usize, Range<usize>, bool)> {
        let i = (n as usize).checked_sub(1)?;
        let end = *self.ends.get(i)?;
        let mut first = 0;
        for (b, &count) in self.counts.iter().enumerate() {
            if i < first + count {
                let from = if i > first { self.ends[i - 1] } else { 0 };
                return (from <= end).then(|| (b, from..end, self.odd[i]));
            }
            first += count;
        }
        None
    }
}

/// The chunks blocks being written: each chunk packed on its own (so one
/// unpacks without the others), one after another, a new block started
/// between chunks once a block holds [`CHUNKS_BLOCK_UNITS`] (but never
/// before a group's later chunk, whose empty slot stays with the group).
#[derive(Default)]
pub struct ChunkBlocks {
    /// Each block's text.
    pub blocks: Vec<Vec<u16>>,
    /// Where the chunks are.
    pub table: ChunkTable,
}

impl ChunkBlocks {
    /// Appends the chunks blocks to the page's `text`, the table on the
    /// first.
    pub fn write(&self, text: &mut Vec<u16>) {
        let table: String = self
            .table
            .attributes()
            .iter()
            .map(|(name, value)| format!(" {name}=\"{value}\""))
            .collect();
        for (b, data) in self.blocks.iter().enumerate() {
            let attrs = if b == 0 { table.as_str() } else { "" };
            push_data_block(text, &chunks_block_id(b), attrs, data);
        }
    }

    /// Adds the next chunk: `bytes`, as stored (empty for
    /// [`Stored::InGroup`]).
    pub fn push(&mut self, bytes: &[u8], stored: Stored) {
        let full = self.blocks.last().is_none_or(|b| {
            b.len() >= CHUNKS_BLOCK_UNITS && stored != Stored::InGroup
        });
        if full {
            self.blocks.push(Vec::new());
            self.table.counts.push(0);
        }
        // There is a block: the first chunk started one above.
        let b = self.blocks.len() - 1;
        self.table.odd.push(pack(&mut self.blocks[b], bytes));
        self.table.ends.push(self.blocks[b].len());
        self.table.stored.push(stored);
        self.table.counts[b] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every word [`pack`] escapes, with what it is written as.
    fn escaped_words() -> Vec<(u16, [u16; 2])> {
        let mut v: Vec<(u16, [u16; 2])> = (0xD800..=0xDFFF)
            .map(|w| (w, [ESCAPE, w - 0xD800 + 0x4000]))
            .collect();
        v.extend([
            (0x0000, [ESCAPE, 0x4800]),
            (0x000D, [ESCAPE, 0x4801]),
            (0x003C, [ESCAPE, 0x4802]),
            (0x003D, [ESCAPE, 0x4803]),
        ]);
        v
    }

    fn packed(bytes: &[u8]) -> (Vec<u16>, bool) {
        let mut units = Vec::new();
        let odd = pack(&mut units, bytes);
        (units, odd)
    }

    #[test]
    fn packing_escapes_exactly_the_words_a_page_cannot_hold() {
        for (word, want) in escaped_words() {
            let (units, odd) = packed(&word.to_le_bytes());
            assert_eq!(
                (units.as_slice(), odd),
                (&want[..], false),
                "{word:#x}"
            );
            assert_eq!(unpack(&units, false).unwrap(), word.to_le_bytes());
        }
        // Every other word stands for itself.
        let escaped: std::collections::HashSet<u16> =
            escaped_words().iter().map(|e| e.0).collect();
        let plain: Vec<u8> = (0..=0xFFFFu16)
            .filter(|w| !escaped.contains(w))
            .flat_map(u16::to_le_bytes)
            .collect();
        let (units, odd) = packed(&plain);
        assert!(!odd);
        assert_eq!(units.len() * 2, plain.len());
        assert_eq!(unpack(&units, false).unwrap(), plain);
    }

    #[test]
    fn packing_round_trips_odd_lengths_and_empty() {
        assert_eq!(packed(b""), (vec![], false));
        assert_eq!(unpack(&[], false).unwrap(), b"");
        // One byte: a word padded with 0, marked odd.
        assert_eq!(packed(b"A"), (vec![0x41], true));
        assert_eq!(packed(b"<"), (vec![ESCAPE, 0x4802], true));
        assert_eq!(packed(b"\0"), (vec![ESCAPE, 0x4800], true));
        let mut x = 0x2545_F491u32;
        for len in (0..40).chain([255, 256, 4097]) {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    // xorshift: every byte value, escaped words included.
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            let (units, odd) = packed(&bytes);
            assert_eq!(odd, len % 2 == 1);
            assert_eq!(unpack(&units, odd).unwrap(), bytes, "{len} bytes");
        }
    }

    #[test]
    fn unpacking_refuses_what_packing_cannot_write() {
        for bad in [
            &[ESCAPE][..],     // an escape at the end
            &[ESCAPE, 0x3FFF], // below the escapes
            &[ESCAPE, 0x4804], // above them
            &[0xD800],         // a surrogate as it is
            &[0x0000],         // NUL, CR, '<', '=' as they are
            &[0x000D],
            &[0x003C],
        ] {
            assert!(unpack(bad, false).is_err(), "{bad:x?}");
        }
        assert!(unpack(&[0x0141], true).is_err(), "padding that is not 0");
        assert!(unpack(&[], true).is_err(), "no byte to drop");
    }

    #[test]
    fn chunk_blocks_and_their_table() {
        let mut w = ChunkBlocks::default();
        let big = vec![7u8; CHUNKS_BLOCK_UNITS * 2];
        w.push(b"abc", Stored::AsIs);
        w.push(&big, Stored::Deflated);
        // A group's later chunk stays in the full block.
        w.push(b"", Stored::InGroup);
        w.push(b"=\0<\0", Stored::Group);
        w.push(b"", Stored::InGroup);
        let t = &w.table;
        assert_eq!(t.counts, [3, 2]);
        assert_eq!(w.blocks.len(), 2);
        assert_eq!(
            t.ends,
            [2, 2 + CHUNKS_BLOCK_UNITS, 2 + CHUNKS_BLOCK_UNITS, 4, 4]
        );
        assert_eq!(t.odd, [true, false, false, false, false]);
        let attrs = t.attributes();
        assert_eq!(
            attrs.clone().map(|a| a.1),
            [
                "3,2".to_owned(),
                format!("2,{0},{0},4,4", 2 + CHUNKS_BLOCK_UNITS),
                "01323".to_owned(),
                "10000".to_owned()
            ]
        );
        let get = |name: &str| {
            attrs.iter().find(|a| a.0 == name).map(|a| a.1.clone())
        };
        let back = ChunkTable::parse(get).unwrap();
        assert_eq!(&back, t);
        // Each chunk unpacks from its place alone.
        let want: [&[u8]; 5] = [b"abc", &big, b"", b"=\0<\0", b""];
        for (n, want) in (1..).zip(want) {
            let (b, range, odd) = back.place(n).unwrap();
            assert_eq!(unpack(&w.blocks[b][range], odd).unwrap(), want);
        }
        assert_eq!(back.place(0), None);
        assert_eq!(back.place(6), None);
        assert_eq!(chunks_block_id(0), "chronicle-chunks");
        assert_eq!(chunks_block_id(1), "chronicle-chunks-2");
    }

    #[test]
    fn blocks_in_the_page() {
        let mut text = Vec::new();
        push_block(&mut text, WASM_ID, " data-x=\"1\"", b"<\0!");
        let mut w = ChunkBlocks::default();
        w.push(b"ab", Stored::AsIs);
        w.write(&mut text);
        let want = "<script type=\"application/octet-stream\" \
                    id=\"chronicle-wasm\" data-x=\"1\" data-odd=\"1\">=\u{4802}!\
                    </script>\n<script type=\"application/octet-stream\" \
                    id=\"chronicle-chunks\" data-blocks=\"1\" data-ends=\"1\" \
                    data-deflated=\"0\" data-odd=\"0\">\u{6261}</script>\n";
        assert_eq!(String::from_utf16(&text).unwrap(), want);
    }

    #[test]
    fn a_chunk_table_that_disagrees_is_an_error() {
        let table = |blocks: &str, ends: &str, deflated: &str, odd: &str| {
            let attrs = [
                ("data-blocks", blocks),
                ("data-ends", ends),
                ("data-deflated", deflated),
                ("data-odd", odd),
            ];
            ChunkTable::parse(|name| {
                attrs.iter().find(|a| a.0 == name).map(|a| a.1.to_owned())
            })
        };
        assert!(table("2", "3,5", "01", "10").is_ok());
        assert!(table("3", "3,5", "01", "10").is_err(), "count");
        assert!(table("2", "3", "01", "10").is_err(), "ends");
        assert!(table("2", "3,5", "0", "10").is_err(), "storage");
        assert!(table("2", "3,5", "01", "1").is_err(), "oddness");
        assert!(table("2", "5,3", "01", "10").is_err(), "an end goes back");
        assert!(table("2", "3,x", "01", "10").is_err(), "a number");
        assert!(table("2", "3,5", "04", "10").is_err(), "a storage code");
        assert!(table("2", "3,5", "01", "12").is_err(), "an oddness code");
        assert!(ChunkTable::parse(|_| None).is_err(), "no attributes");
    }

    #[test]
    fn groups_round_trip_and_bad_bytes_are_errors() {
        let blocks: Vec<Vec<u8>> = (0..19)
            .map(|i| {
                format!(
                    "event {i}: the same words again, and {}",
                    "x".repeat(i)
                )
                .repeat(20 + i)
                .into_bytes()
            })
            .collect();
        let refs: Vec<&[u8]> = blocks.iter().map(Vec::as_slice).collect();
        let dict = dictionary(&refs);
        assert!(!dict.is_empty() && dict.len() <= DICT_BYTES);
        let groups = compress_groups(&refs, &dict).unwrap();
        assert_eq!(groups.len(), 3);
        let back: Vec<Vec<u8>> = groups
            .iter()
            .flat_map(|g| decompress_group(g, &dict).unwrap())
            .collect();
        assert_eq!(back, blocks);
        // Cut short, or a header that cannot be: errors.
        let g = &groups[1];
        assert!(decompress_group(&g[..g.len() / 2], &dict).is_err());
        assert!(decompress_group(&[], &dict).is_err());
        assert!(decompress_group(&[9, 1, 1, 1], &dict).is_err());
        assert!(decompress_group(&[1, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], &dict)
            .is_err());
    }
}
