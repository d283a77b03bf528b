#!/usr/bin/env node
// compare.js: allocator vs model vs real Node on op files. For each sequence
//   poolcheck trace FILE          (the allocator)
//   poolcheck trace --model FILE  (the model)
//   NODE model/node/pool_trace.js (real Node; one process per 1000 files)
// (poolcheck's two run as `trace [--model] --out-dir DIR FILE...`, one
// process per side and chunk of at most 1000 files, JOBS at a time)
// and the three traces compared line by line. Sequences with an op Node
// cannot express are skipped and counted; sequences that create no buffer
// agree trivially and are counted apart ("empty"), never as compared.
//
//   node model/node/compare.js [-v] [-j JOBS] [--node BIN] [--result FILE] DIR_OR_FILE...
//
// Directories are searched for *.ops (hidden entries skipped); a file named
// directly that is not .ops is the fuzzers' binary form (poolcheck convert).
// --node: the Node that runs the ops (default: this one). --result FILE: the
// counts as JSON. Exit: 0 all agree, 1 a disagreement, 2 bad input or a tool
// failure (and no disagreement).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile, spawnSync } = require('child_process');
const parser = require('./parser');
const { opsFilesUnder } = require('./make_expressible');

const RUNNER = path.join(__dirname, 'pool_trace.js');
const MAX_REPORTS = 20;
const BATCH = 1000;

function collect(inputs, tmp, errors) {
  const files = [];  // { file: what the tools run, name: what we print }
  inputs.forEach((input, i) => {
    let stat = null;
    try {
      stat = fs.statSync(input);
    } catch {
      return errors.push(`${input}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      for (const rel of opsFilesUnder(input)) files.push({ file: path.join(input, rel), name: path.join(input, rel) });
    } else if (input.endsWith('.ops')) {
      files.push({ file: input, name: input });
    } else {
      const out = path.join(tmp, `converted.${i}.ops`);
      const r = spawnSync(parser.poolcheck(), ['convert', input, '-o', out], { encoding: 'latin1' });
      if (r.status !== 0) return errors.push(`${input}: poolcheck convert failed: ${(r.stderr || '').slice(0, 2000)}`);
      files.push({ file: out, name: input });
    }
  });
  return files;
}

// Node's result for every file: { kind: jsonl | inexpressible | malformed, text }.
function nodeResults(node, files, tmp) {
  const results = [];
  for (let first = 0; first < files.length; first += BATCH) {
    const dir = path.join(tmp, `node.${first / BATCH}`);
    const batch = files.slice(first, first + BATCH);
    const r = spawnSync(node, [RUNNER, '--out-dir', dir, '--', ...batch.map((f) => f.file)],
      { encoding: 'latin1', maxBuffer: 1 << 30, env: { ...process.env, POOLCHECK: parser.poolcheck() } });
    if (r.status !== 0 && r.status !== 2 && r.status !== 3)
      throw new Error(`pool_trace.js failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${r.stderr}`);
    batch.forEach((_, i) => {
      const kind = ['jsonl', 'inexpressible', 'malformed'].find((k) => fs.existsSync(path.join(dir, `${i}.${k}`)));
      results.push(kind ? { kind, text: fs.readFileSync(path.join(dir, `${i}.${kind}`), 'latin1') } : { kind: 'missing', text: '' });
    });
  }
  return results;
}

// A trace without its failed-request lines.
function buffersOnly(trace) {
  return trace.split('\n').filter((l) => l.length > 0 && !l.includes('"error":')).map((l) => `${l}\n`).join('');
}

// `poolcheck trace [--model] FILE` for each file (null: none), as
// { alloc, model } of { rc, out, err }: the files split into at least `jobs`
// chunks of at most BATCH, each traced by one `trace [--model] --out-dir`
// process per side, `jobs` processes at a time. A file without a trace gets
// its own FILE:LINE: problem (DIR/I.error), or the process's stderr.
async function poolcheckTraces(files, jobs, tmp) {
  const wanted = files.map((f, i) => i).filter((i) => files[i] !== null);
  const count = Math.max(jobs, Math.ceil(wanted.length / BATCH));
  const chunks = Array.from({ length: count }, (_, c) =>
    wanted.slice(Math.floor((c * wanted.length) / count), Math.floor(((c + 1) * wanted.length) / count)))
    .filter((chunk) => chunk.length > 0);
  const tasks = chunks.flatMap((chunk, c) => ['alloc', 'model'].map((side) => ({ chunk, side, dir: path.join(tmp, `trace.${side}.${c}`) })));
  const traces = files.map(() => ({}));
  const run = ({ chunk, side, dir }) => new Promise((resolve) => {
    const args = ['trace', ...(side === 'model' ? ['--model'] : []), '--out-dir', dir, ...chunk.map((i) => files[i])];
    execFile(parser.poolcheck(), args, { encoding: 'latin1', maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      const rc = error ? (typeof error.code === 'number' ? error.code : error.message) : 0;
      chunk.forEach((i, k) => {
        const read = (kind) => {
          try {
            return fs.readFileSync(path.join(dir, `${k}.${kind}`), 'latin1');
          } catch {
            return null;
          }
        };
        const out = read('trace');
        traces[i][side] = out !== null ? { rc: 0, out, err: '' } : { rc: rc === 0 ? 'no trace' : rc, out: '', err: read('error') ?? stderr };
      });
      resolve();
    });
  });
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await run(tasks[next++]);
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return traces;
}

// What an agreeing sequence exercised in Node, read from its ops and its
// trace: `from 0 0` (reserve 0) that started a new pool, which only a
// negative room (an offset rounded past the pool's end) can do, counted apart
// when the pool size was above 25, where no string of the 4L rule reserves 0
// bytes; and the aligned requests (`alloc`/`alloc_slow N align A`) and slow
// requests (`alloc_slow`, Buffer.allocUnsafeSlow) that created a buffer.
function reached(parsed, trace) {
  const lines = trace.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  const bySlice = new Map(lines.map((l) => [l.slice, l]));
  let newest = -1;
  let poolSize = parsed.settings.pool_size;
  const hits = { from_0_0_new_pool: 0, from_0_0_new_pool_above_25: 0, aligned_requests: 0, slow_requests: 0 };
  for (const op of parsed.ops) {
    if (op.op === 'pool_size') poolSize = op.size;
    const line = op.creates === undefined ? undefined : bySlice.get(op.creates);
    if (!line) continue;
    if (op.align !== undefined) ++hits.aligned_requests;
    if (op.op === 'alloc_slow') ++hits.slow_requests;
    if (!line.pooled) continue;
    if (line.pool > newest && op.op === 'from' && op.reserve === 0 && newest >= 0) {
      ++hits.from_0_0_new_pool;
      if (poolSize > 25) ++hits.from_0_0_new_pool_above_25;
    }
    newest = Math.max(newest, line.pool);
  }
  return hits;
}

function report(entry, a, m, n) {
  const ops = fs.readFileSync(entry.file, 'latin1').split('\n').slice(0, 200).map((l, i) => `${String(i + 1).padStart(5)}  ${l}`);
  const [al, ml, nl] = [a, m, n].map((t) => t.split('\n').filter((l) => l.length > 0));
  const lines = [`DISAGREE ${entry.name}`, `--- ops (${entry.file})`, ...ops,
    '--- traces: A = poolcheck trace (allocator), M = poolcheck trace --model, N = node'];
  let shown = 0;
  for (let i = 0; i < Math.max(al.length, ml.length, nl.length); ++i) {
    const [x, y, z] = [al[i], ml[i], nl[i]].map((l) => l || '(none)');
    if (x === y && y === z) lines.push(`     ${x}`);
    else lines.push(`  A! ${x}`, `  M! ${y}`, `  N! ${z}`);
    if (!(x === y && y === z) && ++shown >= 40) break;
  }
  return `${lines.join('\n')}\n`;
}

// Compares; returns { counts, log }. counts: sequences, agree, empty,
// disagree, inexpressible, errors.
async function compare({ inputs, node = process.execPath, jobs = os.cpus().length, verbose = false }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'node-compare-'));
  const errors = [];
  let log = '';
  const counts = { sequences: 0, agree: 0, empty: 0, disagree: 0, inexpressible: 0, errors: 0, from_0_0_new_pool: 0,
    from_0_0_new_pool_above_25: 0, aligned_requests: 0, slow_requests: 0 };
  try {
    const files = collect(inputs, tmp, errors);
    counts.sequences = files.length;
    const node_ = nodeResults(node, files, tmp);
    const traces = await poolcheckTraces(files.map((f, i) => (node_[i].kind === 'jsonl' ? f.file : null)), jobs, tmp);
    const parsed = parser.parseFiles(files.map((f) => f.file)).files;
    files.forEach((entry, i) => {
      const r = node_[i];
      if (r.kind === 'inexpressible') {
        ++counts.inexpressible;
        if (verbose) log += `SKIP ${entry.name}: Node cannot express:\n${r.text.replace(/^/gm, '    ')}`;
        return;
      }
      if (r.kind !== 'jsonl') return errors.push(r.kind === 'malformed' ? r.text.replace(/^pool_trace: /, '').trim() : `${entry.name}: no trace from pool_trace.js`);
      for (const side of ['alloc', 'model']) {
        const t = traces[i][side];
        if (t.rc !== 0) return errors.push(`${entry.name}: poolcheck trace${side === 'model' ? ' --model' : ''} failed (exit ${t.rc}): ${t.err.slice(0, 2000)}`);
      }
      const [a, m, n] = [traces[i].alloc.out, traces[i].model.out, r.text];
      // poolcheck also prints a line for each failed request (`"error":`);
      // Node's trace has buffers only, so those lines are compared between
      // allocator and model, and left out against Node.
      if (a === m && buffersOnly(m) === n) {
        if (n === '') ++counts.empty;
        else ++counts.agree;
        if (!parsed[i].error) for (const [k, v] of Object.entries(reached(parsed[i], n))) counts[k] += v;
        if (verbose) log += `${n === '' ? 'empty' : 'ok   '} ${entry.name}\n`;
      } else {
        log += ++counts.disagree <= MAX_REPORTS ? report(entry, a, m, n) : `DISAGREE ${entry.name} (details not shown)\n`;
      }
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  counts.errors = errors.length;
  log = errors.map((e) => `ERROR ${e}\n`).join('') + log;
  return { counts, log };
}

function summary(c) {
  return `node-compare: ${c.sequences} sequences, ${c.agree} agree, ${c.empty} empty (create no buffer, not counted), ` +
    `${c.disagree} disagree, ${c.inexpressible} inexpressible (skipped)${c.errors > 0 ? `, ${c.errors} errors` : ''}; ` +
    `from 0 0 starting a new pool (negative room) ${c.from_0_0_new_pool} times, ${c.from_0_0_new_pool_above_25} at pool sizes above 25; ` +
    `${c.aligned_requests} aligned and ${c.slow_requests} slow (allocUnsafeSlow) requests in the agreeing sequences`;
}

const exitCode = (c) => (c.disagree > 0 ? 1 : c.errors > 0 ? 2 : 0);

async function cli(argv) {
  const opts = { inputs: [], verbose: false };
  let result = null;
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '-v' || a === '--verbose') opts.verbose = true;
    else if (a === '-j') opts.jobs = Number(argv[++i]);
    else if (a === '--node') opts.node = argv[++i];
    else if (a === '--result') result = argv[++i];
    else if (a.startsWith('-')) return process.stderr.write(`compare: unknown option ${a}\n`), 2;
    else opts.inputs.push(a);
  }
  if (opts.inputs.length === 0 || (opts.jobs !== undefined && !(opts.jobs >= 1)))
    return process.stderr.write('usage: node compare.js [-v] [-j JOBS] [--node BIN] [--result FILE] DIR_OR_FILE...\n'), 2;
  const { counts, log } = await compare(opts);
  process.stdout.write(`${log}${summary(counts)}\n`);
  if (result) fs.writeFileSync(result, `${JSON.stringify(counts)}\n`);
  return exitCode(counts);
}

module.exports = { compare, summary, exitCode };

if (require.main === module) cli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
