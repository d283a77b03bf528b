#!/usr/bin/env bash
# OSS-Fuzz's build and build check, without a container: runs
# .clusterfuzzlite/build.sh with the environment OSS-Fuzz's `compile` gives it,
# then checks $OUT as OSS-Fuzz's bad_build_check and run_fuzzer would.
#
#   scripts/oss-fuzz-check.sh [ENGINE SANITIZER]   one configuration, or all
#       three CI uses: libfuzzer address, libfuzzer undefined, afl address
#
# The environment is OSS-Fuzz's (infra/base-images/base-clang, base-builder
# and its compile, compile_libfuzzer, compile_afl): clang with base-clang's
# CFLAGS, the sanitizer's flags, -fsanitize=fuzzer-no-link for libFuzzer,
# CXXFLAGS = CFLAGS + -stdlib=libc++, and LIB_FUZZING_ENGINE=-fsanitize=fuzzer,
# or for AFL++ afl-clang-fast++ with /usr/lib/afl/libAFLDriver.a. build.sh
# runs under `env -i` with only those. Where Debian differs from OSS-Fuzz's
# image (clang 19 for a libc++ with <memory_resource>, libFuzzer's libstdc++,
# AFL++'s LLVM 14 plugin), lib/oss-fuzz-env.sh says what it adds and why.
# Checks: $OUT has every target of fuzz/CMakeLists.txt with its seed corpus
# zip, .options and dictionary; each target is instrumented for the engine
# and sanitizer (bad_build_check's counts); each runs 4 inputs from nothing,
# and every seed with the runner's options (-timeout=25 -rss_limit_mb=2560,
# ASAN_OPTIONS with detect_leaks=1): no crash, no leak, no timeout.
# Work in build/oss-fuzz/<engine>-<sanitizer>/. Exit 0 all passed, 1 a check
# failed, 2 a build or usage problem.
set -uo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"
source "$(dirname "$0")/lib/oss-fuzz-env.sh"

if [ $# -eq 2 ]; then
  configs=("$1 $2")
elif [ $# -eq 0 ]; then
  configs=("libfuzzer address" "libfuzzer undefined" "afl address")
else
  fuzz_die "usage: scripts/oss-fuzz-check.sh [libfuzzer|afl address|undefined]"
fi

failures=0
fail() { echo "FAIL $config: $*"; failures=$((failures + 1)); }

# check_target NAME: one installed target, as bad_build_check and run_fuzzer.
check_target() {
  local name=$1 binary=$out/$1 seeds=$dir/seeds/$1 log=$dir/logs/$1 failures_before=$failures
  [ -x "$binary" ] && grep -q LLVMFuzzerTestOneInput "$binary" || { fail "$name: no fuzz target in \$OUT"; return; }
  [ -s "$out/${name}_seed_corpus.zip" ] || { fail "$name: no ${name}_seed_corpus.zip"; return; }
  [ -f "$out/$name.options" ] || fail "$name: no $name.options"
  # run_fuzzer's reading of the options file: [libfuzzer] name = value.
  local options dict
  options=$(sed -n '/^\[libfuzzer\]/,/^\[/{s/^\([a-z_]*\) *= *\([^ ]*\)$/-\1=\2/p}' "$out/$name.options")
  dict=$(sed -n 's/^dict *= *//p' "$out/$name.options")
  [ -z "$dict" ] || [ -f "$out/$dict" ] || fail "$name: $name.options names $dict, not in \$OUT"
  rm -rf "$seeds" && mkdir -p "$seeds" "$dir/logs"
  unzip -q -o -d "$seeds" "$out/${name}_seed_corpus.zip" || { fail "$name: unreadable seed corpus zip"; return; }
  local count
  count=$(fuzz_count_files "$seeds")
  [ "$count" -gt 0 ] || fail "$name: empty seed corpus"

  # bad_build_check's check_mixed_sanitizers: calls into each runtime.
  local asan ubsan
  asan=$(objdump -d "$binary" | grep -cE "call[q]?\s+[0-9a-f]+\s+<__asan")
  ubsan=$(objdump -d "$binary" | grep -cE "call[q]?\s+[0-9a-f]+\s+<__ubsan")
  case $sanitizer in
    address) [ "$asan" -ge 1000 ] && [ "$ubsan" -le 200 ] || fail "$name: not an ASan build ($asan asan, $ubsan ubsan calls)" ;;
    undefined) [ "$asan" -eq 0 ] && [ "$ubsan" -ge 168 ] || fail "$name: not a UBSan build ($asan asan, $ubsan ubsan calls)" ;;
  esac

  if [ "$engine" = libfuzzer ]; then
    # check_engine and check_startup_crash: 4 runs from nothing, instrumented.
    (cd "$out" && "$binary" -seed=1337 -runs=4 >"$log.startup" 2>&1) || fail "$name: crashes at startup ($log.startup)"
    local edges
    edges=$(grep -oP "INFO: Loaded \d+ module.*\(.*(counters|guards)\):\s+\K\d+" "$log.startup" | head -1)
    grep -q "Done 4 runs" "$log.startup" || fail "$name: did not finish 4 runs ($log.startup)"
    [ "${edges:-0}" -ge 100 ] || fail "$name: ${edges:-no} instrumented edges (needs 100)"
    # check_seed_corpus: the whole seed corpus, the runner's flags.
    # shellcheck disable=SC2086  # options are words
    (cd "$out" && "$binary" -rss_limit_mb=2560 -timeout=25 -runs=0 $options "$seeds" >"$log.seeds" 2>&1) ||
      { fail "$name: a seed crashes, leaks or times out"; tail -n 30 "$log.seeds"; }
  else
    # AFL++'s driver runs every file it is given (absolute paths: a leading
    # digit would be read as a loop count); leaks show at its exit.
    (cd "$out" && timeout 300 "$binary" "$seeds"/* >"$log.seeds" 2>&1) ||
      { fail "$name: a seed crashes, leaks or times out"; tail -n 30 "$log.seeds"; }
    # check_engine and check_startup_crash: afl-fuzz starts on the seeds
    # (its dry run executes each once and stops on a crashing one).
    rm -rf "$dir/afl/$name" && mkdir -p "$dir/afl"
    (cd "$out" && oss_fuzz_afl_runner_env && timeout 60 "$(command -v afl-fuzz)" -i "$seeds" -o "$dir/afl/$name" \
      -m none -t 5000+ -V 3 -- "$binary" >"$log.afl" 2>&1)
    grep -q "All set and ready to roll" "$log.afl" || { fail "$name: afl-fuzz did not start"; tail -n 30 "$log.afl"; }
    ! grep -qE "target binary (crashed|terminated)" "$log.afl" || fail "$name: crashes under afl-fuzz"
  fi
  [ "$failures" -eq "$failures_before" ] || return 0
  echo "ok   $config: $name ($count seeds, $asan asan / $ubsan ubsan calls${edges:+, $edges edges})"
}

for config in "${configs[@]}"; do
  read -r engine sanitizer <<<"$config"
  dir=$fuzz_root/build/oss-fuzz/$engine-$sanitizer
  out=$dir/out
  oss_fuzz_prepare "$engine" "$sanitizer" "$dir" || fuzz_die "unknown configuration $config"
  start=$SECONDS
  if ! oss_fuzz_compile >"$dir/build.log" 2>&1; then
    tail -n 40 "$dir/build.log"
    fail "build.sh failed (log: ${dir#"$fuzz_root"/}/build.log)"
    continue
  fi
  built=$((SECONDS - start))
  fuzz_load_table "$dir/work/build"
  # ASan and UBSan options of OSS-Fuzz's runner image (base-runner).
  oss_fuzz_runner_env
  # fuzz/'s targets and the adapters' (model/adapter/CMakeLists.txt) that this build has
  built_targets=("${fuzz_all_targets[@]}")
  for name in "${fuzz_adapter_targets[@]}"; do [ "${fuzz_binary[$name]}" = - ] || built_targets+=("$name"); done
  for name in "${built_targets[@]}"; do check_target "$name"; done
  extra=$(comm -23 <(ls "$out" | sort) <(for name in "${built_targets[@]}"; do
    printf '%s\n' "$name" "$name.options" "${name}_seed_corpus.zip"; done | sort) | grep -v '\.dict$')
  [ -z "$extra" ] || fail "unexpected files in \$OUT: $extra"
  echo "=== $config: build.sh ${built}s, checks $((SECONDS - start - built))s"
done
[ "$failures" -eq 0 ] || { echo "oss-fuzz-check: $failures problems"; exit 1; }
echo "oss-fuzz-check: ${#configs[@]} configurations passed"
