#!/usr/bin/env bash
# CI's short real fuzzing run: every target for FUZZ_SMOKE_SECONDS (default
# 30) on one core, starting from its corpus. Fails on any crash, leak or
# timeout; corpus/ is not written. Skipped (exit 0) where clang++ is missing.
set -uo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"

seconds=${FUZZ_SMOKE_SECONDS:-30}
fuzz_install_deps
if ! fuzz_have_clang; then
  echo "fuzz-smoke: skipped, no clang++"
  exit 0
fi
fuzz_build_fuzzers

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
for target in "${fuzz_all_targets[@]}"; do
  mapfile -t options < <(fuzz_options "$target")
  mkdir -p "$tmp/$target/corpus" "$tmp/$target/crashes"
  fuzz_extra_seeds "$target" "$tmp/$target/seeds"
  log=$tmp/$target/fuzz.log
  if "$fuzz_build_dir/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$tmp/$target/crashes/" "${options[@]}" \
      "$tmp/$target/corpus" "$fuzz_root/corpus/$target" "$tmp/$target/seeds" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $target: $(awk '$1 == "stat::number_of_executed_units:" { print $2 }' "$log") execs in ${seconds}s"
  else
    failed=$((failed + 1))
    echo "FAIL $target; the end of its log:"
    tail -n 60 "$log" | sed 's/^/  | /'
    for crash in "$tmp/$target/crashes"/*; do
      [ -f "$crash" ] || continue
      mkdir -p "$fuzz_work_dir/$target/crashes"
      cp "$crash" "$fuzz_work_dir/$target/crashes/"
      echo "  kept as build/fuzz-work/$target/crashes/$(basename "$crash"): scripts/replay.sh that file"
    done
  fi
done
echo "fuzz-smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
