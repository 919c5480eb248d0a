//! Writes a page laid out as `chronicle bundle` lays out the offline file
//! (`format::offline`), with edge-case and random bytes in every kind of
//! block, and the bytes each block must give back: what
//! `tests/e2e/offline-layout.test.mjs` has the page's own reader,
//! `widget/offline.js`, unpack in Chromium to prove that the two agree.
//!
//!   cargo run --example offline_layout -- DIR
//!
//! writes `DIR/layout.html` and `DIR/layout.json` (`{wasm, core, chunks:
//! [{deflated, bytes}]}`, bytes as arrays of numbers; a deflated chunk's
//! bytes are its DEFLATE stream, which the page hands on as they are).

use std::io::Write;
use std::path::PathBuf;

use chronicle::format::offline::{self, ChunkBlocks, Stored};

/// Deterministic bytes: xorshift, with one word in four taken from the
/// words the packing escapes.
struct Bytes(u32);

impl Bytes {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }

    fn take(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 1);
        while out.len() < len {
            let r = self.next();
            let word = match r % 8 {
                0 => 0xD800 + (r >> 16) as u16 % 0x800,
                1 => [0x00, 0x0D, 0x3C, 0x3D][(r >> 16) as usize % 4],
                _ => (r >> 16) as u16,
            };
            out.extend(word.to_le_bytes());
        }
        out.truncate(len);
        out
    }
}

/// Every word the packing escapes, and the bytes around them, with an
/// odd length.
fn escaped_words() -> Vec<u8> {
    let mut v: Vec<u8> = (0xD800..=0xDFFFu16)
        .chain([0x0000, 0x000D, 0x003C, 0x003D])
        .flat_map(u16::to_le_bytes)
        .collect();
    v.extend(b"\x3d\x3c\x0d");
    v
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::DeflateEncoder::new(
        Vec::new(),
        flate2::Compression::best(),
    );
    z.write_all(bytes).expect("writing to a Vec cannot fail");
    z.finish().expect("writing to a Vec cannot fail")
}

fn json_bytes(b: &[u8]) -> String {
    let list: Vec<String> = b.iter().map(u8::to_string).collect();
    format!("[{}]", list.join(","))
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or(".".into()));
    let mut rng = Bytes(0x9E37_79B9);
    let wasm = escaped_words();
    let core = rng.take(4097);

    // Chunks: (the bytes the page must give back, whether deflated).
    let mut chunks: Vec<(Vec<u8>, bool)> = vec![
        (Vec::new(), false),
        (vec![0], false),
        (b"<".to_vec(), false),
        (escaped_words(), false),
    ];
    for len in 0..64 {
        chunks.push((rng.take(len), false));
    }
    for _ in 0..100 {
        let len = rng.next() as usize % 3000;
        chunks.push((rng.take(len), false));
    }
    // More than a block holds: the chunks after it go into a new block.
    chunks.push((rng.take(offline::CHUNKS_BLOCK_UNITS * 2 + 1), false));
    let text = b"a deflated chunk, as the page hands it on. ".repeat(50);
    chunks.push((deflate(&text), true));
    let mut packer = ChunkBlocks::default();
    for (bytes, deflated) in &chunks {
        let stored = if *deflated { Stored::Deflated } else { Stored::AsIs };
        packer.push(bytes, stored);
    }
    // An LZMA group of doc-store blocks, decoded by the page.
    let blocks: Vec<Vec<u8>> = (0..offline::GROUP_BLOCKS + 3)
        .map(|i| format!("record {i}: words words words {i}").repeat(9 + i))
        .map(String::into_bytes)
        .collect();
    let refs: Vec<&[u8]> = blocks.iter().map(Vec::as_slice).collect();
    let dict = offline::dictionary(&refs);
    let groups = offline::compress_groups(&refs, &dict).expect("LZMA");
    for (g, z) in groups.iter().enumerate() {
        let group = &blocks[g * offline::GROUP_BLOCKS..];
        for (k, block) in group.iter().take(offline::GROUP_BLOCKS).enumerate()
        {
            match k {
                0 => packer.push(z, Stored::Group),
                _ => packer.push(&[], Stored::InGroup),
            }
            chunks.push((block.clone(), false));
        }
    }
    assert!(packer.blocks.len() > 1, "several chunks blocks");

    let mut page: Vec<u16> = Vec::new();
    let mut text = |s: &str| page.extend(s.encode_utf16());
    text("<!doctype html>\n<html lang=\"en\">\n<head><title>Layout</title>");
    text("<link rel=\"icon\" href=\"data:,\"></head>\n<body>\n");
    offline::push_block(&mut page, offline::WASM_ID, "", &wasm);
    let attrs = format!(
        " data-name=\"index.chron\" data-chunks=\"{}\"",
        offline::chunks_block_id(0)
    );
    offline::push_block(&mut page, offline::INDEX_ID, &attrs, &core);
    offline::push_block(&mut page, offline::LZDICT_ID, "", &deflate(&dict));
    packer.write(&mut page);
    page.extend("</body>\n</html>\n".encode_utf16());

    let mut html = vec![0xFF, 0xFE];
    html.extend(page.iter().flat_map(|u| u.to_le_bytes()));
    std::fs::write(dir.join("layout.html"), html).expect("layout.html");
    let chunks: Vec<String> = chunks
        .iter()
        .map(|(b, d)| {
            format!("{{\"deflated\":{d},\"bytes\":{}}}", json_bytes(b))
        })
        .collect();
    let json = format!(
        "{{\"wasm\":{},\"core\":{},\"chunks\":[{}]}}\n",
        json_bytes(&wasm),
        json_bytes(&core),
        chunks.join(",")
    );
    std::fs::write(dir.join("layout.json"), json).expect("layout.json");
}
