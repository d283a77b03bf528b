#!/usr/bin/env bash
# Fails unless an AFL++ run executed its target: the check scripts/fuzz.sh
# --engine afl makes after each target, as a command for the AFL++ workflow
# (.github/workflows/afl.yml), whose afl-fuzz runs inside OSS-Fuzz's helper.
#
#   scripts/afl-ran.sh OUT...   OUT: an afl-fuzz output directory (-o)
#
# Exit 0 when each OUT has an instance OUT/<name>/fuzzer_stats with
# execs_done > 0; 1 otherwise (afl-fuzz never started, the binary was not
# instrumented, no seed was usable, ...), saying which; 2 on usage.
set -uo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"
source "$(dirname "$0")/lib/fuzz-afl.sh"
[ $# -gt 0 ] || fuzz_die "usage: scripts/afl-ran.sh OUT..."
status=0
for out in "$@"; do fuzz_afl_ran "$out" || status=1; done
exit "$status"
