#!/usr/bin/env bash
# Runs every test: native unit/integration/doc tests, the widget's browser
# tests (wasm-bindgen-test in headless Chromium), then builds www/ and runs
# the end-to-end tests (playwright-core + Debian chromium, loopback HTTP
# server and file://). Installs what is missing first (setup.sh --deps).
set -eu
cd "$(dirname "$0")"
bash setup.sh --deps

echo "== native tests"
cargo test

echo "== browser tests (wasm)"
cargo test --target wasm32-unknown-unknown --no-default-features --test web

echo "== build www/"
bash build.sh

echo "== end-to-end tests"
node --test tests/e2e/
