#!/usr/bin/env bash
# CI's short real fuzzing run: `ctest --preset fuzz-smoke` (label smoke), in
# which every target fuzzes for FUZZ_SMOKE_SECONDS (default 30) on one core
# from corpus/<target> and its seeds. Fails on any crash, leak or timeout,
# and when it cannot run (no clang, a failed build, no test found): a step
# that ran nothing does not pass. corpus/ is not written; a crash is kept in
# build/fuzz/fuzz/smoke/<target>/crashes/ for scripts/replay.sh.
set -euo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"

seconds=${FUZZ_SMOKE_SECONDS:-30}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || fuzz_die "FUZZ_SMOKE_SECONDS must be a positive number of seconds"
fuzz_install_deps
fuzz_configure fuzz
cmake -S "$fuzz_root" -B "$fuzz_root/build/fuzz" -DPOOLCHECK_FUZZ_SMOKE_SECONDS="$seconds" >/dev/null ||
  fuzz_die "reconfiguring build/fuzz failed"
# Only what the smoke tests run: the fuzzers, their seed corpora and
# dictionaries (not the replay drivers, which no smoke test runs: a quarter
# of the preset's compile time); scripts/fuzz.sh builds the same.
fuzz_build_fuzzers
cd "$fuzz_root"
ctest --preset fuzz-smoke
