//! Replays every file under `fuzz/regressions/TARGET/` through its
//! target's harness, without libFuzzer or instrumentation: a crash once
//! found and fixed stays fixed. The seeds (`fuzz/seeds/`, when seeds.sh
//! has made them) are replayed too.
//!
//! cargo test --manifest-path fuzz/Cargo.toml

use std::fs;
use std::path::Path;

/// A target's name and its harness.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 4] = [
    ("index", chronicle_fuzz::index),
    ("split", chronicle_fuzz::split),
    ("offline", chronicle_fuzz::offline),
    ("query", chronicle_fuzz::query),
];

/// Runs every file of `dir/TARGET/` through TARGET; the number run.
fn replay(dir: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut n = 0;
    for (target, run) in TARGETS {
        let Ok(files) = fs::read_dir(root.join(target)) else { continue };
        let mut files: Vec<_> = files.flatten().map(|f| f.path()).collect();
        files.sort();
        for f in files.iter().filter(|f| f.is_file()) {
            let data = fs::read(f).unwrap();
            eprintln!("{target}: {}", f.display());
            run(&data);
            n += 1;
        }
    }
    n
}

#[test]
fn regressions_stay_fixed() {
    eprintln!("{} regression inputs", replay("regressions"));
}

#[test]
fn seeds_run_clean() {
    eprintln!("{} seeds", replay("seeds"));
}
