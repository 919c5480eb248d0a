//! Helpers shared by the native integration tests.
// Each test binary uses only some of them.
#![allow(dead_code)]

use chronicle::input::{self, Origin};
use chronicle::Event;

/// A small deterministic generator (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }
}

/// The events of a JSONL file in this repository (`path` relative to it).
pub fn read_events(path: &str) -> Vec<(Event, Origin)> {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    input::read_all(&[path.into()], &Default::default(), &|_| {})
        .unwrap()
        .events
        .to_vec()
}
