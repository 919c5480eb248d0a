//! Writes what a fuzz input hands the library, as files the `chronicle`
//! CLI and the root package's tests read: `OUT/index.chron` (the index,
//! or a split index's core, resealed as the target reseals it) and, for a
//! split index, its chunks under the names the core gives them.
//!
//! cargo run --manifest-path fuzz/Cargo.toml --example unframe -- \
//!     TARGET INPUT OUT
//!
//! (`query` inputs are a query, not an index: nothing to write.)

use std::path::Path;
use std::{env, fs, process};

use chronicle::Index;
use chronicle_fuzz::{decode_index, decode_offline, decode_split};

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let [target, input, out] = args.as_slice() else {
        eprintln!("usage: unframe TARGET INPUT OUT");
        process::exit(2);
    };
    let data = fs::read(input).unwrap_or_else(|e| {
        eprintln!("{input}: {e}");
        process::exit(2)
    });
    let decoded = match target.as_str() {
        "index" => decode_index(&data),
        "split" => decode_split(&data),
        "offline" => decode_offline(&data),
        _ => {
            eprintln!("unframe reads index, split or offline inputs");
            process::exit(2);
        }
    };
    let Some(d) = decoded else {
        eprintln!("{input}: too short to hold an index");
        process::exit(1);
    };
    let out = Path::new(out);
    fs::create_dir_all(out).expect("the output directory");
    let names = Index::new(d.core.as_slice()).ok();
    fs::write(out.join("index.chron"), &d.core).expect("index.chron");
    let mut written = 0;
    for (i, c) in d.chunks.iter().enumerate() {
        let Some(c) = c else { continue };
        let n = i as u32 + 1;
        let name = names
            .as_ref()
            .and_then(|ix| ix.chunk_file(n))
            .unwrap_or_else(|| format!("{n}.bin"));
        fs::write(out.join(name), c).expect("a chunk");
        written += 1;
    }
    println!(
        "{}: index.chron ({} bytes{}) and {written} chunks",
        out.display(),
        d.core.len(),
        if names.is_some() { "" } else { ", which does not open" },
    );
}
