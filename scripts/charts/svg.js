// Shared by the chart scripts: an SVG document built as text, escaped, with
// one embedded style sheet and the renderer's generic sans-serif (no fonts,
// scripts or links to load), and the axis helpers the charts need.
'use strict';

const fs = require('fs');

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?');
}

function num(x) {
  return String(Math.round(x * 100) / 100);
}

const STYLE = `text { font-family: 'DejaVu Sans', Verdana, sans-serif; font-size: 12px; fill: #222222; }
.title { font-size: 16px; font-weight: bold; }
.heading { font-size: 13px; font-weight: bold; }
.small { font-size: 10.5px; fill: #444444; }
.tiny { font-size: 9.5px; fill: #555555; }
.middle { text-anchor: middle; }
.end { text-anchor: end; }
.grid { stroke: #e3e3e3; stroke-width: 1; }
.axis { stroke: #777777; stroke-width: 1; }
`;

// Okabe-Ito colours: distinguishable for colour-blind readers.
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];

class Svg {
  constructor() {
    this.parts = [];
  }
  rect(x, y, w, h, fill, attrs = {}, title = '') {
    const extra = Object.entries(attrs).map(([k, v]) => ` ${k}="${escape(v)}"`).join('');
    const open = `<rect x="${num(x)}" y="${num(y)}" width="${num(Math.max(w, 0))}" height="${num(h)}" fill="${fill}"${extra}`;
    this.parts.push(title ? `${open}><title>${escape(title)}</title></rect>` : `${open}/>`);
  }
  line(x1, y1, x2, y2, stroke, width = 1, attrs = {}) {
    const extra = Object.entries(attrs).map(([k, v]) => ` ${k}="${escape(v)}"`).join('');
    this.parts.push(`<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" stroke="${stroke}" stroke-width="${num(width)}"${extra}/>`);
  }
  polyline(points, stroke, width = 2, attrs = {}) {
    const extra = Object.entries(attrs).map(([k, v]) => ` ${k}="${escape(v)}"`).join('');
    const list = points.map(([x, y]) => `${num(x)},${num(y)}`).join(' ');
    this.parts.push(`<polyline points="${list}" fill="none" stroke="${stroke}" stroke-width="${num(width)}"${extra}/>`);
  }
  text(x, y, content, cls = '') {
    this.parts.push(`<text x="${num(x)}" y="${num(y)}"${cls ? ` class="${cls}"` : ''}>${escape(content)}</text>`);
  }
  document(width, height) {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" version="1.1" ` +
      `width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}">\n` +
      `<style>\n${STYLE}</style>\n<rect width="100%" height="100%" fill="#ffffff"/>\n${this.parts.join('\n')}\n</svg>\n`;
  }
}

// Round tick values for a linear axis from 0 to `max`.
function linearTicks(max, count = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const ticks = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(t);
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

// 1, 2, 5, 10, 20, 50, ... covering [lo, hi], for a log axis.
function logTicks(lo, hi) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); ++e)
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= lo / 1.0001 && t <= hi * 1.0001) ticks.push(t);
    }
  return ticks;
}

function short(value) {
  if (value >= 1e6) return `${num(value / 1e6)}M`;
  if (value >= 1e4) return `${num(value / 1e3)}k`;
  return num(value);
}

// Command-line: `-o OUT` and the remaining arguments; dies with exit 2.
function parseArgs(argv, usage) {
  const options = { out: '', inputs: [], flags: {} };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '-o') options.out = argv[++i] || '';
    else if (argv[i].startsWith('--') && argv[i].includes('=')) {
      const [k, v] = argv[i].slice(2).split(/=(.*)/s);
      options.flags[k] = v;
    } else if (argv[i].startsWith('-')) fail(`unknown option ${argv[i]}\n${usage}`);
    else options.inputs.push(argv[i]);
  }
  if (!options.out || options.inputs.length === 0) fail(usage);
  return options;
}

function fail(message) {
  process.stderr.write(`${message.trimEnd()}\n`);
  process.exit(2);
}

function write(path, text) {
  fs.writeFileSync(path, text);
}

module.exports = { Svg, PALETTE, escape, num, linearTicks, logTicks, short, parseArgs, fail, write };
