//! Target `split`: see `chronicle_fuzz::split` (fuzz/src/lib.rs) for the
//! input it reads and what it does with it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chronicle_fuzz::split(data));
