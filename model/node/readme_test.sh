#!/usr/bin/env bash
# readme_test.sh: runs every command line of the README's section "Checking
# the model against real Node.js" (bash, node and build/default/model/poolcheck
# lines, among them poolcheck record and whatif; and the mutants.py lines, below) the way a
# user types it (from the
# repository root, with no POOLCHECK* variables), in a bounded form, and fails
# unless each exits 0. Bounded: the commands that take a count get a small one
# (the same code path, fewer sequences; BOUND below); every other line runs as
# typed. The full counts run in the other tests of `ctest --preset node`
# (node_compare_*: ci_compare.js with 1000 sequences on each pinned release).
#   bash model/node/readme_test.sh [ROOT]      (README_TEST_COUNT=N: default 20)
# CTest: node_readme_commands (label readme, in `ctest --preset node`).
set -u
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
cd "$root" || exit 2
count=${README_TEST_COUNT:-20}
# How each README command that takes a count is bounded: the script, and the
# arguments inserted right after it.
declare -A BOUND=(
  [scripts/node/ci-compare.sh]="$count"
  [scripts/node/survey.sh]="-n $count"
)
section=$(awk '/^## Checking the model against real Node.js/ { on = 1; next } /^## / { on = 0 } on' README.md)
mapfile -t commands < <(printf '%s\n' "$section" | sed -n 's/^    \(\(bash\|node\|build\/default\/model\/poolcheck\) .*\)$/\1/p')
[ ${#commands[@]} -gt 0 ] || { echo "readme_test: no commands found in the README's Node section"; exit 1; }
passed=0
failed=0
for typed in "${commands[@]}"; do
  read -r runner script rest <<<"$typed"
  command=$typed
  if [ -n "${BOUND[$script]+set}" ]; then command="$runner $script ${BOUND[$script]}${rest:+ $rest}"; fi
  if [ "$command" = "$typed" ]; then echo "=== $typed"; else echo "=== $typed   (bounded: $command)"; fi
  start=$SECONDS
  if env -u POOLCHECK -u POOLCHECK_EXPORT bash -c "$command"; then
    passed=$((passed + 1))
    echo "=== ok ($((SECONDS - start)) s)"
  else
    rc=$?
    failed=$((failed + 1))
    echo "=== FAILED (exit $rc, $((SECONDS - start)) s)"
  fi
done
# README lines of other sections that no other step of the test command runs
# and that cost nothing to run: mutants.py list and diff ID, with ID the first
# mutant's id (pure Python on allocator/, 2-3 s).
mapfile -t others < <(sed -n 's/^    \(python3 scripts\/mutation\/mutants.py [a-z]*\( ID\)\{0,1\}\) .*$/\1/p' README.md)
[ ${#others[@]} -eq 2 ] || { echo "readme_test: expected mutants.py list and diff ID in the README, found: ${others[*]}"; failed=$((failed + 1)); }
first_id=$(python3 scripts/mutation/mutants.py list | awk -F'\t' 'NR == 1 { print $2 }')
for typed in "${others[@]}"; do
  command=${typed/% ID/ $first_id}
  echo "=== $typed   (ran: $command)"
  if out=$(bash -c "$command" 2>&1) && [ -n "$out" ]; then
    passed=$((passed + 1))
    echo "=== ok ($(printf '%s\n' "$out" | wc -l) lines)"
  else
    failed=$((failed + 1))
    printf '%s\n' "$out" | tail -5
    echo "=== FAILED"
  fi
done
echo "readme_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
