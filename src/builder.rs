//! Events → index: order documents oldest first, collect terms and
//! facets, compute stem classes, and hand the parts to the format
//! writer. (Events are read by [`crate::input`].)

use crate::error::{Error, Result};
use crate::event::{parse_date, Day, Event};
use crate::format::{
    encode, DocInput, FacetInput, IndexParts, PostingInput, PostingList,
    TermInput, MAX_POSITIONS, NO_CLASS,
};
use crate::hash::Map;
use crate::text;

/// Where an event came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The input file (`-` for standard input).
    pub file: String,
    /// The 1-based line number.
    pub line: u64,
}

/// What reading the input ([`crate::input`]) does with an invalid
/// record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnInvalid {
    /// Stop with an error naming file and line.
    Fail,
    /// Skip the record and count it.
    Skip,
}

/// Builds index bytes from events (any order). Ids must be unique; the
/// error for a duplicate names both places it occurs.
pub fn build(events: Vec<(Event, Origin)>) -> Result<Vec<u8>> {
    encode(&build_parts(events)?)
}

/// Builds the parts of an index from events (any order).
pub fn build_parts(events: Vec<(Event, Origin)>) -> Result<IndexParts> {
    let mut seen: Map<&str, &Origin> =
        Map::with_capacity_and_hasher(events.len(), Default::default());
    for (ev, origin) in &events {
        if let Some(first) = seen.insert(ev.id.as_str(), origin) {
            return Err(Error::InvalidRecord {
                file: origin.file.clone(),
                line: origin.line,
                detail: format!(
                    "duplicate id `{}` (first at {}:{})",
                    ev.id, first.file, first.line
                ),
            });
        }
    }
    drop(seen);
    let mut keyed: Vec<(Day, Event)> = Vec::with_capacity(events.len());
    // Consumed, so its buffer is freed once the events have moved.
    for (ev, origin) in events {
        let day =
            parse_date(&ev.date).ok_or_else(|| Error::InvalidRecord {
                file: origin.file.clone(),
                line: origin.line,
                detail: format!(
                    "invalid date {:?} (expected YYYY-MM-DD)",
                    ev.date
                ),
            })?;
        keyed.push((day, ev));
    }
    // Oldest first, so new events get new numbers and the documents
    // already indexed keep theirs; within a day in reverse input order
    // (reversed, then a stable sort), so that newest first, the higher
    // number first, lists a day's events in input order.
    keyed.reverse();
    keyed.sort_by_key(|k| k.0);
    for (_, ev) in &mut keyed {
        tidy(ev);
    }

    // The three facet dictionaries, side by side.
    let mut facets = crate::par::map(0..3, |f| {
        Dictionary::collect(keyed.iter().map(|(_, e)| -> Vec<&str> {
            match f {
                0 => e.category.iter().map(String::as_str).collect(),
                1 => e.sources.iter().map(|s| s.name.as_str()).collect(),
                _ => e.contexts.iter().map(String::as_str).collect(),
            }
        }))
    })
    .into_iter();
    let mut next = || facets.next().expect("three dictionaries");
    let facets =
        Facets { categories: next(), sources: next(), contexts: next() };
    // Runs of consecutive documents are indexed on all cores, each into
    // its own postings; joined in run order, every term's postings come
    // out by increasing document as the writer needs, and the same for
    // any schedule.
    let n = keyed.len();
    let run_docs = n.div_ceil(4 * crate::par::threads()).clamp(64, 4096);
    let runs: Vec<(u32, &mut [(Day, Event)])> = keyed
        .chunks_mut(run_docs)
        .enumerate()
        .map(|(i, run)| ((i * run_docs) as u32, run))
        .collect();
    let runs =
        crate::par::map(runs, |(first, run)| index_run(first, run, &facets));
    drop(keyed);
    let Facets { categories, sources, contexts } = facets;
    let (docs, mut terms) = join_runs(runs);
    let classes = stem_classes(&mut terms);

    Ok(IndexParts {
        terms,
        classes,
        docs,
        categories: categories.finish(),
        sources: sources.finish(),
        contexts: contexts.finish(),
    })
}

/// The facet dictionaries, for the documents' facet ids.
struct Facets {
    categories: Dictionary,
    sources: Dictionary,
    contexts: Dictionary,
}

/// A run of documents, indexed: the documents, and the terms in them
/// with their postings, term by term, packed in one stream that
/// [`join_runs`] appends to the terms' [`PostingList`]s as it is (runs
/// and lists hold a few bytes per posting rather than a
/// [`PostingInput`], and each list is allocated once, at about its final
/// size).
struct Run {
    docs: Vec<DocInput>,
    /// Per run-local term id: the term and its document frequency.
    terms: Vec<(String, u32)>,
    /// Per run-local term id, where its postings start in `stream` (and
    /// where they end), and its last document.
    starts: Vec<usize>,
    lasts: Vec<u32>,
    /// Each term's postings packed as a [`PostingList`] of its own.
    stream: Vec<u8>,
}

/// Indexes the events of one run, whose first document is `first`;
/// their strings move into the documents.
fn index_run(first: u32, events: &mut [(Day, Event)], facets: &Facets) -> Run {
    let mut c = Collector::default();
    let mut scratch = text::Scratch::default();
    let mut ctx_terms: Vec<u32> = Vec::new();
    let mut docs = Vec::with_capacity(events.len());
    for (i, (day, ev)) in events.iter_mut().enumerate() {
        let doc = first + i as u32;
        let mut lengths = [0u32; 3];
        text::scan(&ev.title, &mut scratch, |t, _, _, pos| {
            let id = c.id(t);
            c.add(doc, id, 0, Some(pos), 0);
            lengths[0] += 1;
        });
        for ctx in &ev.contexts {
            ctx_terms.clear();
            text::scan(ctx, &mut scratch, |t, _, _, _| {
                ctx_terms.push(c.id(t))
            });
            let words = u8::try_from(ctx_terms.len()).unwrap_or(u8::MAX);
            for &id in &ctx_terms {
                c.add(doc, id, 1, None, words.max(1));
                lengths[1] += 1;
            }
        }
        for s in &ev.sources {
            text::scan(&s.name, &mut scratch, |t, _, _, _| {
                let id = c.id(t);
                c.add(doc, id, 2, None, 0);
            });
        }
        if let Some(cat) = &ev.category {
            text::scan(cat, &mut scratch, |t, _, _, _| {
                let id = c.id(t);
                c.add(doc, id, 3, None, 0);
            });
        }
        if let Some(b) = &ev.body {
            text::scan(b, &mut scratch, |t, _, _, _| {
                let id = c.id(t);
                c.add(doc, id, 4, None, 0);
                lengths[2] += 1;
            });
        }
        let ev = std::mem::take(ev);
        let title = match ev.title.trim() {
            t if t.len() == ev.title.len() => ev.title,
            t => t.to_owned(),
        };
        docs.push(DocInput {
            day: *day,
            lengths,
            category: ev.category.as_deref().map(|c| facets.categories.id(c)),
            sources: ev
                .sources
                .into_iter()
                .map(|s| (facets.sources.id(&s.name), s.url))
                .collect(),
            contexts: dedup_ids(
                ev.contexts.iter().map(|c| facets.contexts.id(c)),
            ),
            id: ev.id,
            title,
            url: ev.url,
            body: ev.body,
        });
    }
    c.finish(docs)
}

/// Postings under construction for a run: terms by a run-local id, and
/// each term's postings.
#[derive(Default)]
struct Collector {
    /// Terms of up to [`SHORT`] bytes, packed by [`pack`]: looking one up
    /// hashes and compares an integer instead of following a pointer.
    short: Map<u128, u32>,
    long: Map<String, u32>,
    lists: Vec<Vec<PostingInput>>,
}

/// The longest term [`pack`] packs.
const SHORT: usize = 15;

/// A term of at most [`SHORT`] bytes as an integer: its bytes, then its
/// length in the last byte.
#[inline]
fn pack(term: &str) -> Option<u128> {
    let b = term.as_bytes();
    if b.len() > SHORT {
        return None;
    }
    let mut k = [0u8; 16];
    k[..b.len()].copy_from_slice(b);
    k[15] = b.len() as u8;
    Some(u128::from_le_bytes(k))
}

/// The term [`pack`] packed into `k`.
fn unpack(k: u128) -> String {
    let b = k.to_le_bytes();
    let len = usize::from(b[15]).min(SHORT);
    // The bytes of a `str`, cut at its end.
    String::from_utf8_lossy(&b[..len]).into_owned()
}

impl Collector {
    #[inline]
    fn id(&mut self, term: &str) -> u32 {
        let next = self.lists.len() as u32;
        let id = match pack(term) {
            Some(k) => *self.short.entry(k).or_insert(next),
            None => match self.long.get(term) {
                Some(&id) => id,
                None => *self.long.entry(term.to_owned()).or_insert(next),
            },
        };
        if id == next {
            self.lists.push(Vec::new());
        }
        id
    }

    /// Counts an occurrence of term `id` in field `f` (`pos`: its title
    /// position; `ctx`: for a context-name term, the name's word count).
    fn add(&mut self, doc: u32, id: u32, f: usize, pos: Option<u32>, ctx: u8) {
        let list = &mut self.lists[id as usize];
        if list.last().is_none_or(|p| p.doc != doc) {
            list.push(PostingInput { doc, ..PostingInput::default() });
        }
        let p = list.last_mut().expect("pushed for this document");
        if let Some(pos) = pos {
            let k = p.tf[0] as usize;
            if k < MAX_POSITIONS {
                p.positions[k] = u16::try_from(pos).unwrap_or(u16::MAX);
            }
        }
        p.tf[f] = p.tf[f].saturating_add(1);
        if ctx > 0 {
            p.ctx_words = match p.ctx_words {
                0 => ctx,
                w => w.min(ctx),
            };
        }
    }

    /// Packs the lists into a run: each term's as a [`PostingList`], one
    /// after another in one buffer (a list each would cost an allocation
    /// per term and run).
    fn finish(self, docs: Vec<DocInput>) -> Run {
        let mut terms = vec![(String::new(), 0u32); self.lists.len()];
        for (k, id) in self.short {
            terms[id as usize].0 = unpack(k);
        }
        for (t, id) in self.long {
            terms[id as usize].0 = t;
        }
        let mut stream = Vec::new();
        let mut starts = Vec::with_capacity(self.lists.len() + 1);
        let mut lasts = Vec::with_capacity(self.lists.len());
        let mut one = PostingList::default();
        for (id, list) in self.lists.into_iter().enumerate() {
            starts.push(stream.len());
            terms[id].1 = list.len() as u32;
            one.reset();
            list.iter().for_each(|p| one.push(p));
            stream.extend_from_slice(one.bytes());
            lasts.push(one.last());
        }
        starts.push(stream.len());
        Run { docs, terms, starts, lasts, stream }
    }
}

/// Joins indexed runs (in document order): all documents, and every
/// term with its postings, sorted by term.
fn join_runs(runs: Vec<Run>) -> (Vec<DocInput>, Vec<TermInput>) {
    // Global ids in order of first appearance.
    let mut ids: Map<&str, u32> = Map::default();
    // Bytes of packed postings per term (a few more where a run's first
    // gap is wider than its own).
    let mut size: Vec<usize> = Vec::new();
    let mut run_ids: Vec<Vec<u32>> = Vec::with_capacity(runs.len());
    for run in &runs {
        let mut mine = Vec::with_capacity(run.terms.len());
        for (local, (term, _)) in run.terms.iter().enumerate() {
            let next = size.len() as u32;
            let id = *ids.entry(term.as_str()).or_insert(next);
            if id == next {
                size.push(0);
            }
            size[id as usize] += run.starts[local + 1] - run.starts[local] + 4;
            mine.push(id);
        }
        run_ids.push(mine);
    }
    let mut names: Vec<(&str, u32)> = ids.into_iter().collect();
    names.sort_unstable();
    let mut terms: Vec<TermInput> = names
        .iter()
        .map(|&(t, id)| TermInput {
            term: t.to_owned(),
            class: NO_CLASS,
            postings: PostingList::with_capacity(size[id as usize]),
        })
        .collect();
    // Global id → place in `terms`.
    let mut place = vec![0u32; size.len()];
    for (i, &(_, id)) in names.iter().enumerate() {
        place[id as usize] = i as u32;
    }
    drop(names);
    // Per run, (place, run-local id) by place.
    let by_place: Vec<Vec<(u32, u32)>> = crate::par::map(run_ids, |mine| {
        let mut v: Vec<(u32, u32)> = mine
            .iter()
            .enumerate()
            .map(|(local, &id)| (place[id as usize], local as u32))
            .collect();
        v.sort_unstable();
        v
    });
    // The postings, on all cores: each task fills a range of terms from
    // every run in turn, so each list is filled in document order.
    let per_task = terms.len().div_ceil(4 * crate::par::threads()).max(1);
    let tasks: Vec<(u32, &mut [TermInput])> = terms
        .chunks_mut(per_task)
        .enumerate()
        .map(|(i, range)| ((i * per_task) as u32, range))
        .collect();
    crate::par::map(tasks, |(lo, range)| {
        let hi = lo + range.len() as u32;
        for (run, order) in runs.iter().zip(&by_place) {
            let from = order.partition_point(|&(p, _)| p < lo);
            for &(p, local) in order[from..].iter().take_while(|e| e.0 < hi) {
                let local = local as usize;
                range[(p - lo) as usize].postings.append_packed(
                    &run.stream[run.starts[local]..run.starts[local + 1]],
                    run.terms[local].1 as usize,
                    run.lasts[local],
                );
            }
        }
    });
    let total: usize = runs.iter().map(|r| r.docs.len()).sum();
    let mut docs = Vec::with_capacity(total);
    for run in runs {
        docs.extend(run.docs);
    }
    (docs, terms)
}

/// Trims names and drops blank categories and contexts, so every facet
/// value the dictionaries see is one a reader can show.
fn tidy(ev: &mut Event) {
    // Most names have nothing to trim: those keep their allocation.
    fn trim(s: &mut String) {
        if s.trim().len() != s.len() {
            *s = s.trim().to_owned();
        }
    }
    if let Some(c) = &mut ev.category {
        trim(c);
    }
    ev.category = ev.category.take().filter(|c| !c.is_empty());
    ev.contexts.retain(|c| !c.trim().is_empty());
    ev.contexts.iter_mut().for_each(trim);
    for s in &mut ev.sources {
        trim(&mut s.name);
    }
}

fn dedup_ids(ids: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Groups terms that share a Snowball English stem; only groups of two or
/// more become classes. Sets each member's class and returns the classes.
fn stem_classes(terms: &mut [TermInput]) -> Vec<Vec<u32>> {
    let stemmer =
        rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let mut by_stem: Map<String, Vec<u32>> = Map::default();
    for (ord, t) in terms.iter().enumerate() {
        // Numbers and very short words have no useful stem.
        if t.term.len() < 3 || !t.term.chars().all(char::is_alphabetic) {
            continue;
        }
        let stem = stemmer.stem(&t.term).into_owned();
        by_stem.entry(stem).or_default().push(ord as u32);
    }
    let mut classes: Vec<Vec<u32>> =
        by_stem.into_values().filter(|m| m.len() > 1).collect();
    classes.sort_unstable();
    for (c, members) in classes.iter().enumerate() {
        for &m in members {
            terms[m as usize].class = c as u32;
        }
    }
    classes
}

/// A facet dictionary under construction: ids in order of first
/// appearance, so adding documents never changes the ids of the values
/// older documents hold (and their forward lists stay the same bytes).
struct Dictionary {
    ids: Map<String, u32>,
    names: Vec<String>,
}

impl Dictionary {
    fn collect<'a>(per_doc: impl Iterator<Item = Vec<&'a str>>) -> Self {
        let mut d = Dictionary { ids: Map::default(), names: Vec::new() };
        for values in per_doc {
            for v in values {
                if !d.ids.contains_key(v) {
                    d.ids.insert(v.to_owned(), d.names.len() as u32);
                    d.names.push(v.to_owned());
                }
            }
        }
        d
    }

    /// The id of a value seen by `collect` (every value of every
    /// document was, so the fallback is never taken).
    fn id(&self, name: &str) -> u32 {
        self.ids.get(name).copied().unwrap_or(0)
    }

    fn finish(self) -> FacetInput {
        FacetInput { names: self.names }
    }
}
