# shellcheck shell=bash
# OSS-Fuzz's environment for scripts/oss-fuzz-check.sh, as its images set it
# (google/oss-fuzz infra/base-images: base-clang's Dockerfile for CFLAGS,
# base-builder's for the sanitizer and coverage flags, `compile`,
# `compile_libfuzzer` and `compile_afl` for how they combine; base-runner's
# Dockerfile and run_fuzzer for the runtime options). Source after
# fuzz-common.sh.

# base-clang's CFLAGS. clang 14 does not know -Wvla-cxx-extension; the
# -Wno-error=unknown-warning-option before it is there for exactly that.
oss_fuzz_base_cflags="-O1 -fno-omit-frame-pointer -gline-tables-only \
-Wno-error=incompatible-function-pointer-types -Wno-error=int-conversion \
-Wno-error=deprecated-declarations -Wno-error=implicit-function-declaration \
-Wno-error=implicit-int -Wno-error=unknown-warning-option -Wno-error=vla-cxx-extension \
-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
oss_fuzz_ubsan_checks="array-bounds,bool,builtin,enum,function,integer-divide-by-zero,null,object-size,return,\
returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr"

# oss_fuzz_prepare ENGINE SANITIZER DIR: the variables `compile` exports
# before it runs build.sh, into oss_fuzz_env (NAME=value words); a fresh
# DIR/out, DIR/work and DIR/src (the source as the Dockerfile copies it).
oss_fuzz_prepare() {
  local engine=$1 sanitizer=$2 dir=$3 sanitizer_flags coverage_flags cc cxx engine_link
  case $sanitizer in
    address) sanitizer_flags="-fsanitize=address -fsanitize-address-use-after-scope" ;;
    undefined) sanitizer_flags="-fsanitize=$oss_fuzz_ubsan_checks,unsigned-integer-overflow \
-fno-sanitize-recover=$oss_fuzz_ubsan_checks" ;;
    *) return 1 ;;
  esac
  case $engine in
    # Debian's libFuzzer runtime is built on libstdc++ (OSS-Fuzz's carries its
    # own): with -stdlib=libc++ it needs libstdc++ at the link as well, passed
    # to the linker directly (clang turns a plain -lstdc++ into -lc++).
    libfuzzer) cc=clang-19 cxx=clang++-19 coverage_flags=-fsanitize=fuzzer-no-link
      engine_link="-fsanitize=fuzzer -Wl,--push-state,--no-as-needed,-lstdc++,--pop-state" ;;
    afl) cc=afl-clang-fast cxx=afl-clang-fast++ coverage_flags="" engine_link=/usr/lib/afl/libAFLDriver.a ;;
    *) return 1 ;;
  esac
  local cflags="$oss_fuzz_base_cflags $sanitizer_flags $coverage_flags"
  oss_fuzz_env=(PATH="$PATH" HOME="$dir" ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c++
    SANITIZER="$sanitizer" FUZZING_ENGINE="$engine" SANITIZER_FLAGS="$sanitizer_flags"
    CC="$cc" CXX="$cxx" CCC="$cxx" CFLAGS="$cflags" CXXFLAGS_EXTRA=-stdlib=libc++
    CXXFLAGS="$cflags -stdlib=libc++" LIB_FUZZING_ENGINE="$engine_link"
    SRC="$dir/src" WORK="$dir/work" OUT="$dir/out")
  # `compile` adds this to CFLAGS only, after CXXFLAGS are made.
  [ "$sanitizer" != undefined ] || oss_fuzz_env+=(CFLAGS="$cflags -fno-sanitize=function")
  # compile_afl: quiet, no leak reports while building, problems ignored.
  # Debian's AFL++ plugin is for LLVM 14, whose libc++ has no
  # <memory_resource>: AFL++ drives clang 19 instead, with LLVM's own
  # trace-pc-guard instrumentation (the fallback compile_afl itself names).
  [ "$engine" != afl ] || oss_fuzz_env+=(AFL_QUIET=1 AFL_IGNORE_PROBLEMS=1 AFL_IGNORE_UNKNOWN_ENVS=1
    ASAN_OPTIONS=detect_leaks=0:symbolize=0:detect_odr_violation=0:abort_on_error=1
    AFL_CC=clang-19 AFL_CXX=clang++-19 AFL_LLVM_INSTRUMENT=LLVM-NATIVE)
  rm -rf "$dir" && mkdir -p "$dir/out" "$dir/work" "$dir/src/poolcheck"
  # The Dockerfile: COPY . $SRC/poolcheck, and build.sh into $SRC.
  tar -C "$fuzz_root" --exclude=./build --exclude=./.git --exclude=./node_modules -cf - . |
    tar -C "$dir/src/poolcheck" -xf -
  cp "$fuzz_root/.clusterfuzzlite/build.sh" "$dir/src/build.sh"
  oss_fuzz_dir=$dir
}

# Runs build.sh as `compile` does (bash -eux, in the Dockerfile's WORKDIR),
# with nothing in the environment but what OSS-Fuzz provides.
oss_fuzz_compile() {
  (cd "$oss_fuzz_dir/src/poolcheck" && env -i "${oss_fuzz_env[@]}" bash -eux "$oss_fuzz_dir/src/build.sh")
}

# base-runner's sanitizer options, with which run_fuzzer runs every target.
oss_fuzz_runner_env() {
  export ASAN_OPTIONS="alloc_dealloc_mismatch=0:allocator_may_return_null=1:allocator_release_to_os_interval_ms=500:\
check_malloc_usable_size=0:detect_container_overflow=1:detect_odr_violation=0:detect_leaks=1:\
detect_stack_use_after_return=1:fast_unwind_on_fatal=0:handle_abort=1:handle_segv=1:handle_sigill=1:\
max_uar_stack_size_log=16:print_scariness=1:quarantine_size_mb=10:strict_memcmp=1:symbolize=1:\
use_sigaltstack=1:dedup_token_length=3"
  export UBSAN_OPTIONS="print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1:symbolize=1:dedup_token_length=3"
}

# run_fuzzer's additions for afl-fuzz (in a subshell: they stay there).
oss_fuzz_afl_runner_env() {
  export ASAN_OPTIONS="$ASAN_OPTIONS:abort_on_error=1:symbolize=0:detect_odr_violation=0:"
  export UBSAN_OPTIONS="$UBSAN_OPTIONS:symbolize=0"
  export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_TRY_AFFINITY=1 AFL_FAST_CAL=1
  export AFL_CMPLOG_ONLY_NEW=1 AFL_FORKSRV_INIT_TMOUT=30000 AFL_IGNORE_PROBLEMS=1 AFL_IGNORE_UNKNOWN_ENVS=1
  export AFL_NO_UI=1
}
