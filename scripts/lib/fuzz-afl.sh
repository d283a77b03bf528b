# shellcheck shell=bash
# AFL++ for scripts/fuzz.sh --engine afl: the `fuzz-afl` preset builds the same
# targets with afl-clang-fast++ (ASan+UBSan) and AFL++'s libFuzzer-compatible
# driver. Source after fuzz-common.sh.

# What afl-fuzz needs on any machine, set here so that nobody has to: no CPU
# frequency check, crashes found even when core dumps go to a helper (systemd,
# apport), no curses screen, and the sanitizers ending a bad run with a signal
# that afl-fuzz counts as a crash. Leak checks need a process exit, which the
# persistent driver does not have: replay.sh and the smoke run check leaks.
fuzz_afl_environment() {
  export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
  export AFL_FAST_CAL=1 AFL_IGNORE_UNKNOWN_ENVS=1 AFL_NO_WARN_INSTABILITY=1
  # A seed that crashes is a finding, not a reason not to start: afl-fuzz
  # skips it and says so, and fuzz_afl_run reports it as a crash.
  export AFL_SKIP_CRASHES=1
  export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:detect_odr_violation=0
  export UBSAN_OPTIONS=abort_on_error=1:halt_on_error=1:symbolize=0
}

# fuzz_afl_run TARGET SECONDS JOBS WORK [FAST_BINARY]: one main and JOBS-1
# secondary afl-fuzz over corpus/TARGET plus its seeds, with the target's
# dictionary, max_len and timeout. Leaves WORK/afl/<instance>/ (queue,
# crashes, stats) and copies each crash to WORK/crashes/crash-afl-<sha1>,
# where replay.sh and fuzz-minimize.sh take it as they take libFuzzer's.
# With FAST_BINARY (a build without ASan, scripts/fuzz.sh's mixed fleet)
# every instance but the last runs it, the last the ASan+UBSan build; each
# crash's line in WORK/crash-origins.txt says which build found it.
fuzz_afl_run() {
  local target=$1 seconds=$2 jobs=$3 work=$4 fast=${5:-} binary
  binary=$fuzz_root/build/fuzz-afl/fuzz/$target
  [ -x "$binary" ] || fuzz_die "$binary not built"
  local args=() flag timeout_ms=10000
  for flag in ${fuzz_flags[$target]}; do
    case $flag in
      -max_len=*) args+=(-G "${flag#*=}") ;;
      -timeout=*) timeout_ms=$((${flag#*=} * 1000)) ;;
      -dict=*) args+=(-x "${flag#*=}") ;;
    esac
  done
  rm -rf "$work/afl" "$work/afl-in"
  mkdir -p "$work/afl-in" "$work/crashes"
  cp "$fuzz_corpus_dir/$target"/* "${fuzz_seeds[$target]}"/* "$work/afl-in/" 2>/dev/null || true
  fuzz_afl_environment
  local i pids=() crashes_before
  crashes_before=$(fuzz_count_files "$work/crashes")
  local asan_instance=none
  for ((i = 0; i < jobs; i++)); do
    local role=(-S "s$i") name="s$i" run=$binary
    [ "$i" -eq 0 ] && role=(-M main) name=main
    if [ -n "$fast" ] && [ "$i" -lt $((jobs - 1)) ]; then run=$fast; else asan_instance=$name; fi
    (cd "$work" && exec afl-fuzz "${role[@]}" -i "$work/afl-in" -o "$work/afl" -t "$timeout_ms" -m none \
      -V "$seconds" "${args[@]}" -- "$run" >"$work/afl-$i.log" 2>&1) &
    pids+=($!)
  done
  echo "$asan_instance" >"$work/afl-asan-instance.txt"
  wait "${pids[@]}" || true
  local crash seed copy instance
  for crash in "$work"/afl/*/crashes/id:*; do
    [ -f "$crash" ] || continue
    copy=crash-afl-$(sha1sum "$crash" | cut -c1-40)
    cp "$crash" "$work/crashes/$copy"
    instance=$(basename "$(dirname "$(dirname "$crash")")")
    if [ -n "$fast" ] && [ "$instance" != "$asan_instance" ]; then
      printf '%s\tfast\n' "$copy" >>"$work/crash-origins.txt"
    else
      printf '%s\tasan\n' "$copy" >>"$work/crash-origins.txt"
    fi
  done
  # Seeds the dry run found crashing ("Test case '...,orig:NAME' results in
  # a crash"), from the main instance's log.
  while IFS= read -r seed; do
    [ -f "$work/afl-in/$seed" ] && cp "$work/afl-in/$seed" "$work/crashes/crash-afl-$(sha1sum "$work/afl-in/$seed" | cut -c1-40)"
  done < <(sed -n "s/.*Test case '[^']*orig:\([^']*\)' results in a crash.*/\1/p" "$work/afl-0.log" | sort -u)
  # A run counts when afl-fuzz executed the target (fuzzer_stats), or when
  # every seed crashed and afl-fuzz stopped before fuzzing (crashes above).
  fuzz_afl_ran "$work/afl" >/dev/null 2>"$work/afl-ran.txt" ||
    [ "$(fuzz_count_files "$work/crashes")" -gt "$crashes_before" ] ||
    { tail -n 30 "$work/afl-0.log" >&2; cat "$work/afl-ran.txt" >&2; fuzz_die "$target: afl-fuzz did not run (log above)"; }
}

# fuzz_afl_ran OUT: true when an afl-fuzz output directory OUT (-o) shows that
# the target ran: some instance OUT/<name>/fuzzer_stats with execs_done > 0.
# Otherwise it says why on stderr. afl-fuzz writes fuzzer_stats once its dry
# run is over, so a binary that is not instrumented, a seed directory that is
# empty, or an afl-fuzz that never started leaves none. scripts/afl-ran.sh is
# the same check as a command (the AFL++ workflow runs it).
fuzz_afl_ran() {
  local out=$1 stats execs total=0 found=0
  for stats in "$out"/*/fuzzer_stats; do
    [ -f "$stats" ] || continue
    found=$((found + 1))
    execs=$(awk '$1 == "execs_done" { print $3 }' "$stats")
    [[ $execs =~ ^[0-9]+$ ]] || { echo "$stats: no execs_done line" >&2; return 1; }
    total=$((total + execs))
  done
  [ "$found" -gt 0 ] || { echo "$out: no fuzzer_stats in any instance: afl-fuzz did not run" >&2; return 1; }
  [ "$total" -gt 0 ] || { echo "$out: execs_done is 0 in every fuzzer_stats: the target never ran" >&2; return 1; }
  echo "$out: $found afl-fuzz instance(s), $total executions"
}

# fuzz_afl_stat WORK NAME: NAME from every instance's fuzzer_stats, summed.
fuzz_afl_stat() {
  cat "$1"/afl/*/fuzzer_stats 2>/dev/null | awk -v name="$2" '$1 == name { sum += $3 } END { printf "%d\n", sum }'
}
