// selftest_experiments.js: check 4 of the self test (selftest.js): every way
// the planner knows to express `from R A` (all string families, not only the
// one it prefers), run in this Node, reserves exactly R and keeps exactly A
// bytes, pooled when R < t and unpooled (pool untouched) otherwise.
'use strict';

const probe = require('./probe');
const planner = require('./planner');
const { buildString, describePlan } = require('./string_families');

module.exports = function experimentChecks({ fail, quick, makeRandom }) {
  const pt = { ...probe, ...planner, buildString, describePlan };
  let experiments = 0;
  function runPlan(S, R, A, plan, family) {
    ++experiments;
    const t = Math.floor(S / 2);
    const what = `S=${S} from ${R} ${A} via ${family}: ${pt.describePlan(plan)}`;
    if (R < t) {
      for (const room of R === 0 ? [0, -1] : [R, R - 1]) {
        const { pool, base, offset } = pt.setRoom(room);
        Buffer.poolSize = S;
        const b = Buffer.from(pt.buildString(plan), plan.enc);
        const wantNew = room < R;
        if (!pt.isPool(b.buffer)) return fail(`${what}: not pooled`);
        if (b.length !== A) return fail(`${what}: kept ${b.length}`);
        if (wantNew && (b.buffer === pool || b.buffer.byteLength !== S + pt.features().pool_padding))
          return fail(`${what}: room ${room} did not start a new ${S}-byte pool`);
        if (!wantNew && (b.buffer !== pool || b.byteOffset !== base + offset))
          return fail(`${what}: room ${room} did not keep the pool (reserve != R?)`);
      }
    } else {
      const { pool, base, offset } = pt.setRoom(16);
      Buffer.poolSize = S;
      const b = Buffer.from(pt.buildString(plan), plan.enc);
      if (pt.isPool(b.buffer) || b.byteOffset !== 0 || b.length !== A) return fail(`${what}: pooled or wrong length (${b.length})`);
      Buffer.poolSize = 64;
      const after = Buffer.allocUnsafe(1);
      if (after.buffer !== pool || after.byteOffset !== base + offset) return fail(`${what}: disturbed the pool`);
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
  experiments_();
  return experiments;
};
