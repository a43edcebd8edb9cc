#!/usr/bin/env node
// `npm run readme`: puts the figures of the last benchmark run (bench/results/results.md,
// from `npm run bench`) and a fresh `npm start` output into README.md, between their
// markers, so that the README shows what was measured rather than a copy by hand.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const readmePath = path.join(root, 'README.md');

function splice(text, name, body) {
  const begin = `<!-- ${name}-begin -->\n`;
  const end = `<!-- ${name}-end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${begin.trim()} ... ${end} markers`);
  return text.slice(0, from + begin.length) + body + text.slice(to);
}

const results = fs.readFileSync(path.join(root, 'bench/results/results.md'), 'utf8');
const demo = execFileSync(process.execPath, [path.join(root, 'scripts/demo.js')], { encoding: 'utf8' });
let readme = fs.readFileSync(readmePath, 'utf8');
readme = splice(readme, 'bench', results);
readme = splice(readme, 'npm-start', '```\n' + demo.trimEnd() + '\n```\n');
fs.writeFileSync(readmePath, readme);
console.log('README.md: benchmark figures and npm start output updated');
