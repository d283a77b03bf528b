#!/usr/bin/env bash
# Builds the benchmark suite (bench/, preset `bench`) and runs it.
#
#   scripts/bench.sh          every benchmark in its own process, ROUNDS rounds
#                             taken in turn; writes build/bench/table.md (median,
#                             min and max over the rounds) and prints it
#   scripts/bench.sh --smoke  for CI: every benchmark once with a tiny minimum
#                             time, and the table built from that; fails when a
#                             benchmark crashes or reports an error, never on
#                             timings
#
# Environment: ROUNDS (default 5), MIN_TIME (seconds per run, default 0.2).
# Why one process per run: each allocator starts from a fresh heap, so the
# memory counters of glibc, mimalloc and jemalloc are the workload's own; and
# rounds in turn spread the load of other jobs over every allocator instead of
# letting it hit one.
set -euo pipefail

usage() { sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; }

mode=full
case "${1:-}" in
  "") ;;
  --smoke) mode=smoke ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
rounds=${ROUNDS:-5}
min_time=${MIN_TIME:-0.2}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
cmake --preset bench >/dev/null
cmake --build --preset bench

bin=build/bench/bench
binaries=(poolcheck_bench poolcheck_bench_mimalloc poolcheck_bench_jemalloc poolcheck_bench_harness)

# Google Benchmark reports a SkipWithError in the JSON and still exits 0.
check_errors() {
  if grep -q '"error_occurred": true' "$@"; then
    echo "bench: a benchmark reported an error:" >&2
    grep -h -B2 '"error_message"' "$@" >&2 || true
    exit 1
  fi
}

if [ "$mode" = smoke ]; then
  out=build/bench/smoke
  rm -rf "$out" && mkdir -p "$out"
  for b in "${binaries[@]}"; do
    echo "bench --smoke: $b"
    # Three repetitions and JSON on stdout too: the aggregate rows must be
    # valid JSON in both outputs (bench/check_json.js).
    "$bin/$b" --benchmark_min_time=0.0001 --benchmark_repetitions=3 --benchmark_format=json \
      --benchmark_out="$out/$b.json" --benchmark_out_format=json >"$out/$b.stdout.json" 2>"$out/$b.log" ||
      { cat "$out/$b.log" >&2; exit 1; }
  done
  check_errors "$out"/*.json
  node bench/check_json.js "$out"/*.json
  samples=()
  for b in "${binaries[@]}"; do samples+=("$out/$b.json"); done
  node bench/table.js --command "scripts/bench.sh --smoke" "${samples[@]}" >"$out/table.md"
  echo "bench --smoke: every benchmark ran; table (timings meaningless) in $out/table.md"
  exit 0
fi

out=build/bench/runs
rm -rf "$out" && mkdir -p "$out"
declare -a runs=()
for b in "${binaries[@]}"; do
  while read -r name; do runs+=("$b $name"); done < <("$bin/$b" --benchmark_list_tests)
done
load_before=$(cut -d' ' -f1 /proc/loadavg)
for ((round = 1; round <= rounds; ++round)); do
  for run in "${runs[@]}"; do
    b=${run%% *}
    name=${run#* }
    printf 'bench: round %d/%d %s\n' "$round" "$rounds" "$name"
    "$bin/$b" --benchmark_filter="^${name}\$" --benchmark_min_time="$min_time" \
      --benchmark_out="$out/$round-${name//\//_}.json" --benchmark_out_format=json >/dev/null
  done
done
load_after=$(cut -d' ' -f1 /proc/loadavg)
check_errors "$out"/*.json

model=$(lscpu | awk -F': *' '/^Model name/ { print $2; exit }')
memory=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release && echo "$PRETTY_NAME")
command="scripts/bench.sh"
[ -n "${ROUNDS:-}" ] && command="ROUNDS=$ROUNDS $command"
[ -n "${MIN_TIME:-}" ] && command="MIN_TIME=$MIN_TIME $command"
node bench/table.js \
  --machine "$model, $(nproc) cores, $memory, $os, Linux $(uname -r)" \
  --date "$(date -u '+%Y-%m-%d %H:%M UTC')" \
  --command "$command" \
  --note "Each sample in its own process; the $rounds rounds ran one after the other, every benchmark once per round" \
  --note "Load average (1 min) $load_before at the start, $load_after at the end, on $(nproc) cores (above $(nproc), other jobs competed for the cores: expect noise, and read the min as the least disturbed run)" \
  "$out"/*.json >build/bench/table.md
cat build/bench/table.md
echo "bench: table in build/bench/table.md"
