#!/usr/bin/env bash
# readme_test.sh: runs every command line of the README's section "Checking
# the model against real Node.js" the way a user types it (from the
# repository root, with no POOLCHECK* variables), and fails unless each exits 0.
#   bash model/node/readme_test.sh [ROOT]
# Cost: the section's commands themselves (several minutes: ctest -L readme).
set -u
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
cd "$root" || exit 2
section=$(awk '/^## Checking the model against real Node.js/ { on = 1; next } /^## / { on = 0 } on' README.md)
mapfile -t commands < <(printf '%s\n' "$section" | sed -n 's/^    \(\(bash\|node\) .*\)$/\1/p')
[ ${#commands[@]} -gt 0 ] || { echo "readme_test: no commands found in the README's Node section"; exit 1; }
passed=0
failed=0
for command in "${commands[@]}"; do
  echo "=== $command"
  start=$SECONDS
  if env -u POOLCHECK -u POOLCHECK_EXPORT bash -c "$command"; then
    passed=$((passed + 1))
    echo "=== ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    echo "=== FAILED (exit $?, $((SECONDS - start)) s)"
  fi
done
echo "readme_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
