//! Executing a [`Query`] over an [`Index`]: expand each word (exact, stem
//! class, prefix, typo), score with BM25F, combine, filter, rank, count
//! facets.

use std::sync::Mutex;

use serde::Serialize;

use super::parse::{parse, Clause, Query};
use super::typo::Typo;

mod variants;
use crate::error::{Error, Result};
use crate::event::{civil_from_days, Day};
use crate::format::{DocFacets, Index, Posting};
use crate::score;
use crate::sorting::{self, Ids};
use crate::text;

/// Most terms one query word expands to (prefix and typo matches each).
pub const MAX_EXPANSIONS: usize = 48;
/// A dictionary word on at most this many events may still be a
/// misspelling of a much more common word one edit away.
const MAX_DF_FOR_RESPELLING: u32 = 3;
/// When no event has every word of a query, a word is respelled to a
/// neighbour one edit away that is on at least this many times as many
/// events ("prime minster" → "prime minister": "minster" is a word, just
/// not the one meant).
const RESPELL_RATIO: u32 = 20;
/// Completions this rare (in documents) are kept beyond the frequent
/// ones, up to [`MAX_RARE_COMPLETIONS`].
const RARE_DF: u32 = 30;
/// Most rare completions kept for one word.
const MAX_RARE_COMPLETIONS: usize = 256;
/// Most dictionary entries a prefix or typo scan visits.
pub const MAX_PREFIX_SCAN: usize = 50_000;
/// Fewest characters of a finished word that also matches the dictionary
/// words one letter longer.
const MIN_ONE_LONGER: usize = 4;
/// Words longer than this (in characters) get no typo tolerance: they
/// are pasted, not typed, and their automata would only cost memory.
const MAX_TYPO_CHARS: usize = 24;

/// Bonus factor for events about the entity the whole query names.
const ENTITY_BONUS: f32 = 0.5;
/// Most matches examined for that bonus.
const MAX_ENTITY_CHECK: usize = 2000;
/// Bonus factor when two query words stand next to each other in a title.
const PROXIMITY_BONUS: f32 = 0.25;

/// How a term matched a query word; better kinds rank higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    /// The word itself.
    Exact,
    /// Another word with the same stem (`talks` → `talked`).
    Stem,
    /// A word the typed word is a prefix of (`negotiati` → `negotiations`).
    Prefix,
    /// A word within the typo budget.
    Typo,
}

impl MatchKind {
    fn weight(self, distance: u8) -> f32 {
        match self {
            MatchKind::Exact => 1.0,
            MatchKind::Stem => 0.72,
            MatchKind::Prefix => 0.7,
            MatchKind::Typo if distance <= 1 => 0.45,
            MatchKind::Typo => 0.3,
        }
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (recency breaks ties).
    #[default]
    Relevance,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
}

impl Sort {
    /// Parses `relevance`, `newest`/`date` or `oldest`.
    pub fn from_name(s: &str) -> Option<Sort> {
        match s {
            "relevance" => Some(Sort::Relevance),
            "newest" | "date" => Some(Sort::Newest),
            "oldest" => Some(Sort::Oldest),
            _ => None,
        }
    }
}

/// What to return.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOptions {
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip (paging).
    pub offset: usize,
    /// Order of hits.
    pub sort: Sort,
    /// Count facets and years over all matches.
    pub facets: bool,
    /// Most values per facet.
    pub facet_limit: usize,
    /// Whether a query with no words and no filters matches every event
    /// (for browsing the archive) rather than none.
    pub browse: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            offset: 0,
            sort: Sort::Relevance,
            facets: true,
            facet_limit: 10,
            browse: false,
        }
    }
}

/// One matching document.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Hit {
    /// The document id.
    pub doc: u32,
    /// Its relevance score.
    pub score: f32,
}

/// A facet value and how many matches have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value's id in its dictionary.
    pub id: u32,
    /// The value.
    pub name: String,
    /// Matches with it.
    pub count: u32,
}

/// Facet counts over all matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// Per category.
    pub categories: Vec<FacetCount>,
    /// Top source outlets.
    pub sources: Vec<FacetCount>,
    /// Top contexts.
    pub contexts: Vec<FacetCount>,
}

/// Matches in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct YearCount {
    /// The year.
    pub year: i32,
    /// Matches dated in it.
    pub count: u32,
}

/// Matches in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MonthCount {
    /// The month, 1 to 12.
    pub month: u32,
    /// Matches dated in it.
    pub count: u32,
}

/// What a search returns.
#[derive(Debug, Clone, Default)]
pub struct SearchResult {
    /// Number of matching documents.
    pub total: u32,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// True when no document matched every word and these are the best
    /// partial matches.
    pub partial: bool,
    /// Term ordinals that matched, for highlighting.
    pub matched: Ids,
    /// Facet counts over all matches.
    pub facets: Facets,
    /// Matches per year, oldest first.
    pub years: Vec<YearCount>,
    /// When every match is in one year: matches per month of it (1 to
    /// 12; months without matches left out).
    pub months: Vec<MonthCount>,
    /// For a query with no hits: a spelling that has some.
    pub suggestion: Option<String>,
}

/// An event related to another through a shared context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    /// The related document.
    pub doc: u32,
    /// The context it shares (the rarest one, when several).
    pub context: String,
}

/// Accumulates one group's scores into the per-document arrays.
struct Acc<'a> {
    mask: &'a mut [u32],
    best: &'a mut [f32],
    touched: &'a mut Vec<u32>,
    /// Every document given its first bit (see [`Scratch::dirty`]).
    dirty: &'a mut Vec<u32>,
    positions: &'a mut [u8],
    bit: u32,
    /// Bits a document must already have to be scored (0: any).
    required: u32,
}

impl Acc<'_> {
    #[inline]
    fn admits(&self, doc: u32) -> bool {
        self.mask
            .get(doc as usize)
            .is_some_and(|m| m & self.required == self.required)
    }

    /// Records score `s` (the best of the group's terms counts) and the
    /// first title position of document `doc`.
    #[inline]
    fn add(&mut self, doc: u32, s: f32, pos: Option<u32>) {
        let d = doc as usize;
        let m = self.mask[d];
        if m & self.bit == 0 {
            // Past an eighth of all documents, clearing zeroes them all
            // (`Scratch::clear`): the list stops there.
            if m == 0 && self.dirty.len() <= self.mask.len() / 8 {
                self.dirty.push(doc);
            }
            self.mask[d] = m | self.bit;
            self.best[d] = s;
            self.touched.push(doc);
        } else if s > self.best[d] {
            self.best[d] = s;
        }
        if let (Some(p), Some(slot)) = (pos, self.positions.get_mut(d)) {
            if *slot == 0 {
                *slot = p.saturating_add(1).min(255) as u8;
            }
        }
    }
}

/// A word's expansions and the idf they share.
type WordPlan = (Vec<Expansion>, f32);

/// One term a query word expands to.
#[derive(Debug, Clone, Copy)]
struct Expansion {
    ord: u32,
    weight: f32,
    kind: MatchKind,
}

/// Most query words whose expansions a [`Searcher`] keeps.
const CACHED_EXPANSIONS: usize = 256;

/// A word, whether it was a prefix and whether the index's chunks were
/// far, with what it expands to.
type KeptExpansion = (String, [bool; 2], Vec<Expansion>);

/// Runs queries over an index it owns, keeping what is costly to derive
/// and asked for again while typing (accumulators, word expansions).
pub struct Searcher<D: AsRef<[u8]>> {
    index: Index<D>,
    scratch: Mutex<Scratch>,
    /// Expansions by word, whether it was a prefix and whether the
    /// index's chunks were far (which bounds the typo search): a pure
    /// function of the three over a given index. The words before the one
    /// being typed, and short prefixes, come back keystroke after
    /// keystroke (one letter completes to the most common words: finding
    /// them scans every word with that letter).
    expansions: Mutex<Vec<KeptExpansion>>,
}

/// Per-document accumulators, kept between queries so a keystroke does
/// not allocate (and, in wasm, grow) a few megabytes each time. Between
/// queries they hold zeros: a query clears only the entries it wrote
/// (those of [`Scratch::dirty`]), not all of them.
#[derive(Default)]
struct Scratch {
    total: Vec<f32>,
    best: Vec<f32>,
    mask: Vec<u32>,
    /// Per group (when there are several), each document's first title
    /// position + 1 (0: none), for the proximity bonus.
    first_pos: Vec<Vec<u8>>,
    /// The documents whose entries the query being run has written, up
    /// to an eighth of all (past which [`Scratch::clear`] zeroes every
    /// entry, and the list stops growing).
    dirty: Vec<u32>,
    counts: [Vec<u32>; 3],
    /// The last query run and all its matches, for [`Searcher::facets`].
    last: Option<(Query, Vec<u32>)>,
}

/// Empties `v` and fills it with `len` copies of `value`.
fn reset<T: Copy>(v: &mut Vec<T>, len: usize, value: T) {
    v.clear();
    v.resize(len, value);
}

/// Zeroes every accumulator entry.
fn zero(
    total: &mut [f32],
    best: &mut [f32],
    mask: &mut [u32],
    first_pos: &mut [Vec<u8>],
) {
    total.fill(0.0);
    best.fill(0.0);
    mask.fill(0);
    for p in first_pos {
        p.fill(0);
    }
}

impl Scratch {
    /// Zeroed accumulators for `n` documents and `groups` query groups.
    fn ready(&mut self, n: usize, groups: usize) {
        if self.total.len() != n {
            reset(&mut self.total, n, 0f32);
            reset(&mut self.best, n, 0f32);
            reset(&mut self.mask, n, 0u32);
            self.first_pos.clear();
            self.dirty.clear();
        }
        let want = if groups > 1 { groups } else { 0 };
        while self.first_pos.len() < want {
            self.first_pos.push(vec![0u8; n]);
        }
    }

    /// Zeroes what a query wrote: the entries of the documents it
    /// touched, or everything when it touched many.
    fn clear(&mut self) {
        let n = self.total.len();
        if self.dirty.len() > n / 8 {
            zero(
                &mut self.total,
                &mut self.best,
                &mut self.mask,
                &mut self.first_pos,
            );
        } else {
            for &d in &self.dirty {
                let d = d as usize;
                self.total[d] = 0.0;
                self.best[d] = 0.0;
                self.mask[d] = 0;
                for p in &mut self.first_pos {
                    p[d] = 0;
                }
            }
        }
        self.dirty.clear();
    }
}

impl<D: AsRef<[u8]>> Searcher<D> {
    /// A searcher over `index`.
    pub fn new(index: Index<D>) -> Self {
        Searcher {
            index,
            scratch: Mutex::default(),
            expansions: Mutex::default(),
        }
    }

    /// The accumulators of the last query (fresh ones when another
    /// thread holds them).
    fn take_scratch(&self) -> Scratch {
        match self.scratch.try_lock() {
            Ok(mut s) => std::mem::take(&mut *s),
            Err(_) => Scratch::default(),
        }
    }

    fn put_scratch(&self, scratch: Scratch) {
        if let Ok(mut s) = self.scratch.try_lock() {
            *s = scratch;
        }
    }

    /// The index searched.
    pub fn index(&self) -> &Index<D> {
        &self.index
    }

    fn idf(&self, df: u32) -> f32 {
        let n = self.index.doc_count() as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    #[inline]
    fn bm25f(&self, p: &Posting, idf: f32) -> f32 {
        idf * score::from_impact(p.impact)
    }

    /// [`Searcher::expand_uncached`], from the expansions kept when
    /// there. (A read that fails, such as a split index's missing chunk,
    /// keeps nothing.)
    fn expand(&self, term: &str, prefix: bool) -> Result<Vec<Expansion>> {
        let how = [prefix, self.index.chunks_far()];
        let kept = self.expansions.try_lock().ok().and_then(|m| {
            m.iter().find(|e| e.1 == how && e.0 == term).map(|e| e.2.clone())
        });
        if let Some(exp) = kept {
            return Ok(exp);
        }
        let exp = self.expand_uncached(term, prefix)?;
        if let Ok(mut m) = self.expansions.try_lock() {
            if m.len() >= CACHED_EXPANSIONS {
                m.clear();
            }
            m.push((term.to_owned(), how, exp.clone()));
        }
        Ok(exp)
    }

    /// The terms `term` expands to: exact, its stem class, its
    /// completions (when `prefix`), and typo neighbours when those find
    /// little.
    fn expand_uncached(
        &self,
        term: &str,
        prefix: bool,
    ) -> Result<Vec<Expansion>> {
        let ix = &self.index;
        let mut out: Vec<Expansion> = Vec::new();
        let mut seen = Ids::default();
        let mut best_df = 0u32;
        // One typed letter that is itself a very common word ("a") is the
        // start of a longer word far more often than the word itself.
        let exact = ix.term_ordinal(term)?.filter(|&o| {
            !(prefix && term.chars().count() == 1)
                || ix.doc_freq(o).is_ok_and(|df| df <= ix.doc_count() / 4)
        });
        if let Some(ord) = exact {
            out.push(Expansion {
                ord,
                weight: MatchKind::Exact.weight(0),
                kind: MatchKind::Exact,
            });
            seen.insert(ord);
            best_df = ix.doc_freq(ord)?;
            for m in ix.stem_siblings(ord)? {
                if seen.insert(m) {
                    out.push(Expansion {
                        ord: m,
                        weight: MatchKind::Stem.weight(0),
                        kind: MatchKind::Stem,
                    });
                }
            }
        }
        let chars = term.chars().count();
        // A finished word one letter short of a dictionary word was
        // often cut short (`forcin` → `forcing`, `syria` → `syrian`):
        // that word too, as a completion. (The automaton with no edits, as
        // a prefix, walks the words that start with `term`.)
        let longer = Typo::new(term, 0, true)
            .filter(|_| exact.is_some() && !prefix && chars >= MIN_ONE_LONGER);
        if let Some(longer) = longer {
            let mut found = Vec::new();
            let mut scanned = 0;
            ix.search_terms(&longer, term, &mut |key, ord| {
                scanned += 1;
                let rest = key.get(term.len()..).unwrap_or_default();
                let one = std::str::from_utf8(rest)
                    .is_ok_and(|r| r.chars().count() == 1);
                if one {
                    found.push(ord);
                }
                scanned < MAX_PREFIX_SCAN
            })?;
            for ord in found {
                if seen.insert(ord) {
                    out.push(Expansion {
                        ord,
                        weight: MatchKind::Prefix.weight(0),
                        kind: MatchKind::Prefix,
                    });
                }
            }
        }
        // Completions: of the word being typed, and of any other word that
        // is not in the dictionary (a word cut short mid-query).
        let complete =
            if prefix { chars >= 1 } else { exact.is_none() && chars >= 3 };
        if complete {
            let mut cands = Vec::new();
            for ord in
                ix.prefix_ordinals(term.as_bytes())?.take(MAX_PREFIX_SCAN)
            {
                if !seen.contains(ord) {
                    cands.push((ix.doc_freq(ord)?, ord));
                }
            }
            // A very short prefix completes to everything: keep only the
            // most frequent completions, and leave out words on a quarter
            // of all documents ("the", "of"), which say nothing about what
            // is being typed.
            let cap = match term.chars().count() {
                1 => 8,
                2 => 16,
                3 => 32,
                _ => MAX_EXPANSIONS,
            };
            let common = ix.doc_count() / 4;
            let informative = cands.iter().filter(|c| c.0 <= common).count();
            if informative > 0 {
                cands.retain(|c| c.0 <= common);
            }
            sorting::sort_by_key(&mut cands, |&(df, ord)| {
                !(u64::from(df) << 32 | u64::from(ord))
            });
            // Beyond the most frequent completions, rare ones are cheap and
            // are what a longer query usually means (`hungarian crossing
            // hor` → `horgos`): keep them too, a little lower.
            let rare: Vec<(u32, u32)> = if chars >= 3 {
                cands
                    .iter()
                    .skip(cap)
                    .filter(|c| c.0 <= RARE_DF)
                    .take(MAX_RARE_COMPLETIONS)
                    .copied()
                    .collect()
            } else {
                Vec::new()
            };
            cands.truncate(cap);
            let frequent = cands.into_iter().map(|c| (c, 1.0));
            for ((df, ord), w) in
                frequent.chain(rare.into_iter().map(|c| (c, 0.8)))
            {
                best_df = best_df.max(df);
                seen.insert(ord);
                out.push(Expansion {
                    ord,
                    weight: MatchKind::Prefix.weight(0) * w,
                    kind: MatchKind::Prefix,
                });
            }
        }
        // Typos: when the word (or its completions) is rare, a neighbour
        // that is far more common is most likely what was meant.
        let budget = text::typo_budget(chars);
        // A word that is in the dictionary is only checked for one edit,
        // and only when it is very rare (a misspelling in the archive
        // itself); a word that is not gets the full budget.
        // (As a whole word: its completions are already in.) A word that
        // completes to something is likewise only checked for one edit, as
        // a whole word: the expensive searches are kept for words that
        // match nothing at all.
        let (limit_df, budget, typo_prefix) = match exact {
            Some(_) => (MAX_DF_FOR_RESPELLING, budget.min(1), false),
            None if best_df > 0 => (20, budget.min(1), false),
            None => (20, budget, prefix),
        };
        if budget > 0 && chars <= MAX_TYPO_CHARS && best_df < limit_df {
            // One edit first (most typos are one, and it is far cheaper);
            // two only when one finds nothing better than what we have.
            let mut cands = self.typo_candidates(term, 1, typo_prefix)?;
            let found =
                cands.iter().any(|c| c.2 >= best_df.saturating_mul(20).max(1));
            if budget > 1 && !found {
                cands = self.typo_candidates(term, 2, typo_prefix)?;
            }
            for (ord, dist, df) in cands {
                if seen.contains(ord) {
                    continue;
                }
                if best_df > 0 && df < best_df.saturating_mul(20) {
                    continue;
                }
                seen.insert(ord);
                out.push(Expansion {
                    ord,
                    weight: MatchKind::Typo.weight(dist),
                    kind: MatchKind::Typo,
                });
            }
        }
        Ok(out)
    }

    /// Dictionary terms within `budget` edits of `term` (of a prefix of
    /// them, when `prefix`), best first: fewer edits, then more common.
    fn typo_candidates(
        &self,
        term: &str,
        budget: u8,
        prefix: bool,
    ) -> Result<Vec<(u32, u8, u32)>> {
        let ix = &self.index;
        let Some(typo) = Typo::new(term, budget, prefix) else {
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        let mut scanned = 0;
        ix.search_terms(&typo, term, &mut |key, ord| {
            scanned += 1;
            let dist = typo.distance(key);
            if dist > 0 && dist <= budget {
                found.push((ord, dist));
            }
            scanned < MAX_PREFIX_SCAN
        })?;
        let mut cands = Vec::with_capacity(found.len());
        for (ord, dist) in found {
            cands.push((ord, dist, ix.doc_freq(ord)?));
        }
        sorting::sort_by(&mut cands, |a, b| {
            a.1.cmp(&b.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0))
        });
        cands.truncate(MAX_EXPANSIONS / 2);
        Ok(cands)
    }

    /// Parses and runs `query`.
    pub fn search(
        &self,
        query: &str,
        opts: &SearchOptions,
    ) -> Result<SearchResult> {
        let q = parse(query);
        let mut r = self.run_respelling(&q, opts)?;
        if (r.total == 0 || r.partial) && !q.groups.is_empty() {
            r.suggestion = self.suggest(&q, opts)?;
        }
        Ok(r)
    }

    /// Runs `q`; when no event has every word of it, runs it again with
    /// its words that have a far more common neighbour one edit away
    /// also matching that neighbour, and answers with that when it finds
    /// events with every word. The matches kept for [`Searcher::facets`]
    /// are those of the answer, under `q`.
    fn run_respelling(
        &self,
        q: &Query,
        opts: &SearchOptions,
    ) -> Result<SearchResult> {
        let r = self.run(q, opts)?;
        if (r.total > 0 && !r.partial) || q.groups.len() < 2 {
            return Ok(r);
        }
        let Some(respelled) = self.respelled(q)? else { return Ok(r) };
        let kept = self.take_last();
        let again = self.run(&respelled, opts)?;
        if again.total > 0 && !again.partial {
            let last = self.take_last();
            self.set_last(last.map(|(_, m)| (q.clone(), m)));
            Ok(again)
        } else {
            self.set_last(kept);
            Ok(r)
        }
    }

    /// `q` with each one-word group that has a respelling (the most
    /// common word one edit away, see [`RESPELL_RATIO`]) also matching
    /// it, or `None` when none has.
    fn respelled(&self, q: &Query) -> Result<Option<Query>> {
        let mut out = q.clone();
        let mut changed = false;
        for group in &mut out.groups {
            let [Clause::Word { term, prefix }] = group.as_slice() else {
                continue;
            };
            let chars = term.chars().count();
            if text::typo_budget(chars) == 0 || chars > MAX_TYPO_CHARS {
                continue;
            }
            let mut df = 0;
            for e in self.expand(term, *prefix)?.iter() {
                df = df.max(self.index.doc_freq(e.ord)?);
            }
            // One edit away, so the candidates come most common first.
            let floor = df.saturating_mul(RESPELL_RATIO).max(1);
            let best = self
                .typo_candidates(term, 1, *prefix)?
                .into_iter()
                .find(|c| c.2 >= floor);
            if let Some((ord, _, _)) = best {
                if let Some(word) = self.term_of(ord)? {
                    // As typed: a word being typed still completes.
                    group.push(Clause::Word { term: word, prefix: *prefix });
                    changed = true;
                }
            }
        }
        Ok(changed.then_some(out))
    }

    /// The matches kept from the last search (see [`Scratch`]), taken.
    fn take_last(&self) -> Option<(Query, Vec<u32>)> {
        self.scratch.try_lock().ok().and_then(|mut s| s.last.take())
    }

    fn set_last(&self, last: Option<(Query, Vec<u32>)>) {
        if let Ok(mut s) = self.scratch.try_lock() {
            s.last = last;
        }
    }

    /// Facet counts, years and months over all matches of `query` (of
    /// every event when it is empty), counted from the matches of the
    /// last search when it was the same query (so a widget can show hits
    /// first and count facets when typing pauses), and whether the facets
    /// are complete: over a split index whose forward lists are not all
    /// at hand, the timeline comes first, with no facets, and the chunks
    /// they need are asked for.
    #[allow(clippy::type_complexity)]
    pub fn facets(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<(Facets, Vec<YearCount>, Vec<MonthCount>, bool)> {
        let q = parse(query);
        let mut scratch = self.take_scratch();
        let matches = match scratch.last.take() {
            Some((last, m)) if last == q => m,
            _ => {
                self.put_scratch(scratch);
                let opts = SearchOptions {
                    limit: 0,
                    facets: true,
                    facet_limit: limit,
                    browse: true,
                    ..SearchOptions::default()
                };
                let r = self.run_respelling(&q, &opts)?;
                return Ok((r.facets, r.years, r.months, true));
            }
        };
        let mut r = SearchResult::default();
        // Kept whether or not the count needs chunks first (a split
        // index), so the next attempt counts the same matches again.
        let counted =
            self.count_facets(&matches, limit, &mut scratch.counts, &mut r);
        scratch.last = Some((q, matches));
        self.put_scratch(scratch);
        match counted {
            Ok(()) => Ok((r.facets, r.years, r.months, true)),
            Err(Error::NotLoaded) => {
                Ok((Facets::default(), r.years, r.months, false))
            }
            Err(e) => Err(e),
        }
    }

    /// Runs a parsed query.
    pub fn run(
        &self,
        q: &Query,
        opts: &SearchOptions,
    ) -> Result<SearchResult> {
        let ix = &self.index;
        let n = ix.doc_count() as usize;
        let mut result = SearchResult::default();
        if (q.is_empty() && !opts.browse) || n == 0 {
            return Ok(result);
        }
        let allowed = self.filter_docs(q)?;
        let excluded = self.excluded_docs(q)?;

        let groups = q.groups.len();
        let mut scratch = self.take_scratch();
        scratch.ready(n, groups);
        let Scratch { total, best, mask, first_pos, dirty, counts, last } =
            &mut scratch;
        let first_pos = &mut first_pos[..if groups > 1 { groups } else { 0 }];
        // Expand every word first: the document frequencies decide which
        // words are worth requiring.
        // A split index fetches what a query reads in rounds: asking for
        // every word's lexicon shard, and then every expansion's postings,
        // at once makes each a single round; and asking for the postings
        // pages that `PKEY` places a word on with its shard, when that is
        // not at hand, makes them one.
        let mut first_bytes: Vec<u8> = Vec::new();
        for c in q.groups.iter().flatten() {
            match c {
                Clause::Word { term, prefix } => {
                    first_bytes.extend(term.as_bytes().first());
                    ix.ask_postings_near(term.as_bytes(), *prefix);
                }
                Clause::Phrase(words) => words
                    .iter()
                    .for_each(|w| ix.ask_postings_near(w.as_bytes(), false)),
            }
        }
        ix.want_terms(&first_bytes);
        let mut plans: Vec<Vec<Option<WordPlan>>> = Vec::new();
        let mut group_df: Vec<u32> = Vec::new();
        for group in &q.groups {
            let mut plan = Vec::new();
            let mut df_max = 0;
            for clause in group {
                let Clause::Word { term, prefix } = clause else {
                    plan.push(None);
                    continue;
                };
                let exp = self.expand(term, *prefix)?;
                // One idf for the whole word (its exact form, else its most
                // common expansion), so a rare completion or misspelling
                // cannot outrank the word itself: the match kind decides.
                let mut word_df = 0;
                for e in &exp {
                    let df = ix.doc_freq(e.ord)?;
                    if e.kind == MatchKind::Exact {
                        word_df = df;
                        break;
                    }
                    word_df = word_df.max(df);
                }
                df_max = df_max.max(word_df);
                plan.push(Some((exp, self.idf(word_df))));
            }
            plans.push(plan);
            group_df.push(df_max);
        }
        // Words written joined or split another way than the archive's.
        let alts = self.variants(q, &plans)?;
        let mut ords: Vec<u32> = plans
            .iter()
            .flatten()
            .flatten()
            .flat_map(|(exp, _)| exp.iter().map(|e| e.ord))
            .collect();
        for a in &alts {
            ords.extend_from_slice(&a.ords);
        }
        ix.want_postings(&ords)?;
        let extra = self.variant_docs(q, &plans, alts, &mut result.matched)?;
        for (df, e) in group_df.iter_mut().zip(&extra) {
            *df = (*df).max(e.len() as u32);
        }
        // Words on more than a quarter of all events ("the", "of") say
        // almost nothing and cost the most: next to rarer words they are
        // neither required nor scored. (Not in small archives, where a
        // quarter of the events is a handful.)
        let common = (ix.doc_count() / 4).max(1000);
        let has_rare = group_df.iter().any(|&df| df <= common);
        let skip: Vec<bool> = group_df
            .iter()
            .map(|&df| has_rare && groups > 1 && df > common)
            .collect();

        // The matches must pass the filters and not be excluded.
        let ok = |d: usize| {
            allowed.as_ref().is_none_or(|a| a[d])
                && !excluded.get(d).copied().unwrap_or(false)
        };
        let full =
            (0..groups).filter(|&g| !skip[g]).fold(0u32, |m, g| m | (1 << g));
        // Rarest words first: once they have named the candidates, a
        // common word only has to confirm them ("strict"), which skips
        // scoring most of its postings. Should nothing match every word,
        // the pass is redone in full for the best partial matches.
        let mut order: Vec<usize> =
            (0..groups).filter(|&g| !skip[g]).collect();
        sorting::sort_by_key(&mut order, |&g| group_df[g].into());
        let mut touched: Vec<u32> = Vec::new();
        let mut matches: Vec<u32> = Vec::new();
        for strict in [true, false] {
            if !strict {
                zero(total, best, mask, first_pos);
                dirty.clear();
            }
            // The documents of the group that matched fewest: every
            // document that matches all groups is among them.
            let mut fewest: Option<Vec<u32>> = None;
            let mut required = 0u32;
            for &gi in &order {
                let group = &q.groups[gi];
                let bit = 1u32 << gi;
                touched.clear();
                let mut acc = Acc {
                    mask: &mut mask[..],
                    best: &mut best[..],
                    touched: &mut touched,
                    dirty: &mut *dirty,
                    positions: first_pos
                        .get_mut(gi)
                        .map_or(&mut [][..], |p| &mut p[..]),
                    bit,
                    required: if strict { required } else { 0 },
                };
                for (clause, plan) in group.iter().zip(&plans[gi]) {
                    match (clause, plan) {
                        (_, Some((exp, idf))) => {
                            for e in exp {
                                result.matched.insert(e.ord);
                                // A common stem-mate of a rare typed word
                                // ("black" for "blacked") counts no more
                                // than its own rarity.
                                let idf = if e.kind == MatchKind::Stem {
                                    idf.min(self.idf(ix.doc_freq(e.ord)?))
                                } else {
                                    *idf
                                };
                                ix.postings(e.ord)?.for_each_brief(
                                    |doc, impact, pos| {
                                        if acc.admits(doc) {
                                            let s = e.weight
                                                * (idf
                                                    * score::from_impact(
                                                        impact,
                                                    ));
                                            acc.add(doc, s, pos);
                                        }
                                    },
                                )?;
                            }
                        }
                        (Clause::Phrase(words), None) => {
                            for (doc, s, pos) in self.phrase_docs(
                                words,
                                true,
                                &mut result.matched,
                            )? {
                                if acc.admits(doc) {
                                    acc.add(doc, s, pos);
                                }
                            }
                        }
                        (Clause::Word { .. }, None) => {}
                    }
                }
                for &(doc, s, pos) in &extra[gi] {
                    if acc.admits(doc) {
                        acc.add(doc, s, pos);
                    }
                }
                for &d in &touched {
                    total[d as usize] += best[d as usize];
                }
                if fewest.as_ref().is_none_or(|f| touched.len() < f.len()) {
                    // The buffers swap places (no copy of a list that
                    // may name every document).
                    let mut spare = fewest.take().unwrap_or_default();
                    spare.clear();
                    fewest = Some(std::mem::replace(&mut touched, spare));
                }
                required |= bit;
            }
            if q.groups.is_empty() {
                matches.extend((0..n).filter(|&d| ok(d)).map(|d| d as u32));
                break;
            }
            // Freed before the matches are listed, which take their room.
            touched = Vec::new();
            let mut cands = fewest.unwrap_or_default();
            matches.reserve_exact(cands.len());
            if cands.len() > n / 8 {
                // Many candidates: one pass over the mask is cheaper than
                // sorting them.
                drop(cands);
                matches.extend(
                    (0..n)
                        .filter(|&d| mask[d] == full && ok(d))
                        .map(|d| d as u32),
                );
            } else {
                sorting::sort_by_key(&mut cands, |&d| d.into());
                matches.extend(
                    cands.into_iter().filter(|&d| {
                        mask[d as usize] == full && ok(d as usize)
                    }),
                );
            }
            if !matches.is_empty() || order.len() <= 1 {
                break;
            }
        }
        if matches.is_empty() && order.len() > 1 {
            let most = (0..n)
                .filter(|&d| ok(d))
                .map(|d| mask[d].count_ones())
                .max()
                .unwrap_or(0);
            if most > 0 {
                result.partial = true;
                matches.extend(
                    (0..n)
                        .filter(|&d| mask[d].count_ones() == most && ok(d))
                        .map(|d| d as u32),
                );
            }
        }
        // A query that is exactly a context name ("sergey lavrov") is a
        // question about that entity: its events go first.
        for d in self.entity_docs(q, &matches)? {
            total[d as usize] *= 1.0 + ENTITY_BONUS;
        }
        // Proximity: consecutive query words adjacent in the title.
        for pair in first_pos.windows(2) {
            for &d in &matches {
                let (a, b) = (pair[0][d as usize], pair[1][d as usize]);
                if a > 0 && u16::from(a) + 1 == u16::from(b) {
                    total[d as usize] *= 1.0 + PROXIMITY_BONUS;
                }
            }
        }
        result.total = matches.len() as u32;
        if opts.facets {
            self.count_facets(
                &matches,
                opts.facet_limit,
                counts,
                &mut result,
            )?;
        }

        let score = |d: u32| total.get(d as usize).copied().unwrap_or(0.0);
        let want = opts.offset.saturating_add(opts.limit).min(matches.len());
        let cmp = |a: &u32, b: &u32| match opts.sort {
            Sort::Relevance => score(*b).total_cmp(&score(*a)).then(b.cmp(a)),
            Sort::Newest => b.cmp(a),
            Sort::Oldest => a.cmp(b),
        };
        // The first hits are taken aside, so the matches stay as they are
        // (ascending) for the facets asked for next.
        result.hits = sorting::smallest_by(&matches, want, cmp)
            .into_iter()
            .skip(opts.offset)
            .map(|doc| Hit { doc, score: score(doc) })
            .collect();
        if opts.limit > 0 || opts.facets {
            *last = Some((q.clone(), matches));
        }
        scratch.clear();
        self.put_scratch(scratch);
        Ok(result)
    }

    /// The matches that carry a context name of as many words as the
    /// query (words only) holding each of them: events about the entity
    /// the query names ("sergey lavrov"). Read from the postings (each
    /// context posting keeps the fewest words of a context name holding
    /// the term), so it needs nothing beyond the postings the query read. Skipped for very broad queries, where it
    /// would cost more than it could move.
    fn entity_docs(&self, q: &Query, matches: &[u32]) -> Result<Vec<u32>> {
        let mut words = Vec::with_capacity(q.groups.len());
        for g in &q.groups {
            match g.as_slice() {
                [Clause::Word { term, .. }] => words.push(term.as_str()),
                _ => return Ok(Vec::new()),
            }
        }
        if words.is_empty() || matches.len() > MAX_ENTITY_CHECK {
            return Ok(Vec::new());
        }
        let want = u8::try_from(words.len()).unwrap_or(u8::MAX);
        let mut out: Vec<u32> = matches.to_vec();
        sorting::sort_by_key(&mut out, |&d| d.into());
        for w in words {
            let Some(ord) = self.index.term_ordinal(w)? else {
                return Ok(Vec::new());
            };
            let mut keep = Vec::with_capacity(out.len());
            let mut it = out.iter().copied().peekable();
            for p in self.index.postings(ord)? {
                let p = p?;
                while it.peek().is_some_and(|&d| d < p.doc) {
                    it.next();
                }
                if it.peek() == Some(&p.doc) && p.ctx_words == want {
                    keep.push(p.doc);
                }
            }
            out = keep;
            if out.is_empty() {
                break;
            }
        }
        Ok(out)
    }

    /// Documents with `words` consecutive in the title, or (`contexts`)
    /// in one context name. Each with a score and the phrase's first
    /// title position. The postings are merged in document order, so
    /// the work is linear in their number.
    fn phrase_docs(
        &self,
        words: &[String],
        contexts: bool,
        matched: &mut Ids,
    ) -> Result<Vec<(u32, f32, Option<u32>)>> {
        let ix = &self.index;
        let mut ords = Vec::with_capacity(words.len());
        for w in words {
            match ix.term_ordinal(w)? {
                Some(o) => ords.push(o),
                None => return Ok(Vec::new()),
            }
        }
        // By document: score so far, the title positions where the
        // phrase may still start (a bit per kept position of the first
        // word), and whether every word so far is in the contexts.
        let mut first: Vec<Posting> = Vec::new();
        let mut live: Vec<(u32, f32, u8, bool)> = Vec::new();
        for (k, &ord) in ords.iter().enumerate() {
            let idf = self.idf(ix.doc_freq(ord)?);
            let mut next = Vec::with_capacity(live.len());
            let mut at = 0;
            for p in ix.postings(ord)? {
                let p = p?;
                let ctx = contexts && p.in_field(1);
                let s = self.bm25f(&p, idf);
                if k == 0 {
                    let n = p.title_positions().len();
                    if n > 0 || ctx {
                        next.push((p.doc, s, (1u8 << n) - 1, ctx));
                        first.push(p);
                    }
                    continue;
                }
                while live.get(at).is_some_and(|l| l.0 < p.doc) {
                    at += 1;
                }
                let Some(l) = live.get(at).filter(|l| l.0 == p.doc) else {
                    continue;
                };
                let pos = p.title_positions();
                let starts = first[at].title_positions();
                let mut alive = 0u8;
                for (i, &st) in starts.iter().enumerate() {
                    if l.2 & 1 << i != 0 && pos.contains(&(st + k as u32)) {
                        alive |= 1 << i;
                    }
                }
                let ctx = ctx && l.3;
                if alive != 0 || ctx {
                    next.push((p.doc, l.1 + s, alive, ctx));
                }
            }
            if k > 0 {
                // Keep `first` in step with `live`.
                let mut keep = next.iter().map(|n| n.0).peekable();
                first.retain(|p| {
                    let hit = keep.peek() == Some(&p.doc);
                    if hit {
                        keep.next();
                    }
                    hit
                });
            }
            live = next;
        }
        let mut out = Vec::with_capacity(live.len());
        let mut in_contexts = Vec::new();
        for ((d, s, alive, ctx), p) in live.into_iter().zip(&first) {
            let pos = p.title_positions();
            match (0..pos.len()).find(|&i| alive & 1 << i != 0) {
                Some(i) => out.push((d, s, Some(pos[i]))),
                None if ctx => in_contexts.push((d, s)),
                None => {}
            }
        }
        // Context candidates: verify a context name holds the phrase.
        if !in_contexts.is_empty() {
            let phrase = text::spaced(words);
            let docs: Vec<u32> = in_contexts.iter().map(|c| c.0).collect();
            let (per_doc, ids) = self.doc_values(2, &docs)?;
            // Whether each context (by its place in `ids`) holds it.
            let mut holds = Vec::with_capacity(ids.len());
            for &c in &ids {
                let n = text::normalize_phrase(ix.facet_name(2, c)?);
                holds.push(contains_words(&n, &phrase));
            }
            for ((d, cs), (_, s)) in per_doc.into_iter().zip(in_contexts) {
                let any = cs
                    .iter()
                    .any(|c| ids.binary_search(c).is_ok_and(|i| holds[i]));
                if any {
                    out.push((d, s, None));
                }
            }
        }
        // Its words are highlighted only where some event holds the
        // phrase ("pro tests" for `protests` marks no lone "pro").
        if !out.is_empty() {
            for &ord in &ords {
                matched.insert(ord);
            }
        }
        Ok(out)
    }

    /// The values of facet dictionary `which` each of `docs` (increasing)
    /// has, from the forward lists, and all of them (by id, each once),
    /// their names asked for.
    #[allow(clippy::type_complexity)]
    fn doc_values(
        &self,
        which: usize,
        docs: &[u32],
    ) -> Result<(Vec<(u32, Vec<u32>)>, Vec<u32>)> {
        let mut per_doc = Vec::with_capacity(docs.len());
        let mut all = Vec::new();
        self.index.for_each_facets(docs, &mut |d, f| {
            let ids = facet_ids(f, which);
            all.extend_from_slice(ids);
            per_doc.push((d, ids.to_vec()));
        })?;
        sorting::sort_by_key(&mut all, |&i| i.into());
        all.dedup();
        self.index.want_names(which, &all)?;
        Ok((per_doc, all))
    }

    /// The documents with the rarest word of `name` in the field of
    /// facet dictionary `which` (all those with the value among them: the
    /// caller checks the forward lists); every document for a name
    /// without words.
    fn field_docs(&self, which: usize, name: &str) -> Result<Vec<u32>> {
        let field = [3, 2, 1][which.min(2)];
        let mut rarest: Option<(u32, u32)> = None;
        for term in text::terms(name) {
            let Some(o) = self.index.term_ordinal(&term)? else {
                return Ok(Vec::new());
            };
            let e = (self.index.doc_freq(o)?, o);
            if rarest.is_none_or(|r| e < r) {
                rarest = Some(e);
            }
        }
        let Some((_, ord)) = rarest else {
            return Ok((0..self.index.doc_count()).collect());
        };
        let mut docs = Vec::new();
        for p in self.index.postings(ord)? {
            let p = p?;
            if p.in_field(field) {
                docs.push(p.doc);
            }
        }
        Ok(docs)
    }

    /// The documents that have any of values `ids` of facet dictionary
    /// `which`: among those with the words of a value's name in its
    /// field, the ones whose forward lists hold the value. (The facet
    /// dictionaries hold no document lists: they would change with every
    /// document added.)
    fn value_docs(&self, which: usize, ids: &[u32]) -> Result<Vec<u32>> {
        self.index.want_names(which, ids)?;
        let mut names = Vec::with_capacity(ids.len());
        let mut first = Vec::new();
        for &id in ids {
            let n = self.index.facet_name(which, id)?;
            first.extend(
                text::terms(n).iter().filter_map(|t| t.bytes().next()),
            );
            names.push(n);
        }
        // Every name's lexicon shards asked for at once.
        self.index.want_terms(&first);
        let mut cands: Vec<u32> = Vec::new();
        for name in names {
            cands.extend(self.field_docs(which, name)?);
        }
        sorting::sort_by_key(&mut cands, |&d| d.into());
        cands.dedup();
        let mut out = Vec::new();
        self.index.for_each_facets(&cands, &mut |d, f| {
            if facet_ids(f, which).iter().any(|v| ids.contains(v)) {
                out.push(d);
            }
        })?;
        Ok(out)
    }

    /// Facet values whose normalised name matches `value`: equal, or
    /// starting with it as whole words (`bbc` → `BBC News`); categories
    /// also by plain prefix (`sport` → `Sports`). For contexts, equal
    /// names win when there are any. `which`: 0 categories, 1 sources,
    /// 2 contexts.
    pub fn resolve_facet(
        &self,
        which: usize,
        value: &str,
    ) -> Result<Vec<u32>> {
        let word_prefix = format!("{value} ");
        let matches = |n: &str| {
            n == value
                || n.starts_with(&word_prefix)
                || (which == 0 && n.starts_with(value))
        };
        let ids = if which == 0 {
            let all: Vec<u32> = (0..self.index.facet_len(0)).collect();
            self.index.want_names(0, &all)?;
            all
        } else {
            // A matching name holds every word of `value`, so its events
            // have them all in the sources (or contexts) field: look only
            // at the names of those events instead of every name.
            let docs = self.field_docs(which, value)?;
            self.doc_values(which, &docs)?.1
        };
        let mut normal: Vec<(u32, String)> = Vec::new();
        for i in ids {
            let n = text::normalize_phrase(self.index.facet_name(which, i)?);
            if matches(&n) {
                normal.push((i, n));
            }
        }
        let exact: Vec<u32> = normal
            .iter()
            .filter(|(_, n)| which == 2 && n == value)
            .map(|(i, _)| *i)
            .collect();
        Ok(if exact.is_empty() {
            normal.into_iter().map(|(i, _)| i).collect()
        } else {
            exact
        })
    }

    /// Documents the filters allow, or `None` when there are no filters.
    fn filter_docs(&self, q: &Query) -> Result<Option<Vec<bool>>> {
        let f = &q.filters;
        if f.is_empty() {
            return Ok(None);
        }
        let ix = &self.index;
        let n = ix.doc_count() as usize;
        let range =
            ix.doc_range(f.from.unwrap_or(Day::MIN), f.to.unwrap_or(Day::MAX));
        let mut allowed: Vec<bool> =
            (0..n).map(|d| range.contains(&(d as u32))).collect();
        let mut restrict = |docs: Vec<u32>| {
            let mut any = vec![false; n];
            for d in docs {
                if let Some(slot) = any.get_mut(d as usize) {
                    *slot = true;
                }
            }
            for (a, y) in allowed.iter_mut().zip(any) {
                *a &= y;
            }
        };
        let about = f.about.iter().map(|v| (2, std::slice::from_ref(v)));
        let lists = [(0, &f.categories[..]), (1, &f.sources[..])];
        for (which, values) in lists.into_iter().chain(about) {
            if values.is_empty() {
                continue;
            }
            let mut ids = Vec::new();
            for v in values {
                ids.extend(self.resolve_facet(which, v)?);
            }
            restrict(self.value_docs(which, &ids)?);
        }
        Ok(Some(allowed))
    }

    fn excluded_docs(&self, q: &Query) -> Result<Vec<bool>> {
        let ix = &self.index;
        if q.exclude.is_empty() {
            return Ok(Vec::new());
        }
        let mut ex = vec![false; ix.doc_count() as usize];
        for t in &q.exclude {
            let Some(ord) = ix.term_ordinal(t)? else { continue };
            let mut ords = vec![ord];
            ords.extend(ix.stem_siblings(ord)?);
            for o in ords {
                for p in ix.postings(o)? {
                    if let Some(slot) = ex.get_mut(p?.doc as usize) {
                        *slot = true;
                    }
                }
            }
        }
        Ok(ex)
    }

    fn count_facets(
        &self,
        matches: &[u32],
        limit: usize,
        counts: &mut [Vec<u32>; 3],
        r: &mut SearchResult,
    ) -> Result<()> {
        let ix = &self.index;
        // Years and months: walk the day table alongside the (ascending)
        // matches.
        let days = ix.days();
        let mut years: Vec<YearCount> = Vec::new();
        let mut months: Vec<MonthCount> = Vec::new();
        let mut entry = 0usize;
        for &doc in matches {
            while entry + 1 < days.len() && days[entry + 1].1 <= doc {
                entry += 1;
            }
            let (year, month, _) =
                days.get(entry).map_or((1970, 1, 1), |d| civil_from_days(d.0));
            let month = month as u32;
            match years.last_mut() {
                Some(y) if y.year == year => y.count += 1,
                _ => years.push(YearCount { year, count: 1 }),
            }
            match months.last_mut() {
                Some(m) if m.month == month => m.count += 1,
                _ => months.push(MonthCount { month, count: 1 }),
            }
        }
        if years.len() != 1 {
            months.clear();
        }
        r.years = years;
        r.months = months;
        // Over a split index a request away, this reads the forward lists
        // of every match: all their chunks are asked for in one round.
        for (i, c) in counts.iter_mut().enumerate() {
            reset(c, ix.facet_len(i) as usize, 0);
        }
        ix.count_facets(matches, counts)?;
        let [c_cat, c_src, c_ctx] = counts;
        let tops =
            [top(c_cat, usize::MAX), top(c_src, limit), top(c_ctx, limit)];
        // All three asked for before any missing one fails the read.
        let mut asked = Ok(());
        for (i, ids) in tops.iter().enumerate() {
            if let Err(e) = ix.want_names(i, ids) {
                asked = Err(e);
            }
        }
        asked?;
        let mut lists: [Vec<FacetCount>; 3] = Default::default();
        for (i, ids) in tops.iter().enumerate() {
            for &id in ids {
                lists[i].push(FacetCount {
                    id,
                    name: ix.facet_name(i, id)?.to_owned(),
                    count: counts[i][id as usize],
                });
            }
        }
        let [categories, sources, contexts] = lists;
        r.facets = Facets { categories, sources, contexts };
        Ok(())
    }

    /// A respelling of the query's words with hits, for "did you mean".
    fn suggest(
        &self,
        q: &Query,
        opts: &SearchOptions,
    ) -> Result<Option<String>> {
        let mut words: Vec<String> = Vec::new();
        let mut changed = false;
        for group in &q.groups {
            let Some(Clause::Word { term, prefix }) = group.first() else {
                return Ok(None);
            };
            if !self.expand(term, *prefix)?.is_empty() {
                words.push(term.clone());
                continue;
            }
            // One edit more than the search itself allowed.
            let chars = term.chars().count();
            let budget = (text::typo_budget(chars) + 1).clamp(1, 2);
            if !(3..=MAX_TYPO_CHARS).contains(&chars) {
                return Ok(None);
            }
            let cands = self.typo_candidates(term, budget, false)?;
            let Some(&(ord, _, _)) = cands.first() else { return Ok(None) };
            let Some(word) = self.term_of(ord)? else { return Ok(None) };
            words.push(word);
            changed = true;
        }
        if !changed {
            return Ok(None);
        }
        let suggestion = text::spaced(&words);
        let check = SearchOptions { limit: 0, facets: false, ..opts.clone() };
        let mut sq = parse(&format!("{suggestion} "));
        sq.filters = q.filters.clone();
        sq.exclude = q.exclude.clone();
        let r = self.run(&sq, &check)?;
        Ok((r.total > 0 && !r.partial).then_some(suggestion))
    }

    /// The term with ordinal `ord` (used only for suggestions).
    fn term_of(&self, ord: u32) -> Result<Option<String>> {
        self.index.term(ord)
    }

    /// Events related to `doc` through its contexts: rarer shared contexts
    /// weigh more; returned newest first, each with the context it shares.
    pub fn related(&self, doc: u32, limit: usize) -> Result<Vec<Related>> {
        let ix = &self.index;
        let facets = ix.facets(doc)?;
        let n = ix.doc_count().max(1) as f32;
        // Every context's documents asked for before a missing chunk
        // fails the read.
        let mut lists = Vec::with_capacity(facets.contexts.len());
        let mut missing = false;
        for &c in &facets.contexts {
            match self.value_docs(2, &[c]) {
                Ok(docs) => lists.push((c, docs)),
                Err(Error::NotLoaded) => missing = true,
                Err(e) => return Err(e),
            }
        }
        if missing {
            return Err(Error::NotLoaded);
        }
        // Each (related doc, weight, context, its count), then per doc:
        // the summed weight and its rarest shared context.
        let mut pairs: Vec<(u32, f32, u32, u32)> = Vec::new();
        for (c, docs) in lists {
            let count = docs.len() as u32;
            // A context on a quarter of the archive relates nothing.
            if count < 2 || count as f32 > n / 4.0 {
                continue;
            }
            let w = (n / count as f32).ln();
            pairs.extend(
                docs.into_iter()
                    .filter(|&d| d != doc)
                    .map(|d| (d, w, c, count)),
            );
        }
        sorting::sort_by_key(&mut pairs, |p| p.0.into());
        let mut best: Vec<(u32, (f32, u32, u32))> = Vec::new();
        for (d, w, c, count) in pairs {
            match best.last_mut() {
                Some((last, e)) if *last == d => {
                    e.0 += w;
                    if count < e.2 {
                        e.1 = c;
                        e.2 = count;
                    }
                }
                _ => best.push((d, (w, c, count))),
            }
        }
        // Best first; equal scores newest first.
        sorting::sort_by(&mut best, |a, b| {
            b.1 .0.total_cmp(&a.1 .0).then(b.0.cmp(&a.0))
        });
        best.truncate(limit);
        sorting::sort_by_key(&mut best, |b| (!b.0).into());
        let shared: Vec<u32> = best.iter().map(|b| b.1 .1).collect();
        ix.want_names(2, &shared)?;
        let mut out = Vec::with_capacity(best.len());
        for (doc, (_, c, _)) in best {
            out.push(Related { doc, context: ix.facet_name(2, c)?.into() });
        }
        Ok(out)
    }
}

/// The ids of facet dictionary `which` (0 category, 1 sources, 2
/// contexts) among a document's facets.
fn facet_ids(f: &DocFacets, which: usize) -> &[u32] {
    match which {
        0 => f.category.as_slice(),
        1 => &f.sources,
        _ => &f.contexts,
    }
}

/// The ids of the `limit` values counted most often, most first; equal
/// counts by id (the value seen first in the archive first).
fn top(counts: &[u32], limit: usize) -> Vec<u32> {
    let mut v: Vec<(u32, u32)> = counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(i, &c)| (c, i as u32))
        .collect();
    let order =
        |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if limit < v.len() {
        sorting::select_nth_by(&mut v, limit, order);
        v.truncate(limit);
    }
    sorting::sort_by(&mut v, order);
    v.into_iter().map(|(_, id)| id).collect()
}

/// Whether `hay` holds the words of `needle` as consecutive whole words.
/// (Word by word: a substring search would bring the two-way string
/// searcher, 1 KB, into the wasm.)
fn contains_words(hay: &str, needle: &str) -> bool {
    let n = needle.split(' ').count();
    let words: Vec<&str> = hay.split(' ').collect();
    words.windows(n).any(|w| w.iter().copied().eq(needle.split(' ')))
}

#[cfg(test)]
mod tests {
    use super::contains_words;

    #[test]
    fn whole_words_only() {
        assert!(contains_words("sergey lavrov geneva", "lavrov geneva"));
        assert!(contains_words("sergey lavrov", "sergey lavrov"));
        assert!(!contains_words("sergey lavrova", "lavrov"));
        assert!(!contains_words("lavrov", "sergey lavrov"));
        assert!(!contains_words("a b c", "a c"));
        assert!(contains_words("", ""));
        assert!(!contains_words("abc", ""));
    }
}
