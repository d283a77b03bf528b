#!/usr/bin/env node
// A benchmark run as committed data, and the README's table made from it.
// scripts/bench.sh leaves its run in build/bench/runs/ (one Google Benchmark
// JSON file per sample, loads.tsv, about.json); a run that is published is
// packed into one file under docs/bench/ and the README's table is printed
// from that file alone, so anyone can regenerate it and ctest
// `bench_readme_table` fails when the README and the data disagree.
//
//   node bench/publish.js pack DIR -o FILE.jsonl   DIR (a run) -> one file
//   node bench/publish.js readme FILE.jsonl [OTHER.jsonl...]
//                                                  the README's block, and each
//                                                  other run's ratios beside
//                                                  this run's (an earlier run,
//                                                  or a bench.sh --baseline run)
//   node bench/publish.js unpack FILE.jsonl DIR    the run again as files (charts)
//
// FILE.jsonl: one JSON object per line, {"name": FILE, "text": CONTENT}, for
// every file of the run, in name order. A bad file is "FILE:LINE: problem",
// exit 2.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const RUN_FILE = /^(\d+_[a-z0-9_.-]+\.json|loads\.tsv|about\.json)$/;

function pack(dir, out) {
  const names = fs.readdirSync(dir).filter((n) => RUN_FILE.test(n)).sort();
  if (!names.includes('loads.tsv') || !names.includes('about.json'))
    throw new Error(`${dir}: not a run of scripts/bench.sh (no loads.tsv or about.json)`);
  const lines = names.map((name) => {
    let text = fs.readFileSync(path.join(dir, name), 'utf8');
    if (name.endsWith('.json')) text = JSON.stringify(JSON.parse(text));  // smaller, same numbers
    return JSON.stringify({ name, text });
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, lines.join('\n') + '\n');
  process.stderr.write(`publish.js: ${names.length} files of ${dir} -> ${out}\n`);
}

// FILE.jsonl -> DIR (a fresh temporary one by default) holding the run as
// bench.sh wrote it.
function unpack(file, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolcheck-bench-'))) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch (error) {
      throw new Error(`${file}:${i + 1}: not JSON (${error.message})`);
    }
    if (typeof entry.name !== 'string' || typeof entry.text !== 'string' || !RUN_FILE.test(entry.name))
      throw new Error(`${file}:${i + 1}: want {"name": a run's file name, "text": its content}`);
    fs.writeFileSync(path.join(dir, entry.name), entry.text);
  });
  return dir;
}

const RATIOS = path.join(__dirname, 'ratios.js');

// The medians of ratios.js --json for the run in FILE.
function medians(file) {
  const dir = unpack(file);
  try {
    return JSON.parse(execFileSync(process.execPath, [RATIOS, '--json', dir], { encoding: 'utf8' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// What a packed run says of itself (bench.sh's about.json).
function aboutOf(file) {
  const entry = fs.readFileSync(file, 'utf8').split('\n').find((line) => line.includes('"name":"about.json"'));
  if (!entry) throw new Error(`${file}: no about.json in this run`);
  return JSON.parse(JSON.parse(entry).text);
}

// Each median ratio of FILE beside the same figure of every OTHER run: an
// earlier run of the same command (a run alone does not say how repeatable
// it is), or a --baseline run (another allocator/, in the same rounds).
function comparison(file, others) {
  const now = medians(file);
  const runs = others.map((other) => ({ other, about: aboutOf(other), ratios: medians(other) }));
  const out = [
    'Each median beside the same figure of another run on the same machine (how far apart in parentheses):',
    '',
    ...runs.map(({ other, about }) =>
      `- \`${other}\`: ${about.date}, \`${about.command}\`${about.allocator ? `, ${about.allocator}` : ''}`),
    '',
    `| ratio | this run | ${runs.map(({ other }) => `\`${path.basename(other, '.jsonl')}\``).join(' | ')} |`,
    `| --- | ---: |${' ---: |'.repeat(runs.length)}`,
  ];
  for (const w of Object.keys(now))
    for (const o of Object.keys(now[w])) {
      const a = now[w][o].median;
      const cells = runs.map(({ ratios }) => {
        if (!ratios[w]?.[o]) return '—';
        const b = ratios[w][o].median;
        return `${b.toFixed(2)} (${((100 * Math.abs(a - b)) / Math.min(a, b)).toFixed(0)}%)`;
      });
      out.push(`| ${w} poolcheck / ${o} | ${a.toFixed(2)} | ${cells.join(' | ')} |`);
    }
  return out.join('\n');
}

function readme(file, ...others) {
  const dir = unpack(file);
  try {
    const about = JSON.parse(fs.readFileSync(path.join(dir, 'about.json'), 'utf8'));
    const ratios = execFileSync(process.execPath, [RATIOS, dir], { encoding: 'utf8' });
    const out = [
      `- Machine: ${about.machine}`,
      `- Date: ${about.date}; command: \`${about.command}\`; ${about.toolchain}${about.allocator ? `; ${about.allocator}` : ''}`,
      `- ${about.rounds} rounds; load average (1 min) at the start and the end of each round: ${about.load_range}, on ${about.cores} cores`,
      `- Data: \`${file}\`; this block: \`node bench/publish.js readme ${[file, ...others].join(' ')}\``,
      '',
      ratios.trimEnd(),
    ];
    if (others.length) out.push('', comparison(file, others));
    return out.join('\n') + '\n';
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(argv) {
  const usage = 'usage: publish.js pack DIR -o FILE.jsonl | readme FILE.jsonl [OTHER.jsonl...] | unpack FILE.jsonl DIR';
  if (argv[0] === 'unpack' && argv.length === 3) return unpack(argv[1], argv[2]);
  if (argv[0] === 'pack' && argv.length === 4 && argv[2] === '-o') return pack(argv[1], argv[3]);
  if (argv[0] === 'readme' && argv.length >= 2) return process.stdout.write(readme(...argv.slice(1)));
  throw new Error(usage);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`publish.js: ${error.message}\n`);
  process.exit(2);
}
