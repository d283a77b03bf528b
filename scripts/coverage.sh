#!/usr/bin/env bash
# Source-based coverage of allocator/ and model/ reached by the corpus: every
# replay driver runs corpus/<target>/, the scenarios and the regressions in
# the `coverage` preset (clang, -fprofile-instr-generate), then llvm-profdata
# merges the profiles and llvm-cov writes an HTML report and a summary.
#
#   scripts/coverage.sh      -> build/coverage/html/index.html, and one line:
#   coverage: lines 97.1% (1234/1271), functions ..., regions ..., branches ...
set -euo pipefail
source "$(dirname "$0")/lib/fuzz-common.sh"

tool() {  # the LLVM tool NAME, or NAME-14 (Debian's versioned name)
  command -v "$1" 2>/dev/null || command -v "$1-14" 2>/dev/null || fuzz_die "$1 not found (package llvm)"
}

fuzz_install_deps
profdata=$(tool llvm-profdata)
cov=$(tool llvm-cov)
out=$fuzz_root/build/coverage
fuzz_configure coverage
fuzz_build coverage "${fuzz_all_targets[@]/%/_replay}"

rm -rf "$out/profiles" "$out/html"
mkdir -p "$out/profiles"
objects=()
for target in "${fuzz_all_targets[@]}"; do
  driver=${fuzz_replay[$target]}
  objects+=("$driver")
  LLVM_PROFILE_FILE="$out/profiles/$target-%p.profraw" "$driver" --quiet "$fuzz_root/corpus/$target" \
    "$fuzz_root/corpus/scenarios" "$fuzz_root/corpus/regressions" >"$out/profiles/$target.log" ||
    fuzz_die "$target: the corpus does not replay clean (see build/coverage/profiles/$target.log)"
done
"$profdata" merge -sparse "$out"/profiles/*.profraw -o "$out/corpus.profdata"

# The first binary is an argument, the others -object; the sources listed
# restrict the report to allocator/ and model/. Functions that each driver
# defines its own way (LLVMFuzzerTestOneInput, check_bytes, ...) have
# "mismatched data" across the three binaries: none is in those sources, so
# that warning is dropped.
cov_args=(-instr-profile="$out/corpus.profdata" "${objects[0]}")
for object in "${objects[@]:1}"; do cov_args+=(-object "$object"); done
sources=("$fuzz_root/allocator" "$fuzz_root/model")
"$cov" show "${cov_args[@]}" -format=html -output-dir="$out/html" -show-line-counts-or-regions "${sources[@]}" \
  2> >(grep -v "mismatched data" >&2)
"$cov" report "${cov_args[@]}" "${sources[@]}" >"$out/report.txt" 2> >(grep -v "mismatched data" >&2)
sed 's/^/  /' "$out/report.txt"
# TOTAL: regions, missed, cover, functions, missed, executed, lines, missed,
# cover, branches, missed, cover.
awk '$1 == "TOTAL" {
  printf "coverage: lines %s (%d/%d), functions %s (%d/%d), regions %s (%d/%d), branches %s (%d/%d)\n",
    $10, $8 - $9, $8, $7, $5 - $6, $5, $4, $2 - $3, $2, $13, $11 - $12, $11 }' "$out/report.txt"
# Every function of allocator/ the corpus reaches (llvm-cov's per-function
# table; the fuzz build's instrumentation of the same code is checked by
# ctest fuzz_sancov_ignorelist).
"$cov" report -show-functions "${cov_args[@]}" "$fuzz_root"/allocator/*.h >"$out/allocator-functions.txt" \
  2> >(grep -v "mismatched data" >&2)
unreached=$(awk '$1 ~ /^_Z|^[a-z]/ && NF >= 10 && $2 == $3 { print $1 }' "$out/allocator-functions.txt" | c++filt)
echo "allocator/ functions: $(awk '$1 ~ /^_Z|^[a-z]/ && NF >= 10' "$out/allocator-functions.txt" | wc -l) listed," \
  "not reached by the corpus: ${unreached:-none}"
echo "html: ${out#"$fuzz_root"/}/html/index.html"
