#!/usr/bin/env node
// prebuildify runs `node-gyp rebuild --target=V --devdir=D --arch=A --release`; its
// --node-gyp option swaps in this script, which runs the same build through cmake-js.
// --target and --devdir are node-gyp's (in cmake-js --target names a CMake target)
// and are dropped: a Node-API build needs neither. An arm64 build on another host is
// cross-compiled with cmake/aarch64-linux-gnu.cmake.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const arch = (args.find((a) => a.startsWith('--arch=')) ?? `--arch=${process.arch}`).slice(7);
const cmakeArgs = [require.resolve('cmake-js/bin/cmake-js'), 'rebuild', '--arch', arch];
if (args.includes('--debug')) cmakeArgs.push('--debug');
if (arch === 'arm64' && process.arch !== 'arm64') {
  const toolchain = path.resolve(__dirname, '..', 'cmake', 'aarch64-linux-gnu.cmake');
  cmakeArgs.push(`--CDCMAKE_TOOLCHAIN_FILE=${toolchain}`);
}
const result = spawnSync(process.execPath, cmakeArgs, { stdio: 'inherit' });
process.exit(result.status ?? 1);
