// record_preload.js: loaded into a real Node program by `poolcheck record`
// (NODE_OPTIONS=--require), it watches every Buffer API that takes from
// lib/buffer.js's pool and writes the program's pool traffic as an op file
// whose comments say where Node actually put each buffer (docs/FORMATS.md,
// "Recordings"; docs/NODE.md, "Recording real programs").
//
// Read from lib/buffer.js of v24.22.3 and v26.12.1 (the pinned releases):
// the pool is touched by allocate() (Buffer.allocUnsafe(n), Buffer.concat,
// and fromArrayLike: Buffer.from(array, array-like, Buffer, typed array,
// {type:'Buffer', data}) and Buffer.copyBytesFrom), allocateAligned()
// (Buffer.allocUnsafe(n, A), v26.8.0 on) and fromStringFast()
// (Buffer.from(string), and also Buffer.prototype.indexOf / lastIndexOf /
// includes of an ascii, base64, base64url or hex string, whose temporary
// buffer never reaches the caller). The deprecated Buffer(arg) calls
// Buffer.from / Buffer.alloc through the Buffer object. Buffer.alloc,
// Buffer.allocUnsafeSlow and Buffer.from(arrayBuffer) never touch the pool;
// allocUnsafeSlow is recorded (alloc_slow) because the model has it.
//
// Pool traffic the wrappers cannot see (the indexOf family above, internal
// modules that captured Buffer.from at load time such as
// internal/modules/esm/load, anything before this preload ran) shows up as
// an offset jump in a pool: it becomes inferred `alloc` ops, marked
// "inferred", released at once (their lifetime is unknown).
//
// Releases come from a FinalizationRegistry: they are written when V8
// collects a buffer, so their place in the file is collection-timed.
//
// Only the main thread of the first Node process that loads this file
// records (the output is created with O_EXCL); workers and child processes
// run unobserved.
'use strict';

const fs = require('fs');
const { isMainThread, isMarkedAsUntransferable } = require('worker_threads');

const out = process.env.POOLCHECK_RECORD_OUT;
const maxOps = Number(process.env.POOLCHECK_RECORD_MAX_OPS || 0);
// Test knob: POOLCHECK_RECORD_NO_INFERENCE=1 writes no inferred ops, as a
// recorder blind to hidden traffic would; replay must then fail on a
// program with hidden traffic (model/node/record_programs.sh).
const infer = process.env.POOLCHECK_RECORD_NO_INFERENCE !== '1';

function start() {
  if (!out || !isMainThread) return;
  let fd;
  try {
    fd = fs.openSync(out, 'wx');
  } catch {
    return;  // another process records
  }
  delete process.env.POOLCHECK_RECORD_OUT;
  if (typeof isMarkedAsUntransferable !== 'function') {
    // poolcheck record reports this line.
    fs.writeSync(fd, `# poolcheck record: unsupported: node ${process.version} has no ` +
      'worker_threads.isMarkedAsUntransferable, which tells pooled buffers (v22 and later have it)\n');
    fs.closeSync(fd);
    return;
  }

  const { Buffer } = require('buffer');
  const original = {
    allocUnsafe: Buffer.allocUnsafe,
    allocUnsafeSlow: Buffer.allocUnsafeSlow,
    from: Buffer.from,
    concat: Buffer.concat,
    copyBytesFrom: Buffer.copyBytesFrom,
  };
  const byteLength = Buffer.byteLength;

  // Aligned allocation (v26.8.0 on) rejects alignment 3; then every pool is
  // over-allocated by the padding of an aligned block of 64 (docs/NODE.md).
  let aligned = false;
  try {
    original.allocUnsafeSlow(1, 3);
  } catch (error) {
    aligned = error && (error.code === 'ERR_INVALID_ARG_VALUE' || error.code === 'ERR_OUT_OF_RANGE');
  }
  const kPoolAlignment = 64;
  const kMaxRequest = 2 ** 30;  // allocator/pool_types.h, as \`poolcheck parse\` reports it
  const poolPadding = aligned ? original.allocUnsafeSlow(1000, kPoolAlignment).buffer.byteLength - 1000 : 0;

  // Output, written line by line, synchronously (a string write, no
  // Buffer), so that a program ended by a signal leaves every op so far.
  let ops = 0;
  let stopped = false;
  const line = (text) => fs.writeSync(fd, text + '\n');
  // An op line; false once --max-ops ops are written.
  const op = (text, comment) => {
    if (stopped) return false;
    if (maxOps > 0 && ops >= maxOps) {
      stopped = true;
      line(`# recording stopped: --max-ops ${maxOps} reached`);
      process.stderr.write(`poolcheck record: --max-ops ${maxOps} reached: the recording stops here, the program runs on\n`);
      return false;
    }
    ++ops;
    line(`${text.padEnd(22)} # node: ${comment}`);
    return true;
  };

  line(`# poolcheck recording 1: node ${process.version}, pool over-allocation ${poolPadding}, aligned API ${aligned ? 'yes' : 'no'}`);
  const shown = (arg) => (arg.startsWith(process.cwd() + '/') ? arg.slice(process.cwd().length + 1) : arg);
  line(`# argv: ${JSON.stringify(process.argv.slice(1).map(shown))}`);
  line(`#@ pool_size ${Buffer.poolSize}`);

  // Buffer.poolSize as an accessor, so that a program's changes become ops;
  // lib/buffer.js reads it through the Buffer object.
  let poolSizeValue = Buffer.poolSize;
  Object.defineProperty(Buffer, 'poolSize', {
    configurable: true,
    enumerable: true,
    get: () => poolSizeValue,
    set: (value) => {
      poolSizeValue = value;
      if (Number.isInteger(value) && value >= 0 && value <= 2 ** 30) op(`pool_size ${value}`, 'Buffer.poolSize set');
    },
  });

  // The model's view of the current pool, kept in step with the ops written.
  const pools = new WeakMap();  // pool ArrayBuffer -> { id, base, capacity }
  let nextPool = 0;
  let current = null;           // { id, capacity, offset } as the model has it
  let nextBuffer = 0;
  const roundUp = (x, a) => Math.ceil(x / a) * a;
  const registry = new FinalizationRegistry((number) => {
    op(`release ${number}`, 'collected');
  });

  // A buffer the model also creates: the op line with Node's placement.
  // `b` is the Buffer (registered for its release), or null for an
  // inferred op; returns the buffer's number, undefined once stopped.
  const emit = (text, placement, length, via, b) => {
    if (!op(text, `${placement} length ${length}${via}`)) return undefined;
    const number = nextBuffer++;
    if (b !== null) registry.register(b, number);
    return number;
  };

  // Hidden traffic: inferred allocs that take the current pool from its
  // offset to `to` (a multiple of 8, within the capacity), each below the
  // threshold; or, with `to` null, fill it to its last multiple of 8.
  const fill = (to) => {
    if (!infer) return true;
    const t = Buffer.poolSize >>> 1;
    const target = to === null ? Math.floor(current.capacity / 8) * 8 : to;
    const chunk = Math.max(8, Math.floor((t - 1) / 8) * 8);
    while (current.offset < target) {
      const n = Math.min(chunk, target - current.offset);
      if (n >= t) return false;
      const number = emit(`alloc ${n}`, `inferred pool ${current.id} offset ${current.offset}`, n, '', null);
      if (number === undefined) return false;
      inferredRelease(number);
      current.offset = roundUp(current.offset + n, 8);
    }
    return true;
  };
  const inferredRelease = (number) => op(`release ${number}`, 'inferred');
  // Hidden traffic that started `pool` and used `offset` bytes of it.
  const startHidden = (pool, offset) => {
    if (!infer) return;
    if (current !== null) fill(null);
    current = { id: pool.id, capacity: pool.capacity, offset: 0 };
    const t = Buffer.poolSize >>> 1;
    const first = Math.min(offset, Math.max(8, Math.floor((t - 1) / 8) * 8));
    const number = emit(`alloc ${first}`, `inferred pool ${pool.id} offset 0`, first, '', null);
    if (number === undefined) return;
    inferredRelease(number);
    current.offset = roundUp(first, 8);
    fill(offset);
  };

  // A pooled buffer `b`, asked for with `reserve` bytes at alignment `align`:
  // its pool and offset, hidden traffic before it inferred.
  const placePooled = (b, reserve, align) => {
    const ab = b.buffer;
    let pool = pools.get(ab);
    const fresh = pool === undefined;
    if (fresh) {
      // poolBase (0 without the aligned API): the byte offset of a buffer at
      // offset 0, which is where a buffer below byte 64 must be. A pool that
      // hidden traffic started is met further on: then the recorder asks for
      // one 64-aligned byte, which lands in the same pool at a multiple of 64
      // (recorded after this op, `via recorder`); only if it does not fit is
      // the base taken as the byte offset modulo 64.
      let base = 0;
      if (poolPadding > 0 && b.byteOffset < kPoolAlignment) {
        base = b.byteOffset;
      } else if (poolPadding > 0) {
        base = b.byteOffset % kPoolAlignment;
        ++depth;
        const probe = original.allocUnsafe(1, kPoolAlignment);
        --depth;
        if (probe.buffer === ab) base = probe.byteOffset % kPoolAlignment;
        probes.push(probe);
      }
      pool = { id: nextPool++, base, capacity: ab.byteLength - poolPadding };
      pools.set(ab, pool);
    }
    const offset = b.byteOffset - pool.base;
    if (fresh) {
      const startsPool = current === null || reserve > current.capacity - roundUp(current.offset, align);
      if (offset > 0) startHidden(pool, offset);
      else if (!startsPool) fill(null);
      current = { id: pool.id, capacity: pool.capacity, offset };
    } else if (current !== null && pool.id === current.id && offset > roundUp(current.offset, align)) {
      fill(offset);
    }
    if (current !== null && pool.id === current.id) current.offset = roundUp(offset + b.length, 8);
    return `pool ${pool.id} offset ${offset}`;
  };
  // The recorder's own 64-aligned bytes, written after the op that needed them.
  const probes = [];
  const emitProbes = () => {
    while (probes.length > 0) {
      const probe = probes.shift();
      emit(`alloc 1 align ${kPoolAlignment}`, placement(probe, 1, kPoolAlignment), 1, ' via recorder', probe);
    }
  };
  const placement = (b, reserve, align) =>
    isMarkedAsUntransferable(b.buffer) && b.length + b.byteOffset <= b.buffer.byteLength && b.buffer.byteLength > 0
      ? placePooled(b, reserve, align) : 'unpooled';

  // Buffer.from(string): the reserve of the 4L-then-byte-length rule of both
  // pinned releases (docs/NODE.md), at the threshold in force.
  const stringReserve = (string, encoding) => {
    const t = Buffer.poolSize >>> 1;
    const enc = typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8';
    if (string.length >= t) return Math.max(t, byteLength(string, enc));
    if (4 * string.length < t) return 4 * string.length;
    return byteLength(string, enc);
  };

  let depth = 0;
  // Wraps Buffer[name]; `describe(args, b)` gives [op text, reserve, align]
  // for the buffer b it returned, or null when it is no pool request.
  const wrap = (name, describe) => {
    const fn = original[name];
    if (typeof fn !== 'function') return;
    const wrapper = {
      [name](...args) {
        if (depth > 0 || stopped) return Reflect.apply(fn, this, args);
        ++depth;
        let b;
        try {
          b = Reflect.apply(fn, this, args);
        } finally {
          --depth;
        }
        if (!(b instanceof Uint8Array) || stopped) return b;
        ++depth;
        try {
          const what = describe(args, b);
          if (what !== null) {
            const [text, reserve, align] = what;
            // poolcheck refuses requests above 2^30 (kMaxRequest) without a
            // buffer number; Node serves them unpooled. The op is written,
            // numbered by neither side.
            if (reserve > kMaxRequest) op(text, `unpooled length ${b.length} via ${name}, beyond poolcheck's 2^30 requests`);
            else emit(b.length === 0 ? 'alloc 0' : text, b.length === 0 ? 'unpooled' : placement(b, reserve, align), b.length, ` via ${name}`, b);
            emitProbes();
          }
        } finally {
          --depth;
        }
        return b;
      },
    }[name];
    Buffer[name] = wrapper;
  };
  const sizeOf = (b) => b.length;
  const alignOf = (a) => (a === undefined ? '' : ` align ${a}`);
  wrap('allocUnsafe', ([, a], b) => [`alloc ${sizeOf(b)}${alignOf(a)}`, sizeOf(b), a === undefined ? 1 : a]);
  wrap('allocUnsafeSlow', ([, a], b) => [`alloc_slow ${sizeOf(b)}${alignOf(a)}`, sizeOf(b), 1]);
  wrap('concat', (args, b) => [`alloc ${sizeOf(b)}`, sizeOf(b), 1]);
  wrap('copyBytesFrom', (args, b) => [`alloc ${sizeOf(b)}`, sizeOf(b), 1]);
  wrap('from', ([value, encoding], b) => {
    let string = null;
    if (typeof value === 'string') string = value;
    else if (value instanceof String) string = value.valueOf();
    if (string !== null) {
      const reserve = stringReserve(string, encoding);
      return [`from ${reserve} ${b.length}`, reserve, 1];
    }
    // Buffer.from(arrayBuffer) shares the caller's memory: no request.
    if (value && (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)))
      return null;
    return [`alloc ${sizeOf(b)}`, sizeOf(b), 1];
  });

  // The pool the program starts with was made at startup, and Node holds it
  // as its current pool. The recorder's own first op, one byte (64-aligned
  // on a Node with aligned allocation, which shows where the pool starts),
  // puts it in the model too; what startup code used of it is inferred.
  ++depth;
  const probe = aligned ? original.allocUnsafe(1, kPoolAlignment) : original.allocUnsafe(1);
  --depth;
  emit(aligned ? `alloc 1 align ${kPoolAlignment}` : 'alloc 1', placement(probe, 1, aligned ? kPoolAlignment : 1), 1,
    ' via recorder', probe);

  process.on('exit', () => {
    if (!stopped) line(`# end of recording: ${ops} ops`);
    fs.closeSync(fd);
    stopped = true;
  });
}

start();
