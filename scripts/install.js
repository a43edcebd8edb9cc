#!/usr/bin/env node
// The package's install step: use a matching prebuilt binary as it is; with none,
// build from source with cmake-js; when that is impossible too (no compiler, no
// CMake), say so and still succeed: the package then runs on its pure-JS fallback.
// LEAKY_RELU_BACKEND=native makes a failed build fail the install instead.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function hasBinary() {
  try {
    require('node-gyp-build').path(root);
    return true;
  } catch {
    return false;
  }
}

if (process.env.LEAKY_RELU_BACKEND === 'js' || hasBinary()) process.exit(0);

let cmakeJs;
try {
  cmakeJs = require.resolve('cmake-js/bin/cmake-js');
} catch {
  cmakeJs = null;
}
const build = cmakeJs
  ? spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' })
  : { status: 1, error: new Error('cmake-js is not installed') };
if (build.status === 0) process.exit(0);

const why = build.error ? build.error.message : `cmake-js exited with status ${build.status}`;
const message =
  `leaky-relu: no prebuilt binary for ${process.platform}-${process.arch} and the source build failed (${why}). ` +
  'The package will run on its pure-JS fallback (correct, several times slower). ' +
  'For the native kernels, install CMake and a C++17 compiler, then run `npm rebuild leaky-relu`.';
if (process.env.LEAKY_RELU_BACKEND === 'native') {
  console.error(message);
  process.exit(1);
}
console.warn(message);
