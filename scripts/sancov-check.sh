#!/usr/bin/env bash
# Checks that fuzz/sancov_ignorelist.txt hides no allocator code from
# libFuzzer: in each fuzz binary given, every out-of-line function the list
# leaves uninstrumented (std::, __gnu_cxx::) is disassembled with its line
# table, and none may hold a line of allocator/ (inlined allocator code, such
# as ~Buffer inside std::vector<Buffer>, would be invisible to the fuzzer).
# Run by ctest (fuzz_sancov_ignorelist, labels fuzz and smoke).
#   scripts/sancov-check.sh IGNORELIST BINARY...
# Exit 0 clean, 1 allocator code is hidden (the functions are listed), 2 usage.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: scripts/sancov-check.sh IGNORELIST BINARY..." >&2; exit 2; }
list=$1
shift
objdump=$(command -v llvm-objdump || command -v llvm-objdump-14) || { echo "llvm-objdump not found" >&2; exit 2; }
# The list's fun: globs as one extended regex (only * and [..] are used).
regex=$(sed -n 's/^fun:\(.*\)$/\1/p' "$list" | sed 's/\*/.*/g' | paste -sd'|')
status=0
for binary in "$@"; do
  mapfile -t hidden < <(nm "$binary" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | grep -E "^($regex)$" | sort -u)
  found=$("$objdump" -d -l --no-show-raw-insn --disassemble-symbols="$(IFS=,; echo "${hidden[*]}")" "$binary" 2>/dev/null |
    awk '/^[0-9a-f]+ <.*>:$/ { fn = $2 } /\/allocator\/[a-z_]+\.h:[0-9]+/ { print fn }' | sort -u)
  if [ -n "$found" ]; then
    echo "FAIL $(basename "$binary"): allocator code inlined into functions the ignorelist hides:"
    sed 's/^/  /' <<<"$found"
    status=1
  else
    echo "ok   $(basename "$binary"): ${#hidden[@]} uninstrumented std functions, none holds allocator code"
  fi
done
exit "$status"
