#!/usr/bin/env bash
# Debian's arm64 Node.js, unpacked into a root folder for qemu-aarch64-static, so the
# arm64 prebuild (NEON kernels) can be loaded and tested on this x86-64 machine.
# Usage: .ci/setup-arm64-node.sh [ROOT]   (default /opt/arm64-node-root; needs root for apt)
set -euo pipefail
R=${1:-/opt/arm64-node-root}
if [ -x "$R/usr/bin/node" ]; then exit 0; fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
fi
apt-get update -qq
work=$(mktemp -d)
chmod 755 "$work"  # apt downloads as the _apt user
cd "$work"
apt-get download -qq nodejs:arm64 libnode108:arm64 libbrotli1:arm64 libc-ares2:arm64 \
  libicu72:arm64 libnghttp2-14:arm64 libssl3:arm64 libuv1:arm64 zlib1g:arm64 \
  node-acorn node-cjs-module-lexer node-undici node-busboy node-xtend
mkdir -p "$R"
for deb in ./*.deb; do dpkg -x "$deb" "$R"; done
mkdir -p "$R/lib/aarch64-linux-gnu"
cp -a /usr/aarch64-linux-gnu/lib/*.so* "$R/lib/aarch64-linux-gnu/"
ln -sf aarch64-linux-gnu/ld-linux-aarch64.so.1 "$R/lib/ld-linux-aarch64.so.1"
rm -rf "$work"
echo "arm64 node ready in $R"
