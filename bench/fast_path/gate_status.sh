#!/usr/bin/env bash
# One line saying where the fast-path gate (ctest fast_path_gate) ran and
# where it did not: its golden counts are for g++ 12 on x86-64 without
# sanitizers or coverage, and bench/fast_path/CMakeLists.txt leaves the test
# out of any other build, writing why to BUILD_DIR/fast_path_gate.status.
#
#   bench/fast_path/gate_status.sh BUILD_DIR...
#
# Prints e.g. "fast-path gate: run in default; not run in sanitize (Clang
# 14.0.6 on x86_64 with address,undefined)", or
# "fast-path gate: NOT RUN in any build (...)" on a machine where it exists
# nowhere. Exit 0 either way (it reports; the gate itself is the check), 2 on
# usage.
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: bench/fast_path/gate_status.sh BUILD_DIR..." >&2; exit 2; }
ran=()
not_ran=()
for dir in "$@"; do
  name=$(basename "$dir")
  if [ ! -f "$dir/fast_path_gate.status" ]; then
    not_ran+=("$name (no $dir/fast_path_gate.status: not configured, or built without tests)")
    continue
  fi
  IFS=$'\t' read -r state build <"$dir/fast_path_gate.status"
  if [ "$state" = run ]; then ran+=("$name"); else not_ran+=("$name ($build)"); fi
done
join() {  # join WORDS...: "a, b, c"
  local out=$1
  shift
  for word in "$@"; do out+=", $word"; done
  echo "$out"
}
if [ ${#ran[@]} -eq 0 ]; then
  echo "fast-path gate: NOT RUN in any build: $(join "${not_ran[@]}"); it needs g++ 12 on x86-64 (docs/BENCHMARKS.md)"
elif [ ${#not_ran[@]} -eq 0 ]; then
  echo "fast-path gate: run in $(join "${ran[@]}")"
else
  echo "fast-path gate: run in $(join "${ran[@]}"); not run in $(join "${not_ran[@]}")"
fi
