//! `chronicle bundle`: the offline file, one HTML page with the widget,
//! its wasm and the index inlined, which searches from `file://` with no
//! network request.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

use chronicle::format::offline::{self, Stored};
use chronicle::format::{self};
use chronicle::render::Esc;
use chronicle::Index;

use crate::files::{load_chunks, write_atomically, SPLIT_CORE};
use crate::widget::{self, Assets};

/// The offline file's doc-store codec (`chronicle bundle --doc-store`).
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocStore {
    /// In groups against a shared dictionary, decoded in JavaScript.
    Lzma,
    /// As the split index has it.
    Deflate,
}

/// Text escaped for the page (the widget's one escaper).
fn escape(s: &str) -> String {
    Esc(s).to_string()
}

/// Text that must not close the inline element it is embedded in.
fn check_inline(name: &str, text: &str, closing: &str) -> Result<()> {
    if text.to_ascii_lowercase().contains(closing) {
        anyhow::bail!("{name} contains {closing} and cannot be inlined");
    }
    Ok(())
}

/// The offline file's text, in UTF-16 code units: markup and code as
/// text, binary data packed two bytes a unit ([`offline::pack`]). UTF-16
/// carries 16 bits a unit where base64 in UTF-8 carries 6 a byte, so the
/// data takes about 1.03 bytes a byte instead of 1.33, and the HTML
/// parser has 2.6 times fewer characters to read.
#[derive(Default)]
struct Utf16Html {
    units: Vec<u16>,
}

impl Utf16Html {
    fn push_str(&mut self, s: &str) {
        self.units.extend(s.encode_utf16());
    }

    /// A raw-text block of `bytes`, packed ([`offline::push_block`]).
    fn push_block(&mut self, id: &str, attrs: &str, bytes: &[u8]) {
        offline::push_block(&mut self.units, id, attrs, bytes);
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
    let attrs = format!(" data-name=\"{}\"", escape(&name));
    html.push_block(offline::INDEX_ID, &attrs, &gz);
    Ok(Embedded {
        html,
        after: Utf16Html::default(),
        summary: format!("index {} bytes gzipped", gz.len()),
    })
}

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

/// `core` and `chunks`, their doc-store blocks stored uncompressed
/// ([`format::stored_block`]), with those blocks compressed in LZMA
/// groups against one dictionary, each group checked to give them back.
fn lzma_doc_store(core: Vec<u8>, chunks: Vec<Vec<u8>>) -> Result<Packed> {
    let stor = block_chunks(&core)?;
    let blocks: Vec<&[u8]> =
        stor.clone().map(|n| chunks[n as usize - 1].as_slice()).collect();
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

/// The chunk numbers of a split core's doc-store blocks (consecutive).
fn block_chunks(core: &[u8]) -> Result<std::ops::Range<u32>> {
    let numbers = Index::new(core)?.section_chunks(format::tag::STORE);
    let first = numbers.first().copied().unwrap_or(0);
    if numbers.iter().zip(first..).any(|(&n, want)| n != want) {
        anyhow::bail!("doc-store chunks are not in order");
    }
    Ok(first..first + numbers.len() as u32)
}

/// A split index: its core, and its chunks one after another, in blocks
/// ([`offline::ChunkBlocks`]). With
/// [`DocStore::Lzma`], the doc-store blocks are stored uncompressed in
/// the core's layout
/// ([`format::resplit`]) and compressed with LZMA in groups of
/// consecutive blocks against one preset dictionary
/// ([`format::offline`]), which goes first, deflated, in
/// `#chronicle-lzdict`. Every other chunk is packed on its own (so one is
/// decoded without the others), deflated when that saves a twentieth.
/// The first chunks block carries the table ([`offline::ChunkTable`]).
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
    // Every chunk is at hand in the offline file, so the doc store's
    // records leave their names to the forward lists and dictionaries
    // (`format::FLAG_NAMES_BY_ID`), in blocks as large as a single
    // file's; LZMA takes the split index's small blocks, uncompressed.
    let lzma = doc_store == DocStore::Lzma;
    type Block = fn(&[u8], &[u8]) -> chronicle::Result<Vec<u8>>;
    let (docs, block): (u32, Block) = if lzma {
        (format::BLOCK_DOCS, format::stored_block)
    } else {
        (format::LOCAL_BLOCK_DOCS, format::deflated_block)
    };
    let split = format::resplit(&core, chunks, true, docs, true, block)
        .with_context(|| format!("{}", core_path.display()))?;
    let core = split.core;
    let chunks: Vec<Vec<u8>> = split.chunks.into_iter().map(|c| c.1).collect();
    let Packed { core, chunks, stor, dict, groups } = if lzma {
        lzma_doc_store(core, chunks)
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
    // The doc store's blocks are deflated already (and the reader knows
    // no length to inflate one to): they go as they are.
    let blocks = block_chunks(&core)?;
    let mut packer = offline::ChunkBlocks::default();
    let mut packed_bytes = 0usize;
    for (i, chunk) in chunks.iter().enumerate() {
        let n = i as u32 + 1;
        let deflated;
        let (bytes, stored) = if stor.contains(&n) {
            let k = (n - stor.start) as usize;
            if k % offline::GROUP_BLOCKS == 0 {
                (groups[k / offline::GROUP_BLOCKS].as_slice(), Stored::Group)
            } else {
                (&[][..], Stored::InGroup)
            }
        } else if blocks.contains(&n) {
            (chunk.as_slice(), Stored::AsIs)
        } else {
            deflated = deflate_best(chunk)?;
            if deflated.len() < chunk.len() - chunk.len() / 20 {
                (deflated.as_slice(), Stored::Deflated)
            } else {
                (chunk.as_slice(), Stored::AsIs)
            }
        };
        packed_bytes += bytes.len();
        packer.push(bytes, stored);
    }
    let mut html = Utf16Html::default();
    html.push_block(
        offline::INDEX_ID,
        &format!(
            " data-name=\"{SPLIT_CORE}\" data-chunks=\"{}\"",
            offline::chunks_block_id(0)
        ),
        &core,
    );
    let mut after = Utf16Html::default();
    if !dict.is_empty() {
        let z = deflate_best(&dict)?;
        packed_bytes += z.len();
        after.push_block(offline::LZDICT_ID, "", &z);
    }
    let blocks = packer.blocks.len();
    packer.write(&mut after.units);
    Ok(Embedded {
        html,
        after,
        summary: format!(
            "split index: core {} bytes + {} chunks in {} blocks, \
             {packed_bytes} bytes; doc store {}",
            core.len(),
            chunks.len(),
            blocks,
            if groups.is_empty() {
                "deflated".to_owned()
            } else {
                format!("in {} LZMA groups", groups.len())
            }
        ),
    })
}

/// What `chronicle bundle` writes, and from what.
pub struct Bundle<'a> {
    /// A single-file index, or a split index's directory.
    pub index: &'a Path,
    /// Widget files to use instead of the ones the binary carries.
    pub assets: Option<&'a Path>,
    /// The HTML file to write.
    pub output: &'a Path,
    /// The page title.
    pub title: &'a str,
    /// A line of attribution under the widget.
    pub attribution: Option<&'a str>,
    /// How a split index's doc store is compressed.
    pub doc_store: DocStore,
    /// The prefix that turns events' relative URLs into links to the
    /// site's pages (`data-base-url`).
    pub base_url: Option<&'a str>,
    /// The page's language tag (checked: letters, digits and `-`).
    pub lang: &'a str,
}

/// Writes the offline file: one HTML page with the widget, its wasm and
/// the index inlined, which searches from `file://`.
pub fn bundle(b: &Bundle) -> Result<()> {
    let Bundle { index, output, title, attribution, doc_store, .. } = *b;
    let embedded = if index.is_dir() {
        embed_split(index, doc_store)?
    } else {
        embed_single(index)?
    };
    let Assets { js, wasm, css } = Assets::from(b.assets)?;
    let js = String::from_utf8(js).context("chronicle.js is not UTF-8")?;
    let css = String::from_utf8(css).context("chronicle.css is not UTF-8")?;
    // `<\/` means `</` in JS strings, regexes and comments alike, and
    // cannot end the inline <script>.
    let js = js.replace("</", "<\\/");
    check_inline("chronicle.css", &css, "</style")?;
    let mut html = Utf16Html::default();
    // No <meta charset>: the byte-order mark decides the encoding.
    // Right to left as the loader lays out the widget (its `RTL`).
    let primary = b.lang.split('-').next().unwrap_or_default();
    let rtl = ["ar", "fa", "he", "ps", "ur", "yi"]
        .iter()
        .any(|l| primary.eq_ignore_ascii_case(l));
    html.push_str(&format!(
        "<!doctype html>\n<html lang=\"{}\"{}>\n<head>\n",
        escape(b.lang),
        if rtl { " dir=\"rtl\"" } else { "" }
    ));
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str(&format!("<title>{}</title>\n<style>\n", escape(title)));
    html.push_str(&css);
    html.push_str(
        "\n:root { color-scheme: light dark; }\n\
         body { margin: 0 auto; max-width: 1040px; padding: 16px 20px; \
         background: light-dark(#fff, #15181e); \
         color: light-dark(#1d2330, #e6e9ef); }\n",
    );
    html.push_str(".chronicle-attribution { font: 12px system-ui, sans-serif; color: light-dark(#5d6678, #9aa3b5); margin-top: 24px; }\n");
    html.push_str(".chronicle-heading { font: 600 22px system-ui, sans-serif; margin: 4px 0 12px; }\n");
    // A main landmark and a heading: the page is the whole document.
    html.push_str("</style>\n</head>\n<body>\n<main>\n");
    html.push_str(&format!(
        "<h1 class=\"chronicle-heading\">{}</h1>\n",
        escape(title)
    ));
    match b.base_url {
        Some(base) => html.push_str(&format!(
            "<div data-chronicle data-base-url=\"{}\"></div>\n",
            escape(base)
        )),
        None => html.push_str("<div data-chronicle></div>\n"),
    }
    html.push_str("</main>\n");
    if let Some(a) = attribution {
        html.push_str(&format!(
            "<footer class=\"chronicle-attribution\">{}</footer>\n",
            escape(a)
        ));
    }
    html.push_block(offline::WASM_ID, "", &wasm);
    html.units.extend(embedded.html.units);
    html.push_str("<script>\n");
    // Every language's strings (a page served over HTTP fetches its
    // own): no file beside this one can be read.
    let mut langs = String::from("window.ChronicleStrings = {");
    for (lang, json) in widget::translations()? {
        langs.push_str(&format!("{}:{json},", serde_json::to_string(&lang)?));
    }
    langs.push_str("};\n");
    html.push_str(&langs.replace("</", "<\\/"));
    html.push_str(&widget::OFFLINE_JS.replace("</", "<\\/"));
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
