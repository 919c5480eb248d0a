#!/usr/bin/env bash
# Builds the native CLI, the index of the bundled corpus, the wasm widget
# and the demo under www/. Usage: bash build.sh
set -eu
cd "$(dirname "$0")"

need() { command -v "$1" >/dev/null 2>&1 || { echo "build.sh: $1 is missing: $2" >&2; exit 2; }; }
need cargo "install Rust (rustup)"
rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$' \
  || { echo "build.sh: the wasm32 target is missing: rustup target add wasm32-unknown-unknown" >&2; exit 2; }
WBG=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
need wasm-bindgen "cargo install wasm-bindgen-cli --version $WBG"
wasm-bindgen --version | grep -q " $WBG\$" \
  || { echo "build.sh: wasm-bindgen $(wasm-bindgen --version) does not match $WBG in Cargo.lock: cargo install wasm-bindgen-cli --version $WBG" >&2; exit 2; }

INPUTS="data/wcep-events.jsonl.gz data/wcep-events-2018-2026-plaintext.jsonl.gz"
mkdir -p www target/wbg

echo "== native CLI"
cargo build --release --bin chronicle
CHRONICLE=target/release/chronicle

echo "== index"
$CHRONICLE build $INPUTS -o www/events.chron --split www/split

echo "== wasm"
cargo build --profile wasm --target wasm32-unknown-unknown --lib --no-default-features
wasm-bindgen --target no-modules --no-typescript --out-dir target/wbg \
  target/wasm32-unknown-unknown/wasm/chronicle.wasm
if [ -x node_modules/.bin/wasm-opt ]; then
  # Measured by gzip -9 size: inlining only small single-caller functions
  # (-ocimfs 20) compresses ~6 KB better than -Oz's inlining of all of
  # them; --low-memory-unused holds (the stack sits below the data, which
  # starts at 1 MiB); the producers and target-features sections are
  # metadata only.
  node_modules/.bin/wasm-opt -Oz --one-caller-inline-max-function-size 20 \
    --low-memory-unused --converge --strip-producers --strip-target-features \
    target/wbg/chronicle_bg.wasm -o www/chronicle_bg.wasm
else
  echo "build.sh: wasm-opt not installed (npm ci): shipping the unoptimised wasm" >&2
  cp target/wbg/chronicle_bg.wasm www/chronicle_bg.wasm
fi
cat target/wbg/chronicle.js www/src/loader.js > target/wbg/chronicle.full.js
if [ -x node_modules/.bin/terser ]; then
  # Compress and mangle locals only: the glue's import names are
  # property keys the wasm looks up, and `wasm_bindgen` stays global.
  node_modules/.bin/terser target/wbg/chronicle.full.js --compress --mangle \
    --ecma 2017 -o www/chronicle.js
else
  echo "build.sh: terser not installed (npm ci): shipping the unminified JS" >&2
  cp target/wbg/chronicle.full.js www/chronicle.js
fi

echo "== offline file (the split index: chunks decoded when needed)"
$CHRONICLE bundle www/split --assets www -o www/offline.html \
  --title "Chronicle · offline" \
  --attribution "Event text: Wikipedia contributors, Portal:Current events (https://en.wikipedia.org/wiki/Portal:Current_events), CC BY-SA 4.0."

size() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
echo "== sizes (bytes, raw / gzip -9)"
for f in www/chronicle_bg.wasm www/chronicle.js www/chronicle.css www/events.chron www/offline.html; do
  printf '  %-24s %10s / %10s\n' "$f" "$(size "$f")" "$(gz "$f")"
done
echo
echo "Done. Serve www/ over HTTP and open it, e.g.:"
echo "  python3 -m http.server 8000 --bind 127.0.0.1 -d www   # then http://127.0.0.1:8000/"
echo "The split index (small core, chunks fetched on demand) is at http://127.0.0.1:8000/split/"
echo "or open www/offline.html directly (file://, no server, no network)."
