#!/usr/bin/env bash
# Replays fuzz inputs without a fuzzing engine: the replay drivers built with
# g++, ASan and UBSan (build/fuzz-gcc), so no clang is needed.
#
#   scripts/replay.sh                          the whole corpus: corpus/<target>/
#                                              of each target, plus scenarios and
#                                              regressions (text ops)
#   scripts/replay.sh [--target T] PATH...     crash files or directories; the
#                                              target comes from the path
#                                              (corpus/fuzz_X/, build/fuzz-work/
#                                              fuzz_X/) unless given; *.ops and
#                                              anything else go to fuzz_pool_diff
# Exit: 0 all passed, 1 a check failed, 2 a build, usage or input problem.
set -uo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"

target=
paths=()
while [ $# -gt 0 ]; do
  case $1 in
    --target) target=${2:-}; shift 2 || fuzz_die "--target needs a name" ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) fuzz_die "unknown option $1" ;;
    *) paths+=("$1"); shift ;;
  esac
done
[ -z "$target" ] || fuzz_is_target "$target" || fuzz_die "unknown target $target (${fuzz_all_targets[*]})"

fuzz_install_deps
fuzz_build_replay
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
run() {  # run TARGET ARGS...: one replay driver; keeps the worst exit code
  local target=$1 driver=$fuzz_gcc_dir/fuzz/$1_replay code
  shift
  "$driver" "$@"
  code=$?
  [ "$code" -gt "$status" ] && status=$code
  # A failure of an allocator target: draw model and allocator side by side.
  if [ "$code" = 1 ] && [ "$target" != fuzz_ops_text ]; then
    "$fuzz_gcc_dir/model/poolcheck" replay --quiet --map "$fuzz_root/build/maps" "$@" | grep '^map: ' || true
  fi
  return 0
}

if [ ${#paths[@]} -eq 0 ]; then
  for t in "${fuzz_all_targets[@]}"; do
    run "$t" --quiet "$fuzz_root/corpus/$t" "$fuzz_root/corpus/scenarios" "$fuzz_root/corpus/regressions"
  done
elif [ -n "$target" ]; then
  run "$target" "${paths[@]}"
else
  for path in "${paths[@]}"; do run "$(fuzz_target_of "$path")" "$path"; done
fi
exit "$status"
