#!/usr/bin/env bash
# The fuzz figures of docs/ADAPTERS.md: every fuzz_adapter_NAME target of
# the fuzz preset (model/adapter/CMakeLists.txt), each from an empty corpus
# for at most SECONDS (default 30), one process. Prints a Markdown table:
# for a wrong allocator, how long until the first crash and the crashing
# input's length and check; for a built-in adapter, executions per second
# and whether anything was found.
#   bash model/adapter/fuzz_adapters.sh [SECONDS] [NAME...]
# NAMEs default to the built-in adapters (the build's
# model/adapter/fuzz_adapter_targets.tsv), then every wrong_* target built.
# FORMAT=tsv prints the data docs/ADAPTERS.md's built-in table is made from
# (model/adapter/adapter_table_main.cc): a `# run:` line (the command, the
# date, the load average before and after), then per target its name,
# seconds, executions, exec/s, crash|nothing, input bytes and check.
# Build first: cmake --preset fuzz && cmake --build build/fuzz --target fuzz_adapter_NAME...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-30}
shift || true
names=("$@")
format=${FORMAT:-markdown}
if [ ${#names[@]} -eq 0 ]; then
  while IFS=$'\t' read -r target _; do
    [[ $target == \#* ]] || names+=("${target#fuzz_adapter_}")
  done <"$root/build/fuzz/model/adapter/fuzz_adapter_targets.tsv"
  for binary in "$root"/build/fuzz/model/adapter/fuzz_adapter_wrong_*; do
    [ -x "$binary" ] && names+=("${binary##*/fuzz_adapter_}")
  done
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
load() { cut -d' ' -f1 /proc/loadavg; }
load_before=$(load)
rows=()
if [ "$format" = markdown ]; then
  echo "| target | seconds run | executions | exec/s | found | crashing input (bytes) | check |"
  echo "| --- | ---: | ---: | ---: | --- | ---: | --- |"
fi
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
    found=crash bytes=$(stat -c %s "$crash")
  else
    found=nothing bytes= check=
  fi
  if [ "$format" = tsv ]; then
    rows+=("$(printf 'fuzz_adapter_%s\t%.1f\t%s\t%s\t%s\t%s\t%s' "$name" "$elapsed" "${runs:-?}" "$rate" "$found" \
      "$bytes" "$check")")
  else
    printf '| `fuzz_adapter_%s` | %.1f | %s | %s | %s | %s | %s |\n' "$name" "$elapsed" "${runs:-?}" "$rate" "$found" \
      "$bytes" "$check"
  fi
done
if [ "$format" = tsv ]; then
  echo "# run: \`FORMAT=tsv bash model/adapter/fuzz_adapters.sh $seconds${*:+ $*}\`, $(date -u '+%Y-%m-%d %H:%M UTC'), libFuzzer of clang $(clang++ --version | sed -n 's/.*clang version \([0-9.]*\).*/\1/p') with ASan+UBSan, seed 1, one process per target, on $(nproc) cores with a load average of $load_before before and $(load) after (exec/s depends on it)"
  printf '%s\n' "${rows[@]}"
fi
