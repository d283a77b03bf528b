#!/usr/bin/env bash
# The main job: build the libFuzzer targets and fuzz each of them for a
# bounded time on all cores, merge what is new into corpus/, and summarize.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      default 60 (three targets: 3 min)
#
# Environment: FUZZ_TARGETS (default: all three), FUZZ_JOBS (default: nproc),
# FUZZ_REMINIMIZE=1 (rewrite each corpus/<target>/ as the smallest set with
# the same coverage instead of only adding to it), FUZZ_SKIP_BUILD=1.
# Exit: 0 no crash, 1 a target crashed (each crash is listed with its replay
# and minimize commands), 2 a build or usage problem.
set -euo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"

seconds=${1:-${FUZZ_SECONDS:-60}}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || fuzz_die "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]"
jobs=${FUZZ_JOBS:-$(nproc)}
read -r -a targets <<<"${FUZZ_TARGETS:-${fuzz_all_targets[*]}}"
for target in "${targets[@]}"; do fuzz_is_target "$target" || fuzz_die "unknown target $target"; done

[ "${FUZZ_SKIP_BUILD:-0}" = 1 ] || { fuzz_install_deps; fuzz_build_fuzzers; }

# Sums one number over libFuzzer's final stats of every job log.
sum_stat() {  # sum_stat NAME LOG...
  local name=$1
  shift
  cat "$@" 2>/dev/null | awk -v name="stat::$name:" '$1 == name { sum += $2 } END { print sum + 0 }'
}

summary=()
crashes=()
for target in "${targets[@]}"; do
  binary=$fuzz_build_dir/fuzz/$target
  corpus=$fuzz_root/corpus/$target
  work=$fuzz_work_dir/$target
  mapfile -t options < <(fuzz_options "$target")
  mkdir -p "$corpus" "$work/crashes"
  rm -rf "$work/corpus" "$work"/fuzz-*.log
  cp -r "$corpus" "$work/corpus"
  fuzz_extra_seeds "$target" "$work/seeds"
  before=$(fuzz_count_files "$work/crashes")

  # -jobs keeps every core busy for the whole time (-fork restarts short
  # child runs, which cost more than they fuzz at this speed); each job adds
  # what it finds to the shared working corpus.
  fuzz_log "$target: $jobs jobs x ${seconds}s (logs in ${work#"$fuzz_root"/})"
  (cd "$work" && "$binary" -jobs="$jobs" -workers="$jobs" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/crashes/" "${options[@]}" "$work/corpus" "$work/seeds" >"$work/fuzz.log" 2>&1) || true

  execs=$(sum_stat number_of_executed_units "$work"/fuzz-*.log)
  rate=$(sum_stat average_exec_per_sec "$work"/fuzz-*.log)

  # Only inputs that reach new edges go back into corpus/ (-merge=1, edges
  # only: hit counts would keep hundreds of near-duplicates); with
  # FUZZ_REMINIMIZE=1 the corpus becomes the smallest set with all the edges.
  before_names=$(ls "$corpus")
  if [ "${FUZZ_REMINIMIZE:-0}" = 1 ]; then
    rm -rf "$work/minimized" && mkdir -p "$work/minimized"
    "$binary" -merge=1 -use_counters=0 "${options[@]}" "$work/minimized" "$corpus" "$work/corpus" >"$work/merge.log" 2>&1 ||
      fuzz_die "$target: merge failed, see ${work#"$fuzz_root"/}/merge.log"
    rm -f "$corpus"/* && cp -r "$work/minimized/." "$corpus/"
  else
    "$binary" -merge=1 -use_counters=0 "${options[@]}" "$corpus" "$work/corpus" >"$work/merge.log" 2>&1 ||
      fuzz_die "$target: merge failed, see ${work#"$fuzz_root"/}/merge.log"
  fi
  added=$(comm -13 <(echo "$before_names" | sort) <(ls "$corpus" | sort) | grep -c . || true)

  # Coverage of what corpus/ now holds: edges and features as libFuzzer counts.
  "$binary" -runs=0 "${options[@]}" "$corpus" >"$work/coverage.log" 2>&1 || true
  inited=$(grep -m1 -E "INITED|DONE" "$work/coverage.log" || true)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$inited")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$inited")

  new_crashes=$(($(fuzz_count_files "$work/crashes") - before))
  while IFS= read -r file; do crashes+=("$target ${file#"$fuzz_root"/}"); done < <(
    find "$work/crashes" -maxdepth 1 -type f -newer "$work/seeds" 2>/dev/null | sort)
  summary+=("$(printf '%-22s %12s %9s %7s %7s %8s %8s %7s' "$target" "$execs" "$rate" "${cov:-?}" "${ft:-?}" \
    "$added" "$(fuzz_count_files "$corpus")" "$new_crashes")")
done

echo
echo "fuzz.sh: ${seconds}s per target on $jobs cores"
printf '%-22s %12s %9s %7s %7s %8s %8s %7s\n' target execs exec/s edges features "new" corpus crashes
for line in "${summary[@]}"; do echo "$line"; done
echo "(edges, features: libFuzzer's cov and ft for corpus/<target> after the merge; new: files added to it)"
# The campaign as a picture next to its logs: coverage and corpus over time.
if node "$fuzz_root/scripts/charts/fuzz_chart.js" -o "$fuzz_work_dir/campaign.svg" "${targets[@]/#/$fuzz_work_dir/}" \
  >/dev/null 2>&1; then
  echo "campaign chart: ${fuzz_work_dir#"$fuzz_root"/}/campaign.svg"
fi
if [ ${#crashes[@]} -gt 0 ]; then
  echo
  echo "crashes (replay with the g++ sanitizer build, then minimize into a text regression):"
  for crash in "${crashes[@]}"; do
    read -r name file <<<"$crash"
    echo "  $name: $file"
    echo "    scripts/replay.sh $file"
    echo "    scripts/fuzz-minimize.sh $file"
    # A divergence map (model and allocator side by side) when it is one.
    [ "$name" = fuzz_ops_text ] || "$fuzz_build_dir/model/poolcheck" replay --quiet --map "$fuzz_work_dir/maps" \
      "$fuzz_root/$file" 2>/dev/null | sed -n "s|^map: $fuzz_root/|    map: |p"
  done
  exit 1
fi
