//! The doc-store block decoders under comparison, one per feature. The
//! native measurement calls these types; the wasm build (one feature)
//! exports `decode` over them, to weigh and time each decoder in wasm.
//!
//! Each `Decoder` is made once with the preset dictionary (empty for
//! none) and then decodes a block into a caller's buffer, returning the
//! number of bytes written, or `None` on any error or overflow.

/// Raw DEFLATE with an optional preset dictionary, inflated by
/// miniz_oxide exactly as `src/format/read.rs` `inflate` does: the
/// dictionary is placed before the output as DEFLATE's window.
#[cfg(feature = "deflate")]
pub mod deflate {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;

    pub struct Decoder {
        dict: Vec<u8>,
        buf: Vec<u8>,
        r: Box<DecompressorOxide>,
    }

    impl Decoder {
        pub fn new(dict: &[u8]) -> Self {
            Decoder { dict: dict.to_vec(), buf: Vec::new(), r: Box::default() }
        }

        pub fn decode(&mut self, z: &[u8], out: &mut [u8]) -> Option<usize> {
            let d = self.dict.len();
            let need = d + out.len();
            if self.buf.len() < need {
                self.buf.resize(need, 0);
            }
            self.buf[..d].copy_from_slice(&self.dict);
            self.r.init();
            let (status, _, n) = decompress(
                &mut self.r,
                z,
                &mut self.buf[..need],
                d,
                inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
            );
            if status != TINFLStatus::Done {
                return None;
            }
            out[..n].copy_from_slice(&self.buf[d..d + n]);
            Some(n)
        }
    }
}

/// zstd frames, decoded by ruzstd (pure Rust); the dictionary, if any, is
/// a zstd-format dictionary (as `zstd --train` / ZDICT writes).
#[cfg(feature = "zstd")]
pub mod zstd {
    use ruzstd::decoding::dictionary::Dictionary;
    use ruzstd::FrameDecoder;

    pub struct Decoder {
        fd: FrameDecoder,
    }

    impl Decoder {
        pub fn new(dict: &[u8]) -> Self {
            let mut fd = FrameDecoder::new();
            if !dict.is_empty() {
                let d = Dictionary::decode_dict(dict).expect("a zstd dictionary");
                fd.add_dict(d).expect("dictionary added");
            }
            Decoder { fd }
        }

        pub fn decode(&mut self, z: &[u8], out: &mut [u8]) -> Option<usize> {
            self.fd.decode_all(z, out).ok()
        }
    }
}

/// Brotli streams, decoded by brotli-decompressor (pure Rust).
#[cfg(feature = "brotli")]
pub mod brotli {
    pub struct Decoder;

    impl Decoder {
        pub fn new(dict: &[u8]) -> Self {
            assert!(dict.is_empty(), "no dictionary for brotli here");
            Decoder
        }

        pub fn decode(&mut self, z: &[u8], out: &mut [u8]) -> Option<usize> {
            let cap = out.len();
            let mut w: &mut [u8] = out;
            brotli_decompressor::BrotliDecompress(&mut &z[..], &mut w).ok()?;
            Some(cap - w.len())
        }
    }
}

/// The wasm exports: `alloc`, `set_dict` and `decode`, over whichever
/// codec the build enabled (exactly one, or none for the baseline).
#[cfg(target_arch = "wasm32")]
mod exports {
    #[cfg(feature = "brotli")]
    use crate::brotli::Decoder;
    #[cfg(feature = "deflate")]
    use crate::deflate::Decoder;
    #[cfg(feature = "zstd")]
    use crate::zstd::Decoder;

    #[cfg(any(feature = "deflate", feature = "zstd", feature = "brotli"))]
    static mut DECODER: Option<Decoder> = None;

    /// A buffer of `n` bytes that lives for ever.
    #[no_mangle]
    pub extern "C" fn alloc(n: usize) -> *mut u8 {
        Vec::leak(vec![0u8; n]).as_mut_ptr()
    }

    /// Makes the decoder, with the preset dictionary at `p..p + n`.
    #[no_mangle]
    pub unsafe extern "C" fn set_dict(p: *const u8, n: usize) {
        let dict = if n == 0 { &[][..] } else { core::slice::from_raw_parts(p, n) };
        #[cfg(any(feature = "deflate", feature = "zstd", feature = "brotli"))]
        {
            *core::ptr::addr_of_mut!(DECODER) = Some(Decoder::new(dict));
        }
        #[cfg(not(any(feature = "deflate", feature = "zstd", feature = "brotli")))]
        let _ = dict;
    }

    /// Decodes the block at `src..src + n` into `dst..dst + cap`: the
    /// bytes written, or -1.
    #[no_mangle]
    pub unsafe extern "C" fn decode(src: *const u8, n: usize, dst: *mut u8, cap: usize) -> isize {
        let z = core::slice::from_raw_parts(src, n);
        let out = core::slice::from_raw_parts_mut(dst, cap);
        #[cfg(any(feature = "deflate", feature = "zstd", feature = "brotli"))]
        {
            match (*core::ptr::addr_of_mut!(DECODER)).as_mut().and_then(|d| d.decode(z, out)) {
                Some(k) => k as isize,
                None => -1,
            }
        }
        #[cfg(not(any(feature = "deflate", feature = "zstd", feature = "brotli")))]
        {
            // Baseline: a copy, so the module has the same shape.
            let k = n.min(cap);
            out[..k].copy_from_slice(&z[..k]);
            k as isize
        }
    }
}
