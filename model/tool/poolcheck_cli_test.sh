#!/usr/bin/env bash
# The poolcheck command line: outputs and exit codes (0 ok, 1 divergence,
# 2 bad input). Usage: POOLCHECK=path/to/poolcheck poolcheck_cli_test.sh SRC
set -u
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # check NAME EXPECTED_EXIT EXPECTED_TEXT -- COMMAND...
  local name=$1 want=$2 text=$3
  shift 4
  "$@" >"$tmp/out" 2>&1
  local got=$?
  if [ "$got" != "$want" ] || { [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/out"; }; then
    echo "FAIL $name: exit $got (want $want), output:"; sed 's/^/  | /' "$tmp/out"
    echo "  wanted text: $text"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}
pc=$POOLCHECK

printf 'alloc 4095\nalloc 4095\n' >"$tmp/two.ops"
check trace-allocator 0 '{"slice":1,"pooled":true,"pool":0,"offset":4096,"length":4095}' -- "$pc" trace "$tmp/two.ops"
check trace-model 0 '{"slice":1,"pooled":true,"pool":0,"offset":4096,"length":4095}' -- "$pc" trace --model "$tmp/two.ops"
printf 'alloc 256\nalloc 4095\nalloc 4095\nalloc 4096\nalloc 0\n' >"$tmp/seed.ops"
"$pc" trace "$tmp/seed.ops" >"$tmp/a" && "$pc" trace --model "$tmp/seed.ops" >"$tmp/m"
check trace-same 0 '' -- cmp "$tmp/a" "$tmp/m"
check trace-unpooled 0 '{"slice":3,"pooled":false,"pool":null,"offset":0,"length":4096}' -- "$pc" trace "$tmp/seed.ops"
check trace-new-pool 0 '{"slice":2,"pooled":true,"pool":1,"offset":0,"length":4095}' -- "$pc" trace --model "$tmp/seed.ops"

check replay-ok 0 'replay: 1 files, 1 ok, 0 failed' -- "$pc" replay "$tmp/two.ops"
check replay-scenarios 0 ' 0 failed, 0 unreadable' -- "$pc" replay "$src/corpus/scenarios"

# Malformed input: exit 2, message with file, line and problem.
bad() {  # bad NAME CONTENT MESSAGE
  printf "$2" >"$tmp/$1.ops"
  check "malformed-$1" 2 "$tmp/$1.ops:$3" -- "$pc" replay "$tmp/$1.ops"
}
bad unknown-op 'alloc 1\nfree 0\n' '2: unknown op '"'"'free'"'"
bad missing-number 'alloc\n' '1: missing number'
bad extra-number 'alloc 1 2\n' '1: unexpected extra'
bad negative 'alloc -5\n' '1: N must not be negative'
bad overflow 'alloc 99999999999999999999\n' '1: N does not fit in 64 bits'
bad kept-more 'from 4 5\n' '1: from keeps more than it reserves'
bad unknown-release 'alloc 1\nrelease 3\n' '2: release 3: no such buffer'
bad double-release 'alloc 1\nrelease 0\nrelease 0\n' '3: release 0: buffer already released'
check missing-file 2 'no such file or directory' -- "$pc" replay "$tmp/nope.ops"
check trace-malformed 2 "$tmp/kept-more.ops:1: from keeps more" -- "$pc" trace "$tmp/kept-more.ops"
check mixed-results-still-reported 2 "ok   $tmp/two.ops" -- "$pc" replay "$tmp/two.ops" "$tmp/negative.ops"
check unknown-command 2 "unknown command" -- "$pc" frobnicate
check bad-alignment 2 "--alignment takes a power of two" -- "$pc" replay --alignment 3 "$tmp/two.ops"
check bad-cache-limit 2 "--cache-limit takes a number up to 1000000" -- "$pc" replay --cache-limit 1000001 "$tmp/two.ops"
check pool-size-option 0 '{"slice":1,"pooled":false,"pool":null,"offset":0,"length":4095}' -- "$pc" trace --pool-size 8000 "$tmp/two.ops"

# Binary <-> text conversion round-trips, and binary files replay.
check to-binary 0 '' -- "$pc" convert "$tmp/seed.ops" -o "$tmp/seed.bin"
check to-text 0 'alloc 4095' -- "$pc" convert "$tmp/seed.bin"
"$pc" convert "$tmp/seed.bin" >"$tmp/back.ops"
check round-trip 0 '' -- diff <(grep -v '^#' "$tmp/seed.ops") "$tmp/back.ops"
check replay-binary 0 '1 ok' -- "$pc" replay "$tmp/seed.bin"
head -c 300 /dev/urandom >"$tmp/random.bin"
check replay-random-bytes 0 '1 ok' -- "$pc" replay "$tmp/random.bin"

# Per-request alignment, allocUnsafeSlow and failure injection (docs/SPEC.md).
bad align-zero 'alloc 8 align 0\n' '1: align 0: an op without align names no alignment'
# Refused ops (docs/SPEC.md, Failure) are valid lines: the allocator must
# refuse them, both traces say so, and they make no buffer.
printf 'alloc 1\nalloc 8 align 3\nalloc_slow 8 align 2147483648\npool_size 1073741825\nalloc 1\nrelease 1\n' >"$tmp/refused.ops"
check replay-refused 0 '1 ok' -- "$pc" replay "$tmp/refused.ops"
check trace-refused-align 0 '{"op":1,"error":"invalid_argument"}' -- "$pc" trace "$tmp/refused.ops"
check trace-refused-pool-size 0 '{"op":3,"error":"invalid_argument"}' -- "$pc" trace --model "$tmp/refused.ops"
"$pc" trace "$tmp/refused.ops" >"$tmp/ra" && "$pc" trace --model "$tmp/refused.ops" >"$tmp/rm"
check trace-refused-same 0 '' -- cmp "$tmp/ra" "$tmp/rm"
check trace-refused-numbering 0 '{"slice":1,"pooled":true,"pool":0,"offset":8,"length":1}' -- "$pc" trace "$tmp/refused.ops"
check parse-refused 0 '"op":"pool_size","size":1073741825,"refused":"invalid_argument"' -- "$pc" parse "$tmp/refused.ops"
check convert-refused 0 '' -- "$pc" convert "$tmp/refused.ops" -o "$tmp/refused.bin"
"$pc" convert "$tmp/refused.bin" >"$tmp/refused-back.ops"
check round-trip-refused 0 '' -- diff "$tmp/refused.ops" "$tmp/refused-back.ops"
bad align-word 'alloc 8 align x\n' '1: alignment is not a number'
bad fail-next-zero 'fail_next 0\n' '1: fail_next 0'
printf 'pool_size 100\nalloc 1\nalloc 40 align 64\nalloc_slow 7 align 4096\nfail_next\nalloc 5000\nalloc 1073741825\n' >"$tmp/new.ops"
check trace-aligned 0 '{"slice":1,"pooled":true,"pool":1,"offset":0,"length":40}' -- "$pc" trace "$tmp/new.ops"
check trace-slow 0 '{"slice":2,"pooled":false,"pool":null,"offset":0,"length":7}' -- "$pc" trace --model "$tmp/new.ops"
check trace-bad-alloc 0 '{"op":5,"error":"bad_alloc","upstream_request":4}' -- "$pc" trace "$tmp/new.ops"
check trace-retried 0 '{"slice":3,"pooled":false,"pool":null,"offset":0,"length":5000}' -- "$pc" trace "$tmp/new.ops"
check trace-length-error 0 '{"op":6,"error":"length_error"}' -- "$pc" trace "$tmp/new.ops"
"$pc" trace "$tmp/new.ops" >"$tmp/na" && "$pc" trace --model "$tmp/new.ops" >"$tmp/nm"
check trace-new-ops-same 0 '' -- cmp "$tmp/na" "$tmp/nm"
check replay-new-ops 0 '1 ok' -- "$pc" replay "$tmp/new.ops"
check new-ops-to-binary 0 '' -- "$pc" convert "$tmp/new.ops" -o "$tmp/new.bin"
"$pc" convert "$tmp/new.bin" >"$tmp/new-back.ops"
check new-ops-round-trip 0 '' -- diff <(sed 's/^fail_next$/fail_next 1/' "$tmp/new.ops") "$tmp/new-back.ops"
# trace --out-dir DIR FILE...: many files in one process, DIR/I.trace the same
# as `trace FILE` for the I-th file; a malformed file gets its FILE:LINE:
# problem (stderr and DIR/I.error) and exit 2, the files after it still traced.
check batch-trace 0 '' -- "$pc" trace --out-dir "$tmp/batch" "$tmp/two.ops" "$tmp/new.ops"
check batch-same-0 0 '' -- cmp "$tmp/batch/0.trace" <("$pc" trace "$tmp/two.ops")
check batch-same-1 0 '' -- cmp "$tmp/batch/1.trace" "$tmp/na"
check batch-model 0 '' -- "$pc" trace --model --out-dir "$tmp/batch-m" "$tmp/new.ops" "$tmp/seed.ops"
check batch-model-same 0 '' -- cmp "$tmp/batch-m/0.trace" "$tmp/nm"
check batch-model-same-1 0 '' -- cmp "$tmp/batch-m/1.trace" "$tmp/m"
check batch-malformed 2 "$tmp/kept-more.ops:1: from keeps more" -- \
  "$pc" trace --out-dir "$tmp/batch-bad" "$tmp/two.ops" "$tmp/kept-more.ops" "$tmp/nope.ops" "$tmp/seed.ops"
check batch-malformed-missing 2 "$tmp/nope.ops: cannot open" -- \
  "$pc" trace --out-dir "$tmp/batch-bad" "$tmp/two.ops" "$tmp/kept-more.ops" "$tmp/nope.ops" "$tmp/seed.ops"
check batch-malformed-error-file 0 "poolcheck: $tmp/kept-more.ops:1: from keeps more" -- cat "$tmp/batch-bad/1.error"
check batch-malformed-no-trace 1 '' -- test -e "$tmp/batch-bad/1.trace"
check batch-goes-on 0 '' -- cmp "$tmp/batch-bad/3.trace" "$tmp/a"
check batch-no-files 2 "trace --out-dir needs at least one file" -- "$pc" trace --out-dir "$tmp/batch-none"
check replay-regressions 0 ' 0 failed, 0 unreadable' -- "$pc" replay "$src/corpus/regressions"
# parse: the ops as JSON lines for the Node runner (docs/FORMATS.md); bad input
# is the usual FILE:LINE: problem and exit 2, the other files still printed.
check parse-header 0 '"max_alignment":4096,"max_cache_limit":1000000,"max_cache_window":1000000,"max_request":1073741824}}' -- "$pc" parse
check parse-ops 0 '{"line":2,"op":"alloc","size":4095,"creates":1,"text":"alloc 4095"}' -- "$pc" parse "$tmp/two.ops"
printf 'alloc 1\nfrom 3 4\n' >"$tmp/parse-bad.ops"
check parse-malformed 2 "$tmp/parse-bad.ops:2: from keeps more" -- "$pc" parse "$tmp/parse-bad.ops" "$tmp/two.ops"
check parse-goes-on 2 '"creates":1,"text":"alloc 4095"' -- "$pc" parse "$tmp/parse-bad.ops" "$tmp/two.ops"

echo "poolcheck_cli_test: $failures failed"
[ "$failures" = 0 ]
