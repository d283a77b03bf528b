#!/usr/bin/env bash
# The mutation campaign (docs/MUTATION.md): mutants generated from
# allocator/, all compiled into one build per detector (the `mutation` and
# `mutation-fuzz` presets), each run against the property and unit tests,
# the corpus replay, and fuzz_pool_diff from an empty corpus and from
# corpus/fuzz_pool_diff.
#
#   bash scripts/mutate.sh                      every mutant; writes docs/MUTATION.md
#   bash scripts/mutate.sh --sample N [--seed S]  N mutants drawn with seed S (default 1);
#                                               writes build/mutation/MUTATION-sample.md
#   bash scripts/mutate.sh --ci                 a fixed sample (a step of scripts/test.sh): stops at
#                                               the first detector that kills each mutant, and
#                                               fails if one that is not listed as equivalent
#                                               survives
# Options: --jobs J (mutants at a time, default 2), --fuzz-seconds T (default 60).
# Exit: 0 every mutant killed or listed as equivalent, 1 a survivor, 2 bad
# usage or a build that failed.
set -euo pipefail
cd "$(dirname "$0")/.."

# The CI sample: size and seed are fixed so that every run draws the same
# mutants; about 1 to 5 s per mutant once built.
ci_sample=40
ci_seed=20241201

campaign=()
report=docs/MUTATION.md
command="bash scripts/mutate.sh"
while [ $# -gt 0 ]; do
  case $1 in
    --sample | --seed | --jobs | --fuzz-seconds)
      [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] || { echo "mutate.sh: $1 needs a number" >&2; exit 2; }
      campaign+=("$1" "$2")
      command+=" $1 $2"
      [ "$1" = --sample ] && report=build/mutation/MUTATION-sample.md
      shift 2 ;;
    --ci)
      campaign+=(--sample "$ci_sample" --seed "$ci_seed" --check)
      command+=" --ci"
      report=
      shift ;;
    -h | --help)
      sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
      exit 0 ;;
    *)
      echo "mutate.sh: unknown argument $1 (try --help)" >&2
      exit 2 ;;
  esac
done

bash scripts/install-deps.sh >&2 || exit 2

# Builds a preset; when the compiler rejects a mutant that the syntax probe
# let through, that mutant is left out (stillborn) and the build retried.
build() {
  local preset=$1 log=build/mutate-$1.log
  mkdir -p build
  cmake --preset "$preset" >"$log" 2>&1 || { cat "$log" >&2; echo "mutate.sh: cmake --preset $preset failed" >&2; exit 2; }
  for _ in 1 2 3 4 5; do
    if cmake --build --preset "$preset" >>"$log" 2>&1; then
      return 0
    fi
    python3 scripts/mutation/mutants.py drop build/mutation-schemata "$log" >&2 || break
  done
  tail -n 40 "$log" >&2
  echo "mutate.sh: cmake --build --preset $preset failed; the log is $log" >&2
  exit 2
}

start=$SECONDS
if [ -z "$report" ]; then
  # The CI sample: the property, unit and corpus tests kill nearly every
  # mutant, so the fuzzer is built and run only for those they leave alive.
  echo "mutate.sh: building the mutation preset (build/mutation)" >&2
  build mutation
  echo "mutate.sh: built in $((SECONDS - start)) s" >&2
  survivors=build/mutation/ci-survivors.txt
  python3 scripts/mutation/campaign.py "${campaign[@]}" --detectors props,corpus --survivors "$survivors" \
    --command "$command" && exit 0
  [ -s "$survivors" ] || exit 1
  echo "mutate.sh: survivors of the tests go to the fuzzer: $(cat "$survivors")" >&2
  build mutation-fuzz
  read -r -a left <"$survivors"
  exec python3 scripts/mutation/campaign.py --check --only "${left[@]}" --command "$command"
fi
echo "mutate.sh: building the mutation presets (build/mutation, build/mutation-fuzz)" >&2
build mutation
build mutation-fuzz
echo "mutate.sh: built in $((SECONDS - start)) s" >&2
python3 scripts/mutation/campaign.py "${campaign[@]}" --report "$report" --command "$command"
