#!/usr/bin/env node
// runner_test.js: the Node runner's contract, on the Node that runs it:
// exit codes and messages of pool_trace.js (malformed input is poolcheck's
// own `FILE:LINE: problem`), a known trace, and that its checks catch a
// runner whose picture of Node is wrong (pool over-allocation, rule).
//   POOLCHECK=... node model/node/runner_test.js
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const probe = require('./probe');
const rules = require('./rules');
const planner = require('./planner');
const { runFile } = require('./runner');
const { runMain } = require('./pool_trace');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-test-'));
let failed = 0;
let passed = 0;
function check(name, ok, detail) {
  if (ok) ++passed;
  else ++failed, process.stdout.write(`FAIL ${name}${detail ? `: ${detail}` : ''}\n`);
  if (ok) process.stdout.write(`ok   ${name}\n`);
}
function file(name, text) {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}
const runner = (args, env = {}) => spawnSync(process.execPath, [path.join(__dirname, 'pool_trace.js'), ...args],
  { encoding: 'utf8', env: { ...process.env, ...env } });

function cli() {
  const seed = file('seed.ops', 'alloc 256\nalloc 4095\nalloc 4095\nalloc 4096\nalloc 0\n');
  const r = runner([seed]);
  check('trace of the seed scenario', r.status === 0 && r.stdout ===
    '{"slice":0,"pooled":true,"pool":0,"offset":0,"length":256}\n{"slice":1,"pooled":true,"pool":0,"offset":256,"length":4095}\n' +
    '{"slice":2,"pooled":true,"pool":1,"offset":0,"length":4095}\n{"slice":3,"pooled":false,"pool":null,"offset":0,"length":4096}\n' +
    '{"slice":4,"pooled":false,"pool":null,"offset":0,"length":0}\n', r.stdout + r.stderr);
  const bad = file('bad.ops', 'alloc 1\nrelease 3\n');
  const m = runner([bad]);
  check('malformed: exit 2 and poolcheck\'s FILE:LINE: problem', m.status === 2 &&
    m.stderr.includes(`${bad}:2: release 3: no such buffer`), `${m.status} ${m.stderr}`);
  const aligned = file('aligned.ops', '#@ alignment 16\nalloc 1\n');
  const a = runner([aligned]);
  check('#@ alignment 16: exit 3, inexpressible', a.status === 3 && a.stderr.includes('inexpressible in Node'), `${a.status} ${a.stderr}`);
  const c = runner(['--check-only', aligned, seed]);
  check('--check-only lists the problem on stdout', c.status === 3 && c.stdout.includes('#@ alignment 16: inexpressible'), c.stdout);
  const u = runner(['--bogus']);
  check('bad usage: exit 2', u.status === 2 && u.stderr.includes('unknown option --bogus'), u.stderr);
}

// A parsed file as `poolcheck parse` prints it.
function parsed(ops, poolSize = 8192) {
  let made = 0;
  return { file: 'hand', settings: { pool_size: poolSize, alignment: 8, cache_limit: 16 },
    ops: ops.map((op, i) => ({ line: i + 1, ...op, creates: op.op === 'pool_size' || op.op === 'release' ? undefined : made++,
      text: JSON.stringify(op) })) };
}

function inProcess() {
  rules.calibrate();
  const f = probe.features();
  // The detection is pinned to the release: v26.8.0 and later have the
  // aligned API, earlier releases do not (probe.js ALIGNED_API_SINCE).
  const hasApi = probe.releaseHasAlignedApi(process.version);
  const mismatch = probe.featureMismatch(process.version, f);
  check(`aligned API detected ${hasApi ? 'on' : 'nowhere on'} ${process.version} (from v${probe.ALIGNED_API_SINCE})`, mismatch === null, mismatch);
  // Aligned allocation: run where this Node has it, refused where not.
  const ops = parsed([{ op: 'alloc', size: 3 }, { op: 'alloc', size: 5, align: 64 }, { op: 'alloc', size: 1, align: 128 },
    { op: 'alloc_slow', size: 9 }, { op: 'alloc_slow', size: 100, align: 4096 }, { op: 'alloc', size: 60000, align: 16 },
    { op: 'alloc', size: 1, align: 1 }]);
  const problems = planner.planFile(ops);
  if (f.aligned_alloc) {
    const trace = problems.length === 0 ? runFile(ops, 'aligned') : '';
    check('aligned ops traced (offset rounded to 64, > 64 and slow unpooled)', trace ===
      '{"slice":0,"pooled":true,"pool":0,"offset":0,"length":3}\n{"slice":1,"pooled":true,"pool":0,"offset":64,"length":5}\n' +
      '{"slice":2,"pooled":false,"pool":null,"offset":0,"length":1}\n{"slice":3,"pooled":false,"pool":null,"offset":0,"length":9}\n' +
      '{"slice":4,"pooled":false,"pool":null,"offset":0,"length":100}\n{"slice":5,"pooled":false,"pool":null,"offset":0,"length":60000}\n' +
      '{"slice":6,"pooled":true,"pool":0,"offset":72,"length":1}\n', trace + JSON.stringify(problems));
  } else {
    check('aligned ops refused where Node has none', problems.length === 5 && problems.every((p) => p.reason.includes('v26.8.0')),
      JSON.stringify(problems));
  }
  // The pool-size check: a runner expecting one byte more over-allocation stops.
  f.pool_padding += 1;
  let error = null;
  try {
    runFile(parsed([{ op: 'alloc', size: 1 }]), 'padding');
  } catch (e) {
    error = e;
  }
  f.pool_padding -= 1;
  check('a pool of another size than capacity + over-allocation is reported', error instanceof probe.InternalError &&
    /ArrayBuffer, not 8192 \+ \d+/.test(error.message), error && error.message);
  // A runner planning for the wrong Buffer.from rule is caught by the self test.
  const wrong = rules.activeRule() === 'byte-length' ? '4L-then-byte-length' : 'byte-length';
  const s = spawnSync(process.execPath, [path.join(__dirname, 'selftest.js'), '--quick'],
    { encoding: 'utf8', env: { ...process.env, POOL_TRACE_FORCE_RULE: wrong } });
  check(`selftest fails when the runner plans for rule ${wrong}`, s.status === 1 && s.stdout.includes('FAILED'), s.stdout.slice(0, 300));
  // ... and so is the comparison: with 16 (4L rule: 8) bytes of room, a
  // string planned for the other rule reserves more (fewer) than R.
  const dir = path.join(tmp, 'wrong-rule');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'a.ops'), 'pool_size 64\nalloc 31\nalloc 16\nfrom 3 3\n');
  fs.writeFileSync(path.join(dir, 'b.ops'), 'pool_size 64\nalloc 31\nalloc 16\nalloc 8\nfrom 12 0\n');
  const c = spawnSync(process.execPath, [path.join(__dirname, 'compare.js'), dir],
    { encoding: 'utf8', env: { ...process.env, POOL_TRACE_FORCE_RULE: wrong } });
  check(`compare.js reports a disagreement when the runner plans for rule ${wrong}`,
    c.status === 1 && c.stdout.includes('DISAGREE') && c.stdout.includes('  N! '), c.stdout.slice(-600) + c.stderr);
  const ok = spawnSync(process.execPath, [path.join(__dirname, 'compare.js'), dir], { encoding: 'utf8' });
  check('compare.js agrees on the same files with the detected rule', ok.status === 0 && /, 0 disagree/.test(ok.stdout), ok.stdout);
  if (hasApi) hiddenAligned();
}

// A runner that loses the aligned ops on a release that has them (as a broken
// detection or planner would; POOL_TRACE_HIDE_ALIGNED=1) fails the self test
// and the comparison, instead of quietly comparing the ops it has left.
function hiddenAligned() {
  const hide = { ...process.env, POOL_TRACE_HIDE_ALIGNED: '1' };
  const s = spawnSync(process.execPath, [path.join(__dirname, 'selftest.js'), '--quick'], { encoding: 'utf8', env: hide });
  check('selftest fails when the aligned API is hidden', s.status === 1 && s.stdout.includes('but the runner detected allocUnsafe: no'),
    s.stdout.slice(0, 600));
  // Two files: 3 aligned requests that create a buffer, 2 slow ones.
  const dir = path.join(tmp, 'aligned');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'a.ops'), 'alloc 3\nalloc 5 align 64\nalloc_slow 9\nalloc 1 align 128\n');
  fs.writeFileSync(path.join(dir, 'b.ops'), 'pool_size 100\nalloc_slow 100 align 4096\nalloc 1\nrelease 0\n');
  const version = process.version.replace(/^v/, '').split('-')[0];
  const ci = (env, ...extra) => spawnSync(process.execPath, [path.join(__dirname, 'ci_compare.js'), '--version', version, '--input', dir,
    '--selftest', 'skip', '--jobs', '1', '--count', '2', ...extra], { encoding: 'utf8', env });
  const good = ci(process.env, '--min-aligned', '3', '--min-slow', '2');
  check('ci_compare.js passes with 3 aligned and 2 slow requests required', good.status === 0 &&
    good.stdout.includes('3 aligned requests (>= 3 required), 2 slow requests (>= 2 required)'), good.stdout + good.stderr);
  const hidden = ci(hide, '--min-aligned', '3', '--min-slow', '3');
  check('ci_compare.js fails with the aligned API hidden: the release table, 0 aligned requests, and too few slow ones',
    hidden.status === 1 && hidden.stdout.includes('but the runner detected allocUnsafe: no') &&
    hidden.stdout.includes('only 0 aligned requests agreed, fewer than 3') &&
    hidden.stdout.includes('only 2 slow requests (allocUnsafeSlow) agreed, fewer than 3'), hidden.stdout + hidden.stderr);
}

process.exitCode = runMain(__filename, () => {
  try {
    cli();
    inProcess();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`runner_test: node ${process.version}: ${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
});
