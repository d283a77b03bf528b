#!/usr/bin/env node
// A fuzz campaign from the fuzzers' own logs -> an SVG chart: coverage and
// corpus size over time, one colour per target (one line per job).
//
//   node scripts/charts/fuzz_chart.js [--title=TEXT] -o OUT.svg DIR|LOG...
//
// A DIR is a campaign's working directory (scripts/fuzz.sh keeps them in
// build/fuzz-work/<target>/), or a directory of them: the chart reads the
// fuzz-run.txt that scripts/fuzz.sh writes in each at the end of a target's
// run, and only the logs it lists (libFuzzer's fuzz-*.log, AFL++'s
// plot_data): earlier runs leave theirs in the same directory. The legend
// gives the edges and inputs of the summary fuzz.sh printed, from the same
// file. A LOG named directly is read as it is, and the legend gives the
// largest values of its last status line. The target is the path component
// that starts with fuzz_. libFuzzer prints no clock: a status line's time is
// its execution count over its exec/s, the average since the job started.
'use strict';

const fs = require('fs');
const path = require('path');
const { Svg, PALETTE, linearTicks, short, parseArgs, fail, write } = require('./svg');

const USAGE = 'usage: node scripts/charts/fuzz_chart.js [--title=TEXT] -o OUT.svg DIR|LOG...';

const RUN_FILE = 'fuzz-run.txt';

// DIR/fuzz-run.txt: "KEY<TAB>VALUE" lines, '#' comments. target, engine,
// edges and inputs once (edges and inputs: the summary's numbers, "?" when
// it had none), log once per log of the run (relative to DIR).
function readRun(dir) {
  const file = path.join(dir, RUN_FILE);
  const run = { file, logs: [] };
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    const m = /^(\w+)\t(.+)$/.exec(line);
    if (!m) fail(`${where}: not KEY<TAB>VALUE`);
    const [, key, value] = m;
    if (key === 'log') {
      const log = path.join(dir, value);
      if (!fs.existsSync(log)) fail(`${where}: ${value}: no such log`);
      run.logs.push(log);
    } else if (['target', 'engine', 'edges', 'inputs'].includes(key)) {
      if (key in run) fail(`${where}: ${key} twice`);
      if ((key === 'edges' || key === 'inputs') && !/^(\d+|\?)$/.test(value)) fail(`${where}: ${key} is not a number`);
      run[key] = value;
    } else {
      fail(`${where}: unknown key ${key}`);
    }
  });
  for (const key of ['target', 'edges', 'inputs']) if (!(key in run)) fail(`${file}: no ${key} line`);
  if (run.logs.length === 0) fail(`${file}: no log line`);
  return run;
}

// The runs of DIR: its own fuzz-run.txt, or those of its subdirectories.
function runsIn(dir) {
  if (fs.existsSync(path.join(dir, RUN_FILE))) return [readRun(dir)];
  const runs = fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, RUN_FILE)))
    .map((e) => readRun(path.join(dir, e.name)));
  if (runs.length === 0) {
    fail(`${dir}: no ${RUN_FILE} in it or in its subdirectories (scripts/fuzz.sh writes one per target); name the logs instead`);
  }
  return runs.sort((a, b) => a.target.localeCompare(b.target));
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
  const files = [];  // [file, target]
  const summaries = new Map();  // target -> its run's summary numbers
  for (const input of options.inputs) {
    if (!fs.existsSync(input)) fail(`${input}: no such file or directory`);
    if (!fs.statSync(input).isDirectory()) {
      files.push([input, targetOf(input)]);
      continue;
    }
    for (const run of runsIn(input)) {
      if (summaries.has(run.target)) fail(`${run.file}: a second run of ${run.target}`);
      summaries.set(run.target, run);
      files.push(...run.logs.map((log) => [log, run.target]));
    }
  }
  const series = [];
  for (const [file, target] of files) {
    const text = fs.readFileSync(file, 'utf8');
    const points = path.basename(file) === 'plot_data' ? aflSeries(text, file) : libFuzzerSeries(text);
    if (points.length > 0) series.push({ target, file, points });
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
    // A run's legend is its summary line (edges of corpus/ after the merge);
    // logs named directly have only their own last status lines.
    const run = summaries.get(t);
    const text = run
      ? `${t}: ${run.edges} edges, ${run.inputs} inputs in corpus/`
      : `${t}: ${Math.max(...last.map((p) => p.coverage))} edges, ${Math.max(...last.map((p) => p.corpus))} inputs`;
    svg.text(lx + 20, ly, text, 'small');
    lx += 40 + text.length * 6.2;
  }
  write(options.out, svg.document(Math.max(left + 2 * pw + gap + 30, lx), ly + 16));
}

main();
