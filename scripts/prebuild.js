#!/usr/bin/env node
// `npm run prebuild`: the stripped Node-API binaries that ship in the package,
// prebuilds/linux-arm64 (cross-compiled) and prebuilds/linux-x64, through prebuildify
// and cmake-js. x64 is built last so that build/Release is this machine's again.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const prebuildify = require.resolve('prebuildify/bin.js');
const shim = path.join(__dirname, 'cmake-js-as-node-gyp.js');
const targets = process.argv.slice(2).length ? process.argv.slice(2) : ['arm64', 'x64'];
for (const arch of targets) {
  fs.rmSync(path.join(root, 'prebuilds', `${process.platform}-${arch}`), { recursive: true, force: true });
  const strip = arch === 'arm64' && process.arch !== 'arm64' ? ['--strip-bin', 'aarch64-linux-gnu-strip'] : [];
  execFileSync(
    process.execPath,
    [prebuildify, '--napi', '--strip', '--tag-libc', ...strip, '--arch', arch, '--node-gyp', shim],
    { cwd: root, stdio: 'inherit' },
  );
}
