//! Search quality, feature by feature, on a small corpus whose answers
//! are known: typos, stems, prefixes, normalisation, phrases, operators,
//! filters, facets, "did you mean", related events and bounded work.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chronicle::builder::{self, Origin};
use chronicle::query::{
    parse, Clause, SearchOptions, SearchResult, Searcher, Sort,
    MAX_EXPANSIONS, MAX_WORDS,
};
use chronicle::{render, Event, Index, Source};

/// id, date, title, category, sources, contexts.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const EVENTS: &[Row] = &[
    ("lavrov-geneva", "2014-05-06", "Russian foreign minister Sergey Lavrov rules out fresh talks in Geneva.", "Armed conflicts and attacks", &["BBC"], &["2014 pro-Russian unrest in Ukraine", "Sergey Lavrov", "Geneva"]),
    ("lavrov-kerry", "2016-12-09", "Russia and the United States will continue talks on Aleppo after Kerry met Lavrov.", "International relations", &["Reuters"], &["Sergey Lavrov", "John Kerry", "Aleppo"]),
    ("lavrov-sergey-reversed", "2015-03-01", "Lavrov, not Sergey Ivanov, talked about sanctions.", "International relations", &["BBC News"], &["Sergey Lavrov"]),
    ("geneva-un", "2017-02-16", "United Nations officials create a team in Geneva to investigate war crimes in Syria.", "Law and crime", &["Al Jazeera"], &["United Nations", "Geneva", "Syrian Civil War"]),
    ("quake-japan", "2011-03-11", "A magnitude 9.0 earthquake strikes off the coast of Japan, causing a tsunami.", "Disasters and accidents", &["CNN"], &["2011 Tōhoku earthquake and tsunami", "Japan"]),
    ("quake-chile", "2010-02-27", "An earthquake of magnitude 8.8 hits central Chile.", "Disasters and accidents", &["BBC"], &["2010 Chile earthquake", "Chile"]),
    ("zurich", "2009-06-01", "Voters in Zürich approve the new tram line.", "Politics and elections", &["Swissinfo"], &["Zürich"]),
    ("pro-russian", "2014-04-13", "Pro-Russian militants seize buildings in Donetsk.", "Armed conflicts and attacks", &["BBC"], &["2014 pro-Russian unrest in Ukraine", "Donetsk"]),
    ("negotiations", "2015-07-14", "Negotiations between Iran and world powers end with a nuclear deal.", "International relations", &["AP"], &["Iran", "Joint Comprehensive Plan of Action"]),
    ("negotiator", "2013-11-09", "The chief negotiator says talks are close.", "International relations", &["Reuters"], &["Iran"]),
    ("talkshow", "2012-01-05", "A popular talkshow host retires.", "Arts and culture", &["CNN"], &["Television"]),
    ("world-cup", "2014-07-13", "Germany wins the World Cup final against Argentina.", "Sports", &["BBC Sport"], &["2014 FIFA World Cup", "Germany national football team"]),
    ("world-cup-2010", "2010-07-11", "Spain wins the World Cup in South Africa.", "Sports", &["BBC Sport"], &["2010 FIFA World Cup"]),
    ("cup-world", "2006-07-09", "Italy wins a cup; the world celebrates.", "Sports", &["AP"], &["Italy"]),
    ("obama", "2009-01-20", "Barack Obama is sworn in as the 44th President of the United States.", "Politics and elections", &["CNN", "The New York Times"], &["Barack Obama", "United States"]),
];

fn events() -> Vec<(Event, Origin)> {
    EVENTS
        .iter()
        .enumerate()
        .map(|(i, (id, date, title, cat, srcs, ctxs))| {
            let ev = Event {
                id: id.to_string(),
                date: date.to_string(),
                title: title.to_string(),
                category: Some(cat.to_string()),
                sources: srcs
                    .iter()
                    .map(|s| Source { name: s.to_string(), url: None })
                    .collect(),
                contexts: ctxs.iter().map(|c| c.to_string()).collect(),
                url: None,
                body: None,
            };
            (ev, Origin { file: "t".into(), line: i as u64 + 1 })
        })
        .collect()
}

fn searcher() -> &'static Searcher<Vec<u8>> {
    static S: OnceLock<Searcher<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        Searcher::new(Index::new(builder::build(events()).unwrap()).unwrap())
    })
}

fn run(q: &str, opts: &SearchOptions) -> (SearchResult, Vec<String>) {
    let s = searcher();
    let r = s.search(q, opts).unwrap();
    let ids =
        render::hits(s, &r, 0).unwrap().into_iter().map(|h| h.id).collect();
    (r, ids)
}

fn ids(q: &str) -> Vec<String> {
    run(q, &SearchOptions { limit: 100, ..SearchOptions::default() }).1
}

/// The ids of `q`'s hits, sorted (when order is not the point).
fn set(q: &str) -> Vec<String> {
    let mut v = ids(q);
    v.sort();
    v
}

fn has(q: &str, id: &str) -> bool {
    ids(q).iter().any(|i| i == id)
}

#[test]
fn words_are_anded_and_the_last_is_a_prefix() {
    assert_eq!(ids("lavrov geneva"), ["lavrov-geneva"]);
    assert_eq!(ids("lavrov gen"), ["lavrov-geneva"]);
    assert_eq!(ids("lavrov iv"), ["lavrov-sergey-reversed"]);
    let (r, _) = run("lavrov iv ", &SearchOptions::default());
    assert!(r.partial, "a finished word is not a prefix: only lavrov matches");
    // A word that is not in the dictionary is completed wherever it is.
    assert_eq!(ids("gen lavrov"), ["lavrov-geneva"]);
    assert_eq!(ids("negotia iran deal"), ["negotiations"]);
}

#[test]
fn typos_within_the_budget() {
    // One edit from four letters, two from eight; transpositions count one.
    assert!(has("eartquake", "quake-japan"));
    assert!(has("eatrhquake", "quake-japan"));
    assert!(has("negotiatons", "negotiations"));
    assert!(has("negottiatons", "negotiations"), "two edits at 8+ letters");
    assert!(has("japn", "quake-japan"), "one edit at four letters");
    assert!(!has("jpn", "quake-japan"), "no typos below four letters");
    assert!(
        has("lavrv genev", "lavrov-geneva"),
        "a typo in a half-typed word"
    );
}

#[test]
fn exact_beats_stem_beats_prefix_beats_typo() {
    let (r, got) =
        run("talks", &SearchOptions { limit: 100, ..Default::default() });
    let score: HashMap<&str, f32> = got
        .iter()
        .map(String::as_str)
        .zip(r.hits.iter().map(|h| h.score))
        .collect();
    // Exact "talks" in similar short titles outranks the stem match
    // "talked", which outranks the completion "talkshow".
    assert!(
        score["negotiator"] > score["lavrov-sergey-reversed"],
        "{score:?}"
    );
    assert!(score["lavrov-sergey-reversed"] > score["talkshow"], "{score:?}");
    let typo = run("talkshw", &SearchOptions::default()).1;
    assert_eq!(typo, ["talkshow"]);
}

#[test]
fn stems_and_prefixes_longer_than_the_stem() {
    assert!(has("talks ", "lavrov-sergey-reversed"), "talks finds talked");
    assert!(has("talked ", "lavrov-geneva"), "talked finds talks");
    // Stem of "negotiations" is "negoti"; the typed prefix is longer.
    assert!(has("negotiati", "negotiations"));
    assert!(has("negotiatio", "negotiations"));
}

#[test]
fn normalisation_is_shared() {
    assert!(has("zurich", "zurich"));
    assert!(has("ZÜRICH", "zurich"));
    assert!(has("pro russian", "pro-russian"));
    assert!(has("pro-russian", "pro-russian"));
    assert!(has("44th", "obama"));
    assert!(has("9.0 earthquake", "quake-japan"));
}

#[test]
fn phrases_need_adjacent_words() {
    let got = ids("\"sergey lavrov\"");
    assert!(got.contains(&"lavrov-geneva".to_string()));
    // Matched through the context name "Sergey Lavrov".
    assert!(got.contains(&"lavrov-kerry".to_string()));
    assert!(got.contains(&"lavrov-sergey-reversed".to_string()));
    assert_eq!(set("\"world cup\""), ["world-cup", "world-cup-2010"]);
    assert!(!has("\"world cup\"", "cup-world"));
}

#[test]
fn exclusion_and_or() {
    assert_eq!(
        set("lavrov -geneva"),
        ["lavrov-kerry", "lavrov-sergey-reversed"]
    );
    assert_eq!(set("chile OR japan"), ["quake-chile", "quake-japan"]);
    assert_eq!(
        set("earthquake chile OR japan"),
        ["quake-chile", "quake-japan"]
    );
    assert_eq!(set("earthquake chile OR japan -tsunami"), ["quake-chile"]);
}

#[test]
fn filters_with_and_without_words() {
    assert_eq!(
        set("lavrov from:2015 to:2016"),
        ["lavrov-kerry", "lavrov-sergey-reversed"]
    );
    assert_eq!(ids("lavrov from:2014-05 to:2014-05-06"), ["lavrov-geneva"]);
    assert_eq!(
        ids("category:sports"),
        ["world-cup", "world-cup-2010", "cup-world"]
    );
    assert_eq!(ids("category:sport"), ids("category:sports"));
    // `source:bbc` matches BBC, BBC News and BBC Sport.
    let bbc = ids("source:bbc");
    assert_eq!(bbc.len(), 6, "{bbc:?}");
    assert_eq!(ids("source:\"bbc news\""), ["lavrov-sergey-reversed"]);
    // Filters alone: newest first.
    assert_eq!(
        ids("about:\"Sergey Lavrov\""),
        ["lavrov-kerry", "lavrov-sergey-reversed", "lavrov-geneva"]
    );
    assert_eq!(ids("about:geneva lavrov"), ["lavrov-geneva"]);
    // Filters alone browse newest first.
    assert_eq!(ids("from:2016"), ["geneva-un", "lavrov-kerry"]);
}

#[test]
fn malformed_syntax_never_errors() {
    for q in [
        "from:banana",
        "\"unclosed phrase",
        "-",
        "OR",
        "about:",
        "\"",
        "to:2014-13-45",
        ":::",
        "-\"\"",
        "a OR",
        "OR b",
        "category:\"\"",
    ] {
        searcher().search(q, &SearchOptions::default()).unwrap();
    }
    assert!(
        has("\"sergey lavrov", "lavrov-geneva"),
        "an unclosed quote runs to the end"
    );
}

#[test]
fn sort_orders() {
    let opts = |sort| SearchOptions { sort, limit: 100, ..Default::default() };
    assert_eq!(
        run("lavrov", &opts(Sort::Newest)).1,
        ["lavrov-kerry", "lavrov-sergey-reversed", "lavrov-geneva"]
    );
    assert_eq!(
        run("lavrov", &opts(Sort::Oldest)).1,
        ["lavrov-geneva", "lavrov-sergey-reversed", "lavrov-kerry"]
    );
}

#[test]
fn facets_and_years_count_all_matches() {
    let opts = SearchOptions { limit: 1, ..Default::default() };
    let (r, _) = run("the", &opts);
    // Brute force over the corpus.
    let has_the =
        |t: &str| chronicle::text::terms(t).iter().any(|w| w == "the");
    let matching: Vec<_> = EVENTS
        .iter()
        .filter(|e| {
            has_the(e.2)
                || has_the(e.3)
                || e.4.iter().any(|s| has_the(s))
                || e.5.iter().any(|c| has_the(c))
        })
        .collect();
    assert_eq!(r.total as usize, matching.len());
    let mut cats: BTreeMap<&str, u32> = BTreeMap::new();
    let mut ctxs: BTreeMap<&str, u32> = BTreeMap::new();
    let mut years: BTreeMap<i32, u32> = BTreeMap::new();
    for e in &matching {
        *cats.entry(e.3).or_default() += 1;
        for c in e.5 {
            *ctxs.entry(c).or_default() += 1;
        }
        *years.entry(e.1[..4].parse().unwrap()).or_default() += 1;
    }
    let got: BTreeMap<&str, u32> = r
        .facets
        .categories
        .iter()
        .map(|f| (f.name.as_str(), f.count))
        .collect();
    assert_eq!(got, cats);
    let got: BTreeMap<i32, u32> =
        r.years.iter().map(|y| (y.year, y.count)).collect();
    assert_eq!(got, years);
    assert_eq!(r.hits.len(), 1, "facets are not limited to the page");
    assert!(!r.facets.contexts.is_empty());
    let top = ctxs.values().max().copied().unwrap();
    assert_eq!(r.facets.contexts[0].count, top);
    for f in &r.facets.contexts {
        assert_eq!(ctxs[f.name.as_str()], f.count, "{}", f.name);
    }
}

#[test]
fn partial_matches_when_nothing_has_every_word() {
    let (r, got) = run("lavrov xyzzyplugh", &SearchOptions::default());
    assert!(r.partial);
    assert_eq!(got.len(), 3);
}

#[test]
fn did_you_mean_offers_a_spelling_with_hits() {
    // "lvarvo" is two edits from "lavrov": beyond the search's budget for
    // six letters, within the suggestion's.
    let (r, _) = run("lvarvo geneva ", &SearchOptions::default());
    assert!(r.partial);
    assert_eq!(r.suggestion.as_deref(), Some("lavrov geneva"));
    let (r, _) = run("lvarvo ", &SearchOptions::default());
    assert_eq!(r.total, 0);
    assert_eq!(r.suggestion.as_deref(), Some("lavrov"));
    // Typos within the budget are simply found.
    let (r, _) = run("lavrvo genevva ", &SearchOptions::default());
    assert!(r.total > 0 && !r.partial);
    let (r, _) = run("qqqqqqq zzzzzz ", &SearchOptions::default());
    assert_eq!(r.suggestion, None);
}

/// A searcher over `n` prime ministers' events (one of them resigning)
/// and one about a minster, a real but rare word one edit from
/// "minister".
fn ministers(n: usize) -> Searcher<Vec<u8>> {
    let mut rows: Vec<(String, String, String)> = (0..n)
        .map(|i| {
            let verb = if i == 0 { "resigns" } else { "visits Paris" };
            (
                format!("pm-{i}"),
                format!("2010-01-{:02}", i % 28 + 1),
                format!("Prime Minister number {i} {verb}."),
            )
        })
        .collect();
    rows.push((
        "minster".into(),
        "2015-01-26".into(),
        "A first female bishop is ordained at York Minster.".into(),
    ));
    events_of(rows, "Politics and elections")
}

/// A searcher over events with these ids, dates and titles, all of
/// `category`.
fn events_of(
    rows: Vec<(String, String, String)>,
    category: &str,
) -> Searcher<Vec<u8>> {
    let events: Vec<_> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (id, date, title))| {
            let ev = Event {
                id,
                date,
                title,
                category: Some(category.into()),
                sources: vec![],
                contexts: vec![],
                url: None,
                body: None,
            };
            (ev, Origin { file: "t".into(), line: i as u64 + 1 })
        })
        .collect();
    Searcher::new(Index::new(builder::build(events).unwrap()).unwrap())
}

#[test]
fn a_real_word_is_respelled_when_no_event_has_every_word() {
    let s = ministers(24);
    let opts = SearchOptions::default();
    let ids = |r: &SearchResult| -> Vec<String> {
        render::hits(&s, r, 0).unwrap().into_iter().map(|h| h.id).collect()
    };
    // "minster" is a word (the York Minster event), but no event has
    // "prime" and "minster": the far more common "minister" is meant.
    for q in
        ["prime minster resigns ", "prime minster resigns", "minster resigns "]
    {
        let r = s.search(q, &opts).unwrap();
        assert!(!r.partial, "{q}");
        assert_eq!(r.total, 1, "{q}");
        assert_eq!(ids(&r), ["pm-0"], "{q}");
        assert_eq!(r.suggestion, None, "{q}");
        // Facets count the same matches, counted afresh or from the
        // search just run.
        for s2 in [&ministers(24), &s] {
            let (facets, years, _, _) = s2.facets(q, 10).unwrap();
            assert_eq!(facets.categories[0].count, 1, "{q}");
            assert_eq!(years.iter().map(|y| y.count).sum::<u32>(), 1, "{q}");
        }
    }
    // The word being typed is respelled as a prefix.
    let r = s.search("prime minst", &opts).unwrap();
    assert!(!r.partial);
    assert_eq!(r.total, 24);
    // A query that matches as typed is left alone.
    let r = s.search("york minster", &opts).unwrap();
    assert_eq!(ids(&r), ["minster"]);
    // A neighbour not far more common is no respelling: the best partial
    // matches, as before.
    let s = ministers(3);
    let r = s.search("prime minster resigns ", &opts).unwrap();
    assert!(r.partial);
    // Nor is a far more common word away from the one typed.
    let r = searcher().search("lavrov xyzzyplugh", &opts).unwrap();
    assert!(r.partial);
}

#[test]
fn related_events_share_specific_contexts_newest_first() {
    let s = searcher();
    let r = s.search("lavrov geneva", &SearchOptions::default()).unwrap();
    let rel = render::related_views(s, r.hits[0].doc, 10).unwrap();
    let got: Vec<(&str, &str)> =
        rel.iter().map(|r| (r.id.as_str(), r.context.as_str())).collect();
    assert_eq!(
        got,
        [
            ("geneva-un", "Geneva"),
            ("lavrov-kerry", "Sergey Lavrov"),
            ("lavrov-sergey-reversed", "Sergey Lavrov"),
            ("pro-russian", "2014 pro-Russian unrest in Ukraine"),
        ]
    );
}

#[test]
fn work_is_bounded_whatever_the_input() {
    let s = searcher();
    let opts = SearchOptions::default();
    let long = "negotiations ".repeat(1000);
    assert_eq!(parse(&long).groups.len(), MAX_WORDS);
    s.search(&long, &opts).unwrap();
    s.search(&"x".repeat(10_000), &opts).unwrap();
    s.search(&"é".repeat(5_000), &opts).unwrap();
    let typos: String = (0..1000).map(|i| format!("zqxw{i}vj ")).collect();
    s.search(&typos, &opts).unwrap();
    // A 24-letter word with a typo budget of two still runs; longer words
    // get none.
    s.search("abcdefghijklmnopqrstuvwx", &opts).unwrap();
    s.search(&"ab".repeat(100), &opts).unwrap();
    // Prefix expansion is capped.
    let q = parse("a");
    let Clause::Word { prefix, .. } = &q.groups[0][0] else { panic!() };
    assert!(prefix);
    let r = s.search("a", &opts).unwrap();
    assert!(r.matched.len() <= MAX_EXPANSIONS);
}

/// Runs `op` over a split index, adding the chunks each failed attempt
/// asked for; returns the answer and the number of rounds it took.
fn with_chunks<T>(
    s: &Searcher<Vec<u8>>,
    chunks: &[(String, Vec<u8>)],
    op: impl Fn(&Searcher<Vec<u8>>) -> chronicle::Result<T>,
) -> (T, usize) {
    for round in 0..16 {
        match op(s) {
            Err(chronicle::Error::NotLoaded) => {
                let wanted = s.index().take_wanted();
                assert!(!wanted.is_empty(), "a failed read asks for chunks");
                for n in wanted {
                    let bytes = chunks[n as usize - 1].1.clone();
                    s.index().add_chunk(n, bytes).unwrap();
                }
            }
            r => return (r.unwrap(), round),
        }
    }
    panic!("the split index did not load in 16 rounds");
}

/// The test events as a split index.
fn split_index() -> chronicle::format::SplitIndex {
    let parts = builder::build_parts(events()).unwrap();
    let (_, split) =
        chronicle::format::encode_both(parts, false, true).unwrap();
    split.unwrap()
}

#[test]
fn a_chunk_is_added_deflated_and_a_bad_one_is_refused() {
    let split = split_index();
    let index = Index::new(split.core.clone()).unwrap();
    let deflate = |b: &[u8]| {
        let mut z = flate2::write::DeflateEncoder::new(
            Vec::new(),
            flate2::Compression::best(),
        );
        std::io::Write::write_all(&mut z, b).unwrap();
        z.finish().unwrap()
    };
    let (_, first) = &split.chunks[0];
    let z = deflate(first);
    // Cut short, cut off, another chunk's bytes, garbage: errors.
    assert!(index.add_deflated_chunk(1, &z[..z.len() / 2]).is_err());
    assert!(index.add_deflated_chunk(1, &deflate(&first[1..])).is_err());
    let mut longer = first.clone();
    longer.push(0);
    assert!(index.add_deflated_chunk(1, &deflate(&longer)).is_err());
    if let Some((_, second)) = split.chunks.get(1) {
        assert!(index.add_deflated_chunk(1, &deflate(second)).is_err());
    }
    assert!(index.add_deflated_chunk(1, &[0xff; 64]).is_err());
    assert!(index.add_deflated_chunk(0, &z).is_err());
    // Then the right bytes go in: a search over the split index that
    // got every chunk this way answers like the single file. (The doc
    // store's blocks, deflated already, have no length in the core to
    // inflate them to: they are added as they are.)
    let blocks = index.section_chunks(chronicle::format::tag::STORE);
    for (n, (_, bytes)) in (1u32..).zip(&split.chunks) {
        if blocks.contains(&n) {
            assert!(index.add_deflated_chunk(n, &deflate(bytes)).is_err());
            index.add_chunk(n, bytes.clone()).unwrap();
        } else {
            index.add_deflated_chunk(n, &deflate(bytes)).unwrap();
        }
    }
    let s = Searcher::new(index);
    let opts = SearchOptions::default();
    let r = s.search("lavrov geneva", &opts).unwrap();
    assert_eq!(
        r.total,
        searcher().search("lavrov geneva", &opts).unwrap().total
    );
}

#[test]
fn a_split_index_with_its_chunks_at_hand_answers_like_the_single_file() {
    let split = split_index();
    let opts =
        SearchOptions { limit: 100, facets: true, ..SearchOptions::default() };
    for q in ["lavrov geneva", "negotiaton", "zuirch", "world", "cup", "w"] {
        // Fresh each time, so every query starts from the core alone.
        let s = Searcher::new(Index::new(split.core.clone()).unwrap());
        s.index().set_chunks_at_hand(true);
        let (r, rounds) =
            with_chunks(&s, &split.chunks, |s| s.search(q, &opts));
        let want = searcher().search(q, &opts).unwrap();
        assert_eq!(r.total, want.total, "{q}");
        assert_eq!(r.facets, want.facets, "{q}: every facet is counted");
        assert_eq!(r.years, want.years, "{q}");
        // Lexicon shards, postings, facet tables, forward lists, names:
        // each round asks for all it lacks, not one chunk at a time.
        assert!(rounds <= 6, "{q}: {rounds} rounds of chunk loading");
        let (hits, _) =
            with_chunks(&s, &split.chunks, |s| render::hits(s, &r, 0));
        let ids: Vec<String> = hits.into_iter().map(|h| h.id).collect();
        assert_eq!(ids, run(q, &opts).1, "{q}");
    }
}

#[test]
fn a_split_index_a_request_away_counts_every_facet_like_the_single_file() {
    let split = split_index();
    // Browsing, too: the facets of every event for an empty box.
    let opts = SearchOptions {
        limit: 10,
        facets: true,
        browse: true,
        ..SearchOptions::default()
    };
    for q in ["lavrov geneva", "world", "cup", "w", ""] {
        let s = Searcher::new(Index::new(split.core.clone()).unwrap());
        // The hits come first, without the forward lists.
        let fast = SearchOptions { facets: false, ..opts.clone() };
        let (first, _) =
            with_chunks(&s, &split.chunks, |s| s.search(q, &fast));
        assert!(first.facets.categories.is_empty(), "{q}");
        // Then the facets of the same matches, as the widget asks for them
        // when typing pauses, and as the search API does in one call.
        // The timeline comes at once (the day table is in the core),
        // the facets once their chunks are in.
        let want = searcher().search(q, &opts).unwrap();
        assert!(!want.facets.categories.is_empty(), "{q}");
        let (facets, years, _, done) = s.facets(q, 10).unwrap();
        assert!(!done && facets.categories.is_empty(), "{q}");
        assert_eq!(years, want.years, "{q}");
        let mut rounds = 0;
        let counted = loop {
            let (facets, years, _, done) = s.facets(q, 10).unwrap();
            if done {
                assert_eq!(years, want.years, "{q}");
                break facets;
            }
            for n in s.index().take_wanted() {
                let bytes = split.chunks[n as usize - 1].1.clone();
                s.index().add_chunk(n, bytes).unwrap();
            }
            rounds += 1;
        };
        assert_eq!(counted, want.facets, "{q}: every facet is counted");
        // The forward lists' table, then all their blocks and names.
        assert!(rounds <= 3, "{q}: {rounds} rounds of chunk loading");
        let fresh = Searcher::new(Index::new(split.core.clone()).unwrap());
        let (r, _) =
            with_chunks(&fresh, &split.chunks, |s| s.search(q, &opts));
        assert_eq!(r.facets, want.facets, "{q}");
    }
}

#[test]
fn kept_expansions_answer_as_fresh_ones() {
    // Typed key by key, then again, with enough other words in between
    // to overflow the kept expansions: each answer equals that of a
    // searcher that has kept nothing.
    let queries = [
        "lavrov geneva",
        "eartquake japan",
        "world cup final",
        "zurich",
        "negotiati",
    ];
    let prefixes: Vec<&str> = queries
        .iter()
        .flat_map(|q| {
            (1..=q.len()).filter(|&e| q.is_char_boundary(e)).map(|e| &q[..e])
        })
        .collect();
    let opts = SearchOptions { limit: 100, ..SearchOptions::default() };
    let answer = |s: &Searcher<Vec<u8>>, q: &str| {
        let r = s.search(q, &opts).unwrap();
        let hits: Vec<(u32, u32)> =
            r.hits.iter().map(|h| (h.doc, h.score.to_bits())).collect();
        (r.total, r.partial, hits, r.suggestion)
    };
    let kept = searcher();
    for round in 0..3 {
        for (i, q) in prefixes.iter().enumerate() {
            let fresh = Searcher::new(
                Index::new(builder::build(events()).unwrap()).unwrap(),
            );
            assert_eq!(
                answer(kept, q),
                answer(&fresh, q),
                "{q:?}, round {round}"
            );
            // Other words, so that the kept expansions are dropped and
            // found again.
            for n in 0..(i % 7) * 60 {
                let _ = kept.search(&format!("w{n}x{round}"), &opts).unwrap();
            }
        }
    }
}

/// A searcher over events with these ids and titles (one a day).
fn titled(rows: &[(&str, &str)]) -> Searcher<Vec<u8>> {
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, (id, title))| {
            let date = format!("2020-01-{:02}", i % 28 + 1);
            (id.to_string(), date, title.to_string())
        })
        .collect();
    events_of(rows, "Armed conflicts and attacks")
}

/// Events about truces, written "ceasefire" (often), "cease-fire" and
/// "cease fire"; a World Cup and Hong Kong written apart; an "e-mail".
fn spellings() -> Searcher<Vec<u8>> {
    spellings_and(&[])
}

/// [`spellings`] and `more` events.
fn spellings_and(more: &[(&str, &str)]) -> Searcher<Vec<u8>> {
    let mut rows: Vec<(String, String)> = (0..12)
        .map(|i| {
            (format!("truce-{i}"), format!("A ceasefire holds in town {i}."))
        })
        .collect();
    for (id, title) in [
        ("gaza-joined", "A ceasefire is agreed in Gaza."),
        ("gaza-hyphen", "Rebels agree to a cease-fire in Gaza."),
        ("gaza-apart", "Crews cease work as a fire burns in Gaza."),
        ("cup-final", "Germany wins the World Cup final."),
        ("cup-apart", "A cup final is played around the world."),
        ("hong-kong", "Protests in Hong Kong continue."),
        ("mail-worm", "A new e-mail worm spreads."),
        ("gunmen", "Gunmen attack a bus in Kingston."),
        ("gun", "A gun is found in Kingston."),
    ]
    .iter()
    .chain(more)
    {
        rows.push((id.to_string(), title.to_string()));
    }
    let rows: Vec<(&str, &str)> =
        rows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    titled(&rows)
}

fn hits_of(s: &Searcher<Vec<u8>>, q: &str) -> Vec<String> {
    let opts = SearchOptions { limit: 100, ..SearchOptions::default() };
    let r = s.search(q, &opts).unwrap();
    render::hits(s, &r, 0).unwrap().into_iter().map(|h| h.id).collect()
}

#[test]
fn two_words_that_make_a_dictionary_word_also_match_it() {
    // Issue 16: "cease fire gaza" found only the events with both words.
    let s = spellings();
    for q in ["cease fire gaza ", "cease-fire gaza ", "gaza cease fire "] {
        let got = hits_of(&s, q);
        assert!(got.contains(&"gaza-joined".into()), "{q}: {got:?}");
        assert!(got.contains(&"gaza-hyphen".into()), "{q}: {got:?}");
        // Both written-alike spellings before the words apart.
        let at = |id: &str| got.iter().position(|g| g == id).unwrap();
        assert!(at("gaza-joined") < at("gaza-apart"), "{q}: {got:?}");
        assert!(at("gaza-hyphen") < at("gaza-apart"), "{q}: {got:?}");
    }
    // The word being typed completes to the glued word.
    assert!(hits_of(&s, "gaza cease fir").contains(&"gaza-joined".into()));
    // "e-mail" finds itself; "email" finds "e-mail".
    assert_eq!(hits_of(&s, "e-mail "), ["mail-worm"]);
    // "gun men" is also "gunmen", ahead of the lone gun.
    let got = hits_of(&s, "gun men kingston");
    assert_eq!(got.first().map(String::as_str), Some("gunmen"), "{got:?}");
}

#[test]
fn a_word_that_is_two_dictionary_words_glued_matches_them_adjacent() {
    let s = spellings();
    // Issue 16: "worldcup final" and "hongkong protests".
    assert_eq!(hits_of(&s, "worldcup final "), ["cup-final"]);
    assert_eq!(hits_of(&s, "worldcup final"), ["cup-final"]);
    assert_eq!(hits_of(&s, "hongkong protests "), ["hong-kong"]);
    assert_eq!(hits_of(&s, "email "), ["mail-worm"]);
    // The glued spelling finds the other two.
    let got = hits_of(&s, "ceasefire gaza ");
    for id in ["gaza-joined", "gaza-hyphen"] {
        assert!(got.contains(&id.into()), "{got:?}");
    }
    assert!(!got.contains(&"gaza-apart".into()), "{got:?}");
    // Words apart are no glued word; nor is a word the dictionary has
    // more often than its halves.
    assert!(!hits_of(&s, "worldcup ").contains(&"cup-apart".into()));
    assert!(hits_of(&s, "gunmen ").iter().all(|h| h == "gunmen"));
}

#[test]
fn a_cut_that_no_event_holds_highlights_neither_half() {
    // "protests" is also tried as "pro tests": where no title has that,
    // a hit's lone "Pro" is not marked.
    let s = spellings_and(&[
        ("pro-hk", "Pro-democracy protests fill Hong Kong streets."),
        ("golf", "A pro golfer passes drug tests."),
    ]);
    let opts = SearchOptions { limit: 10, ..SearchOptions::default() };
    let r = s.search("hongkong protests ", &opts).unwrap();
    let hits = render::hits(&s, &r, 0).unwrap();
    let hit = hits.iter().find(|h| h.id == "pro-hk").expect("a hit");
    let marked: Vec<&str> = hit
        .title_spans
        .iter()
        .filter(|sp| sp.mark)
        .map(|sp| sp.text.as_str())
        .collect();
    assert_eq!(marked, ["protests", "Hong", "Kong"]);
}

#[test]
fn a_finished_word_one_letter_short_completes() {
    // Issue 16: "forcin" is itself in the archive (a misspelling, on
    // too many events to be taken for one), so it matched only itself
    // and a rare word before it found nothing.
    let s = titled(&[
        ("forcin-1", "Rains forcin roads shut."),
        ("forcin-2", "Storms forcin ferries back."),
        ("forcin-3", "Winds forcin flights down."),
        ("floods", "Floods in Zanskar forcing evacuations."),
        ("other", "Zanskar holds a festival."),
    ]);
    for q in ["zanskar forcin ", "forcin zanskar ", "forcin zanskar"] {
        assert_eq!(hits_of(&s, q), ["floods"], "{q}");
    }
    // The word as written still ranks first where it is.
    assert_eq!(hits_of(&s, "forcin ").len(), 4);
    assert!(hits_of(&s, "forcin ")[0].starts_with("forcin-"));
}

#[test]
fn a_rare_split_spelling_does_not_outrank_the_word_as_typed() {
    // "earthquake japan" put the one "earth-quake" title first: the
    // phrase scored as its two rarer halves together.
    let mut rows: Vec<(String, String)> = (0..30)
        .map(|i| {
            (format!("quake-{i}"), format!("An earthquake hits town {i}."))
        })
        .collect();
    for i in 0..10 {
        rows.push((format!("earth-{i}"), format!("The earth shakes in {i}.")));
        rows.push((format!("japan-{i}"), format!("Japan votes in city {i}.")));
    }
    rows.push(("one".into(), "An earthquake hits central Japan.".into()));
    rows.push((
        "split".into(),
        "Japan fakes earth-quake resistant data.".into(),
    ));
    let rows: Vec<(&str, &str)> =
        rows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let s = titled(&rows);
    let got = hits_of(&s, "earthquake japan ");
    assert_eq!(got[0], "one", "{got:?}");
    assert!(got.contains(&"split".into()), "{got:?}");
}

#[test]
fn the_words_as_typed_beat_their_stem_mates_in_a_shorter_title() {
    // Issue 16 (bench exact-025): "private prisons", the words adjacent
    // in a title of about the same length, outranked "privately", the
    // word typed.
    let s = titled(&[
        ("typed", "Privately run prisons close."),
        ("stem-mate", "A department plans to use private prisons."),
    ]);
    assert_eq!(hits_of(&s, "privately prisons "), ["typed", "stem-mate"]);
}

#[test]
fn browsing_an_empty_query_and_a_year_by_month() {
    // Without `browse` an empty query matches nothing; with it, every
    // event, the newest first.
    let none = run("", &SearchOptions::default());
    assert_eq!(none.0.total, 0);
    let opts = SearchOptions {
        sort: Sort::Newest,
        browse: true,
        limit: 3,
        ..SearchOptions::default()
    };
    let (r, ids) = run("", &opts);
    assert_eq!(r.total as usize, EVENTS.len());
    assert_eq!(ids, ["geneva-un", "lavrov-kerry", "negotiations"]);
    // The whole archive's timeline: every year, no months (many years).
    let years: u32 = r.years.iter().map(|y| y.count).sum();
    assert_eq!(years as usize, EVENTS.len());
    assert!(r.months.is_empty());
    // One year: its months, counted.
    let (r, _) = run("from:2014 to:2014", &opts);
    assert_eq!(r.total, 3);
    let months: Vec<(u32, u32)> =
        r.months.iter().map(|m| (m.month, m.count)).collect();
    assert_eq!(months, [(4, 1), (5, 1), (7, 1)]);
    // The widget's facets after the fact, the same.
    let (_, years, months, _) =
        searcher().facets("from:2014 to:2014", 10).unwrap();
    assert_eq!(years.len(), 1);
    assert_eq!(months.len(), 3);
    let (_, years, _, _) = searcher().facets("", 10).unwrap();
    assert_eq!(
        years.iter().map(|y| y.count).sum::<u32>() as usize,
        EVENTS.len()
    );
}
