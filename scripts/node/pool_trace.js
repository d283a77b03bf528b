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
//
// Exit: 0 ok, 2 bad usage or a malformed op file, 3 an op Node cannot express
// (no trace is produced for that file), 4 internal error (the runner's view of
// Node is wrong for this Node version: read the message).
//
// docs/NODE.md explains the mapping of ops to Node calls, how "pooled" is read
// back from Node, and the prologue that starts every file with no usable pool.
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
const DEFAULT_POOL_SIZE = 8192; // Node's Buffer.poolSize
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
// Node v20 (lib/buffer.js fromStringFast), with t = Buffer.poolSize >>> 1 and
// L = string.length > 0:
//   L >= t                      -> own block of byteLength(string) bytes
//   else 4L < t                 -> pooled, reserving 4L
//   else byteLength(string) < t -> pooled, reserving byteLength(string)
//   else                        -> own block of byteLength(string) bytes
// and the buffer keeps the bytes the encoder wrote. An empty string never
// touches the pool. The plans below pick strings whose reserve and written
// bytes are exactly R and A; see docs/NODE.md for the table.

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

// R >= t: Node must not pool the string, and must keep A bytes.
function planUnpooled(A, t) {
  if (A === 0) return { kind: 'empty', enc: 'utf8', length: 0 };
  if (A >= t) {
    // UTF-8 with 3-byte chars: L = ceil(A/3) and 4L >= A >= t, byteLength A >= t.
    const length = Math.ceil(A / 3);
    if (fits(length)) return { kind: 'utf8', enc: 'utf8', length, bytes: A };
    return { error: `needs a ${length}-char string, beyond Node's MAX_STRING_LENGTH ${MAX_STRING_LENGTH}` };
  }
  // 0 < A < t: only strings of t chars or more skip the pool while writing
  // fewer than t bytes. Hex (stops at the first bad pair) needs 2A chars,
  // base64 (skips '.') only 4A/3, for the rare A too big for hex.
  const hexLength = Math.max(t, 2 * A);
  if (fits(hexLength)) return { kind: 'hex', enc: 'hex', length: hexLength, valid: A };
  const valid = Math.ceil(4 * A / 3);
  const body = Math.max(t, valid);
  if (fits(body)) return { kind: 'base64', enc: 'base64', body, pad: 0, valid };
  return { error: `keeping ${A} < threshold ${t} bytes unpooled needs a string of >= ${body} chars, beyond Node's MAX_STRING_LENGTH ${MAX_STRING_LENGTH}` };
}

// R < t: Node must reserve exactly R and keep exactly A.
function planPooled(R, A, t) {
  const candidates = [];
  // Short strings (4L < t) reserve 4L.
  if (R >= 4 && R % 4 === 0) {
    const L = R / 4;
    if (A <= Math.floor(L / 2)) candidates.push({ kind: 'hex', enc: 'hex', length: L, valid: A });
    if (A <= Math.floor(3 * L / 4))
      candidates.push({ kind: 'base64', enc: 'base64', body: L, pad: 0, valid: Math.ceil(4 * A / 3) });
    if (A >= L && A <= 3 * L) candidates.push({ kind: 'utf8', enc: 'utf8', length: L, bytes: A });
  }
  // Longer strings (t/4 <= L < t) reserve byteLength.
  const lo = Math.max(Math.ceil(t / 4), 1);
  const hi = t - 1;
  for (const L of [2 * R, 2 * R + 1]) {  // hex: byteLength = L >>> 1 = R
    if (L >= lo && L <= hi) {
      candidates.push({ kind: 'hex', enc: 'hex', length: L, valid: A });
      break;
    }
  }
  // base64: byteLength = floor(3 * body / 4) where body = L minus up to two trailing '='.
  base64: for (let body = Math.ceil(4 * R / 3); Math.floor(3 * body / 4) === R; ++body) {
    for (let pad = 0; pad <= 2; ++pad) {
      if (pad === 2 && body < 1) continue;
      const L = body + pad;
      if (L >= lo && L <= hi) {
        candidates.push({ kind: 'base64', enc: 'base64', body, pad, valid: Math.ceil(4 * A / 3) });
        break base64;
      }
    }
  }
  if (A === R && R >= 1) {  // utf8: byteLength anywhere in [L, 3L], all of it written
    const L = Math.max(Math.ceil(R / 3), lo);
    if (L <= Math.min(R, hi)) candidates.push({ kind: 'utf8', enc: 'utf8', length: L, bytes: R });
  }
  for (const plan of candidates) {
    const length = plan.kind === 'base64' ? plan.body + plan.pad : plan.length;
    if (fits(length)) return plan;
  }
  return { error: pooledReason(R, A, t) };
}

function pooledReason(R, A, t) {
  const head = `pooled (R < threshold ${t}), no string makes Node reserve exactly ${R} and keep ${A}`;
  if (R === 0)
    return `${head}: an empty string is never pooled, and a non-empty one reserves 0 bytes only while the threshold is 2..12`;
  const lo = Math.max(Math.ceil(t / 4), 1);
  const short = R % 4 !== 0
    ? `strings under ${lo} chars reserve 4 bytes per char and ${R} is not a multiple of 4`
    : `a ${R / 4}-char string (reserving ${R}) keeps 0..${Math.floor(3 * R / 16)} or ${R / 4}..${3 * R / 4} bytes`;
  const anyLow = Math.min(Math.ceil((lo - 1) / 2), Math.floor(3 * Math.max(lo - 2, 1) / 4));
  const anyHigh = Math.floor(3 * (t - 1) / 4);
  const long = `strings of ${lo}..${t - 1} chars reserve their byte length, which allows any kept count only for R in ${anyLow}..${anyHigh} and else only A = R >= ${lo} (utf8)`;
  return `${head}: ${short}; ${long}`;
}

// The plan for `from R A` under pool_size S, or { error }.
function planFrom(R, A, S) {
  const t = Math.floor(S / 2);  // = S >>> 1 for 0 <= S <= 2^30
  return R >= t ? planUnpooled(A, t) : planPooled(R, A, t);
}

// ---------------------------------------------------------------------------
// Checking a whole file: which ops Node cannot express. Depends only on the
// pool_size ops before each `from`, never on pool state.

function planFile(file) {
  const problems = [];
  if (file.alignment !== BigInt(NODE_ALIGNMENT))
    problems.push({ line: file.alignmentLine, text: `#@ alignment ${file.alignment}`, reason: 'Node aligns pool offsets to 8 only' });
  let S = file.poolSize;
  for (const op of file.ops) {
    if (op.kind === 'pool_size') S = Number(op.a);
    if (op.kind !== 'from' || op.a > BigInt(MAX_REQUEST)) continue;
    const plan = planFrom(Number(op.a), Number(op.b), S);
    if (plan.error) problems.push({ line: op.line, text: op.text, reason: plan.error });
    else op.plan = plan;
  }
  return problems;
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
// Calibration: before trusting the mapping, check on this very Node that a
// short string reserves 4 * length and a longer one its byte length.

function reservesExactly(string, enc, poolSize, reserve) {
  // With `reserve` bytes of room the pool must be kept, with one less replaced.
  for (const [room, newPool] of [[reserve, false], [reserve - 1, true]]) {
    const { pool } = setRoom(room);
    Buffer.poolSize = poolSize;
    const b = Buffer.from(string, enc);
    const placedNew = b.buffer !== pool;
    if (!isPool(b.buffer) || placedNew !== newPool) return false;
  }
  return true;
}

function calibrate() {
  const checks = [
    // 4L < t: 'ab' (2 chars, 2 bytes) reserves 8.
    ['ab', 'latin1', 8192, 8, 'a 2-char string with poolSize 8192 reserves 4 * 2 = 8 bytes'],
    // t/4 <= L < t: 20 hex chars with t = 32 reserve byteLength 10.
    ['ab'.repeat(10), 'hex', 64, 10, 'a 20-char hex string with poolSize 64 reserves its byte length 10'],
  ];
  for (const [string, enc, poolSize, reserve, what] of checks) {
    if (!reservesExactly(string, enc, poolSize, reserve))
      internal(`calibration failed: expected ${what}; this Node's Buffer.from(string) is not the one docs/NODE.md describes (node ${process.version})`);
  }
  const pooled = Buffer.allocUnsafe(1);
  const unpooled = Buffer.allocUnsafeSlow(1);
  if (!isPool(pooled.buffer) || isPool(unpooled.buffer) || isPool(Buffer.alloc(0).buffer))
    internal(`calibration failed: ${detector.how} does not tell pool ArrayBuffers apart`);
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
    return { file: parseOps(text) };
  } catch (error) {
    if (error instanceof ParseError) return { malformed: `${name}:${error.line}: ${error.message}` };
    throw error;
  }
}

function problemLines(name, problems) {
  return problems.map((p) => `${name}:${p.line}: ${p.text}: inexpressible in Node: ${p.reason}\n`).join('');
}

function parseArgs(argv) {
  const args = { checkOnly: false, outDir: null, files: [] };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--check-only') args.checkOnly = true;
    else if (arg === '--out-dir') {
      if (i + 1 >= argv.length) throw new UsageError('--out-dir takes a directory');
      args.outDir = argv[++i];
    } else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--') args.files.push(...argv.slice(i + 1)), (i = argv.length);
    else if (arg.startsWith('-') && arg.length > 1) throw new UsageError(`unknown option ${arg}`);
    else args.files.push(arg);
  }
  if (args.help) return args;
  if (args.files.length === 0) throw new UsageError('no op files given');
  if (args.checkOnly && args.outDir) throw new UsageError('--check-only and --out-dir do not go together');
  if (!args.checkOnly && !args.outDir && args.files.length > 1)
    throw new UsageError('several files need --out-dir DIR (or --check-only)');
  return args;
}

const USAGE = `usage: node pool_trace.js FILE.ops
       node pool_trace.js --out-dir DIR FILE.ops...
       node pool_trace.js --check-only FILE.ops...
exit: 0 ok, 2 bad usage or malformed file, 3 op Node cannot express, 4 internal error
`;

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
  calibrate();
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

// Node 20 needs --expose-internals to read the pool mark: run again with it.
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
  buildString, describePlan, runFile, calibrate, traceLine, InternalError, ParseError,
  MAX_STRING_LENGTH,
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
