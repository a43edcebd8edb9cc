#!/usr/bin/env node
// `npm run build:prebuilds [-- target...]`: the stripped Node-API binaries that ship in
// the package, all built on one x86-64 Linux machine from the same CMakeLists.txt and
// kernel files. Targets (default: all eight):
//   linux-x64-glibc    this machine's g++
//   linux-arm64-glibc  Debian's g++-aarch64-linux-gnu (cmake/aarch64-linux-gnu.cmake)
//   linux-x64-musl, linux-arm64-musl, darwin-x64, darwin-arm64, win32-x64, win32-arm64
//                      Zig's clang, libc++ and libc headers (cmake/zig.cmake), from the
//                      registry through .ci/fetch-tools.js; C++ runtime linked statically
// Each target is built by cmake-js in its own folder, build-prebuild-<target>/, so the
// developer's build/Release is never touched (prebuildify can only take the binary from
// <cwd>/build/Release, which is why this does its steps itself), stripped, and copied to
// the name node-gyp-build looks for: prebuilds/<platform>-<arch>/<package name>.<libc>.node
// on Linux, <package name>.node on macOS and Windows (no libc tag there).
//   ZIG=/path/to/zig   the zig program (default: the one .ci/fetch-tools.js unpacks)
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const name = require('../package.json').name.replace(/\//g, '+');
const toolsRoot = process.env.LEAKY_RELU_TOOLS || '/opt/leaky-relu-tools';
const zig = process.env.ZIG || path.join(toolsRoot, 'zig', 'zig');

// target -> how to build it. `zig` is Zig's -target; macOS 11 is the minimum version
// (the first with arm64 Macs; CMakeLists.txt sets the same for Apple's own clang).
const all = {
  'linux-x64-glibc': { platform: 'linux', arch: 'x64', libc: 'glibc' },
  'linux-arm64-glibc': { platform: 'linux', arch: 'arm64', libc: 'glibc', gnu: 'aarch64-linux-gnu' },
  'linux-x64-musl': { platform: 'linux', arch: 'x64', libc: 'musl', zig: 'x86_64-linux-musl' },
  'linux-arm64-musl': { platform: 'linux', arch: 'arm64', libc: 'musl', zig: 'aarch64-linux-musl' },
  'darwin-x64': { platform: 'darwin', arch: 'x64', zig: 'x86_64-macos.11.0' },
  'darwin-arm64': { platform: 'darwin', arch: 'arm64', zig: 'aarch64-macos.11.0' },
  // napi_* looked up in the host process at load (cmake/win32_host_napi.cc), not imported
  // from NODE.EXE: the binary loads in electron.exe too.
  'win32-x64': { platform: 'win32', arch: 'x64', zig: 'x86_64-windows-gnu' },
  'win32-arm64': { platform: 'win32', arch: 'arm64', zig: 'aarch64-windows-gnu' },
};
// The old spellings (`-- x64`, `-- arm64`) still mean the glibc builds.
const alias = { x64: 'linux-x64-glibc', arm64: 'linux-arm64-glibc' };
const targets = process.argv.slice(2).length ? process.argv.slice(2).map((t) => alias[t] ?? t) : Object.keys(all);

function fail(message) {
  console.error(`build:prebuilds: ${message}`);
  process.exit(1);
}

if (process.platform !== 'linux' || process.arch !== 'x64') fail(`builds on x86-64 Linux only, not on ${process.platform}-${process.arch}`);
const onPath = (program) => spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
const isFile = (file) => fs.existsSync(file) && fs.statSync(file).isFile();

// Every target's tools are checked first, so a missing toolchain changes nothing.
const plans = targets.map((target) => {
  const t = all[target];
  if (!t) fail(`unknown target ${target} (known: ${Object.keys(all).join(', ')})`);
  const plan = { target, ...t, cmake: [], env: {}, strip: ['strip', '--strip-all'] };
  if (t.gnu) {
    const missing = [`${t.gnu}-g++`, `${t.gnu}-strip`].filter((p) => !onPath(p));
    if (missing.length) {
      fail(
        `${target} needs ${missing.join(' and ')}: apt-get install g++-aarch64-linux-gnu binutils-aarch64-linux-gnu ` +
          "(or build this machine's only: npm run build:prebuilds -- linux-x64-glibc)",
      );
    }
    plan.cmake.push(`--CDCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', `${t.gnu}.cmake`)}`);
    plan.strip = [`${t.gnu}-strip`, '--strip-all'];
  } else if (t.zig) {
    if (!isFile(zig)) fail(`${target} needs Zig (${zig}): node .ci/fetch-tools.js zig`);
    // llvm-strip reads ELF, Mach-O and COFF alike.
    if (!onPath('llvm-strip')) fail(`${target} needs llvm-strip: apt-get install llvm`);
    plan.cmake.push(`--CDCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', 'zig.cmake')}`, '--CDLEAKY_RELU_STATIC_RUNTIME=ON');
    plan.env = { ZIG: zig, ZIG_TARGET: t.zig };
    // Mach-O: -x keeps the symbols dyld binds by name (the exported entry, the napi_*
    // imports), which a full strip of a bundle would not remove either.
    plan.strip = ['llvm-strip', t.platform === 'darwin' ? '-x' : '--strip-all'];
  }
  return plan;
});

for (const plan of plans) {
  const out = path.join(root, `build-prebuild-${plan.target}`);
  const env = { ...process.env, ...plan.env };
  fs.rmSync(out, { recursive: true, force: true });
  // A fresh CMake cache each time, as a release build should have: the folder was
  // removed above.
  execFileSync(process.execPath, [cmakeJs, 'compile', '--arch', plan.arch, '--out', out, ...plan.cmake], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  const dir = path.join(root, 'prebuilds', `${plan.platform}-${plan.arch}`);
  fs.mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, plan.libc ? `${name}.${plan.libc}.node` : `${name}.node`);
  fs.copyFileSync(path.join(out, 'Release', 'leaky_relu.node'), dest);
  execFileSync(plan.strip[0], [...plan.strip.slice(1), dest], { stdio: 'inherit' });
  console.log(`build:prebuilds: ${path.relative(root, dest)} (${fs.statSync(dest).size} bytes)`);
}
