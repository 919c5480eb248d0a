//! The two checksums an index carries: CRC-32 (IEEE, as zip and gzip)
//! over the whole file, and the fst's masked CRC-32C (Castagnoli) over
//! the term dictionary.
//!
//! crc32fast and fst each ship a 16 KB precomputed slice-by-16 table;
//! in wasm the slice-by-8 tables here are computed on the stack per call
//! (a few microseconds), which keeps 33 KB of tables out of the module and
//! is faster there too (29 ms for the 37 MB demo index in Node, against
//! 47 ms). Natively CRC-32 stays crc32fast's (SIMD, four times faster).

/// The reflected IEEE 802.3 polynomial.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const IEEE: u32 = 0xEDB8_8320;
/// The reflected Castagnoli polynomial.
const CASTAGNOLI: u32 = 0x82F6_3B78;

/// The CRC-32 of `bytes` (the same as `crc32fast::hash`).
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    #[cfg(target_arch = "wasm32")]
    return crc(IEEE, bytes);
    #[cfg(not(target_arch = "wasm32"))]
    return crc32fast::hash(bytes);
}

/// Checks the checksum at the end of an fst's bytes as
/// `fst::raw::Fst::verify` does; the error is the text of fst's error.
pub(crate) fn verify_fst(fst: &[u8]) -> Result<(), &'static str> {
    const ERR: &str = "FST error";
    // Checksums exist from fst format version 3 on.
    let version = fst
        .get(..8)
        .map_or(0, |v| u64::from_le_bytes(v.try_into().unwrap_or_default()));
    let body = fst.len().checked_sub(4).filter(|_| version > 2).ok_or(ERR)?;
    let mut stored = [0; 4];
    stored.copy_from_slice(&fst[body..]);
    let sum = crc(CASTAGNOLI, &fst[..body]);
    let masked = sum.rotate_right(15).wrapping_add(0xA282_EAD8);
    if masked == u32::from_le_bytes(stored) {
        Ok(())
    } else {
        Err(ERR)
    }
}

/// A reflected CRC-32 with polynomial `poly`, slice-by-8.
fn crc(poly: u32, bytes: &[u8]) -> u32 {
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
    let mut c = !0u32;
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
    !c
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

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
    }

    #[test]
    fn crc32c_check_value() {
        assert_eq!(crc(CASTAGNOLI, b"123456789"), 0xE306_9283);
    }

    #[test]
    fn verify_fst_is_fst_verify() {
        let mut keys: Vec<String> =
            (0..500).map(|i| format!("term{i:05}")).collect();
        keys.sort();
        let map = fst::Map::from_iter(keys.iter().map(|k| (k.as_str(), 1u64)))
            .unwrap();
        let good = map.as_fst().as_bytes().to_vec();
        assert_eq!(verify_fst(&good), Ok(()));
        for at in [0, 9, good.len() / 2, good.len() - 5, good.len() - 1] {
            let mut bad = good.clone();
            bad[at] ^= 0x40;
            // Compare where fst itself opens the bytes.
            let Ok(f) = fst::raw::Fst::new(bad.clone()) else { continue };
            let want = f.verify().map_err(|e| e.to_string());
            assert_eq!(verify_fst(&bad).map_err(str::to_owned), want, "{at}");
        }
        assert!(verify_fst(&[]).is_err());
    }
}
