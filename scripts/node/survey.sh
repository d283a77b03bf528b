#!/usr/bin/env bash
# survey.sh: the comparison with real Node on several Node releases, one
# command, for a local check (CI runs ci-compare.sh on the pinned release).
#
#   scripts/node/survey.sh [-n COUNT] [VERSION...]
#
# Default versions: the ones docs/NODE.md reports on (DEFAULT_VERSIONS), less
# v22.7.0, whose broken UTF-8 encoder stops pool_trace.js (exit 4, by design).
# For each: install-node.sh VERSION, then ci-compare.sh COUNT (default 1000)
# with that Node and the quick self test, on the same sequences for all: the
# *.ops under $NODE_COMPARE_INPUT, or COUNT + 25% generated once with
# "$POOLCHECK_EXPORT" --count N --seed S --out DIR (S: NODE_COMPARE_SEED, default 1).
# Each version is made expressible separately (what Node can express differs
# between versions). Prints each version's ci-compare.sh line, then
#   node-survey: 7 versions, 7 ok, 0 failed
# Exit 0 when every version passed, 1 otherwise (2: bad usage or no input).
# Environment as for ci-compare.sh (POOLCHECK, NODE_COMPARE_JOBS); set
# NODE_COMPARE_SELFTEST=full for the full self test (about 15 s per version).
set -u -o pipefail

DEFAULT_VERSIONS=(18.20.8 20.17.0 20.18.0 20.20.2 22.6.0 22.23.3 24.17.0 24.18.0 24.21.0 25.9.0)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
count=1000
versions=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) [ $# -ge 2 ] || { echo "survey.sh: -n takes a number" >&2; exit 2; }; count=$2; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "survey.sh: unknown option $1" >&2; exit 2 ;;
    *) versions+=("$1") ;;
  esac
  shift
done
case "$count" in ''|*[!0-9]*) echo "survey.sh: -n takes a number" >&2; exit 2 ;; esac
[ ${#versions[@]} -gt 0 ] || versions=("${DEFAULT_VERSIONS[@]}")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/node-survey.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
if [ -n "${NODE_COMPARE_INPUT:-}" ]; then
  input=$NODE_COMPARE_INPUT
elif [ -n "${POOLCHECK_EXPORT:-}" ]; then
  input=$tmp/input
  n=$((count + count / 4 + 10))
  if ! "$POOLCHECK_EXPORT" --count "$n" --seed "${NODE_COMPARE_SEED:-1}" --out "$input" >"$tmp/export.out" 2>&1; then
    cat "$tmp/export.out" >&2
    echo "survey.sh: $POOLCHECK_EXPORT failed" >&2
    exit 2
  fi
else
  echo "survey.sh: no sequences: set NODE_COMPARE_INPUT to a directory of .ops files, or POOLCHECK_EXPORT to the exporter" >&2
  exit 2
fi

ok=0
failed=0
for version in "${versions[@]}"; do
  NODE_COMPARE_VERSION=$version NODE_COMPARE_INPUT=$input NODE_COMPARE_SELFTEST=${NODE_COMPARE_SELFTEST:-quick} \
    bash "$here/ci-compare.sh" "$count" >"$tmp/out" 2>&1
  rc=$?
  line=$(grep '^node-ci-compare: ' "$tmp/out" | tail -1)
  [ -n "$line" ] || line="node-ci-compare: FAILED: no summary (exit $rc): $(tail -c 300 "$tmp/out")"
  if [ $rc -eq 0 ]; then
    ok=$((ok + 1))
  else
    failed=$((failed + 1))
    # The details (first reports) go to stderr, the lines stay one per version.
    grep -v '^node-ci-compare: ' "$tmp/out" | head -60 | sed "s/^/  [$version] /" >&2
  fi
  echo "$version: ${line#node-ci-compare: }"
done
echo "node-survey: ${#versions[@]} versions, $ok ok, $failed failed"
[ $failed -eq 0 ]
