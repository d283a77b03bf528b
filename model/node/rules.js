// rules.js: detecting which rule this Node's Buffer.from(string) follows
// (string_families.js RULES): strings on which the known rules disagree are
// run here and their outcome is measured (pooled or not, the exact reserve,
// the bytes kept). The byte length and the bytes each probe decodes to are
// stated here, not asked of Node. Also the start-up checks (calibrate) and
// what --info prints.
'use strict';

const { MAX_STRING_LENGTH, RULES } = require('./string_families');
const probe = require('./probe');

const { internal, isPool, setRoom } = probe;
let activeRule = null;  // the name of this Node's rule, once detectRule() ran

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
// always sets the op file's pool size.
const NODE_DEFAULT_POOL_SIZE = Buffer.poolSize;

function calibrate() {
  const pooled = Buffer.allocUnsafe(1);
  const unpooled = Buffer.allocUnsafeSlow(1);
  if (!isPool(pooled.buffer) || isPool(unpooled.buffer) || isPool(Buffer.alloc(0).buffer))
    internal(`calibration failed: ${probe.poolMark()} does not tell pool ArrayBuffers apart`);
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
  const f = probe.features() || {};
  return {
    node: process.version,
    rule: activeRule,
    rule_text: activeRule && RULES[activeRule].text,
    node_default_pool_size: NODE_DEFAULT_POOL_SIZE,
    pool_mark: probe.poolMark(),
    max_string_length: MAX_STRING_LENGTH,
    aligned_alloc: f.aligned_alloc,
    aligned_slow: f.aligned_slow,
    pool_alignment: f.pool_alignment,
    pool_padding: f.pool_padding,
  };
}

module.exports = { PROBES, observe, detectRule, calibrate, info, activeRule: () => activeRule };
