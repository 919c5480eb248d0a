//! Per-keystroke query latency, natively: every prefix of a list of
//! queries, as typed, searched and rendered (the widget's first page of 10
//! hits). Prints median, p95 and max per phase.
//!
//! Then, when `bench/relevance/queries.jsonl` exists, the latency of each
//! labelled query of the relevance benchmark (top 10, with and without
//! facet counting).
//!
//! cargo bench --bench keystroke [-- INDEX]    (default: www/events.chron)

use std::time::Instant;

use chronicle::query::{SearchOptions, Searcher};
use chronicle::{render, Index};

const QUERIES: &[&str] = &[
    "lavrov geneva",
    "earthquake japan",
    "obama",
    "election results",
    "syria ceasefire",
    "world cup final",
    "brexit vote",
    "hurricane katrina",
    "olympics",
    "climate change",
    "covid vaccine",
    "ukraine russia",
    "nobel prize",
    "oil prices",
    "supreme court",
    "tsunami",
    "pope francis",
    "iran nuclear",
    "bitcoin",
    "gaza",
    "eartquake",
    "negotiati",
    "\"sergey lavrov\"",
    "about:\"Angela Merkel\" category:politics",
];

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "www/events.chron".into());
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "keystroke: cannot read {path}: run build.sh first (skipped)"
        );
        return;
    };
    let t = Instant::now();
    let searcher = Searcher::new(Index::new(bytes).expect("valid index"));
    println!(
        "open (CRC32, sections, every lexicon shard's fst): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let o = SearchOptions::default();
    std::hint::black_box(searcher.search("eartquake", &o).expect("search"));
    println!(
        "first query (eartquake: a typo, every shard walked): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let ix = searcher.index();
    let mut ids = 0usize;
    let all: Vec<u32> = (0..ix.doc_count()).collect();
    ix.for_each_facets(&all, &mut |_, f| ids += f.contexts.len())
        .expect("forward lists");
    println!(
        "forward lists of all {} docs: {:.2} ms ({ids} context ids)",
        ix.doc_count(),
        t.elapsed().as_secs_f64() * 1e3
    );
    for q in ["a", "l", "earthquake j"] {
        let mut row = Vec::new();
        for (facets, limit) in [(false, 0), (true, 0), (true, 10)] {
            let o =
                SearchOptions { facets, limit, ..SearchOptions::default() };
            let t = Instant::now();
            for _ in 0..10 {
                let r = searcher.search(q, &o).expect("search");
                std::hint::black_box(
                    render::hits(&searcher, &r, 0).expect("render"),
                );
            }
            row.push(format!("{:.2}", t.elapsed().as_secs_f64() * 1e2));
        }
        println!(
            "{q:>14}: search {} / +facets {} / +10 hits {} ms",
            row[0], row[1], row[2]
        );
    }
    let opts = SearchOptions { limit: 10, ..SearchOptions::default() };
    let (mut search, mut render_ms, mut total) = (vec![], vec![], vec![]);
    let mut slow: Vec<(f64, String, u32)> = Vec::new();
    for q in QUERIES {
        let chars: Vec<char> = q.chars().collect();
        for n in 1..=chars.len() {
            let typed: String = chars[..n].iter().collect();
            let t = Instant::now();
            let r = searcher.search(&typed, &opts).expect("search");
            let s = t.elapsed().as_secs_f64() * 1e3;
            let views = render::hits(&searcher, &r, 0).expect("render");
            let all = t.elapsed().as_secs_f64() * 1e3;
            std::hint::black_box(views);
            slow.push((all, typed.clone(), r.total));
            search.push(s);
            render_ms.push(all - s);
            total.push(all);
        }
    }
    let n = total.len();
    for (name, v) in [
        ("search", &mut search),
        ("render", &mut render_ms),
        ("total", &mut total),
    ] {
        println!(
            "{name:>7}: median {:.2} ms  p95 {:.2} ms  max {:.2} ms  ({n} keystrokes)",
            pct(v, 0.5),
            pct(v, 0.95),
            pct(v, 1.0)
        );
    }
    labelled(&searcher);
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, q, total) in slow.iter().take(8) {
        println!("  slow: {q:?} {ms:.2} ms ({total} matches)");
    }
}

/// Latency over the relevance benchmark's labelled queries.
fn labelled(searcher: &Searcher<Vec<u8>>) {
    let Ok(text) = std::fs::read_to_string("bench/relevance/queries.jsonl")
    else {
        return;
    };
    let queries: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["query"].as_str().map(str::to_owned))
        .collect();
    for facets in [false, true] {
        let opts =
            SearchOptions { limit: 10, facets, ..SearchOptions::default() };
        let mut timed: Vec<(f64, &str)> = queries
            .iter()
            .map(|q| {
                let t = Instant::now();
                let r = searcher.search(q, &opts).expect("search");
                std::hint::black_box(r);
                (t.elapsed().as_secs_f64() * 1e3, q.as_str())
            })
            .collect();
        let mut ms: Vec<f64> = timed.iter().map(|t| t.0).collect();
        println!(
            "labelled queries (facets {facets}): median {:.2} ms  p95 {:.2} ms  max {:.2} ms  ({} queries)",
            pct(&mut ms, 0.5),
            pct(&mut ms, 0.95),
            pct(&mut ms, 1.0),
            queries.len()
        );
        if !facets {
            timed.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (ms, q) in timed.iter().take(16) {
                println!("  slow: {q:?} {ms:.2} ms");
            }
        }
    }
}
