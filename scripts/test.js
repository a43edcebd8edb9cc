#!/usr/bin/env node
// `npm test`: the main vitest projects (the suites per ISA cap and on the JS backend),
// then the packaging project, then the sanitizer run (scripts/test-asan.js). Every stage
// runs; the exit status is non-zero if any failed. Tests whose tools are missing
// (test/helpers/tools.ts) record why in a file of this run, and the last lines say
// which were skipped, with the command that installs what they need.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const vitest = require.resolve('vitest/vitest.mjs');
const stages = [
  { name: 'main suites', args: [vitest, 'run', ...['isa-scalar', 'isa-avx2', 'isa-avx512', 'js'].flatMap((p) => ['--project', p])] },
  { name: 'packaging', args: [vitest, 'run', '--project', 'packaging'] },
  { name: 'sanitizer', args: [path.join(__dirname, 'test-asan.js')] },
];

const run = fs.mkdtempSync(path.join(os.tmpdir(), 'leaky-relu-test-'));
const skipLog = path.join(run, 'skipped.jsonl');
const failed = [];
for (const stage of stages) {
  const r = spawnSync(process.execPath, stage.args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, LEAKY_RELU_SKIP_LOG: skipLog },
  });
  if (r.status === 0) continue;
  failed.push(`${stage.name} (${r.signal ?? `exit ${r.status ?? r.error?.message}`})`);
  // Interrupted (Ctrl-C reaches the stage too): stop here.
  if (r.signal) break;
}

// One entry per skipped block, however many projects recorded it.
const skips = new Set();
const apt = new Set();
const steps = new Set();
const lines = fs.existsSync(skipLog) ? fs.readFileSync(skipLog, 'utf8').split('\n').filter(Boolean) : [];
for (const line of lines) {
  const s = JSON.parse(line);
  skips.add(`${s.file ? `${s.file} > ` : ''}${s.title} [needs ${s.missing.join(', ')}]`);
  s.apt.forEach((p) => apt.add(p));
  s.steps.forEach((p) => steps.add(p));
}
fs.rmSync(run, { recursive: true, force: true });

if (skips.size) {
  const install = [...(apt.size ? [`apt-get install ${[...apt].sort().join(' ')}`] : []), ...steps].join(' && ');
  console.log(`\nnpm test: skipped ${skips.size} for missing tools: ${[...skips].join('; ')}. To run them: ${install}`);
} else {
  console.log('\nnpm test: nothing skipped for missing tools');
}
if (failed.length) {
  console.log(`npm test: FAILED: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`npm test: all ${stages.length} stages passed`);
