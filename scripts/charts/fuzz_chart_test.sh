#!/usr/bin/env bash
# fuzz_chart.js draws one run, the one scripts/fuzz.sh summarized: on the
# committed campaign in testdata/fuzz-work/ (two targets' libFuzzer logs,
# each with the fuzz-run.txt fuzz.sh writes, and in fuzz_pool_diff/afl/ the
# plot_data an earlier AFL++ run left there), the chart must count only the
# logs the fuzz-run.txt files list and give their edges and inputs in the
# legend. Fails when stale logs are mixed in, or when the legend's numbers
# are not the summary's. Run by model/tool/pictures_test.sh (ctest
# pictures_render).
#
#   bash scripts/charts/fuzz_chart_test.sh [CHART.js]   default: fuzz_chart.js beside this file
set -u
here=$(cd "$(dirname "$0")" && pwd)
chart=${1:-$here/fuzz_chart.js}
data=$here/testdata/fuzz-work
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }
field() { awk -F'\t' -v key="$2" '$1 == key { print $2 }' "$1"; }  # field FILE KEY

# check NAME DIR: the chart of DIR against the fuzz-run.txt files in it.
check() {
  local name=$1 dir=$2 runs run logs=0 target
  runs=$(find "$dir" -maxdepth 2 -name fuzz-run.txt | sort)
  for run in $runs; do logs=$((logs + $(field "$run" log | wc -l))); done
  if ! node "$chart" -o "$tmp/$name.svg" "$dir" >"$tmp/out" 2>&1; then
    fail "$name: fuzz_chart.js failed"; sed 's/^/  | /' "$tmp/out"; return
  fi
  if grep -q ">$logs job logs;" "$tmp/$name.svg"; then ok "$name: $logs job logs, as fuzz-run.txt lists"; else
    fail "$name: want '$logs job logs' (fuzz-run.txt), the chart says: $(grep -o '[0-9]* job logs' "$tmp/$name.svg")"
  fi
  local series
  series=$(grep -c 'class="series"' "$tmp/$name.svg")
  if [ "$series" -eq $((2 * logs)) ]; then ok "$name: $series lines (2 panels x $logs logs)"; else
    fail "$name: $series lines drawn, want $((2 * logs)) (2 panels x $logs logs)"
  fi
  for run in $runs; do
    target=$(field "$run" target)
    local want="$target: $(field "$run" edges) edges, $(field "$run" inputs) inputs in corpus/"
    if grep -qF ">$want<" "$tmp/$name.svg"; then ok "$name: legend '$want'"; else
      fail "$name: legend wants '$want' (the summary's), the chart says: $(grep -o "$target: [^<]*" "$tmp/$name.svg")"
    fi
  done
}
check all "$data"
check one "$data/fuzz_pool_diff"

# A directory without fuzz-run.txt, and one whose log is gone: FILE:LINE, exit 2.
expect() {  # expect NAME TEXT DIR
  node "$chart" -o "$tmp/x.svg" "$3" >"$tmp/out" 2>&1
  local code=$?
  if [ "$code" = 2 ] && grep -qF -- "$2" "$tmp/out"; then ok "$1"; else
    fail "$1: exit $code (want 2), wanted '$2' in:"; sed 's/^/  | /' "$tmp/out"
  fi
}
mkdir -p "$tmp/bare/fuzz_x" && cp "$data/fuzz_pool_diff/fuzz-0.log" "$tmp/bare/fuzz_x/"
expect no-run-file "no fuzz-run.txt" "$tmp/bare"
cp "$data/fuzz_pool_diff/fuzz-run.txt" "$tmp/bare/fuzz_x/" && printf 'log\tfuzz-1.log\n' >>"$tmp/bare/fuzz_x/fuzz-run.txt"
expect missing-log "$tmp/bare/fuzz_x/fuzz-run.txt:7: fuzz-1.log: no such log" "$tmp/bare"

echo "fuzz_chart_test: $failures failed"
[ "$failures" -eq 0 ]
