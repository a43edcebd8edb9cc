#!/usr/bin/env node
// `npm test`: the main vitest projects (the suites per ISA cap and on the JS backend),
// then the packaging project, the runtimes project (Node 18/22/24, Bun, Deno, wine), the
// main suites again on Node 24, then the sanitizer run (scripts/test-asan.js). Every stage
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
  { name: 'runtimes', args: [vitest, 'run', '--project', 'runtimes'] },
  // The newest Node runs the suites too (one ISA project and the JS project): its
  // Node-API and V8 differ most from Node 20's. The binary comes from .ci/fetch-tools.js.
  {
    name: 'Node 24 suites',
    program: path.join(process.env.LEAKY_RELU_TOOLS || '/opt/leaky-relu-tools', 'node24/bin/node'),
    tool: 'node24',
    args: [vitest, 'run', '--project', 'isa-avx512', '--project', 'js'],
  },
  { name: 'sanitizer', args: [path.join(__dirname, 'test-asan.js')] },
];

const run = fs.mkdtempSync(path.join(os.tmpdir(), 'leaky-relu-test-'));
const skipLog = path.join(run, 'skipped.jsonl');
const failed = [];
const ci = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
for (const stage of stages) {
  if (stage.program && !fs.existsSync(stage.program)) {
    // As test/helpers/tools.ts does for a test: skip locally and say so, fail under CI.
    const step = 'node .ci/fetch-tools.js';
    if (ci) {
      failed.push(`${stage.name} (${stage.program} is missing: ${step})`);
    } else {
      fs.appendFileSync(skipLog, `${JSON.stringify({ title: stage.name, missing: [stage.tool], apt: [], steps: [step] })}\n`);
    }
    continue;
  }
  const r = spawnSync(stage.program ?? process.execPath, stage.args, {
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
