#!/usr/bin/env node
// Checks that Google Benchmark output files are valid JSON with aggregate
// rows (so that the check covers the mean/median/stddev/cv/min/max rows
// where NaN used to appear): `node bench/check_json.js FILE.json...`.
// Prints `FILE: problem` and exits 1 on the first bad file.
'use strict';

const fs = require('fs');

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node bench/check_json.js FILE.json...\n');
  process.exit(2);
}
for (const file of files) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`${file}: not valid JSON: ${error.message}\n`);
    process.exit(1);
  }
  const rows = report.benchmarks || [];
  if (!rows.some((row) => row.run_type === 'aggregate')) {
    process.stderr.write(`${file}: no aggregate rows (run with --benchmark_repetitions >= 2)\n`);
    process.exit(1);
  }
}
console.log(`check_json: ${files.length} files are valid JSON with aggregate rows`);
