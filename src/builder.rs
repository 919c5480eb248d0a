//! Events → index: order documents oldest first, collect terms and
//! facets, compute stem classes, and hand the parts to the format
//! writer. (Events are read by [`crate::input`].)

use crate::error::{Error, Result};
use crate::event::{parse_date, Day};
use crate::format::{
    encode, DocInput, FacetInput, IndexParts, PostingInput, PostingList,
    Record, TermInput, MAX_POSITIONS, NO_CLASS,
};
use crate::hash::Map;
use crate::input::Events;
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
pub fn build(events: impl Into<Events>) -> Result<Vec<u8>> {
    encode(&build_parts(events)?)
}

/// Builds the parts of an index from events (any order).
pub fn build_parts(events: impl Into<Events>) -> Result<IndexParts> {
    let events: Events = events.into();
    let n = events.len();
    let invalid = |i: usize, detail: String| {
        let origin = events.origin(i);
        Error::InvalidRecord { file: origin.file, line: origin.line, detail }
    };
    let mut seen: Map<&str, usize> =
        Map::with_capacity_and_hasher(n, Default::default());
    for i in 0..n {
        let id = events.id(i);
        if let Some(first) = seen.insert(id, i) {
            let first = events.origin(first);
            return Err(invalid(
                i,
                format!(
                    "duplicate id `{id}` (first at {}:{})",
                    first.file, first.line
                ),
            ));
        }
    }
    drop(seen);
    let mut order: Vec<(Day, u32)> = Vec::with_capacity(n);
    for i in 0..n {
        let date = events.date(i);
        let day = parse_date(date).ok_or_else(|| {
            invalid(i, format!("invalid date {date:?} (expected YYYY-MM-DD)"))
        })?;
        order.push((day, i as u32));
    }
    // Oldest first, so new events get new numbers and the documents
    // already indexed keep theirs; within a day in reverse input order,
    // so that newest first, the higher number first, lists a day's
    // events in input order.
    order.sort_unstable_by_key(|&(day, i)| (day, std::cmp::Reverse(i)));

    // The three facet dictionaries, in one pass over the records.
    let mut facets = Facets {
        categories: Dictionary::default(),
        sources: Dictionary::default(),
        contexts: Dictionary::default(),
    };
    for &(_, i) in &order {
        let r = tidy(events.record(i as usize));
        r.category.iter().for_each(|c| facets.categories.add(c));
        r.sources.iter().for_each(|s| facets.sources.add(s.0));
        r.contexts.iter().for_each(|c| facets.contexts.add(c));
    }
    // Runs of consecutive documents are indexed on all cores, each into
    // its own postings; joined in run order, every term's postings come
    // out by increasing document as the writer needs, and the same for
    // any schedule.
    let run_docs = n.div_ceil(4 * crate::par::threads()).clamp(64, 4096);
    let runs: Vec<(u32, &[(Day, u32)])> = order
        .chunks(run_docs)
        .enumerate()
        .map(|(i, run)| ((i * run_docs) as u32, run))
        .collect();
    let runs = crate::par::map(runs, |(first, run)| {
        index_run(first, run, &events, &facets)
    });
    drop(order);
    let Facets { categories, sources, contexts } = facets;
    // The records the runs kept as read are where the events hold
    // them; the others follow.
    let mut records = events.into_bytes();
    let (docs, mut terms) = join_runs(runs, &mut records);
    let classes = stem_classes(&mut terms);

    Ok(IndexParts {
        terms,
        classes,
        docs,
        records,
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
    /// The documents; a record range is into the events' bytes, or with
    /// `tidied` set into `records`.
    docs: Vec<(DocInput, bool)>,
    /// The records of the documents whose names were tidied.
    records: Vec<u8>,
    /// Per run-local term id: the term and its document frequency.
    terms: Vec<(String, u32)>,
    /// Per run-local term id, where its postings start in `stream` (and
    /// where they end), and its last document.
    starts: Vec<usize>,
    lasts: Vec<u32>,
    /// Each term's postings packed as a [`PostingList`] of its own.
    stream: Vec<u8>,
}

/// Indexes the events of one run (by day and event), whose first
/// document is `first`.
fn index_run(
    first: u32,
    run: &[(Day, u32)],
    events: &Events,
    facets: &Facets,
) -> Run {
    let mut c = Collector::default();
    let mut scratch = text::Scratch::default();
    let mut ctx_terms: Vec<u32> = Vec::new();
    let mut docs = Vec::with_capacity(run.len());
    let mut records = Vec::new();
    for (k, &(day, i)) in run.iter().enumerate() {
        let doc = first + k as u32;
        let as_read = events.record(i as usize);
        let mut r = tidy(as_read.clone());
        let mut lengths = [0u32; 3];
        text::scan(r.title, &mut scratch, |t, _, _, pos| {
            let id = c.id(t);
            c.add(doc, id, 0, Some(pos), 0);
            lengths[0] += 1;
        });
        for ctx in &r.contexts {
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
        for s in &r.sources {
            text::scan(s.0, &mut scratch, |t, _, _, _| {
                let id = c.id(t);
                c.add(doc, id, 2, None, 0);
            });
        }
        if let Some(cat) = r.category {
            text::scan(cat, &mut scratch, |t, _, _, _| {
                let id = c.id(t);
                c.add(doc, id, 3, None, 0);
            });
        }
        if let Some(b) = r.body {
            text::scan(b, &mut scratch, |t, _, _, _| {
                let id = c.id(t);
                c.add(doc, id, 4, None, 0);
                lengths[2] += 1;
            });
        }
        // A context named twice is stored and counted once.
        let mut once: Vec<&str> = Vec::with_capacity(r.contexts.len());
        for c in std::mem::take(&mut r.contexts) {
            if !once.contains(&c) {
                once.push(c);
            }
        }
        r.contexts = once;
        // The record as read, unless tidying changed it.
        let (record, tidied) = if r == as_read {
            (events.record_bytes(i as usize), false)
        } else {
            let start = records.len();
            r.write(&mut records);
            (start..records.len(), true)
        };
        docs.push((
            DocInput {
                day,
                lengths,
                category: r.category.map(|c| facets.categories.id(c)),
                sources: r
                    .sources
                    .iter()
                    .map(|s| facets.sources.id(s.0))
                    .collect(),
                contexts: r
                    .contexts
                    .iter()
                    .map(|&c| facets.contexts.id(c))
                    .collect(),
                record,
            },
            tidied,
        ));
    }
    c.finish(docs, records)
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
    fn finish(self, docs: Vec<(DocInput, bool)>, records: Vec<u8>) -> Run {
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
        Run { docs, records, terms, starts, lasts, stream }
    }
}

/// Joins indexed runs (in document order): all documents, and every
/// term with its postings, sorted by term. The records the runs tidied
/// are appended to `records`.
fn join_runs(
    runs: Vec<Run>,
    records: &mut Vec<u8>,
) -> (Vec<DocInput>, Vec<TermInput>) {
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
        let base = records.len();
        records.extend_from_slice(&run.records);
        docs.extend(run.docs.into_iter().map(|(mut d, tidied)| {
            if tidied {
                d.record = base + d.record.start..base + d.record.end;
            }
            d
        }));
    }
    (docs, terms)
}

/// Trims the title and names and drops blank categories and contexts,
/// so every facet value the dictionaries see is one a reader can show.
fn tidy(mut r: Record<'_>) -> Record<'_> {
    r.title = r.title.trim();
    r.category = r.category.map(str::trim).filter(|c| !c.is_empty());
    r.contexts.retain(|c| !c.trim().is_empty());
    r.contexts.iter_mut().for_each(|c| *c = c.trim());
    for s in &mut r.sources {
        s.0 = s.0.trim();
    }
    r
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
#[derive(Default)]
struct Dictionary {
    ids: Map<String, u32>,
    names: Vec<String>,
}

impl Dictionary {
    /// Gives `name` the next id, unless it has one.
    fn add(&mut self, name: &str) {
        if !self.ids.contains_key(name) {
            self.ids.insert(name.to_owned(), self.names.len() as u32);
            self.names.push(name.to_owned());
        }
    }

    /// The id of a value [`Dictionary::add`]ed (every value of every
    /// document was, so the fallback is never taken).
    fn id(&self, name: &str) -> u32 {
        self.ids.get(name).copied().unwrap_or(0)
    }

    fn finish(self) -> FacetInput {
        FacetInput { names: self.names }
    }
}
