// selftest_strings.js: the self test's checks of the string planner against
// the rules and against this Node (see selftest.js):
//  1. rule: the detected rule predicts, for random strings of every encoding,
//     whether Node pools them and exactly how many bytes they reserve;
//  2. theory: for small thresholds and each known rule, the (reserve, kept)
//     pairs some string can produce are exactly what the planner calls
//     expressible;
//  3. nearest: make-expressible's choice is the nearest expressible pair
//     (brute force), for each known rule;
//  4. experiment (selftest_experiments.js).
'use strict';

const probe = require('./probe');
const rules = require('./rules');
const planner = require('./planner');
const { RULES, buildString, describePlan } = require('./string_families');

module.exports = function stringChecks({ fail, quick, makeRandom }) {
  const RULE = rules.activeRule();
  const RULE_NAMES = Object.keys(RULES);
  const pt = { ...probe, ...rules, ...planner, RULES, buildString, describePlan };
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

  ruleCheck();
  theory();
  nearest();
  const experiments = require('./selftest_experiments')({ fail, quick, makeRandom });
  return { ruleChecks, nearestChecks, experiments };
};
