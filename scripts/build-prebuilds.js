#!/usr/bin/env node
// `npm run build:prebuilds [-- arch...]`: the stripped Node-API binaries that ship in
// the package, prebuilds/linux-arm64 (cross-compiled on x64) and prebuilds/linux-x64 by
// default. Each arch is built by cmake-js in its own folder, build-prebuild-<arch>/, so
// the developer's build/Release is never touched (prebuildify can only take the binary
// from <cwd>/build/Release, which is why this does its three steps itself), then
// stripped and copied to the name prebuildify gives a Node-API build and node-gyp-build
// looks for: prebuilds/<platform>-<arch>/<package name>.<libc>.node.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const name = require('../package.json').name.replace(/\//g, '+');
const targets = process.argv.slice(2).length ? process.argv.slice(2) : ['arm64', 'x64'];

function fail(message) {
  console.error(`build:prebuilds: ${message}`);
  process.exit(1);
}

if (process.platform !== 'linux') fail(`builds Linux binaries only, not on ${process.platform}`);
const libc = fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc';
const onPath = (program) => spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;

// Every target's tools are checked first, so a missing cross compiler changes nothing.
const plans = targets.map((arch) => {
  if (arch === process.arch) return { arch, cmake: [], strip: 'strip' };
  if (arch !== 'arm64' || process.arch !== 'x64') fail(`no cross toolchain for ${arch} on ${process.arch}`);
  const missing = ['aarch64-linux-gnu-g++', 'aarch64-linux-gnu-strip'].filter((p) => !onPath(p));
  if (missing.length) {
    fail(
      `arm64 needs ${missing.join(' and ')}: apt-get install g++-aarch64-linux-gnu binutils-aarch64-linux-gnu ` +
        '(or build this machine\'s only: npm run build:prebuilds -- x64)',
    );
  }
  const toolchain = path.join(root, 'cmake', 'aarch64-linux-gnu.cmake');
  return { arch, cmake: [`--CDCMAKE_TOOLCHAIN_FILE=${toolchain}`], strip: 'aarch64-linux-gnu-strip' };
});

for (const { arch, cmake, strip } of plans) {
  const out = path.join(root, `build-prebuild-${arch}`);
  // rebuild: a fresh CMake cache each time, as a release build should have.
  execFileSync(process.execPath, [cmakeJs, 'rebuild', '--arch', arch, '--out', out, ...cmake], {
    cwd: root,
    stdio: 'inherit',
  });
  const dir = path.join(root, 'prebuilds', `${process.platform}-${arch}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, `${name}.${libc}.node`);
  fs.copyFileSync(path.join(out, 'Release', 'leaky_relu.node'), dest);
  execFileSync(strip, ['--strip-all', dest], { stdio: 'inherit' });
  console.log(`build:prebuilds: ${path.relative(root, dest)}`);
}
