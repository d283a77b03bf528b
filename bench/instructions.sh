#!/usr/bin/env bash
# Instructions per buffer of the timed loops, counted by callgrind in the
# benchmark binary itself (no clock: the count is the same on a loaded
# machine as on an idle one). For each workload and allocator, runs
# BM_<workload>/<allocator> twice with a fixed number of iterations
# (POOLCHECK_BENCH_ITERATIONS, bench/measure.h), collecting only inside
# run_timed, and prints the difference divided by the extra buffers: the
# process start, the memory probe, the warm-up and the counters cancel out.
#
#   bench/instructions.sh [--cache] [BINARY] [ALLOCATOR...]
#       --cache     also simulate the caches (callgrind --cache-sim=yes) and
#                   print the first-level data misses (read, write) and the
#                   last-level write misses per buffer after the instructions
#       BINARY      default build/bench/bench/poolcheck_bench (cmake --build --preset bench)
#       ALLOCATOR   default: poolcheck bump
#
# Prints "workload allocator instructions-per-buffer" (with --cache: then
# "D1-read-misses D1-write-misses LL-write-misses", per buffer). Needs
# valgrind (scripts/install-deps.sh installs it).
set -euo pipefail

cache=
if [ "${1:-}" = --cache ]; then cache=yes; shift; fi
binary=${1:-build/bench/bench/poolcheck_bench}
shift || true
allocators=("$@")
[ ${#allocators[@]} -gt 0 ] || allocators=(poolcheck bump)
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is not installed (bash scripts/install-deps.sh)" >&2; exit 2; }
[ -x "$binary" ] || { echo "instructions.sh: $binary: no such binary (cmake --build --preset bench)" >&2; exit 2; }

few=10 many=50
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# instructions WORKLOAD ALLOCATOR ITERATIONS -> the counts inside run_timed
# (Ir, then with --cache D1mr D1mw DLmw) and the buffers per iteration (the
# benchmark's `ops` counter)
instructions() {
  POOLCHECK_BENCH_ITERATIONS=$3 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    --cache-sim="${cache:-no}" --collect-atstart=no --toggle-collect='*run_timed<*' \
    "$binary" --benchmark_filter="^BM_$1/$2/" --benchmark_format=json >"$tmp/out.json" 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; exit 1; }
  ops=$(node -e 'const b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).benchmarks;
    if (b.length !== 1 || !(b[0].ops > 0)) process.exit(1); console.log(b[0].ops)' "$tmp/out.json") ||
    { echo "instructions.sh: $binary has no BM_$1/$2 with an ops counter" >&2; exit 2; }
  # "Events : Ir ..." names the columns of "Collected : N ...".
  echo "$(awk -v cache="$cache" '
    /Events *:/ { for (i = 4; i <= NF; i++) column[$i] = i }
    /Collected *:/ {
      line = $column["Ir"]
      if (cache) line = line " " $column["D1mr"] " " $column["D1mw"] " " $column["DLmw"]
      print line
    }' "$tmp/err") $ops"
}

for w in fixed64 random4k node_stream from_string; do
  for a in "${allocators[@]}"; do
    read -r -a low < <(instructions "$w" "$a" "$few")
    read -r -a high < <(instructions "$w" "$a" "$many")
    ops=${low[-1]}
    awk -v w="$w" -v a="$a" -v low="${low[*]}" -v high="${high[*]}" -v buffers="$(((many - few) * ops))" \
      'BEGIN { n = split(low, l); split(high, h); line = w " " a
               for (i = 1; i < n; i++) line = line sprintf(" %.2f", (h[i] - l[i]) / buffers)
               print line }'
  done
done
