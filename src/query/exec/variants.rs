//! Words written joined or split another way than the archive writes
//! them: `cease fire` for `ceasefire`, `worldcup` for `world cup`,
//! `e-mail` for `email`. Both come from the index's own dictionary (the
//! term fst and its document frequencies), with bounded work per query:
//!
//! * **joins**: two adjacent query words whose concatenation is a
//!   dictionary word also match that word (its stem class too, and its
//!   completions when the second word is being typed), which then counts
//!   for both words;
//! * **splits**: a query word that is two dictionary words glued also
//!   matches them as a phrase (adjacent in the title). Only the cut whose
//!   rarer half is most common is tried.
//!
//! Hyphens separate words in the tokenizer, so `e-mail` is `e mail`, a
//! join: hyphen, space and nothing are treated alike. A variant is
//! ranked as an exact match when it is far more common than the
//! spelling typed ([`FAR_MORE`]), else lower ([`RARE_VARIANT`]).

use super::{Expansion, MatchKind, Searcher, WordPlan};
use crate::error::Result;
use crate::query::parse::{Clause, Query};
use crate::sorting;
use crate::sorting::Ids;
use crate::text::MAX_TERM_BYTES;

/// A variant on at least this many times as many events as the spelling
/// typed counts as that spelling.
const FAR_MORE: usize = 2;
/// The weight of a variant that is not far more common.
const RARE_VARIANT: f32 = 0.7;
/// Fewest characters of the word being typed before its join with the
/// word before it completes (`cease fir` → `ceasefire`): fewer complete
/// to too much.
const MIN_JOIN_PREFIX: usize = 3;

/// Documents a group's variants match: (document, score, first title
/// position).
pub(super) type VariantDocs = Vec<(u32, f32, Option<u32>)>;

/// Most completions of a glued pair whose second word is being typed.
const MAX_COMPLETIONS: usize = 8;
/// Most dictionary entries looked at for them.
const MAX_SCAN: usize = 5000;

/// A variant found while planning, before its postings are read.
pub(super) struct Alt {
    kind: AltKind,
    /// The terms whose postings it reads.
    pub(super) ords: Vec<u32>,
}

enum AltKind {
    /// Groups `g` and `g + 1` glued make the terms of `exp`.
    Joined { g: usize, exp: Vec<Expansion> },
    /// Group `g`'s word is `words` glued; `own` is on that many events;
    /// `halves` is the words' idfs summed.
    Split { g: usize, words: [String; 2], own: u32, halves: f32 },
}

/// The one word of a group, when it has exactly one.
fn single(group: &[Clause]) -> Option<(&str, bool)> {
    match group {
        [Clause::Word { term, prefix }] => Some((term, *prefix)),
        _ => None,
    }
}

impl<D: AsRef<[u8]>> Searcher<D> {
    /// The joins and splits of `q`'s words (see the module's docs).
    pub(super) fn variants(
        &self,
        q: &Query,
        plans: &[Vec<Option<WordPlan>>],
    ) -> Result<Vec<Alt>> {
        let ix = &self.index;
        let mut out = Vec::new();
        for (g, pair) in q.groups.windows(2).enumerate() {
            let (Some((a, false)), Some((b, typing))) =
                (single(&pair[0]), single(&pair[1]))
            else {
                continue;
            };
            let joined = format!("{a}{b}");
            if joined.len() > MAX_TERM_BYTES
                || (typing && b.chars().count() < MIN_JOIN_PREFIX)
            {
                continue;
            }
            let exp = self.glued(&joined, typing)?;
            if !exp.is_empty() {
                let mut ords: Vec<u32> = exp.iter().map(|e| e.ord).collect();
                for w in [a, b] {
                    ords.extend(ix.term_ordinal(w)?);
                }
                out.push(Alt { kind: AltKind::Joined { g, exp }, ords });
            }
        }
        for (g, group) in q.groups.iter().enumerate() {
            let Some((w, _)) = single(group) else { continue };
            // The events the word finds as typed (its typos aside).
            let mut own = 0;
            if let Some(Some((exp, _))) = plans[g].first() {
                for e in exp.iter().filter(|e| e.kind != MatchKind::Typo) {
                    own = own.max(ix.doc_freq(e.ord)?);
                }
            }
            if let Some(alt) = self.split(g, w, own)? {
                out.push(alt);
            }
        }
        Ok(out)
    }

    /// The terms a glued pair of words stands for: the word and its stem
    /// class, or (`typing`) its most common completions. No typos: a
    /// misspelt glued word is not what was typed.
    fn glued(&self, joined: &str, typing: bool) -> Result<Vec<Expansion>> {
        let ix = &self.index;
        let mut out = Vec::new();
        if let Some(ord) = ix.term_ordinal(joined)? {
            out.push(Expansion { ord, weight: 1.0, kind: MatchKind::Exact });
            for m in ix.stem_siblings(ord)? {
                let weight = MatchKind::Stem.weight(0);
                out.push(Expansion { ord: m, weight, kind: MatchKind::Stem });
            }
        }
        if typing {
            let mut cands = Vec::new();
            for ord in ix.prefix_ordinals(joined.as_bytes())?.take(MAX_SCAN) {
                if out.iter().all(|e| e.ord != ord) {
                    cands.push((ix.doc_freq(ord)?, ord));
                }
            }
            sorting::sort_by(&mut cands, |x, y| y.cmp(x));
            for &(_, ord) in cands.iter().take(MAX_COMPLETIONS) {
                let weight = MatchKind::Prefix.weight(0);
                out.push(Expansion { ord, weight, kind: MatchKind::Prefix });
            }
        }
        Ok(out)
    }

    /// The best cut of `w` into two dictionary words, neither on a
    /// quarter of all events (`away` is not `a way`): the cut whose rarer
    /// half is most common.
    fn split(&self, g: usize, w: &str, own: u32) -> Result<Option<Alt>> {
        let ix = &self.index;
        let common = ix.doc_count() / 4;
        let cuts: Vec<usize> = w.char_indices().map(|(i, _)| i).collect();
        if cuts.len() < 3 {
            return Ok(None);
        }
        // The first halves share `w`'s lexicon shard; the second halves'
        // shards are asked for together.
        let mut firsts = Vec::new();
        for &i in &cuts[1..] {
            if let Some(o) = ix.term_ordinal(w.get(..i).unwrap_or_default())? {
                firsts.push((i, o));
            }
        }
        let bytes: Vec<u8> = firsts
            .iter()
            .filter_map(|&(i, _)| w.as_bytes().get(i))
            .copied()
            .collect();
        // Over a split index a request away, a word the archive has as
        // typed is cut only where the second half's shard is at hand:
        // fetching a shard per cut cost a cold query several chunks.
        let only_loaded = own > 0 && ix.chunks_far();
        if !only_loaded {
            ix.want_terms(&bytes);
        }
        let mut best: Option<(u32, usize, f32, [u32; 2])> = None;
        for (i, oa) in firsts {
            let ob = if only_loaded {
                ix.loaded_term_ordinal(w.get(i..).unwrap_or_default())
            } else {
                ix.term_ordinal(w.get(i..).unwrap_or_default())?
            };
            let Some(ob) = ob else { continue };
            let (da, db) = (ix.doc_freq(oa)?, ix.doc_freq(ob)?);
            let df = da.min(db);
            let fits = da.max(db) <= common;
            if fits && best.is_none_or(|b| df > b.0) {
                best = Some((df, i, self.idf(da) + self.idf(db), [oa, ob]));
            }
        }
        Ok(best.map(|(_, i, halves, ords)| Alt {
            kind: AltKind::Split {
                g,
                words: [w.get(..i), w.get(i..)]
                    .map(|h| h.unwrap_or_default().to_owned()),
                own,
                halves,
            },
            ords: ords.to_vec(),
        }))
    }

    /// What each group's variants match: (document, score, first title
    /// position) lists, one per group, the postings read.
    pub(super) fn variant_docs(
        &self,
        q: &Query,
        plans: &[Vec<Option<WordPlan>>],
        alts: Vec<Alt>,
        matched: &mut Ids,
    ) -> Result<Vec<VariantDocs>> {
        let ix = &self.index;
        let mut out = vec![Vec::new(); q.groups.len()];
        for alt in alts {
            match alt.kind {
                AltKind::Joined { g, exp } => {
                    let words: Vec<String> = [g, g + 1]
                        .iter()
                        .filter_map(|&k| single(&q.groups[k]))
                        .map(|(w, _)| w.to_owned())
                        .collect();
                    // The typed spelling's events: the two words adjacent.
                    let typed =
                        self.phrase_docs(&words, false, &mut Ids::default())?;
                    let mut df = 0;
                    for e in &exp {
                        df = df.max(ix.doc_freq(e.ord)?);
                    }
                    let factor = if df as usize >= FAR_MORE * typed.len() {
                        1.0
                    } else {
                        RARE_VARIANT
                    };
                    for (shift, k) in [g, g + 1].into_iter().enumerate() {
                        let Some(Some((_, idf))) = plans[k].first() else {
                            continue;
                        };
                        for e in &exp {
                            matched.insert(e.ord);
                            let w = factor * e.weight * idf;
                            let list = &mut out[k];
                            ix.postings(e.ord)?.for_each_brief(
                                |doc, impact, pos| {
                                    let s =
                                        w * crate::score::from_impact(impact);
                                    let pos = pos.map(|p| p + shift as u32);
                                    list.push((doc, s, pos));
                                },
                            )?;
                        }
                    }
                }
                AltKind::Split { g, words, own, halves } => {
                    let docs = self.phrase_docs(&words, false, matched)?;
                    let mut factor = if docs.len() >= FAR_MORE * own as usize {
                        1.0
                    } else {
                        RARE_VARIANT
                    };
                    // When the word as typed finds events itself, the
                    // phrase scores as that word would: by its rarity,
                    // not by the sum of its halves' (`earth-quake`, on
                    // one event, outranked every `earthquake`).
                    if let (Some(Some((_, idf))), true) =
                        (plans[g].first(), own > 0)
                    {
                        factor *= idf / halves;
                    }
                    out[g].extend(
                        docs.into_iter().map(|(d, s, p)| (d, s * factor, p)),
                    );
                }
            }
        }
        Ok(out)
    }
}
