#!/usr/bin/env node
// Self test of the Node runner against the Node it runs on: the string
// planner (selftest_strings.js, checks 1-4) and whole files (checks 5-8 here,
// helpers in selftest_files.js). Op files are parsed by poolcheck ($POOLCHECK,
// else the default build's).
//
//   node model/node/selftest.js [--quick]
// Exit 0 when everything holds; 1 with the first failures listed; 4 when this
// Node follows no known rule (the runner's message says what it saw).
'use strict';

const probe = require('./probe');
const rules = require('./rules');
const planner = require('./planner');
const { runMain } = require('./pool_trace');
const { runFile } = require('./runner');
const { makeExpressible } = require('./make_expressible');
const { modelTrace, parsedForm, randomOps, parseTexts, SIZES } = require('./selftest_files');

const quick = process.argv.includes('--quick');
const failures = [];
function fail(message) {
  failures.push(message);
  if (failures.length >= 20) throw new Error('too many failures');
}
function makeRandom(seed) {
  return (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
}

// The runner's trace, or null after reporting why it could not run the file.
function nodeTrace(parsed, name, text) {
  try {
    return runFile(parsed, name);
  } catch (error) {
    if (!(error instanceof probe.InternalError)) throw error;
    fail(`${name}: the runner stopped: ${error.message}\n${text}`);
    return null;
  }
}

// 5. Whatever state came before, after the prologue a 0-byte reservation (hex
// 'z' at threshold 4) starts a new pool.
function prologue() {
  const shapes = [[8192, 1], [8192, 4095], [8192, 8000], [9, 1], [16, 7], [100, 49], [1 << 20, 12345], [24, 8], [65536, 3]];
  for (const [S, n] of shapes) {
    probe.exhaustPool();
    Buffer.poolSize = S;
    Buffer.allocUnsafe(n);
    probe.exhaustPool();
    Buffer.poolSize = 8;
    const a = Buffer.from('z', 'hex');
    const b = Buffer.from('z', 'hex');
    if (!probe.isPool(a.buffer) || a.length !== 0 || a.buffer.byteLength !== 8 + probe.features().pool_padding)
      fail(`prologue after pool_size ${S}, alloc ${n}: a 0-byte reservation did not start a new 8-byte pool`);
    if (b.buffer !== a.buffer || b.byteOffset !== a.byteOffset) fail('prologue: a second 0-byte reservation moved');
  }
}

// 6. Random files, mostly expressible, through poolcheck parse and Node.
function randomFiles() {
  const rand = makeRandom(777);
  const files = [];
  for (let file = 0; file < (quick ? 300 : 3000); ++file) {
    files.push(randomOps(rand, (size, S) => {
      let R;
      let A;
      for (let tries = 0; tries < 20; ++tries) {
        R = size();
        A = [R, 0, rand(R + 1), Math.floor(R / 4), Math.floor(3 * R / 4)][rand(5)];
        if (!planner.planFrom(R, A, S).error) break;
      }
      return [R, A];
    }));
  }
  const texts = files.map((ops) => `${ops.map((op) => op.slice(0, op[0] === 'from' ? 3 : 2).join(' ')).join('\n')}\n`);
  let compared = 0;
  let skipped = 0;
  parseTexts(texts).forEach((parsed, i) => {
    if (parsed.error) return fail(`random file #${i}: poolcheck rejects it: ${parsed.error.message}\n${texts[i]}`);
    if (planner.planFile(parsed).length > 0) return ++skipped;
    const got = nodeTrace(parsed, `random#${i}`, texts[i]);
    ++compared;
    const want = modelTrace(files[i]);
    if (got !== null && got !== want) fail(`random file #${i} disagrees with the rules:\n${texts[i]}--- node\n${got}--- rules\n${want}`);
  });
  return { compared, skipped };
}

// 7. Random files with any `from R A`, made expressible.
function madeExpressible() {
  const rand = makeRandom(31337);
  const texts = [];
  const initials = [];
  for (let file = 0; file < (quick ? 300 : 2000); ++file) {
    const ops = randomOps(rand, (size) => {
      const R = size();
      return [R, [R, 0, rand(R + 1), rand(R + 1), R - rand(Math.min(R, 3) + 1)][rand(5)]];
    });
    const initial = rand(8) === 0 ? SIZES[rand(SIZES.length)] : 8192;
    const crlf = rand(4) === 0 ? '\r\n' : '\n';
    const header = initial !== 8192 ? `#@ pool_size ${initial}${crlf}` : '';
    texts.push(header + ops.map((op) => op.slice(0, op[0] === 'from' ? 3 : 2).join(' ')).join(crlf) + crlf);
    initials.push(initial);
  }
  const results = parseTexts(texts).map((parsed, i) => ({ parsed, result: makeExpressible(texts[i], parsed) }));
  const reparsed = parseTexts(results.map((r) => r.result.text || ''));
  let files = 0;
  let replaced = 0;
  results.forEach(({ parsed, result }, i) => {
    const where = `make-expressible of random file #${i}`;
    if (result.skipped) return fail(`${where}: skipped (${result.skipped})`);
    const before = texts[i].split('\n');
    const after = result.text.split('\n');
    const changed = new Set(result.changes.map((c) => c.line));
    if (before.length !== after.length) fail(`${where}: ${before.length} lines became ${after.length}`);
    for (let l = 0; l < before.length; ++l) {
      if (changed.has(l + 1) ? !before[l].startsWith('from ') || !/^(from|alloc) /.test(after[l]) ||
        after[l].endsWith('\r') !== before[l].endsWith('\r') : before[l] !== after[l])
        fail(`${where}: line ${l + 1} '${before[l]}' became '${after[l]}'`);
    }
    const wereBad = planner.planFile(parsed).filter((p) => p.text.startsWith('from')).map((p) => p.line);
    if (wereBad.join() !== [...changed].join()) fail(`${where}: changed lines ${[...changed]} but inexpressible were ${wereBad}`);
    const problems = planner.planFile(reparsed[i]);
    if (problems.length > 0) return fail(`${where}: still inexpressible: ${problems.map((p) => p.text).join(', ')}`);
    replaced += changed.size;
    const got = nodeTrace(reparsed[i], `expressible#${i}`, result.text);
    const ops = reparsed[i].ops.map((op) => [op.op, op.op === 'from' ? op.reserve : op.size ?? op.buffer, op.kept]);
    ++files;
    const want = modelTrace(ops, initials[i]);
    if (got !== null && got !== want) fail(`${where} disagrees with the rules:\n${result.text}--- node\n${got}--- rules\n${want}`);
  });
  return { files, replaced };
}

// 8. Aligned and slow allocations, in parsed form written here.
function alignedOps() {
  const f = probe.features();
  const rand = makeRandom(4711);
  let ran = 0;
  let ranAligned = 0;
  let refused = 0;
  for (let file = 0; file < (quick ? 200 : 1500); ++file) {
    const ops = randomOps(rand, (size, S) => {
      let R = size();
      for (let tries = 0; tries < 20 && planner.planFrom(R, 0, S).error; ++tries) R = size();
      return [R, 0];
    }, true);
    const parsed = parsedForm(ops);
    const problems = planner.planFile(parsed);
    const hasAligned = parsed.ops.some((op) => op.align !== undefined && op.creates !== undefined);
    if (problems.length > 0) {
      // from R 0 is always expressible for R >= t ('') and for R < t only sometimes.
      const alignedProblems = problems.filter((p) => / align /.test(p.text));
      if (f.aligned_alloc && alignedProblems.length > 0) fail(`aligned#${file}: ${alignedProblems[0].text} refused on a Node that has it`);
      if (!f.aligned_alloc && hasAligned && alignedProblems.length === 0) fail(`aligned#${file}: aligned ops not refused on a Node without them`);
      ++refused;
      continue;
    }
    if (!f.aligned_alloc && hasAligned) fail(`aligned#${file}: aligned ops accepted on a Node without them`);
    const text = parsed.ops.map((op) => op.text).join('\n');
    const got = nodeTrace(parsed, `aligned#${file}`, text);
    const want = modelTrace(ops);
    ++ran;
    if (hasAligned) ++ranAligned;
    if (got !== null && got !== want) fail(`aligned#${file} disagrees with the rules:\n${text}\n--- node\n${got}--- rules\n${want}`);
  }
  // make-expressible drops the alignment where Node has none.
  const parsed = parsedForm([['aligned', 5, 16], ['slow', 7]]);
  parsed.ops[1].align = 64;
  parsed.ops[1].text = 'alloc_slow 7 align 64';
  const result = makeExpressible('alloc 5 align 16\nalloc_slow 7 align 64\n', parsed);
  const want = f.aligned_alloc ? 'alloc 5 align 16\nalloc_slow 7 align 64\n' : /^alloc 5 {2}# .*\nalloc_slow 7 {2}# .*\n$/;
  if (typeof want === 'string' ? result.text !== want : !want.test(result.text)) fail(`make-expressible of aligned ops gave ${JSON.stringify(result)}`);
  if (f.aligned_alloc && ranAligned < (quick ? 20 : 150)) fail(`only ${ranAligned} files with aligned ops ran on a Node that has them`);
  return { ran, ranAligned, refused };
}

function main() {
  let info;
  const started = Date.now();
  const report = () => {
    if (failures.length > 0) {
      process.stdout.write(`selftest: FAILED (node ${process.version}, rule ${rules.activeRule()})\n${failures.map((m) => `  ${m}\n`).join('')}`);
      return 1;
    }
    process.stdout.write('selftest: all checks passed\n');
    return 0;
  };
  try {
    info = rules.calibrate();
    // The aligned checks (8.) need the right picture of this Node: stop here
    // when the detection disagrees with the release (probe.js ALIGNED_API_SINCE).
    const mismatch = probe.featureMismatch(process.version, probe.features());
    if (mismatch) return fail(mismatch), report();
    const strings = require('./selftest_strings')({ fail, quick, makeRandom });
    prologue();
    const random = randomFiles();
    const made = madeExpressible();
    const aligned = alignedOps();
    process.stdout.write(`selftest: node ${process.version}, rule ${info.rule}, aligned allocation ${info.aligned_alloc ? `yes (pool alignment ${info.pool_alignment}, over-allocation ${info.pool_padding})` : 'no'}; ` +
      `${strings.ruleChecks} strings vs the rule, ${strings.nearestChecks} nearest checks, ${strings.experiments} from-experiments, ` +
      `${random.compared} random files compared with the rules (${random.skipped} inexpressible skipped), ` +
      `${made.files} made expressible (${made.replaced} ops replaced), ${aligned.ran} files with aligned/slow ops run (${aligned.ranAligned} with aligned ones) ` +
      `(${aligned.refused} refused), ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    if (error.message !== 'too many failures') throw error;
  }
  return report();
}

process.exitCode = runMain(__filename, main);
