//! The offline file's LZMA codec for doc-store blocks, `chronicle bundle
//! --doc-store lzma` (native only; the page decodes in JavaScript,
//! `widget/offline.js`).
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

#[cfg(test)]
mod tests {
    use super::*;

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
