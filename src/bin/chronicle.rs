//! `chronicle`: build an index from JSONL events, search it, inspect it.
//!
//! Exit status: 0 when something was found (or the command succeeded),
//! 1 when a search found nothing, 2 on any error.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use serde::Serialize;

use chronicle::builder::{self, OnInvalid};
use chronicle::event::format_date;
use chronicle::format::{self, offline};
use chronicle::query::{SearchOptions, Searcher, Sort};
use chronicle::render::{self, HitView};
use chronicle::{Event, Index};

#[derive(Parser)]
#[command(
    name = "chronicle",
    version,
    about = "Offline search over news events"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build an index from JSONL or JSONL.gz files (`-` is stdin).
    Build {
        /// Input files, concatenated in order.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The index file to write (replaced only when the build succeeds).
        #[arg(short, long, required_unless_present = "split")]
        output: Option<PathBuf>,
        /// Also (or instead) write a split index into this directory: a
        /// small core, `index.chron`, and content-named chunk files that a
        /// browser fetches only when a query needs them.
        #[arg(long, value_name = "DIR")]
        split: Option<PathBuf>,
        /// Skip invalid records (and report how many) instead of stopping.
        #[arg(long)]
        skip_invalid: bool,
    },
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
        /// write one JSON line per query.
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
        /// Directory with chronicle.js, chronicle_bg.wasm and chronicle.css
        /// (as build.sh writes them).
        #[arg(long, default_value = "www")]
        assets: PathBuf,
        /// The HTML file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// The page title.
        #[arg(long, default_value = "Chronicle")]
        title: String,
        /// A line of attribution shown under the widget (plain text).
        #[arg(long)]
        attribution: Option<String>,
        /// How a split index's doc store is compressed: `deflate`, as the
        /// split index has it, or `lzma`, in groups against a shared
        /// dictionary: the file is about a seventh smaller, but the page
        /// decodes LZMA in JavaScript, so first results come later
        /// (FORMAT.md, "Offline file").
        #[arg(long, value_enum, default_value_t = DocStore::Deflate)]
        doc_store: DocStore,
    },
    /// Print an index's header, counts and section sizes, and verify it.
    Inspect {
        /// The index file.
        index: PathBuf,
    },
}

/// The offline file's doc-store codec (`chronicle bundle --doc-store`).
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DocStore {
    Lzma,
    Deflate,
}

fn parse_sort(s: &str) -> Result<Sort, String> {
    Sort::from_name(s).ok_or_else(|| {
        format!("unknown sort {s:?} (relevance, newest, oldest)")
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build { inputs, output, split, skip_invalid } => {
            build(&inputs, output.as_deref(), split.as_deref(), skip_invalid)
                .map(|()| true)
        }
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
            doc_store,
        } => bundle(
            &index,
            &assets,
            &output,
            &title,
            attribution.as_deref(),
            doc_store,
        )
        .map(|()| true),
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

/// A reader that reports how many bytes went through it.
struct Counting<R> {
    inner: R,
    bar: indicatif::ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

fn open_input(
    path: &Path,
    bar: &indicatif::ProgressBar,
) -> Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        let f = File::open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        Box::new(f)
    };
    let counted = Counting { inner: raw, bar: bar.clone() };
    let is_gz = path.extension().is_some_and(|e| e == "gz");
    Ok(if is_gz {
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(
            BufReader::new(counted),
        )))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, counted))
    })
}

fn build(
    inputs: &[PathBuf],
    output: Option<&Path>,
    split: Option<&Path>,
    skip_invalid: bool,
) -> Result<()> {
    let start = Instant::now();
    limit_malloc_arenas();
    let on_invalid =
        if skip_invalid { OnInvalid::Skip } else { OnInvalid::Fail };
    let total_bytes: u64 = inputs
        .iter()
        .filter(|p| p.as_path() != Path::new("-"))
        .filter_map(|p| fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = if io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(total_bytes);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b.set_message("reading");
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    // Inputs are decompressed and parsed on all cores, a contiguous run
    // of files per thread, and joined in order (so errors and document
    // order are as if read one by one).
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, inputs.len().max(1));
    let per = inputs.len().div_ceil(workers).max(1);
    type Parsed = Result<(Vec<(Event, builder::Origin)>, u64)>;
    let parts: Vec<Parsed> = std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(per)
            .map(|chunk| {
                let bar = &bar;
                scope.spawn(move || -> Parsed {
                    let mut events = Vec::new();
                    let mut skipped = 0;
                    for path in chunk {
                        let reader = open_input(path, bar)?;
                        let name = path.display().to_string();
                        skipped += builder::read_jsonl(
                            reader,
                            &name,
                            on_invalid,
                            &mut events,
                        )?;
                    }
                    Ok((events, skipped))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(anyhow::anyhow!("an input reader thread failed"))
                })
            })
            .collect()
    });
    let total: usize =
        parts.iter().filter_map(|p| p.as_ref().ok()).map(|p| p.0.len()).sum();
    let mut events: Vec<(Event, builder::Origin)> = Vec::with_capacity(total);
    let mut skipped = 0;
    for part in parts {
        let (mut e, s) = part?;
        events.append(&mut e);
        skipped += s;
    }
    bar.set_message("indexing");
    let count = events.len();
    let parts = builder::build_parts(events)?;
    let bug = "the built index does not verify (a bug: please report it)";
    let (single, many) =
        format::encode_both(parts, output.is_some(), split.is_some())?;
    let mut terms = 0;
    let mut main: Option<(usize, String)> = None;
    if let (Some(output), Some(bytes)) = (output, single) {
        terms = Index::new(bytes.as_slice()).context(bug)?.term_count();
        write_atomically(output, &bytes)?;
        main = Some((bytes.len(), output.display().to_string()));
    }
    let mut split_note = String::new();
    if let (Some(dir), Some(s)) = (split, many) {
        let core = Index::new(s.core.as_slice()).context(bug)?;
        terms = core.term_count();
        let total =
            s.core.len() + s.chunks.iter().map(|c| c.1.len()).sum::<usize>();
        write_split(dir, &s)?;
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
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    let skipped_note = if skip_invalid {
        format!(", {skipped} invalid records skipped")
    } else {
        String::new()
    };
    let (bytes, target) = main.unwrap_or_default();
    println!(
        "indexed {count} events, {terms} terms, {bytes} bytes in {secs:.2} s → {target}{split_note}{skipped_note}",
    );
    Ok(())
}

/// Caps glibc's malloc arenas at two. By default each thread that
/// allocates may get its own arena, and memory freed into one is not
/// reused by the others: the build, which allocates on every core, then
/// peaked about 60 MB higher.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator parameter; glibc makes
    // it safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// The core of a split index in its directory.
const SPLIT_CORE: &str = "index.chron";

/// Writes a split index into `dir`: the chunks first (their names change
/// with their bytes, so no file a reader may be using is rewritten), then
/// the core atomically, then removes chunks the new core no longer names.
///
/// New chunks are written under temporary names, made durable together
/// by one sync of the file system (a sync per file cost seconds), and
/// only then renamed: so a file under a chunk's name is always complete,
/// and the core never names a chunk that is not on disk.
fn write_split(dir: &Path, s: &format::SplitIndex) -> Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let written = (|| -> io::Result<()> {
        for (name, bytes) in &s.chunks {
            let path = dir.join(name);
            if fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64)
            {
                continue; // same name and size: same bytes
            }
            let tmp = temporary_name(&path, OsStr::new(name));
            staged.push((tmp.clone(), path));
            File::create(&tmp)?.write_all(bytes)?;
        }
        if !staged.is_empty() {
            sync_file_system(dir, staged.iter().map(|p| p.0.as_path()))?;
            for (tmp, path) in &staged {
                fs::rename(tmp, path)?;
            }
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        for (tmp, _) in &staged {
            let _ = fs::remove_file(tmp);
        }
        return Err(e).with_context(|| {
            format!("cannot write the chunks in {}", dir.display())
        });
    }
    write_atomically(&dir.join(SPLIT_CORE), &s.core)?;
    let keep: std::collections::HashSet<&str> =
        s.chunks.iter().map(|c| c.0.as_str()).collect();
    for entry in fs::read_dir(dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_chunk = name.ends_with(".bin")
            && name.split_once('-').is_some_and(|(n, _)| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
            });
        if is_chunk && !keep.contains(name.as_str()) {
            let _ = fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Makes `files`, all in `dir`, durable: with one `syncfs` of the file
/// system holding `dir` on Linux, elsewhere with a sync of each.
fn sync_file_system<'a>(
    dir: &Path,
    files: impl Iterator<Item = &'a Path>,
) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let _ = files;
        let d = File::open(dir)?;
        // SAFETY: `syncfs` only reads the descriptor, which `d` keeps
        // open for the call.
        if unsafe { libc::syncfs(d.as_raw_fd()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        for f in files {
            File::open(f)?.sync_all()?;
        }
        Ok(())
    }
}

/// A name beside `path` for a file on its way there.
fn temporary_name(path: &Path, name: &OsStr) -> PathBuf {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    dir.join(format!(".{}.tmp{}", name.to_string_lossy(), std::process::id()))
}

/// Writes `bytes` next to `path` and renames it into place, so a failed
/// build never leaves a half-written index or destroys the old one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = temporary_name(path, name);
    let written = (|| -> io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e)
            .with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

fn open_index(path: &Path) -> Result<Searcher<Vec<u8>>> {
    Ok(Searcher::new(read_index(path)?))
}

/// Opens an index file, or a split index by its directory or core (whose
/// chunks are then read from beside it).
fn read_index(path: &Path) -> Result<Index<Vec<u8>>> {
    let core = if path.is_dir() { path.join(SPLIT_CORE) } else { path.into() };
    let bytes = fs::read(&core)
        .with_context(|| format!("cannot read {}", core.display()))?;
    let index =
        Index::new(bytes).with_context(|| format!("{}", core.display()))?;
    load_chunks(&index, core.parent().unwrap_or(Path::new(".")), |_, _| {
        Ok(())
    })?;
    Ok(index)
}

/// Reads every chunk of a split index from `dir`, shows each to `see`
/// and adds it (which checks its length and CRC against the core).
fn load_chunks<D: AsRef<[u8]>>(
    index: &Index<D>,
    dir: &Path,
    mut see: impl FnMut(u32, &[u8]) -> Result<()>,
) -> Result<()> {
    for n in 1..=index.chunk_count() {
        let name = index.chunk_file(n).unwrap_or_default();
        let p = dir.join(&name);
        let bytes = fs::read(&p)
            .with_context(|| format!("cannot read chunk {}", p.display()))?;
        see(n, &bytes)?;
        index
            .add_chunk(n, bytes)
            .with_context(|| format!("chunk {}", p.display()))?;
    }
    Ok(())
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
    }
    out.flush()?;
    Ok(())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text that must not close the inline element it is embedded in.
fn check_inline(name: &str, text: &str, closing: &str) -> Result<()> {
    if text.to_ascii_lowercase().contains(closing) {
        anyhow::bail!("{name} contains {closing} and cannot be inlined");
    }
    Ok(())
}

/// The offline file's text, in UTF-16 code units: markup and code as
/// text, binary data packed two bytes a unit (see [`Utf16Html::pack`]).
/// UTF-16 carries 16 bits a unit where base64 in UTF-8 carries 6 a byte,
/// so the data takes about 1.03 bytes a byte instead of 1.33, and the
/// HTML parser has 2.6 times fewer characters to read.
#[derive(Default)]
struct Utf16Html {
    units: Vec<u16>,
}

/// The escape unit of packed data, and what follows it for each word
/// that cannot stand for itself in a raw-text element: a surrogate (the
/// UTF-16 decoder would replace it), NUL (the parser would), CR (the
/// parser turns it into LF), `<` (could end the element) and the escape
/// itself.
const PACK_ESCAPE: u16 = 0x3D;
const PACK_SURROGATES: u16 = 0x4000;
const PACK_OTHERS: [u16; 4] = [0x00, 0x0D, 0x3C, PACK_ESCAPE];

impl Utf16Html {
    fn push_str(&mut self, s: &str) {
        self.units.extend(s.encode_utf16());
    }

    fn len(&self) -> usize {
        self.units.len()
    }

    /// Appends `bytes` as little-endian 16-bit words (an odd length's
    /// last byte padded with 0), each word as the unit of that value,
    /// except that a surrogate `s` is `PACK_ESCAPE, 0x4000 + s - 0xD800`
    /// and `PACK_OTHERS[i]` is `PACK_ESCAPE, 0x4800 + i`. Returns whether
    /// the length is odd (the reader drops the padding byte).
    fn pack(&mut self, bytes: &[u8]) -> bool {
        self.units.reserve(bytes.len() / 2 + bytes.len() / 32 + 1);
        for pair in bytes.chunks(2) {
            let word =
                u16::from_le_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
            if (0xD800..=0xDFFF).contains(&word) {
                self.units
                    .extend([PACK_ESCAPE, PACK_SURROGATES + (word - 0xD800)]);
            } else if let Some(i) = PACK_OTHERS.iter().position(|&w| w == word)
            {
                self.units
                    .extend([PACK_ESCAPE, PACK_SURROGATES + 0x800 + i as u16]);
            } else {
                self.units.push(word);
            }
        }
        bytes.len() % 2 == 1
    }

    /// A raw-text block of packed bytes: `<script type=
    /// "application/octet-stream" id=… attrs data-odd=…>` data `</script>`.
    fn push_block(&mut self, id: &str, attrs: &str, bytes: &[u8]) {
        self.push_str(&format!(
            "<script type=\"application/octet-stream\" id=\"{id}\"{attrs}"
        ));
        let mut data = Utf16Html::default();
        let odd = data.pack(bytes);
        self.push_str(&format!(" data-odd=\"{}\">", u8::from(odd)));
        self.units.extend(data.units);
        self.push_str("</script>\n");
    }

    /// The file's bytes: a byte-order mark (which makes the browser read
    /// the file as UTF-16LE, whatever else it says) and the units.
    fn into_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.units.len() * 2);
        out.extend(0xFEFFu16.to_le_bytes());
        for u in self.units {
            out.extend(u.to_le_bytes());
        }
        out
    }
}

/// The index as the offline file carries it: raw-text `<script>` blocks
/// of packed bytes.
struct Embedded {
    /// The blocks before the code.
    html: Utf16Html,
    /// Blocks after the code (the widget boots while they are parsed).
    after: Utf16Html,
    /// What the summary line says of them.
    summary: String,
}

/// A single-file index, gzipped: inflated whole when the page loads.
fn embed_single(index: &Path) -> Result<Embedded> {
    let bytes = fs::read(index)
        .with_context(|| format!("cannot read {}", index.display()))?;
    Index::new(bytes.as_slice())
        .with_context(|| format!("{}", index.display()))?;
    let mut gz =
        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes)?;
    let gz = gz.finish()?;
    let name = index
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut html = Utf16Html::default();
    let attrs = format!(" data-name=\"{}\"", html_escape(&name));
    html.push_block("chronicle-index", &attrs, &gz);
    Ok(Embedded {
        html,
        after: Utf16Html::default(),
        summary: format!("index {} bytes gzipped", gz.len()),
    })
}

/// UTF-16 units after which the offline file starts a new chunks block:
/// Chromium parses many blocks of this size about a quarter faster than
/// one block of them all, and each is usable as soon as it is parsed.
const CHUNKS_BLOCK_UNITS: usize = 128 * 1024;

/// Raw DEFLATE of `bytes` at the best level.
fn deflate_best(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut z = flate2::write::DeflateEncoder::new(
        Vec::new(),
        flate2::Compression::best(),
    );
    z.write_all(bytes)?;
    z.finish()
}

/// What [`embed_split`] packs: a split index's core and chunks, and with
/// [`DocStore::Lzma`] the chunks that are doc-store blocks, the preset
/// dictionary and the LZMA groups that hold those blocks.
struct Packed {
    core: Vec<u8>,
    chunks: Vec<Vec<u8>>,
    /// The doc-store blocks' chunk numbers (consecutive; empty unless
    /// LZMA).
    stor: std::ops::Range<u32>,
    dict: Vec<u8>,
    groups: Vec<Vec<u8>>,
}

/// `core` and `chunks` again with the doc-store blocks stored
/// uncompressed ([`format::resplit`]), those blocks compressed in LZMA
/// groups against one dictionary, each group checked to give them back.
fn lzma_doc_store(core: &[u8], chunks: Vec<Vec<u8>>) -> Result<Packed> {
    let split = format::resplit(core, chunks, format::stored_block)?;
    let core = split.core;
    let chunks: Vec<Vec<u8>> = split.chunks.into_iter().map(|c| c.1).collect();
    let numbers =
        Index::new(core.as_slice())?.section_chunks(format::tag::STORE);
    let first = numbers.first().copied().unwrap_or(0);
    if numbers.iter().zip(first..).any(|(&n, want)| n != want) {
        anyhow::bail!("doc-store chunks are not in order");
    }
    let stor = first..first + numbers.len() as u32;
    let blocks: Vec<&[u8]> =
        numbers.iter().map(|&n| chunks[n as usize - 1].as_slice()).collect();
    let dict = offline::dictionary(&blocks);
    let groups = offline::compress_groups(&blocks, &dict)?;
    // Nothing is lost: every group gives back its blocks.
    for (g, z) in groups.iter().enumerate() {
        let back = offline::decompress_group(z, &dict)?;
        let at = g * offline::GROUP_BLOCKS;
        let want = blocks[at..].iter().take(offline::GROUP_BLOCKS).copied();
        if !back.iter().map(Vec::as_slice).eq(want) {
            anyhow::bail!(
                "doc-store group {g} does not decompress to its blocks"
            );
        }
    }
    Ok(Packed { core, chunks, stor, dict, groups })
}

/// A split index: its core, and its chunks one after another, in blocks
/// of about [`CHUNKS_BLOCK_UNITS`] cut between chunks. With
/// [`DocStore::Lzma`], the doc-store blocks are stored uncompressed in
/// the core's layout
/// ([`format::resplit`]) and compressed with LZMA in groups of
/// consecutive blocks against one preset dictionary
/// ([`format::offline`]), which goes first, deflated, in
/// `#chronicle-lzdict`. Every other chunk is packed on its own (so one is
/// decoded without the others), deflated when that saves a twentieth.
/// The first chunks block, `#chronicle-chunks`, carries the table:
/// `data-blocks`, how many chunks each block holds (the blocks after the
/// first are `#chronicle-chunks-2`, `-3`, …); `data-ends`, the offset (in
/// UTF-16 units) in its block where each chunk ends; `data-deflated`, a
/// character per chunk: `0` as is, `1` deflated, `2` an LZMA group
/// starting with this chunk, `3` a later chunk of the group before it
/// (whose own slot is empty, in the same block); `data-odd`, a `1` or `0`
/// per chunk.
fn embed_split(dir: &Path, doc_store: DocStore) -> Result<Embedded> {
    let core_path = dir.join(SPLIT_CORE);
    let core = fs::read(&core_path)
        .with_context(|| format!("cannot read {}", core_path.display()))?;
    let mut chunks = Vec::new();
    {
        let index = Index::new(core.as_slice())
            .with_context(|| format!("{}", core_path.display()))?;
        load_chunks(&index, dir, |_, chunk| {
            chunks.push(chunk.to_vec());
            Ok(())
        })?;
    }
    let Packed { core, chunks, stor, dict, groups } =
        if doc_store == DocStore::Lzma {
            lzma_doc_store(&core, chunks)
                .with_context(|| format!("{}", core_path.display()))?
        } else {
            Packed {
                core,
                chunks,
                stor: 0..0,
                dict: Vec::new(),
                groups: Vec::new(),
            }
        };
    let mut blocks = vec![(Utf16Html::default(), 0usize)];
    let (mut ends, mut flags, mut odd) =
        (String::new(), String::new(), String::new());
    let mut packed_bytes = 0usize;
    for (i, chunk) in chunks.iter().enumerate() {
        let n = i as u32 + 1;
        let deflated;
        let (bytes, flag) = if stor.contains(&n) {
            let k = (n - stor.start) as usize;
            if k % offline::GROUP_BLOCKS == 0 {
                (groups[k / offline::GROUP_BLOCKS].as_slice(), '2')
            } else {
                (&[][..], '3')
            }
        } else {
            deflated = deflate_best(chunk)?;
            if deflated.len() < chunk.len() - chunk.len() / 20 {
                (deflated.as_slice(), '1')
            } else {
                (chunk.as_slice(), '0')
            }
        };
        packed_bytes += bytes.len();
        // A group's later chunks stay in its block.
        if flag != '3'
            && blocks.last().is_some_and(|b| b.0.len() >= CHUNKS_BLOCK_UNITS)
        {
            blocks.push((Utf16Html::default(), 0));
        }
        let (data, count) = blocks.last_mut().expect("a block");
        odd.push(if data.pack(bytes) { '1' } else { '0' });
        *count += 1;
        if n > 1 {
            ends.push(',');
        }
        ends.push_str(&data.len().to_string());
        flags.push(flag);
    }
    let mut html = Utf16Html::default();
    html.push_block(
        "chronicle-index",
        &format!(
            " data-name=\"{SPLIT_CORE}\" data-chunks=\"chronicle-chunks\""
        ),
        &core,
    );
    let counts: Vec<String> =
        blocks.iter().map(|(_, count)| count.to_string()).collect();
    let mut after = Utf16Html::default();
    if !dict.is_empty() {
        let z = deflate_best(&dict)?;
        packed_bytes += z.len();
        after.push_block("chronicle-lzdict", "", &z);
    }
    for (k, (data, _)) in blocks.into_iter().enumerate() {
        if k == 0 {
            after.push_str(&format!(
                "<script type=\"application/octet-stream\" \
                 id=\"chronicle-chunks\" data-blocks=\"{}\" \
                 data-ends=\"{ends}\" data-deflated=\"{flags}\" \
                 data-odd=\"{odd}\">",
                counts.join(",")
            ));
        } else {
            after.push_str(&format!(
                "<script type=\"application/octet-stream\" \
                 id=\"chronicle-chunks-{}\">",
                k + 1
            ));
        }
        after.units.extend(data.units);
        after.push_str("</script>\n");
    }
    Ok(Embedded {
        html,
        after,
        summary: format!(
            "split index: core {} bytes + {} chunks in {} blocks, \
             {packed_bytes} bytes; doc store {}",
            core.len(),
            chunks.len(),
            counts.len(),
            if groups.is_empty() {
                "deflated".to_owned()
            } else {
                format!("in {} LZMA groups", groups.len())
            }
        ),
    })
}

/// The offline file's own reader of what it carries (the packed wasm,
/// index and chunks), run before chronicle.js: it belongs with the
/// writer here, so the widget's script does not carry it.
const OFFLINE_JS: &str = include_str!("../../www/src/offline.js");

fn bundle(
    index: &Path,
    assets: &Path,
    output: &Path,
    title: &str,
    attribution: Option<&str>,
    doc_store: DocStore,
) -> Result<()> {
    let read = |name: &str| {
        let p = assets.join(name);
        fs::read(&p).with_context(|| format!("cannot read {}", p.display()))
    };
    let embedded = if index.is_dir() {
        embed_split(index, doc_store)?
    } else {
        embed_single(index)?
    };
    let js = String::from_utf8(read("chronicle.js")?)
        .context("chronicle.js is not UTF-8")?;
    let css = String::from_utf8(read("chronicle.css")?)
        .context("chronicle.css is not UTF-8")?;
    let wasm = read("chronicle_bg.wasm")?;
    // `<\/` means `</` in JS strings, regexes and comments alike, and
    // cannot end the inline <script>.
    let js = js.replace("</", "<\\/");
    check_inline("chronicle.css", &css, "</style")?;
    let mut html = Utf16Html::default();
    // No <meta charset>: the byte-order mark decides the encoding.
    html.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str(&format!(
        "<title>{}</title>\n<style>\n",
        html_escape(title)
    ));
    html.push_str(&css);
    html.push_str(
        "\nbody { margin: 0 auto; max-width: 1040px; padding: 16px 20px; }\n",
    );
    html.push_str(".chronicle-attribution { font: 12px system-ui, sans-serif; color: #5d6678; margin-top: 24px; }\n");
    html.push_str("</style>\n</head>\n<body>\n<div data-chronicle></div>\n");
    if let Some(a) = attribution {
        html.push_str(&format!(
            "<p class=\"chronicle-attribution\">{}</p>\n",
            html_escape(a)
        ));
    }
    html.push_block("chronicle-wasm", "", &wasm);
    html.units.extend(embedded.html.units);
    html.push_str("<script>\n");
    html.push_str(&OFFLINE_JS.replace("</", "<\\/"));
    html.push_str(&js);
    html.push_str("\n</script>\n");
    html.units.extend(embedded.after.units);
    html.push_str("</body>\n</html>\n");
    let bytes = html.into_bytes();
    write_atomically(output, &bytes)?;
    println!(
        "wrote {} ({} bytes, UTF-16: {}, wasm {} bytes)",
        output.display(),
        bytes.len(),
        embedded.summary,
        wasm.len()
    );
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
    writeln!(out, "events    {}", index.doc_count())?;
    if let (Some(new), Some(old)) = (days.first(), days.last()) {
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
    writeln!(out, "categories {}", index.categories()?.len())?;
    writeln!(out, "sources   {}", index.sources()?.len())?;
    writeln!(out, "contexts  {}", index.contexts()?.len())?;
    if index.is_split() {
        writeln!(out, "split     core + {} chunks", index.chunk_count())?;
    }
    writeln!(out, "sections")?;
    for (name, off, len) in index.sections() {
        let pct = 100.0 * len as f64 / size.max(1) as f64;
        writeln!(
            out,
            "  {name}  offset {off:>10}  bytes {len:>10}  {pct:5.1}%"
        )?;
    }
    Ok(())
}
