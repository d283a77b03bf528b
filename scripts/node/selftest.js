#!/usr/bin/env node
// Self test of pool_trace.js against the Node it runs on (no C++ needed):
//
//  1. rule: the rule pool_trace.js detected for Buffer.from(string) predicts,
//     for random strings of every encoding the runner uses (and ucs2, ascii,
//     surrogate pairs), whether Node pools them and exactly how many bytes
//     they reserve (measured: the pool is kept with that much room, replaced
//     with one byte less);
//  2. theory: for small thresholds and each known rule, every (reserve, kept)
//     pair some string can produce under the rule is exactly the set the
//     planner calls expressible (and the other way round);
//  3. nearest: make-expressible's choice (nearestFrom) is the nearest
//     expressible pair, checked by brute force, for each known rule;
//  4. experiment: every way the planner knows to express `from R A` (all
//     string families, not only the one it prefers), run in this Node,
//     reserves exactly R and keeps exactly A bytes, pooled when R < t and
//     unpooled (pool untouched) otherwise;
//  5. the prologue leaves a state where even a 0-byte reservation makes a new
//     pool;
//  6. random op files: the runner's trace equals a small JavaScript copy of
//     the placement rules of docs/SPEC.md;
//  7. random op files with arbitrary `from R A`, made expressible
//     (--make-expressible): only inexpressible `from` lines change, the result
//     is expressible, and its trace equals the rules' too.
//
//   node scripts/node/selftest.js [--quick]
// Exit 0 when everything holds; 1 with the first failures listed; 4 when this
// Node follows no known rule (pool_trace.js's message says what it saw).
'use strict';

const pt = require('./pool_trace.js');

if (!pt.init()) {
  if (process.env.POOL_TRACE_REEXEC === '1') {
    process.stderr.write('selftest: cannot read the pool mark\n');
    process.exit(4);
  }
  const { spawnSync } = require('child_process');
  const r = spawnSync(process.execPath, ['--expose-internals', '--no-warnings', __filename, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, POOL_TRACE_REEXEC: '1' } });
  process.exit(r.status === null ? 4 : r.status);
}

const quick = process.argv.includes('--quick');
const failures = [];
function fail(message) {
  failures.push(message);
  if (failures.length >= 20) finish();
}
function finish() {
  if (failures.length > 0) {
    process.stdout.write(`selftest: FAILED (node ${process.version}, rule ${pt.activeRule()})\n${failures.map((f) => `  ${f}\n`).join('')}`);
    process.exit(1);
  }
  process.stdout.write('selftest: all checks passed\n');
  process.exit(0);
}

let info;
try {
  info = pt.calibrate();
} catch (error) {
  if (!(error instanceof pt.InternalError)) throw error;
  process.stdout.write(`selftest: ${error.message}\n`);
  process.exit(4);
}
const RULE = info.rule;
const RULE_NAMES = Object.keys(pt.RULES);

function makeRandom(seed) {
  return (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
}

// --- 1. rule ----------------------------------------------------------------
let ruleChecks = 0;
function ruleCheck() {
  const rand = makeRandom(4242);
  const pick = (s) => s[rand(s.length)];
  const make = {
    utf8: (L) => {  // 1-, 2-, 3-byte chars and surrogate pairs (2 units, 4 bytes)
      let s = '';
      while (s.length < L) s += L - s.length >= 2 && rand(6) === 0 ? '\u{1F600}' : pick(['a', '\u00e9', '\u0800']);
      return s;
    },
    latin1: (L) => 'x'.repeat(L),
    ascii: (L) => 'q'.repeat(L),
    ucs2: (L) => 'y'.repeat(L),
    hex: (L) => {  // valid pairs, then anything
      const valid = rand(Math.floor(L / 2) + 1);
      return 'c3'.repeat(valid) + pick(['z', '0', 'g']).repeat(L - 2 * valid);
    },
    base64: (L) => {  // data chars, '.', up to two '='
      const pad = Math.min(rand(3), L);
      const data = rand(L - pad + 1);
      return 'Q'.repeat(data) + '.'.repeat(L - pad - data) + '='.repeat(pad);
    },
  };
  const encodings = Object.keys(make);
  const rule = pt.RULES[RULE];
  for (let i = 0; i < (quick ? 150 : 600); ++i) {
    const S = i < 40 ? 2 + i : [2 + rand(40), 8 + rand(200), 100 + rand(400)][rand(3)];
    const t = Math.floor(S / 2);
    const L = 1 + rand([3, t + 3, 2 * t + 4][rand(3)]);
    const enc = encodings[rand(encodings.length)];
    const string = make[enc](L);
    const bl = Buffer.byteLength(string, enc);
    const want = rule.outcome(t, string.length, bl);
    const got = pt.observe(string, enc, S, 4 * string.length + 8);
    ++ruleChecks;
    if (got.pooled !== want.pooled || (want.pooled && got.reserve !== want.reserve))
      fail(`rule ${RULE}: Buffer.from(${JSON.stringify(string.length > 24 ? `${string.slice(0, 20)}...` : string)}` +
        ` (${string.length} chars, ${enc}, byteLength ${bl}) at poolSize ${S}: Node ${got.pooled ? `pools it reserving ${got.reserve}` : 'does not pool it'},` +
        ` the rule says ${want.pooled ? `pooled reserving ${want.reserve}` : 'unpooled'}`);
  }
}

// --- 2. theory ----------------------------------------------------------------
// All (reserve, kept) pairs reachable under a rule with any string of length
// 1..maxL: utf8 (any byte length L..3L, all written), ucs2 (2L), latin1 (L),
// hex (L >>> 1, any prefix valid) and base64 (floor(3 body / 4), body = L minus
// up to two trailing '=', any number of data bytes up to that).
function reachable(rule, t, maxL) {
  const pooled = new Set();
  const unpooled = new Set([0]);  // '' gives an empty unpooled buffer
  const add = (L, bl, kept) => {
    const o = pt.RULES[rule].outcome(t, L, bl);
    if (o.pooled) pooled.add(`${o.reserve},${kept}`);
    else unpooled.add(kept);
  };
  for (let L = 1; L <= maxL; ++L) {
    for (let bl = L; bl <= 3 * L; ++bl) add(L, bl, bl);
    add(L, 2 * L, 2 * L);
    add(L, L, L);
    for (let k = 0; k <= L >>> 1; ++k) add(L, L >>> 1, k);
    for (let pad = 0; pad <= 2; ++pad) {
      const body = L - pad;
      if (body < 0 || (pad === 2 && L - 1 <= 1)) continue;
      const bl = Math.floor(3 * body / 4);
      for (let k = 0; k <= bl; ++k) add(L, bl, k);
    }
  }
  return { pooled, unpooled };
}

function theory() {
  const maxT = quick ? 40 : 80;
  for (const rule of RULE_NAMES) {
    for (let t = 0; t <= maxT; ++t) {
      const S = 2 * t;
      const { pooled, unpooled } = reachable(rule, t, 2 * t + 8);
      for (let R = 0; R < t + 4; ++R) {
        for (let A = 0; A <= R; ++A) {
          const plan = pt.planFrom(R, A, S, rule);
          const possible = R < t ? pooled.has(`${R},${A}`) : unpooled.has(A);
          if (!plan.error !== possible)
            fail(`theory ${rule} t=${t} from ${R} ${A}: planner says ${plan.error ? 'inexpressible' : 'expressible'}, the rule says ${possible ? 'possible' : 'impossible'}`);
        }
      }
    }
  }
}

// --- 3. nearest ---------------------------------------------------------------
let nearestChecks = 0;
function better(x, y) {
  for (let i = 0; i < x.length; ++i) if (x[i] !== y[i]) return x[i] < y[i];
  return false;
}
// Brute force over reserves within `reach` of R on R's side of the threshold.
function bruteNearest(R, A, S, rule, reach) {
  const t = Math.floor(S / 2);
  const low = R < t ? 0 : t;
  const high = R < t ? t - 1 : R + reach;
  let best = null;
  for (let R2 = Math.max(low, R - reach); R2 <= Math.min(high, R + reach); ++R2) {
    for (const [lo, hi] of pt.keptRangesAt(R2, t, rule)) {
      for (const A2 of [lo, hi, Math.min(Math.max(A, lo), hi)]) {
        const key = [Math.abs(R2 - R) + Math.abs(A2 - A), Math.abs(R2 - R), R2, A2];
        if (best === null || better(key, best)) best = key;
      }
    }
  }
  return best;
}

function nearest() {
  const check = (R, A, S, rule, reach) => {
    ++nearestChecks;
    const got = pt.nearestFrom(R, A, S, rule);
    const want = bruteNearest(R, A, S, rule, reach);
    const gotText = got ? `from ${got.R} ${got.A} (distance ${got.distance})` : 'none';
    const wantText = want ? `from ${want[2]} ${want[3]} (distance ${want[0]})` : 'none';
    if (gotText !== wantText) fail(`nearest ${rule} S=${S} from ${R} ${A}: nearestFrom gives ${gotText}, brute force ${wantText}`);
    if (got && pt.planFrom(got.R, got.A, S, rule).error) fail(`nearest ${rule} S=${S} from ${R} ${A}: from ${got.R} ${got.A} is not expressible`);
    if (got && (got.R < Math.floor(S / 2)) !== (R < Math.floor(S / 2))) fail(`nearest ${rule} S=${S} from ${R} ${A}: changes sides`);
  };
  for (const rule of RULE_NAMES) {
    for (let S = 0; S <= (quick ? 40 : 64); ++S) {
      const t = Math.floor(S / 2);
      for (let R = 0; R <= t + 3; ++R) for (let A = 0; A <= R; ++A) check(R, A, S, rule, 2 * t + 8);
    }
    const rand = makeRandom(99);
    for (const S of [255, 1000, 4096, 8192, 8193, 65536]) {
      const t = Math.floor(S / 2);
      for (let i = 0; i < (quick ? 30 : 150); ++i) {
        const R = [rand(t), rand(t), t - 1 - rand(8), t + rand(t)][rand(4)];
        const A = [rand(R + 1), R - rand(Math.min(R, 8) + 1), rand(Math.min(R, 8) + 1)][rand(3)];
        const got = pt.nearestFrom(R, A, S, rule);
        // No better pair can be farther away than the one found (+1 for ties).
        check(R, A, S, rule, got ? got.distance + 1 : t);
      }
    }
  }
}

// --- 4. experiment ------------------------------------------------------------
let experiments = 0;
function runPlan(S, R, A, plan, family) {
  ++experiments;
  const t = Math.floor(S / 2);
  const what = `S=${S} from ${R} ${A} via ${family}: ${pt.describePlan(plan)}`;
  if (R < t) {
    for (const room of R === 0 ? [0, -1] : [R, R - 1]) {
      const { pool, offset } = pt.setRoom(room);
      Buffer.poolSize = S;
      const b = Buffer.from(pt.buildString(plan), plan.enc);
      const wantNew = room < R;
      if (!pt.isPool(b.buffer)) return fail(`${what}: not pooled`);
      if (b.length !== A) return fail(`${what}: kept ${b.length}`);
      if (wantNew && (b.buffer === pool || b.byteOffset !== 0 || b.buffer.byteLength !== S))
        return fail(`${what}: room ${room} did not start a new ${S}-byte pool`);
      if (!wantNew && (b.buffer !== pool || b.byteOffset !== offset))
        return fail(`${what}: room ${room} did not keep the pool (reserve != R?)`);
    }
  } else {
    const { pool, offset } = pt.setRoom(16);
    Buffer.poolSize = S;
    const b = Buffer.from(pt.buildString(plan), plan.enc);
    if (pt.isPool(b.buffer) || b.byteOffset !== 0 || b.length !== A) return fail(`${what}: pooled or wrong length (${b.length})`);
    Buffer.poolSize = 64;
    const probe = Buffer.allocUnsafe(1);
    if (probe.buffer !== pool || probe.byteOffset !== offset) return fail(`${what}: disturbed the pool`);
  }
}

function experiment(S, R, A) {
  const t = Math.floor(S / 2);
  for (const c of pt.choices(R, t)) if (A >= c.lo && A <= c.hi) runPlan(S, R, A, c.plan(A), c.family);
}

function experiments_() {
  const exhaustive = quick ? 60 : 130;
  for (let S = 0; S <= exhaustive; ++S) {
    const t = Math.floor(S / 2);
    for (let R = 0; R <= t + 2; ++R) for (let A = 0; A <= R; ++A) experiment(S, R, A);
  }
  // Bigger pool sizes: the edges of every branch plus random pairs.
  const rand = makeRandom(12345);
  for (const S of [255, 256, 1000, 4095, 4096, 8192, 8193, 65536, 1 << 20]) {
    const t = Math.floor(S / 2);
    const edges = [0, 1, 2, 3, 4, 5, 8, 12, 16, Math.ceil(t / 8) - 1, Math.ceil(t / 8), Math.floor(t / 4) - 1,
      Math.floor(t / 4), Math.floor(t / 2) - 1, Math.floor(t / 2), Math.floor(3 * t / 4) - 1,
      Math.floor(3 * t / 4), t - 2, t - 1, t, t + 1, 2 * t];
    for (const R of edges) {
      if (R < 0) continue;
      for (const A of [0, 1, 2, Math.floor(R / 4), Math.floor(3 * R / 16), Math.floor(R / 2), Math.floor(3 * R / 4), R - 1, R])
        if (A >= 0 && A <= R) experiment(S, R, A);
    }
    for (let i = 0; i < (quick ? 100 : 1000); ++i) {
      const R = rand(t + 10);
      experiment(S, R, rand(R + 1));
    }
  }
}

// --- 5. prologue --------------------------------------------------------------
function prologue() {
  // Whatever state came before (here: pools of many shapes), after the
  // prologue a 0-byte reservation (hex 'z' with threshold 4: byte length 0,
  // and under the 4L rule 4 * 1 >= 4 sends it to the byte length) starts a pool.
  const shapes = [[8192, 1], [8192, 4095], [8192, 8000], [9, 1], [16, 7], [100, 49], [1 << 20, 12345], [24, 8], [65536, 3]];
  for (const [S, n] of shapes) {
    pt.exhaustPool();
    Buffer.poolSize = S;
    Buffer.allocUnsafe(n);  // some arbitrary pool state
    pt.exhaustPool();
    Buffer.poolSize = 8;
    const a = Buffer.from('z', 'hex');
    const b = Buffer.from('z', 'hex');
    if (!pt.isPool(a.buffer) || a.byteOffset !== 0 || a.length !== 0 || a.buffer.byteLength !== 8)
      fail(`prologue after pool_size ${S}, alloc ${n}: a 0-byte reservation did not start a new 8-byte pool`);
    if (b.buffer !== a.buffer || b.byteOffset !== 0)
      fail('prologue: a second 0-byte reservation did not stay at offset 0 of the new pool');
  }
}

// --- 6. and 7. random files vs the rules ---------------------------------------
// The runner's trace, or null after reporting why it could not run the file
// (its own checks, e.g. a string that kept other than A bytes).
function nodeTrace(parsed, name, text) {
  try {
    return pt.runFile(parsed, name);
  } catch (error) {
    if (!(error instanceof pt.InternalError)) throw error;
    fail(`${name}: the runner stopped: ${error.message}\n${text}`);
    return null;
  }
}

// docs/SPEC.md's placement rules, for ops [kind, x, y] with numbers.
function modelTrace(ops, S = 8192) {
  let pool = null;  // { number, capacity, offset }
  let pools = 0;
  let slice = 0;
  let out = '';
  const place = (r, a) => {
    if (pool === null || r > pool.capacity - pool.offset) pool = { number: pools++, capacity: S, offset: 0 };
    const at = pool.offset;
    pool.offset = Math.ceil((pool.offset + a) / 8) * 8;
    return pt.traceLine(slice++, true, pool.number, at, a);
  };
  for (const op of ops) {
    const [kind, x, y] = op;
    const t = Math.floor(S / 2);
    if (kind === 'pool_size') S = x;
    else if (kind === 'alloc') {
      if (x > 2 ** 30) continue;
      if (x === 0) out += pt.traceLine(slice++, false, null, 0, 0);
      else if (x >= t) out += pt.traceLine(slice++, false, null, 0, x);
      else out += place(x, x);
    } else if (kind === 'from') {
      if (x > 2 ** 30) continue;
      if (x >= t) out += pt.traceLine(slice++, false, null, 0, y);
      else out += place(x, y);
    }
  }
  return out;
}

const SIZES = [0, 1, 2, 3, 7, 9, 16, 24, 100, 101, 255, 256, 1000, 4095, 4096, 8192, 8193, 65536];

// A random op file; `fromPair(R, S, rand)` picks A.
function randomOps(rand, fromPair) {
  const ops = [];
  let S = 8192;
  let made = 0;
  const live = [];
  const n = 1 + rand(30);
  for (let i = 0; i < n; ++i) {
    const t = Math.floor(S / 2);
    const pick = rand(10);
    const size = () => [0, 1, 7, 8, 9, t - 1, t, t + 1, rand(t + 2), rand(2 * t + 2), rand(S + 1)][rand(11)];
    if (pick === 0) {
      S = SIZES[rand(SIZES.length)];
      ops.push(['pool_size', S]);
    } else if (pick <= 4) {
      ops.push(['alloc', Math.max(0, size())]);
      live.push(made++);
    } else if (pick <= 8) {
      ops.push(['from', ...fromPair(() => Math.max(0, size()), S)]);
      live.push(made++);
    } else if (live.length > 0) {
      const k = rand(live.length);
      ops.push(['release', live[k]]);
      live.splice(k, 1);
    }
  }
  return ops;
}

function randomFiles() {
  const rand = makeRandom(777);
  let compared = 0;
  let skipped = 0;
  for (let file = 0; file < (quick ? 300 : 3000); ++file) {
    // Mostly pairs Node can express, so that most files get compared.
    const ops = randomOps(rand, (size, S) => {
      let R;
      let A;
      for (let tries = 0; tries < 20; ++tries) {
        R = size();
        A = [R, 0, rand(R + 1), Math.floor(R / 4), Math.floor(3 * R / 4)][rand(5)];
        if (!pt.planFrom(R, A, S).error) break;
      }
      return [R, A];
    });
    const text = ops.map((op) => op.join(' ')).join('\n') + '\n';
    const parsed = pt.parseOps(text);
    if (pt.planFile(parsed).length > 0) {
      ++skipped;
      continue;
    }
    const got = nodeTrace(parsed, `random#${file}`, text);
    const want = modelTrace(ops);
    ++compared;
    if (got !== null && got !== want) fail(`random file #${file} disagrees with the rules:\n${text}--- node\n${got}--- rules\n${want}`);
  }
  return { compared, skipped };
}

function madeExpressible() {
  const rand = makeRandom(31337);
  let files = 0;
  let replaced = 0;
  for (let file = 0; file < (quick ? 300 : 2000); ++file) {
    // Any A: most files have an op Node cannot express.
    const ops = randomOps(rand, (size) => {
      const R = size();
      return [R, [R, 0, rand(R + 1), rand(R + 1), R - rand(Math.min(R, 3) + 1)][rand(5)]];
    });
    const initial = rand(8) === 0 ? SIZES[rand(SIZES.length)] : 8192;
    const crlf = rand(4) === 0 ? '\r\n' : '\n';
    const header = initial !== 8192 ? `#@ pool_size ${initial}${crlf}` : '';
    const lines = ops.map((op) => op.join(' '));
    const text = header + lines.join(crlf) + crlf;
    const result = pt.makeExpressible(text);
    const where = `make-expressible of random file #${file}`;
    if (result.skipped) {
      fail(`${where}: skipped (${result.skipped})`);
      continue;
    }
    const before = text.split('\n');
    const after = result.text.split('\n');
    const changed = new Set(result.changes.map((c) => c.line));
    if (before.length !== after.length) fail(`${where}: ${before.length} lines became ${after.length}`);
    for (let i = 0; i < before.length; ++i) {
      if (changed.has(i + 1)) {
        if (!before[i].startsWith('from ') || !/^(from|alloc) /.test(after[i]) || after[i].endsWith('\r') !== before[i].endsWith('\r'))
          fail(`${where}: line ${i + 1} '${before[i]}' became '${after[i]}'`);
      } else if (before[i] !== after[i]) {
        fail(`${where}: unchanged line ${i + 1} '${before[i]}' became '${after[i]}'`);
      }
    }
    const parsed = pt.parseOps(result.text);
    const problems = pt.planFile(parsed);
    if (problems.length > 0) {
      fail(`${where}: still inexpressible: ${problems.map((p) => p.text).join(', ')}`);
      continue;
    }
    // Every `from` that was expressible is still there as it was, every other
    // one was replaced: so changes == the ops that were inexpressible.
    const original = pt.parseOps(text);
    const wereBad = pt.planFile(original).filter((p) => p.text.startsWith('from')).map((p) => p.line);
    if (wereBad.join() !== [...changed].join()) fail(`${where}: changed lines ${[...changed]} but inexpressible were ${wereBad}`);
    replaced += changed.size;
    const got = nodeTrace(parsed, `expressible#${file}`, result.text);
    const want = modelTrace(parsed.ops.map((op) => [op.kind, Number(op.a), Number(op.b)]), initial);
    ++files;
    if (got !== null && got !== want) fail(`${where} disagrees with the rules:\n${result.text}--- node\n${got}--- rules\n${want}`);
  }
  return { files, replaced };
}

const started = Date.now();
ruleCheck();
theory();
nearest();
experiments_();
prologue();
const { compared, skipped } = randomFiles();
const made = madeExpressible();
process.stdout.write(`selftest: node ${process.version}, rule ${RULE} (Node's default Buffer.poolSize ${info.node_default_pool_size}); ` +
  `${ruleChecks} strings vs the rule, ${nearestChecks} nearest checks, ${experiments} from-experiments, ` +
  `${compared} random files compared with the rules (${skipped} inexpressible skipped), ` +
  `${made.files} made expressible (${made.replaced} ops replaced) and compared, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
finish();
