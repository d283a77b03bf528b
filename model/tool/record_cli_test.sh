#!/usr/bin/env bash
# record_cli_test.sh: the command-line contract of poolcheck record, whatif
# and replay of recordings, without Node (ctest record_cli_test, label unit):
# exit codes and messages for bad usage and bad input. Programs recorded in
# real Node are model/node/record_programs.sh's (label node).
#   POOLCHECK=build/default/model/poolcheck bash model/tool/record_cli_test.sh ROOT
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
poolcheck=${POOLCHECK:-$root/build/default/model/poolcheck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
# expect CODE TEXT COMMAND...: COMMAND exits CODE and prints TEXT (stdout or stderr).
expect() {
  local code=$1 text=$2; shift 2
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" != "$code" ] || [[ $out != *"$text"* ]]; then
    echo "FAIL: $* -> exit $rc, wanted $code and '$text'; got:"
    printf '%s\n' "$out" | head -5
    failed=$((failed + 1))
  fi
}
header='# poolcheck recording 1: node v26.12.1, pool over-allocation 64, aligned API yes'
printf '%s\n#@ pool_size 65536\nalloc 100  # node: pool 0 offset 0 length 100 via allocUnsafe\nalloc 7  # node: pool 0 offset 104 length 7 via allocUnsafe\n' "$header" > "$tmp/good.ops"
printf '%s\n#@ pool_size 65536\nalloc 100  # node: pool 0 offset 0 length 100 via allocUnsafe\nalloc 7\n' "$header" > "$tmp/bare.ops"
printf '%s\n#@ pool_size 65536\nalloc 100  # node: pool 0 offset 0 length 100 via allocUnsafe\nalloc 7  # node: pool 0 offset 112 length 7 via allocUnsafe\n' "$header" > "$tmp/moved.ops"
printf 'alloc 100\nalloc 7\n' > "$tmp/plain.ops"

expect 0 "1 ok, 0 failed" "$poolcheck" replay "$tmp/good.ops"
expect 2 "bare.ops:4: recorded op without its placement" "$poolcheck" replay "$tmp/bare.ops"
expect 1 "buffer #1 (via allocUnsafe, Node v26.12.1)" "$poolcheck" replay "$tmp/moved.ops"
expect 2 "-o FILE.ops is required" "$poolcheck" record -- true
expect 2 "no command after --" "$poolcheck" record -o "$tmp/r.ops" --
expect 2 "--max-ops takes a positive number" "$poolcheck" record -o "$tmp/r.ops" --max-ops 0 -- true
expect 2 "no recording (no Node process loaded the preload" "$poolcheck" record -o "$tmp/r.ops" -- true
expect 127 "cannot run" "$poolcheck" record -o "$tmp/r.ops" -- "$tmp/no-such-program"
expect 2 "--pool-size LIST is required" "$poolcheck" whatif "$tmp/plain.ops"
expect 2 "--pool-size takes a comma list" "$poolcheck" whatif --pool-size 8192,x "$tmp/plain.ops"
expect 2 "--alignment takes a comma list" "$poolcheck" whatif --pool-size 8192 --alignment 3 "$tmp/plain.ops"
expect 2 "-o writes an SVG chart" "$poolcheck" whatif --pool-size 8192 "$tmp/plain.ops" -o "$tmp/w.png"
expect 2 "bare.ops:4: recorded op without its placement" "$poolcheck" whatif --pool-size 8192 --summary "$tmp/bare.ops"
expect 2 "plain.ops: not a recording" "$poolcheck" whatif --pool-size 8192 --summary "$tmp/plain.ops"
expect 2 "no-such.ops: cannot open" "$poolcheck" whatif --pool-size 8192 "$tmp/no-such.ops"
expect 0 "| 8192 | 8 | 1 | 8.0 KiB |" "$poolcheck" whatif --pool-size 8192,65536 "$tmp/plain.ops" -o "$tmp/w.svg"
expect 0 "| good.ops (v26.12.1) | 2 | 100.0% | 0 | 0 | 1 | 64.0 KiB |" "$poolcheck" whatif --pool-size 65536 --summary "$tmp/good.ops"
if ! grep -q 'class="held-peak"' "$tmp/w.svg" 2>/dev/null; then echo "FAIL: whatif -o wrote no chart"; failed=$((failed + 1)); fi
echo "record_cli_test: $failed failed"
[ $failed -eq 0 ]
