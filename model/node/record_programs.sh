#!/usr/bin/env bash
# record_programs.sh: records real Node programs with `poolcheck record` on
# each pinned release and checks that every recording replays with all of
# Node's placements agreeing with the model (ctest node_record_programs,
# label node; docs/NODE.md, "Recording real programs").
#
#   model/node/record_programs.sh [--out DIR] [--release V]...
#
# Programs: three npm packages at pinned versions, installed here into
# build/node/programs with npm's ordinary client (tsc compiling a two-file
# project, markdown-it rendering docs/*.md, prettier --check over
# model/node/*.js), an HTTP server and client over 127.0.0.1 (40 requests,
# record_http.js) and a gzip round trip of three docs (record_gzip.js); and
# record_hidden.js, whose pool traffic the recorder cannot see (inferred
# ops; recorded again with POOLCHECK_RECORD_NO_INFERENCE=1, its replay must
# fail). Each
# program also runs once unrecorded: its stdout and exit code must be the
# same under the recorder. Recordings go to DIR (default
# build/node/recordings) as PROGRAM-VERSION.ops; `--out
# model/node/recordings` refreshes the committed ones that docs/NODE.md's
# tables are made from. Exit 0 all agree, 1 otherwise.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build/node/recordings
releases=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --release) releases+=("$2"); shift 2 ;;
    *) echo "usage: $0 [--out DIR] [--release V]..." >&2; exit 2 ;;
  esac
done
[ ${#releases[@]} -gt 0 ] || releases=(24.22.3 26.12.1)
poolcheck=${POOLCHECK:-$root/build/default/model/poolcheck}
if [ ! -x "$poolcheck" ]; then
  cmake --preset default >&2 && cmake --build --preset default --target poolcheck >&2
fi
mkdir -p "$out"

# The npm programs, pinned.
packages=(typescript@5.9.3 markdown-it@14.1.0 prettier@3.6.2)
programs=$root/build/node/programs
mkdir -p "$programs"
(
  flock 9
  installed=yes
  for p in "${packages[@]}"; do
    v=$(node -p "try { require('$programs/node_modules/${p%@*}/package.json').version } catch { '' }")
    [ "$v" = "${p##*@}" ] || installed=no
  done
  if [ $installed = no ]; then
    npm install --prefix "$programs" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
      --prefer-offline "${packages[@]}" >&2
  fi
) 9>"$programs/.lock"

# A two-file TypeScript project.
project=build/node/tsc-project  # relative: the recordings' argv lines name it so
mkdir -p "$root/$project"
cat > "$root/$project/tsconfig.json" <<'JSON'
{ "compilerOptions": { "target": "es2020", "module": "commonjs", "strict": true, "outDir": "out" }, "include": ["*.ts"] }
JSON
cat > "$root/$project/shapes.ts" <<'TS'
export interface Shape { area(): number; name: string }
export class Circle implements Shape { name = 'circle'; constructor(private r: number) {} area() { return Math.PI * this.r ** 2; } }
export class Square implements Shape { name = 'square'; constructor(private s: number) {} area() { return this.s * this.s; } }
TS
cat > "$root/$project/main.ts" <<'TS'
import { Circle, Shape, Square } from './shapes';
const shapes: Shape[] = [new Circle(1), new Square(2)];
for (const s of shapes) console.log(`${s.name}: ${s.area().toFixed(2)}`);
TS

failed=0
for version in "${releases[@]}"; do
  node_bin=$(bash "$root/scripts/node/install-node.sh" "$version")
  # name, then the command line after the node binary
  run() {
    local name=$1; shift
    local file=$out/$name-$version.ops plain_out rec_out plain_code=0 rec_code=0
    plain_out=$(cd "$root" && "$node_bin" "$@" 2>/dev/null) || plain_code=$?
    rm -rf "$root/$project/out"
    # The program's stderr (prettier's list, say) is left out; poolcheck's
    # summary line is printed.
    rec_out=$(cd "$root" && "$poolcheck" record -o "$file" --max-ops 200000 -- "$node_bin" "$@" \
      2> >(grep '^poolcheck record:' >&2)) || rec_code=$?
    rm -rf "$root/$project/out"
    if [ "$plain_out" != "$rec_out" ] || [ $plain_code != $rec_code ]; then
      echo "record-programs: $name on v$version: output or exit code changed under the recorder ($plain_code, recorded $rec_code)"
      failed=1
    fi
    if ! "$poolcheck" replay --quiet "$file"; then failed=1; fi
  }
  run tsc "$programs/node_modules/typescript/bin/tsc" -p "$project"
  run markdown-it "$root/model/node/record_markdown.js" "$programs" docs
  run prettier "$programs/node_modules/prettier/bin/prettier.cjs" --check 'model/node/*.js'
  run http "$root/model/node/record_http.js" 40
  run gzip "$root/model/node/record_gzip.js" docs/NODE.md docs/FORMATS.md docs/SPEC.md
  # Hidden traffic: the recording must carry inferred ops, and a recorder
  # that infers none must fail the replay.
  run hidden "$root/model/node/record_hidden.js"
  if ! grep -q '# node: inferred' "$out/hidden-$version.ops"; then
    echo "record-programs: hidden-$version.ops has no inferred op"
    failed=1
  fi
  blind=$(mktemp --suffix=.ops)
  (cd "$root" && POOLCHECK_RECORD_NO_INFERENCE=1 "$poolcheck" record -o "$blind" -- "$node_bin" model/node/record_hidden.js \
    >/dev/null 2>&1) || true
  blind_code=0
  "$poolcheck" replay "$blind" >/dev/null || blind_code=$?
  rm -f "$blind"
  if [ $blind_code != 1 ]; then
    echo "record-programs: v$version: a recording without inferred ops replayed with exit $blind_code, not 1"
    failed=1
  fi
  # --max-ops: a clear message, a file of exactly that many ops that replays.
  bounded=$(mktemp --suffix=.ops)
  message=$( (cd "$root" && "$poolcheck" record -o "$bounded" --max-ops 10 -- "$node_bin" model/node/record_http.js 5) 2>&1 >/dev/null) || true
  ops=$(grep -cv '^#' "$bounded" || true)
  if [[ $message != *"--max-ops 10 reached"* ]] || [ "$ops" != 10 ] || ! "$poolcheck" replay --quiet "$bounded" >/dev/null; then
    echo "record-programs: v$version: --max-ops 10 gave $ops ops and: $message"
    failed=1
  fi
  rm -f "$bounded"
done
if [ $failed = 0 ]; then echo "record-programs: all recordings replay with every placement agreeing"; fi
exit $failed
