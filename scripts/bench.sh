#!/usr/bin/env bash
# Builds the benchmark suite (bench/, preset `bench`) and runs it.
#
#   scripts/bench.sh          ROUNDS rounds; in each, for every workload,
#                             poolcheck and each of mimalloc and glibc run as
#                             a pair of adjacent processes (A B, then B A in
#                             the next round), poolcheck and bump interleaved
#                             in one process (slices of rounds, the median of
#                             the per-slice ratios), the other allocators
#                             and the harness once. Writes build/bench/table.md
#                             (ns/op median, min, max over all samples; the
#                             per-round ratios poolcheck/other, their median
#                             and spread; the load per core beside each
#                             figure; CPU) and build/bench/ratios.json, and
#                             prints the table. A target is "met" or not only
#                             when the load average per core stayed <= 0.5
#                             in its rounds (build/bench/runs/loads.tsv)
#   scripts/bench.sh --baseline REV
#                             the same, and in every round the same pairs
#                             (poolcheck against mimalloc, glibc and bump)
#                             again with allocator/ as it was at git
#                             revision REV (built into build/bench-baseline):
#                             two allocators timed by one method on one
#                             machine in the same minutes. Its run goes to
#                             build/bench/runs-baseline and its ratios into
#                             the table beside this tree's
#   scripts/bench.sh --smoke  for CI: every benchmark with a tiny minimum time
#                             and 3 repetitions, the JSON outputs checked
#                             (bench/check_json.js) and the table built; fails
#                             when a benchmark crashes, reports an error or
#                             writes invalid JSON, or when the load rule's
#                             test (bench/load_test.js) fails; never on timings
#
# Environment: ROUNDS (default 7), MIN_TIME (seconds per run, default 0.2),
# PAIR_TIME (seconds per interleaved process, default 1), COOLDOWN (the
# longest pause before a round, default 90 s: below).
# Why pairs of processes: each allocator starts from a fresh heap (glibc,
# mimalloc and jemalloc are process-wide), and the load of other jobs, which
# drifts over seconds, hits both members of a pair about equally, so their
# ratio moves far less than either time (docs/BENCHMARKS.md, "Method"). The
# bump floor shares poolcheck's process instead: its time moved most between
# processes, and slices a few hundred microseconds apart see the same machine
# (docs/BENCHMARKS.md, "Interleaved pairs").
set -euo pipefail

usage() { sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; }

mode=full
baseline=
case "${1:-}" in
  "") ;;
  --smoke) mode=smoke ;;
  --baseline)
    baseline=${2:-}
    [ -n "$baseline" ] && [ $# -eq 2 ] || { usage >&2; exit 2; } ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
[ -n "$baseline" ] || [ $# -le 1 ] || { usage >&2; exit 2; }
rounds=${ROUNDS:-7}
min_time=${MIN_TIME:-0.2}
pair_time=${PAIR_TIME:-1}
cooldown=${COOLDOWN:-90}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
cmake --preset bench >/dev/null
cmake --build --preset bench

bin=build/bench/bench
base_bin=build/bench-baseline/bench
if [ -n "$baseline" ]; then
  # allocator/ at REV, found before the tree's own (bench/CMakeLists.txt,
  # POOLCHECK_BENCH_ALLOCATOR_DIR); bench/ is this tree's, so both allocators
  # run the same workloads, loops and method.
  command -v git >/dev/null || { echo "bench: --baseline needs git (bash scripts/install-deps.sh installs it)" >&2; exit 2; }
  revision=$(git rev-parse --verify --quiet "$baseline^{commit}") ||
    { echo "bench: --baseline $baseline: not a git revision of $root" >&2; exit 2; }
  base_src=$root/build/bench-baseline/src
  rm -rf "$base_src" && mkdir -p "$base_src"
  git archive "$revision" allocator | tar -x -C "$base_src" ||
    { echo "bench: --baseline $baseline: could not export allocator/ at $revision" >&2; exit 2; }
  cmake --preset bench -B build/bench-baseline -DPOOLCHECK_BENCH_ALLOCATOR_DIR="$base_src" >/dev/null
  cmake --build build/bench-baseline --target poolcheck_bench
fi
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
  # The load rule of the tables (bench/load.js) on a fake run and fake loads.
  node bench/load_test.js >"$out/load_test.log" 2>&1 || { cat "$out/load_test.log" >&2; exit 1; }
  echo "bench --smoke: $(tail -n 1 "$out/load_test.log")"
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
base_out=build/bench/runs-baseline
rm -rf "$out" "$base_out" && mkdir -p "$out"
[ -z "$baseline" ] || mkdir -p "$base_out"
binary_of() {  # ALLOCATOR [BINARIES] -> the binary that has it (poolcheck's from BINARIES)
  case $1 in
    mimalloc) echo "$bin/poolcheck_bench_mimalloc" ;;
    jemalloc) echo "$bin/poolcheck_bench_jemalloc" ;;
    *) echo "${2:-$bin}/poolcheck_bench" ;;
  esac
}
run() {  # PATH BINARY BENCHMARK [MIN_TIME]: one sample, in a process of its own
  "$2" --benchmark_filter="^$3\$" --benchmark_min_time="${4:-$min_time}" \
    --benchmark_out="$1" --benchmark_out_format=json >/dev/null 2>"$1.log"
}
# The pairs of one workload and round: poolcheck (from the binaries in BIN)
# against each compared allocator in adjacent processes, and against bump
# interleaved in one process.
pairs() {  # DIR BIN ROUND WORKLOAD
  local dir=$1 from=$2 round=$3 w=$4 other a pair
  for other in "${compared[@]}"; do
    pair=(poolcheck "$other")
    ((round % 2)) || pair=("$other" poolcheck)
    for a in "${pair[@]}"; do run "$dir/${round}_${w}_vs-${other}_$a.json" "$(binary_of "$a" "$from")" "BM_$w/$a"; done
  done
  for other in "${interleaved[@]}"; do
    run "$dir/${round}_${w}_pair-${other}.json" "$(binary_of poolcheck "$from")" "BM_$w/pair_$other" "$pair_time"
  done
}
workloads=(fixed64 random4k node_stream from_string)
compared=(mimalloc glibc)  # adjacent processes
interleaved=(bump)         # BM_<workload>/pair_<other> in poolcheck_bench (bench/measure.h)
alone=(bump jemalloc pmr_pool pmr_monotonic)
mapfile -t harness < <("$bin/poolcheck_bench_harness" --benchmark_list_tests)
# The 1-minute load average at the start and the end of every round
# (bench/load.js reads it): a timing target is judged only when the load per
# core stayed at most 0.5 through the rounds its figure comes from.
loadavg() { cut -d' ' -f1 /proc/loadavg; }
printf '# scripts/bench.sh: 1-minute load average at the start and the end of each round\ncores\t%s\n' "$(nproc)" \
  >"$out/loads.tsv"
# Before each round, a pause (at most COOLDOWN seconds) until the load
# average is at most a quarter per core: the bench keeps one core busy, and
# that alone lifts a 1-minute average toward 1, which is 0.5 per core on two
# cores, the rule's limit; after the pause the figures show the machine's
# other work and this round's own rise, not the rounds before it.
settle() {
  local waited=0
  while awk -v l="$(loadavg)" -v c="$(nproc)" 'BEGIN { exit !(l > c / 4) }' && ((waited < cooldown)); do
    sleep 5
    waited=$((waited + 5))
  done
}
for ((round = 1; round <= rounds; ++round)); do
  settle
  start_load=$(loadavg)
  printf 'bench: round %d/%d (load %s on %d cores)\n' "$round" "$rounds" "$start_load" "$(nproc)"
  for w in "${workloads[@]}"; do
    pairs "$out" "$bin" "$round" "$w"
    [ -z "$baseline" ] || pairs "$base_out" "$base_bin" "$round" "$w"
    for a in "${alone[@]}"; do run "$out/${round}_${w}_alone_$a.json" "$(binary_of "$a")" "BM_$w/$a"; done
  done
  for name in "${harness[@]}"; do run "$out/${round}_harness_${name//\//_}.json" "$bin/poolcheck_bench_harness" "$name"; done
  printf 'round\t%d\t%s\t%s\n' "$round" "$start_load" "$(loadavg)" >>"$out/loads.tsv"
done
check_errors "$out"/*.json
[ -z "$baseline" ] || { check_errors "$base_out"/*.json; cp "$out/loads.tsv" "$base_out/loads.tsv"; }

load_range=$(awk -F'\t' '$1 == "round" { print $3; print $4 }' "$out/loads.tsv" | sort -g |
  awk '{ v[NR] = $1 } END { printf "%s to %s (median %s)", v[1], v[NR], v[int((NR + 1) / 2)] }')
model=$(lscpu | awk -F': *' '/^Model name/ { print $2; exit }')
memory=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release && echo "$PRETTY_NAME")
command="scripts/bench.sh"
[ -n "${ROUNDS:-}" ] && command="ROUNDS=$ROUNDS $command"
[ -n "${MIN_TIME:-}" ] && command="MIN_TIME=$MIN_TIME $command"
[ -n "${PAIR_TIME:-}" ] && command="PAIR_TIME=$PAIR_TIME $command"
[ -n "${COOLDOWN:-}" ] && command="COOLDOWN=$COOLDOWN $command"
[ -n "$baseline" ] && command="$command --baseline $baseline"
node bench/ratios.js --json "$out" >build/bench/ratios.json
# What the run was, beside its samples: `node bench/publish.js pack` keeps it
# with them when a run is published (docs/bench/, the README's table).
toolchain="g++ $(g++ -dumpfullversion) -O3; glibc $(ldd --version | awk 'NR == 1 { print $NF }'), mimalloc $(dpkg-query -W -f='${Version}' libmimalloc2.0 2>/dev/null | cut -d- -f1)"
# about DIR ALLOCATOR: what the run in DIR was; ALLOCATOR says whose
# allocator/ it timed (publish.js labels a run's column with it).
about() {
  node -e 'const [machine, date, command, toolchain, rounds, cores, load_range, allocator] = process.argv.slice(1);
    console.log(JSON.stringify({ machine, date, command, toolchain, rounds: +rounds, cores: +cores, load_range, allocator }));' \
    "$model, $(nproc) cores, $memory, $os, Linux $(uname -r)" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$command" \
    "$toolchain" "$rounds" "$(nproc)" "$load_range" "$2" >"$1/about.json"
}
if head=$(git rev-parse --short HEAD 2>/dev/null); then
  git diff --quiet HEAD -- allocator || head="$head with changes"
  about "$out" "allocator/ at $head"
else
  about "$out" "allocator/ of this tree (not a git clone)"
fi
[ -z "$baseline" ] || about "$base_out" "allocator/ at $(git rev-parse --short "$revision") (--baseline $baseline)"
{
  node bench/table.js \
    --machine "$model, $(nproc) cores, $memory, $os, Linux $(uname -r)" \
    --date "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    --command "$command" \
    --note "$rounds rounds, every sample in its own process; poolcheck runs once per pair of adjacent processes, so ${#compared[@]} samples per round (the interleaved processes are bench/ratios.js's, below)" \
    --note "Load average (1 min) at the start and the end of each round: $load_range, on $(nproc) cores; a timing target is judged only at 0.5 per core or less" \
    --loads "$out/loads.tsv" "$out"/*.json
  echo
  echo "poolcheck's CPU time per op divided by the other's, per round (adjacent processes, or interleaved in one process where said below), median and (min–max) over $rounds rounds:"
  echo
  node bench/ratios.js "$out"
  if [ -n "$baseline" ]; then
    echo
    echo "The same pairs in the same rounds with allocator/ at $baseline ($base_out):"
    echo
    node bench/ratios.js "$base_out"
  fi
} >build/bench/table.md
cat build/bench/table.md
echo "bench: table in build/bench/table.md, ratios in build/bench/ratios.json"
echo "bench: to publish this run as the README's table: node bench/publish.js pack $out -o docs/bench/run.jsonl," \
  "then replace the README's bench-table block with: node bench/publish.js readme docs/bench/run.jsonl"
[ -z "$baseline" ] || echo "bench: the baseline's run: node bench/publish.js pack $base_out -o docs/bench/FILE.jsonl," \
  "and name it after docs/bench/run.jsonl in the readme command to set its ratios beside this run's"
