// The machine's load during a benchmark run, and what it allows the tables
// to say. scripts/bench.sh writes DIR/loads.tsv next to the samples:
//
//   # comment
//   cores<TAB>2
//   round<TAB>1<TAB>0.42<TAB>0.61     1-minute load average at the start
//                                     and at the end of round 1
//
// A round's load is the larger of the two, per core. A timing target is
// judged ("met" yes or no) only when every round its figure comes from ran
// at no more than MAX_LOAD_PER_CORE: above that, other jobs decide the
// times as much as the allocators do (docs/BENCHMARKS.md, "Load").
'use strict';

const fs = require('fs');

const MAX_LOAD_PER_CORE = 0.5;

// FILE -> { file, cores, perCore: Map(round -> load per core) }; throws
// "FILE:LINE: problem" on bad input.
function readLoads(file) {
  const loads = { file, cores: 0, perCore: new Map() };
  const rounds = [];
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    const f = line.split('\t');
    const number = (s) => (/^\d+(\.\d+)?$/.test(s) ? Number(s) : NaN);
    if (f[0] === 'cores' && f.length === 2 && Number.isInteger(number(f[1])) && number(f[1]) > 0) {
      if (loads.cores) throw new Error(`${where}: cores twice`);
      loads.cores = number(f[1]);
    } else if (f[0] === 'round' && f.length === 4 && [1, 2, 3].every((k) => !Number.isNaN(number(f[k])))) {
      if (rounds.some((r) => r[0] === f[1])) throw new Error(`${where}: round ${f[1]} twice`);
      rounds.push([f[1], Math.max(number(f[2]), number(f[3]))]);
    } else {
      throw new Error(`${where}: want "cores<TAB>N" or "round<TAB>N<TAB>LOAD_START<TAB>LOAD_END", got "${line}"`);
    }
  });
  if (!loads.cores) throw new Error(`${file}: no cores line`);
  for (const [round, load] of rounds) loads.perCore.set(Number(round), load / loads.cores);
  return loads;
}

// The load per core over ROUNDS: { min, max }, or null when a round has no
// load recorded (or there are no loads at all).
function loadOver(loads, rounds) {
  if (!loads || rounds.length === 0 || rounds.some((r) => !loads.perCore.has(r))) return null;
  const values = rounds.map((r) => loads.perCore.get(r));
  return { min: Math.min(...values), max: Math.max(...values) };
}

// "load/core 0.21–0.40" beside a figure.
function loadText(load) {
  if (!load) return 'load not recorded';
  const f = (x) => x.toFixed(2);
  return load.min === load.max ? `load/core ${f(load.max)}` : `load/core ${f(load.min)}–${f(load.max)}`;
}

// The "met" cell of a timing target whose figure came from rounds with LOAD.
function verdict(met, load) {
  if (!load) return '**not judged**: no load recorded';
  if (load.max > MAX_LOAD_PER_CORE) {
    return `**not judged**: load/core up to ${load.max.toFixed(2)} > ${MAX_LOAD_PER_CORE} (the figure alone says ${met ? 'yes' : 'no'})`;
  }
  return met ? 'yes' : '**no**';
}

module.exports = { MAX_LOAD_PER_CORE, readLoads, loadOver, loadText, verdict };
