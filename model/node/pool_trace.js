#!/usr/bin/env node
// pool_trace.js: the Node runner's command line. Runs poolcheck op files in
// real Node.js and prints where Node placed every buffer, in the same JSON
// lines as `poolcheck trace` (docs/NODE.md).
//
//   node model/node/pool_trace.js FILE.ops              trace to stdout
//   node model/node/pool_trace.js --out-dir DIR FILE... one process, many files:
//        DIR/<i>.jsonl, DIR/<i>.inexpressible or DIR/<i>.malformed for the
//        i-th FILE (from 0)
//   node model/node/pool_trace.js --check-only FILE...  list the ops Node cannot express
//   node model/node/pool_trace.js --make-expressible [-v] IN_DIR OUT_DIR [--result FILE]
//   node model/node/pool_trace.js --info                one JSON line: version, rule, features
//
// Files are parsed by `poolcheck parse` ($POOLCHECK, else the default build's,
// built when missing). Exit: 0 ok, 2 bad usage or a malformed op file, 3 an op
// Node cannot express (no trace for that file), 4 internal error: this Node
// follows none of the known rules or did something the runner's checks do
// not allow (read the message).
// Test knobs: POOL_TRACE_FORCE_RULE=NAME plans for rule NAME whatever was
// detected; POOL_TRACE_HIDE_ALIGNED=1 acts as if this Node had no aligned
// allocation (probe.js), which the tests must catch on v26.8.0 and later.
'use strict';

const fs = require('fs');
const path = require('path');
const probe = require('./probe');
const rules = require('./rules');
const planner = require('./planner');
const parser = require('./parser');
const { runFile } = require('./runner');
const { makeExpressibleDirs, summaryText } = require('./make_expressible');

const EXIT = { ok: 0, malformed: 2, inexpressible: 3, internal: 4 };
class UsageError extends Error {}

const USAGE = `usage: node pool_trace.js FILE.ops
       node pool_trace.js --out-dir DIR FILE.ops...
       node pool_trace.js --check-only FILE.ops...
       node pool_trace.js --make-expressible [-v] IN_DIR OUT_DIR [--result FILE]
       node pool_trace.js --info
exit: 0 ok, 2 bad usage or malformed file, 3 op Node cannot express, 4 internal error
`;

function parseArgs(argv) {
  const args = { mode: 'trace', outDir: null, result: null, files: [], verbose: false };
  const modes = [];
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} takes a value`);
      return argv[++i];
    };
    if (arg === '--check-only' || arg === '--info' || arg === '--make-expressible') modes.push(arg.slice(2));
    else if (arg === '--out-dir') modes.push('out-dir'), (args.outDir = value());
    else if (arg === '--result') args.result = value();
    else if (arg === '--verbose' || arg === '-v') args.verbose = true;
    else if (arg === '--help' || arg === '-h') args.mode = 'help';
    else if (arg === '--') args.files.push(...argv.slice(i + 1)), (i = argv.length);
    else if (arg.startsWith('-') && arg.length > 1) throw new UsageError(`unknown option ${arg}`);
    else args.files.push(arg);
  }
  if (args.mode === 'help') return args;
  if (modes.length > 1) throw new UsageError('--check-only, --out-dir, --make-expressible and --info do not go together');
  if (modes.length === 1) args.mode = modes[0];
  const n = args.files.length;
  if (args.mode === 'info' && n > 0) throw new UsageError(`unexpected ${args.files[0]}`);
  if (args.mode === 'make-expressible' && n !== 2) throw new UsageError('--make-expressible takes IN_DIR OUT_DIR');
  if (args.mode !== 'info' && n === 0) throw new UsageError('no op files given');
  if (args.mode === 'trace' && n > 1) throw new UsageError('several files need --out-dir DIR (or --check-only)');
  return args;
}

function problemLines(name, problems) {
  return problems.map((p) => `${name}${p.line > 0 ? `:${p.line}` : ''}: ${p.text}: inexpressible in Node: ${p.reason}\n`).join('');
}

// One result per file: { kind: 'jsonl' | 'inexpressible' | 'malformed', text }.
// Traces are taken before any output is written (I/O may use the pool; the
// next file's prologue starts from whatever it leaves).
function runFiles(names, checkOnly) {
  const parsed = parser.parseFiles(names).files;
  return parsed.map((file, i) => {
    const name = names[i];
    if (file.error) return { kind: 'malformed', text: `pool_trace: ${parser.malformedText(file)}\n` };
    const problems = planner.planFile(file);
    if (problems.length > 0) {
      return { kind: 'inexpressible', text: problemLines(name, problems) + (checkOnly ? ''
        : `pool_trace: ${name}: ${problems.length} op(s) Node cannot express; no trace (see docs/NODE.md)\n`) };
    }
    return checkOnly ? { kind: 'ok', text: '' } : { kind: 'jsonl', text: runFile(file, name) };
  });
}

function worst(results) {
  if (results.some((r) => r.kind === 'malformed')) return EXIT.malformed;
  return results.some((r) => r.kind === 'inexpressible') ? EXIT.inexpressible : EXIT.ok;
}

function main(argv) {
  const args = parseArgs(argv);
  if (args.mode === 'help') return process.stdout.write(USAGE), EXIT.ok;
  rules.calibrate();
  if (args.mode === 'info') return process.stdout.write(`${JSON.stringify(rules.info())}\n`), EXIT.ok;
  if (args.mode === 'make-expressible') {
    const count = makeExpressibleDirs(args.files[0], args.files[1], args.verbose);
    process.stderr.write(count.log);
    delete count.log;
    if (args.result) fs.writeFileSync(args.result, `${JSON.stringify({ ...count, info: rules.info() })}\n`);
    process.stdout.write(`make-expressible: ${summaryText(count)}; node ${process.version}, rule ${rules.activeRule()}\n`);
    return count.malformed > 0 ? EXIT.malformed : EXIT.ok;
  }
  const results = runFiles(args.files, args.mode === 'check-only');
  if (args.mode === 'out-dir') {
    fs.mkdirSync(args.outDir, { recursive: true });
    results.forEach((r, i) => fs.writeFileSync(path.join(args.outDir, `${i}.${r.kind}`), r.text));
  } else {
    const toStdout = (r) => r.kind === 'jsonl' || (args.mode === 'check-only' && r.kind === 'inexpressible');
    process.stdout.write(results.filter(toStdout).map((r) => r.text).join(''));
    process.stderr.write(results.filter((r) => !toStdout(r)).map((r) => r.text).join(''));
  }
  return worst(results);
}

// Node up to v20 needs --expose-internals to read the pool mark: run again with it.
function reexecWithInternals(script) {
  if (process.env.POOL_TRACE_REEXEC === '1') {
    process.stderr.write('pool_trace: cannot read Node\'s pool mark even with --expose-internals\n');
    return EXIT.internal;
  }
  const result = require('child_process').spawnSync(process.execPath,
    ['--expose-internals', '--no-warnings', ...process.execArgv, script, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, POOL_TRACE_REEXEC: '1' } });
  if (result.error || result.signal) {
    process.stderr.write(`pool_trace: ${result.error ? result.error.message : `node died of ${result.signal}`}\n`);
    return EXIT.internal;
  }
  return result.status;
}

// Runs `body` with the pool mark readable; maps the runner's errors to exits.
function runMain(script, body) {
  if (!probe.init()) return reexecWithInternals(script);
  delete process.env.POOL_TRACE_REEXEC;  // processes this one starts re-run themselves if they need to
  try {
    return body();
  } catch (error) {
    if (error instanceof UsageError) return process.stderr.write(`pool_trace: ${error.message}\n${USAGE}`), EXIT.malformed;
    if (error instanceof parser.ParseFailure) return process.stderr.write(`pool_trace: ${error.message}\n`), EXIT.malformed;
    if (!(error instanceof probe.InternalError)) throw error;
    process.stderr.write(`pool_trace: internal error: ${error.message}\n`);
    return EXIT.internal;
  }
}

module.exports = { runMain, EXIT };

if (require.main === module) process.exitCode = runMain(__filename, () => main(process.argv.slice(2)));
