#!/usr/bin/env bash
# How fast fuzz_pool_diff runs, in the terms of issue 21: libFuzzer's exec/s
# of one process at -max_len=256 from a warm corpus (a fresh copy of
# corpus/fuzz_pool_diff for every run), on the fast build the mixed fleet's
# fast jobs run (build/fuzz-fast: no sanitizer) and on the ASan+UBSan build
# (build/fuzz); and, since an input may stand for up to 4096 ops, the ops
# behind it: the corpus a run ended with, each input run once by the same
# binary, gives plain ops per CPU second and ops per input (`poolcheck
# convert` counts them). Prints a Markdown table with the load average.
#
#   bash scripts/fuzz-speed.sh [SECONDS [ROUNDS]]   default 20 s, 3 rounds
#
# Each figure is the median of ROUNDS runs (min–max), the builds alternating.
# A speed is only worth reading on an idle machine (load per core < 0.5).
set -euo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"

seconds=${1:-20}
rounds=${2:-3}
[[ $seconds =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ && $# -le 2 ]] ||
  fuzz_die "usage: bash scripts/fuzz-speed.sh [SECONDS [ROUNDS]]"
target=fuzz_pool_diff

fuzz_install_deps
fuzz_build fuzz "$target" fuzz_dictionaries poolcheck
poolcheck=$(awk -F'\t' '$1 == "# poolcheck" { print $2 }' "$fuzz_root/build/fuzz/fuzz/fuzz_targets.tsv")
fast=$fuzz_root/build/fuzz-fast
if [ ! -f "$fast/CMakeCache.txt" ]; then
  (cd "$fuzz_root" && cmake --preset fuzz -B "$fast" -DPOOLCHECK_SANITIZERS=) >"$fuzz_root/build/fuzz-fast-build.log" 2>&1 ||
    fuzz_die "configuring build/fuzz-fast failed (build/fuzz-fast-build.log)"
fi
cmake --build "$fast" --target "$target" fuzz_dictionaries >>"$fuzz_root/build/fuzz-fast-build.log" 2>&1 ||
  fuzz_die "building build/fuzz-fast failed (build/fuzz-fast-build.log)"

work=$fuzz_root/build/fuzz-speed
rm -rf "$work" && mkdir -p "$work"
loadavg() { cut -d' ' -f1 /proc/loadavg; }
median_range() {  # numbers on stdin -> "median (min–max)"
  sort -g | awk '{ v[NR] = $1 } END { printf "%.0f (%.0f–%.0f)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
loads=()
for build in fast asan; do : >"$work/$build.execs" && : >"$work/$build.ops"; done
for ((round = 1; round <= rounds; ++round)); do
  for build in fast asan; do
    dir=$fast
    [ "$build" = fast ] || dir=$fuzz_root/build/fuzz
    binary=$dir/fuzz/$target
    corpus=$work/corpus-$build-$round
    cp -r "$fuzz_root/corpus/$target" "$corpus"
    loads+=("$(loadavg)")
    "$binary" -max_len=256 -max_total_time="$seconds" -seed="$round" -dict="$dir/fuzz/fuzz_binary_ops.dict" \
      -print_final_stats=1 "$corpus" >"$work/$build-$round.log" 2>&1 ||
      fuzz_die "$build run $round stopped (a crash? $work/$build-$round.log)"
    loads+=("$(loadavg)")
    awk '/^stat::number_of_executed_units:/ { n = $2 } END { print n / '"$seconds"' }' "$work/$build-$round.log" \
      >>"$work/$build.execs"
    # The ops behind the inputs: the corpus it ended with, each input once.
    ops=0
    for f in "$corpus"/*; do
      ops=$((ops + $("$poolcheck" convert "$f" | grep -cv '^#' || true)))
    done
    inputs=$(fuzz_count_files "$corpus")
    { TIMEFORMAT='%U %S'; time "$binary" "$corpus"/* >/dev/null 2>&1; } 2>"$work/time"
    awk -v ops="$ops" -v inputs="$inputs" '{ cpu = $1 + $2 } END { print ops / cpu, ops / inputs }' "$work/time" \
      >>"$work/$build.ops"
  done
done

echo "| build of $target | exec/s (-max_len=256, warm corpus, ${seconds} s) | plain ops per CPU s (its final corpus, once) | ops per input |"
echo "| --- | ---: | ---: | ---: |"
for build in fast asan; do
  label="fast: no sanitizer (build/fuzz-fast)"
  [ "$build" = fast ] || label="ASan+UBSan (build/fuzz)"
  echo "| $label | $(median_range <"$work/$build.execs") | $(cut -d' ' -f1 "$work/$build.ops" | median_range) |" \
    "$(cut -d' ' -f2 "$work/$build.ops" | median_range) |"
done
echo
printf 'Median of %d rounds (min–max); load average (1 min) %s, on %d cores; %s.\n' "$rounds" \
  "$(printf '%s\n' "${loads[@]}" | sort -g | awk '{ v[NR] = $1 } END { printf "%s to %s", v[1], v[NR] }')" \
  "$(nproc)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
