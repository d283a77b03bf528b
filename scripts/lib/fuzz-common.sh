# shellcheck shell=bash
# Shared by the fuzzing scripts (scripts/fuzz*.sh, replay.sh, coverage.sh):
# where things are, how to build them, and each target's libFuzzer flags.
# Source it; it defines functions and variables only.

fuzz_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fuzz_all_targets=(fuzz_pool_diff fuzz_pool_invariants fuzz_ops_text)
fuzz_build_dir=$fuzz_root/build/fuzz      # the `fuzz` preset: clang, libFuzzer, ASan+UBSan
fuzz_gcc_dir=$fuzz_root/build/fuzz-gcc    # engine-less replay drivers, g++ ASan+UBSan
# shellcheck disable=SC2034  # used by the scripts that source this file
fuzz_work_dir=$fuzz_root/build/fuzz-work  # campaigns: working corpora, logs, crashes

fuzz_log() { echo "[$(basename "$0")] $*" >&2; }
fuzz_die() { fuzz_log "error: $*"; exit 2; }

# Installs the toolchain on a fresh machine (quick when all is there).
fuzz_install_deps() {
  if [ -f "$fuzz_root/scripts/install-deps.sh" ]; then
    bash "$fuzz_root/scripts/install-deps.sh" >&2 || fuzz_die "scripts/install-deps.sh failed"
  fi
}

fuzz_have_clang() { command -v clang++ >/dev/null 2>&1; }

# Configures and builds the `fuzz` preset: the libFuzzer binaries, the
# replay drivers and poolcheck, all clang with ASan+UBSan.
fuzz_build_fuzzers() {
  fuzz_have_clang || fuzz_die "clang++ not found (scripts/install-deps.sh installs it)"
  fuzz_log "building the fuzz preset in build/fuzz"
  mkdir -p "$fuzz_root/build"
  (cd "$fuzz_root" && cmake --preset fuzz >"$fuzz_root/build/fuzz-configure.log" 2>&1) ||
    { cat "$fuzz_root/build/fuzz-configure.log" >&2; fuzz_die "cmake --preset fuzz failed"; }
  (cd "$fuzz_root" && cmake --build --preset fuzz) >/dev/null || fuzz_die "cmake --build --preset fuzz failed"
}

# Configures build/fuzz-gcc and builds the replay drivers and poolcheck with
# g++, ASan and UBSan: replay needs no clang.
fuzz_build_replay() {
  mkdir -p "$fuzz_root/build"
  if [ ! -f "$fuzz_gcc_dir/CMakeCache.txt" ]; then
    fuzz_log "configuring build/fuzz-gcc (g++, ASan+UBSan, replay drivers)"
    cmake -S "$fuzz_root" -B "$fuzz_gcc_dir" -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DPOOLCHECK_BUILD_FUZZ_REPLAY=ON -DPOOLCHECK_BUILD_PROPS=OFF \
      -DPOOLCHECK_SANITIZERS=address,undefined >"$fuzz_root/build/fuzz-gcc-configure.log" 2>&1 ||
      { cat "$fuzz_root/build/fuzz-gcc-configure.log" >&2; fuzz_die "configuring build/fuzz-gcc failed"; }
  fi
  local drivers=() target
  for target in "${fuzz_all_targets[@]}"; do drivers+=("${target}_replay"); done
  cmake --build "$fuzz_gcc_dir" --target "${drivers[@]}" poolcheck >/dev/null ||
    fuzz_die "building the replay drivers failed"
}

# The flags in fuzz/TARGET.options ([libfuzzer] section, `name = value`), as
# -name=value words; a dict is found next to the options file.
fuzz_options() {
  local file=$fuzz_root/fuzz/$1.options section='' line name value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    [[ $line =~ ^[[:space:]]*\[(.*)\][[:space:]]*$ ]] && { section=${BASH_REMATCH[1]}; continue; }
    [[ $section == libfuzzer && $line =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*([^[:space:]]+) ]] || continue
    name=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    [ "$name" = dict ] && value=$fuzz_root/fuzz/$value
    printf -- '-%s=%s\n' "$name" "$value"
  done <"$file"
}

# The target a file belongs to, from its path: corpus/fuzz_X/..., or
# build/fuzz-work/fuzz_X/...; text ops (*.ops) go to fuzz_pool_diff.
fuzz_target_of() {
  local path target
  path=$(cd "$(dirname "$1")" 2>/dev/null && pwd)/$(basename "$1")
  for target in "${fuzz_all_targets[@]}"; do
    [[ $path == */$target/* ]] && { echo "$target"; return; }
  done
  echo fuzz_pool_diff
}

fuzz_is_target() {
  local target
  for target in "${fuzz_all_targets[@]}"; do [ "$target" = "$1" ] && return 0; done
  return 1
}

# Text scenarios and regressions as binary seeds for the allocator targets,
# into DIR (the ones the binary form cannot carry are skipped).
fuzz_binary_seeds() {
  local dir=$1 poolcheck=$fuzz_build_dir/model/poolcheck file
  mkdir -p "$dir"
  for file in "$fuzz_root"/corpus/scenarios/*.ops "$fuzz_root"/corpus/regressions/*.ops; do
    [ -f "$file" ] || continue
    "$poolcheck" convert "$file" -o "$dir/$(basename "$file" .ops)" 2>/dev/null || rm -f "$dir/$(basename "$file" .ops)"
  done
}

# Seeds for TARGET beyond its own corpus: binary scenarios for the allocator
# targets, the text files as they are for the parser.
fuzz_extra_seeds() {
  local target=$1 dir=$2
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ "$target" = fuzz_ops_text ]; then
    cp "$fuzz_root"/corpus/scenarios/*.ops "$fuzz_root"/corpus/regressions/*.ops "$dir"/ 2>/dev/null || true
  else
    fuzz_binary_seeds "$dir"
  fi
}

fuzz_count_files() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l; }
