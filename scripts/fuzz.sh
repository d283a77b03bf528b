#!/usr/bin/env bash
# The main job: build the fuzz targets and fuzz each of them for a bounded
# time on all cores, merge what is new into corpus/, and summarize.
#
#   scripts/fuzz.sh [--engine libfuzzer|afl] [SECONDS_PER_TARGET]   default
#                   libfuzzer, 60 s (three targets: 3 min)
#
# libfuzzer: -jobs=N workers of each libFuzzer binary (the `fuzz` preset).
# afl: one main and N-1 secondary afl-fuzz of the AFL++ build (the
# `fuzz-afl` preset) on the same seeds with the same dictionary and max_len.
# Either way, new inputs are merged into corpus/<target> with libFuzzer's
# -merge=1 (edges only), and crashes land in build/fuzz-work/<target>/crashes/
# for scripts/replay.sh and scripts/fuzz-minimize.sh.
# Environment: FUZZ_TARGETS (default: all), FUZZ_JOBS (default: nproc),
# FUZZ_REMINIMIZE=1 (rewrite each corpus/<target>/ as the smallest set with
# the same coverage instead of only adding to it), FUZZ_SKIP_BUILD=1.
# Exit: 0 no crash, 1 a target crashed (each crash is listed with its replay
# and minimize commands), 2 a build or usage problem.
set -euo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"
source "$(dirname "$0")/lib/fuzz-afl.sh"

engine=libfuzzer
seconds=${FUZZ_SECONDS:-60}
while [ $# -gt 0 ]; do
  case $1 in
    --engine) engine=${2:-}; shift 2 || fuzz_die "--engine needs libfuzzer or afl" ;;
    --engine=*) engine=${1#*=}; shift ;;
    *) seconds=$1; shift ;;
  esac
done
usage="usage: scripts/fuzz.sh [--engine libfuzzer|afl] [SECONDS_PER_TARGET]"
[[ $seconds =~ ^[1-9][0-9]*$ ]] || fuzz_die "$usage"
[[ $engine == libfuzzer || $engine == afl ]] || fuzz_die "$usage"
jobs=${FUZZ_JOBS:-$(nproc)}

if [ "${FUZZ_SKIP_BUILD:-0}" = 1 ]; then
  fuzz_configure fuzz
else
  fuzz_install_deps
  fuzz_build_fuzzers  # the merge, the coverage count and fuzz-minimize.sh use libFuzzer
  [ "$engine" = libfuzzer ] || { fuzz_build fuzz-afl; fuzz_load_table "$fuzz_root/build/fuzz"; }
fi
read -r -a targets <<<"${FUZZ_TARGETS:-${fuzz_all_targets[*]}}"
for target in "${targets[@]}"; do fuzz_is_target "$target" || fuzz_die "unknown target $target"; done

# Sums one number over libFuzzer's final stats of every job log.
sum_stat() {  # sum_stat NAME LOG...
  local name=$1
  shift
  cat "$@" 2>/dev/null | awk -v name="stat::$name:" '$1 == name { sum += $2 } END { print sum + 0 }'
}

summary=()
crashes=()
for target in "${targets[@]}"; do
  binary=${fuzz_binary[$target]}
  corpus=$fuzz_root/corpus/$target
  work=$fuzz_work_dir/$target
  mapfile -t options < <(fuzz_options "$target")
  mkdir -p "$corpus" "$work/crashes"
  rm -rf "$work/corpus" "$work"/fuzz-*.log "$work/fuzz-run.txt"
  cp -r "$corpus" "$work/corpus"
  touch "$work/started"
  before=$(fuzz_count_files "$work/crashes")

  fuzz_log "$target: $engine, $jobs jobs x ${seconds}s (logs in ${work#"$fuzz_root"/})"
  if [ "$engine" = afl ]; then
    fuzz_afl_run "$target" "$seconds" "$jobs" "$work"
    execs=$(fuzz_afl_stat "$work" execs_done)
    paths=$(awk '$1 == "corpus_count" { print $3 }' "$work/afl/main/fuzzer_stats" 2>/dev/null || echo "?")
    found=("$work"/afl/*/queue)
    logs=("$work"/afl/*/plot_data)
  else
    # -jobs keeps every core busy for the whole time (-fork restarts short
    # child runs, which cost more than they fuzz at this speed); each job
    # adds what it finds to the shared working corpus.
    (cd "$work" && "$binary" -jobs="$jobs" -workers="$jobs" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$work/crashes/" "${options[@]}" "$work/corpus" "${fuzz_seeds[$target]}" \
      >"$work/fuzz.log" 2>&1) || true
    execs=$(sum_stat number_of_executed_units "$work"/fuzz-*.log)
    paths=$(fuzz_count_files "$work/corpus")
    found=("$work/corpus")
    logs=("$work"/fuzz-*.log)
  fi
  rate=$((execs / seconds))

  # Only inputs that reach new edges go back into corpus/ (-merge=1, edges
  # only: hit counts would keep hundreds of near-duplicates); with
  # FUZZ_REMINIMIZE=1 the corpus becomes the smallest set with all the edges.
  before_names=$(ls "$corpus")
  if [ "${FUZZ_REMINIMIZE:-0}" = 1 ]; then
    rm -rf "$work/minimized" && mkdir -p "$work/minimized"
    "$binary" -merge=1 -use_counters=0 "${options[@]}" "$work/minimized" "$corpus" "${found[@]}" >"$work/merge.log" 2>&1 ||
      fuzz_die "$target: merge failed, see ${work#"$fuzz_root"/}/merge.log"
    rm -f "$corpus"/* && cp -r "$work/minimized/." "$corpus/"
  else
    "$binary" -merge=1 -use_counters=0 "${options[@]}" "$corpus" "${found[@]}" >"$work/merge.log" 2>&1 ||
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
    find "$work/crashes" -maxdepth 1 -type f -newer "$work/started" 2>/dev/null | sort)
  inputs=$(fuzz_count_files "$corpus")
  summary+=("$(printf '%-22s %12s %9s %7s %7s %7s %8s %8s %7s' "$target" "$execs" "$rate" "$paths" "${cov:-?}" \
    "${ft:-?}" "$added" "$inputs" "$new_crashes")")
  fuzz_write_run "$work" "$target" "$engine" "${cov:-?}" "$inputs" "${logs[@]}"
done

echo
echo "fuzz.sh: $engine, ${seconds}s per target on $jobs cores"
printf '%-22s %12s %9s %7s %7s %7s %8s %8s %7s\n' target execs exec/s paths edges features "new" corpus crashes
for line in "${summary[@]}"; do echo "$line"; done
echo "(exec/s: execs of all jobs per second of the run; paths: inputs in the working queue at the end;"
echo " edges, features: libFuzzer's cov and ft for corpus/<target> after the merge; new: files added to it)"
# The campaign as a picture next to its logs: coverage and corpus over time,
# from this run's logs only, with the edges and corpus of the summary above
# (each target's fuzz-run.txt).
if chart_error=$(node "$fuzz_root/scripts/charts/fuzz_chart.js" -o "$fuzz_work_dir/campaign.svg" \
  "${targets[@]/#/$fuzz_work_dir/}" 2>&1); then
  echo "campaign chart: ${fuzz_work_dir#"$fuzz_root"/}/campaign.svg"
else
  echo "campaign chart: not drawn: $chart_error"
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
    # (poolcheck replay exits 1 on it: not an error here, under set -e.)
    [ "$name" = fuzz_ops_text ] || "$fuzz_poolcheck" replay --quiet --map "$fuzz_work_dir/maps" \
      "$fuzz_root/$file" 2>/dev/null | sed -n "s|^map: $fuzz_root/|    map: |p" || true
  done
  exit 1
fi
