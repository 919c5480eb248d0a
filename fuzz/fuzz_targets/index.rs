//! Target `index`: see `chronicle_fuzz::index` (fuzz/src/lib.rs) for the
//! input it reads and what it does with it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chronicle_fuzz::index(data));
