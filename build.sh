#!/usr/bin/env bash
# Builds the wasm widget (into widget/dist/, which the binary carries),
# the native CLI, the index of the bundled corpus and the demo under www/.
#   bash build.sh            everything
#   bash build.sh --widget   only the widget (widget/dist/): after a change
#                            to code the wasm is built from, before a commit
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
mkdir -p www target/wbg target/widget

# The widget first: the native binary carries it (widget/dist/, compiled
# in with include_bytes!), so a `cargo install` needs no wasm toolchain.
echo "== wasm"
# Panic messages carry source paths: the registry's are written relative
# to it, so the wasm is the same bytes wherever Cargo keeps its crates.
REMAP=""
for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  [ -d "$d" ] && REMAP="$REMAP --remap-path-prefix=$d=crates/"
done
RUSTFLAGS="${RUSTFLAGS:-}$REMAP" \
  cargo build --profile wasm --target wasm32-unknown-unknown --lib --no-default-features
# The loader always says where the wasm is, and every browser the widget
# supports has TextEncoder.encodeInto: the glue needs no fallback for
# either.
wasm-bindgen --target no-modules --no-typescript --omit-default-module-path \
  --encode-into always --out-dir target/wbg \
  target/wasm32-unknown-unknown/wasm/chronicle.wasm
[ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/terser ] \
  || { echo "build.sh: wasm-opt and terser are missing: npm ci" >&2; exit 2; }
# Measured by gzip -9 size: inlining only small single-caller functions
# (-ocimfs 14) compresses ~6 KB better than -Oz's inlining of all of
# them (measured again as the code changes: 10 → 109,833 bytes, 14 →
# 109,712, 20 → 109,914, 30 → 110,040; keystrokes no slower); --low-memory-unused holds (the stack sits below the data, which
# starts at 1 MiB); the producers and target-features sections are
# metadata only. A first round that flattens the code, rebuilds its
# control flow (--rereloop) and merges functions that differ only in
# constants saves another 0.2–0.3 KB; keystrokes measured no slower
# (widget.setQuery over every prefix of bench/perf.mjs's queries, 2,796
# calls each: median 1.50 ms either way, p95 4.30 against 4.40 ms).
# The exports, the imports and the imports' module get names of a letter
# or two (exports 0.25 KB of wasm gzipped; the 90 imports, named
# `__wbg_NAME_HASH` by wasm-bindgen, 1.2 KB of wasm and glue), which the
# glue is then given: wasm-opt prints each renaming as a JSON object (one
# per round of --converge; the later ones keep the names), every
# `wasm.NAME` of the glue is an export, and every import is a key of the
# one object the glue hands the wasm as its imports' only module.
node_modules/.bin/wasm-opt --flatten --rereloop -Oz \
  --merge-similar-functions -Oz --one-caller-inline-max-function-size 14 \
  --low-memory-unused --converge --strip-producers --strip-target-features \
  --minify-imports-and-exports-and-modules \
  target/wbg/chronicle_bg.wasm -o target/widget/chronicle_bg.wasm \
  > target/wbg/renamed.json
node -e '
const fs = require("fs");
const rounds = fs.readFileSync("target/wbg/renamed.json", "utf8")
  .split(/^\{/m).filter((s) => s.trim()).map((s) => JSON.parse("{" + s));
if (!rounds.length) throw new Error("wasm-opt printed no renaming");
const rename = (name, kind) => rounds.reduce((n, r) => {
  const to = new Map(r[kind].map((e) => e.slice(-2))).get(n);
  if (to === undefined && kind === "exports") throw new Error(`the glue uses wasm.${name}, which the wasm does not export`);
  return to ?? n;
}, name);
let glue = fs.readFileSync("target/wbg/chronicle.js", "utf8");
glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (all, name) => `wasm.${rename(name, "exports")}`);
const wasm = new WebAssembly.Module(fs.readFileSync("target/widget/chronicle_bg.wasm"));
const modules = new Set(WebAssembly.Module.imports(wasm).map((i) => i.module));
const [from] = new Set(rounds[0].imports.map((i) => i[0]));
if (modules.size !== 1 || !from) throw new Error(`the wasm imports from ${[...modules]}: one module expected`);
const once = (text, key, to) => {
  const parts = text.split(key);
  if (parts.length !== 2) throw new Error(`the glue has ${key} ${parts.length - 1} times, not once`);
  return parts.join(to);
};
glue = once(glue, `"${from}": import0`, `${JSON.stringify([...modules][0])}: import0`);
for (const [, name] of rounds[0].imports) {
  glue = once(glue, `${name}:`, `${JSON.stringify(rename(name, "imports"))}:`);
}
fs.writeFileSync("target/wbg/chronicle.js", glue);
'
# The loader, with the English of widget/strings.json that it says
# itself (the wasm carries the rest, see build.rs) and the names of the
# other languages (whose files `chronicle widget` writes).
node -e '
const fs = require("fs");
const { en, ...others } = JSON.parse(fs.readFileSync("widget/strings.json", "utf8"));
let loader = fs.readFileSync("widget/loader.js", "utf8");
const own = {};
for (const k of ["loading", "progress", "offline", "unavailable", "partOffline", "partChanged"]) own[k] = en[k];
for (const [slot, value] of [["/*STRINGS*/{}", own], ["/*LANGS*/[]", Object.keys(others)]]) {
  if (!loader.includes(slot)) throw new Error(`loader.js: no ${slot} slot`);
  loader = loader.replace(slot, () => JSON.stringify(value));
}
fs.writeFileSync("target/wbg/loader.js", loader);
'
# The loader is one body (widget/loader.js) for two builds, which differ
# only in the lines around it: how they find their own URL and the
# offline file's reader, and how they hand out the API (see its head).
{
  cat target/wbg/chronicle.js
  echo "(function () { 'use strict';"
  echo "var script = document.currentScript;"
  echo "var base = script && script.src ? new URL('.', script.src).href : document.baseURI;"
  echo "var embed = window.ChronicleEmbedded || null;"
  cat target/wbg/loader.js
  echo "window.Chronicle = api;"
  echo "start();"
  echo "})();"
} > target/wbg/chronicle.full.js
{
  cat target/wbg/chronicle.js
  echo "var script = null;"
  echo "var base = new URL('.', import.meta.url).href;"
  echo "var embed = null;"
  cat target/wbg/loader.js
  echo "export { load, mount, memoryBytes, widgets };"
  echo "export default api;"
} > target/wbg/chronicle.full.mjs
# Compress and mangle locals only: the glue's import names are property
# keys the wasm looks up, and in the classic script `wasm_bindgen` stays
# global (the offline file's reader uses it). Function expressions
# become arrows where that is safe (neither uses `this` or `arguments`,
# and none is a constructor): 50 bytes gzipped.
TERSER="--compress passes=2,unsafe_arrows=true --mangle --ecma 2017"
node_modules/.bin/terser target/wbg/chronicle.full.js $TERSER -o target/widget/chronicle.js
node_modules/.bin/terser target/wbg/chronicle.full.mjs $TERSER --module -o target/widget/chronicle.mjs
# The declarations for TypeScript are written by hand, beside the module.
cp widget/chronicle.d.ts target/widget/chronicle.d.ts
# TypeScript looks for the types of `./chronicle.mjs` in chronicle.d.mts.
cp widget/chronicle.d.ts target/widget/chronicle.d.mts

node widget/minify-css.mjs widget/chronicle.css target/widget/chronicle.css

# widget/dist/ is what the binary carries and what `cargo install` and
# `cargo package` ship: it must be exactly this fresh build. In CI a
# difference fails the build; elsewhere it is refreshed (commit it).
for f in chronicle_bg.wasm chronicle.js chronicle.mjs chronicle.d.ts chronicle.d.mts chronicle.css; do
  if ! cmp -s "target/widget/$f" "widget/dist/$f"; then
    if [ "${CI:-}" = true ]; then
      echo "build.sh: widget/dist/$f differs from a fresh build of the widget: run bash build.sh and commit widget/dist/" >&2
      exit 1
    fi
    cp "target/widget/$f" "widget/dist/$f"
    echo "build.sh: widget/dist/$f refreshed from this build (commit it)"
  fi
done

[ "${1:-}" = "--widget" ] && exit 0

echo "== native CLI (carries widget/)"
cargo build --release --bin chronicle
CHRONICLE=target/release/chronicle

echo "== index"
$CHRONICLE build $INPUTS -o www/events.chron --split www/split

echo "== widget files, written by the binary"
$CHRONICLE widget www

echo "== offline file (the split index: chunks decoded when needed)"
$CHRONICLE bundle www/split -o www/offline.html \
  --title "Chronicle · offline" \
  --attribution "Event text: Wikipedia contributors, Portal:Current events (https://en.wikipedia.org/wiki/Portal:Current_events), CC BY-SA 4.0."

size() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
echo "== sizes (bytes, raw / gzip -9)"
for f in www/chronicle_bg.wasm www/chronicle.js www/chronicle.mjs www/chronicle.css www/events.chron www/offline.html; do
  printf '  %-24s %10s / %10s\n' "$f" "$(size "$f")" "$(gz "$f")"
done
echo
echo "Done. Preview www/ as production serves it (MIME types, gzip, strict CSP):"
echo "  target/release/chronicle serve www      # then http://127.0.0.1:8000/"
echo "The split index (small core, chunks fetched on demand) is at http://127.0.0.1:8000/split/"
echo "or open www/offline.html directly (file://, no server, no network)."
