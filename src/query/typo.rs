//! Typo matching: an fst automaton over the dictionary that accepts the
//! words within a few edits of a query word, or (in prefix mode) the
//! words that begin with such a word.
//!
//! Edits are counted on characters: an insertion, a deletion, a
//! substitution, or a swap of two neighbours (the optimal string
//! alignment distance). The automaton keeps one row of the edit-distance
//! table per character of the dictionary word, so it needs no tables
//! built ahead of time; it prunes a branch of the dictionary as soon as
//! every entry of the row is over the budget, which is exact.

use fst::Automaton;

/// Longest query word, in characters, that typo matching is tried for.
pub(crate) const MAX_CHARS: usize = 31;

/// Words within `max` edits of `query` (or starting with one, `prefix`).
pub(crate) struct Typo {
    query: Vec<char>,
    max: u8,
    prefix: bool,
}

/// Where the automaton is after some bytes of a dictionary word.
#[derive(Clone)]
pub(crate) struct State {
    /// Edits between the word so far and each prefix of the query,
    /// capped at `max + 1`.
    row: [u8; MAX_CHARS + 1],
    /// The row before the last character (for swaps).
    prev: [u8; MAX_CHARS + 1],
    /// The word's last character (`'\0'` before the first).
    last: char,
    /// Prefix mode: the fewest edits between the query and any prefix
    /// of the word so far.
    best: u8,
    /// A character being decoded from UTF-8, and its bytes still due.
    partial: u32,
    due: u8,
}

impl Typo {
    /// `None` when the word is too long to try.
    pub(crate) fn new(query: &str, max: u8, prefix: bool) -> Option<Typo> {
        let query: Vec<char> = query.chars().collect();
        (query.len() <= MAX_CHARS).then_some(Typo { query, max, prefix })
    }

    /// The edits between the query and `word` (in prefix mode, the
    /// fewest between the query and a prefix of `word`), capped at
    /// `max + 1`.
    pub(crate) fn distance(&self, word: &[u8]) -> u8 {
        let st = word.iter().fold(self.start(), |st, &b| self.accept(&st, b));
        self.score(&st)
    }

    fn score(&self, st: &State) -> u8 {
        let full = st.row[self.query.len()];
        if self.prefix {
            st.best.min(full)
        } else {
            full
        }
    }

    /// Extends the rows by one character of the dictionary word.
    fn step(&self, st: &mut State, c: char) {
        let cap = self.max + 1;
        let q = &self.query;
        let mut next = [cap; MAX_CHARS + 1];
        next[0] = (st.row[0] + 1).min(cap);
        for j in 1..=q.len() {
            let sub = st.row[j - 1] + u8::from(q[j - 1] != c);
            let mut v = sub.min(st.row[j] + 1).min(next[j - 1] + 1);
            if j >= 2 && q[j - 2] == c && q[j - 1] == st.last {
                v = v.min(st.prev[j - 2] + 1);
            }
            next[j] = v.min(cap);
        }
        st.prev = st.row;
        st.row = next;
        st.last = c;
        st.best = st.best.min(next[q.len()]);
    }
}

impl Automaton for Typo {
    type State = State;

    fn start(&self) -> State {
        let cap = self.max + 1;
        let mut row = [cap; MAX_CHARS + 1];
        for (j, r) in row.iter_mut().enumerate().take(self.query.len() + 1) {
            *r = (j as u8).min(cap);
        }
        State {
            row,
            prev: [cap; MAX_CHARS + 1],
            last: '\0',
            best: row[self.query.len()],
            partial: 0,
            due: 0,
        }
    }

    fn is_match(&self, st: &State) -> bool {
        st.due == 0 && self.score(st) <= self.max
    }

    fn can_match(&self, st: &State) -> bool {
        (self.prefix && st.best <= self.max)
            || st.row[..=self.query.len()].iter().any(|&d| d <= self.max)
    }

    fn will_always_match(&self, st: &State) -> bool {
        self.prefix && st.due == 0 && st.best <= self.max
    }

    fn accept(&self, st: &State, byte: u8) -> State {
        let mut st = st.clone();
        let c = if st.due > 0 {
            st.partial = st.partial << 6 | u32::from(byte & 0x3f);
            st.due -= 1;
            if st.due > 0 {
                return st;
            }
            char::from_u32(st.partial).unwrap_or(char::REPLACEMENT_CHARACTER)
        } else if byte < 0x80 {
            char::from(byte)
        } else {
            (st.partial, st.due) = match byte {
                0xf0.. => (u32::from(byte & 0x07), 3),
                0xe0.. => (u32::from(byte & 0x0f), 2),
                _ => (u32::from(byte & 0x1f), 1),
            };
            return st;
        };
        self.step(&mut st, c);
        st
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The optimal string alignment distance, by the whole table.
    fn osa(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) =
            (a.chars().collect(), b.chars().collect());
        let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1
                    && j > 1
                    && a[i - 1] == b[j - 2]
                    && a[i - 2] == b[j - 1]
                {
                    v = v.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        d[a.len()][b.len()]
    }

    const WORDS: &[&str] = &[
        "",
        "a",
        "ab",
        "ba",
        "abc",
        "acb",
        "bac",
        "geneva",
        "genvea",
        "gneva",
        "genevas",
        "lavrov",
        "lavorv",
        "lvarov",
        "zürich",
        "zurich",
        "zürcih",
        "東京",
        "東北",
        "earthquake",
        "earthqauke",
        "eartquake",
        "quake",
        "katrina",
        "katarina",
        "ktrina",
        "cat",
        "act",
        "tac",
        "caterpillar",
    ];

    #[test]
    fn distances_match_the_table() {
        for max in [1u8, 2] {
            for q in WORDS {
                let t = Typo::new(q, max, false).unwrap();
                for w in WORDS {
                    let want = osa(q, w).min(usize::from(max) + 1);
                    assert_eq!(
                        usize::from(t.distance(w.as_bytes())),
                        want,
                        "{q} ~ {w} (max {max})"
                    );
                    let st =
                        w.bytes().fold(t.start(), |st, b| t.accept(&st, b));
                    assert_eq!(t.is_match(&st), want <= usize::from(max));
                }
            }
        }
    }

    #[test]
    fn prefix_mode_takes_the_best_prefix() {
        for max in [1u8, 2] {
            for q in WORDS {
                let t = Typo::new(q, max, true).unwrap();
                for w in WORDS {
                    let chars: Vec<char> = w.chars().collect();
                    let want = (0..=chars.len())
                        .map(|n| {
                            osa(q, &chars[..n].iter().collect::<String>())
                        })
                        .min()
                        .unwrap()
                        .min(usize::from(max) + 1);
                    assert_eq!(
                        usize::from(t.distance(w.as_bytes())),
                        want,
                        "{q} ~ {w}… (max {max})"
                    );
                }
            }
        }
    }

    #[test]
    fn pruning_never_drops_a_match() {
        // can_match must hold on every prefix of a word that matches.
        for max in [1u8, 2] {
            for prefix in [false, true] {
                for q in WORDS {
                    let t = Typo::new(q, max, prefix).unwrap();
                    for w in WORDS {
                        if t.distance(w.as_bytes()) > max {
                            continue;
                        }
                        let mut st = t.start();
                        for &b in w.as_bytes() {
                            assert!(t.can_match(&st), "{q} ~ {w}");
                            st = t.accept(&st, b);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn long_words_are_not_tried() {
        assert!(Typo::new(&"a".repeat(MAX_CHARS), 2, true).is_some());
        assert!(Typo::new(&"a".repeat(MAX_CHARS + 1), 2, true).is_none());
    }
}
