#!/usr/bin/env node
// poolcheck's speed relative to the others, robust to a shared machine:
// scripts/bench.sh runs poolcheck and each other allocator in adjacent
// processes (one pair per workload and round, the order alternating from
// round to round), so each pair saw about the same load, or, for the bump
// floor, interleaved in one process (bench/measure.h, run_pair: the process
// reports the median of its per-slice ratios). A ratio is taken per round
// and the table gives the median over the rounds and its spread.
//
//   node bench/ratios.js [--loads FILE] DIR         Markdown table of the runs in DIR
//   node bench/ratios.js --json [--loads FILE] DIR  the same numbers as JSON
//   node bench/ratios.js --margin A.json B.json
//                                                   how far two runs' medians differ
//
// DIR holds ROUND_WORKLOAD_vs-OTHER_ALLOCATOR.json files (Google Benchmark
// JSON, one sample each), ROUND_WORKLOAD_pair-OTHER.json files (one
// interleaved process, its `ratio` counter; where a run has them for a
// workload and other allocator, they decide that figure) and loads.tsv (the load average of each round,
// bench/load.js), as scripts/bench.sh writes them; --loads reads another
// loads file. Each figure is printed with the load per core of its rounds,
// and a target is judged only when that load was at most 0.5 per core.
'use strict';

const fs = require('fs');
const path = require('path');
const { readLoads, loadOver, loadText, verdict } = require('./load');

const WORKLOADS = ['fixed64', 'random4k', 'node_stream', 'from_string'];
const OTHERS = ['bump', 'mimalloc', 'glibc'];
// The targets of issue 14 (docs/BENCHMARKS.md, "Targets").
const MAX_BUMP_RATIO = 1.5;
const TO_NS = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function nsPerOp(file) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const run = (report.benchmarks || []).find((b) => b.run_type !== 'aggregate' && !b.error_occurred);
  if (!run) throw new Error(`${file}: no sample`);
  return (run.cpu_time * TO_NS[run.time_unit || 'ns']) / (run.ops || 1);
}

// An interleaved process: { ratio (the median per-slice ratio poolcheck /
// other), slice_rounds }.
function pairSample(file) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const run = (report.benchmarks || []).find((b) => b.run_type !== 'aggregate' && !b.error_occurred);
  if (!run || !(run.ratio > 0) || !(run.slice_rounds > 0))
    throw new Error(`${file}: no interleaved sample with ratio and slice_rounds counters`);
  return { ratio: run.ratio, slice_rounds: run.slice_rounds };
}

// { workload: { other: [{ round, ratio, slice_rounds (interleaved only) }] } }
function collect(dir) {
  const pairs = new Map();
  for (const name of fs.readdirSync(dir)) {
    const m = /^(\d+)_([a-z0-9_]+?)_vs-([a-z0-9_]+)_([a-z0-9_]+)\.json$/.exec(name);
    if (!m) continue;
    const [, round, workload, other, allocator] = m;
    const key = `${round} ${workload} ${other}`;
    if (!pairs.has(key)) pairs.set(key, {});
    pairs.get(key)[allocator === 'poolcheck' ? 'poolcheck' : 'other'] = nsPerOp(path.join(dir, name));
  }
  const ratios = {};
  for (const [key, pair] of pairs) {
    const [, workload, other] = key.split(' ');
    if (pair.poolcheck === undefined || pair.other === undefined) throw new Error(`${dir}: pair ${key} is incomplete`);
    const round = Number(key.split(' ')[0]);
    ((ratios[workload] ??= {})[other] ??= []).push({ round, ratio: pair.poolcheck / pair.other });
  }
  // Interleaved pairs replace the adjacent processes' figure they measure.
  const interleaved = {};
  for (const name of fs.readdirSync(dir)) {
    const m = /^(\d+)_([a-z0-9_]+?)_pair-([a-z0-9_]+)\.json$/.exec(name);
    if (!m) continue;
    const [, round, workload, other] = m;
    const sample = pairSample(path.join(dir, name));
    ((interleaved[workload] ??= {})[other] ??= []).push({ round: Number(round), ratio: sample.ratio,
      slice_rounds: sample.slice_rounds });
  }
  for (const w of Object.keys(interleaved))
    for (const o of Object.keys(interleaved[w])) (ratios[w] ??= {})[o] = interleaved[w][o];
  return ratios;
}

// LOADS: bench/load.js's readLoads, or null when the run has none.
function summarize(ratios, loads) {
  const out = {};
  for (const w of WORKLOADS)
    for (const o of OTHERS) {
      const pairs = ratios[w]?.[o];
      if (!pairs) continue;
      const r = pairs.map((p) => p.ratio);
      const load = loadOver(loads, pairs.map((p) => p.round));
      (out[w] ??= {})[o] = { median: median(r), min: Math.min(...r), max: Math.max(...r), rounds: r.length,
        load_per_core: load, method: pairs[0].slice_rounds ? 'interleaved' : 'adjacent processes',
        slice_rounds: pairs[0].slice_rounds };
    }
  return out;
}

function table(summary) {
  const cell = (s) => (s ? `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)}; ${loadText(s.load_per_core)})` : '–');
  const out = [
    '| workload | poolcheck / bump | poolcheck / mimalloc | poolcheck / glibc |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const w of WORKLOADS) if (summary[w]) out.push(`| ${w} | ${OTHERS.map((o) => cell(summary[w][o])).join(' | ')} |`);
  // Said only where a run has interleaved figures, so that earlier runs'
  // tables (docs/bench/*.jsonl, the README) print as they did.
  const interleaved = OTHERS.filter((o) => WORKLOADS.some((w) => summary[w]?.[o]?.method === 'interleaved'));
  if (interleaved.length) {
    const slices = [...new Set(WORKLOADS.flatMap((w) => interleaved.map((o) => summary[w]?.[o]?.slice_rounds)).filter(Boolean))];
    out.push('', `Against ${interleaved.join(' and ')}: each round is one process running poolcheck and ${interleaved.join(' and ')} ` +
      `interleaved in slices of ${slices.join(' or ')} rounds of the workload, and the round's figure is the median of that ` +
      'process\'s per-slice ratios (bench/measure.h, `run_pair`); the other columns come from adjacent processes.');
  }
  out.push('', '| target | median ratio (min–max over rounds) | met |', '| --- | --- | --- |');
  const f = summary.fixed64?.bump;
  if (f) out.push(`| fixed64 within ${MAX_BUMP_RATIO}x of bump | ${cell(f)} | ${verdict(f.median <= MAX_BUMP_RATIO, f.load_per_core)} |`);
  for (const w of WORKLOADS) {
    const m = summary[w]?.mimalloc;
    if (m) out.push(`| ${w}: faster than mimalloc | ${cell(m)} | ${verdict(m.median < 1, m.load_per_core)} |`);
  }
  return out.join('\n') + '\n';
}

// The largest relative difference between the medians of two runs.
function margin(a, b) {
  let worst = { diff: 0, where: '' };
  for (const w of Object.keys(a))
    for (const o of Object.keys(a[w])) {
      if (!b[w]?.[o]) continue;
      const diff = Math.abs(a[w][o].median - b[w][o].median) / Math.min(a[w][o].median, b[w][o].median);
      const line = `${w} vs ${o}: ${a[w][o].median.toFixed(3)} and ${b[w][o].median.toFixed(3)} (${(100 * diff).toFixed(1)}%)`;
      console.log(line);
      if (diff >= worst.diff) worst = { diff, where: `${w} vs ${o}` };
    }
  console.log(`margin: the medians of the two runs differ by at most ${(100 * worst.diff).toFixed(1)}% (${worst.where})`);
}

function main(argv) {
  if (argv[0] === '--margin' && argv.length === 3) {
    const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
    return margin(read(argv[1]), read(argv[2]));
  }
  const usage = 'usage: ratios.js [--json] [--loads FILE] DIR | --margin A.json B.json';
  let json = false, loadsFile = null, dir = null;
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--json') json = true;
    else if (argv[i] === '--loads' && i + 1 < argv.length) loadsFile = argv[++i];
    else if (!argv[i].startsWith('--') && dir === null) dir = argv[i];
    else throw new Error(usage);
  }
  if (dir === null) throw new Error(usage);
  if (loadsFile === null && fs.existsSync(path.join(dir, 'loads.tsv'))) loadsFile = path.join(dir, 'loads.tsv');
  const summary = summarize(collect(dir), loadsFile === null ? null : readLoads(loadsFile));
  return process.stdout.write(json ? JSON.stringify(summary, null, 1) + '\n' : table(summary));
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`ratios.js: ${error.message}\n`);
  process.exit(2);
}
