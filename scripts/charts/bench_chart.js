#!/usr/bin/env node
// Google Benchmark JSON (what scripts/bench.sh keeps in build/bench/runs/)
// -> an SVG chart: ns/op per workload and allocator, the bar at the median
// of the samples, a line from the fastest to the slowest sample.
//
//   node scripts/charts/bench_chart.js [--title=TEXT] -o OUT.svg FILE.json|DIR...
//
// Every non-aggregate entry is one sample (as bench/table.js reads them).
// Workloads where poolcheck is one of the allocators are drawn; the
// harness's own benchmarks (model, checker) are not allocator comparisons.
'use strict';

const fs = require('fs');
const path = require('path');
const { Svg, PALETTE, num, logTicks, parseArgs, fail, write } = require('./svg');

const USAGE = 'usage: node scripts/charts/bench_chart.js [--title=TEXT] -o OUT.svg FILE.json|DIR...';
const TO_NS = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };
// The order of bench/table.js's table; names it does not know come after.
const WORKLOAD_ORDER = ['fixed64', 'random4k', 'node_stream', 'from_string'];
const ALLOCATOR_ORDER = ['poolcheck', 'glibc', 'mimalloc', 'jemalloc', 'pmr_pool', 'pmr_monotonic', 'bump'];
const rank = (order, name) => (order.includes(name) ? order.indexOf(name) : order.length);

function jsonFiles(inputs) {
  const files = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) fail(`${input}: no such file or directory`);
    if (fs.statSync(input).isDirectory()) {
      for (const name of fs.readdirSync(input).sort()) if (name.endsWith('.json')) files.push(path.join(input, name));
    } else {
      files.push(input);
    }
  }
  if (files.length === 0) fail(`no .json files in ${inputs.join(' ')}`);
  return files;
}

// name -> samples in ns per op, in file order; plus the first context and
// the 1-minute load average of every file.
function collect(files) {
  const samples = new Map();
  const loads = [];
  let context = null;
  for (const file of files) {
    let report;
    try {
      report = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      fail(`${file}:1: not Google Benchmark JSON (${error.message})`);
    }
    context = context || report.context || {};
    if (report.context && Array.isArray(report.context.load_avg)) loads.push(report.context.load_avg[0]);
    for (const b of report.benchmarks || []) {
      if (b.run_type === 'aggregate' || b.error_occurred) continue;
      const ns = (b.cpu_time * (TO_NS[b.time_unit || 'ns'] || 1)) / (b.ops || 1);
      if (!samples.has(b.name)) samples.set(b.name, []);
      samples.get(b.name).push(ns);
    }
  }
  return { samples, context, loads };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function workloads(samples) {
  const byWorkload = new Map();
  for (const [name, values] of samples) {
    const m = /^BM_([^/]+)\/(.+)$/.exec(name);
    if (!m || m[2].startsWith('pair_')) continue;  // interleaved pairs: ratios, not a bar
    if (!byWorkload.has(m[1])) byWorkload.set(m[1], []);
    byWorkload.get(m[1]).push({ allocator: m[2], median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length });
  }
  for (const rows of byWorkload.values())
    rows.sort((a, b) => rank(ALLOCATOR_ORDER, a.allocator) - rank(ALLOCATOR_ORDER, b.allocator) || a.allocator.localeCompare(b.allocator));
  return [...byWorkload]
    .filter(([, rows]) => rows.some((r) => r.allocator === 'poolcheck'))
    .sort(([a], [b]) => rank(WORKLOAD_ORDER, a) - rank(WORKLOAD_ORDER, b) || a.localeCompare(b));
}

function main() {
  const options = parseArgs(process.argv.slice(2), USAGE);
  const { samples, context, loads } = collect(jsonFiles(options.inputs));
  const groups = workloads(samples);
  if (groups.length === 0) fail('no allocator benchmarks (BM_<workload>/poolcheck) in the input');
  const allocators = [];
  for (const [, rows] of groups) for (const r of rows) if (!allocators.includes(r.allocator)) allocators.push(r.allocator);
  const colour = (a) => (a === 'poolcheck' ? PALETTE[0] : a === 'bump' ? PALETTE[2] : '#9a9a9a');

  const all = groups.flatMap(([, rows]) => rows);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all.map((r) => r.min)))) || 1;
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all.map((r) => r.max))));
  const left = 130, plot = 620, rowH = 17;
  const x = (v) => left + (Math.log10(v / lo) / Math.log10(hi / lo)) * plot;
  const svg = new Svg();
  const sampleCounts = [...new Set(all.map((r) => r.n))].join('/');
  svg.text(16, 24, options.flags.title || 'Benchmarks: ns per op, by workload and allocator', 'title');
  svg.text(16, 42, `bar: median of ${sampleCounts} samples; line: fastest to slowest sample; log scale; poolcheck in blue, the bump-pointer floor in green`, 'small');
  const load = loads.length ? `load average ${num(Math.min(...loads))}–${num(Math.max(...loads))}` : '';
  const when = [context.date, context.num_cpus && `${context.num_cpus} CPUs`, load].filter(Boolean).join(', ');
  svg.text(16, 57, `Google Benchmark JSON (${Object.keys(Object.fromEntries(samples)).length} benchmarks)${when ? `, ${when}` : ''}`, 'tiny');
  let y = 72;
  const ticks = logTicks(lo, hi);
  const axis = (ay) => {
    svg.line(left, ay, left + plot, ay, '#777777', 1, { class: 'axis' });
    for (const t of ticks) svg.text(x(t), ay - 4, `${num(t)}`, 'tiny middle');
  };
  axis(y + 12);
  const top = y + 14;
  y += 20;
  for (const [workload, rows] of groups) {
    svg.text(16, y + 13, workload, 'heading');
    y += 18;
    for (const r of rows) {
      const cy = y + rowH / 2;
      svg.text(left - 8, cy + 4, r.allocator, 'small end');
      svg.rect(left, y + 3, x(r.median) - left, rowH - 6, colour(r.allocator),
        { class: 'bar', 'data-workload': workload, 'data-allocator': r.allocator, 'data-median': num(r.median) },
        `${workload} / ${r.allocator}: median ${num(r.median)} ns (min ${num(r.min)}, max ${num(r.max)}, ${r.n} samples)`);
      svg.line(x(r.min), cy, x(r.max), cy, '#111111', 1.5, { class: 'spread' });
      svg.line(x(r.min), cy - 4, x(r.min), cy + 4, '#111111', 1.5);
      svg.line(x(r.max), cy - 4, x(r.max), cy + 4, '#111111', 1.5);
      svg.text(x(r.max) + 6, cy + 4, `${Number(r.median.toPrecision(3))} ns`, 'tiny');
      y += rowH;
    }
    y += 6;
  }
  for (const t of ticks) svg.line(x(t), top, x(t), y, '#e3e3e3', 1, { class: 'grid' });
  // The grid goes under the bars: move it to the front of the parts list.
  const grid = svg.parts.filter((p) => p.includes('class="grid"'));
  svg.parts = grid.concat(svg.parts.filter((p) => !p.includes('class="grid"')));
  axis(y + 14);
  svg.text(left + plot / 2, y + 32, 'ns per op (log scale)', 'small middle');
  write(options.out, svg.document(left + plot + 90, y + 44));
}

main();
