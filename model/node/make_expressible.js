// make_expressible.js: rewriting op files so that the running Node can
// express every op, changing as little as possible (docs/NODE.md, "Making
// sequences expressible"):
// - a `from R A` Node cannot express becomes the nearest `from R' A'` it can,
//   on the same side of the threshold in force at that op (buffer numbers and
//   later `release K` stay valid); only when no `from` of that side exists, a
//   pooled `alloc`, else the nearest `from` of the other side;
// - on a Node without aligned allocation, `alloc N align A` becomes `alloc N`
//   and `alloc_slow N align A` becomes `alloc_slow N`.
// The choice depends on the op, the pool_size in force and this Node's rule
// and features only: never on the model, the allocator or any trace. Files
// with `#@ alignment` other than 8, or with an op Node has no counterpart for
// (fail_next), are skipped.
'use strict';

const planner = require('./planner');
const { internal } = require('./probe');

// The replacement for one op Node cannot express, or null when there is none
// and the file must be skipped. Returns { now, how }.
function replacement(op, S, rule) {
  if (op.op === 'alloc' || op.op === 'alloc_slow') return { now: `${op.op} ${op.size}`, how: 'unaligned' };
  if (op.op !== 'from') return null;
  const t = Math.floor(S / 2);
  const near = planner.nearestFrom(op.reserve, op.kept, S, rule);
  if (near) return { now: `from ${near.R} ${near.A}`, how: 'from' };
  if (op.reserve < t && t >= 2) return { now: `alloc ${Math.max(op.reserve, 1)}`, how: 'alloc' };  // pooled: 1 <= N < t
  const other = op.reserve < t ? planner.nearestFrom(t, op.kept, S, rule) : null;
  if (!other) internal(`make-expressible: nothing replaces ${op.text} at pool_size ${S}`);
  return { now: `from ${other.R} ${other.A}`, how: 'other side' };
}

const WHY = {
  from: '',
  alloc: ', no pooled `from` possible here',
  'other side': ', no buffer of that side possible here',
  unaligned: ', this Node has no aligned allocation',
};

// `text` is the file, `file` its parse (parser.js). Returns { skipped: reason }
// or { text, changes: [{ line, was, now, how, poolSize }] }.
function makeExpressible(text, file, rule) {
  const name = planner.ruleOrActive(rule);
  if (file.settings.alignment !== 8)
    return { skipped: `#@ alignment ${file.settings.alignment}: Node rounds pool offsets to 8 only`, why: 'alignment' };
  const changes = [];
  let S = file.settings.pool_size;
  for (const op of file.ops) {
    if (op.op === 'pool_size' && op.refused === undefined) S = op.size;  // above 2^30: refused, S kept
    let expressible = planner.opProblem(op) === null;
    if (expressible && op.op === 'from' && op.creates !== undefined)
      expressible = !planner.planFrom(op.reserve, op.kept, S, name).error;
    if (expressible) continue;
    const change = replacement(op, S, name);
    if (change === null) return { skipped: `line ${op.line}: ${op.text}: ${planner.opProblem(op)}`, why: op.op };
    if (op.line === 0) return { skipped: 'binary file: convert it to text first', why: 'binary' };
    changes.push({ line: op.line, was: op.text, poolSize: S, ...change });
  }
  if (changes.length === 0) return { text, changes };
  const lines = text.split('\n');
  for (const change of changes) {
    let line = lines[change.line - 1];
    const cr = line.endsWith('\r') ? '\r' : '';
    if (cr) line = line.slice(0, -1);
    lines[change.line - 1] = `${change.now}  # make-expressible (node ${process.version}, rule ${name}, ` +
      `pool_size ${change.poolSize}${WHY[change.how]}): was: ${line.trim()}${cr}`;
  }
  return { text: lines.join('\n'), changes };
}

module.exports = { makeExpressible };

// All *.ops under dir (hidden entries skipped), as paths relative to dir, sorted.
function opsFilesUnder(dir) {
  const fs = require('fs');
  const path = require('path');
  const out = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const r = rel ? path.join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) walk(r);
      else if (entry.isFile() && entry.name.endsWith('.ops')) out.push(r);
    }
  };
  walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// Every *.ops under `from` made expressible into `to` (same relative paths).
// Returns the counts; `log` lists malformed files (and, verbose, each change).
// The results are parsed again (by poolcheck) and planned: every op must be
// expressible, with as many ops as before.
function makeExpressibleDirs(from, to, verbose) {
  const fs = require('fs');
  const path = require('path');
  const parser = require('./parser');
  const names = opsFilesUnder(from);
  const parsed = parser.parseFiles(names.map((rel) => path.join(from, rel))).files;
  const count = { files: names.length, written: 0, changed: 0, ops: 0, by: {}, skipped: {}, malformed: 0, log: '' };
  const written = [];
  names.forEach((rel, i) => {
    const src = path.join(from, rel);
    if (parsed[i].error) {
      ++count.malformed;
      count.log += `make-expressible: ${parser.malformedText(parsed[i])}\n`;
      return;
    }
    const result = makeExpressible(fs.readFileSync(src, 'latin1'), parsed[i]);
    if (result.skipped) {
      count.skipped[result.why] = (count.skipped[result.why] || 0) + 1;
      if (verbose) count.log += `SKIP ${src}: ${result.skipped}\n`;
      return;
    }
    const dst = path.join(to, rel);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.writeFileSync(dst, result.text, 'latin1');
    written.push({ dst, ops: parsed[i].ops.length });
    ++count.written;
    if (result.changes.length > 0) ++count.changed;
    for (const c of result.changes) {
      ++count.ops;
      count.by[c.how] = (count.by[c.how] || 0) + 1;
      if (verbose) count.log += `${src}:${c.line}: ${c.was} -> ${c.now} (pool_size ${c.poolSize})\n`;
    }
  });
  const again = parser.parseFiles(written.map((w) => w.dst)).files;
  again.forEach((file, i) => {
    const left = file.error ? [{ line: file.error.line, text: file.error.message }] : planner.planFile(file);
    if (left.length > 0 || file.ops.length !== written[i].ops)
      internal(`make-expressible: ${written[i].dst} still has ${left.length} inexpressible op(s): ` +
        `${left.map((p) => `${p.line}: ${p.text}`).join('; ')}`);
  });
  return count;
}

function summaryText(count) {
  const skipped = Object.entries(count.skipped).map(([why, n]) => `${n} (${why})`).join(', ') || '0';
  const by = Object.entries(count.by).map(([how, n]) => `${n} ${how}`).join(', ') || 'none';
  return `${count.files} files, ${count.written} written (${count.changed} changed, ${count.ops} ops replaced: ${by}), ` +
    `${skipped} skipped, ${count.malformed} malformed`;
}

module.exports.opsFilesUnder = opsFilesUnder;
module.exports.makeExpressibleDirs = makeExpressibleDirs;
module.exports.summaryText = summaryText;
