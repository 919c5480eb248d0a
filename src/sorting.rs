//! Sorting for the query path, small in wasm.
//!
//! Each `sort_unstable_by`, `select_nth_unstable_by` or `sort_by_key` of
//! the standard library is a separate 3–8 KB copy of its algorithm per
//! element type and comparator: a dozen of them were a sixth of the
//! wasm. In wasm these helpers use a heapsort, a heap selection and an
//! LSD radix sort instead (a few hundred bytes each; the radix sort is
//! also faster there); natively they are the standard library's.
//!
//! The results are the same either way because every caller sorts by a
//! total order in which only identical elements compare equal (a
//! document or term id breaks ties), or asks for a stable sort, which
//! the radix sort is.

use std::cmp::Ordering;

/// `v.sort_unstable_by(cmp)`, where `cmp` is a total order under which
/// only identical elements are equal.
pub(crate) fn sort_by<T>(v: &mut [T], cmp: impl FnMut(&T, &T) -> Ordering) {
    #[cfg(target_arch = "wasm32")]
    heapsort(v, cmp);
    #[cfg(not(target_arch = "wasm32"))]
    v.sort_unstable_by(cmp);
}

/// `v.select_nth_unstable_by(k, cmp)` (`k < v.len()`), with `cmp` as
/// for [`sort_by`]: afterwards `v[k]` is the element a sort would put
/// there, those before it are smaller and those after it larger.
pub(crate) fn select_nth_by<T>(
    v: &mut [T],
    k: usize,
    cmp: impl FnMut(&T, &T) -> Ordering,
) {
    #[cfg(target_arch = "wasm32")]
    heap_select(v, k, cmp);
    #[cfg(not(target_arch = "wasm32"))]
    v.select_nth_unstable_by(k, cmp);
}

/// The `k` smallest elements of `v` under `cmp` (as for [`sort_by`]), in
/// order, `v` left as it is: a max-heap of `k` kept over one pass, so a
/// few hits are taken from many matches with room for the few only.
pub(crate) fn smallest_by<T: Copy>(
    v: &[T],
    k: usize,
    mut cmp: impl FnMut(&T, &T) -> Ordering,
) -> Vec<T> {
    let k = k.min(v.len());
    let mut heap: Vec<T> = v[..k].to_vec();
    for i in (0..k / 2).rev() {
        sift_down(&mut heap, i, k, &mut cmp);
    }
    for x in &v[k..] {
        if k > 0 && cmp(x, &heap[0]).is_lt() {
            heap[0] = *x;
            sift_down(&mut heap, 0, k, &mut cmp);
        }
    }
    heapsort(&mut heap, cmp);
    heap
}

/// A stable sort by a `u64` key (`v.sort_by_key(key)`).
pub(crate) fn sort_by_key<T: Copy>(v: &mut [T], key: impl Fn(&T) -> u64) {
    #[cfg(target_arch = "wasm32")]
    radix_sort(v, &key);
    #[cfg(not(target_arch = "wasm32"))]
    v.sort_by_key(key);
}

/// A set of ids (term ordinals, documents) kept as a sorted list: the
/// query path's sets are small, and a hash set would be the only hash
/// table in the wasm (with its hasher, about 1.5 KB gzipped).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ids(Vec<u32>);

impl Ids {
    /// Adds `id`; false when it was already in.
    pub fn insert(&mut self, id: u32) -> bool {
        match self.0.binary_search(&id) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, id);
                true
            }
        }
    }

    /// Whether `id` is in.
    pub fn contains(&self, id: u32) -> bool {
        self.0.binary_search(&id).is_ok()
    }

    /// How many ids are in.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when none is.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().copied()
    }
}

/// Moves the largest element of `v[node..end]`'s heap below `node` up.
fn sift_down<T>(
    v: &mut [T],
    mut node: usize,
    end: usize,
    cmp: &mut impl FnMut(&T, &T) -> Ordering,
) {
    loop {
        let mut child = 2 * node + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && cmp(&v[child], &v[child + 1]).is_lt() {
            child += 1;
        }
        if !cmp(&v[node], &v[child]).is_lt() {
            return;
        }
        v.swap(node, child);
        node = child;
    }
}

fn heapsort<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift_down(v, i, n, &mut cmp);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end, &mut cmp);
    }
}

/// Keeps the `k + 1` smallest elements in a max-heap at the front, then
/// puts the largest of them at `k`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn heap_select<T>(
    v: &mut [T],
    k: usize,
    mut cmp: impl FnMut(&T, &T) -> Ordering,
) {
    let m = k + 1;
    if m > v.len() {
        return;
    }
    for i in (0..m / 2).rev() {
        sift_down(v, i, m, &mut cmp);
    }
    for i in m..v.len() {
        if cmp(&v[i], &v[0]).is_lt() {
            v.swap(0, i);
            sift_down(v, 0, m, &mut cmp);
        }
    }
    v.swap(0, k);
}

/// LSD radix sort, a byte at a time, skipping bytes all keys share.
/// Stable.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn radix_sort<T: Copy>(v: &mut [T], key: &dyn Fn(&T) -> u64) {
    if v.len() < 2 {
        return;
    }
    let mut from: Vec<T> = v.to_vec();
    let mut to: Vec<T> = v.to_vec();
    for shift in (0..64).step_by(8) {
        let digit = |x: &T| (key(x) >> shift) as u8 as usize;
        let mut at = [0usize; 256];
        for x in &from {
            at[digit(x)] += 1;
        }
        if at.contains(&from.len()) {
            continue;
        }
        let mut sum = 0;
        for a in &mut at {
            (*a, sum) = (sum, sum + *a);
        }
        for x in &from {
            let d = digit(x);
            to[at[d]] = *x;
            at[d] += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    v.copy_from_slice(&from);
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn numbers(n: usize, modulo: u32, mut x: u32) -> Vec<u32> {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x % modulo
            })
            .collect()
    }

    #[test]
    fn the_smallest_are_those_a_sort_puts_first() {
        for (n, modulo) in [(0, 1), (1, 5), (9, 3), (500, 7), (3000, 1 << 30)]
        {
            let keys = numbers(n, modulo, 0x51ed ^ n as u32);
            let v: Vec<(u32, u32)> = keys.into_iter().zip(0..).collect();
            let cmp = |a: &(u32, u32), b: &(u32, u32)| {
                b.0.cmp(&a.0).then(a.1.cmp(&b.1))
            };
            let mut sorted = v.clone();
            sorted.sort_unstable_by(cmp);
            for k in [0, 1, 10, n / 2, n, n + 3] {
                let got = smallest_by(&v, k, cmp);
                assert_eq!(got, sorted[..k.min(n)], "{n} {k}");
            }
        }
    }

    #[test]
    fn heapsort_and_select_agree_with_std() {
        for (n, modulo) in
            [(0, 1), (1, 5), (2, 5), (7, 3), (100, 10), (3000, 1 << 30)]
        {
            let keys = numbers(n, modulo, 0x9e37_79b9 ^ n as u32);
            // (key, id): ties on the key are broken by the unique id.
            let v: Vec<(u32, u32)> = keys.into_iter().zip(0..).collect();
            let cmp = |a: &(u32, u32), b: &(u32, u32)| {
                b.0.cmp(&a.0).then(a.1.cmp(&b.1))
            };
            let mut want = v.clone();
            want.sort_unstable_by(cmp);
            let mut got = v.clone();
            heapsort(&mut got, cmp);
            assert_eq!(got, want, "sort {n}");
            for k in [0, 1, n / 2, n.saturating_sub(1)] {
                if k >= n {
                    continue;
                }
                let mut got = v.clone();
                heap_select(&mut got, k, cmp);
                assert_eq!(got[k], want[k], "select {k} of {n}");
                assert!(got[..k].iter().all(|x| cmp(x, &got[k]).is_lt()));
                assert!(got[k + 1..].iter().all(|x| cmp(x, &got[k]).is_gt()));
                got[..k].sort_unstable_by(cmp);
                assert_eq!(got[..k], want[..k], "select {k} of {n}");
            }
        }
    }

    #[test]
    fn radix_sort_is_a_stable_sort() {
        for (n, modulo) in
            [(0, 1), (1, 5), (2, 5), (9, 3), (1000, 40), (5000, u32::MAX)]
        {
            let keys = numbers(n, modulo, 0x2545_f491 ^ n as u32);
            let v: Vec<(u32, usize)> = keys.into_iter().zip(0..).collect();
            let mut want = v.clone();
            want.sort_by_key(|x| x.0);
            let mut got = v.clone();
            radix_sort(&mut got, &|x| u64::from(x.0));
            assert_eq!(got, want, "{n}");
            // Descending by a two-part key, as the completions are.
            let mut want = v.clone();
            want.sort_unstable_by(|a, b| b.cmp(a));
            let mut got = v.clone();
            radix_sort(&mut got, &|x| !((u64::from(x.0) << 32) | x.1 as u64));
            assert_eq!(got, want, "{n}");
        }
    }

    #[test]
    fn ids_are_a_set() {
        let mut ids = Ids::default();
        for (id, new) in
            [(5, true), (1, true), (5, false), (9, true), (1, false)]
        {
            assert_eq!(ids.insert(id), new, "{id}");
        }
        assert_eq!(ids.iter().collect::<Vec<_>>(), [1, 5, 9]);
        assert!(ids.contains(9) && !ids.contains(2));
        assert_eq!(ids.len(), 3);
    }
}
