#!/usr/bin/env bash
# Groups the crash inputs of a target by what they hit: a panic's
# location and message (numbers in it as N), a memory blow-up, an abort or
# a timeout, each with the first frame in the chronicle package that led
# there. Prints per group its count, its first input and the cause;
# with --prune, deletes every input but the first of each group.
#
#   fuzz/triage.sh TARGET [--prune]   (after fuzz/run.sh TARGET built it)
set -eu
target=${1:?usage: $0 TARGET [--prune]}
prune=${2:-}
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
cd "$fuzz"
triple=$(rustc -vV | sed -n 's/^host: //p')
bin=target/$triple/release/$target
[ -x "$bin" ] || { echo "build it first: fuzz/run.sh $target 0" >&2; exit 2; }
for f in crashes/"$target"/*; do
  [ -f "$f" ] || continue
  out=$(RUST_BACKTRACE=1 timeout 120 "$bin" -timeout=60 "$f" 2>&1 || true)
  cause=$(printf '%s\n' "$out" | awk -v src="$root/src/" '
    !what && /panicked at/ {
      sub(/.*panicked at /, ""); sub(/:$/, ""); sub(/.*\/registry\/src\/[^\/]+\//, ""); loc = $0
      getline; msg = $0; gsub(/[0-9]+/, "N", msg)
      what = "panic at " loc ": " msg
    }
    !what && /==chronicle-fuzz== memory blow-up/ { what = "memory blow-up (live heap over the limit)" }
    !what && /memory allocation of .* failed/ { what = "allocation failure" }
    !what && /ERROR: libFuzzer: timeout/ { what = "timeout" }
    !what && /ERROR: libFuzzer: out-of-memory/ { what = "out of memory (RSS)" }
    !what && /ERROR: libFuzzer: deadly signal/ { what = "deadly signal" }
    what && !via && index($0, "at " src) { via = $0; sub(/.*at /, "", via); sub(src, "src/", via) }
    END { if (what) print what (via ? ", via " via : "") }
  ')
  printf '%s\t%s\n' "${cause:-no crash on replay}" "$f"
done | sort >"$fuzz/crashes/.triage-$target"
awk -F'\t' '
  { n[$1]++; if (!($1 in first)) first[$1] = $2 }
  END { for (c in n) printf "%5d  %s\n       %s\n", n[c], first[c], c }' \
  "$fuzz/crashes/.triage-$target"
if [ "$prune" = --prune ]; then
  awk -F'\t' 'seen[$1]++ { print $2 }' "$fuzz/crashes/.triage-$target" |
    while read -r f; do rm -f -- "$f"; done
fi
rm -f "$fuzz/crashes/.triage-$target"
