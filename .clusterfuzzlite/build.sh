#!/bin/bash -eu
# Builds poolcheck's fuzz targets inside OSS-Fuzz's builder image, for
# ClusterFuzzLite and OSS-Fuzz (any engine and sanitizer they pass). It uses
# only what that image provides: $CXX and $CXXFLAGS (sanitizer and coverage
# flags, -stdlib=libc++), $LIB_FUZZING_ENGINE, $FUZZING_ENGINE, $SRC, $WORK
# and $OUT. The targets, their options and seed corpora are defined in
# fuzz/CMakeLists.txt; its `oss-fuzz` install component puts into $OUT every
# fuzz_<name>, fuzz_<name>_seed_corpus.zip, fuzz_<name>.options and the
# dictionaries. scripts/oss-fuzz-check.sh runs this file without a container.
source_dir=$SRC/poolcheck
build_dir=$WORK/build

# The content-pattern loops and the standard library's own functions are left
# out of libFuzzer's comparison tracing, as in the local `fuzz` preset
# (fuzz/sancov_ignorelist.txt). AFL++ instruments on its own terms.
cxxflags=$CXXFLAGS
if [ "$FUZZING_ENGINE" = libfuzzer ]; then
  cxxflags="$cxxflags -fsanitize-coverage-ignorelist=$source_dir/fuzz/sancov_ignorelist.txt"
fi

# No build type: the flags are OSS-Fuzz's and nothing else (-O1, debug lines).
cmake -S "$source_dir" -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_CXX_FLAGS="$cxxflags" \
  -DPOOLCHECK_BUILD_TESTS=OFF \
  -DPOOLCHECK_BUILD_PROPS=OFF \
  -DPOOLCHECK_BUILD_FUZZERS=ON \
  -DPOOLCHECK_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"
cmake --build "$build_dir" -j "$(nproc)"
cmake --install "$build_dir" --component oss-fuzz --prefix "$OUT"
