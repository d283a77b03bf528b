# shellcheck shell=bash
# Shared by the fuzzing scripts (scripts/fuzz*.sh, replay.sh, coverage.sh):
# logging, the presets they build, and the target table CMake writes. The
# targets, their flags and their seed corpora are defined in fuzz/CMakeLists.txt
# only; a configured build has them in build/<preset>/fuzz/fuzz_targets.tsv.
# Source it; it defines functions and variables only.

fuzz_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034  # used by the scripts that source this file
fuzz_work_dir=$fuzz_root/build/fuzz-work  # campaigns: working corpora, logs, crashes
# The corpus fuzz.sh merges into and fuzz-minimize.sh keeps regressions in:
# corpus/, or FUZZ_CORPUS_DIR (a copy of it: scripts/readme-commands.sh runs
# both in the test command without writing to corpus/).
# shellcheck disable=SC2034  # used by the scripts that source this file
fuzz_corpus_dir=${FUZZ_CORPUS_DIR:-$fuzz_root/corpus}

fuzz_log() { echo "[$(basename "$0")] $*" >&2; }
fuzz_die() { fuzz_log "error: $*"; exit 2; }

# Installs the toolchain on a fresh machine (quick when all is there).
fuzz_install_deps() {
  if [ -f "$fuzz_root/scripts/install-deps.sh" ]; then
    bash "$fuzz_root/scripts/install-deps.sh" >&2 || fuzz_die "scripts/install-deps.sh failed"
  fi
}

# fuzz_configure PRESET: configures build/PRESET (once) and loads its table.
fuzz_configure() {
  local preset=$1 log=$fuzz_root/build/$1-configure.log
  mkdir -p "$fuzz_root/build"
  if [ ! -f "$fuzz_root/build/$preset/CMakeCache.txt" ]; then
    fuzz_log "configuring the $preset preset in build/$preset"
    (cd "$fuzz_root" && cmake --preset "$preset" >"$log" 2>&1) ||
      { cat "$log" >&2; fuzz_die "cmake --preset $preset failed"; }
  fi
  fuzz_load_table "$fuzz_root/build/$preset"
}

# fuzz_build PRESET [TARGET...]: configures and builds (only TARGETs if given).
fuzz_build() {
  local preset=$1
  shift
  fuzz_configure "$preset"
  local targets=()
  [ $# -eq 0 ] || targets=(--target "$@")
  fuzz_log "building ${*:-the $preset preset} in build/$preset"
  (cd "$fuzz_root" && cmake --build --preset "$preset" "${targets[@]}") >"$fuzz_root/build/$preset-build.log" 2>&1 ||
    { tail -n 40 "$fuzz_root/build/$preset-build.log" >&2; fuzz_die "building the $preset preset failed"; }
  fuzz_load_table "$fuzz_root/build/$preset"
}

# The libFuzzer binaries, their seed corpora and dictionaries, and poolcheck
# (clang, ASan+UBSan; targets of the `fuzz` preset): what fuzz.sh and the
# smoke run use, one build for both. --replay: also the replay drivers
# (fuzz-minimize.sh), a quarter of the preset's compile time.
fuzz_build_fuzzers() {
  command -v clang++ >/dev/null 2>&1 || fuzz_die "clang++ not found (scripts/install-deps.sh installs it)"
  fuzz_configure fuzz
  local replay=()
  [ "${1:-}" != --replay ] || replay=("${fuzz_all_targets[@]/%/_replay}")
  fuzz_build fuzz "${fuzz_all_targets[@]}" fuzz_seed_corpora fuzz_dictionaries poolcheck "${replay[@]}"
}

# The replay drivers and poolcheck with clang++, ASan and UBSan, no fuzzing
# engine: targets of the `sanitize` preset, which the test command builds.
fuzz_build_replay() {
  fuzz_configure sanitize
  fuzz_build sanitize "${fuzz_all_targets[@]/%/_replay}" poolcheck
}

# Reads BUILD_DIR/fuzz/fuzz_targets.tsv into fuzz_all_targets (and
# model/adapter/fuzz_adapter_targets.tsv into fuzz_adapter_targets) and, per
# target, fuzz_input (bytes|text), fuzz_binary, fuzz_replay, fuzz_seeds and
# fuzz_flags (libFuzzer flags); fuzz_poolcheck is the tool.
# shellcheck disable=SC2034  # the arrays are for the scripts that source this
fuzz_load_table() {
  local table=$1/fuzz/fuzz_targets.tsv name input binary replay seeds flags
  [ -f "$table" ] || fuzz_die "no ${table#"$fuzz_root"/}: configure the build first"
  fuzz_all_targets=()
  declare -gA fuzz_input=() fuzz_binary=() fuzz_replay=() fuzz_seeds=() fuzz_flags=()
  while IFS=$'\t' read -r name input binary replay seeds flags; do
    if [ "$name" = "# poolcheck" ]; then fuzz_poolcheck=$input; continue; fi
    [[ $name == \#* ]] && continue
    fuzz_all_targets+=("$name")
    fuzz_input[$name]=$input fuzz_binary[$name]=$binary fuzz_replay[$name]=$replay
    fuzz_seeds[$name]=$seeds fuzz_flags[$name]=$flags
  done <"$table"
  # The adapter targets (model/adapter/CMakeLists.txt): fuzz_adapter_targets,
  # not in fuzz_all_targets (a campaign runs them only when FUZZ_TARGETS
  # names them); their input, seeds and flags are fuzz_pool_diff's.
  fuzz_adapter_targets=()
  [ -f "$1/model/adapter/fuzz_adapter_targets.tsv" ] || return 0
  while IFS=$'\t' read -r name binary replay; do
    [[ $name == \#* ]] && continue
    fuzz_adapter_targets+=("$name")
    fuzz_input[$name]=${fuzz_input[fuzz_pool_diff]} fuzz_binary[$name]=$binary fuzz_replay[$name]=$replay
    fuzz_seeds[$name]=${fuzz_seeds[fuzz_pool_diff]} fuzz_flags[$name]=${fuzz_flags[fuzz_pool_diff]}
  done <"$1/model/adapter/fuzz_adapter_targets.tsv"
}

# The flags of TARGET as words, one per line (for mapfile).
fuzz_options() { tr ' ' '\n' <<<"${fuzz_flags[$1]}" | grep .; }

# The target a file belongs to, from its path: corpus/fuzz_X/...,
# build/fuzz-work/fuzz_X/... or any other .../fuzz_X/...; text ops (*.ops)
# and anything else go to fuzz_pool_diff.
fuzz_target_of() {
  local path target
  path=$(cd "$(dirname "$1")" 2>/dev/null && pwd)/$(basename "$1")
  for target in "${fuzz_all_targets[@]}" "${fuzz_adapter_targets[@]}"; do
    [[ $path == */$target/* ]] && { echo "$target"; return; }
  done
  echo fuzz_pool_diff
}

fuzz_is_target() { [ -n "${1:-}" ] && [ -n "${fuzz_input[$1]:-}" ]; }

fuzz_count_files() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l; }

# fuzz_write_run WORK TARGET ENGINE EDGES INPUTS LOG...: WORK/fuzz-run.txt,
# what scripts/charts/fuzz_chart.js draws for this run of TARGET: the logs
# of this run only (earlier runs leave theirs in WORK: an AFL++ run's
# afl/*/plot_data stays through later libFuzzer runs) and the edges and corpus inputs of the
# summary line, so that the chart's legend is that line's numbers.
fuzz_write_run() {
  local work=$1 target=$2 engine=$3 edges=$4 inputs=$5 log
  shift 5
  {
    echo "# scripts/fuzz.sh's last run of $target, for scripts/charts/fuzz_chart.js"
    printf 'target\t%s\nengine\t%s\nedges\t%s\ninputs\t%s\n' "$target" "$engine" "$edges" "$inputs"
    for log in "$@"; do
      if [ -f "$log" ]; then printf 'log\t%s\n' "${log#"$work"/}"; fi
    done
  } >"$work/fuzz-run.txt"
}
