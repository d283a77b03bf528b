#!/usr/bin/env node
// A fuzz campaign from the fuzzers' own logs -> an SVG chart: coverage and
// corpus size over time, one colour per target (one line per job).
//
//   node scripts/charts/fuzz_chart.js [--title=TEXT] -o OUT.svg DIR|LOG...
//
// A DIR is a campaign's working directory (scripts/fuzz.sh keeps them in
// build/fuzz-work/<target>/): its libFuzzer job logs fuzz-*.log are read,
// and AFL++'s plot_data files below it. The target is the path component
// that starts with fuzz_. libFuzzer prints no clock: a status line's time is
// its execution count over its exec/s, the average since the job started.
'use strict';

const fs = require('fs');
const path = require('path');
const { Svg, PALETTE, linearTicks, short, parseArgs, fail, write } = require('./svg');

const USAGE = 'usage: node scripts/charts/fuzz_chart.js [--title=TEXT] -o OUT.svg DIR|LOG...';

function logsUnder(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...logsUnder(full));
    else if (/^fuzz-\d+\.log$/.test(entry.name) || entry.name === 'plot_data') found.push(full);
  }
  return found.sort();
}

function targetOf(file) {
  const parts = path.resolve(file).split(path.sep);
  for (let i = parts.length - 2; i >= 0; --i) if (parts[i].startsWith('fuzz_')) return parts[i];
  return path.basename(path.dirname(file));
}

// libFuzzer status lines: "#N  INITED|NEW|REDUCE|pulse|DONE  cov: C ft: F corp: K/S ... exec/s: E".
function libFuzzerSeries(text) {
  const points = [];
  let offset = 0, last = 0;
  for (const line of text.split('\n')) {
    const m = /^#(\d+)\s+(\w+)\s+cov: (\d+) ft: \d+ corp: (\d+)\/\S+.*?exec\/s: (\d+)/.exec(line);
    if (!m) continue;
    const [, runs, kind, cov, corp, rate] = m;
    if (kind === 'INITED' && points.length > 0) offset = last;  // a restarted job continues the timeline
    const t = offset + (Number(rate) > 0 ? Number(runs) / Number(rate) : 0);
    last = Math.max(last, t);
    points.push({ t: last, coverage: Number(cov), corpus: Number(corp) });
  }
  return points;
}

// AFL++ plot_data: a '#' header naming the comma-separated columns.
function aflSeries(text, file) {
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines.length === 0 || !lines[0].startsWith('#')) fail(`${file}:1: not an AFL++ plot_data header`);
  const names = lines[0].replace(/^#\s*/, '').split(',').map((s) => s.trim());
  const col = (n) => names.indexOf(n);
  const [ti, ci, ei] = [col('relative_time'), col('corpus_count'), col('edges_found')];
  if (ti < 0 || ci < 0 || ei < 0) fail(`${file}:1: plot_data needs relative_time, corpus_count, edges_found`);
  return lines.slice(1).map((l) => l.split(',').map(Number)).map((v) => ({ t: v[ti], coverage: v[ei], corpus: v[ci] }));
}

function main() {
  const options = parseArgs(process.argv.slice(2), USAGE);
  const files = [];
  for (const input of options.inputs) {
    if (!fs.existsSync(input)) fail(`${input}: no such file or directory`);
    files.push(...(fs.statSync(input).isDirectory() ? logsUnder(input) : [input]));
  }
  const series = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const points = path.basename(file) === 'plot_data' ? aflSeries(text, file) : libFuzzerSeries(text);
    if (points.length > 0) series.push({ target: targetOf(file), file, points });
  }
  if (series.length === 0) fail(`no libFuzzer status lines or AFL++ plot_data in ${options.inputs.join(' ')}`);
  const targets = [...new Set(series.map((s) => s.target))].sort();
  const colour = (t) => PALETTE[targets.indexOf(t) % PALETTE.length];

  const svg = new Svg();
  svg.text(16, 24, options.flags.title || 'Fuzz campaign: coverage and corpus over time', 'title');
  svg.text(16, 42, `${series.length} job logs; one line per job, one colour per target; time = executions / exec/s`, 'small');
  const tMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.t)));
  const panels = [['coverage', 'edges covered (libFuzzer cov / AFL++ edges)'], ['corpus', 'corpus size (inputs)']];
  const pw = 400, ph = 230, top = 84, gap = 80, left = 60;
  panels.forEach(([key, label], i) => {
    const x0 = left + i * (pw + gap);
    const yMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[key])));
    const yTicks = linearTicks(yMax);
    const xTicks = linearTicks(tMax);
    const sx = (t) => x0 + (t / xTicks[xTicks.length - 1]) * pw;
    const sy = (v) => top + ph - (v / yTicks[yTicks.length - 1]) * ph;
    svg.text(x0, top - 10, label, 'heading');
    for (const t of yTicks) {
      svg.line(x0, sy(t), x0 + pw, sy(t), '#e3e3e3', 1, { class: 'grid' });
      svg.text(x0 - 6, sy(t) + 4, short(t), 'tiny end');
    }
    for (const t of xTicks) svg.text(sx(t), top + ph + 16, short(t), 'tiny middle');
    svg.line(x0, top + ph, x0 + pw, top + ph, '#777777', 1, { class: 'axis' });
    svg.line(x0, top, x0, top + ph, '#777777', 1, { class: 'axis' });
    svg.text(x0 + pw / 2, top + ph + 34, 'seconds since the job started', 'small middle');
    for (const s of series) {
      // A step line: a value holds until the next status line.
      const pts = [];
      for (const p of s.points) {
        if (pts.length > 0) pts.push([sx(p.t), pts[pts.length - 1][1]]);
        pts.push([sx(p.t), sy(p[key])]);
      }
      svg.polyline(pts, colour(s.target), 1.8, { class: 'series', 'data-target': s.target, 'data-value': key });
    }
  });
  let lx = left;
  const ly = top + ph + 58;
  for (const t of targets) {
    const last = series.filter((s) => s.target === t).map((s) => s.points[s.points.length - 1]);
    svg.rect(lx, ly - 10, 14, 10, colour(t));
    const text = `${t}: ${Math.max(...last.map((p) => p.coverage))} edges, ${Math.max(...last.map((p) => p.corpus))} inputs`;
    svg.text(lx + 20, ly, text, 'small');
    lx += 40 + text.length * 6.2;
  }
  write(options.out, svg.document(Math.max(left + 2 * pw + gap + 30, lx), ly + 16));
}

main();
