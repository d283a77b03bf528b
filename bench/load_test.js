#!/usr/bin/env node
// The load rule of bench/load.js, through the commands that apply it: on a
// fake run (hand-made one-sample Google Benchmark JSON, three rounds, where
// every target's figure is met) with a fake loads.tsv, bench/ratios.js and
// bench/table.js must print the load per core beside each figure and call
// a target met only when every round ran at <= 0.5 per core; with no loads
// file, nothing is judged. scripts/bench.sh --smoke runs it.
//
//   node bench/load_test.js
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');
const { readLoads, loadOver, verdict, MAX_LOAD_PER_CORE } = require('./load');

let failures = 0;
function check(name, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `\n${detail.replace(/^/gm, '  | ')}`}`);
  if (!ok) failures += 1;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'load_test-'));
const write = (name, text) => {
  fs.writeFileSync(path.join(tmp, name), text);
  return path.join(tmp, name);
};
const node = (script, args) => spawnSync(process.execPath, [path.join(__dirname, script), ...args], { encoding: 'utf8' });

// A fake run: poolcheck 10 ns, bump 8 (ratio 1.25 <= 1.5), mimalloc 12 and
// glibc 20 (poolcheck faster): every target met, by the figures alone.
const NS = { poolcheck: 10, bump: 8, mimalloc: 12, glibc: 20 };
const run = path.join(tmp, 'run');
fs.mkdirSync(run);
const sample = (allocator) => JSON.stringify({ context: {}, benchmarks: [
  { name: `BM_fixed64/${allocator}`, run_type: 'iteration', cpu_time: NS[allocator] * 1000, time_unit: 'ns', ops: 1000 }] });
for (const round of [1, 2, 3])
  for (const other of ['bump', 'mimalloc', 'glibc'])
    for (const a of ['poolcheck', other]) fs.writeFileSync(path.join(run, `${round}_fixed64_vs-${other}_${a}.json`), sample(a));
const samples = fs.readdirSync(run).map((f) => path.join(run, f));

const idle = write('idle.tsv', 'cores\t2\nround\t1\t0.10\t0.30\nround\t2\t0.30\t0.80\nround\t3\t0.80\t1.00\n');
const busy = write('busy.tsv', '# round 2 at 1.6 on 2 cores\ncores\t2\nround\t1\t0.10\t0.30\nround\t2\t0.30\t1.60\nround\t3\t0.80\t1.00\n');

// load.js itself.
const loads = readLoads(busy);
check('a round\'s load is the larger of its two, per core', loads.perCore.get(2) === 0.8 && loads.perCore.get(1) === 0.15);
check('load over rounds 1 and 3', JSON.stringify(loadOver(loads, [1, 3])) === JSON.stringify({ min: 0.15, max: 0.5 }));
check('a round without a load: none', loadOver(loads, [1, 4]) === null && loadOver(null, [1]) === null);
check(`${MAX_LOAD_PER_CORE} per core is judged, above it is not`,
  verdict(true, { min: 0, max: 0.5 }) === 'yes' && verdict(false, { min: 0, max: 0.5 }) === '**no**' &&
  verdict(true, { min: 0, max: 0.51 }).startsWith('**not judged**') && verdict(true, null).startsWith('**not judged**'));
for (const [name, text, want] of [
  ['bad-number', 'cores\t2\nround\t1\t0.1\tlots\n', ':2: want'],
  ['no-cores', 'round\t1\t0.1\t0.2\n', 'no cores line'],
  ['round-twice', 'cores\t2\nround\t1\t0.1\t0.2\nround\t1\t0.1\t0.2\n', ':3: round 1 twice'],
]) {
  const file = write(`${name}.tsv`, text);
  let message = '';
  try {
    readLoads(file);
  } catch (error) {
    message = error.message;
  }
  check(`bad loads file (${name}): FILE:LINE`, message.startsWith(file) && message.includes(want), message);
  const r = node('ratios.js', ['--loads', file, run]);
  check(`ratios.js on ${name}: exit 2`, r.status === 2 && r.stderr.includes(file), r.stdout + r.stderr);
}

// ratios.js: the bump and mimalloc targets.
const targets = (text) => text.split('\n').filter((l) => /^\| (fixed64 within|fixed64: faster)/.test(l));
let r = node('ratios.js', ['--loads', idle, run]);
check('ratios.js, idle: both targets met', r.status === 0 && targets(r.stdout).length === 2 &&
  targets(r.stdout).every((l) => l.endsWith('| yes |')), r.stdout + r.stderr);
check('ratios.js, idle: the load beside each figure', r.stdout.includes('1.25 (1.25–1.25; load/core 0.15–0.50)'), r.stdout);
r = node('ratios.js', ['--loads', busy, run]);
check('ratios.js, busy: neither target called met', r.status === 0 && targets(r.stdout).length === 2 &&
  targets(r.stdout).every((l) => l.includes('**not judged**: load/core up to 0.80 > 0.5 (the figure alone says yes)')),
  r.stdout + r.stderr);
r = node('ratios.js', [run]);
check('ratios.js, no loads: nothing judged', r.status === 0 && targets(r.stdout).length === 2 &&
  targets(r.stdout).every((l) => l.includes('**not judged**: no load recorded')), r.stdout + r.stderr);
const json = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'ratios.js'), '--json', '--loads', busy, run]));
check('ratios.js --json: load per core', json.fixed64.bump.load_per_core.max === 0.8, JSON.stringify(json.fixed64.bump));

// table.js: the glibc target and the load column.
const glibc = (text) => text.split('\n').find((l) => l.startsWith('| fixed64: poolcheck faster than glibc')) || '';
r = node('table.js', ['--loads', idle, ...samples]);
check('table.js, idle: faster than glibc met', r.status === 0 && glibc(r.stdout).endsWith('| yes |'), r.stdout + r.stderr);
check('table.js, idle: a load column on every row',
  r.stdout.split('\n').filter((l) => l.startsWith('| fixed64 |')).every((l) => l.includes('| load/core 0.15–0.50 |')), r.stdout);
r = node('table.js', ['--loads', busy, ...samples]);
check('table.js, busy: not judged', r.status === 0 && glibc(r.stdout).includes('**not judged**: load/core up to 0.80'),
  r.stdout + r.stderr);
r = node('table.js', samples);
check('table.js, no loads: not judged', r.status === 0 && glibc(r.stdout).includes('**not judged**: no load recorded'),
  r.stdout + r.stderr);

// Interleaved pairs (BM_<workload>/pair_bump, bench/measure.h): where a run
// has them, their per-process ratio decides the bump figure, not the
// adjacent processes' (here 1.25, the pairs 1.40, 1.30 and 1.60), and they
// are no row of table.js's.
const pairs = path.join(tmp, 'pairs');
fs.mkdirSync(pairs);
for (const f of fs.readdirSync(run)) fs.copyFileSync(path.join(run, f), path.join(pairs, f));
const pairSample = (ratio) => JSON.stringify({ context: {}, benchmarks: [
  { name: 'BM_fixed64/pair_bump', run_type: 'iteration', cpu_time: 2e6, time_unit: 'ns', ops: 128000, ratio,
    slice_rounds: 64, pairs: 100 }] });
[1.4, 1.3, 1.6].forEach((ratio, i) => fs.writeFileSync(path.join(pairs, `${i + 1}_fixed64_pair-bump.json`), pairSample(ratio)));
r = node('ratios.js', ['--loads', idle, pairs]);
check('ratios.js, interleaved: the pairs decide the bump figure', r.status === 0 &&
  r.stdout.includes('| fixed64 within 1.5x of bump | 1.40 (1.30–1.60; load/core 0.15–0.50) | yes |'), r.stdout + r.stderr);
check('ratios.js, interleaved: the method said, with the slice', r.stdout.includes('interleaved in slices of 64 rounds'), r.stdout);
check('ratios.js, adjacent only: no word of interleaving', !node('ratios.js', ['--loads', idle, run]).stdout.includes('interleaved'));
r = node('table.js', ['--loads', idle, ...fs.readdirSync(pairs).map((f) => path.join(pairs, f))]);
check('table.js: an interleaved pair is no row', r.status === 0 && !r.stdout.includes('pair_bump') &&
  r.stdout.includes('| fixed64 | bump |'), r.stdout + r.stderr);
const bad = path.join(pairs, '4_fixed64_pair-bump.json');
fs.writeFileSync(bad, JSON.stringify({ context: {}, benchmarks: [{ name: 'BM_fixed64/pair_bump', run_type: 'iteration' }] }));
r = node('ratios.js', [pairs]);
check('ratios.js, a pair without its ratio: FILE: problem, exit 2', r.status === 2 && r.stderr.includes(bad), r.stdout + r.stderr);

fs.rmSync(tmp, { recursive: true, force: true });
console.log(`load_test: ${failures} failed`);
process.exit(failures ? 1 : 0);
