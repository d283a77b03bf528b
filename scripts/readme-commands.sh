#!/usr/bin/env bash
# The README's fuzzing and picture commands that no other step of the test
# command runs, each as a user types it but bounded (a few seconds where it
# takes a time; the same script and code path), so that none can break
# unseen. A step of scripts/test.sh, after the smoke run, the OSS-Fuzz check
# and the g++ and sanitize builds, whose builds it reuses. Nothing in corpus/
# or docs/ is written: fuzz.sh and fuzz-minimize.sh work on a copy of corpus/
# (FUZZ_CORPUS_DIR), charts.sh draws into build/ (--out).
#
#   bash scripts/readme-commands.sh [SECONDS]   fuzzing seconds per target
#                                               (fuzz.sh) and for minimizing
#                                               (fuzz-minimize.sh); default 3
#
# Each command prints "=== COMMAND", then "=== ok" or "=== FAILED" with its
# wall and CPU seconds (user+sys of the command and its children); a table
# of them closes the run. Exit 0 when every command passed its checks, 1
# otherwise. Which step runs every other README command: docs/TESTING.md,
# "Every README command, and the step that runs it".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$PWD
seconds=${1:-3}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "usage: bash scripts/readme-commands.sh [SECONDS]" >&2; exit 2; }

scratch=$root/build/readme-commands
rm -rf "$scratch"
mkdir -p "$scratch"
cp -r corpus "$scratch/corpus"
export FUZZ_CORPUS_DIR=$scratch/corpus
# corpus/ as it was: no command here may change it.
corpus_sum() { (cd "$root" && find corpus -type f -print0 | sort -z | xargs -0 sha1sum | sha1sum); }
corpus_before=$(corpus_sum)

passed=0
failed=0
rows=()
# run NAME COMMAND...: one README command (NAME, as the README shows it),
# its output in build/readme-commands/N.log (the last lines on failure).
run() {
  local name=$1 log=$scratch/$(( ${#rows[@]} + 1 )).log start=$SECONDS rc times
  shift
  echo
  echo "=== $name   (ran: $*)"
  times=$scratch/times
  # bash's own `time` (user and system seconds of the command and its
  # children): /usr/bin/time is not on a fresh Debian.
  { TIMEFORMAT='%U %S'; time "$@" >"$log" 2>&1; } 2>"$times"
  rc=$?
  local cpu
  cpu=$(awk 'END { printf "%.0f", $1 + $2 }' "$times" 2>/dev/null)
  if [ "$rc" -eq 0 ]; then
    result=ok
  else
    result=FAILED
    tail -n 25 "$log" | sed 's/^/  | /'
  fi
  echo "=== $result (exit $rc, $((SECONDS - start)) s, ${cpu:-?} CPU s; log ${log#"$root"/})"
  last_log=$log
  rows+=("$result"$'\t'"$((SECONDS - start))"$'\t'"${cpu:-?}"$'\t'"$name")
}
# check WHAT CONDITION...: a check on the last command's outcome; a failed
# one turns its row to FAILED.
check() {
  local what=$1
  shift
  if "$@"; then
    echo "    ok: $what"
  else
    echo "    FAILED: $what"
    local last=$(( ${#rows[@]} - 1 ))
    rows[last]=FAILED$'\t'${rows[last]#*$'\t'}
  fi
}
row_ok() { [[ ${rows[-1]} == ok$'\t'* ]]; }
has() { grep -q -- "$1" "$last_log"; }  # has PATTERN: in the last command's output

# 1. bash scripts/fuzz.sh [SECONDS]: the mixed fleet (build/fuzz-fast beside
# the ASan+UBSan build/fuzz), every target, the merge, the summary, the chart.
run "bash scripts/fuzz.sh [SECONDS_PER_TARGET]" bash scripts/fuzz.sh "$seconds"
row_ok && for target in $(cut -f1 build/fuzz/fuzz/fuzz_targets.tsv | grep -v '^#'); do
  check "fuzz.sh: a summary line for $target" grep -q "^$target  *[0-9]" "$last_log"
done
row_ok && check "fuzz.sh: a campaign chart, not empty" test -s build/fuzz-work/campaign.svg
row_ok && check "fuzz.sh: the fast build ran jobs" has "fast (no sanitizer)"

# 2. bash scripts/fuzz.sh --engine afl [SECONDS]: AFL++ on the fuzz-afl
# build (ASan+UBSan). FUZZ_FLEET=asan: every instance on that build, so that
# the fleet's fast build (fuzz-afl-fast, a whole configuration more) is not
# made; it is the libFuzzer run's fast_build above with another preset.
# fuzz.sh itself fails when afl-fuzz never ran a target (fuzz_afl_ran,
# scripts/lib/fuzz-afl.sh); checked again per target with the workflow's
# command.
FUZZ_FLEET=asan run "bash scripts/fuzz.sh --engine afl [SECONDS_PER_TARGET]" \
  bash scripts/fuzz.sh --engine afl "$seconds"
row_ok && for target in $(cut -f1 build/fuzz/fuzz/fuzz_targets.tsv | grep -v '^#'); do
  check "afl: $target executed (scripts/afl-ran.sh)" bash scripts/afl-ran.sh "build/fuzz-work/$target/afl"
done

# 3. bash scripts/replay.sh [PATH...]: the whole corpus (ctest -L corpus in
# build/sanitize), and paths (a directory of each target, a text regression).
run "bash scripts/replay.sh" bash scripts/replay.sh
row_ok && check "replay.sh: the corpus tests ran" has "tests passed"
run "bash scripts/replay.sh PATH..." bash scripts/replay.sh corpus/fuzz_pool_diff corpus/fuzz_ops_text corpus/regressions

# 4. bash scripts/fuzz-minimize.sh CRASH [NAME [WHAT]]: a crash needs a bug,
# so fuzz_pool_diff and its replay driver are built against OffByOneRoom
# (test code, model/testing/; fuzz/CMakeLists.txt) and given the scenario
# that exposes it, as fuzzer bytes under the target's name in the path.
crash_dir=$scratch/crashes/fuzz_pool_diff
mkdir -p "$crash_dir"
broken=$root/build/fuzz/fuzz/fuzz_pool_diff_broken_minimize
poolcheck=$(awk -F'\t' '$1 == "# poolcheck" { print $2 }' build/fuzz/fuzz/fuzz_targets.tsv)
if cmake --build build/fuzz --target fuzz_pool_diff_broken_minimize fuzz_pool_diff_broken_minimize_replay \
  >"$scratch/broken-build.log" 2>&1 &&
  "$poolcheck" convert corpus/scenarios/exact_room_after_256_4095.ops -o "$crash_dir/crash-offbyoneroom"; then
  FUZZ_BINARY=$broken FUZZ_REPLAY=${broken}_replay FUZZ_MINIMIZE_SECONDS=$seconds \
    run "bash scripts/fuzz-minimize.sh CRASH [NAME [WHAT_IT_CAUGHT]]" \
    bash scripts/fuzz-minimize.sh "$crash_dir/crash-offbyoneroom" readme-minimize "OffByOneRoom (model/testing/)"
  kept=$FUZZ_CORPUS_DIR/regressions/readme-minimize.ops
  row_ok && check "fuzz-minimize.sh: kept a regression with its divergence" grep -q '^#   divergence' "$kept"
  row_ok && check "fuzz-minimize.sh: the broken replay driver fails on the kept regression" \
    bash -c '! "$1" --quiet "$2" >/dev/null 2>&1' _ "${broken}_replay" "$kept"
  row_ok && check "fuzz-minimize.sh: poolcheck replay (the real allocator) passes it" \
    "$poolcheck" replay --quiet "$kept"
else
  tail -n 20 "$scratch/broken-build.log"
  rows+=("FAILED"$'\t'0$'\t'?$'\t'"bash scripts/fuzz-minimize.sh (no broken fuzzer or crash input to give it)")
fi

# 5. bash scripts/coverage.sh: the coverage preset (clang, profile
# instrumentation), every replay driver over the corpus, llvm-cov.
run "bash scripts/coverage.sh" bash scripts/coverage.sh
row_ok && check "coverage.sh: the summary line" has "^coverage: lines [0-9.]*%"
row_ok && check "coverage.sh: an HTML report" test -s build/coverage/html/index.html

# 6. bash scripts/charts.sh: every picture, into build/ (charts.sh fails
# when one of its list is missing or empty).
run "bash scripts/charts.sh" bash scripts/charts.sh --out "$scratch/img"

check_corpus() { [ "$(corpus_sum)" = "$corpus_before" ]; }
echo
if check_corpus; then
  echo "corpus/ unchanged"
else
  echo "FAILED: corpus/ was changed by a command above (git status corpus/)"
  failed=$((failed + 1))
fi

echo
printf '%-7s %6s %6s  %s\n' result s "CPU s" "README command"
for row in "${rows[@]}"; do
  IFS=$'\t' read -r result wall cpu name <<<"$row"
  printf '%-7s %6s %6s  %s\n' "$result" "$wall" "$cpu" "$name"
  if [ "$result" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "readme-commands.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
