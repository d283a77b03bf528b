// string_families.js: how `from R A` becomes Buffer.from(string, encoding).
//
// What Buffer.from(string) does depends on the Node version (docs/NODE.md,
// "Node versions checked"). With t = Buffer.poolSize >>> 1, L = string.length
// and bl = the encoding's byteLength(string), every version checked follows
// one of RULES for a non-empty string; the buffer keeps the bytes the encoder
// wrote (never more than bl), and an empty string gives an empty unpooled
// buffer without looking at the pool. Which rule this Node follows is measured
// at startup (rules.js), not inferred from the version number. `outcome` says
// whether the string is pooled and, if so, how many bytes it reserves.
'use strict';

const MAX_STRING_LENGTH = require('buffer').constants.MAX_STRING_LENGTH;

const RULES = {
  // lib/buffer.js fromStringFast up to v20.17.0 and v22.6.0 (all of v18).
  'byte-length': {
    text: 'reserve = byteLength(string); unpooled (own block) when byteLength >= t',
    outcome(t, L, bl) {
      return bl >= t ? { pooled: false } : { pooled: true, reserve: bl };
    },
  },
  // From v20.18.0 and v22.7.0 on (nodejs/node#54324, "buffer: optimize
  // createFromString").
  '4L-then-byte-length': {
    text: 'unpooled when L >= t; else reserve = 4L if 4L < t, else byteLength(string); unpooled when the reserve is >= t',
    outcome(t, L, bl) {
      if (L >= t) return { pooled: false };
      const reserve = 4 * L < t ? 4 * L : bl;
      return reserve >= t ? { pooled: false } : { pooled: true, reserve };
    },
  },
};

// The string a plan stands for. Only built right before Buffer.from.
function buildString(plan) {
  switch (plan.kind) {
    case 'empty':
      return '';
    case 'hex':  // `valid` good pairs, then 'z' (not a hex digit) stops the decoder
      return 'ab'.repeat(plan.valid) + 'z'.repeat(plan.length - 2 * plan.valid);
    case 'base64':  // `valid` data chars decode to floor(3 * valid / 4) bytes; '.' is skipped; '=' pads
      return 'A'.repeat(plan.valid) + '.'.repeat(plan.body - plan.valid) + '='.repeat(plan.pad);
    case 'utf8': {  // `length` UTF-16 units, `bytes` UTF-8 bytes (1, 2 or 3 per unit)
      const extra = plan.bytes - plan.length;
      const three = Math.floor(extra / 2);
      const two = extra % 2;
      return '\u0800'.repeat(three) + '\u00e9'.repeat(two) + 'a'.repeat(plan.length - three - two);
    }
  }
  throw new Error(`unknown plan ${plan.kind}`);
}

function describePlan(plan) {
  switch (plan.kind) {
    case 'empty':
      return "'' (empty string)";
    case 'hex':
      return `hex, ${plan.length} chars, ${plan.valid} valid byte(s)`;
    case 'base64':
      return `base64, ${plan.body + plan.pad} chars (${plan.valid} data, ${plan.body - plan.valid} '.', ${plan.pad} '='), ${Math.floor(3 * plan.valid / 4)} byte(s)`;
    case 'utf8':
      return `utf8, ${plan.length} chars, ${plan.bytes} bytes`;
  }
  return plan.kind;
}

function fits(length) {
  return length <= MAX_STRING_LENGTH;
}

const emptyPlan = () => ({ kind: 'empty', enc: 'utf8', length: 0 });
const hexPlan = (length, A) => ({ kind: 'hex', enc: 'hex', length, valid: A });
// `body` chars of which ceil(4A/3) data chars (they decode to exactly A bytes), then `pad` '='.
const base64Plan = (body, pad, A) => ({ kind: 'base64', enc: 'base64', body, pad, valid: Math.ceil(4 * A / 3) });
const utf8Plan = (length, bytes) => ({ kind: 'utf8', enc: 'utf8', length, bytes });

// The families of strings that express `from R A` under each rule. A family's
// at(R, t) says, for one reserve R on its side of the threshold, which kept
// counts lo..hi it covers and how to make the string for a given A (or null
// when it does not apply to this R). bounds(t) lists reserves within 4 of
// where the family starts or stops applying: nearestFrom() only needs to look
// near R and near those. The families are all the planner knows: planFrom
// takes the first one that covers A, keptRanges() is their union, and
// selftest.js checks for small thresholds that the union is exactly what the
// rule allows with any string of any encoding.

// Under '4L-then-byte-length' strings of lo4(t)..t-1 chars reserve their byte
// length; shorter ones reserve 4 bytes per char.
const lo4 = (t) => Math.max(Math.ceil(t / 4), 1);

const FAMILIES = {
  '4L-then-byte-length': {
    pooled: [
      {  // short hex: L = R/4 chars reserve R and keep the good pairs
        name: 'short hex',
        at: (R, t) => (R >= 4 && R % 4 === 0 && fits(R / 4)
          ? { lo: 0, hi: Math.floor(R / 8), plan: (A) => hexPlan(R / 4, A) } : null),
        bounds: (t) => [4, Math.min(t - 1, 4 * MAX_STRING_LENGTH)],
      },
      {  // short base64: L = R/4 chars reserve R, '.' is skipped
        name: 'short base64',
        at: (R, t) => (R >= 4 && R % 4 === 0 && fits(R / 4)
          ? { lo: 0, hi: Math.floor(3 * (R / 4) / 4), plan: (A) => base64Plan(R / 4, 0, A) } : null),
        bounds: (t) => [4, Math.min(t - 1, 4 * MAX_STRING_LENGTH)],
      },
      {  // short utf8: L = R/4 chars of 1..3 bytes each, all written
        name: 'short utf8',
        at: (R, t) => (R >= 4 && R % 4 === 0 && fits(R / 4)
          ? { lo: R / 4, hi: 3 * (R / 4), plan: (A) => utf8Plan(R / 4, A) } : null),
        bounds: (t) => [4, Math.min(t - 1, 4 * MAX_STRING_LENGTH)],
      },
      {  // long hex: 2R or 2R+1 chars (lo4..t-1) have byte length R
        name: 'long hex',
        at: (R, t) => {
          for (const L of [2 * R, 2 * R + 1]) {
            if (L >= lo4(t) && L <= t - 1) return fits(L) ? { lo: 0, hi: R, plan: (A) => hexPlan(L, A) } : null;
          }
          return null;
        },
        bounds: (t) => [Math.floor(lo4(t) / 2), Math.floor(Math.min(t - 1, MAX_STRING_LENGTH) / 2)],
      },
      {  // long base64: body chars (+ up to two '=') with byte length floor(3 body / 4) = R
        name: 'long base64',
        at: (R, t) => {
          for (let body = Math.ceil(4 * R / 3); Math.floor(3 * body / 4) === R; ++body) {
            for (let pad = 0; pad <= 2; ++pad) {
              if (pad === 2 && body < 1) continue;
              const L = body + pad;
              if (L >= lo4(t) && L <= t - 1) return fits(L) ? { lo: 0, hi: R, plan: (A) => base64Plan(body, pad, A) } : null;
            }
          }
          return null;
        },
        bounds: (t) => [Math.floor(3 * lo4(t) / 4), Math.floor(3 * Math.min(t - 1, MAX_STRING_LENGTH) / 4)],
      },
      {  // long utf8: byte length R anywhere in [L, 3L], all of it written
        name: 'long utf8',
        at: (R, t) => {
          if (R < 1) return null;
          const L = Math.max(Math.ceil(R / 3), lo4(t));
          return L <= Math.min(R, t - 1) && fits(L) ? { lo: R, hi: R, plan: () => utf8Plan(L, R) } : null;
        },
        bounds: (t) => [lo4(t), t - 1],
      },
    ],
    unpooled: [
      { name: 'empty', at: () => ({ lo: 0, hi: 0, plan: emptyPlan }) },
      {  // A >= t: ceil(A/3) chars of up to 3 bytes: 4L >= t and byte length A >= t
        name: 'utf8',
        at: (R, t) => ({ lo: Math.max(t, 1), hi: 3 * MAX_STRING_LENGTH, plan: (A) => utf8Plan(Math.ceil(A / 3), A) }),
      },
      {  // 0 < A < t: max(t, 2A) hex chars: L >= t, the decoder stops at the first 'z'
        name: 'hex',
        at: (R, t) => (t <= MAX_STRING_LENGTH
          ? { lo: 1, hi: Math.min(t - 1, Math.floor(MAX_STRING_LENGTH / 2)), plan: (A) => hexPlan(Math.max(t, 2 * A), A) } : null),
      },
      {  // the same with base64 (4A/3 chars), for A too big for hex
        name: 'base64',
        at: (R, t) => (t <= MAX_STRING_LENGTH
          ? {
            lo: 1, hi: Math.min(t - 1, Math.floor(3 * MAX_STRING_LENGTH / 4)),
            plan: (A) => base64Plan(Math.max(t, Math.ceil(4 * A / 3)), 0, A),
          } : null),
      },
    ],
  },
  'byte-length': {
    pooled: [
      {  // 2R hex chars have byte length R ('z' for R = 0)
        name: 'hex',
        at: (R, t) => {
          const L = R >= 1 ? 2 * R : 1;
          return fits(L) ? { lo: 0, hi: R, plan: (A) => hexPlan(L, A) } : null;
        },
        bounds: () => [0, Math.floor(MAX_STRING_LENGTH / 2)],
      },
      {  // ceil(4R/3) base64 chars have byte length R ('.' for R = 0)
        name: 'base64',
        at: (R, t) => {
          const body = R >= 1 ? Math.ceil(4 * R / 3) : 1;
          return fits(body) ? { lo: 0, hi: R, plan: (A) => base64Plan(body, 0, A) } : null;
        },
        bounds: () => [0, Math.floor(3 * MAX_STRING_LENGTH / 4)],
      },
      {
        name: 'utf8',
        at: (R, t) => (R >= 1 && fits(Math.ceil(R / 3)) ? { lo: R, hi: R, plan: () => utf8Plan(Math.ceil(R / 3), R) } : null),
        bounds: () => [1, 3 * MAX_STRING_LENGTH],
      },
    ],
    unpooled: [
      { name: 'empty', at: () => ({ lo: 0, hi: 0, plan: emptyPlan }) },
      {  // 2 max(t, A) hex chars: byte length >= t, the decoder stops at the first 'z'
        name: 'hex',
        at: (R, t) => (t <= Math.floor(MAX_STRING_LENGTH / 2)
          ? { lo: 1, hi: Math.floor(MAX_STRING_LENGTH / 2), plan: (A) => hexPlan(2 * Math.max(t, A), A) } : null),
      },
      {  // ceil(4 max(t, A) / 3) base64 chars: byte length >= t, '.' is skipped
        name: 'base64',
        at: (R, t) => (t <= Math.floor(3 * MAX_STRING_LENGTH / 4)
          ? {
            lo: 1, hi: Math.floor(3 * MAX_STRING_LENGTH / 4),
            plan: (A) => base64Plan(Math.ceil(4 * Math.max(t, A) / 3), 0, A),
          } : null),
      },
      {
        name: 'utf8',
        at: (R, t) => ({ lo: Math.max(t, 1), hi: 3 * MAX_STRING_LENGTH, plan: (A) => utf8Plan(Math.ceil(A / 3), A) }),
      },
    ],
  },
};

module.exports = { MAX_STRING_LENGTH, RULES, FAMILIES, lo4, buildString, describePlan };
