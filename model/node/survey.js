#!/usr/bin/env node
// survey.js: the comparison with real Node on several releases, all on the
// same generated sequences (each made expressible for its own Node).
//
//   node model/node/survey.js [-n COUNT] [VERSION...]
//
// Default releases: DEFAULT_VERSIONS, one per release line from v18 to the
// newest, plus v26.3.0 (the last v26 before the 64-byte pool base). Each must
// compare COUNT (default 1000) sequences that create a buffer, generated as
// ci_compare.js generates them (the same files for every release). One line
// per release (ci_compare.js's), then `node-survey: N versions, K ok, F failed`.
// Exit 0 when every release passed, 1 otherwise, 2 on bad usage or setup.
'use strict';

const ci = require('./ci_compare');

const DEFAULT_VERSIONS = ['18.20.8', '20.20.2', '22.23.5', '24.22.3', '26.3.0', '26.12.1'];

async function main(argv) {
  let count = 1000;
  const versions = [];
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '-n') count = Number(argv[++i]);
    else if (argv[i].startsWith('-')) throw new ci.SetupError(`unknown option ${argv[i]}`);
    else versions.push(argv[i].replace(/^v/, ''));
  }
  if (!(count >= 0)) throw new ci.SetupError('-n takes a number');
  // ci_compare.js's check on each release, with its generation loop: the
  // sequences (seed 1, 2, ...) are generated once and shared by all releases.
  const o = ci.parseArgs(['--count', `${count}`]);
  o.versions = versions.length > 0 ? versions : DEFAULT_VERSIONS;
  const results = await ci.runReleases(o);
  const ok = results.filter((x) => x.ok).length;
  process.stdout.write(`node-survey: ${results.length} versions, ${ok} ok, ${results.length - ok} failed\n`);
  return ok === results.length ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`survey: ${e instanceof ci.SetupError ? e.message : e.stack}\n`);
  process.exitCode = 2;
});
