#!/usr/bin/env bash
# compare.sh: compare buffer placements of poolcheck's allocator, poolcheck's
# model and real Node.js on op files.
#
#   scripts/node/compare.sh [-v] [-j JOBS] DIR_OR_FILE...
#
# Directories are searched recursively for *.ops (hidden entries skipped);
# files named directly may also be the fuzzers' binary form, which is turned
# into text with `poolcheck convert` first. For every sequence it runs
#   $POOLCHECK trace FILE            (the allocator)
#   $POOLCHECK trace --model FILE    (the model)
#   node scripts/node/pool_trace.js  (real Node; one process for all files)
# and compares the three traces line by line. Sequences with an op Node cannot
# express are skipped and counted (see docs/NODE.md).
#
# Environment: POOLCHECK (default build/default/model/poolcheck under the
# repository root), NODE (default node), MAX_REPORTS (disagreements printed in
# full, default 20).
# Exit: 0 all agree, 1 a disagreement, 2 bad usage, malformed or unreadable
# input, or a tool failure (and no disagreement).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
POOLCHECK=${POOLCHECK:-$root/build/default/model/poolcheck}
NODE=${NODE:-node}
MAX_REPORTS=${MAX_REPORTS:-20}
BATCH=1000  # files per pool_trace.js process (keeps argument lists short)

usage() {
  echo "usage: $0 [-v] [-j JOBS] DIR_OR_FILE..." >&2
  exit 2
}

verbose=0
jobs=1
inputs=()
while [ $# -gt 0 ]; do
  case "$1" in
    -v|--verbose) verbose=1 ;;
    -j) [ $# -ge 2 ] || usage; jobs=$2; shift ;;
    -j*) jobs=${1#-j} ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; inputs+=("$@"); break ;;
    -*) echo "compare.sh: unknown option $1" >&2; usage ;;
    *) inputs+=("$1") ;;
  esac
  shift
done
[ ${#inputs[@]} -gt 0 ] || usage
case "$jobs" in ''|*[!0-9]*|0) echo "compare.sh: -j takes a positive number" >&2; exit 2 ;; esac

if [ ! -x "$POOLCHECK" ]; then
  echo "compare.sh: poolcheck not found or not executable: $POOLCHECK (set POOLCHECK)" >&2
  exit 2
fi

start=$(date +%s.%N)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/node-compare.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

errors=0
error() {  # error MESSAGE: an input or tool problem (not a disagreement)
  echo "ERROR $*"
  errors=$((errors + 1))
}

# 1. The list of sequences: files[i] is what the tools run, names[i] what we print.
files=()
names=()
converted=0
for input in "${inputs[@]}"; do
  if [ -d "$input" ]; then
    while IFS= read -r -d '' f; do
      files+=("$f")
      names+=("$f")
    done < <(find "$input" -name '.?*' -prune -o -type f -name '*.ops' -print0 | LC_ALL=C sort -z)
  elif [ -f "$input" ]; then
    case "$input" in
      *.ops) files+=("$input"); names+=("$input") ;;
      *)
        out="$tmp/converted.$converted.ops"
        converted=$((converted + 1))
        if "$POOLCHECK" convert "$input" >"$out" 2>"$tmp/convert.err"; then
          files+=("$out")
          names+=("$input")
        else
          error "$input: poolcheck convert failed: $(head -c 2000 "$tmp/convert.err")"
        fi
        ;;
    esac
  else
    error "$input: no such file or directory"
  fi
done
total=${#files[@]}

# 2. Node traces, BATCH files per node process. The trace of sequence i is
# $tmp/node/b<i / BATCH>/<i % BATCH>.jsonl (or .inexpressible or .malformed).
node_out() {  # node_out INDEX KIND: sets $path
  path="$tmp/node/b$(($1 / BATCH))/$(($1 % BATCH)).$2"
}
for ((first = 0; first < total; first += BATCH)); do
  "$NODE" "$here/pool_trace.js" --out-dir "$tmp/node/b$((first / BATCH))" -- "${files[@]:first:BATCH}" \
    2>"$tmp/node.err"
  rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 2 ] && [ $rc -ne 3 ]; then
    echo "compare.sh: pool_trace.js failed (exit $rc):" >&2
    cat "$tmp/node.err" >&2
    exit 2
  fi
done

# 3. poolcheck traces (allocator and model) for every sequence Node can run,
# in $tmp/{alloc,model}/<i>.{jsonl,err,rc}.
mkdir -p "$tmp/alloc" "$tmp/model"
# shellcheck disable=SC2317  # run by xargs through bash -c
run_poolcheck() {  # run_poolcheck INDEX FILE [INDEX FILE]...
  while [ $# -ge 2 ]; do
    "$POOLCHECK" trace "$2" >"$tmp/alloc/$1.jsonl" 2>"$tmp/alloc/$1.err"
    echo $? >"$tmp/alloc/$1.rc"
    "$POOLCHECK" trace --model "$2" >"$tmp/model/$1.jsonl" 2>"$tmp/model/$1.err"
    echo $? >"$tmp/model/$1.rc"
    shift 2
  done
}
export -f run_poolcheck
export POOLCHECK tmp
per_call=$(( (total / jobs / 2 + 1) * 2 ))  # an even number of arguments per bash
[ $per_call -gt 400 ] && per_call=400
for ((i = 0; i < total; i++)); do
  node_out $i jsonl
  [ -e "$path" ] && printf '%s\0%s\0' "$i" "${files[i]}"
done | xargs -0 -r -n "$per_call" -P "$jobs" bash -c 'run_poolcheck "$@"' _

# 4. Compare.
agree=0
disagree=0
inexpressible=0
reported=0
print_report() {  # print_report INDEX
  local i=$1
  node_out "$i" jsonl
  echo "DISAGREE ${names[i]}"
  echo "--- ops (${files[i]})"
  awk '{ printf "%5d  %s\n", NR, $0 } NR == 200 { print "  ..."; exit }' "${files[i]}"
  echo "--- traces: A = poolcheck trace (allocator), M = poolcheck trace --model, N = node"
  awk -v A="$tmp/alloc/$i.jsonl" -v M="$tmp/model/$i.jsonl" -v N="$path" '
    BEGIN {
      for (n = 1; ; n++) {
        ra = (getline a < A) > 0; rm = (getline m < M) > 0; rn = (getline x < N) > 0
        if (!ra && !rm && !rn) break
        if (!ra) a = "(none)"; if (!rm) m = "(none)"; if (!rn) x = "(none)"
        if (a == m && m == x) { printf "     %s\n", a; continue }
        printf "  A! %s\n  M! %s\n  N! %s\n", a, m, x
        if (++shown >= 40) { print "  ... (more differences not shown)"; break }
      }
    }'
}
a='' m='' n='' msg=''
slurp() {  # slurp VAR FILE: the whole file into VAR, without a subshell
  IFS= read -r -d '' "$1" <"$2"
}
for ((i = 0; i < total; i++)); do
  name=${names[i]}
  node_out $i malformed
  if [ -e "$path" ]; then
    slurp msg "$path"
    msg=${msg#pool_trace: }
    msg=${msg//"${files[i]}"/"$name"}
    error "${msg%$'\n'}"
    continue
  fi
  node_out $i inexpressible
  if [ -e "$path" ]; then
    inexpressible=$((inexpressible + 1))
    if [ $verbose -eq 1 ]; then
      echo "SKIP $name: Node cannot express:"
      slurp msg "$path"
      msg=${msg//"${files[i]}"/"$name"}
      printf '%s' "$msg" | grep -v '^pool_trace:' | sed 's/^/    /'
    fi
    continue
  fi
  node_out $i jsonl
  if [ ! -e "$path" ]; then
    error "$name: no trace from pool_trace.js"
    continue
  fi
  slurp n "$path"
  bad=0
  for side in alloc model; do
    rc=missing
    [ -e "$tmp/$side/$i.rc" ] && read -r rc <"$tmp/$side/$i.rc"
    if [ "$rc" != 0 ]; then
      what="poolcheck trace"; [ $side = model ] && what="poolcheck trace --model"
      error "$name: $what failed (exit $rc): $(head -c 2000 "$tmp/$side/$i.err")"
      bad=1
    fi
  done
  [ $bad -eq 0 ] || continue
  slurp a "$tmp/alloc/$i.jsonl"
  slurp m "$tmp/model/$i.jsonl"
  if [ "$a" == "$m" ] && [ "$m" == "$n" ]; then
    agree=$((agree + 1))
    [ $verbose -eq 1 ] && echo "ok   $name"
  else
    disagree=$((disagree + 1))
    if [ $reported -lt "$MAX_REPORTS" ]; then
      print_report "$i"
      reported=$((reported + 1))
    else
      echo "DISAGREE $name (details not shown: MAX_REPORTS=$MAX_REPORTS)"
    fi
  fi
done

[ "$total" -eq 0 ] && echo "compare.sh: warning: no sequences found in: ${inputs[*]}" >&2
summary="node-compare: $total sequences, $agree agree, $disagree disagree, $inexpressible inexpressible (skipped)"
[ $errors -gt 0 ] && summary="$summary, $errors errors"
echo "$summary"
if [ $verbose -eq 1 ]; then
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "node-compare: %.1f s, node %s\n", e - s, "'"$("$NODE" --version)"'" }'
fi
[ $disagree -gt 0 ] && exit 1
[ $errors -gt 0 ] && exit 2
exit 0
