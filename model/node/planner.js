// planner.js: which ops this Node can express, and how. `from R A` needs a
// string (string_families.js) that makes Node reserve R and keep A bytes;
// aligned and slow allocations need the calls this Node has (probe.js). An op
// Node cannot express is reported, never run differently (make_expressible.js
// rewrites whole files instead).
'use strict';

const { MAX_STRING_LENGTH, FAMILIES, lo4 } = require('./string_families');
const probe = require('./probe');
const rules = require('./rules');

const NODE_ALIGNMENT = probe.NODE_ALIGNMENT;

function ruleOrActive(rule) {
  const name = rule || rules.activeRule();
  if (!FAMILIES[name]) throw new Error(`no such rule: ${name} (detectRule() not run?)`);
  return name;
}

// The families that apply to reserve R at threshold t: [{ lo, hi, plan, family }],
// hi never above R.
function choices(R, t, rule) {
  const side = R < t ? 'pooled' : 'unpooled';
  const out = [];
  for (const family of FAMILIES[ruleOrActive(rule)][side]) {
    const c = family.at(R, t);
    if (c === null) continue;
    const hi = Math.min(c.hi, R);
    if (c.lo <= hi) out.push({ lo: c.lo, hi, plan: c.plan, family: family.name });
  }
  return out;
}

// The kept counts A for which `from R A` is expressible at threshold t, as
// sorted, disjoint [lo, hi] ranges.
function keptRangesAt(R, t, rule) {
  const ranges = choices(R, t, rule).map((c) => [c.lo, c.hi]).sort((x, y) => x[0] - y[0]);
  const merged = [];
  for (const [lo, hi] of ranges) {
    const last = merged[merged.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  return merged;
}

function keptRanges(R, S, rule) {
  return keptRangesAt(R, Math.floor(S / 2), rule);
}

function rangesText(ranges) {
  return ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}..${hi}`)).join(', ');
}

function inexpressibleReason(R, A, t, rule) {
  const name = ruleOrActive(rule);
  const ranges = keptRangesAt(R, t, name);
  const side = R < t ? `pooled (R < threshold ${t})` : `unpooled (R >= threshold ${t})`;
  const can = ranges.length === 0
    ? `no string reserves exactly ${R} bytes`
    : `with reserve ${R} a string can keep ${rangesText(ranges)} bytes`;
  let why = '';
  if (R < t && name === '4L-then-byte-length')
    why = `; strings under ${lo4(t)} chars reserve 4 bytes per char, longer ones their byte length`;
  else if (R >= t && A > 0)
    why = `; the string would pass Node's MAX_STRING_LENGTH ${MAX_STRING_LENGTH}`;
  return `${side}: no string makes this Node keep ${A}: ${can} (rule ${name}${why}; see docs/NODE.md)`;
}

// The plan for `from R A` under pool_size S, or { error }. `rule` defaults to
// the one detected on this Node.
function planFrom(R, A, S, rule) {
  const t = Math.floor(S / 2);  // = S >>> 1 for 0 <= S <= 2^30
  for (const c of choices(R, t, rule)) {
    if (A >= c.lo && A <= c.hi) return c.plan(A);
  }
  return { error: inexpressibleReason(R, A, t, rule) };
}

// The expressible `from R' A'` nearest to `from R A` under pool_size S with R'
// on the same side of the threshold (pooled or not): smallest
// |R' - R| + |A' - A|, then smallest |R' - R|, then smallest R', then A'.
// Returns { R, A, distance } or null when no `from` of that side exists.
//
// Why looking near R and near the families' bounds suffices: the distance is
// the smallest over the families, so it is enough to find each family's best
// R'. A family covering any A (0..R') is best at R' = R or, when it does not
// apply there, at the end of its range nearest R; one covering only A = R' is
// best anywhere in [A, R] it applies, else at the end of its range nearest
// that interval; the short families (R' a multiple of 4, kept range growing
// by at most 3/4 per byte of R') are best at the multiple of 4 just below or
// above R, or at the ends of their range. On the unpooled side what can be
// kept does not depend on R' (except A' <= R', and A <= R), so R' = R.
function lexLess(x, y) {
  for (let i = 0; i < x.length; ++i) if (x[i] !== y[i]) return x[i] < y[i];
  return false;
}

function nearestFrom(R, A, S, rule) {
  const name = ruleOrActive(rule);
  const t = Math.floor(S / 2);
  const pooled = R < t;
  const low = pooled ? 0 : R;
  const high = pooled ? t - 1 : R;
  const candidates = new Set();
  const around = (x) => {
    for (let d = -4; d <= 4; ++d) if (x + d >= low && x + d <= high) candidates.add(x + d);
  };
  around(R);
  around(A);
  if (pooled) for (const family of FAMILIES[name].pooled) for (const b of family.bounds(t)) around(b);
  let best = null;
  for (const R2 of candidates) {
    for (const [lo, hi] of keptRangesAt(R2, t, name)) {
      const A2 = Math.min(Math.max(A, lo), hi);
      const key = [Math.abs(R2 - R) + Math.abs(A2 - A), Math.abs(R2 - R), R2, A2];
      if (best === null || lexLess(key, best.key)) best = { R: R2, A: A2, key };
    }
  }
  return best && { R: best.R, A: best.A, distance: best.key[0] };
}

// Why this Node cannot run `op` (null when it can). Ops that create no buffer
// (requests beyond poolcheck's max_request) are not run at all.
function opProblem(op) {
  const f = probe.features();
  switch (op.op) {
    case 'pool_size':
    case 'release':
    case 'from':
      return null;
    case 'alloc':
      if (op.align === undefined || op.creates === undefined || f.aligned_alloc) return null;
      return 'this Node has no Buffer.allocUnsafe(size, alignment) (it came in v26.8.0)';
    case 'alloc_slow':
      if (op.align === undefined || op.creates === undefined || f.aligned_slow) return null;
      return 'this Node has no Buffer.allocUnsafeSlow(size, alignment) (it came in v26.8.0)';
    case 'fail_next':
      return 'upstream failure injection has no counterpart in Node';
    default:
      // try_pool_size, try_alignment, ... (op_table.def, handler TrySetting):
      // another poolcheck allocator built and destroyed; the Node pool sees
      // nothing of it, and the runner skips it (it creates no buffer).
      if (op.op.startsWith('try_') && op.creates === undefined) return null;
      return `the Node runner does not know the op '${op.op}'`;
  }
}

// Checks a whole parsed file (parser.js): the list of problems
// [{ line, text, reason }], and a string plan on every `from` Node can run.
// Depends only on the pool_size ops before each op, never on pool state.
function planFile(file, rule) {
  const problems = [];
  if (file.settings.alignment !== NODE_ALIGNMENT)
    problems.push({ line: 0, text: `#@ alignment ${file.settings.alignment}`, reason: 'Node rounds pool offsets to 8 only' });
  let S = file.settings.pool_size;
  for (const op of file.ops) {
    if (op.op === 'pool_size' && op.refused === undefined) S = op.size;  // above 2^30: refused, S kept
    const problem = opProblem(op);
    if (problem) {
      problems.push({ line: op.line, text: op.text, reason: problem });
      continue;
    }
    if (op.op !== 'from' || op.creates === undefined) continue;
    const plan = planFrom(op.reserve, op.kept, S, rule);
    if (plan.error) problems.push({ line: op.line, text: op.text, reason: plan.error });
    else op.plan = plan;
  }
  return problems;
}

module.exports = { choices, keptRangesAt, keptRanges, planFrom, nearestFrom, opProblem, planFile, ruleOrActive };
