#!/usr/bin/env bash
# Minimizes a crash found by a fuzz target (-minimize_crash) and keeps it:
# for the allocator targets as a text regression corpus/regressions/NAME.ops
# (ops from `poolcheck convert`, headed by what diverged); for fuzz_ops_text
# as corpus/fuzz_ops_text/regression-NAME.
#
#   scripts/fuzz-minimize.sh CRASH [NAME [WHAT_IT_CAUGHT]]
#
# NAME defaults to TARGET-<first 8 hex of the minimized input's sha1>. The
# target comes from the crash's path (build/fuzz-work/fuzz_X/...) unless
# FUZZ_TARGET is set. FUZZ_MINIMIZE_SECONDS (default 60) bounds minimization.
# FUZZ_BINARY and FUZZ_REPLAY: another build of the target's fuzzer and replay
# driver (scripts/readme-commands.sh passes a deliberately broken one, from
# model/testing/, to have a crash); FUZZ_CORPUS_DIR: where to keep it.
# Exit: 0 kept, 2 a problem (the input does not crash, a build failed).
set -euo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"

{ [ $# -ge 1 ] && [ -f "$1" ]; } || fuzz_die "usage: scripts/fuzz-minimize.sh CRASH [NAME [WHAT_IT_CAUGHT]]"
crash=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
seconds=${FUZZ_MINIMIZE_SECONDS:-60}
if [ "${FUZZ_SKIP_BUILD:-0}" = 1 ]; then fuzz_configure fuzz; else fuzz_install_deps; fuzz_build_fuzzers --replay; fi
target=${FUZZ_TARGET:-$(fuzz_target_of "$crash")}
fuzz_is_target "$target" || fuzz_die "unknown target $target"

binary=${FUZZ_BINARY:-${fuzz_binary[$target]}}
replay=${FUZZ_REPLAY:-${fuzz_replay[$target]}}
work=$fuzz_work_dir/$target/minimize
mkdir -p "$work"
mapfile -t options < <(fuzz_options "$target")
if "$binary" "${options[@]}" "$crash" >"$work/check.log" 2>&1; then
  fuzz_die "$crash does not crash $target (fixed already?); see ${work#"$fuzz_root"/}/check.log"
fi

minimized=$work/$(basename "$crash").min
fuzz_log "minimizing for ${seconds}s with $target -minimize_crash=1"
"$binary" -minimize_crash=1 -max_total_time="$seconds" -exact_artifact_path="$minimized" "${options[@]}" "$crash" \
  >"$work/minimize.log" 2>&1 || true
[ -s "$minimized" ] || cp "$crash" "$minimized"  # nothing smaller crashed the same way
fuzz_log "$(wc -c <"$crash") bytes -> $(wc -c <"$minimized") bytes"
name=${2:-$target-$(sha1sum "$minimized" | cut -c1-8)}

if [ "$target" = fuzz_ops_text ]; then
  out=$fuzz_corpus_dir/fuzz_ops_text/regression-$name
  cp "$minimized" "$out"
  echo "kept ${out#"$fuzz_root"/}; replay: scripts/replay.sh ${out#"$fuzz_root"/}"
  exit 0
fi

# The report names the check, the op, expected and actual; its ops are the
# sequence the target ran (for fuzz_pool_invariants, with the room the
# allocator reported, so they come from the report and not from convert).
# A sanitizer may stop the replay before any check reports (UBSan's
# alignment assumption inside a std::pmr resource's allocate, say): then
# the sanitizer's first error and summary head the regression, and its ops
# come from `poolcheck convert` (every allocator target reads
# fuzz_pool_diff's input format).
"$replay" "$minimized" >"$work/report.txt" 2>&1 || true
if grep -q '^# divergence' "$work/report.txt"; then
  caught_by=divergence
elif grep -q '^SUMMARY: [A-Za-z]*Sanitizer' "$work/report.txt"; then
  caught_by=sanitizer
else
  fuzz_die "no divergence report and no sanitizer summary; see ${work#"$fuzz_root"/}/report.txt"
fi
out=$fuzz_corpus_dir/regressions/$name.ops
{
  echo "# Regression $name: found by $target, minimized from $(basename "$crash")."
  [ -z "${3:-}" ] || echo "# It caught: $3"
  if [ "$caught_by" = sanitizer ]; then
    echo "# What the sanitizer reported (the replay stopped there, before any check):"
    grep -m1 -E 'runtime error:|ERROR: [A-Za-z]*Sanitizer' "$work/report.txt" | sed "s|$fuzz_root/||; s/^/#   /" || true
    grep -m1 '^SUMMARY: ' "$work/report.txt" | sed "s|$fuzz_root/||; s/^/#   /"
  else
    echo "# The divergence it reported:"
    sed -n '/^# divergence/,/^# the sequence/p' "$work/report.txt" | grep -v '^# the sequence' | sed 's/^# /#   /'
  fi
  if [ "$target" = fuzz_pool_diff ] || [ "$caught_by" = sanitizer ]; then
    "$fuzz_poolcheck" convert "$minimized"
  else
    sed -n '/^# the sequence/,$p' "$work/report.txt" | tail -n +2
  fi
} >"$out"

echo "kept ${out#"$fuzz_root"/}:"
sed 's/^/  | /' "$out"
allocator=()  # an adapter target's crash replays on its adapter
[[ $target != fuzz_adapter_* ]] || allocator=(--allocator "${target#fuzz_adapter_}")
if "$fuzz_poolcheck" replay --quiet "${allocator[@]}" "$out" >"$work/replay.txt" 2>&1; then
  echo "poolcheck replay passes it: the bug is not in this build (fixed, or the text lost what the input held)"
else
  echo "poolcheck replay fails on it, as it should until the bug is fixed"
fi
