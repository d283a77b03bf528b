// parser.js: op files as the poolcheck tool parses them. The runner has no
// parser of its own: `poolcheck parse` prints every file as JSON (format in
// docs/FORMATS.md), with the defaults and limits of the C++ side, so that a
// file is malformed here exactly when poolcheck rejects it, with poolcheck's
// own `FILE:LINE: problem` message.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
// Where the default build puts the tool (before and after model/ was split
// into folders).
const CANDIDATES = ['build/default/model/tool/poolcheck', 'build/default/model/poolcheck'];

class ParseFailure extends Error {}

// The poolcheck binary: $POOLCHECK, else the default build's. Builds it with
// the default preset when there is none (a fresh clone), so that the Node
// commands work as typed.
function findPoolcheck({ build = true } = {}) {
  if (process.env.POOLCHECK) return process.env.POOLCHECK;
  const found = CANDIDATES.map((c) => path.join(ROOT, c)).find((p) => fs.existsSync(p));
  if (found || !build) return found || null;
  buildTargets(['poolcheck']);
  const built = CANDIDATES.map((c) => path.join(ROOT, c)).find((p) => fs.existsSync(p));
  if (!built) throw new ParseFailure('poolcheck was built but is not where expected');
  return built;
}

// Configures the default preset if needed and builds the given targets
// (progress on stderr).
function buildTargets(targets) {
  const run = (args) => {
    process.stderr.write(`node runner: cmake ${args.join(' ')}\n`);
    const r = spawnSync('cmake', args, { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (r.status !== 0) throw new ParseFailure(`cmake ${args.join(' ')} failed (exit ${r.status})`);
  };
  if (!fs.existsSync(path.join(ROOT, 'build/default/build.ninja'))) run(['--preset', 'default']);
  run(['--build', '--preset', 'default', '--target', ...targets]);
}

let poolcheckPath = null;
const poolcheck = () => poolcheckPath || (poolcheckPath = findPoolcheck());

// Runs `poolcheck parse` on the files (or directories). Returns { header,
// files: [{ file, settings, ops } | { file, error: { line, message } }] } in
// the order poolcheck gives them (arguments in order, directories sorted).
function parseFiles(names) {
  const out = { header: null, files: [] };
  const BATCH = 1000;  // keeps argument lists short
  for (let first = 0; first === 0 || first < names.length; first += BATCH) {
    // poolcheck takes no `--`: a name that looks like an option gets a ./
    const args = names.slice(first, first + BATCH).map((n) => (n.startsWith('-') ? `./${n}` : n));
    const r = spawnSync(poolcheck(), ['parse', ...args],
      { maxBuffer: 1 << 30, encoding: 'latin1' });
    if (r.error) throw new ParseFailure(`cannot run ${poolcheck()}: ${r.error.message}`);
    if (r.status !== 0 && r.status !== 2)
      throw new ParseFailure(`poolcheck parse failed (exit ${r.status}): ${r.stderr.slice(0, 500)}`);
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    out.header = JSON.parse(lines[0]);
    if (out.header.format !== 'poolcheck parse' || out.header.version !== 1)
      throw new ParseFailure(`poolcheck parse speaks ${lines[0].slice(0, 100)}, not version 1`);
    for (const line of lines.slice(1)) out.files.push(JSON.parse(line));
  }
  return out;
}

// The same for one file: { file } or { malformed: 'FILE:LINE: problem' }.
function parseFile(name) {
  const parsed = parseFiles([name]).files[0];
  return parsed.error ? { malformed: malformedText(parsed) } : { file: parsed };
}

function malformedText(parsed) {
  return `${parsed.file}${parsed.error.line > 0 ? `:${parsed.error.line}` : ''}: ${parsed.error.message}`;
}

// The limits and defaults of the C++ side (allocator/pool_types.h), once.
let header = null;
function limits() {
  if (header === null) header = parseFiles([]).header;
  return header;
}

module.exports = { ROOT, ParseFailure, findPoolcheck, buildTargets, poolcheck, parseFiles, parseFile, malformedText, limits };
