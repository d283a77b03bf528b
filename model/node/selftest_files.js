// selftest_files.js: the self test's checks of whole op files (selftest.js):
//  5. the prologue leaves a state where even a 0-byte reservation makes a new pool;
//  6. random op files (parsed by poolcheck): the runner's trace equals a small
//     JavaScript copy of docs/SPEC.md's placement rules;
//  7. random files with arbitrary `from R A`, made expressible: only
//     inexpressible lines change, the result is expressible, its trace equals
//     the rules' too;
//  8. aligned and slow allocations (Buffer.allocUnsafe(n, A),
//     Buffer.allocUnsafeSlow(n[, A])) in parsed form written here: traced
//     like the rules where this Node has them, reported inexpressible (and
//     rewritten by make-expressible) where it does not.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const probe = require('./probe');
const planner = require('./planner');
const parser = require('./parser');
const { runFile, traceLine } = require('./runner');
const { makeExpressible } = require('./make_expressible');

// docs/SPEC.md's placement rules, for ops [kind, x, y]: ['alloc', n],
// ['from', R, A], ['aligned', n, A] (allocUnsafe(n, A): the offset is rounded
// up to A before the room check; A > 64 or n >= t: own block), ['slow', n]
// (never pooled), ['pool_size', S], ['release', k].
function modelTrace(ops, S = parser.limits().defaults.pool_size) {
  const maxRequest = parser.limits().limits.max_request;  // beyond: no buffer (poolcheck's length_error)
  let pool = null;  // { number, capacity, offset }
  let pools = 0;
  let slice = 0;
  let out = '';
  const place = (r, a, align = 8) => {
    if (pool !== null) pool.offset = Math.ceil(pool.offset / align) * align;
    if (pool === null || r > pool.capacity - pool.offset) pool = { number: pools++, capacity: S, offset: 0 };
    const at = pool.offset;
    pool.offset = Math.ceil((pool.offset + a) / 8) * 8;
    return traceLine(slice++, true, pool.number, at, a);
  };
  const unpooled = (n) => traceLine(slice++, false, null, 0, n);
  for (const [kind, x, y] of ops) {
    const t = Math.floor(S / 2);
    if (kind === 'pool_size') S = x;
    else if (kind === 'release' || x > maxRequest) continue;
    else if (kind === 'slow') out += unpooled(x);
    else if (kind === 'alloc') out += x === 0 || x >= t ? unpooled(x) : place(x, x);
    else if (kind === 'aligned') out += x === 0 || x >= t || y > 64 ? unpooled(x) : place(x, x, y);
    else if (kind === 'from') out += x >= t ? unpooled(y) : place(x, y);
  }
  return out;
}

// The parsed form of ops [kind, x, y], as `poolcheck parse` prints it.
function parsedForm(ops, S = parser.limits().defaults.pool_size) {
  const maxRequest = parser.limits().limits.max_request;
  let made = 0;
  const json = ops.map(([kind, x, y], i) => {
    const op = { line: i + 1 };
    if (kind === 'pool_size') Object.assign(op, { op: 'pool_size', size: x, text: `pool_size ${x}` });
    else if (kind === 'release') Object.assign(op, { op: 'release', buffer: x, text: `release ${x}` });
    else if (kind === 'alloc') Object.assign(op, { op: 'alloc', size: x, text: `alloc ${x}` });
    else if (kind === 'aligned') Object.assign(op, { op: 'alloc', size: x, align: y, text: `alloc ${x} align ${y}` });
    else if (kind === 'slow') Object.assign(op, { op: 'alloc_slow', size: x, text: `alloc_slow ${x}` });
    else if (kind === 'from') Object.assign(op, { op: 'from', reserve: x, kept: y, text: `from ${x} ${y}` });
    if (kind !== 'pool_size' && kind !== 'release' && x <= maxRequest) op.creates = made++;
    return op;
  });
  return { file: 'hand-written', settings: { pool_size: S, alignment: 8, cache_limit: 16 }, ops: json };
}

const SIZES = [0, 1, 2, 3, 7, 9, 16, 24, 100, 101, 255, 256, 1000, 4095, 4096, 8192, 8193, 65536];

// A random op list; `fromPair(size, S)` picks R and A; `aligned` adds
// allocUnsafe(n, A) and allocUnsafeSlow(n).
function randomOps(rand, fromPair, aligned = false) {
  const ops = [];
  let S = 8192;
  let made = 0;
  const live = [];
  const n = 1 + rand(30);
  for (let i = 0; i < n; ++i) {
    const t = Math.floor(S / 2);
    const pick = rand(aligned ? 14 : 10);
    const size = () => Math.max(0, [0, 1, 7, 8, 9, t - 1, t, t + 1, rand(t + 2), rand(2 * t + 2), rand(S + 1)][rand(11)]);
    if (pick === 0) {
      S = SIZES[rand(SIZES.length)];
      ops.push(['pool_size', S]);
    } else if (pick <= 4 || pick >= 10) {
      const kind = pick <= 4 ? 'alloc' : pick <= 12 ? 'aligned' : 'slow';
      ops.push([kind, size(), 2 ** rand(9)]);
      live.push(made++);
    } else if (pick <= 8) {
      ops.push(['from', ...fromPair(size, S)]);
      live.push(made++);
    } else if (live.length > 0) {
      const k = rand(live.length);
      ops.push(['release', live[k]]);
      live.splice(k, 1);
    }
  }
  return ops;
}

// Parses texts with poolcheck (one process for all).
function parseTexts(texts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selftest-'));
  try {
    const names = texts.map((text, i) => {
      const name = path.join(dir, `${i}.ops`);
      fs.writeFileSync(name, text, 'latin1');
      return name;
    });
    return parser.parseFiles(names).files;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { modelTrace, parsedForm, randomOps, parseTexts, SIZES };
