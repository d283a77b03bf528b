#!/usr/bin/env bash
# survey.sh: the comparison with real Node on several releases, one line each
# (default: v18.20.8, v20.20.2, v22.23.5, v24.22.3, v26.3.0, v26.12.1; see
# model/node/survey.js). Builds what it needs and installs the releases from npm.
#
#   bash scripts/node/survey.sh [-n COUNT] [VERSION...]
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
command -v node >/dev/null || { echo "survey.sh: no node to run the driver (bash scripts/install-deps.sh installs one)" >&2; exit 2; }
exec node "$root/model/node/survey.js" "$@"
