#!/usr/bin/env bash
# Builds fuzz target TARGET (index, split, offline, query) on the stable
# toolchain and runs it for SECONDS, starting from its seeds (made by
# seeds.sh when missing) and the corpus earlier runs grew. Exits 0 when
# it found nothing, 1 when it saved a crash (panic, abort, memory
# blow-up or timeout) under fuzz/crashes/TARGET/.
#
#   fuzz/run.sh TARGET SECONDS [extra libFuzzer flags...]
#
# Environment:
#   FUZZ_TIMEOUT=10        seconds one input may take (libFuzzer -timeout)
#   CHRONICLE_FUZZ_HEAP_MB=512  live Rust heap one input may hold
#   FUZZ_KEEP_GOING=1      do not stop at the first crash: run in libFuzzer's
#                          fork mode (one worker) and save every crash
#   FUZZ_AS_SHIPPED=1      build without debug assertions and overflow
#                          checks (cargo fuzz build -O), as the release
#                          builds are; by default they are on
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 TARGET SECONDS [libFuzzer flags...]" >&2
  exit 2
fi
target=$1
seconds=$2
shift 2
case $target in
  index | split | offline | query) ;;
  *)
    echo "unknown target '$target' (index, split, offline, query)" >&2
    exit 2
    ;;
esac
fuzz=$(cd "$(dirname "$0")" && pwd)
cd "$fuzz"

[ -d "seeds/$target" ] || ./seeds.sh

# cargo-fuzz with no sanitizer needs no nightly flag. Without cargo-fuzz,
# the same build by hand: the flags are all stable, and --target keeps
# them off build scripts and proc macros.
triple=$(rustc -vV | sed -n 's/^host: //p')
mode=()
[ "${FUZZ_AS_SHIPPED:-0}" = 1 ] && mode=(-O)
if cargo fuzz --version >/dev/null 2>&1; then
  cargo fuzz build -s none "${mode[@]}" "$target"
else
  flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
  flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters"
  flags+=" -Cllvm-args=-sanitizer-coverage-pc-table"
  flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
  flags+=" -Cllvm-args=-simplifycfg-branch-fold-threshold=0"
  flags+=" -Cllvm-args=-sanitizer-coverage-stack-depth -Ccodegen-units=1"
  [ ${#mode[@]} = 0 ] && flags+=" -Cdebug-assertions"
  RUSTFLAGS=$flags cargo build --release --target "$triple" \
    --config 'profile.release.debug="line-tables-only"' --bin "$target"
fi
bin=target/$triple/release/$target

mkdir -p "corpus/$target" "crashes/$target"
stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT
args=(
  "corpus/$target" "seeds/$target"
  -max_total_time="$seconds"
  -timeout="${FUZZ_TIMEOUT:-10}"
  -rss_limit_mb=2048
  -len_control=0
  -artifact_prefix="crashes/$target/"
  -print_final_stats=1
)
# libFuzzer dictionaries: query syntax, or the format's magic and tags.
dict=format
[ "$target" = query ] && dict=query
args+=(-dict="dicts/$dict.dict")
if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
  args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
status=0
"$bin" "${args[@]}" "$@" || status=$?

found=$(find "crashes/$target" -type f -newer "$stamp" | sort)
if [ -n "$found" ]; then
  echo "run.sh: $target saved $(echo "$found" | wc -l) crash input(s):"
  echo "$found" | sed "s|^|  fuzz/|"
  echo "replay one: (cd fuzz && $bin crashes/$target/NAME)"
  exit 1
fi
if [ "$status" != 0 ]; then
  echo "run.sh: libFuzzer exited with $status" >&2
  exit "$status"
fi
echo "run.sh: $target ran ${seconds}s and found nothing"
