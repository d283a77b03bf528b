#!/usr/bin/env bash
# The fuzz figures of docs/ADAPTERS.md: every fuzz_adapter_NAME target of
# the fuzz preset (model/adapter/CMakeLists.txt), each from an empty corpus
# for at most SECONDS (default 30), one process. Prints a Markdown table:
# for a wrong allocator, how long until the first crash and the crashing
# input's length and check; for a built-in adapter, executions per second
# and whether anything was found.
#   bash model/adapter/fuzz_adapters.sh [SECONDS] [NAME...]
# Build first: cmake --preset fuzz && cmake --build build/fuzz --target fuzz_adapter_NAME...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-30}
shift || true
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=(node_pool glibc pmr_unsync_pool pmr_sync_pool pmr_monotonic wrong_double_hand_out wrong_rounds_down
         wrong_alignment_up_to_16 wrong_realloc_loses_the_tail wrong_leaks_on_failure wrong_coalesces_live)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| target | seconds run | executions | exec/s | found | crashing input (bytes) | check |"
echo "| --- | ---: | ---: | ---: | --- | ---: | --- |"
for name in "${names[@]}"; do
  binary=$root/build/fuzz/model/adapter/fuzz_adapter_$name
  if [ ! -x "$binary" ]; then
    echo "$binary: not built (cmake --build build/fuzz --target fuzz_adapter_$name)" >&2
    exit 2
  fi
  mkdir -p "$work/$name/corpus"
  start=$(date +%s.%N)
  set +e
  (cd "$work/$name" && "$binary" -max_total_time="$seconds" -max_len=256 -seed=1 -print_final_stats=1 \
     -artifact_prefix="$work/$name/" corpus > log 2>&1)
  set -e
  end=$(date +%s.%N)
  log=$work/$name/log
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  [ -n "$runs" ] || runs=$( (grep -o '#[0-9]*' "$log" || true) | tail -1 | tr -d '#')
  elapsed=$(echo "$end - $start" | bc)
  rate=$(echo "scale=0; ${runs:-0} / $elapsed" | bc)
  crash=$( (ls "$work/$name"/crash-* 2>/dev/null || true) | head -1)
  if [ -n "$crash" ]; then
    check=$( (grep -o '# divergence ([a-z ]*)' "$log" || true) | head -1 | sed 's/# divergence (\(.*\))/\1/')
    [ -n "$check" ] || check="sanitizer: $( (grep -o -E 'runtime error: [^:]*|ERROR: [A-Za-z]+: [a-zA-Z-]+' "$log" || true) | head -1)"
    printf '| `fuzz_adapter_%s` | %.1f | %s | %s | crash | %s | %s |\n' "$name" "$elapsed" "${runs:-?}" "$rate" \
      "$(stat -c %s "$crash")" "$check"
  else
    printf '| `fuzz_adapter_%s` | %.1f | %s | %s | nothing | | |\n' "$name" "$elapsed" "${runs:-?}" "$rate"
  fi
done
