#!/usr/bin/env bash
# Writes fuzz/seeds/TARGET/ for every target: small real indexes made by
# the root package's `chronicle` from tests/data/events.jsonl (all 46
# events, and the first five), as single files, split, and as the offline
# file carries them, framed by seeds.py. Usage: fuzz/seeds.sh
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
cd "$root"
cargo build --release --bin chronicle
cli=$root/target/release/chronicle
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n 5 tests/data/events.jsonl >"$work/small.jsonl"
for name in full small; do
  input=tests/data/events.jsonl
  [ "$name" = small ] && input=$work/small.jsonl
  "$cli" build "$input" -o "$work/$name.chron" --split "$work/$name-split" >/dev/null
  for codec in deflate lzma; do
    "$cli" bundle "$work/$name-split" --doc-store "$codec" \
      -o "$work/$name-$codec.html" >/dev/null
  done
done
rm -rf "$fuzz/seeds"
python3 "$fuzz/seeds.py" "$work" "$fuzz/seeds"
for t in "$fuzz"/seeds/*; do
  echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"
done
