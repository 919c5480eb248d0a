//! A structural check of a lexicon shard's fst before anything walks it.
//!
//! The fst crate trusts its bytes: `fst::Map::new` checks little more
//! than the length and the version, and a node whose sizes or addresses
//! are wrong makes a later lookup index out of bounds (a panic, which in
//! wasm kills the page), loop, or add outputs until they overflow. Its
//! checksum proves nothing against bytes made on purpose, since anyone
//! can recompute it. So before an fst is handed to the crate, [`verify`]
//! decodes every node reachable from the root once, following fst 0.4's
//! raw format (`fst::raw::node`), and checks every read and every
//! address against the bytes. When it passes, these hold, and fst's own
//! traversal (lookups, streams, ranges, automata) cannot go wrong:
//!
//! * every node lies inside the node area (after the 16-byte header,
//!   before the 20-byte footer), and its transitions, outputs, input
//!   index and packed sizes (1..=8 bytes for addresses, 0..=8 for
//!   outputs) lie inside the node;
//! * every transition leads to a lower address (or to the empty final
//!   node, address 0), so the graph has no cycle: every walk ends;
//! * a node's inputs strictly increase, so no key is spelled twice (a
//!   lookup through a node's 256-byte input index lands on one of the
//!   node's transitions, all checked, or on none: a wrong index can make
//!   a lookup miss, not read out of bounds);
//! * every node but the root leads to at least one key, so the number of
//!   paths a walk can take is bounded by the keys and their lengths;
//! * the number of keys is the one the fst states and the caller expects,
//!   no key is longer than `max_key` bytes, and no key's output (the sum
//!   along its path) is above the caller's bound, so no sum overflows.
//!
//! The check itself is iterative (an explicit stack, no recursion),
//! decodes each address once in each of its two passes (a visited bitmap
//! bounds the first by the byte length), and a node costs its
//! transitions, each of which takes at least one of its bytes: time is
//! linear in the length of the fst, and so is memory: two bits per byte,
//! and 16 bytes per reachable node (at most one per byte, about one per
//! three in practice), freed when the check ends. The bundled archive's
//! 50 shards (506 KB) take about 6 ms natively.

/// The fst format version fst 0.4 writes: the only one accepted (it is
/// the first with a checksum).
const VERSION: u64 = 3;
/// fst's header: version and type, a u64 each.
const HEADER: usize = 16;
/// fst's footer: key count and root address (u64 each), checksum (u32).
const FOOTER: usize = 20;
/// The address of the empty final node, which takes no bytes.
const EMPTY: usize = 0;
/// Nodes with more transitions carry a 256-byte input index (fst's
/// `TRANS_INDEX_THRESHOLD`).
const INDEX_THRESHOLD: usize = 32;

type Check<T> = Result<T, &'static str>;

/// Errors, by what they are about.
const HEAD: &str = "fst header is not fst 0.4's";
const BOUNDS: &str = "fst node out of bounds";
const KEYS: &str = "fst keys do not match the shard";
const OUTPUTS: &str = "fst outputs out of range";

/// Checks that `fst` is an fst fst 0.4 can walk safely (see the module
/// documentation), with exactly `keys` keys, none longer than `max_key`
/// bytes, whose outputs are below `outputs_below`.
pub(crate) fn verify(
    fst: &[u8],
    keys: u64,
    outputs_below: u64,
    max_key: usize,
) -> Check<()> {
    if fst.len() < HEADER + FOOTER
        || u32::try_from(fst.len()).is_err()
        || le(&fst[..8]) != VERSION
    {
        return Err(HEAD);
    }
    let end = fst.len() - 4;
    let stated = le(&fst[end - 16..end - 8]);
    let root = le(&fst[end - 8..end]);
    if stated != keys {
        return Err(KEYS);
    }
    // The root is the last node written: its last byte comes just before
    // the footer. Only an fst whose one key is empty has no node at all.
    let root = if root == EMPTY as u64 && fst.len() == HEADER + FOOTER {
        EMPTY
    } else if root == (fst.len() - FOOTER - 1) as u64 && root >= HEADER as u64
    {
        fst.len() - FOOTER - 1
    } else {
        return Err(HEAD);
    };
    let (count, hi) = if root == EMPTY {
        (1, 0)
    } else {
        summarise(fst, &reachable(fst, root)?, max_key)?
    };
    if count != keys {
        return Err(KEYS);
    }
    if count > 0 && hi >= outputs_below {
        return Err(OUTPUTS);
    }
    Ok(())
}

/// Little-endian unsigned integer of up to 8 bytes.
fn le(b: &[u8]) -> u64 {
    let mut n = 0;
    for &x in b.iter().rev() {
        n = n << 8 | u64::from(x);
    }
    n
}

/// Byte `i` of the node area.
fn byte(fst: &[u8], i: usize) -> Option<u8> {
    if i < HEADER {
        return None;
    }
    fst.get(i).copied()
}

/// The `n`-byte integer at `at` of the node area.
fn uint(fst: &[u8], at: usize, n: usize) -> Option<u64> {
    if at < HEADER {
        return None;
    }
    fst.get(at..at.checked_add(n)?).map(le)
}

/// Where a transition whose node starts at `end` and whose packed
/// address is `delta` leads (fst's `unpack_delta`): 0 is the empty final
/// node, anything else lies below `end` and inside the node area.
fn target(end: usize, delta: u64) -> Option<usize> {
    if delta == 0 {
        return Some(EMPTY);
    }
    let to = end.checked_sub(usize::try_from(delta).ok()?)?;
    (to >= HEADER).then_some(to)
}

/// Decodes the node whose last byte is at `a` as fst 0.4 does, checking
/// every read; calls `edge(output, target)` for each transition in input
/// order and returns whether the node is final, with its final output.
/// `None` when the node does not fit its bytes.
fn node(
    fst: &[u8],
    a: usize,
    edge: &mut dyn FnMut(u64, usize),
) -> Option<(bool, u64)> {
    let v = byte(fst, a)?;
    // The input byte is stored unless it is one of the common inputs the
    // state byte's low six bits name.
    let input_len = usize::from(v & 0x3f == 0);
    // Below the state byte, from the top: (for any number of transitions)
    // their count when it is not in the state byte; the packed sizes;
    // the input index (over 32 transitions); the inputs (one transition:
    // above the sizes instead); the addresses; the outputs; the final
    // output.
    let (n, inputs, p, is_final) = match v >> 6 {
        // One transition, to the node written just before this one.
        0b11 => {
            let end = a.checked_sub(input_len)?;
            byte(fst, end)?;
            let to = end.checked_sub(1)?;
            byte(fst, to)?;
            edge(0, to);
            return Some((false, 0));
        }
        // One transition, with its address and output.
        0b10 => (1, 0, a.checked_sub(input_len + 1)?, false),
        // Any number of transitions (0..=256), maybe final.
        _ => {
            let (n, n_len) = match v & 0x3f {
                0 => match byte(fst, a.checked_sub(1)?)? {
                    // One transition is never stored here: 1 means 256.
                    1 => (256, 1),
                    n => (usize::from(n), 1),
                },
                n => (usize::from(n), 0),
            };
            (n, n, a.checked_sub(n_len + 1)?, v & 0x40 != 0)
        }
    };
    let sizes = byte(fst, p)?;
    let (t, o) = (usize::from(sizes >> 4), usize::from(sizes & 0x0f));
    if t > 8 || o > 8 || (n > 0 && t == 0) {
        return None;
    }
    let index = if n > INDEX_THRESHOLD { 256 } else { 0 };
    let addrs = p.checked_sub(index + inputs)?;
    let outs = addrs.checked_sub(n * t)?;
    let end = outs.checked_sub(n * o + if is_final { o } else { 0 })?;
    if end < HEADER {
        return None;
    }
    // Every read below lies in end..p, checked just above.
    let final_out = if is_final { uint(fst, end, o)? } else { 0 };
    let mut last: Option<u8> = None;
    for i in 0..n {
        if inputs > 0 {
            let inp = byte(fst, p - index - i - 1)?;
            if last.is_some_and(|l| l >= inp) {
                return None;
            }
            last = Some(inp);
        }
        let delta = uint(fst, addrs - (i + 1) * t, t)?;
        let out = uint(fst, outs - (i + 1) * o, o)?;
        edge(out, target(end, delta)?);
    }
    Some((is_final, final_out))
}

/// The nodes reachable from `root`, each decoded (and so checked) once:
/// a bitmap of their addresses.
fn reachable(fst: &[u8], root: usize) -> Check<Vec<u32>> {
    let mut seen = vec![0u32; fst.len().div_ceil(32)];
    // Addresses fit in u32 (checked in `verify`); each is pushed once.
    let mut stack = vec![root as u32];
    seen[root / 32] |= 1 << (root % 32);
    while let Some(a) = stack.pop() {
        node(fst, a as usize, &mut |_, to| {
            // Targets lie below `a` (checked in `node`), so inside `seen`.
            let (w, bit) = (to / 32, 1u32 << (to % 32));
            if to != EMPTY && seen[w] & bit == 0 {
                seen[w] |= bit;
                stack.push(to as u32);
            }
        })
        .ok_or(BOUNDS)?;
    }
    Ok(seen)
}

/// Per node, from the lowest address up (a transition leads lower, so
/// its target is done first): the keys it leads to, their greatest output
/// and the longest. Returns the root's (the last node) key count and
/// greatest output. Keys and outputs are u32 (a shard's ordinals are),
/// so a node's summary takes 12 bytes.
fn summarise(fst: &[u8], seen: &[u32], max_key: usize) -> Check<(u64, u64)> {
    #[derive(Clone, Copy)]
    struct Sum {
        keys: u32,
        hi: u32,
        longest: u16,
    }
    const FINAL_EMPTY: Sum = Sum { keys: 1, hi: 0, longest: 0 };
    // A node's number is the count of reachable addresses below it.
    let mut below = Vec::with_capacity(seen.len());
    let mut n = 0u32;
    for &w in seen {
        below.push(n);
        n += w.count_ones();
    }
    let rank = |a: usize| {
        below[a / 32] as usize
            + (seen[a / 32] & ((1u32 << (a % 32)) - 1)).count_ones() as usize
    };
    let mut sums: Vec<Sum> = Vec::with_capacity(n as usize);
    for (w, &bits) in seen.iter().enumerate() {
        let mut bits = bits;
        while bits != 0 {
            let a = w * 32 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let mut s = Sum { keys: 0, hi: 0, longest: 0 };
            let mut overflow = false;
            let fin = node(fst, a, &mut |out, to| {
                // Reachable from this node, and lower: done already.
                let t = match to {
                    EMPTY => FINAL_EMPTY,
                    _ => match sums.get(rank(to)) {
                        Some(&t) => t,
                        None => {
                            overflow = true;
                            return;
                        }
                    },
                };
                s.keys = s.keys.saturating_add(t.keys);
                match u64::from(t.hi).checked_add(out).map(u32::try_from) {
                    Some(Ok(h)) => s.hi = s.hi.max(h),
                    _ => overflow = true,
                }
                s.longest = s.longest.max(t.longest + 1);
            });
            let (is_final, f) = fin.ok_or(BOUNDS)?;
            if overflow {
                return Err(OUTPUTS);
            }
            if is_final {
                s.keys = s.keys.saturating_add(1);
                s.hi = s.hi.max(u32::try_from(f).map_err(|_| OUTPUTS)?);
            }
            if (s.keys == 0 && sums.len() + 1 < n as usize)
                || usize::from(s.longest) > max_key
            {
                return Err(KEYS);
            }
            sums.push(s);
        }
    }
    let root = sums.last().ok_or(KEYS)?;
    Ok((root.keys.into(), root.hi.into()))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn map<K: AsRef<[u8]>>(keys: &[K]) -> Vec<u8> {
        fst::Map::from_iter(
            keys.iter().enumerate().map(|(i, k)| (k, 100 + i as u64)),
        )
        .unwrap()
        .into_fst()
        .into_inner()
    }

    fn keys(n: usize) -> Vec<String> {
        let mut k: Vec<String> = (0..n)
            .map(|i| format!("w{}{i:05}", ["a", "ab", "abc"][i % 3]))
            .collect();
        k.sort();
        k
    }

    fn check(b: &[u8], n: usize) -> Check<()> {
        verify(b, n as u64, 100 + n as u64, 255)
    }

    #[test]
    fn good_fsts_pass() {
        for n in [0, 1, 2, 40, 3000] {
            let b = map(&keys(n));
            assert_eq!(check(&b, n), Ok(()), "{n} keys");
        }
        // Nodes with more than 32 transitions carry an input index.
        let wide: Vec<[u8; 2]> = (0u8..=255).map(|b| [b, b'x']).collect();
        let b = map(&wide);
        assert_eq!(check(&b, wide.len()), Ok(()));
        // The empty key alone: one final node with its output, or with
        // output 0 no node at all.
        assert_eq!(check(&map(&[""]), 1), Ok(()));
        let b = fst::Map::from_iter([("", 0u64)]).unwrap().into_fst();
        let b = b.into_inner();
        assert_eq!(b.len(), HEADER + FOOTER);
        assert_eq!(verify(&b, 1, 1, 255), Ok(()));
    }

    #[test]
    fn wrong_counts_and_outputs_fail() {
        let b = map(&keys(40));
        assert_eq!(check(&b, 39), Err(KEYS));
        assert_eq!(verify(&b, 40, 139, 255), Err(OUTPUTS));
        assert_eq!(verify(&b, 40, 140, 5), Err(KEYS));
        assert_eq!(verify(&b[..30], 40, 140, 255), Err(HEAD));
    }

    /// Every single-bit flip and every byte set to 0, 0xff or 0x80 in
    /// the node area either fails the check or leaves an fst that fst
    /// walks without panicking.
    #[test]
    fn damaged_fsts_fail_or_walk_safely() {
        use fst::{IntoStreamer, Streamer};
        let ks = keys(60);
        let good = map(&ks);
        let mut passed = 0;
        let mut cases = Vec::new();
        for (at, &byte) in good[..good.len() - 4].iter().enumerate() {
            for bit in 0..8 {
                cases.push((at, byte ^ 1 << bit));
            }
            cases.extend([(at, 0), (at, 0xff), (at, 0x80)]);
        }
        for (at, v) in cases {
            let mut b = good.clone();
            b[at] = v;
            if check(&b, ks.len()).is_err() {
                continue;
            }
            passed += 1;
            let m = fst::Map::new(b).unwrap();
            let mut n = 0;
            let mut st = m.stream();
            while st.next().is_some() {
                n += 1;
            }
            assert_eq!(n, ks.len());
            for k in &ks {
                let _ = m.get(k);
                let _ = m.range().ge(&k[..3]).into_stream().next();
            }
        }
        // Some damage keeps a valid fst (an output changed, say).
        assert!(passed > 0);
    }
}
