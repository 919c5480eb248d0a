#!/usr/bin/env bash
# Doc-store codec comparison: builds the wasm decoders and the native
# measurement, runs both, and writes bench/results/codecs.md.
# Usage (from anywhere): bash bench/codecs/run.sh
# Needs: Rust stable with wasm32-unknown-unknown, a C compiler (zstd-sys,
# for the zstd encoder), Node.js, gzip, and node_modules/.bin/wasm-opt
# (npm ci). Takes about ten minutes on 2 cores; brotli 11 is most of it.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK=$ROOT/bench/work/codecs
export CARGO_TARGET_DIR=$ROOT/bench/work/codecs-target
MANIFEST=bench/codecs/Cargo.toml
WASM_OPT=$ROOT/node_modules/.bin/wasm-opt
[ -x "$WASM_OPT" ] || { echo "run.sh: $WASM_OPT missing (npm ci)" >&2; exit 2; }
rm -rf "$WORK" && mkdir -p "$WORK/wasm" "$WORK/blocks"

echo "== wasm decoders"
: > "$WORK/wasm-sizes.tsv"
for d in none deflate zstd brotli; do
  if [ $d = none ]; then feat=""; else feat="--features $d"; fi
  cargo build --locked --manifest-path $MANIFEST -p decoders --release \
    --target wasm32-unknown-unknown $feat
  "$WASM_OPT" -Oz "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/decoders.wasm" \
    -o "$WORK/wasm/$d.wasm"
  raw=$(wc -c < "$WORK/wasm/$d.wasm")
  gz=$(gzip -9 -n -c "$WORK/wasm/$d.wasm" | wc -c)
  printf '%s\t%s\t%s\n' $d $raw $gz >> "$WORK/wasm-sizes.tsv"
  echo "$d: $raw bytes, gzip -9 $gz"
done

echo "== native measurement"
cargo build --locked --manifest-path $MANIFEST -p measure --profile measure
"$CARGO_TARGET_DIR/measure/measure" data "$WORK" 2>&1 | tee "$WORK/measure.log"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
cat > "$WORK/method.md" <<EOF
Run on $(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ' (with uncommitted changes to src/)'):
$cpu, $(nproc) cores (shared with other work, so decode times carry some noise;
each is the best of several passes, and the median over many blocks),
$(uname -sr), $(rustc -V), Node $(node -v), $("$WASM_OPT" --version).
Command: \`bash bench/codecs/run.sh\`, which builds \`bench/codecs\` (its own
Cargo workspace, target dir \`bench/work/codecs-target\`):

* \`decoders\` for \`wasm32-unknown-unknown\` four times (no feature, then
  \`--features deflate\`, \`zstd\`, \`brotli\`), each through \`wasm-opt -Oz\` and \`gzip -9 -n\`;
* \`measure\` (native): reads \`data/wcep-events.jsonl.gz\` and
  \`data/wcep-events-2018-2026-plaintext.jsonl.gz\`, orders the events with
  \`chronicle::builder::build_parts\` (newest first, stable), builds the index
  with \`chronicle::format::encode\`, re-encodes each record, and for each
  codec × block size (8, 16, 32, 64 events) compresses every block, decodes
  and checks every block, and times ${TIMED:-400} evenly spread ones;
* \`report.mjs\` (Node) times the wasm decoders on those same blocks and writes this file.

Codecs: DEFLATE by flate2 on zlib-rs (as the index writer), raw, levels 6
and 9, without and with the index's own 32 KB \`DICT\` (taken from the built
index); zstd 19 by libzstd (the \`zstd\` crate), frames with content size, no
checksum, without and with a 32 KB dictionary trained by ZDICT on the same
sample \`DICT\` is trained on (the records of 1 block of 32 in 16); brotli 11
(the \`brotli\` crate, lgwin 22) without a dictionary (the format's built-in
one is in every decoder). Decoders: miniz_oxide 0.8 inflate (the index
reader's code: the dictionary copied in front of the output), ruzstd 0.7.3,
brotli-decompressor 5.0.3 — all pure Rust, the same code natively and in wasm.
EOF

echo "== wasm timing and report"
node bench/codecs/report.mjs "$WORK" bench/results/codecs.md "$WORK/method.md"
echo "wrote bench/results/codecs.md"
