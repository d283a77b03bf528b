// probe.js: what the runner reads from the running Node itself, and the
// prologue that leaves Node with "no current pool".
//
// - the pool mark: lib/buffer.js createPool() marks every pool's ArrayBuffer
//   untransferable, and nothing else allocUnsafe / Buffer.from return;
// - features, detected by calling them, never from the version string:
//   Buffer.allocUnsafe(size, alignment) and Buffer.allocUnsafeSlow(size,
//   alignment) (v26.8.0 on); the largest alignment served from the pool
//   (kPoolAlignment, 64); how many bytes an aligned block is over-allocated
//   by (alignment - 1 in v26.8.x, max(alignment, 8) later), which is also the
//   over-allocation of every pool, whose start (poolBase) is aligned inside it.
// docs/NODE.md explains each of these.
'use strict';

class InternalError extends Error {}

function internal(message) {
  throw new InternalError(message);
}

const NODE_ALIGNMENT = 8;  // lib/buffer.js alignPool()
const roundUp8 = (x) => Math.ceil(x / NODE_ALIGNMENT) * NODE_ALIGNMENT;

// ---------------------------------------------------------------------------
// The pool mark. v22 on: worker_threads.isMarkedAsUntransferable; v18/v20: a
// V8 private symbol that only --expose-internals reaches (null then).
function makePoolDetector() {
  const wt = require('worker_threads');
  if (typeof wt.isMarkedAsUntransferable === 'function')
    return { how: 'worker_threads.isMarkedAsUntransferable', isPool: (ab) => wt.isMarkedAsUntransferable(ab) };
  let binding;
  try {
    binding = require('internal/test/binding');
  } catch {
    return null;
  }
  const symbols = binding.internalBinding('util').privateSymbols || {};
  const sym = symbols.untransferable_object_private_symbol;
  if (typeof sym !== 'symbol') return null;
  return { how: 'untransferable_object_private_symbol', isPool: (ab) => ab[sym] === true };
}

const state = { detector: null, features: null };

function isPool(arrayBuffer) {
  return state.detector.isPool(arrayBuffer);
}

// Whether fn(1, 3) rejects alignment 3: a Node that takes an alignment
// validates it; one that does not ignores the extra argument.
function takesAlignment(fn) {
  try {
    fn(1, 3);
    return false;
  } catch (error) {
    return error && (error.code === 'ERR_INVALID_ARG_VALUE' || error.code === 'ERR_OUT_OF_RANGE');
  }
}

// Test knob: POOL_TRACE_HIDE_ALIGNED=1 makes the runner believe this Node has
// no aligned allocation (the pools' measured over-allocation is kept), as a
// broken detection or planner would: the tests must then fail on a release
// that has it (featureMismatch, ci_compare.js --min-aligned).
const hideAligned = () => process.env.POOL_TRACE_HIDE_ALIGNED === '1';

function detectFeatures() {
  const features = {
    aligned_alloc: takesAlignment((n, a) => Buffer.allocUnsafe(n, a)),
    aligned_slow: takesAlignment((n, a) => Buffer.allocUnsafeSlow(n, a)),
    pool_alignment: null,  // largest alignment allocUnsafe(n, A) serves from the pool
    aligned_padding: null, // A -> bytes an aligned block of alignment A is over-allocated by
    pool_padding: 0,       // bytes every pool is over-allocated by (0: poolBase is always 0)
  };
  if (features.aligned_slow) {
    const n = 1000;  // > 64: createUnsafeAlignedBuffer, not an on-heap buffer
    features.aligned_padding = (a) => Buffer.allocUnsafeSlow(n, a).buffer.byteLength - n;
  }
  if (features.aligned_alloc) {
    const saved = Buffer.poolSize;
    Buffer.poolSize = 1 << 16;
    let largest = null;
    for (let a = 1; a <= 1 << 12; a *= 2) if (isPool(Buffer.allocUnsafe(1, a).buffer)) largest = a;
    Buffer.poolSize = saved;
    if (largest === null) internal('Buffer.allocUnsafe(1, A) is never pooled, even for A = 1');
    if (!features.aligned_slow) internal('Buffer.allocUnsafe takes an alignment but Buffer.allocUnsafeSlow does not');
    features.pool_alignment = largest;
    features.pool_padding = features.aligned_padding(largest);
  }
  if (hideAligned()) features.aligned_alloc = features.aligned_slow = false;
  return features;
}

// The release that brought Buffer.allocUnsafe(size, alignment) and
// Buffer.allocUnsafeSlow(size, alignment): nodejs/node#65003, in the v26.8.0
// changelog; v26.7.0's lib/buffer.js has neither, v26.8.0's both (docs/NODE.md).
// The runner never reads it (features are detected by calling them); the
// tests compare the detection with it, so that a detection or planner that
// loses the aligned ops on a release that has them fails instead of quietly
// comparing fewer ops.
const ALIGNED_API_SINCE = '26.8.0';

// Whether release `version` ('v26.8.0-alpha.0.0.0', '24.22.3', ...) has the aligned API.
function releaseHasAlignedApi(version) {
  const [a, b] = [version, ALIGNED_API_SINCE].map((v) => v.replace(/^v/, '').split('-')[0].split('.').map(Number));
  for (let i = 0; i < 3; ++i) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

// null when the features detected on release `version` (probe.features() or
// --info's JSON) are what the release has; else what differs.
function featureMismatch(version, f) {
  const want = releaseHasAlignedApi(version);
  if (f.aligned_alloc === want && f.aligned_slow === want) return null;
  return `Node ${version} ${want ? 'has' : 'has no'} Buffer.allocUnsafe(size, alignment) and allocUnsafeSlow(size, alignment) ` +
    `(they came in v${ALIGNED_API_SINCE}, nodejs/node#65003) but the runner detected allocUnsafe: ${f.aligned_alloc ? 'yes' : 'no'}, ` +
    `allocUnsafeSlow: ${f.aligned_slow ? 'yes' : 'no'}${hideAligned() ? ' (POOL_TRACE_HIDE_ALIGNED=1)' : ''}`;
}

// Sets up the detector and the features; false when the pool mark cannot be
// read (the caller re-runs Node with --expose-internals).
function init() {
  state.detector = makePoolDetector();
  if (state.detector === null) return false;
  state.features = detectFeatures();
  return true;
}

const features = () => state.features;

// A pool's ArrayBuffer must be its capacity plus this Node's over-allocation
// (a pool of capacity 0 is an empty buffer), and its start must lie within
// the over-allocation. Called for every pool the runner sees born.
function checkPoolShape(ab, capacity, base, where) {
  const pad = state.features.pool_padding;
  const want = capacity === 0 ? 0 : capacity + pad;
  if (ab.byteLength !== want)
    internal(`${where}: a pool made at Buffer.poolSize ${capacity} has a ${ab.byteLength}-byte ArrayBuffer, ` +
      `not ${capacity} + ${pad} (this Node's over-allocation for alignment ${state.features.pool_alignment || 'none'})`);
  if (base < 0 || base > pad) internal(`${where}: pool starts at byte ${base} of its ArrayBuffer, beyond the ${pad}-byte over-allocation`);
}

// The byte where the current pool starts inside its ArrayBuffer, read from a
// buffer `b` placed there at an offset that is a multiple of the pool
// alignment (poolBase < pool_alignment, so it is the remainder).
function baseOf(b) {
  const a = state.features.pool_alignment;
  return a === null ? 0 : b.byteOffset % a;
}

// ---------------------------------------------------------------------------
// The prologue: the current pool's offset ends up past its capacity, so that
// any pooled request, even one reserving 0 bytes, makes a new pool
// (`length > poolSize - poolOffset`). Every step is observed, never assumed.
// Returns the pool left behind (nothing may be placed in it again).
function exhaustPool() {
  const a = state.features.pool_alignment;
  Buffer.poolSize = 4;  // threshold 2: only 1-byte requests are pooled
  let b = a === null ? Buffer.allocUnsafe(1) : Buffer.allocUnsafe(1, a);
  if (!isPool(b.buffer)) internal('prologue: a 1-byte allocUnsafe with poolSize 4 was not pooled');
  let pool = b.buffer;
  const base = baseOf(b);
  const capacity = pool.byteLength - state.features.pool_padding;
  let offset = roundUp8(b.byteOffset - base + 1);
  if (offset > capacity) return pool;

  // Fill the rest exactly; a capacity that is not a multiple of 8 then rounds
  // the offset past the end.
  const room = capacity - offset;
  if (room > 0) {
    Buffer.poolSize = 2 * room + 2;  // threshold room + 1 > room
    b = Buffer.allocUnsafe(room);
    if (b.buffer !== pool || b.byteOffset !== base + offset)
      internal(`prologue: filling ${room} bytes left the pool (byteOffset ${b.byteOffset}, expected ${base} + ${offset})`);
    offset = roundUp8(offset + room);
    if (offset > capacity) return pool;
  }

  // Exactly full: a 9-byte pool, 1 byte at 0 and 1 byte at 8; the offset
  // rounds to 16 > 9.
  Buffer.poolSize = 9;  // threshold 4
  b = Buffer.allocUnsafe(1);
  if (!isPool(b.buffer) || b.buffer === pool) internal('prologue: a full pool did not give way to a new pool');
  pool = b.buffer;
  checkPoolShape(pool, 9, b.byteOffset, 'prologue');
  const base9 = b.byteOffset;
  b = Buffer.allocUnsafe(1);
  if (b.buffer !== pool || b.byteOffset !== base9 + 8)
    internal('prologue: the second byte did not land at offset 8 of the 9-byte pool');
  return pool;
}

// Makes the current pool have exactly `room` bytes left (room >= -7: an
// offset rounded past the capacity). Returns { pool, base, offset }, offset
// relative to the pool's start. For rule detection and the self test.
function setRoom(room) {
  if (!Number.isInteger(room) || room < -7) throw new RangeError(`setRoom(${room})`);
  exhaustPool();
  const capacity = room >= 0 ? room + 8 : 16 + room;
  Buffer.poolSize = capacity;  // threshold >= 4 > 1
  let b = Buffer.allocUnsafe(1);
  const pool = b.buffer;
  const base = b.byteOffset;
  if (!isPool(pool)) internal(`setRoom(${room}): no fresh ${capacity}-byte pool`);
  checkPoolShape(pool, capacity, base, `setRoom(${room})`);
  let offset = 8;
  if (room < 0) {
    const fill = capacity - 8;
    Buffer.poolSize = 2 * fill + 2;
    b = Buffer.allocUnsafe(fill);
    if (b.buffer !== pool || b.byteOffset !== base + 8) internal(`setRoom(${room}): fill left the pool`);
    offset = roundUp8(capacity);
  }
  return { pool, base, offset };
}

module.exports = {
  InternalError, internal, NODE_ALIGNMENT, roundUp8, init, isPool, features, checkPoolShape, exhaustPool, setRoom,
  ALIGNED_API_SINCE, releaseHasAlignedApi, featureMismatch,
  poolMark: () => state.detector && state.detector.how,
};
