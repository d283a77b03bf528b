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
# The fleet (FUZZ_FLEET): `mixed` (the default) runs N-1 of the N jobs on a
# fast build without ASan (build/fuzz-fast, or build/fuzz-afl-fast: the same
# targets with POOLCHECK_SANITIZERS=$FUZZ_FAST_SANITIZERS, default none:
# docs/FUZZING.md, "The fleet", says why) and one on the ASan+UBSan build; a
# crash found by a fast job is replayed under ASan+UBSan before it is
# reported, and the summary says which build found it and whether that
# replay agrees. On one core the one job is the ASan+UBSan one. `asan` runs
# every job on the ASan+UBSan build (the fleet before issue 21).
# Environment: FUZZ_TARGETS (default: all of fuzz/; the adapter targets
# fuzz_adapter_NAME of model/adapter/ only when named), FUZZ_JOBS (default: nproc),
# FUZZ_CORPUS_DIR (default: corpus/), FUZZ_REMINIMIZE=1 (rewrite each corpus/<target>/ as the smallest set with
# the same coverage instead of only adding to it), FUZZ_SKIP_BUILD=1.
# Exit: 0 no crash, 1 a target crashed (each crash is listed with its replay
# and minimize commands) or a fleet hung (killed 120 s after its time box,
# listed), 2 a build or usage problem.
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
fleet=${FUZZ_FLEET:-mixed}
[[ $fleet == mixed || $fleet == asan ]] || fuzz_die "FUZZ_FLEET is mixed or asan, not $fleet"
fast_sanitizers=${FUZZ_FAST_SANITIZERS:-}
fast_jobs=0
[ "$fleet" = mixed ] && [ "$jobs" -gt 1 ] && fast_jobs=$((jobs - 1))
asan_jobs=$((jobs - fast_jobs))
fast_label="fast (${fast_sanitizers:-no sanitizer})"

# fast_build PRESET: the preset's fuzz targets again in build/PRESET-fast
# with POOLCHECK_SANITIZERS=$fast_sanitizers (the same sources and flags
# otherwise), for the mixed fleet's fast jobs.
fast_build() {
  local preset=$1 dir=$fuzz_root/build/$1-fast log=$fuzz_root/build/$1-fast-build.log
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    fuzz_log "configuring $preset without ASan (sanitizers: ${fast_sanitizers:-none}) in build/$preset-fast"
    (cd "$fuzz_root" && cmake --preset "$preset" -B "$dir" -DPOOLCHECK_SANITIZERS="$fast_sanitizers") >"$log" 2>&1 ||
      { tail -n 40 "$log" >&2; fuzz_die "configuring build/$preset-fast failed"; }
  fi
  fuzz_log "building ${targets[*]} in build/$preset-fast"
  cmake --build "$dir" --target "${targets[@]}" >>"$log" 2>&1 ||
    { tail -n 40 "$log" >&2; fuzz_die "building build/$preset-fast failed"; }
}

if [ "${FUZZ_SKIP_BUILD:-0}" = 1 ]; then
  fuzz_configure fuzz
else
  fuzz_install_deps
  fuzz_build_fuzzers  # the fuzzers (also for the merge, the coverage count and the ASan replays), seeds, poolcheck
  # AFL++: only the fuzzers (seeds, dictionaries and poolcheck come from build/fuzz).
  [ "$engine" = libfuzzer ] || { fuzz_build fuzz-afl "${fuzz_all_targets[@]}"; fuzz_load_table "$fuzz_root/build/fuzz"; }
fi
read -r -a targets <<<"${FUZZ_TARGETS:-${fuzz_all_targets[*]}}"
for target in "${targets[@]}"; do fuzz_is_target "$target" || fuzz_die "unknown target $target"; done
fast_preset=fuzz
[ "$engine" = libfuzzer ] || fast_preset=fuzz-afl
if [ "$fast_jobs" -gt 0 ] && [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then fast_build "$fast_preset"; fi

# Sums one number over libFuzzer's final stats of every job log.
sum_stat() {  # sum_stat NAME LOG...
  local name=$1
  shift
  # A build with no jobs (FUZZ_JOBS=1 runs no fast job) has no logs: 0.
  { cat "$@" 2>/dev/null || true; } | awk -v name="stat::$name:" '$1 == name { sum += $2 } END { print sum + 0 }'
}

summary=()
crashes=()
hung=()  # "target logs build" of each fleet killed after its time box
hang_grace=120
fleet_rates=()
for target in "${targets[@]}"; do
  binary=${fuzz_binary[$target]}
  corpus=$fuzz_corpus_dir/$target
  work=$fuzz_work_dir/$target
  mapfile -t options < <(fuzz_options "$target")
  mkdir -p "$corpus" "$work/crashes"
  rm -rf "$work/corpus" "$work"/fuzz-*.log "$work/fuzz-run.txt" "$work/fast" "$work/asan" "$work/crashes-fast" \
    "$work/crash-origins.txt" "$work/asan-replay"
  cp -r "$corpus" "$work/corpus"
  mkdir -p "$work/fast" "$work/asan" "$work/crashes-fast" "$work/asan-replay"
  touch "$work/started"
  before=$(fuzz_count_files "$work/crashes")
  fast_binary=$fuzz_root/build/$fast_preset-fast/${binary#"$fuzz_root"/build/fuzz/}

  fuzz_log "$target: $engine, $jobs jobs x ${seconds}s: $fast_jobs on the $fast_label build, $asan_jobs on ASan+UBSan (logs in ${work#"$fuzz_root"/})"
  if [ "$engine" = afl ]; then
    fast_arg=()
    [ "$fast_jobs" -eq 0 ] || fast_arg=("$fast_binary")
    fuzz_afl_run "$target" "$seconds" "$jobs" "$work" "${fast_arg[@]}"
    asan_instance=$(cat "$work/afl-asan-instance.txt")
    execs_asan=$(awk '$1 == "execs_done" { print $3 }' "$work/afl/$asan_instance/fuzzer_stats" 2>/dev/null || true)
    execs=$(fuzz_afl_stat "$work" execs_done)
    execs_asan=${execs_asan:-0}
    execs_fast=$((execs - execs_asan))
    paths=$(awk '$1 == "corpus_count" { print $3 }' "$work/afl/main/fuzzer_stats" 2>/dev/null || echo "?")
    found=("$work"/afl/*/queue)
    logs=("$work"/afl/*/plot_data)
  else
    # -jobs keeps every core busy for the whole time (-fork restarts short
    # child runs, which cost more than they fuzz at this speed); each job
    # adds what it finds to the shared working corpus, whichever build runs it.
    # Each fleet is killed (its process group: every job) if it is still
    # running $hang_grace s after its time box: a job can hang instead of
    # crashing, e.g. when glibc aborts inside free() on a heap the allocator
    # corrupted (the fast build has no ASan to see it first) and libFuzzer's
    # crash handler then waits for the malloc lock that free() holds. The
    # summary names the fleet that hung.
    pids=()
    if [ "$fast_jobs" -gt 0 ]; then
      (cd "$work/fast" && timeout -s KILL "$((seconds + hang_grace))" "$fast_binary" -jobs="$fast_jobs" \
        -workers="$fast_jobs" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/crashes-fast/" \
        "${options[@]}" "$work/corpus" "${fuzz_seeds[$target]}" >"$work/fast/fuzz.log" 2>&1 ||
        { [ $? -ne 137 ] || touch "$work/fast/hung"; }) &
      pids+=($!)
    fi
    (cd "$work/asan" && timeout -s KILL "$((seconds + hang_grace))" "$binary" -jobs="$asan_jobs" -workers="$asan_jobs" \
      -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/crashes/" "${options[@]}" "$work/corpus" \
      "${fuzz_seeds[$target]}" >"$work/asan/fuzz.log" 2>&1 || { [ $? -ne 137 ] || touch "$work/asan/hung"; }) &
    pids+=($!)
    wait "${pids[@]}" || true
    [ ! -f "$work/fast/hung" ] || hung+=("$target ${work#"$fuzz_root"/}/fast $fast_label")
    [ ! -f "$work/asan/hung" ] || hung+=("$target ${work#"$fuzz_root"/}/asan ASan+UBSan")
    execs_fast=$(sum_stat number_of_executed_units "$work"/fast/fuzz-*.log)
    execs_asan=$(sum_stat number_of_executed_units "$work"/asan/fuzz-*.log)
    execs=$((execs_fast + execs_asan))
    paths=$(fuzz_count_files "$work/corpus")
    found=("$work/corpus")
    logs=("$work"/fast/fuzz-*.log "$work"/asan/fuzz-*.log)
    for crash in "$work"/crashes-fast/*; do
      [ -f "$crash" ] || continue
      cp "$crash" "$work/crashes/"
      printf '%s\tfast\n' "$(basename "$crash")" >>"$work/crash-origins.txt"
    done
  fi
  # Every crash a fast job found is run once more on the ASan+UBSan build
  # before it is reported: "agrees" when that run fails too.
  while IFS=$'\t' read -r name origin; do
    [ "$origin" = fast ] || continue
    if "$binary" "${options[@]}" "$work/crashes/$name" >"$work/asan-replay/$name.log" 2>&1; then
      printf '%s\tagrees=no\n' "$name" >>"$work/crash-origins.txt"
    else
      printf '%s\tagrees=yes\n' "$name" >>"$work/crash-origins.txt"
    fi
  done < <(cat "$work/crash-origins.txt" 2>/dev/null)
  fleet_rates+=("$(printf '%-22s %-28s %4s %12s %9s %11s' "$target" "$fast_label" "$fast_jobs" "$execs_fast" \
    "$((execs_fast / seconds))" "$((fast_jobs > 0 ? execs_fast / seconds / fast_jobs : 0))")")
  fleet_rates+=("$(printf '%-22s %-28s %4s %12s %9s %11s' "$target" "ASan+UBSan" "$asan_jobs" "$execs_asan" \
    "$((execs_asan / seconds))" "$((execs_asan / seconds / asan_jobs))")")
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
echo "fuzz.sh: $engine, ${seconds}s per target on $jobs cores, fleet $fleet ($fast_jobs on the $fast_label build, $asan_jobs on ASan+UBSan)"
printf '%-22s %12s %9s %7s %7s %7s %8s %8s %7s\n' target execs exec/s paths edges features "new" corpus crashes
for line in "${summary[@]}"; do echo "$line"; done
echo "(exec/s: execs of all jobs per second of the run; paths: inputs in the working queue at the end;"
echo " edges, features: libFuzzer's cov and ft for corpus/<target> after the merge; new: files added to it)"
echo
printf '%-22s %-28s %4s %12s %9s %11s\n' target build jobs execs exec/s "exec/s/job"
for line in "${fleet_rates[@]}"; do echo "$line"; done
# The campaign as a picture next to its logs: coverage and corpus over time,
# from this run's logs only, with the edges and corpus of the summary above
# (each target's fuzz-run.txt).
if chart_error=$(node "$fuzz_root/scripts/charts/fuzz_chart.js" -o "$fuzz_work_dir/campaign.svg" \
  "${targets[@]/#/$fuzz_work_dir/}" 2>&1); then
  echo "campaign chart: ${fuzz_work_dir#"$fuzz_root"/}/campaign.svg"
else
  echo "campaign chart: not drawn: $chart_error"
fi
if [ ${#hung[@]} -gt 0 ]; then
  echo
  echo "hung (a fleet still running ${hang_grace} s after its time box, killed; no input is saved for a hang):"
  for line in "${hung[@]}"; do
    read -r name logs build <<<"$line"
    echo "  $name: the $build jobs, logs in $logs/fuzz-*.log; a crash handler stuck on a corrupted heap looks" \
      "like this: FUZZ_FLEET=asan bash scripts/fuzz.sh $seconds runs every job under ASan+UBSan, which reports it"
  done
fi
if [ ${#crashes[@]} -gt 0 ]; then
  echo
  echo "crashes (replay with the sanitize build, then minimize into a text regression):"
  for crash in "${crashes[@]}"; do
    read -r name file <<<"$crash"
    echo "  $name: $file"
    base=$(basename "$file")
    origins=$fuzz_work_dir/$name/crash-origins.txt
    if grep -qx "$base"$'\t'fast "$origins" 2>/dev/null; then
      if grep -qx "$base"$'\t'agrees=yes "$origins"; then
        echo "    found by the $fast_label build; the ASan+UBSan replay fails too (agrees)"
      else
        echo "    found by the $fast_label build; the ASan+UBSan replay passes (does not agree:" \
          "${fuzz_work_dir#"$fuzz_root"/}/$name/asan-replay/$base.log)"
      fi
    else
      echo "    found by the ASan+UBSan build"
    fi
    echo "    scripts/replay.sh $file"
    echo "    scripts/fuzz-minimize.sh $file"
    # A divergence map (model and allocator side by side) when it is one.
    # (poolcheck replay exits 1 on it: not an error here, under set -e.)
    [ "$name" = fuzz_ops_text ] || [[ $name == fuzz_adapter_* ]] || "$fuzz_poolcheck" replay --quiet --map "$fuzz_work_dir/maps" \
      "$fuzz_root/$file" 2>/dev/null | sed -n "s|^map: $fuzz_root/|    map: |p" || true
  done
  exit 1
fi
[ ${#hung[@]} -eq 0 ] || exit 1
