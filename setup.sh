#!/usr/bin/env bash
# Sets up a fresh Debian machine and builds the demo:
#   bash setup.sh            install what is missing, then run build.sh
#   bash setup.sh --deps     only install what is missing
# Installs: Debian chromium + chromium-driver (browser tests), the wasm32
# target, wasm-bindgen-cli at the exact version in Cargo.lock, and the npm
# packages of package-lock.json (playwright-core, binaryen, terser,
# minisearch, pagefind). Needs root for apt-get (or sudo).
set -eu
cd "$(dirname "$0")"

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "== apt: chromium chromium-driver"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium chromium-driver
fi

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  echo "== rustup: wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

WBG=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
if ! { command -v wasm-bindgen >/dev/null 2>&1 && wasm-bindgen --version | grep -q " $WBG\$"; }; then
  echo "== cargo install wasm-bindgen-cli $WBG (a few minutes, once)"
  # Not --locked: its lockfile pins a crate version this registry lacks.
  cargo install wasm-bindgen-cli --version "$WBG"
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/terser ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" != "--deps" ]; then
  bash build.sh
fi
