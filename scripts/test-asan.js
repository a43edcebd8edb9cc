// Runs the native-facing test suites once more against an AddressSanitizer +
// UndefinedBehaviorSanitizer build of the addon (build-asan/), loaded through
// LEAKY_RELU_NATIVE_PATH. ASan must be preloaded into node for the addon to start.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
execFileSync(process.execPath, [cmakeJs, 'compile', '--out', 'build-asan', '--CDLEAKY_RELU_SANITIZE=ON'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const libasan = execFileSync('g++', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();

const vitest = require.resolve('vitest/vitest.mjs');
const projects = process.argv.slice(2).length ? process.argv.slice(2) : ['isa-scalar', 'isa-avx2', 'isa-avx512'];
const result = spawnSync(
  process.execPath,
  [vitest, 'run', ...projects.flatMap((p) => ['--project', p])],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      LD_PRELOAD: libasan,
      // Node itself is not built for LeakSanitizer; UBSan findings abort the run.
      ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
      UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
      LEAKY_RELU_NATIVE_PATH: path.join(root, 'build-asan/Release/leaky_relu.node'),
      LEAKY_RELU_SANITIZED: '1',
    },
  },
);
process.exit(result.status ?? 1);
