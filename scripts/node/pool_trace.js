#!/usr/bin/env node
// pool_trace.js: run poolcheck op files (.ops) in real Node.js and print where
// Node placed every buffer, in the same JSON-lines format as `poolcheck trace`.
//
//   node scripts/node/pool_trace.js FILE.ops              trace to stdout
//   node scripts/node/pool_trace.js --out-dir DIR FILE... one process, many files:
//        DIR/<i>.jsonl (trace), DIR/<i>.inexpressible or DIR/<i>.malformed
//        (the messages) for the i-th FILE, counting from 0
//   node scripts/node/pool_trace.js --check-only FILE...  list the ops Node
//        cannot express; run nothing
//   node scripts/node/pool_trace.js --make-expressible [-v] IN_DIR OUT_DIR
//        copy every *.ops under IN_DIR to OUT_DIR with each `from` this Node
//        cannot express replaced by the nearest one it can; files with
//        `#@ alignment` other than 8 are skipped; one summary line
//   node scripts/node/pool_trace.js --info
//        one JSON line: Node version, the Buffer.from(string) rule detected, ...
//
// Every mode first measures which rule this Node's Buffer.from(string)
// follows (detectRule: the known rules are in RULES) and plans strings for it.
//
// Exit: 0 ok, 2 bad usage or a malformed op file, 3 an op Node cannot express
// (no trace is produced for that file), 4 internal error: this Node follows
// none of the known rules, or did something the runner's checks do not allow
// (read the message).
//
// Test knob: POOL_TRACE_FORCE_RULE=NAME makes the runner use rule NAME
// whatever it detected (to see the self test and compare.sh catch a wrong one).
//
// docs/NODE.md explains the mapping of ops to Node calls, how "pooled" is read
// back from Node, the prologue that starts every file with no usable pool, and
// what differs between Node versions.
'use strict';

const fs = require('fs');
const path = require('path');

const EXIT_OK = 0;
const EXIT_MALFORMED = 2;
const EXIT_INEXPRESSIBLE = 3;
const EXIT_INTERNAL = 4;

// Limits shared with the C++ side (allocator/pool_types.h).
const MAX_POOL_SIZE = 2 ** 30;  // pool_size beyond this is a malformed file
const MAX_REQUEST = 2 ** 30;    // alloc N / from R A with N, R beyond this create no buffer
const MAX_ALIGNMENT = 4096;
const DEFAULT_POOL_SIZE = 8192; // op files' initial pool size (Node's default before v24.18.0)
const NODE_ALIGNMENT = 8;       // Node's alignPool()
const UINT64_MAX = (1n << 64n) - 1n;

const MAX_STRING_LENGTH = require('buffer').constants.MAX_STRING_LENGTH;

class InternalError extends Error {}
class UsageError extends Error {}

function internal(message) {
  throw new InternalError(message);
}

function roundUp8(x) {
  return Math.ceil(x / NODE_ALIGNMENT) * NODE_ALIGNMENT;
}

// ---------------------------------------------------------------------------
// Reading "is this buffer in a pool?" from Node.
//
// lib/buffer.js createPool() calls markAsUntransferable() on every pool's
// ArrayBuffer, and on nothing else that Buffer.allocUnsafe / Buffer.from
// return. Newer Node (v22 docs) exposes the mark (worker_threads.isMarkedAsUntransferable);
// Node 20 keeps it in a V8 private symbol that only --expose-internals reaches.

function makePoolDetector() {
  const wt = require('worker_threads');
  if (typeof wt.isMarkedAsUntransferable === 'function')
    return { how: 'worker_threads.isMarkedAsUntransferable', isPool: (ab) => wt.isMarkedAsUntransferable(ab) };
  let binding;
  try {
    binding = require('internal/test/binding');
  } catch {
    return null;  // not started with --expose-internals
  }
  const symbols = binding.internalBinding('util').privateSymbols || {};
  const sym = symbols.untransferable_object_private_symbol;
  if (typeof sym !== 'symbol') return null;
  return { how: 'untransferable_object_private_symbol', isPool: (ab) => ab[sym] === true };
}

let detector = null;

function isPool(arrayBuffer) {
  return detector.isPool(arrayBuffer);
}

// ---------------------------------------------------------------------------
// Bringing Node to "no current pool": the current pool's offset ends up past
// its capacity, so that any pooled request, even one reserving 0 bytes, makes
// a new pool (lib/buffer.js: `length > poolSize - poolOffset`). Every step is
// observed, never assumed. Returns the pool left behind (the run must never
// place anything in it again).

function exhaustPool() {
  // Threshold 2: only 1-byte requests are pooled.
  Buffer.poolSize = 4;
  let b = Buffer.allocUnsafe(1);
  if (!isPool(b.buffer)) internal('prologue: allocUnsafe(1) with poolSize 4 was not pooled');
  let pool = b.buffer;
  const capacity = pool.byteLength;
  let offset = roundUp8(b.byteOffset + 1);
  if (offset > capacity) return pool;

  // Fill the rest of this pool exactly; if its capacity is not a multiple of
  // 8 the rounding then takes the offset past the end.
  const room = capacity - offset;
  if (room > 0) {
    Buffer.poolSize = 2 * room + 2;  // threshold room + 1 > room
    b = Buffer.allocUnsafe(room);
    if (b.buffer !== pool || b.byteOffset !== offset)
      internal(`prologue: filling ${room} bytes left the pool (offset ${b.byteOffset})`);
    offset = roundUp8(offset + room);
    if (offset > capacity) return pool;
  }

  // The pool is exactly full (offset == capacity): start a 9-byte pool and
  // place 1 byte at 0 and 1 byte at 8; the offset rounds to 16 > 9.
  Buffer.poolSize = 9;  // threshold 4
  b = Buffer.allocUnsafe(1);
  if (!isPool(b.buffer) || b.buffer === pool || b.byteOffset !== 0 || b.buffer.byteLength !== 9)
    internal('prologue: a full pool did not give way to a new 9-byte pool');
  pool = b.buffer;
  b = Buffer.allocUnsafe(1);
  if (b.buffer !== pool || b.byteOffset !== 8)
    internal('prologue: the second byte did not land at offset 8 of the 9-byte pool');
  return pool;
}

// Makes the current pool have exactly `room` bytes left (room >= -7; a
// negative room is an offset rounded past the capacity). For calibration and
// the self test. Returns { pool, offset }.
function setRoom(room) {
  if (!Number.isInteger(room) || room < -7) throw new RangeError(`setRoom(${room})`);
  exhaustPool();
  const capacity = room >= 0 ? room + 8 : 16 + room;
  Buffer.poolSize = capacity;  // threshold >= 4 > 1
  let b = Buffer.allocUnsafe(1);
  const pool = b.buffer;
  if (!isPool(pool) || b.byteOffset !== 0 || pool.byteLength !== capacity)
    internal(`setRoom(${room}): no fresh ${capacity}-byte pool`);
  let offset = 8;
  if (room < 0) {
    const fill = capacity - 8;
    Buffer.poolSize = 2 * fill + 2;
    b = Buffer.allocUnsafe(fill);
    if (b.buffer !== pool || b.byteOffset !== 8) internal(`setRoom(${room}): fill left the pool`);
    offset = roundUp8(capacity);
  }
  if (capacity - offset !== room) internal(`setRoom(${room}): got ${capacity - offset}`);
  return { pool, offset };
}

// ---------------------------------------------------------------------------
// The op file parser: the same language and checks as model/ops.cc, so that a
// file is malformed here exactly when `poolcheck` rejects it.

function wordsOf(line) {
  return line.split(/[ \t]+/).filter((w) => w.length > 0);
}

class ParseError extends Error {
  constructor(line, message) {
    super(message);
    this.line = line;
  }
}

function parseNumber(word, what, line) {
  if (word[0] === '-') throw new ParseError(line, `${what} must not be negative: '${word}'`);
  if (word[0] === '+') throw new ParseError(line, `${what} must be a plain number: '${word}'`);
  if (!/^[0-9]+$/.test(word)) throw new ParseError(line, `${what} is not a number: '${word}'`);
  const value = BigInt(word);
  if (value > UINT64_MAX) throw new ParseError(line, `${what} does not fit in 64 bits: '${word}'`);
  return value;
}

function arity(words, expected, usage, line) {
  if (words.length < expected) throw new ParseError(line, `missing number: expected '${usage}'`);
  if (words.length > expected)
    throw new ParseError(line, `unexpected extra '${words[expected]}': expected '${usage}'`);
}

// Returns { alignment, alignmentLine, poolSize, ops: [{kind, a, b, line, text}] }
// with a and b as BigInt; throws ParseError.
function parseOps(text) {
  const file = { alignment: 8n, alignmentLine: 0, poolSize: DEFAULT_POOL_SIZE, ops: [] };
  const released = new Set();
  let nextBuffer = 0n;
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; ++i) {
    const lineNo = i + 1;
    let line = lines[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const stripped = line.replace(/^[ \t]+/, '');
    if (stripped.startsWith('#@')) {
      const words = wordsOf(stripped.slice(2));
      if (words.length === 0) throw new ParseError(lineNo, 'empty #@ directive');
      if (file.ops.length > 0) throw new ParseError(lineNo, '#@ directives must come before the first op');
      if (words[0] === 'alignment') {
        arity(words, 2, '#@ alignment N', lineNo);
        const value = parseNumber(words[1], 'alignment', lineNo);
        if (value === 0n || (value & (value - 1n)) !== 0n || value > BigInt(MAX_ALIGNMENT))
          throw new ParseError(lineNo, `alignment must be a power of two up to 4096, not ${value}`);
        file.alignment = value;
        file.alignmentLine = lineNo;
      } else if (words[0] === 'cache_limit') {
        arity(words, 2, '#@ cache_limit N', lineNo);
        const value = parseNumber(words[1], 'cache_limit', lineNo);
        if (value > 1000000n) throw new ParseError(lineNo, 'cache_limit must be at most 1000000');
        // Which dead pools the C++ allocator recycles does not change placements.
      } else if (words[0] === 'pool_size') {
        // The pool size at the start (pool_size ops change it later).
        arity(words, 2, '#@ pool_size N', lineNo);
        const value = parseNumber(words[1], 'pool_size', lineNo);
        if (value > BigInt(MAX_POOL_SIZE))
          throw new ParseError(lineNo, `pool_size ${value} is beyond 2^30 (1073741824)`);
        file.poolSize = Number(value);
      } else {
        throw new ParseError(lineNo, `unknown directive '#@ ${words[0]}' (known: alignment, cache_limit, pool_size)`);
      }
      continue;
    }
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    const words = wordsOf(line);
    if (words.length === 0) continue;
    const name = words[0];
    const op = { kind: name, a: 0n, b: 0n, line: lineNo, text: words.join(' ') };
    if (name === 'pool_size') {
      arity(words, 2, 'pool_size N', lineNo);
      op.a = parseNumber(words[1], 'N', lineNo);
      if (op.a > BigInt(MAX_POOL_SIZE))
        throw new ParseError(lineNo, `pool_size ${op.a} is beyond 2^30 (1073741824)`);
    } else if (name === 'alloc') {
      arity(words, 2, 'alloc N', lineNo);
      op.a = parseNumber(words[1], 'N', lineNo);
    } else if (name === 'from') {
      arity(words, 3, 'from R A', lineNo);
      op.a = parseNumber(words[1], 'R', lineNo);
      op.b = parseNumber(words[2], 'A', lineNo);
      if (op.b > op.a)
        throw new ParseError(lineNo, `from keeps more than it reserves: A = ${op.b} > R = ${op.a}`);
    } else if (name === 'release') {
      arity(words, 2, 'release K', lineNo);
      op.a = parseNumber(words[1], 'K', lineNo);
      if (op.a >= nextBuffer)
        throw new ParseError(lineNo, `release ${op.a}: no such buffer (${nextBuffer} created so far)`);
      if (released.has(op.a)) throw new ParseError(lineNo, `release ${op.a}: buffer already released`);
      released.add(op.a);
    } else {
      throw new ParseError(lineNo, `unknown op '${name}' (known: pool_size, alloc, from, release)`);
    }
    if ((name === 'alloc' || name === 'from') && op.a <= BigInt(MAX_REQUEST)) ++nextBuffer;
    file.ops.push(op);
  }
  return file;
}

// ---------------------------------------------------------------------------
// from R A -> Buffer.from(string, encoding).
//
// What Buffer.from(string) does depends on the Node version (docs/NODE.md,
// "Node versions checked"). With t = Buffer.poolSize >>> 1, L = string.length
// and bl = the encoding's byteLength(string), every version checked follows
// one of the rules below for a non-empty string; the buffer keeps the bytes
// the encoder wrote (never more than bl), and an empty string gives an empty
// unpooled buffer without looking at the pool. Which rule this Node follows
// is measured at startup (detectRule), not inferred from the version number.
// `outcome` says whether the string is pooled and, if so, how many bytes it
// reserves (more than the room left starts a new pool).

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

let activeRule = null;  // the name of this Node's rule, once detectRule() ran

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

function ruleOrActive(rule) {
  const name = rule || activeRule;
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

// ---------------------------------------------------------------------------
// Checking a whole file: which ops Node cannot express. Depends only on the
// pool_size ops before each `from`, never on pool state.

function planFile(file, rule) {
  const problems = [];
  if (file.alignment !== BigInt(NODE_ALIGNMENT))
    problems.push({ line: file.alignmentLine, text: `#@ alignment ${file.alignment}`, reason: 'Node aligns pool offsets to 8 only' });
  let S = file.poolSize;
  for (const op of file.ops) {
    if (op.kind === 'pool_size') S = Number(op.a);
    if (op.kind !== 'from' || op.a > BigInt(MAX_REQUEST)) continue;
    const plan = planFrom(Number(op.a), Number(op.b), S, rule);
    if (plan.error) problems.push({ line: op.line, text: op.text, reason: plan.error });
    else op.plan = plan;
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Making a sequence expressible: every `from R A` this Node cannot express is
// replaced by the nearest `from R' A'` it can (same side of the threshold in
// force at that op), so that buffer numbers and later `release K` stay valid.
// Only when no `from` of that side exists: a pooled `alloc` (any 1 <= N < t),
// else the nearest `from` of the other side. The choice depends on the op, the
// pool_size in force and this Node's rule only: never on the model, the
// allocator or any trace (docs/NODE.md explains why this cannot hide a model
// bug). Files with `#@ alignment` other than 8 cannot be made expressible.
//
// Returns { skipped: reason } or { text, changes: [{ line, was, now, how }] };
// throws ParseError for a malformed file.
function makeExpressible(text, rule) {
  const name = ruleOrActive(rule);
  const file = parseOps(text);
  if (file.alignment !== BigInt(NODE_ALIGNMENT))
    return { skipped: `#@ alignment ${file.alignment} (line ${file.alignmentLine}): Node aligns pool offsets to 8 only` };
  const changes = [];
  let S = file.poolSize;
  for (const op of file.ops) {
    if (op.kind === 'pool_size') S = Number(op.a);
    if (op.kind !== 'from' || op.a > BigInt(MAX_REQUEST)) continue;
    const R = Number(op.a);
    const A = Number(op.b);
    if (!planFrom(R, A, S, name).error) continue;
    const t = Math.floor(S / 2);
    let now;
    let how;
    const near = nearestFrom(R, A, S, name);
    if (near) {
      now = `from ${near.R} ${near.A}`;
      how = 'from';
    } else if (R < t && t >= 2) {
      now = `alloc ${Math.max(R, 1)}`;
      how = 'alloc';
      // (pooled: 1 <= N < t; R < t)
    } else {
      const other = R < t ? nearestFrom(t, A, S, name) : null;
      if (!other) internal(`make-expressible: nothing replaces ${op.text} at pool_size ${S}`);
      now = `from ${other.R} ${other.A}`;
      how = 'other side';
    }
    changes.push({ line: op.line, was: op.text, now, how, poolSize: S });
  }
  if (changes.length === 0) return { text, changes };
  const lines = text.split('\n');
  for (const change of changes) {
    let line = lines[change.line - 1];
    const cr = line.endsWith('\r') ? '\r' : '';
    if (cr) line = line.slice(0, -1);
    const why = change.how === 'from' ? '' : change.how === 'alloc'
      ? ', no pooled `from` possible here'
      : `, no ${Number(change.was.split(' ')[1]) < Math.floor(change.poolSize / 2) ? 'pooled' : 'unpooled'} buffer possible here`;
    lines[change.line - 1] =
      `${change.now}  # make-expressible (node ${process.version}, rule ${name}, pool_size ${change.poolSize}${why}): was: ${line.trim()}${cr}`;
  }
  const out = lines.join('\n');
  // The result must be expressible, with the same ops otherwise.
  const check = parseOps(out);
  const left = planFile(check, name);
  if (left.length > 0 || check.ops.length !== file.ops.length)
    internal(`make-expressible left ${left.length} inexpressible op(s): ${left.map((p) => `${p.line}: ${p.text}`).join('; ')}`);
  return { text: out, changes };
}

// ---------------------------------------------------------------------------
// Running a file in this Node process. Between the prologue and the last op
// nothing else may allocate from the pool: no console, no I/O, output is
// collected in a string array.

function traceLine(slice, pooled, pool, offset, length) {
  return pooled
    ? `{"slice":${slice},"pooled":true,"pool":${pool},"offset":${offset},"length":${length}}\n`
    : `{"slice":${slice},"pooled":false,"pool":null,"offset":0,"length":${length}}\n`;
}

function runFile(file, name) {
  const out = [];
  const buffers = [];
  const poolNumbers = new WeakMap();  // pool ArrayBuffer -> number in this run
  let pools = 0;
  let currentPool = null;  // the pool of the last pooled buffer

  const prologuePool = exhaustPool();
  Buffer.poolSize = file.poolSize;

  for (const op of file.ops) {
    let b;
    switch (op.kind) {
      case 'pool_size':
        Buffer.poolSize = Number(op.a);
        continue;
      case 'release':
        buffers[Number(op.a)] = undefined;
        continue;
      case 'alloc':
        if (op.a > BigInt(MAX_REQUEST)) continue;  // poolcheck: length_error, no buffer
        b = Buffer.allocUnsafe(Number(op.a));
        if (b.length !== Number(op.a)) internal(`${name}:${op.line}: allocUnsafe gave ${b.length} bytes`);
        break;
      case 'from': {
        if (op.a > BigInt(MAX_REQUEST)) continue;
        let string = buildString(op.plan);
        b = Buffer.from(string, op.plan.enc);
        string = null;
        if (b.length !== Number(op.b))
          internal(`${name}:${op.line}: ${op.text}: Buffer.from(${describePlan(op.plan)}) kept ${b.length} bytes, not ${op.b}; this Node's encoders differ from the ones the runner was written for`);
        break;
      }
    }
    const slice = buffers.length;
    buffers.push(b);
    const ab = b.buffer;
    if (!isPool(ab)) {
      if (b.byteOffset !== 0) internal(`${name}:${op.line}: unpooled buffer at byteOffset ${b.byteOffset}`);
      out.push(traceLine(slice, false, null, 0, b.length));
      continue;
    }
    if (ab === prologuePool) internal(`${name}:${op.line}: placed in the prologue's pool: the prologue did not leave "no current pool"`);
    let number = poolNumbers.get(ab);
    if (number === undefined) {
      if (b.byteOffset !== 0) internal(`${name}:${op.line}: first buffer of a new pool at byteOffset ${b.byteOffset}`);
      number = pools++;
      poolNumbers.set(ab, number);
      currentPool = ab;
    } else if (ab !== currentPool) {
      internal(`${name}:${op.line}: buffer placed in pool ${number}, which is no longer current`);
    }
    if (b.byteOffset % NODE_ALIGNMENT !== 0 || b.byteOffset + b.length > ab.byteLength)
      internal(`${name}:${op.line}: pooled buffer [${b.byteOffset}, +${b.length}) in a ${ab.byteLength}-byte pool`);
    out.push(traceLine(slice, true, number, b.byteOffset, b.length));
  }
  buffers.length = 0;
  return out.join('');
}

// ---------------------------------------------------------------------------
// Detecting this Node's rule for Buffer.from(string): strings on which the
// known rules disagree are run here and their outcome is measured (pooled or
// not, the exact reserve, the bytes kept). The byte length and the bytes each
// probe decodes to are stated here, not asked of Node.

const PROBES = [
  { string: 'ab', enc: 'latin1', S: 8192, bl: 2, kept: 2 },
  { string: 'ab'.repeat(10), enc: 'hex', S: 64, bl: 10, kept: 10 },
  { string: 'z'.repeat(40), enc: 'hex', S: 64, bl: 20, kept: 0 },
  { string: 'z', enc: 'hex', S: 8, bl: 0, kept: 0 },
  { string: '\u0800'.repeat(3), enc: 'utf8', S: 64, bl: 9, kept: 9 },
  { string: 'ab'.repeat(20), enc: 'latin1', S: 64, bl: 40, kept: 40 },
  { string: 'A'.repeat(8) + '.'.repeat(4), enc: 'base64', S: 100, bl: 9, kept: 6 },
  { string: 'AAAA' + '.'.repeat(60), enc: 'base64', S: 64, bl: 48, kept: 3 },
];

// What Node does with Buffer.from(string, enc) at Buffer.poolSize S:
// { pooled: false, kept } or { pooled: true, reserve, kept }. The reserve is
// the smallest room (-1, 0, 1, ...) with which the current pool is kept.
function observe(string, enc, S, maxReserve = 4 * string.length + 8) {
  let kept = null;
  for (let room = -1; room <= maxReserve; ++room) {
    const { pool } = setRoom(room);
    Buffer.poolSize = S;
    const b = Buffer.from(string, enc);
    kept = b.length;
    if (!isPool(b.buffer)) return { pooled: false, kept };
    if (b.buffer === pool) return { pooled: true, reserve: room, kept };
  }
  return { pooled: true, reserve: `> ${maxReserve}`, kept };
}

function predict(ruleName, probe) {
  const o = RULES[ruleName].outcome(Math.floor(probe.S / 2), probe.string.length, probe.bl);
  return o.pooled ? { pooled: true, reserve: o.reserve, kept: probe.kept } : { pooled: false, kept: probe.kept };
}

function describeOutcome(o) {
  return o.pooled ? `pooled, reserves ${o.reserve}, keeps ${o.kept}` : `unpooled, keeps ${o.kept}`;
}

function sameOutcome(x, y) {
  return x.pooled === y.pooled && x.kept === y.kept && (!x.pooled || x.reserve === y.reserve);
}

function describeProbe(p) {
  const s = p.string.length > 12 ? `${JSON.stringify(p.string.slice(0, 8))}... (${p.string.length} chars)` : JSON.stringify(p.string);
  return `Buffer.from(${s}, '${p.enc}') at poolSize ${p.S}`;
}

// Sets and returns the active rule; exit 4 (InternalError) when no known rule
// fits, with what was seen.
function detectRule() {
  const observed = PROBES.map((p) => observe(p.string, p.enc, p.S));
  const matching = Object.keys(RULES).filter((name) => PROBES.every((p, i) => sameOutcome(predict(name, p), observed[i])));
  if (matching.length === 0) {
    const rows = PROBES.map((p, i) => `  ${describeProbe(p)}: ${describeOutcome(observed[i])}; ` +
      Object.keys(RULES).map((name) => `${name}: ${describeOutcome(predict(name, p))}`).join('; '));
    internal(`Buffer.from(string) in this Node (${process.version}) follows none of the known rules ` +
      `(${Object.keys(RULES).join(', ')}); seen vs expected:\n${rows.join('\n')}`);
  }
  activeRule = matching[0];
  // Test knob: pretend this Node follows another rule, to see the self test
  // and the comparison catch a runner whose picture of Node is wrong.
  const forced = process.env.POOL_TRACE_FORCE_RULE;
  if (forced) {
    if (!RULES[forced]) internal(`POOL_TRACE_FORCE_RULE=${forced}: no such rule (${Object.keys(RULES).join(', ')})`);
    activeRule = forced;
  }
  return activeRule;
}

// Node's own default pool size (v24.18.0 raised it to 65536); the runner
// always sets the op file's pool size, 8192 unless `#@ pool_size` says.
const NODE_DEFAULT_POOL_SIZE = Buffer.poolSize;

function calibrate() {
  const pooled = Buffer.allocUnsafe(1);
  const unpooled = Buffer.allocUnsafeSlow(1);
  if (!isPool(pooled.buffer) || isPool(unpooled.buffer) || isPool(Buffer.alloc(0).buffer))
    internal(`calibration failed: ${detector.how} does not tell pool ArrayBuffers apart`);
  detectRule();
  checkUtf8Encoder();
  return info();
}

// Node v22.7.0 writes a one-byte string as latin1 instead of UTF-8 once V8 has
// optimized the caller (about 10^4 calls; fixed in v22.8.0, nodejs/node#54565
// "src: disable fast methods for buffer.write"): the utf8 plans would keep the
// wrong number of bytes. runFile catches that at the op; this says it up front.
function checkUtf8Encoder() {
  const saved = Buffer.poolSize;
  Buffer.poolSize = 8192;
  for (let i = 0; i < 30000; ++i) {
    const b = Buffer.from('\u00e9a', 'utf8');
    if (b.length !== 3)
      internal(`Buffer.from('\\u00e9a', 'utf8') gave ${b.length} bytes (${b.toString('hex')}), not 3 (c3a961), ` +
        `at call ${i + 1}: this Node's UTF-8 encoder is broken (known in v22.7.0, fixed in v22.8.0); use another version`);
  }
  Buffer.poolSize = saved;
}

function info() {
  return {
    node: process.version,
    rule: activeRule,
    rule_text: activeRule && RULES[activeRule].text,
    node_default_pool_size: NODE_DEFAULT_POOL_SIZE,
    pool_mark: detector && detector.how,
    max_string_length: MAX_STRING_LENGTH,
  };
}

// ---------------------------------------------------------------------------
// Command line.

function loadFile(name) {
  let text;
  try {
    text = fs.readFileSync(name, 'latin1');
  } catch (error) {
    return { malformed: `${name}: cannot read: ${error.message}` };
  }
  try {
    return { file: parseOps(text), text };
  } catch (error) {
    if (error instanceof ParseError) return { malformed: `${name}:${error.line}: ${error.message}` };
    throw error;
  }
}

function problemLines(name, problems) {
  return problems.map((p) => `${name}:${p.line}: ${p.text}: inexpressible in Node: ${p.reason}\n`).join('');
}

function parseArgs(argv) {
  const args = { checkOnly: false, outDir: null, files: [], info: false, make: false, verbose: false };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--check-only') args.checkOnly = true;
    else if (arg === '--info') args.info = true;
    else if (arg === '--verbose' || arg === '-v') args.verbose = true;
    else if (arg === '--out-dir') {
      if (i + 1 >= argv.length) throw new UsageError('--out-dir takes a directory');
      args.outDir = argv[++i];
    } else if (arg === '--make-expressible') args.make = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--') args.files.push(...argv.slice(i + 1)), (i = argv.length);
    else if (arg.startsWith('-') && arg.length > 1) throw new UsageError(`unknown option ${arg}`);
    else args.files.push(arg);
  }
  if (args.help) return args;
  const modes = [args.checkOnly, args.info, args.make, args.outDir !== null].filter(Boolean).length;
  if (modes > 1) throw new UsageError('--check-only, --out-dir, --make-expressible and --info do not go together');
  if (args.info) {
    if (args.files.length > 0) throw new UsageError(`unexpected ${args.files[0]}`);
    return args;
  }
  if (args.make) {
    if (args.files.length !== 2) throw new UsageError('--make-expressible takes IN_DIR OUT_DIR');
    args.make = { from: args.files[0], to: args.files[1] };
    return args;
  }
  if (args.files.length === 0) throw new UsageError('no op files given');
  if (!args.checkOnly && !args.outDir && args.files.length > 1)
    throw new UsageError('several files need --out-dir DIR (or --check-only)');
  return args;
}

const USAGE = `usage: node pool_trace.js FILE.ops
       node pool_trace.js --out-dir DIR FILE.ops...
       node pool_trace.js --check-only FILE.ops...
       node pool_trace.js --make-expressible [-v] IN_DIR OUT_DIR
       node pool_trace.js --info
exit: 0 ok, 2 bad usage or malformed file, 3 op Node cannot express, 4 internal error
`;

// All *.ops under dir (hidden entries skipped), as paths relative to dir, sorted.
function opsFilesUnder(dir) {
  const out = [];
  const walk = (rel) => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const r = rel ? path.join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) walk(r);
      else if (entry.isFile() && entry.name.endsWith('.ops')) out.push(r);
    }
  };
  walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function makeExpressibleDirs(args) {
  const { from, to } = args.make;
  let names;
  try {
    names = opsFilesUnder(from);
  } catch (error) {
    process.stderr.write(`pool_trace: --make-expressible: cannot read ${from}: ${error.message}\n`);
    return EXIT_MALFORMED;
  }
  fs.mkdirSync(to, { recursive: true });
  const count = { files: names.length, written: 0, changed: 0, skipped: 0, malformed: 0, ops: 0, byAlloc: 0, otherSide: 0, distance: 0 };
  let log = '';
  for (const rel of names) {
    const src = path.join(from, rel);
    const loaded = loadFile(src);
    if (loaded.malformed) {
      ++count.malformed;
      log += `pool_trace: ${loaded.malformed}\n`;
      continue;
    }
    const result = makeExpressible(loaded.text);
    if (result.skipped) {
      ++count.skipped;
      if (args.verbose) log += `SKIP ${src}: ${result.skipped}\n`;
      continue;
    }
    const dst = path.join(to, rel);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.writeFileSync(dst, result.text, 'latin1');
    ++count.written;
    if (result.changes.length > 0) ++count.changed;
    for (const c of result.changes) {
      ++count.ops;
      if (c.how === 'alloc') ++count.byAlloc;
      if (c.how === 'other side') ++count.otherSide;
      if (args.verbose) log += `${src}:${c.line}: ${c.was} -> ${c.now} (pool_size ${c.poolSize})\n`;
    }
  }
  process.stderr.write(log);
  process.stdout.write(`make-expressible: ${count.files} files, ${count.written} written (${count.changed} changed, ` +
    `${count.ops} ops replaced: ${count.ops - count.byAlloc - count.otherSide} by a nearby from, ${count.byAlloc} by alloc, ` +
    `${count.otherSide} by a from across the threshold), ${count.skipped} skipped (alignment != 8), ${count.malformed} malformed; ` +
    `node ${process.version}, rule ${activeRule}\n`);
  return count.malformed > 0 ? EXIT_MALFORMED : EXIT_OK;
}

function main(argv) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`pool_trace: ${error.message}\n${USAGE}`);
    return EXIT_MALFORMED;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }

  calibrate();
  if (args.info) {
    process.stdout.write(`${JSON.stringify(info())}\n`);
    return EXIT_OK;
  }
  if (args.make) return makeExpressibleDirs(args);

  if (args.checkOnly) {
    let status = EXIT_OK;
    let report = '';
    let errors = '';
    for (const name of args.files) {
      const loaded = loadFile(name);
      if (loaded.malformed) {
        errors += `pool_trace: ${loaded.malformed}\n`;
        status = EXIT_MALFORMED;
        continue;
      }
      const problems = planFile(loaded.file);
      report += problemLines(name, problems);
      if (problems.length > 0 && status === EXIT_OK) status = EXIT_INEXPRESSIBLE;
    }
    process.stdout.write(report);
    process.stderr.write(errors);
    return status;
  }

  if (args.outDir) fs.mkdirSync(args.outDir, { recursive: true });
  let anyMalformed = false;
  let anyInexpressible = false;
  let stderr = '';
  let stdout = '';
  args.files.forEach((name, index) => {
    const loaded = loadFile(name);
    let result;  // { kind, text }
    if (loaded.malformed) {
      anyMalformed = true;
      result = { kind: 'malformed', text: `pool_trace: ${loaded.malformed}\n` };
    } else {
      const problems = planFile(loaded.file);
      if (problems.length > 0) {
        anyInexpressible = true;
        result = {
          kind: 'inexpressible',
          text: problemLines(name, problems) +
            `pool_trace: ${name}: ${problems.length} op(s) Node cannot express; no trace (see docs/NODE.md)\n`,
        };
      } else {
        result = { kind: 'jsonl', text: runFile(loaded.file, name) };
      }
    }
    // Output only now, after the measured ops (I/O may use the pool; the next
    // file's prologue starts from whatever it leaves).
    if (args.outDir) fs.writeFileSync(path.join(args.outDir, `${index}.${result.kind}`), result.text);
    else if (result.kind === 'jsonl') stdout += result.text;
    else stderr += result.text;
  });
  if (stdout) process.stdout.write(stdout);
  if (stderr) process.stderr.write(stderr);
  if (anyMalformed) return EXIT_MALFORMED;
  return anyInexpressible ? EXIT_INEXPRESSIBLE : EXIT_OK;
}

// Node up to v20 needs --expose-internals to read the pool mark: run again with it.
function reexecWithInternals() {
  const { spawnSync } = require('child_process');
  const result = spawnSync(
    process.execPath,
    ['--expose-internals', '--no-warnings', ...process.execArgv, __filename, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, POOL_TRACE_REEXEC: '1' } },
  );
  if (result.error) {
    process.stderr.write(`pool_trace: cannot run ${process.execPath}: ${result.error.message}\n`);
    return EXIT_INTERNAL;
  }
  if (result.signal) {
    process.stderr.write(`pool_trace: node died of ${result.signal}\n`);
    return EXIT_INTERNAL;
  }
  return result.status;
}

function init() {
  detector = makePoolDetector();
  return detector !== null;
}

module.exports = {
  init, exhaustPool, setRoom, isPool: (ab) => isPool(ab), parseOps, planFrom, planFile,
  buildString, describePlan, runFile, calibrate, detectRule, observe, traceLine, InternalError, ParseError,
  MAX_STRING_LENGTH, RULES, FAMILIES, PROBES, choices, keptRanges, keptRangesAt, nearestFrom, makeExpressible,
  info, activeRule: () => activeRule,
};

if (require.main === module) {
  let status;
  if (!init()) {
    if (process.env.POOL_TRACE_REEXEC === '1') {
      process.stderr.write('pool_trace: cannot read Node\'s pool mark even with --expose-internals\n');
      status = EXIT_INTERNAL;
    } else {
      status = reexecWithInternals();
    }
  } else {
    try {
      status = main(process.argv.slice(2));
    } catch (error) {
      if (!(error instanceof InternalError)) throw error;
      process.stderr.write(`pool_trace: internal error: ${error.message}\n`);
      status = EXIT_INTERNAL;
    }
  }
  process.exitCode = status;
}
