#!/usr/bin/env bash
# ci-compare.sh: allocator = model = real Node on the pinned releases (the
# current LTS line and the newest, model/node/ci_compare.js PINNED), at least
# COUNT (default 1000) generated sequences each, with at least 200 aligned
# requests (v26.8.0 on) and 100 allocUnsafeSlow requests per 1000 among them.
# Builds what it needs (poolcheck, props_export) and installs the releases
# from npm.
#
#   bash scripts/node/ci-compare.sh [COUNT]
#
# More options: node model/node/ci_compare.js --help (see its header).
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
command -v node >/dev/null || { echo "ci-compare.sh: no node to run the driver (bash scripts/install-deps.sh installs one)" >&2; exit 2; }
exec node "$root/model/node/ci_compare.js" --count "${1:-1000}"
