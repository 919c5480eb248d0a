//! Helpers shared by the native integration tests.
// Each test binary uses only some of them.
#![allow(dead_code)]

use chronicle::format::Outside;
use chronicle::input::{self, Origin};
use chronicle::{Event, Index, Result};

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

/// The end of a file, from `at` on, kept out of the index's memory (as a
/// browser keeps a single file's doc store) and given back spoilt as
/// `spoil` says: 0 not, 1 a byte short, 2 a byte long, 3 not at all, 4
/// with its first byte flipped.
pub struct Rest {
    pub at: usize,
    pub bytes: Vec<u8>,
    pub spoil: u8,
}

impl Outside for Rest {
    fn read(&self, at: usize, len: usize) -> Option<Vec<u8>> {
        let from = at.checked_sub(self.at)?;
        let mut v = self.bytes.get(from..from.checked_add(len)?)?.to_vec();
        match self.spoil {
            1 => drop(v.pop()),
            2 => v.push(0),
            3 => return None,
            4 => v.iter_mut().take(1).for_each(|b| *b ^= 1),
            _ => {}
        }
        Some(v)
    }
}

/// `bytes` opened with its first `cut` bytes in memory and the rest read
/// from outside it ([`Rest`], spoilt as `spoil` says).
pub fn held(bytes: &[u8], cut: usize, spoil: u8) -> Result<Index<Vec<u8>>> {
    let cut = cut.min(bytes.len());
    let rest = Rest { at: cut, bytes: bytes[cut..].to_vec(), spoil };
    Index::with_outside(bytes[..cut].to_vec(), bytes.len(), Box::new(rest))
}
