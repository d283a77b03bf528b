#!/usr/bin/env bash
# Instructions per buffer of the timed loops, counted by callgrind in the
# benchmark binary itself (no clock: the count is the same on a loaded
# machine as on an idle one). For each workload and allocator, runs
# BM_<workload>/<allocator> twice with a fixed number of iterations
# (POOLCHECK_BENCH_ITERATIONS, bench/measure.h), collecting only inside
# run_timed, and prints the difference divided by the extra buffers: the
# process start, the memory probe, the warm-up and the counters cancel out.
#
#   bench/instructions.sh [BINARY] [ALLOCATOR...]
#       BINARY      default build/bench/bench/poolcheck_bench (cmake --build --preset bench)
#       ALLOCATOR   default: poolcheck bump
#
# Prints "workload allocator instructions-per-buffer". Needs valgrind
# (scripts/install-deps.sh installs it).
set -euo pipefail

binary=${1:-build/bench/bench/poolcheck_bench}
shift || true
allocators=("$@")
[ ${#allocators[@]} -gt 0 ] || allocators=(poolcheck bump)
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is not installed (bash scripts/install-deps.sh)" >&2; exit 2; }
[ -x "$binary" ] || { echo "instructions.sh: $binary: no such binary (cmake --build --preset bench)" >&2; exit 2; }

few=10 many=50
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# instructions WORKLOAD ALLOCATOR ITERATIONS -> the count inside run_timed
# and the buffers per iteration (the benchmark's `ops` counter)
instructions() {
  POOLCHECK_BENCH_ITERATIONS=$3 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    --collect-atstart=no --toggle-collect='*run_timed<*' \
    "$binary" --benchmark_filter="^BM_$1/$2/" --benchmark_format=json >"$tmp/out.json" 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; exit 1; }
  ops=$(node -e 'const b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).benchmarks;
    if (b.length !== 1 || !(b[0].ops > 0)) process.exit(1); console.log(b[0].ops)' "$tmp/out.json") ||
    { echo "instructions.sh: $binary has no BM_$1/$2 with an ops counter" >&2; exit 2; }
  echo "$(awk '/Collected :/ { print $NF }' "$tmp/err") $ops"
}

for w in fixed64 random4k node_stream from_string; do
  for a in "${allocators[@]}"; do
    read -r low ops < <(instructions "$w" "$a" "$few")
    read -r high _ < <(instructions "$w" "$a" "$many")
    awk -v w="$w" -v a="$a" -v low="$low" -v high="$high" -v buffers="$(((many - few) * ops))" \
      'BEGIN { printf "%s %s %.2f\n", w, a, (high - low) / buffers }'
  done
done
