#!/usr/bin/env bash
# Regenerates every picture in docs/img/ from the tools' own output; nothing
# is drawn by hand.
#
#   scripts/charts.sh          uses build/fuzz-work/*/ when it exists, and
#                              runs scripts/fuzz.sh first when not
#   scripts/charts.sh --run    runs scripts/fuzz.sh first in any case
#   scripts/charts.sh --out DIR   writes the pictures to DIR instead of
#                              docs/img/ (the test command's bounded run,
#                              scripts/readme-commands.sh)
#
# Fails (exit 1) when a picture of the list below was not written or is empty.
#
# The benchmark chart is drawn from the published run, docs/bench/run.jsonl
# (the README's table; bench/publish.js), not from the last local run.
#
# Pictures (and what makes them):
#   seed_map.svg        poolcheck map corpus/scenarios/256_then_two_4095.ops
#   recycling_map.svg   poolcheck map corpus/scenarios/pool_recycling.ops
#   recycling_map.html  the same, one frame per op
#   divergence_map.svg  props_divergence_map OffByOneRoom corpus/scenarios/exact_room_after_256_4095.ops
#   bench.svg           scripts/charts/bench_chart.js over docs/bench/run.jsonl
#   fuzz_campaign.svg   scripts/charts/fuzz_chart.js build/fuzz-work
#   edge_census.svg     props_edge_census --profile all | scripts/charts/census_chart.js
#   whatif_tsc.svg      poolcheck whatif over model/node/recordings/tsc-26.12.1.ops
set -euo pipefail
cd "$(dirname "$0")/.."

run=0
img=docs/img
while [ $# -gt 0 ]; do
  case $1 in
    --run) run=1; shift ;;
    --out) [ -n "${2:-}" ] || { echo "charts.sh: --out needs a directory" >&2; exit 2; }; img=$2; shift 2 ;;
    *) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done

bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target poolcheck props_divergence_map props_edge_census
bin=build/default
mapfile -t pictures < <(sed -n 's/^#   \([a-z_0-9]*\.\(svg\|html\)\) .*/\1/p' "$0")
[ ${#pictures[@]} -gt 0 ] || { echo "charts.sh: no pictures listed at the top of $0" >&2; exit 2; }
# Every picture is drawn into an empty staging folder first, so that one not
# drawn this time cannot pass as drawn, and a failed run leaves $img as it was.
out=$img
img=build/charts-new
rm -rf "$img"
mkdir -p "$img" "$out"

"$bin/model/poolcheck" map corpus/scenarios/256_then_two_4095.ops -o "$img/seed_map.svg"
"$bin/model/poolcheck" map corpus/scenarios/pool_recycling.ops -o "$img/recycling_map.svg"
"$bin/model/poolcheck" map corpus/scenarios/pool_recycling.ops -o "$img/recycling_map.html"
"$bin/props/props_divergence_map" OffByOneRoom corpus/scenarios/exact_room_after_256_4095.ops \
  "$img/divergence_map.svg" >/dev/null

"$bin/props/props_edge_census" --profile all >build/edge_census.md
node scripts/charts/census_chart.js -o "$img/edge_census.svg" build/edge_census.md
"$bin/model/poolcheck" whatif --pool-size 4096,8192,16384,32768,65536,131072 \
  model/node/recordings/tsc-26.12.1.ops -o "$img/whatif_tsc.svg" >/dev/null

node bench/publish.js unpack docs/bench/run.jsonl build/bench/published
node scripts/charts/bench_chart.js -o "$img/bench.svg" build/bench/published

if [ "$run" = 1 ] || ! ls build/fuzz-work/*/fuzz-run.txt >/dev/null 2>&1; then bash scripts/fuzz.sh || true; fi
node scripts/charts/fuzz_chart.js -o "$img/fuzz_campaign.svg" build/fuzz-work

missing=0
for picture in "${pictures[@]}"; do
  [ -s "$img/$picture" ] || { echo "charts.sh: $img/$picture was not drawn (missing or empty)" >&2; missing=$((missing + 1)); }
done
[ "$missing" -eq 0 ] || exit 1
for picture in "${pictures[@]}"; do cp "$img/$picture" "$out/$picture"; done
echo "charts.sh: ${#pictures[@]} pictures in $out"
