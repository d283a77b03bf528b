#!/usr/bin/env bash
# Where the test command's time goes, from what the builds and ctest already
# record (docs/TESTING.md prints this script's output):
#   - compile: every translation unit's duration from <build>/.ninja_log (the
#     last build of each object file), the top N over all the build
#     directories given, with each one's share of its build's total compile
#     time, and per build the sum of all its compiles;
#   - test: every test's average run time from ctest's cost data
#     (<build>/Testing/Temporary/CTestCostData.txt), the top N.
# Durations are wall times of single compiler or test processes: on a loaded
# machine they grow with the load, so compare shares, not seconds, between
# runs made at different loads.
#
#   scripts/compile-times.sh [-n N] BUILD_DIR...    (default N 15; default
#       build directories: every build/<preset> that has a .ninja_log)
set -euo pipefail
cd "$(dirname "$0")/.."

top=15
if [ "${1:-}" = -n ]; then
  [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "compile-times.sh: -n needs a positive number" >&2; exit 2; }
  top=$2
  shift 2
fi
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  for log in build/*/.ninja_log; do [ -f "$log" ] && dirs+=("${log%/.ninja_log}"); done
fi
[ ${#dirs[@]} -gt 0 ] || { echo "compile-times.sh: no build directory with a .ninja_log (build one first)" >&2; exit 2; }
for dir in "${dirs[@]}"; do
  [ -f "$dir/.ninja_log" ] || { echo "compile-times.sh: $dir/.ninja_log: no such file" >&2; exit 2; }
done

# One line per translation unit: build, seconds, source (from the object
# path: <folder>/CMakeFiles/<target>.dir/<file>.o, target kept).
units() {
  local dir
  for dir in "${dirs[@]}"; do
    awk -v build="$(basename "$dir")" '
      NR > 1 && $4 ~ /\.o$/ { ms[$4] = $2 - $1 }
      END {
        for (o in ms) {
          source = o
          sub(/\.o$/, "", source)
          target = source
          sub(/^.*CMakeFiles\//, "", target)
          sub(/\.dir\/.*$/, "", target)
          sub(/CMakeFiles\/[^\/]*\.dir\//, "", source)
          printf "%s\t%.1f\t%s (%s)\n", build, ms[o] / 1000, source, target
        }
      }' "$dir/.ninja_log"
  done
}

all=$(units)
echo "Compile: the $top longest translation units (.ninja_log)"
echo
echo "| build | translation unit (target) | s | share of its build |"
echo "|---|---|---:|---:|"
awk -F'\t' '{ total[$1] += $2; line[NR] = $0; b[NR] = $1; s[NR] = $2 }
  END { for (i = 1; i <= NR; i++) printf "%s\t%.0f%%\n", line[i], total[b[i]] ? 100 * s[i] / total[b[i]] : 0 }' <<<"$all" |
  sort -t$'\t' -k2,2 -gr | awk -F'\t' -v top="$top" 'NR <= top { printf "| %s | %s | %s | %s |\n", $1, $3, $2, $4 }'
echo
echo "| build | translation units | sum of compile s |"
echo "|---|---:|---:|"
awk -F'\t' '{ n[$1]++; total[$1] += $2 } END { for (b in n) printf "| %s | %d | %.0f |\n", b, n[b], total[b] }' <<<"$all" | sort

tests=""
for dir in "${dirs[@]}"; do
  cost=$dir/Testing/Temporary/CTestCostData.txt
  [ -f "$cost" ] || continue
  # name runs average-seconds [failures...], up to the "---" line.
  tests+=$(awk -v build="$(basename "$dir")" '/^---/ { exit } NF >= 3 { printf "%s\t%.1f\t%s\n", build, $3, $1 }' "$cost")$'\n'
done
if [ -n "$tests" ]; then
  echo
  echo "Test: the $top longest tests (ctest's CTestCostData.txt, average s per run)"
  echo
  echo "| build | test | s |"
  echo "|---|---|---:|"
  grep . <<<"$tests" | sort -t$'\t' -k2,2 -gr | awk -F'\t' -v top="$top" 'NR <= top { printf "| %s | %s | %s |\n", $1, $3, $2 }'
fi
