#!/usr/bin/env node
// Google Benchmark JSON files -> the Markdown table of docs/BENCHMARKS.md.
//
//   node bench/table.js [--command TEXT] [--machine TEXT] [--date TEXT]
//                       [--note TEXT]... [--loads FILE] FILE.json...
//
// Every non-aggregate entry is one sample (scripts/bench.sh runs each
// benchmark once per process, several rounds); a row gives the median of its
// samples with the min and max, and the load per core of the rounds they
// ran in (a file ROUND_*.json is a sample of round ROUND; --loads FILE is
// scripts/bench.sh's loads.tsv, bench/load.js). A timing target is judged
// only when that load was at most 0.5 per core. Time is CPU time: on a machine shared with
// builds it leaves out the time the process waited for a core.
'use strict';

const fs = require('fs');
const path = require('path');
const { readLoads, loadOver, loadText, verdict } = require('./load');

const WORKLOADS = ['fixed64', 'random4k', 'node_stream', 'from_string'];
const ALLOCATORS = ['poolcheck', 'glibc', 'mimalloc', 'jemalloc', 'pmr_pool', 'pmr_monotonic', 'bump'];
const TO_NS = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };
// "No fault storm": fewer than one minor fault per round of 1000 buffers.
const STORM_FAULTS_PER_ROUND = 1;

function parseArgs(argv) {
  const options = { command: '', machine: '', date: '', notes: [], loads: null, files: [] };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--command') options.command = argv[++i];
    else if (arg === '--machine') options.machine = argv[++i];
    else if (arg === '--date') options.date = argv[++i];
    else if (arg === '--note') options.notes.push(argv[++i]);
    else if (arg === '--loads') options.loads = argv[++i];
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else options.files.push(arg);
  }
  if (options.files.length === 0) throw new Error('no JSON files given');
  return options;
}

// name -> { ns: [], faults: [], ... }, one entry per sample.
function collect(files) {
  const rows = new Map();
  const contexts = [];
  for (const file of files) {
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    const round = /^(\d+)_/.exec(path.basename(file));
    contexts.push(report.context || {});
    for (const b of report.benchmarks || []) {
      if (b.run_type === 'aggregate' || b.error_occurred) continue;
      // An interleaved pair (BM_<workload>/pair_<other>) is two allocators'
      // slices in one process: its ratio is bench/ratios.js's, not a row here.
      if (split(b.name).allocator.startsWith('pair_')) continue;
      const ops = b.ops || 1;
      const ns = (b.cpu_time * TO_NS[b.time_unit || 'ns']) / ops;
      if (!rows.has(b.name)) rows.set(b.name, { ns: [], rounds: [], faults: [], created: [], reused: [], held: [], inUse: [], perSecond: [], bytesPerSecond: [] });
      const row = rows.get(b.name);
      row.ns.push(ns);
      row.rounds.push(round ? Number(round[1]) : NaN);
      row.perSecond.push(1e9 / ns);
      if (b.faults !== undefined) row.faults.push(b.faults);
      if (b.pools_created !== undefined) row.created.push(b.pools_created);
      if (b.pools_reused !== undefined) row.reused.push(b.pools_reused);
      if (b.peak_held !== undefined) row.held.push(b.peak_held);
      if (b.peak_in_use !== undefined) row.inUse.push(b.peak_in_use);
      if (b.bytes_per_second !== undefined) row.bytesPerSecond.push(b.bytes_per_second);
    }
  }
  return { rows, contexts };
}

function median(values) {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
const min = (values) => Math.min(...values);
const max = (values) => Math.max(...values);

function ns(x) {
  if (!Number.isFinite(x)) return '–';
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0);
}
function count(x) {
  if (!Number.isFinite(x)) return '–';
  return x === 0 ? '0' : x < 0.01 ? x.toExponential(0) : x < 10 ? x.toFixed(2) : x.toFixed(0);
}
function bytes(x) {
  if (!Number.isFinite(x)) return '–';
  if (x < 1024) return `${x.toFixed(0)} B`;
  if (x < 1024 * 1024) return `${(x / 1024).toFixed(1)} KiB`;
  if (x < 1024 * 1024 * 1024) return `${(x / 1024 / 1024).toFixed(2)} MiB`;
  return `${(x / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
function rate(x) {
  if (!Number.isFinite(x)) return '–';
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(1)} k`;
}

function split(name) {
  const m = /^BM_([^/]+)\/(.+)$/.exec(name);
  return m ? { workload: m[1], allocator: m[2] } : { workload: name, allocator: '' };
}
function order(list, x) {
  const i = list.indexOf(x);
  return i < 0 ? list.length : i;
}

function allocatorTable(rows, loads) {
  const names = [...rows.keys()].filter((n) => WORKLOADS.includes(split(n).workload));
  names.sort((a, b) => {
    const x = split(a), y = split(b);
    return order(WORKLOADS, x.workload) - order(WORKLOADS, y.workload) ||
      order(ALLOCATORS, x.allocator) - order(ALLOCATORS, y.allocator) || a.localeCompare(b);
  });
  const out = [
    '| workload | allocator | ns/op median | min | max | load | faults/round | peak held | peak in use | held/in use | pools created/reused per round |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const name of names) {
    const r = rows.get(name);
    const { workload, allocator } = split(name);
    const held = median(r.held), inUse = median(r.inUse);
    const pools = r.created.length ? `${count(median(r.created))} / ${count(median(r.reused))}` : '';
    out.push(`| ${workload} | ${allocator} | ${ns(median(r.ns))} | ${ns(min(r.ns))} | ${ns(max(r.ns))} | ` +
      `${loadText(loadOver(loads, r.rounds))} | ` +
      `${count(median(r.faults))} | ${bytes(held)} | ${bytes(inUse)} | ${(held / inUse).toFixed(2)} | ${pools} |`);
  }
  return out;
}

function targetTable(rows, loads) {
  const get = (w, a) => rows.get(`BM_${w}/${a}`);
  const out = ['| target | measured (medians; min in brackets) | met |', '| --- | --- | --- |'];
  // poolcheck against bump and mimalloc: per-round ratios, bench/ratios.js.
  for (const w of ['fixed64', 'random4k']) {
    const p = get(w, 'poolcheck'), g = get(w, 'glibc');
    if (!p || !g) continue;
    const speedup = median(g.ns) / median(p.ns);
    const load = loadOver(loads, [...p.rounds, ...g.rounds]);
    out.push(`| ${w}: poolcheck faster than glibc | ${ns(median(p.ns))} vs ${ns(median(g.ns))} ns = ${speedup.toFixed(2)}x ` +
      `(${(min(g.ns) / min(p.ns)).toFixed(2)}x); ${loadText(load)} | ${verdict(speedup > 1, load)} |`);
  }
  for (const w of WORKLOADS) {
    const p = get(w, 'poolcheck');
    if (!p || p.faults.length === 0) continue;
    const faults = median(p.faults);
    out.push(`| ${w}: no fault storm in steady state (< ${STORM_FAULTS_PER_ROUND} per round) | ` +
      `${count(faults)} faults/round (max ${count(max(p.faults))}) | ${faults < STORM_FAULTS_PER_ROUND ? 'yes' : '**no**'} |`);
  }
  return out;
}

function harnessTable(rows, loads) {
  const names = [...rows.keys()].filter((n) => !WORKLOADS.includes(split(n).workload)).sort();
  if (names.length === 0) return [];
  const out = ['| benchmark | ns/op median | min | max | load | ops/s median | buffer bytes/s median |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: |'];
  for (const name of names) {
    const r = rows.get(name);
    const perSecond = median(r.bytesPerSecond);
    out.push(`| ${name} | ${ns(median(r.ns))} | ${ns(min(r.ns))} | ${ns(max(r.ns))} | ${loadText(loadOver(loads, r.rounds))} | ` +
      `${rate(median(r.perSecond))} | ` +
      `${Number.isFinite(perSecond) ? bytes(perSecond) : '–'} |`);
  }
  return out;
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const { rows, contexts } = collect(options.files);
  const loads = options.loads ? readLoads(options.loads) : null;
  const counts = [...rows.values()].map((r) => r.ns.length);
  const samples = Math.min(...counts) === Math.max(...counts) ? `${counts[0]}` : `${Math.min(...counts)}–${Math.max(...counts)}`;
  const context = contexts.find((c) => c.malloc && c.malloc.startsWith('glibc')) || contexts[0] || {};
  const mallocs = [...new Set(contexts.map((c) => c.malloc).filter(Boolean))].join(', ');
  const lines = [];
  if (options.machine) lines.push(`- Machine: ${options.machine}`);
  lines.push(`- Date: ${options.date || context.date || ''}`);
  if (options.command) lines.push(`- Command: \`${options.command}\``);
  lines.push(`- Build: g++ ${context.compiler || '?'} -O3, asserts off; ${mallocs}; Google Benchmark from Debian ` +
    `(its library says "${context.library_build_type || '?'}": only its setup code, the timed loop is compiled here)`);
  lines.push(`- Samples: ${samples} per row; ns/op is CPU time per buffer ` +
    '(allocate, write its first and last byte, release), or per op for the harness');
  for (const note of options.notes) lines.push(`- ${note}`);
  const out = [...lines, '', ...allocatorTable(rows, loads), '', ...targetTable(rows, loads)];
  const harness = harnessTable(rows, loads);
  if (harness.length) out.push('', ...harness);
  process.stdout.write(out.join('\n') + '\n');
}

try {
  main();
} catch (error) {
  process.stderr.write(`table.js: ${error.message}\n`);
  process.exit(2);
}
