#!/usr/bin/env bash
# Installs what poolcheck needs on Debian 12, and nothing that is already
# there. Safe to run again; quick when everything is present.
set -euo pipefail

packages=(
  g++ cmake ninja-build          # default build
  clang libclang-rt-14-dev llvm  # clang build, libFuzzer, sanitizers, coverage tools
  libgtest-dev librapidcheck-dev # unit and property tests
  libbenchmark-dev libmimalloc-dev libjemalloc-dev  # benchmarks
  valgrind                       # bench/instructions.sh: instructions per buffer (docs/BENCHMARKS.md)
  git                            # scripts/bench.sh --baseline REV: allocator/ as it was at REV
  ca-certificates                # npm (Node versions for the comparison)
  python3                        # mutation testing: scripts/mutation/ (mutants, schemata, campaign)
  afl++                          # scripts/fuzz.sh --engine afl, the OSS-Fuzz check's AFL++ build
  clang-19 libc++-19-dev libc++abi-19-dev libclang-rt-19-dev  # OSS-Fuzz check: libc++ with <memory_resource>
  zip unzip                      # seed corpus zips (OSS-Fuzz check)
  librsvg2-bin libxml2-utils chromium fonts-dejavu-core  # pictures: render SVG, check XML, render HTML
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# Node.js may come from elsewhere than Debian (this is what the comparison
# with real Node needs); install Debian's only when there is no node at all.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
