//! The checksum an index carries: CRC-32 (IEEE, as zip and gzip) over
//! the whole file (and over each chunk of a split index).
//!
//! A lexicon shard's fst carries its own CRC-32C too, which the reader
//! does not check: the file's (or the chunk's) CRC32 covers the same
//! bytes against accidental damage, and against bytes made on purpose a
//! checksum proves nothing (anyone can recompute it); what protects the
//! reader there is the fst's structure check (`format::fstcheck`).
//!
//! crc32fast ships a 16 KB precomputed slice-by-16 table (and fst
//! another, for its own checksum); in wasm the slice-by-8 tables here
//! are computed on the stack per call (a few microseconds), which keeps
//! those tables out of the module and is faster there too (29 ms for the 37 MB demo index in Node, against
//! 47 ms). Natively CRC-32 stays crc32fast's (SIMD, four times faster).

/// The reflected IEEE 802.3 polynomial.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const IEEE: u32 = 0xEDB8_8320;

/// The CRC-32 of `bytes` (the same as `crc32fast::hash`).
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    crc32_more(0, bytes)
}

/// The CRC-32 of some bytes followed by `bytes`, from `crc`, the CRC-32
/// of those (0 for none): a file's, taken a piece at a time.
pub(crate) fn crc32_more(crc: u32, bytes: &[u8]) -> u32 {
    #[cfg(target_arch = "wasm32")]
    return !step(&table(IEEE), !crc, bytes);
    #[cfg(not(target_arch = "wasm32"))]
    {
        let mut h = crc32fast::Hasher::new_with_initial(crc);
        h.update(bytes);
        h.finalize()
    }
}

/// The slice-by-8 tables of a reflected CRC-32 with polynomial `poly`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn table(poly: u32) -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    for (i, e) in t[0].iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = (c >> 1) ^ (poly & (c & 1).wrapping_neg());
        }
        *e = c;
    }
    for k in 1..8 {
        for i in 0..256 {
            let p = t[k - 1][i];
            t[k][i] = (p >> 8) ^ t[0][(p & 0xff) as usize];
        }
    }
    t
}

/// The running (inverted) CRC `c` carried over `bytes`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn step(t: &[[u32; 256]; 8], mut c: u32, bytes: &[u8]) -> u32 {
    let mut chunks = bytes.chunks_exact(8);
    for b in &mut chunks {
        let lo = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        c = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][b[4] as usize]
            ^ t[2][b[5] as usize]
            ^ t[1][b[6] as usize]
            ^ t[0][b[7] as usize];
    }
    for &b in chunks.remainder() {
        c = t[0][((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    c
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// A reflected CRC-32 with polynomial `poly`, slice-by-8.
    fn crc(poly: u32, bytes: &[u8]) -> u32 {
        !step(&table(poly), !0, bytes)
    }

    fn bytes(n: usize) -> Vec<u8> {
        let mut x = 0x2545_f491_u32;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    #[test]
    fn crc32_is_crc32fast() {
        assert_eq!(crc(IEEE, b"123456789"), 0xCBF4_3926);
        let b = bytes(5000);
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 100, 4999, 5000] {
            assert_eq!(crc(IEEE, &b[..n]), crc32fast::hash(&b[..n]), "{n}");
        }
        // Pieces of any length, in wasm's loop and natively.
        for cut in [0, 1, 7, 8, 13, 4096, 5000] {
            let c = crc32_more(crc32_more(0, &b[..cut]), &b[cut..]);
            assert_eq!(c, crc32fast::hash(&b), "{cut}");
            let t = table(IEEE);
            assert_eq!(
                !step(&t, step(&t, !0, &b[..cut]), &b[cut..]),
                crc32fast::hash(&b)
            );
        }
    }
}
