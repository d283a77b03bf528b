// runner.js: running one parsed op file (parser.js, planned by planner.js) in
// this Node process and reading every placement back from Node.
//
// Between the prologue and the last op nothing else may allocate from the
// pool: no console, no I/O; the trace is collected in a string array.
// Offsets are relative to each pool's start (poolBase, from v26.8.0 on not
// the start of the pool's ArrayBuffer).
'use strict';

const probe = require('./probe');
const { buildString, describePlan } = require('./string_families');

const { internal, isPool, NODE_ALIGNMENT } = probe;

function traceLine(slice, pooled, pool, offset, length) {
  return pooled
    ? `{"slice":${slice},"pooled":true,"pool":${pool},"offset":${offset},"length":${length}}\n`
    : `{"slice":${slice},"pooled":false,"pool":null,"offset":0,"length":${length}}\n`;
}

// The Node call for an op that creates a buffer; `where` prefixes messages.
function call(op, where) {
  switch (op.op) {
    case 'alloc':
      return op.align === undefined ? Buffer.allocUnsafe(op.size) : Buffer.allocUnsafe(op.size, op.align);
    case 'alloc_slow':
      return op.align === undefined ? Buffer.allocUnsafeSlow(op.size) : Buffer.allocUnsafeSlow(op.size, op.align);
    case 'from': {
      const b = Buffer.from(buildString(op.plan), op.plan.enc);
      if (b.length !== op.kept)
        internal(`${where}: ${op.text}: Buffer.from(${describePlan(op.plan)}) kept ${b.length} bytes, not ${op.kept}; ` +
          'this Node\'s encoders differ from the ones the runner was written for');
      return b;
    }
  }
  return internal(`${where}: ${op.text}: no Node call for this op`);
}

// An unpooled buffer's memory: at byte 0 of its own ArrayBuffer, or, when an
// alignment was asked for, within that alignment's over-allocation.
function checkUnpooled(b, op, where) {
  if (op.align === undefined || b.length === 0) {
    if (b.byteOffset !== 0) internal(`${where}: unpooled buffer at byteOffset ${b.byteOffset}`);
    return;
  }
  const pad = probe.features().aligned_padding(op.align);
  if (b.byteOffset > pad || b.byteOffset + b.length > b.buffer.byteLength)
    internal(`${where}: aligned block [${b.byteOffset}, +${b.length}) in a ${b.buffer.byteLength}-byte ArrayBuffer (over-allocation ${pad})`);
}

// Returns the trace (JSON lines, as `poolcheck trace` prints them).
function runFile(file, name) {
  const out = [];
  const buffers = [];
  const pools = new WeakMap();  // pool ArrayBuffer -> { number, base }
  let poolCount = 0;
  let currentPool = null;  // the pool of the last pooled buffer

  const prologuePool = probe.exhaustPool();
  let poolSize = file.settings.pool_size;
  Buffer.poolSize = poolSize;

  for (const op of file.ops) {
    const where = `${name}:${op.line}`;
    if (op.op === 'pool_size') {
      if (op.refused !== undefined) continue;  // above 2^30: poolcheck refuses it and keeps its pool size
      poolSize = op.size;
      Buffer.poolSize = poolSize;
      continue;
    }
    if (op.op === 'release') {
      buffers[op.buffer] = undefined;
      continue;
    }
    if (op.creates === undefined) continue;  // refused (op.refused): poolcheck creates no buffer either
    const b = call(op, where);
    if (op.creates !== buffers.length) internal(`${where}: buffer ${buffers.length} is numbered ${op.creates} by poolcheck`);
    buffers.push(b);
    const wantLength = op.op === 'from' ? op.kept : op.size;
    if (b.length !== wantLength) internal(`${where}: ${op.text} gave ${b.length} bytes`);
    const ab = b.buffer;
    if (!isPool(ab)) {
      checkUnpooled(b, op, where);
      out.push(traceLine(op.creates, false, null, 0, b.length));
      continue;
    }
    if (op.op === 'alloc_slow') internal(`${where}: ${op.text}: allocUnsafeSlow returned pool memory`);
    if (ab === prologuePool) internal(`${where}: placed in the prologue's pool: the prologue did not leave "no current pool"`);
    let pool = pools.get(ab);
    if (pool === undefined) {
      // A new pool: its first buffer is at its start (poolOffset 0).
      pool = { number: poolCount++, base: b.byteOffset, capacity: poolSize };
      probe.checkPoolShape(ab, poolSize, pool.base, where);
      pools.set(ab, pool);
      currentPool = ab;
    } else if (ab !== currentPool) {
      internal(`${where}: buffer placed in pool ${pool.number}, which is no longer current`);
    }
    const offset = b.byteOffset - pool.base;
    // Pool offsets are multiples of 8 (alignPool) and of any alignment asked for.
    const align = Math.max(NODE_ALIGNMENT, op.align || 0);
    if (offset % align !== 0 || offset + b.length > pool.capacity)
      internal(`${where}: pooled buffer [${offset}, +${b.length}) (alignment ${align}) in a ${pool.capacity}-byte pool`);
    out.push(traceLine(op.creates, true, pool.number, offset, b.length));
  }
  buffers.length = 0;
  return out.join('');
}

module.exports = { traceLine, runFile };
