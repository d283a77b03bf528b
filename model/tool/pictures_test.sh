#!/usr/bin/env bash
# Every kind of picture poolcheck makes, rendered by real renderers: pool
# maps (SVG, --model, HTML), a divergence map of a broken variant, and the
# benchmark, fuzz-campaign and edge-census charts. Fails when a picture is
# not well-formed XML, when rsvg-convert or headless chromium cannot render
# it, when the HTML page's script fails, or when `poolcheck map` fails on a
# corpus file or accepts a malformed one, when a map drawn for rendering
# cannot be made, or when there is no corpus file to map.
#
#   POOLCHECK=... DIVERGENCE_MAP=... CENSUS=... pictures_test.sh SRC OUT_DIR
# The rendered PNGs stay in OUT_DIR for people to look at.
set -u
src=$1
out=$2
pc=$POOLCHECK
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }

for tool in xmllint rsvg-convert chromium node; do
  command -v "$tool" >/dev/null || { echo "FAIL $tool not found (scripts/install-deps.sh installs it)"; exit 1; }
done

# SVG: well-formed, then rendered to OUT_DIR/NAME.png.
render() {  # render NAME FILE.svg
  if ! xmllint --noout "$2" 2>"$tmp/xml.err"; then fail "$1: not well-formed XML"; sed 's/^/  | /' "$tmp/xml.err"; return; fi
  if rsvg-convert "$2" -o "$out/$1.png" 2>"$tmp/rsvg.err" && [ -s "$out/$1.png" ]; then
    ok "$1: rendered $out/$1.png"
  else
    fail "$1: rsvg-convert failed"; sed 's/^/  | /' "$tmp/rsvg.err"
  fi
}

chromium_run() {  # chromium_run ARGS...: headless, no network, no profile left behind
  local profile
  profile=$(mktemp -d)
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$profile" "$@" 2>"$tmp/chromium.err"
  local code=$?
  rm -rf "$profile"
  return $code
}

# 1. Every corpus file, text and binary: the allocator's SVG after the last
# op, and the model's HTML with every op.
count=0
while IFS= read -r file; do
  count=$((count + 1))
  "$pc" map "$file" -o "$tmp/a.svg" >"$tmp/out" 2>&1 || { fail "map $file"; cat "$tmp/out"; continue; }
  xmllint --noout "$tmp/a.svg" 2>/dev/null || fail "map $file: not well-formed XML"
  # The model's side, every op of it: the HTML page draws a frame per op.
  "$pc" map --model "$file" -o "$tmp/m.html" >"$tmp/out" 2>&1 || { fail "map --model $file -o .html"; cat "$tmp/out"; }
done < <(find "$src/corpus" -type f ! -name '*.md' ! -name '.*' | sort)
if [ "$count" -gt 0 ]; then ok "map: $count corpus files (allocator SVG, model HTML)"; else
  fail "map: no corpus file under $src/corpus"
fi

# 2. Malformed input and usage, as replay rejects them: exit 2, FILE:LINE.
expect() {  # expect NAME CODE TEXT -- COMMAND...
  local name=$1 want=$2 text=$3
  shift 4
  "$@" >"$tmp/out" 2>&1
  local got=$?
  if [ "$got" = "$want" ] && grep -qF -- "$text" "$tmp/out"; then ok "$name"; else
    fail "$name: exit $got (want $want), wanted '$text' in:"; sed 's/^/  | /' "$tmp/out"
  fi
}
printf 'alloc 1\nalloc x\n' >"$tmp/bad.ops"
expect map-malformed 2 "$tmp/bad.ops:2:" -- "$pc" map "$tmp/bad.ops" -o "$tmp/bad.svg"
printf 'alloc 1\nrelease 3\n' >"$tmp/release.ops"
expect map-bad-release 2 "$tmp/release.ops:2:" -- "$pc" map "$tmp/release.ops" -o "$tmp/bad.svg"
seed=$src/corpus/scenarios/256_then_two_4095.ops
expect map-at-past-end 2 "--at 3 is past the last op (3 ops" -- "$pc" map --at 3 "$seed" -o "$tmp/x.svg"
expect map-needs-out 2 "map needs -o" -- "$pc" map "$seed"
expect map-svg-or-html 2 "OUT.svg" -- "$pc" map "$seed" -o "$tmp/x.png"
expect map-missing-file 2 "no-such.ops" -- "$pc" map "$tmp/no-such.ops" -o "$tmp/x.svg"
expect replay-map-nothing-to-draw 0 "0 failed" -- "$pc" replay --quiet --map "$tmp/maps" "$src/corpus/scenarios"
[ -e "$tmp/maps" ] && fail "replay --map wrote maps for files that passed"

# 3. Each kind of SVG, rendered.
map_render() {  # map_render NAME MAP-ARGS...: poolcheck map MAP-ARGS -o NAME.svg, then render it
  local name=$1
  shift
  if "$pc" map "$@" -o "$tmp/$name.svg" >"$tmp/out" 2>&1; then render "$name" "$tmp/$name.svg"; else
    fail "$name: poolcheck map $* failed"; sed 's/^/  | /' "$tmp/out"
  fi
}
map_render seed_map "$seed"
map_render seed_map_model_at_1 --at 1 --model "$seed"
map_render recycling_map "$src/corpus/scenarios/pool_recycling.ops"
printf 'alloc 256\nalloc 4095\nalloc 3840\n' >"$tmp/exact.ops"
if "$DIVERGENCE_MAP" OffByOneRoom "$tmp/exact.ops" "$tmp/divergence.svg" >/dev/null; then
  render divergence_map "$tmp/divergence.svg"
  grep -q 'class="highlight" data-buffer="2"' "$tmp/divergence.svg" || fail "divergence map: buffer 2 not outlined"
else
  fail "props_divergence_map OffByOneRoom"
fi
charts=$src/scripts/charts
node "$charts/bench_chart.js" -o "$tmp/bench.svg" "$charts/testdata/bench" && render bench_chart "$tmp/bench.svg" ||
  fail "bench_chart.js"
node "$charts/fuzz_chart.js" -o "$tmp/fuzz.svg" "$charts/testdata/fuzz-work" && render fuzz_chart "$tmp/fuzz.svg" ||
  fail "fuzz_chart.js"
# The campaign chart draws only the run fuzz.sh summarized (stale logs left out).
if bash "$charts/fuzz_chart_test.sh" >"$tmp/fuzz_chart_test.out" 2>&1; then ok "fuzz_chart_test.sh: this run's logs only"; else
  fail "fuzz_chart_test.sh"; sed 's/^/  | /' "$tmp/fuzz_chart_test.out"
fi
"$CENSUS" --profile all --sequences 50 >"$tmp/census.md" &&
  node "$charts/census_chart.js" -o "$tmp/census.svg" "$tmp/census.md" && render census_chart "$tmp/census.svg" ||
  fail "census_chart.js"
expect chart-bad-input 2 "not Google Benchmark JSON" -- node "$charts/bench_chart.js" -o "$tmp/b.svg" "$tmp/bad.ops"

# 4. The HTML map in chromium: the page renders, and its script runs (it
# marks the body when it has shown a frame).
"$pc" map "$src/corpus/scenarios/pool_recycling.ops" -o "$tmp/recycling.html" >"$tmp/out" 2>&1 ||
  { fail "recycling_html: poolcheck map failed"; sed 's/^/  | /' "$tmp/out"; }
if chromium_run --screenshot="$out/recycling_html.png" --window-size=1200,800 "file://$tmp/recycling.html" >/dev/null &&
  [ -s "$out/recycling_html.png" ]; then
  ok "recycling_html: rendered $out/recycling_html.png"
else
  fail "recycling_html: chromium could not render it"; sed 's/^/  | /' "$tmp/chromium.err"
fi
if chromium_run --dump-dom "file://$tmp/recycling.html" >"$tmp/dom.html" && grep -q 'data-shown="18"' "$tmp/dom.html"; then
  ok "recycling_html: the slider script ran and shows the last op"
else
  fail "recycling_html: the script did not run"; sed 's/^/  | /' "$tmp/chromium.err" | tail -5
fi

echo "pictures_test: $failures failed"
[ "$failures" -eq 0 ]
