// The machine tools some tests need beyond Node, a C++ compiler and CMake (qemu, the
// aarch64 cross toolchain, Debian's arm64 Node, binutils' readers), and the one rule for
// when one is missing: locally the test skips and says why (scripts/test.js prints every
// reason in one line at the end of `npm test`); under CI it fails.
import { accessSync, appendFileSync, constants, existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { arm64Root, qemuArm64, qemuX86, root } from './qemu';

export type Tool =
  | 'qemu-x86_64-static'
  | 'qemu-aarch64-static'
  | 'aarch64-linux-gnu-g++'
  | 'aarch64-linux-gnu-strip'
  | 'arm64-node-root'
  | 'objdump'
  | 'readelf'
  | 'llvm'
  | 'wine64'
  | 'musl'
  | RegistryTool;

/** The toolchain and runtimes that .ci/fetch-tools.js unpacks from the npm registry. */
export type RegistryTool = 'zig' | 'node18' | 'node22' | 'node24' | 'node-win' | 'bun' | 'bun-musl' | 'deno';

/** Where .ci/fetch-tools.js puts them (the same default). */
export const toolsRoot = process.env.LEAKY_RELU_TOOLS ?? '/opt/leaky-relu-tools';

/** Each registry tool's program, inside its folder of toolsRoot. */
const registryPrograms: Record<RegistryTool, string> = {
  zig: 'zig/zig',
  node18: 'node18/bin/node',
  node22: 'node22/bin/node',
  node24: 'node24/bin/node',
  'node-win': 'node-win/bin/node.exe',
  bun: 'bun/bin/bun',
  'bun-musl': 'bun-musl/bin/bun',
  deno: 'deno/deno',
};

/** The program of a registry tool (whether or not it is there: see has()). */
export function toolPath(tool: RegistryTool): string {
  return path.join(toolsRoot, registryPrograms[tool]);
}

/** Debian's wine64 loader (the wine64 package puts no wine64 on PATH in Debian 12). */
export const wine64 = '/usr/lib/wine/wine64';

/** What installs each tool: a Debian package, or a step of ours. */
const installs: Record<Tool, { apt: string } | { step: string }> = {
  'qemu-x86_64-static': { apt: 'qemu-user-static' },
  'qemu-aarch64-static': { apt: 'qemu-user-static' },
  'aarch64-linux-gnu-g++': { apt: 'g++-aarch64-linux-gnu' },
  'aarch64-linux-gnu-strip': { apt: 'binutils-aarch64-linux-gnu' },
  // It copies the arm64 libc of g++-aarch64-linux-gnu, so it comes after the apt step.
  'arm64-node-root': { step: `.ci/setup-arm64-node.sh${process.env.LEAKY_RELU_ARM64_ROOT ? ` ${arm64Root}` : ''}` },
  objdump: { apt: 'binutils' },
  readelf: { apt: 'binutils' },
  llvm: { apt: 'llvm' },
  wine64: { apt: 'wine64' },
  musl: { apt: 'musl' },
  // One step fetches them all (the summary line then names it once).
  ...(Object.fromEntries(Object.keys(registryPrograms).map((t) => [t, { step: 'node .ci/fetch-tools.js' }])) as Record<
    RegistryTool,
    { step: string }
  >),
};

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && isExecutable(path.join(dir, name)));
}

/** qemu.ts runs qemu by its own path; the tool counts as there when PATH has it and so does that path. */
const qemuAt = (file: string, name: string) => onPath(name) && (path.isAbsolute(file) ? isExecutable(file) : onPath(file));

const probes: Record<Tool, () => boolean> = {
  'qemu-x86_64-static': () => qemuAt(qemuX86, 'qemu-x86_64-static'),
  'qemu-aarch64-static': () => qemuAt(qemuArm64, 'qemu-aarch64-static'),
  'aarch64-linux-gnu-g++': () => onPath('aarch64-linux-gnu-g++'),
  'aarch64-linux-gnu-strip': () => onPath('aarch64-linux-gnu-strip'),
  'arm64-node-root': () => isExecutable(path.join(arm64Root, 'usr/bin/node')),
  objdump: () => onPath('objdump'),
  readelf: () => onPath('readelf'),
  llvm: () => ['llvm-objdump', 'llvm-readobj', 'llvm-strip', 'llvm-nm'].every(onPath),
  wine64: () => isExecutable(wine64),
  musl: () => isExecutable('/lib/ld-musl-x86_64.so.1'),
  ...(Object.fromEntries(
    Object.keys(registryPrograms).map((t) => [
      t,
      // node.exe is run by wine, not executed: it need only be there.
      () => (t === 'node-win' ? existsSync(toolPath(t)) : isExecutable(toolPath(t as RegistryTool))),
    ]),
  ) as Record<RegistryTool, () => boolean>),
};

const found = new Map<Tool, boolean>();

/** Whether `tool` is on this machine (looked up once per test file). */
export function has(tool: Tool): boolean {
  if (!found.has(tool)) found.set(tool, probes[tool]());
  return found.get(tool)!;
}

/** What installs `tools`: Debian packages for one apt-get install, then our own steps. */
function installParts(tools: readonly Tool[]): { apt: string[]; steps: string[] } {
  const apt = new Set<string>();
  const steps = new Set<string>();
  for (const t of tools) {
    const how = installs[t];
    if ('apt' in how) apt.add(how.apt);
    else steps.add(how.step);
  }
  return { apt: [...apt].sort(), steps: [...steps] };
}

/** The command that installs `tools`. scripts/test.js joins the parts the same way. */
export function installCommand(tools: readonly Tool[]): string {
  const { apt, steps } = installParts(tools);
  return [...(apt.length ? [`apt-get install ${apt.join(' ')}`] : []), ...steps].join(' && ');
}

const ci = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

/**
 * Whether the block `title` (a describe or a test), which needs `tools`, can run:
 * `describe.runIf(skipUnless(title, [...]))(title, ...)`. When a tool is missing it
 * returns false and, locally, records the skip in $LEAKY_RELU_SKIP_LOG (set by
 * scripts/test.js) for the summary; under CI it registers instead a test that fails
 * naming the missing tools and their install command, and the rest of the file runs.
 */
export function skipUnless(title: string, tools: Tool | readonly Tool[]): boolean {
  const missing = (typeof tools === 'string' ? [tools] : tools).filter((t) => !has(t));
  if (missing.length === 0) return true;
  const install = installCommand(missing);
  if (ci) {
    test(`${title} [needs ${missing.join(', ')}]`, () => {
      throw new Error(`CI must run "${title}", but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: ${install}`);
    });
    return false;
  }
  const log = process.env.LEAKY_RELU_SKIP_LOG;
  if (log) {
    const testPath = expect.getState().testPath;
    const file = testPath ? path.relative(root, testPath) : undefined;
    appendFileSync(log, `${JSON.stringify({ file, title, missing, ...installParts(missing) })}\n`);
  }
  return false;
}
