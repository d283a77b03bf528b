#!/usr/bin/env node
// Self test of pool_trace.js against the Node it runs on (no C++ needed):
//
//  1. theory: for small thresholds, every (reserve, kept) pair that some
//     string can produce according to lib/buffer.js is exactly the set the
//     runner's planner calls expressible (and the other way round);
//  2. experiment: every plan, run in this Node, reserves exactly R (the pool
//     is kept with R bytes of room and replaced with R - 1) and keeps exactly
//     A bytes, pooled when R < t and unpooled (pool untouched) otherwise;
//  3. the prologue leaves a state where even a 0-byte reservation makes a new
//     pool;
//  4. random op files: the runner's trace equals a small JavaScript copy of
//     the rules in the brief (placement rules of poolcheck's model).
//
//   node scripts/node/selftest.js [--quick]
// Exit 0 when everything holds; 1 with the first failures listed.
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
    process.stdout.write(`selftest: FAILED\n${failures.map((f) => `  ${f}\n`).join('')}`);
    process.exit(1);
  }
  process.stdout.write('selftest: all checks passed\n');
  process.exit(0);
}

// --- 1. theory ------------------------------------------------------------
// What lib/buffer.js (v20.20) does with a non-empty string of L UTF-16 units,
// byte length bl and `written` bytes written, under threshold t.
function outcome(t, L, bl, written) {
  if (L >= t) return { pooled: false, kept: written };
  const reserve = 4 * L < t ? 4 * L : bl;
  if (reserve >= t) return { pooled: false, kept: written };
  return { pooled: true, reserve, kept: written };
}

// All (reserve, kept) pairs reachable with any string of length 1..maxL.
function reachable(t, maxL) {
  const pooled = new Set();
  const unpooled = new Set([0]);  // '' gives an empty unpooled buffer
  const add = (o) => (o.pooled ? pooled.add(`${o.reserve},${o.kept}`) : unpooled.add(o.kept));
  for (let L = 1; L <= maxL; ++L) {
    const limitOf = (bl) => (L < t && 4 * L < t ? 4 * L : bl);  // write limit
    for (let bl = L; bl <= 3 * L; ++bl) add(outcome(t, L, bl, bl));  // utf8
    add(outcome(t, L, 2 * L, 2 * L));                                  // ucs2
    add(outcome(t, L, L, L));                                          // latin1/ascii
    const hexBl = L >>> 1;                                             // hex
    for (let k = 0; k <= hexBl; ++k) add(outcome(t, L, hexBl, Math.min(k, limitOf(hexBl))));
    for (let pad = 0; pad <= 2; ++pad) {                               // base64
      const body = L - pad;
      if (body < 0 || (pad === 2 && L - 1 <= 1)) continue;
      const bl = Math.floor(3 * body / 4);
      for (let k = 0; k <= bl; ++k) add(outcome(t, L, bl, Math.min(k, limitOf(bl))));
    }
  }
  return { pooled, unpooled };
}

function theory() {
  const maxT = quick ? 40 : 80;
  for (let t = 0; t <= maxT; ++t) {
    const S = 2 * t;
    const { pooled, unpooled } = reachable(t, 2 * t + 8);
    for (let R = 0; R < t + 4; ++R) {
      for (let A = 0; A <= R; ++A) {
        const plan = pt.planFrom(R, A, S);
        const possible = R < t ? pooled.has(`${R},${A}`) : unpooled.has(A);
        if (!plan.error !== possible)
          fail(`theory t=${t} from ${R} ${A}: planner says ${plan.error ? 'inexpressible' : 'expressible'}, lib/buffer.js says ${possible ? 'possible' : 'impossible'}`);
      }
    }
  }
}

// --- 2. experiment ----------------------------------------------------------
let experiments = 0;
function experiment(S, R, A) {
  const plan = pt.planFrom(R, A, S);
  if (plan.error) return;
  ++experiments;
  const t = Math.floor(S / 2);
  const what = `S=${S} from ${R} ${A} via ${pt.describePlan(plan)}`;
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
    if (pt.isPool(b.buffer) || b.byteOffset !== 0 || b.length !== A) return fail(`${what}: pooled or wrong length`);
    Buffer.poolSize = 64;
    const probe = Buffer.allocUnsafe(1);
    if (probe.buffer !== pool || probe.byteOffset !== offset) return fail(`${what}: disturbed the pool`);
  }
}

// The unpooled base64 plan is only chosen for huge thresholds (when the hex
// string would be too long); check the same construction at small ones.
function unpooledBase64() {
  for (let S = 2; S <= 120; ++S) {
    const t = Math.floor(S / 2);
    for (let A = 1; A < t; ++A) {
      const valid = Math.ceil(4 * A / 3);
      const plan = { kind: 'base64', enc: 'base64', body: Math.max(t, valid), pad: 0, valid };
      const { pool, offset } = pt.setRoom(16);
      Buffer.poolSize = S;
      const b = Buffer.from(pt.buildString(plan), 'base64');
      ++experiments;
      if (pt.isPool(b.buffer) || b.length !== A) fail(`unpooled base64 S=${S} A=${A}: pooled or kept ${b.length}`);
      Buffer.poolSize = 64;
      const probe = Buffer.allocUnsafe(1);
      if (probe.buffer !== pool || probe.byteOffset !== offset) fail(`unpooled base64 S=${S} A=${A}: disturbed the pool`);
    }
  }
}

function experiments_() {
  const exhaustive = quick ? 60 : 130;
  for (let S = 0; S <= exhaustive; ++S) {
    const t = Math.floor(S / 2);
    for (let R = 0; R <= t + 2; ++R) for (let A = 0; A <= R; ++A) experiment(S, R, A);
  }
  // Bigger pool sizes: the edges of every branch plus random pairs.
  let seed = 12345;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
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
    for (let i = 0; i < (quick ? 200 : 2000); ++i) {
      const R = rand(t + 10);
      experiment(S, R, rand(R + 1));
    }
  }
}

// --- 3. prologue --------------------------------------------------------------
function prologue() {
  // Whatever state came before (here: pools of many shapes), after the
  // prologue a 0-byte reservation (hex 'z' with threshold 2..4) starts a pool.
  const shapes = [[8192, 1], [8192, 4095], [8192, 8000], [9, 1], [16, 7], [100, 49], [1 << 20, 12345], [24, 8]];
  for (const [S, n] of shapes) {
    pt.exhaustPool();
    Buffer.poolSize = S;
    Buffer.allocUnsafe(n);  // some arbitrary pool state
    const before = Buffer.allocUnsafe(0);
    void before;
    pt.exhaustPool();
    Buffer.poolSize = 8;  // t = 4: 'z' as hex reserves 0 bytes
    const a = Buffer.from('z', 'hex');
    const b = Buffer.from('z', 'hex');
    if (!pt.isPool(a.buffer) || a.byteOffset !== 0 || a.length !== 0 || a.buffer.byteLength !== 8)
      fail(`prologue after pool_size ${S}, alloc ${n}: a 0-byte reservation did not start a new 8-byte pool`);
    if (b.buffer !== a.buffer || b.byteOffset !== 0)
      fail('prologue: a second 0-byte reservation did not stay at offset 0 of the new pool');
  }
}

// --- 4. random files vs the rules --------------------------------------------
function modelTrace(ops) {
  let S = 8192;
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

function randomFiles() {
  let seed = 777;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const sizes = [0, 1, 2, 3, 7, 9, 16, 24, 100, 101, 255, 256, 1000, 4095, 4096, 8192, 8193, 65536];
  let compared = 0;
  let skipped = 0;
  for (let file = 0; file < (quick ? 300 : 3000); ++file) {
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
        S = sizes[rand(sizes.length)];
        ops.push(['pool_size', S]);
      } else if (pick <= 4) {
        ops.push(['alloc', Math.max(0, size())]);
        live.push(made++);
      } else if (pick <= 8) {
        // Mostly pairs Node can express, so that most files get compared.
        let R;
        let A;
        for (let tries = 0; tries < 20; ++tries) {
          R = Math.max(0, size());
          A = [R, 0, rand(R + 1), Math.floor(R / 4), Math.floor(3 * R / 4)][rand(5)];
          if (!pt.planFrom(R, A, S).error) break;
        }
        ops.push(['from', R, A]);
        live.push(made++);
      } else if (live.length > 0) {
        const k = rand(live.length);
        ops.push(['release', live[k]]);
        live.splice(k, 1);
      }
    }
    const text = ops.map((op) => op.join(' ')).join('\n') + '\n';
    const parsed = pt.parseOps(text);
    if (pt.planFile(parsed).length > 0) {
      ++skipped;
      continue;
    }
    const got = pt.runFile(parsed, `random#${file}`);
    const want = modelTrace(ops);
    ++compared;
    if (got !== want) fail(`random file #${file} disagrees with the rules:\n${text}--- node\n${got}--- rules\n${want}`);
  }
  return { compared, skipped };
}

const started = Date.now();
theory();
experiments_();
unpooledBase64();
prologue();
const { compared, skipped } = randomFiles();
process.stdout.write(`selftest: ${experiments} from-experiments, ${compared} random files compared with the rules ` +
  `(${skipped} inexpressible skipped), ${((Date.now() - started) / 1000).toFixed(1)} s, node ${process.version}\n`);
finish();
