//! Measures doc-store codecs over the bundled events: for each codec and
//! block size, the compressed bytes and the native decode time per block.
//!
//! Usage: measure DATA_DIR OUT_DIR
//! Writes OUT_DIR/native.json, and for the wasm timing (wasm.mjs) the
//! sampled blocks of every codec × block size and each codec's dictionary
//! under OUT_DIR/blocks/.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use chronicle::builder::build_parts;
use chronicle::input::{read_all, InputOptions};
use serde_json::{json, Value};

const INPUTS: [&str; 2] = ["wcep-events.jsonl.gz", "wcep-events-2018-2026-plaintext.jsonl.gz"];
const BLOCK_SIZES: [usize; 4] = [8, 16, 32, 64];
/// The index's block size (BLOCK_DOCS) and its dictionary size (DICT_BYTES).
const INDEX_BLOCK: usize = 32;
const DICT_BYTES: usize = 32 * 1024;
/// Blocks timed per codec × block size (evenly spread), and runs per block.
const TIMED_BLOCKS: usize = 400;
const RUNS: usize = 5;

// ---- The index file: its sections ----

fn section<'a>(index: &'a [u8], tag: &[u8; 4]) -> &'a [u8] {
    let u32_at = |i: usize| u32::from_le_bytes(index[i..i + 4].try_into().unwrap()) as usize;
    let count = u32_at(16);
    for e in 0..count {
        let at = 20 + e * 12;
        if &index[at..at + 4] == tag {
            let (off, len) = (u32_at(at + 4), u32_at(at + 8));
            return &index[off..off + len];
        }
    }
    panic!("no section {}", String::from_utf8_lossy(tag));
}

/// The blocks of a STOR section.
fn stor_blocks(s: &[u8]) -> Vec<&[u8]> {
    let u32_at = |i: usize| u32::from_le_bytes(s[i..i + 4].try_into().unwrap()) as usize;
    let n = u32_at(0);
    let header = 4 + (n + 1) * 4;
    (0..n).map(|b| &s[header + u32_at(4 + b * 4)..header + u32_at(8 + b * 4)]).collect()
}

// ---- Codecs ----

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Deflate(u32),
    Zstd(i32),
    Brotli(i32),
}

struct Codec {
    name: &'static str,
    kind: Kind,
    dict: Vec<u8>,
}

fn deflate(raw: &[u8], level: u32, dict: &[u8]) -> Vec<u8> {
    // As src/format/write.rs `store`.
    let mut z = flate2::Compress::new(flate2::Compression::new(level), false);
    if !dict.is_empty() {
        z.set_dictionary(dict).unwrap();
    }
    let mut buf = Vec::with_capacity(raw.len() / 2 + 64);
    loop {
        let before = z.total_in();
        let done = z
            .compress_vec(&raw[(z.total_in() as usize).min(raw.len())..], &mut buf, flate2::FlushCompress::Finish)
            .unwrap();
        if done == flate2::Status::StreamEnd {
            break;
        }
        if z.total_in() == before {
            buf.reserve(buf.capacity().max(1024));
        }
    }
    buf
}

fn compress(c: &Codec, raw: &[u8], whole: bool) -> Vec<u8> {
    match c.kind {
        Kind::Deflate(level) => deflate(raw, level, &c.dict),
        Kind::Zstd(level) => {
            let mut z = if c.dict.is_empty() {
                zstd::bulk::Compressor::new(level).unwrap()
            } else {
                zstd::bulk::Compressor::with_dictionary(level, &c.dict).unwrap()
            };
            // libzstd's defaults, said out loud: no checksum, content size
            // and dictionary id in the frame header (ruzstd needs the id).
            z.include_checksum(false).unwrap();
            z.include_contentsize(true).unwrap();
            z.include_dictid(true).unwrap();
            z.compress(raw).unwrap()
        }
        Kind::Brotli(quality) => {
            let params = brotli::enc::BrotliEncoderParams {
                quality,
                lgwin: if whole { 24 } else { 22 },
                ..Default::default()
            };
            let mut out = Vec::new();
            brotli::BrotliCompress(&mut &raw[..], &mut out, &params).unwrap();
            out
        }
    }
}

enum Dec {
    Deflate(decoders::deflate::Decoder),
    Zstd(decoders::zstd::Decoder),
    Brotli(decoders::brotli::Decoder),
}

impl Dec {
    fn new(c: &Codec) -> Dec {
        match c.kind {
            Kind::Deflate(_) => Dec::Deflate(decoders::deflate::Decoder::new(&c.dict)),
            Kind::Zstd(_) => Dec::Zstd(decoders::zstd::Decoder::new(&c.dict)),
            Kind::Brotli(_) => Dec::Brotli(decoders::brotli::Decoder::new(&c.dict)),
        }
    }
    fn decode(&mut self, z: &[u8], out: &mut [u8]) -> Option<usize> {
        match self {
            Dec::Deflate(d) => d.decode(z, out),
            Dec::Zstd(d) => d.decode(z, out),
            Dec::Brotli(d) => d.decode(z, out),
        }
    }
}

fn decoder_name(k: Kind) -> &'static str {
    match k {
        Kind::Deflate(_) => "miniz_oxide 0.8 inflate",
        Kind::Zstd(_) => "ruzstd 0.7.3",
        Kind::Brotli(_) => "brotli-decompressor 5.0.3",
    }
}

/// Compresses every block, on two threads (the blocks are independent).
fn compress_blocks(c: &Codec, raws: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let half = raws.len().div_ceil(2);
    let (a, b) = raws.split_at(half);
    let run = |part: &[Vec<u8>]| part.iter().map(|r| compress(c, r, false)).collect::<Vec<_>>();
    let (ra, rb) = std::thread::scope(|s| {
        let h = s.spawn(|| run(b));
        (run(a), h.join().unwrap())
    });
    ra.into_iter().chain(rb).collect()
}

fn sample(n: usize) -> Vec<usize> {
    if n <= TIMED_BLOCKS {
        (0..n).collect()
    } else {
        (0..TIMED_BLOCKS).map(|i| i * n / TIMED_BLOCKS).collect()
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let data = PathBuf::from(args.get(1).map_or("data", String::as_str));
    let out_dir = PathBuf::from(args.get(2).map_or("bench/work/codecs", String::as_str));
    fs::create_dir_all(out_dir.join("blocks")).unwrap();
    let t0 = Instant::now();

    // Events → parts (build_parts orders documents oldest first, as the
    // index does) → the index itself.
    let paths: Vec<PathBuf> = INPUTS.iter().map(|f| data.join(f)).collect();
    let events = read_all(&paths, &InputOptions::default(), &|_| {}).unwrap().events;
    let parts = build_parts(events).unwrap();
    let index = chronicle::format::encode(&parts).unwrap();
    let index_dict = section(&index, b"DICT").to_vec();
    let index_stor = section(&index, b"STOR");
    let base_bytes = index.len() - index_stor.len() - index_dict.len();
    eprintln!("{} events, index {} bytes ({:.1?})", parts.docs.len(), index.len(), t0.elapsed());

    // Each document's doc-store record, as the builder made it.
    let records: Vec<Vec<u8>> = parts.docs.iter().map(|d| parts.records[d.record.clone()].to_vec()).collect();
    let raw_bytes: usize = records.iter().map(Vec::len).sum();

    // Check: our records, deflated as the writer does, are the index's
    // STOR blocks byte for byte.
    let index_blocks = stor_blocks(index_stor);
    let ours: Vec<Vec<u8>> = records.chunks(INDEX_BLOCK).map(|c| c.concat()).collect();
    let verified = ours.len() == index_blocks.len()
        && ours.iter().zip(&index_blocks).all(|(r, z)| deflate(r, 6, &index_dict) == *z);
    eprintln!("records match the index's STOR blocks: {verified}");
    assert!(verified, "the re-encoded doc store differs from the index's STOR");

    // A zstd dictionary of the same size, trained (ZDICT, zstd's default
    // trainer) on the same sample DICT is: the records of 1 block in 16.
    let zsample: Vec<&Vec<u8>> = records
        .chunks(INDEX_BLOCK)
        .enumerate()
        .filter(|(i, _)| i % 16 == 0)
        .flat_map(|(_, c)| c.iter())
        .collect();
    let zdict = zstd::dict::from_samples(&zsample, DICT_BYTES).unwrap();
    eprintln!("zstd dictionary: {} bytes from {} records", zdict.len(), zsample.len());

    let codecs = vec![
        Codec { name: "deflate-6", kind: Kind::Deflate(6), dict: vec![] },
        Codec { name: "deflate-9", kind: Kind::Deflate(9), dict: vec![] },
        Codec { name: "deflate-6+dict", kind: Kind::Deflate(6), dict: index_dict.clone() },
        Codec { name: "deflate-9+dict", kind: Kind::Deflate(9), dict: index_dict.clone() },
        Codec { name: "zstd-19", kind: Kind::Zstd(19), dict: vec![] },
        Codec { name: "zstd-19+dict", kind: Kind::Zstd(19), dict: zdict.clone() },
        Codec { name: "brotli-11", kind: Kind::Brotli(11), dict: vec![] },
    ];

    let mut rows = Vec::new();
    for c in &codecs {
        fs::write(out_dir.join("blocks").join(format!("{}.dict", c.name)), &c.dict).unwrap();
        for &bs in &BLOCK_SIZES {
            let raws: Vec<Vec<u8>> = records.chunks(bs).map(|c| c.concat()).collect();
            let t = Instant::now();
            let zs = compress_blocks(c, &raws);
            let compress_s = t.elapsed().as_secs_f64();
            let total: usize = zs.iter().map(Vec::len).sum();
            // STOR: count, offsets, blocks; plus the dictionary section.
            let store_bytes = 4 + (zs.len() + 1) * 4 + total + c.dict.len();

            // Every block decodes to its records.
            let mut dec = Dec::new(c);
            let mut out = vec![0u8; raws.iter().map(Vec::len).max().unwrap()];
            for (z, r) in zs.iter().zip(&raws) {
                let n = dec.decode(z, &mut out[..r.len()]).expect("decodes");
                assert!(n == r.len() && out[..n] == r[..], "{} block differs", c.name);
            }
            // Timing: evenly spread blocks, a fresh call each, best of
            // RUNS passes over them (passes, not repeats, spread out noise
            // from whatever else runs on the machine).
            let picked = sample(zs.len());
            let mut times = vec![f64::MAX; picked.len()];
            for _ in 0..RUNS {
                for (i, &b) in picked.iter().enumerate() {
                    let len = raws[b].len();
                    let t = Instant::now();
                    let n = dec.decode(&zs[b], &mut out[..len]);
                    let us = t.elapsed().as_secs_f64() * 1e6;
                    std::hint::black_box(n);
                    times[i] = times[i].min(us);
                }
            }
            let decode_us = median(times);

            // The same sampled blocks, for the wasm timing.
            let mut f = Vec::new();
            f.extend_from_slice(&(picked.len() as u32).to_le_bytes());
            for &b in &picked {
                f.extend_from_slice(&(zs[b].len() as u32).to_le_bytes());
                f.extend_from_slice(&(raws[b].len() as u32).to_le_bytes());
                f.extend_from_slice(&zs[b]);
            }
            fs::File::create(out_dir.join("blocks").join(format!("{}-{bs}.bin", c.name)))
                .unwrap()
                .write_all(&f)
                .unwrap();

            eprintln!(
                "{:<15} block {bs:>2}: {total:>9} bytes, store {store_bytes:>9}, decode {decode_us:>7.1} µs, compress {compress_s:.1} s",
                c.name
            );
            rows.push(json!({
                "codec": c.name, "decoder": decoder_name(c.kind), "block": bs,
                "blocks": zs.len(), "dict_bytes": c.dict.len(),
                "total_bytes": total, "store_bytes": store_bytes,
                "index_bytes": base_bytes + store_bytes,
                "mean_block_bytes": total as f64 / zs.len() as f64,
                "mean_raw_block_bytes": raw_bytes as f64 / zs.len() as f64,
                "decode_us_median": decode_us, "timed_blocks": picked.len(),
                "compress_s": compress_s,
            }));
        }
    }

    // For reference: the whole doc store as one stream.
    let all = records.concat();
    let mut whole = Vec::new();
    for c in &codecs {
        let t = Instant::now();
        let z = compress(c, &all, true);
        eprintln!("{:<15} whole stream: {} bytes ({:.1?})", c.name, z.len(), t.elapsed());
        whole.push(json!({"codec": c.name, "bytes": z.len(), "dict_bytes": c.dict.len()}));
    }

    let v: Value = json!({
        "events": parts.docs.len(),
        "raw_bytes": raw_bytes,
        "index_bytes": index.len(),
        "index_stor_bytes": index_stor.len(),
        "index_dict_bytes": index_dict.len(),
        "index_without_store_bytes": base_bytes,
        "verified_against_index": verified,
        "zstd_dict_bytes": zdict.len(),
        "timed_blocks": TIMED_BLOCKS, "runs": RUNS,
        "rows": rows,
        "whole": whole,
        "seconds": t0.elapsed().as_secs_f64(),
    });
    fs::write(out_dir.join("native.json"), serde_json::to_string_pretty(&v).unwrap()).unwrap();
}
