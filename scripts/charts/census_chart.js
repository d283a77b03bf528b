#!/usr/bin/env node
// The edge census (props_edge_census's Markdown output) -> an SVG heat map:
// one row per edge, one column per generator profile, each cell the share
// of generated sequences that hit that edge.
//
//   build/default/props/props_edge_census --profile all > census.md
//   node scripts/charts/census_chart.js [--title=TEXT] -o OUT.svg census.md
'use strict';

const fs = require('fs');
const { Svg, num, parseArgs, fail, write } = require('./svg');

const USAGE = 'usage: node scripts/charts/census_chart.js [--title=TEXT] -o OUT.svg CENSUS.md';

// { profile, sequences, rows: [{ edge, hitting, hits }] } per "Profile `x`: N sequences" block.
function parse(text, file) {
  const profiles = [];
  text.split('\n').forEach((line, index) => {
    const header = /^Profile `([^`]+)`: (\d+) sequences/.exec(line);
    if (header) {
      profiles.push({ profile: header[1], sequences: Number(header[2]), rows: [] });
      return;
    }
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length < 3 || cells[0] === 'edge' || /^-+$/.test(cells[0].replace(/:/g, ''))) return;
    if (profiles.length === 0) fail(`${file}:${index + 1}: a table row before any "Profile" line`);
    const hitting = Number(cells[1].replace(/,/g, ''));
    const hits = Number(cells[2].replace(/,/g, ''));
    if (!Number.isFinite(hitting) || !Number.isFinite(hits)) fail(`${file}:${index + 1}: expected numbers: ${line}`);
    profiles[profiles.length - 1].rows.push({ edge: cells[0], hitting, hits });
  });
  if (profiles.length === 0) fail(`${file}: no "Profile" block (is it props_edge_census output?)`);
  return profiles;
}

function main() {
  const options = parseArgs(process.argv.slice(2), USAGE);
  if (options.inputs.length !== 1) fail(USAGE);
  const file = options.inputs[0];
  if (!fs.existsSync(file)) fail(`${file}: no such file`);
  const profiles = parse(fs.readFileSync(file, 'utf8'), file);
  const edges = [];
  for (const p of profiles) for (const r of p.rows) if (!edges.includes(r.edge)) edges.push(r.edge);

  const svg = new Svg();
  const left = 330, cellW = 96, cellH = 22, top = 92;
  svg.text(16, 24, options.flags.title || 'Edge census: how often the generators reach each edge', 'title');
  svg.text(16, 42, 'cell: share of generated sequences that hit the edge at least once (darker = more); ' +
    'below it, hits per 1,000 sequences', 'small');
  const seeds = [...new Set(profiles.map((p) => p.sequences))].join('/');
  svg.text(16, 58, `props_edge_census, ${seeds} sequences per profile`, 'tiny');
  profiles.forEach((p, i) => svg.text(left + i * cellW + cellW / 2, top - 10, p.profile, 'heading middle'));
  edges.forEach((edge, row) => {
    const y = top + row * cellH;
    svg.text(left - 8, y + 15, edge, 'small end');
    profiles.forEach((p, col) => {
      const r = p.rows.find((x) => x.edge === edge);
      const x = left + col * cellW;
      if (!r) {
        svg.rect(x + 1, y + 1, cellW - 2, cellH - 2, '#f4f4f4', { class: 'cell', 'data-edge': edge, 'data-profile': p.profile });
        return;
      }
      const share = r.hitting / p.sequences;
      // White to dark blue, linear in the share; text turns white on dark cells.
      const shade = (a, b) => Math.round(a + (b - a) * share);
      const fill = `rgb(${shade(247, 8)},${shade(251, 69)},${shade(255, 148)})`;
      svg.rect(x + 1, y + 1, cellW - 2, cellH - 2, fill,
        { class: 'cell', 'data-edge': edge, 'data-profile': p.profile, 'data-share': num(share) },
        `${edge}, ${p.profile}: ${r.hitting} of ${p.sequences} sequences, ${r.hits} hits per 1,000`);
      const label = `${num(share * 100)}%  ·  ${r.hits}`;
      svg.text(x + cellW / 2, y + 15, label, share > 0.5 ? 'tiny middle light' : 'tiny middle dark');
    });
  });
  const bottom = top + edges.length * cellH;
  svg.parts.push('<style>.light { fill: #ffffff; } .dark { fill: #111111; }</style>');
  write(options.out, svg.document(left + profiles.length * cellW + 20, bottom + 20));
}

main();
