#!/usr/bin/env bash
# Every test poolcheck has, on a fresh Debian 12 or an already set-up
# machine. Each step runs even when an earlier one failed, so one run shows
# everything; the exit code is non-zero if any step failed. It ends with a
# table of the steps and their times (docs/TESTING.md).
#
#   bash scripts/test.sh           every step, installs included
#   bash scripts/test.sh --quick   the edit-compile loop: the g++ build and its
#                                  unit, property and corpus tests (ctest
#                                  preset quick), no installs
set -uo pipefail
cd "$(dirname "$0")/.."

quick=false
case ${1:-} in
  "") ;;
  --quick) quick=true ;;
  *) echo "usage: bash scripts/test.sh [--quick]" >&2; exit 2 ;;
esac

passed=0
failed=0
failed_steps=()
step_rows=()  # "result<TAB>seconds<TAB>name" per step, for the closing table
step() {  # step NAME COMMAND...
  local name=$1 result
  shift
  echo
  echo "=== $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    result=passed
  else
    failed=$((failed + 1))
    failed_steps+=("$name")
    result=FAILED
  fi
  echo "=== $name: $result ($((SECONDS - start)) s)"
  step_rows+=("$result"$'\t'"$((SECONDS - start))"$'\t'"$name")
}
step_table() {  # the closing table: every step, its result and its time
  echo
  printf '%-7s %6s  %s\n' result s step
  local row
  for row in "${step_rows[@]}"; do
    IFS=$'\t' read -r result seconds name <<<"$row"
    printf '%-7s %6s  %s\n' "$result" "$seconds" "$name"
  done
  printf '%-7s %6s  %s\n' total "$SECONDS" "test.sh${1:+ $1}, from its start"
}

if $quick; then
  step "g++ configure (build/default)" cmake --preset default
  [ "$failed" -eq 0 ] && step "g++ build" cmake --build --preset default
  [ "$failed" -eq 0 ] && step "g++: unit, property and corpus tests" ctest --preset quick
  step_table --quick
  echo "test.sh --quick: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
fi

step "install what is missing (scripts/install-deps.sh)" bash scripts/install-deps.sh
[ "$failed" -eq 0 ] || { step_table; exit 1; }

step "g++: unit, property and corpus tests" cmake --workflow --preset default
# Node v24.22.3 and v26.12.1 from npm (1000 sequences each) and v20.17.0 (the
# from-0-0 edge): model/node/CMakeLists.txt. Measured 116-138 s on a busy 2-core
# machine (90-119 s of CPU), npm downloads included; it also runs the README's
# Node commands with a count of 20.
step "Node v24.22.3, v26.12.1, v20.17.0: allocator = model = real Node" ctest --preset node
# clang's warnings and every test under ASan+UBSan+LSan, in one build (the
# second compiler's own step went into it: docs/TESTING.md, item 10).
# Compiling is about half of it; it leaves out props_export and
# props_divergence_map, which only the Node and pictures tests run, and
# neither runs here.
step "clang++ ASan+UBSan+LSan: warning-free build, every test and the corpus replay" cmake --workflow --preset sanitize
step "libFuzzer smoke run: every fuzz target ~30 s (clang, ASan+UBSan)" bash scripts/fuzz-smoke.sh
step "OSS-Fuzz build check without a container: libFuzzer+ASan, libFuzzer+UBSan, AFL++ with ASan (~2.5 CPU-min; 7 min on a loaded 2-core machine)" \
  ctest --preset oss-fuzz
# The README's commands that no step above runs, each as typed but bounded
# (3 s of fuzzing per target, 3 s of minimizing): fuzz.sh with libFuzzer and
# with AFL++, replay.sh, fuzz-minimize.sh (on a crash of a broken variant of
# fuzz_pool_diff, test code), coverage.sh, charts.sh. It reuses build/fuzz
# (smoke), build/sanitize and build/default; its own builds are fuzz-fast,
# fuzz-afl (AFL++ on one build: FUZZ_FLEET=asan) and coverage. Cost:
# docs/TESTING.md, "Every README command, and the step that runs it".
step "README commands, bounded: fuzz.sh (libFuzzer, AFL++), replay.sh, fuzz-minimize.sh, coverage.sh, charts.sh" \
  bash scripts/readme-commands.sh
# Then the rounds' path itself, once and tiny, with --baseline (HEAD: a
# revision every clone has), so that the pairs, the baseline build, the
# tables and about.json of a real run cannot break unseen.
step "benchmarks build and run once (no timing checked); one tiny round with --baseline" bash -c \
  'bash scripts/bench.sh --smoke && ROUNDS=1 MIN_TIME=0.001 PAIR_TIME=0.01 COOLDOWN=0 bash scripts/bench.sh --baseline HEAD'
# 40 mutants of allocator/ drawn with a fixed seed against the property, unit
# and corpus tests (the fuzzer only for those they leave alive); fails on a
# survivor not listed in scripts/mutation/equivalent.txt (docs/MUTATION.md).
# The `mutation` preset build (-O1, no debug info: half the compile time;
# without the Node and pictures tools) is most of its cost; its probe for
# mutants that do not compile starts from scripts/mutation/stillborn.tsv. A mutant that
# loops costs seconds, not minutes: each test's time limit is scaled from its
# time on the real allocator (scripts/mutation/detectors.py), also in the
# rerun at 3x that a timeout gets before it counts (a timeout is no kill).
step "mutation sample: 40 mutants of allocator/ must die or be listed as equivalent" bash scripts/mutate.sh --ci
# The README's whole campaign (`bash scripts/mutate.sh`, `--sample 60 --seed
# 7`), bounded: the same path, one mutant drawn with seed 7, 5 s per fuzzer,
# the committed data left alone (--no-merge). On top of the sample's build
# it builds the mutation-fuzz preset (fuzz_pool_diff over the schemata).
step "mutation campaign, bounded: mutate.sh --sample 1 --seed 7 --fuzz-seconds 5 --no-merge" \
  bash scripts/mutate.sh --sample 1 --seed 7 --fuzz-seconds 5 --no-merge

step_table
echo
for name in "${failed_steps[@]}"; do echo "failed: $name"; done
bash bench/fast_path/gate_status.sh build/default build/sanitize
echo "test.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
