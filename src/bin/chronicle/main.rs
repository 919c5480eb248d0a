//! `chronicle`: build an index (and a whole site's search) from events,
//! preview it, search it, inspect it, and write the offline file.
//!
//! Exit status: 0 when something was found (or the command succeeded),
//! 1 when a search found nothing, 2 on any error.

mod bundle;
mod files;
mod serve;
mod site;
mod widget;

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use serde::Serialize;

use chronicle::builder::{self, OnInvalid};
use chronicle::event::format_date;
use chronicle::format;
use chronicle::input::{self, InputOptions};
use chronicle::query::{SearchOptions, Searcher, Sort};
use chronicle::render::{self, HitView};
use chronicle::Index;

use bundle::{Bundle, DocStore};
use files::{check_target, read_index, write_atomically, write_split, Target};

#[derive(Parser)]
#[command(name = "chronicle", about = "Offline search over news events")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build an index from events (`-` is stdin); with --site, also the
    /// widget beside it, ready for a page.
    Build(BuildArgs),
    /// Search an index.
    Search {
        /// The index file.
        index: PathBuf,
        /// The query (see the README for the syntax).
        #[arg(required_unless_present = "batch")]
        query: Option<String>,
        /// How many hits to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// Order: relevance, newest or oldest.
        #[arg(long, default_value = "relevance", value_parser = parse_sort)]
        sort: Sort,
        /// Read JSON lines {"id", "query"} from FILE (`-` is stdin) and
        /// write one JSON line per query, each as soon as it is read.
        #[arg(long, value_name = "FILE", conflicts_with = "query")]
        batch: Option<PathBuf>,
        /// Show up to N related events under each hit.
        #[arg(long, default_value_t = 0, value_name = "N")]
        related: usize,
        /// Also print facet counts and matches per year (text output).
        #[arg(long)]
        facets: bool,
    },
    /// Write one self-contained HTML file (widget, wasm and index
    /// inlined) that searches from `file://` with no network request.
    Bundle {
        /// The index to embed: a file, or the directory of a split index
        /// (whose chunks are then decoded only when a query needs them,
        /// so the page answers without inflating the whole archive).
        index: PathBuf,
        /// Use the widget files in DIR (chronicle.js, chronicle_bg.wasm,
        /// chronicle.css) instead of the ones this binary carries.
        #[arg(long, value_name = "DIR")]
        assets: Option<PathBuf>,
        /// The HTML file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// The page title.
        #[arg(long, default_value = "Chronicle")]
        title: String,
        /// A line of attribution shown under the widget (plain text).
        #[arg(long)]
        attribution: Option<String>,
        /// The site's address: events' relative URLs become links to its
        /// pages (e.g. https://example.org/ + news/x.html).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// How a split index's doc store is compressed: `deflate`, as the
        /// split index has it, or `lzma`, in groups against a shared
        /// dictionary: the file is about a seventh smaller, but the page
        /// decodes LZMA in JavaScript, so first results come later
        /// (FORMAT.md, "Offline file").
        #[arg(long, value_enum, default_value_t = DocStore::Deflate)]
        doc_store: DocStore,
        /// The page's language (`<html lang>`): the widget speaks it when
        /// it has its strings (en, de, fr, es, ar; English otherwise), and
        /// a right-to-left language (ar, fa, he, ps, ur, yi) lays the page
        /// out right to left.
        #[arg(long, default_value = "en", value_parser = parse_lang)]
        lang: String,
    },
    /// Write the widget's files (chronicle.js, chronicle_bg.wasm,
    /// chronicle.css; the ES module chronicle.mjs and its types,
    /// chronicle.d.ts and .d.mts), which this binary carries, into a
    /// directory.
    Widget {
        /// The directory to write them into (created if missing).
        dir: PathBuf,
    },
    /// Preview a site on 127.0.0.1 as production serves it: MIME types,
    /// gzip, the strict Content-Security-Policy. Ctrl-C stops it.
    Serve(serve::ServeArgs),
    /// Print an index's header, counts and section sizes, and verify it.
    Inspect {
        /// The index file.
        index: PathBuf,
    },
}

/// `chronicle build`'s arguments.
#[derive(clap::Args)]
struct BuildArgs {
    /// Input files, concatenated in order: JSON Lines, a JSON array, CSV
    /// with a header row, or Markdown event pages (a folder of them),
    /// each gzipped or not, recognised from the content; `-` is stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The index file to write (replaced only when the build succeeds).
    #[arg(short, long, required_unless_present_any = ["split", "site"])]
    output: Option<PathBuf>,
    /// Also (or instead) write a split index into this directory: a
    /// small core, `index.chron`, and content-named chunk files that a
    /// browser fetches only when a query needs them.
    #[arg(long, value_name = "DIR")]
    split: Option<PathBuf>,
    /// Write a site's search into DIR/chronicle/: the index (split when
    /// large) and the widget, and print the <script> tag for a page at
    /// DIR's root.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["output", "split"])]
    site: Option<PathBuf>,
    /// Skip invalid records (and report how many) instead of stopping.
    #[arg(long)]
    skip_invalid: bool,
    /// With --skip-invalid, the largest share of records that may be
    /// skipped, in percent; more fails the build and keeps the previous
    /// index.
    #[arg(long, value_name = "PERCENT", default_value_t = 5.0)]
    max_skipped: f64,
    /// How long a split index keeps the chunks its previous builds named
    /// and this one does not, so that a page opened before the deploy
    /// keeps finding them; 0 removes them at once.
    #[arg(long, value_name = "HOURS", default_value_t = files::DEFAULT_GRACE_HOURS)]
    grace_hours: u64,
    /// Write an index even when the input has no events (otherwise that
    /// fails and the previous index is kept).
    #[arg(long)]
    allow_empty: bool,
    /// Map an input field onto an event field, e.g. `title=headline` or
    /// `contexts=tags` (repeat it; several sources may fill contexts).
    /// Event fields: id, date, title, category, sources, contexts, url,
    /// body.
    #[arg(long, value_name = "FIELD=SOURCE")]
    field: Vec<String>,
    /// A file of such mappings: `title = "headline"`, `contexts =
    /// ["tags", "people"]`, and `page_suffix = ".html"`.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// What a Markdown page's `.md` becomes in its URL: `.html` (the
    /// default), `""` for extensionless pages, `/` for directory style.
    #[arg(long, value_name = "SUFFIX")]
    page_suffix: Option<String>,
}

fn parse_lang(s: &str) -> Result<String, String> {
    let ok = s.len() <= 35
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a language tag (letters, digits and `-`, \
             such as de or pt-BR)"
        ))
    }
}

fn parse_sort(s: &str) -> Result<Sort, String> {
    Sort::from_name(s).ok_or_else(|| {
        format!("unknown sort {s:?} (relevance, newest, oldest)")
    })
}

/// `chronicle --version`: the program's version and the index format
/// versions it writes and reads.
fn version() -> String {
    let (oldest, now) =
        (format::OLDEST_SUPPORTED_VERSION, format::FORMAT_VERSION);
    let reads = if oldest == now {
        format!("{now}")
    } else {
        format!("{oldest} to {now}")
    };
    format!(
        "{} (index format: writes {now}, reads {reads})",
        env!("CARGO_PKG_VERSION")
    )
}

fn main() -> ExitCode {
    // Leaked once: clap keeps a `&'static str` of the version.
    let version: &'static str = Box::leak(version().into_boxed_str());
    let matches = Cli::command().version(version).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Build(args) => build(&args).map(|()| true),
        Command::Search {
            index,
            query,
            limit,
            json,
            sort,
            batch,
            related,
            facets,
        } => {
            let opts =
                SearchOptions { limit, sort, ..SearchOptions::default() };
            match batch {
                Some(file) => {
                    search_batch(&index, &file, &opts).map(|()| true)
                }
                None => search(
                    &index,
                    query.as_deref().unwrap_or(""),
                    &opts,
                    json,
                    related,
                    facets,
                ),
            }
        }
        Command::Bundle {
            index,
            assets,
            output,
            title,
            attribution,
            base_url,
            doc_store,
            lang,
        } => check_target(&output, Target::File, "-o")
            .and_then(|()| {
                bundle::bundle(&Bundle {
                    index: &index,
                    assets: assets.as_deref(),
                    output: &output,
                    title: &title,
                    attribution: attribution.as_deref(),
                    doc_store,
                    base_url: base_url.as_deref(),
                    lang: &lang,
                })
            })
            .map(|()| true),
        Command::Widget { dir } => check_target(&dir, Target::Dir, "widget")
            .and_then(|()| widget::write(&dir))
            .map(|()| {
                println!(
                    "wrote chronicle.js, chronicle_bg.wasm, chronicle.css, \
                     chronicle.mjs, chronicle.d.ts, chronicle.d.mts and the \
                     translations (chronicle.LANG.json) → {}",
                    dir.display()
                );
                true
            }),
        Command::Serve(args) => serve::serve(&args).map(|()| true),
        Command::Inspect { index } => inspect(&index).map(|()| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chronicle: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn build(a: &BuildArgs) -> Result<()> {
    let start = Instant::now();
    // What cannot be written is refused before any work.
    if let Some(o) = &a.output {
        check_target(o, Target::File, "-o")?;
    }
    if let Some(d) = &a.split {
        check_target(d, Target::Dir, "--split")?;
    }
    if let Some(d) = &a.site {
        check_target(d, Target::Dir, "--site")?;
    }
    tune_malloc();
    let opts = input_options(a)?;
    let bar = progress_bar(&a.inputs);
    let read = input::read_all(&a.inputs, &opts, &|n| bar.inc(n))?;
    for note in
        [read.unused_note(), read.other_pages_note()].into_iter().flatten()
    {
        bar.suspend(|| eprintln!("chronicle: note: {note}"));
    }
    let (events, skipped) = (read.events, read.skipped);
    check_yield(a, events.len() as u64, skipped)?;
    bar.set_message("indexing");
    let count = events.len();
    let plan =
        a.site.as_deref().map(|dir| site::Plan::new(dir, events.text_bytes()));
    let (output, split) = match &plan {
        Some(p) => {
            fs::create_dir_all(&p.folder).with_context(|| {
                format!("cannot create {}", p.folder.display())
            })?;
            if p.split {
                (None, Some(p.split_dir()))
            } else {
                (Some(p.single()), None)
            }
        }
        None => (a.output.clone(), a.split.clone()),
    };
    let parts = builder::build_parts(events)?;
    let bug = "the built index does not verify (a bug: please report it)";
    let (single, many) =
        format::encode_both(parts, output.is_some(), split.is_some())?;
    let mut terms = 0;
    let mut main: Option<(usize, String)> = None;
    if let (Some(output), Some(bytes)) = (&output, single) {
        terms = Index::new(bytes.as_slice()).context(bug)?.term_count();
        write_atomically(output, &bytes)?;
        main = Some((bytes.len(), output.display().to_string()));
    }
    let mut split_note = String::new();
    if let (Some(dir), Some(s)) = (&split, many) {
        let core = Index::new(s.core.as_slice()).context(bug)?;
        terms = core.term_count();
        let total =
            s.core.len() + s.chunks.iter().map(|c| c.1.len()).sum::<usize>();
        write_split(dir, &s, Duration::from_secs(a.grace_hours * 3600))?;
        let what =
            format!("core {} bytes + {} chunks", s.core.len(), s.chunks.len());
        match main {
            Some(_) => {
                split_note = format!(
                    "; split: {what}, {total} bytes → {}",
                    dir.display()
                )
            }
            None => {
                main = Some((total, dir.display().to_string()));
                split_note = format!(" (split: {what})");
            }
        }
    }
    let tag = plan.as_ref().map(site::Plan::finish).transpose()?;
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    let skipped_note = if a.skip_invalid {
        format!(", {skipped} invalid records skipped")
    } else {
        String::new()
    };
    let (bytes, target) = main.unwrap_or_default();
    println!(
        "indexed {count} events, {terms} terms, {bytes} bytes in {secs:.2} s → {target}{split_note}{skipped_note}",
    );
    if let (Some(tag), Some(dir)) = (tag, &a.site) {
        println!(
            "wrote the widget (chronicle.js, chronicle_bg.wasm, \
             chronicle.css; chronicle.mjs and its types) → {}",
            dir.join(site::FOLDER).display()
        );
        println!(
            "Paste this into a page at the root of {}:\n\n  {tag}\n\n\
             Preview: chronicle serve {}",
            dir.display(),
            dir.display()
        );
    }
    Ok(())
}

/// Refuses a build that would ship a broken search: no events at all
/// (unless `--allow-empty`), or more than `--max-skipped` percent of the
/// records skipped as invalid. Nothing is written then, so the previous
/// index stays.
fn check_yield(a: &BuildArgs, events: u64, skipped: u64) -> Result<()> {
    let inputs: Vec<String> =
        a.inputs.iter().map(|p| p.display().to_string()).collect();
    let inputs = inputs.join(", ");
    let records = events + skipped;
    let kept = "nothing was written and the previous index is kept";
    if events == 0 && !a.allow_empty {
        let why = if records == 0 {
            "has no records".to_owned()
        } else {
            format!("has {records} records and all are invalid")
        };
        anyhow::bail!(
            "{inputs} {why}; {kept}. Check the input, or pass \
             --allow-empty to write an empty index"
        );
    }
    if records > 0 && skipped > 0 {
        let share = skipped as f64 * 100.0 / records as f64;
        if share > a.max_skipped {
            anyhow::bail!(
                "{inputs}: {skipped} of {records} records ({share:.1} %) \
                 are invalid, more than --max-skipped {} %; {kept}. Run \
                 without --skip-invalid to see the first one, fix the \
                 input, or raise --max-skipped",
                a.max_skipped
            );
        }
    }
    Ok(())
}

/// How to read the inputs: `--config` first, then each `--field` (which
/// replaces the config's sources for its field), `--page-suffix` over the
/// config's.
fn input_options(a: &BuildArgs) -> Result<InputOptions> {
    let config = match &a.config {
        Some(path) => input::Config::read(path)?,
        None => input::Config::default(),
    };
    let mut mapping = config.mapping;
    mapping.extend(input::Mapping::from_specs(&a.field)?);
    let page_suffix = a
        .page_suffix
        .clone()
        .or(config.page_suffix)
        .unwrap_or_else(|| ".html".to_owned());
    let on_invalid =
        if a.skip_invalid { OnInvalid::Skip } else { OnInvalid::Fail };
    Ok(InputOptions { mapping, page_suffix, on_invalid })
}

/// A progress bar on a terminal, hidden otherwise.
fn progress_bar(inputs: &[PathBuf]) -> indicatif::ProgressBar {
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(input::total_bytes(inputs));
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    b.set_message("reading");
    b
}

/// Tunes glibc's malloc for the build. Caps its arenas at two: by
/// default each thread that allocates may get its own arena, and memory
/// freed into one is not reused by the others (the build, which
/// allocates on every core, then peaked about 60 MB higher). And maps
/// every allocation of 256 KiB or more on its own, so that freeing it
/// gives the memory back: by default glibc raises that threshold to the
/// size of each mapped block freed, after which the large buffers of
/// one phase (the runs' postings) stay in the heap under the next (a
/// million events peaked at 1.59 GB instead of 1.19).
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator parameter; glibc makes
    // it safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 18);
    }
}

fn open_index(path: &Path) -> Result<Searcher<Vec<u8>>> {
    Ok(Searcher::new(read_index(path)?))
}

#[derive(Serialize)]
struct JsonSource<'a> {
    name: &'a str,
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    date: &'a str,
    title: &'a str,
    category: Option<&'a str>,
    sources: Vec<JsonSource<'a>>,
    contexts: &'a [String],
    url: Option<&'a str>,
    score: f32,
}

fn json_hits(views: &[HitView]) -> Vec<JsonHit<'_>> {
    views
        .iter()
        .map(|v| JsonHit {
            id: &v.id,
            date: &v.date,
            title: &v.title,
            category: v.category.as_deref(),
            sources: v
                .sources
                .iter()
                .map(|s| JsonSource { name: &s.name, url: s.url.as_deref() })
                .collect(),
            contexts: &v.contexts,
            url: v.url.as_deref(),
            score: v.score,
        })
        .collect()
}

fn search(
    path: &Path,
    query: &str,
    opts: &SearchOptions,
    json: bool,
    related: usize,
    facets: bool,
) -> Result<bool> {
    let searcher = open_index(path)?;
    // A damaged index may show only when a query reads the damage.
    let file = || path.display().to_string();
    let result = searcher.search(query, opts).with_context(file)?;
    let views =
        render::hits(&searcher, &result, related).with_context(file)?;
    let mut out = io::stdout().lock();
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            query: &'a str,
            total: u32,
            hits: Vec<JsonHit<'a>>,
            partial: bool,
            suggestion: Option<&'a str>,
            facets: &'a chronicle::query::Facets,
            years: &'a [chronicle::query::YearCount],
        }
        let o = Out {
            query,
            total: result.total,
            hits: json_hits(&views),
            partial: result.partial,
            suggestion: result.suggestion.as_deref(),
            facets: &result.facets,
            years: &result.years,
        };
        serde_json::to_writer(&mut out, &o)?;
        writeln!(out)?;
    } else {
        for v in &views {
            writeln!(out, "{}  {}", v.date, v.title)?;
            for s in &v.sources {
                match &s.url {
                    Some(u) => writeln!(out, "            {} <{u}>", s.name)?,
                    None => writeln!(out, "            {}", s.name)?,
                }
            }
            for r in &v.related {
                writeln!(
                    out,
                    "            related {}  {}  (Context: {})",
                    r.date, r.title, r.context
                )?;
            }
        }
        let partial = if result.partial { " (partial matches)" } else { "" };
        writeln!(out, "{} results{partial}", result.total)?;
        if facets {
            print_facets(&mut out, &result)?;
        }
        if let Some(s) = &result.suggestion {
            writeln!(out, "did you mean: {s}")?;
        }
    }
    out.flush()?;
    Ok(result.total > 0)
}

fn print_facets(
    out: &mut impl Write,
    r: &chronicle::query::SearchResult,
) -> Result<()> {
    let groups = [
        ("categories", &r.facets.categories),
        ("sources", &r.facets.sources),
        ("about", &r.facets.contexts),
    ];
    for (name, values) in groups {
        let list: Vec<String> = values
            .iter()
            .map(|f| format!("{} ({})", f.name, f.count))
            .collect();
        if !list.is_empty() {
            writeln!(out, "{name}: {}", list.join(", "))?;
        }
    }
    let years: Vec<String> =
        r.years.iter().map(|y| format!("{} {}", y.year, y.count)).collect();
    if !years.is_empty() {
        writeln!(out, "years: {}", years.join(", "))?;
    }
    Ok(())
}

fn search_batch(path: &Path, file: &Path, opts: &SearchOptions) -> Result<()> {
    #[derive(serde::Deserialize)]
    struct In {
        id: serde_json::Value,
        query: String,
    }
    #[derive(Serialize)]
    struct Out<'a> {
        id: &'a serde_json::Value,
        total: u32,
        hits: Vec<JsonHit<'a>>,
    }
    let searcher = open_index(path)?;
    let reader: Box<dyn BufRead> = if file == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        Box::new(BufReader::new(
            File::open(file)
                .with_context(|| format!("cannot open {}", file.display()))?,
        ))
    };
    let opts = SearchOptions { facets: false, ..opts.clone() };
    let mut out = io::BufWriter::new(io::stdout().lock());
    for (i, line) in reader.lines().enumerate() {
        let line =
            line.with_context(|| format!("cannot read {}", file.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let q: In = serde_json::from_str(&line).map_err(|e| {
            anyhow::anyhow!("{}:{}: {e}", file.display(), i + 1)
        })?;
        let result = searcher.search(&q.query, &opts)?;
        let views = render::hits(&searcher, &result, 0)?;
        let o =
            Out { id: &q.id, total: result.total, hits: json_hits(&views) };
        serde_json::to_writer(&mut out, &o)?;
        writeln!(out)?;
        // Each answer as soon as its line is read: a program that keeps
        // the input open asks one query at a time.
        out.flush()?;
    }
    Ok(())
}

fn inspect(path: &Path) -> Result<()> {
    let index = read_index(path)?;
    let size = index.as_bytes().len();
    let days = index.days();
    let mut out = io::stdout().lock();
    writeln!(out, "file      {}", path.display())?;
    writeln!(out, "bytes     {size}")?;
    writeln!(out, "magic     CHRONIDX")?;
    writeln!(out, "version   {}", index.version())?;
    writeln!(out, "checksum  ok (CRC32)")?;
    // The header's flags (FORMAT.md): how the sections are laid out.
    let pick =
        |yes: bool, a: &'static str, b: &'static str| if yes { a } else { b };
    writeln!(
        out,
        "layout    {}, {}, {}, {}",
        pick(index.is_split(), "split core", "single file"),
        pick(index.names_by_id(), "names by id", "names in records"),
        pick(index.columns(), "postings in columns", "postings interleaved"),
        pick(index.derived(), "impacts derived", "impacts stored"),
    )?;
    writeln!(out, "events    {}", index.doc_count())?;
    if let (Some(old), Some(new)) = (days.first(), days.last()) {
        writeln!(
            out,
            "dates     {} .. {} ({} days)",
            format_date(old.0),
            format_date(new.0),
            days.len()
        )?;
    }
    writeln!(out, "terms     {}", index.term_count())?;
    writeln!(out, "stems     {} classes", index.class_count())?;
    // Every lexicon shard's fst, node by node (a query checks only the
    // shards it reads).
    index.check_lexicon().with_context(|| format!("{}", path.display()))?;
    writeln!(out, "shards    {} (every fst checked)", index.shard_count())?;
    writeln!(out, "categories {}", index.facet_len(0))?;
    writeln!(out, "sources   {}", index.facet_len(1))?;
    writeln!(out, "contexts  {}", index.facet_len(2))?;
    if index.is_split() {
        writeln!(out, "split     core + {} chunks", index.chunk_count())?;
    }
    writeln!(out, "sections")?;
    for (name, off, len) in index.sections() {
        if name == "LENS" && !index.derived() {
            continue; // only with impacts derived
        }
        let pct = 100.0 * len as f64 / size.max(1) as f64;
        writeln!(
            out,
            "  {name}  offset {off:>10}  bytes {len:>10}  {pct:5.1}%"
        )?;
    }
    Ok(())
}
