#!/usr/bin/env bash
# The mutation campaign (docs/MUTATION.md): mutants generated from
# allocator/, all compiled into one build per detector (the `mutation` and
# `mutation-fuzz` presets), each run against the property and unit tests,
# the corpus replay, the global heap failure test, and fuzz_pool_diff from
# an empty corpus and from corpus/fuzz_pool_diff.
#
#   bash scripts/mutate.sh                        every mutant (about 70 min of a 2-core machine)
#   bash scripts/mutate.sh --only N...            the mutants numbered N (mutants.py list)
#   bash scripts/mutate.sh --sample N [--seed S]  N mutants drawn with seed S (default 1)
#   bash scripts/mutate.sh --ci                   the CI sample (a step of scripts/test.sh): 40 mutants
#                                                 not listed as equivalent, each stopped at the first
#                                                 detector that kills it, and 3 listed equivalents
#                                                 that must survive props, corpus and heap
#   bash scripts/mutate.sh --ci --merge           the same, and its results merged into the data
#   bash scripts/mutate.sh --report               docs/MUTATION.md from the committed data; runs nothing
#   --no-merge (with a campaign: whole, --only, --sample)  leave the committed data and docs/MUTATION.md
#                                                 as they are (a try; the test command's bounded run)
# Options: --jobs J (mutants at a time, default 2), --fuzz-seconds T (default 60).
#
# The data: every run merges its results into docs/mutation/results.jsonl
# (one line per mutant: each detector's outcome, time, first failing test
# and check, or the first compiler error of a stillborn mutant) and
# docs/mutation/runs.jsonl (date, commit, command, nproc, machine, load);
# a rerun replaces the results of the detectors it ran and keeps the rest.
# docs/MUTATION.md is then regenerated from the data alone (--ci leaves
# both alone unless --merge is given). Outcomes: killed; timed out only (a timeout is rerun
# with every limit three times as long first, and counted apart from the
# kills); equivalent (listed in scripts/mutation/equivalent.txt with the
# line's code; a stale entry is an error); survived (no detector sees it:
# a missing detector); stillborn (does not compile alone); not switchable
# (the plain edit compiles, the single-mutant schema does not); not run.
# Exit: 0 every mutant run killed or listed as equivalent (--ci: and every
# promised mutant ran, and every re-checked equivalent survived), 1
# otherwise, 2 bad usage or a build that failed.
set -euo pipefail
cd "$(dirname "$0")/.."

# The CI sample: size and seed are fixed so that every run draws the same
# mutants; about 1 to 5 s per mutant once built.
ci_sample=40
ci_equivalents=3
ci_seed=20241201

campaign=()
mode=full
merge=0
no_merge=0
command="bash scripts/mutate.sh"
while [ $# -gt 0 ]; do
  case $1 in
    --sample | --seed | --jobs | --fuzz-seconds)
      [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] || { echo "mutate.sh: $1 needs a number" >&2; exit 2; }
      campaign+=("$1" "$2")
      command+=" $1 $2"
      shift 2 ;;
    --only)
      shift
      only=()
      while [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; do only+=("$1"); shift; done
      [ ${#only[@]} -gt 0 ] || { echo "mutate.sh: --only needs mutant numbers" >&2; exit 2; }
      campaign+=(--only "${only[@]}")
      command+=" --only ${only[*]}" ;;
    --ci)
      mode=ci
      command+=" --ci"
      shift ;;
    --report)
      mode=report
      shift ;;
    --merge)
      merge=1
      shift ;;
    --no-merge)
      no_merge=1
      shift ;;
    -h | --help)
      sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'
      exit 0 ;;
    *)
      echo "mutate.sh: unknown argument $1 (try --help)" >&2
      exit 2 ;;
  esac
done

if [ "$mode" = report ]; then
  exec python3 scripts/mutation/report.py
fi

bash scripts/install-deps.sh >&2 || exit 2

# Builds a preset; when the compiler rejects a mutant that the probe let
# through, the mutants its errors point at are compiled alone, those that do
# not compile alone are left out (stillborn), and the build is retried.
build() {
  local preset=$1 log=build/mutate-$1.log
  mkdir -p build
  cmake --preset "$preset" >"$log" 2>&1 || { cat "$log" >&2; echo "mutate.sh: cmake --preset $preset failed" >&2; exit 2; }
  for _ in 1 2 3 4 5; do
    if cmake --build --preset "$preset" >>"$log" 2>&1; then
      return 0
    fi
    python3 scripts/mutation/mutants.py drop build/mutation-schemata "$log" \
      --compile-commands "build/$preset/compile_commands.json" >&2 || break
  done
  tail -n 40 "$log" >&2
  echo "mutate.sh: cmake --build --preset $preset failed; the log is $log" >&2
  exit 2
}

start=$SECONDS
if [ "$mode" = ci ]; then
  # The property, unit, corpus and heap tests kill nearly every mutant, so
  # the fuzzer is built and run only for those they leave alive.
  echo "mutate.sh: building the mutation preset (build/mutation)" >&2
  build mutation
  echo "mutate.sh: built in $((SECONDS - start)) s" >&2
  survivors=build/mutation/ci-survivors.txt
  rm -f "$survivors"
  status=0
  keep=(--no-merge)
  [ "$merge" -eq 1 ] && keep=()
  python3 scripts/mutation/campaign.py --check --sample "$ci_sample" --equivalents "$ci_equivalents" \
    --seed "$ci_seed" --detectors props,corpus,heap --survivors "$survivors" --command "$command" \
    "${keep[@]}" || status=$?
  [ "$status" -eq 3 ] || exit "$status"  # 3: its only failure is survivors
  echo "mutate.sh: survivors of the tests go to the fuzzer: $(cat "$survivors")" >&2
  build mutation-fuzz
  read -r -a left <"$survivors"
  exec python3 scripts/mutation/campaign.py --check --only "${left[@]}" --detectors fuzz_corpus,fuzz_empty \
    --command "$command (fuzzers for the survivors)" "${keep[@]}"
fi
echo "mutate.sh: building the mutation presets (build/mutation, build/mutation-fuzz)" >&2
build mutation
build mutation-fuzz
echo "mutate.sh: built in $((SECONDS - start)) s" >&2
status=0
if [ "$no_merge" -eq 1 ]; then
  python3 scripts/mutation/campaign.py "${campaign[@]}" --command "$command" --no-merge || status=$?
  exit "$status"
fi
python3 scripts/mutation/campaign.py "${campaign[@]}" --command "$command" || status=$?
python3 scripts/mutation/report.py || status=2
exit "$status"
