#!/usr/bin/env bash
# Replays fuzz inputs without a fuzzing engine: the replay drivers built with
# clang++, ASan and UBSan, no engine (targets of the `sanitize` preset).
#
#   scripts/replay.sh                          the whole corpus: `ctest -L corpus`
#                                              in build/sanitize (corpus/<target>/
#                                              of each target, plus scenarios and
#                                              regressions as text ops)
#   scripts/replay.sh [--target T] PATH...     crash files or directories; the
#                                              target comes from the path
#                                              (corpus/fuzz_X/, build/fuzz-work/
#                                              fuzz_X/) unless given; *.ops and
#                                              anything else go to fuzz_pool_diff;
#                                              fuzz_adapter_NAME: poolcheck replay
#                                              --allocator NAME
# Exit: 0 all passed, 1 a check failed, 2 a build, usage or input problem.
set -uo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"

target=
paths=()
while [ $# -gt 0 ]; do
  case $1 in
    --target) target=${2:-}; shift 2 || fuzz_die "--target needs a name" ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) fuzz_die "unknown option $1" ;;
    *) paths+=("$1"); shift ;;
  esac
done
fuzz_install_deps
fuzz_build_replay
[ -z "$target" ] || fuzz_is_target "$target" || fuzz_die "unknown target $target (${fuzz_all_targets[*]})"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
run() {  # run TARGET ARGS...: one replay driver; keeps the worst exit code
  local target=$1 driver=${fuzz_replay[$1]} code
  shift
  "$driver" "$@"
  code=$?
  [ "$code" -gt "$status" ] && status=$code
  # A failure of an allocator target: draw model and allocator side by side.
  if [ "$code" = 1 ] && [ "$target" != fuzz_ops_text ] && [[ $target != fuzz_adapter_* ]]; then
    "$fuzz_poolcheck" replay --quiet --map "$fuzz_root/build/maps" "$@" | grep '^map: ' || true
  fi
  return 0
}

if [ ${#paths[@]} -eq 0 ]; then
  # The whole corpus is the ctest label `corpus` (defined in CMake once).
  (cd "$fuzz_root" && ctest --preset sanitize -L corpus) ||
    { echo "replay.sh: the FAIL lines above name the files; scripts/replay.sh FILE draws each one's map"; exit 1; }
elif [ -n "$target" ]; then
  run "$target" "${paths[@]}"
else
  for path in "${paths[@]}"; do run "$(fuzz_target_of "$path")" "$path"; done
fi
exit "$status"
