// What can be checked of every prebuild without running it (the only check for darwin-*,
// win32-arm64 and the musl builds; test/runtimes runs the others): the right format and
// architecture, the Node-API module entry as the only export, imports of napi_* /
// node_api_* symbols from the host (on Windows: looked up in it by name) plus the
// platform's system libraries only, macOS 11
// or lower as the minimum, and no AVX instruction outside the kernel code. Read with
// Debian's llvm tools (llvm-readobj, llvm-nm, llvm-objdump read ELF, Mach-O and COFF).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { root } from '../helpers/qemu';
import { skipUnless } from '../helpers/tools';

const llvm = (tool: string, args: string[]) => execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 256 << 20 });

interface Target {
  target: string;
  file: string;
  format: string;
  arch: 'x86_64' | 'aarch64';
  kind: 'elf' | 'macho' | 'coff';
  libc?: 'glibc' | 'musl';
}

const targets: Target[] = [
  { target: 'linux-x64-glibc', file: 'linux-x64/leaky-relu.glibc.node', format: 'elf64-x86-64', arch: 'x86_64', kind: 'elf', libc: 'glibc' },
  { target: 'linux-arm64-glibc', file: 'linux-arm64/leaky-relu.glibc.node', format: 'elf64-littleaarch64', arch: 'aarch64', kind: 'elf', libc: 'glibc' },
  { target: 'linux-x64-musl', file: 'linux-x64/leaky-relu.musl.node', format: 'elf64-x86-64', arch: 'x86_64', kind: 'elf', libc: 'musl' },
  { target: 'linux-arm64-musl', file: 'linux-arm64/leaky-relu.musl.node', format: 'elf64-littleaarch64', arch: 'aarch64', kind: 'elf', libc: 'musl' },
  { target: 'darwin-x64', file: 'darwin-x64/leaky-relu.node', format: 'Mach-O 64-bit x86-64', arch: 'x86_64', kind: 'macho' },
  { target: 'darwin-arm64', file: 'darwin-arm64/leaky-relu.node', format: 'Mach-O arm64', arch: 'aarch64', kind: 'macho' },
  { target: 'win32-x64', file: 'win32-x64/leaky-relu.node', format: 'COFF-x86-64', arch: 'x86_64', kind: 'coff' },
  { target: 'win32-arm64', file: 'win32-arm64/leaky-relu.node', format: 'COFF-ARM64', arch: 'aarch64', kind: 'coff' },
];

const entry = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];
const isNodeApi = (s: string) => /^_?(napi|node_api)_\w+$/.test(s);

// The system libraries each platform's binaries may name. glibc builds use the
// distribution's libstdc++ (as Node itself does there); the others carry their C++
// runtime inside (static libc++).
const systemLibraries: Record<string, RegExp> = {
  glibc: /^(libc\.so\.6|libm\.so\.6|libstdc\+\+\.so\.6|libgcc_s\.so\.1|ld-linux-(x86-64|aarch64)\.so\.[12])$/,
  musl: /^libc\.so$/,
  macho: /^\/usr\/lib\/libSystem\.B\.dylib$/,
  coff: /^(KERNEL32\.dll|api-ms-win-crt-[a-z-]+-l1-1-0\.dll|ntdll\.dll)$/i,
};

/** ELF: NEEDED entries, defined dynamic symbols, undefined dynamic symbols. */
function elf(file: string) {
  const dyn = llvm('llvm-readobj', ['--dynamic-table', file]);
  const needed = [...dyn.matchAll(/NEEDED\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const names = (args: string[]) =>
    llvm('llvm-nm', ['-D', ...args, file]).split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/).at(-1)!.replace(/@.*$/, ''));
  return { needed, exports: names(['--defined-only']), imports: names(['--undefined-only']) };
}

/** The AVX (VEX/EVEX, ymm/zmm) instructions of an x86 disassembly, by the section or function they are in. */
function avxBy(asm: string, header: RegExp): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let where = '';
  for (const line of asm.split('\n')) {
    const h = line.match(header);
    if (h) {
      where = h[1];
      continue;
    }
    const insn = line.match(/^\s*[0-9a-f]+:\s+(?:[0-9a-f]{2} )*\s*([a-z][a-z0-9.]*)\s*(.*)$/);
    if (!insn) continue;
    const [, mnemonic, operands] = insn;
    // llvm-objdump prints Intel-less AT&T: VEX/EVEX instructions are the v-mnemonics.
    if (!(/%[yz]mm\d/.test(operands) || /^v(?!err|erw)[a-z]/.test(mnemonic))) continue;
    if (!found.has(where)) found.set(where, []);
    found.get(where)!.push(line.trim());
  }
  return found;
}

const built = inject('builtTargets');
const files = inject('packedFiles');

describe.runIf(skipUnless('the prebuilds, inspected with llvm tools', 'llvm'))('every prebuild, inspected', () => {
  describe.each(targets.filter((t) => built.includes(t.target)))('$target', (t) => {
    const file = path.join(root, 'prebuilds', t.file);

    test('is in the tarball, in the right format and architecture, stripped', () => {
      expect(files).toContain(`prebuilds/${t.file}`);
      const headers = llvm('llvm-readobj', ['--file-headers', file]);
      expect(headers).toContain(`Format: ${t.format}`);
      expect(headers).toMatch(new RegExp(`Arch: ${t.arch}\\b`));
      if (t.kind === 'elf') expect(llvm('llvm-readobj', ['--sections', file])).not.toMatch(/Name: \.symtab/);
    });

    test('exports the Node-API module entry only; imports napi_* from the host and the system libraries only', () => {
      if (t.kind === 'elf') {
        const { needed, exports, imports } = elf(file);
        expect(exports.sort()).toEqual(entry);
        expect(needed.filter((l) => !systemLibraries[t.libc!].test(l))).toEqual([]);
        expect(imports.some(isNodeApi)).toBe(true);
        if (t.libc === 'musl' && existsSync('/lib/x86_64-linux-musl/libc.so')) {
          // Every other import is musl's (Debian's musl package: the same names on every arch).
          const libc = new Set(llvm('llvm-nm', ['-D', '--defined-only', '/lib/x86_64-linux-musl/libc.so']).split('\n').map((l) => l.trim().split(/\s+/).at(-1)));
          expect(imports.filter((s) => !isNodeApi(s) && !libc.has(s) && !/^(__cxa_finalize|_ITM_\w+|__gmon_start__)$/.test(s))).toEqual([]);
        }
      } else if (t.kind === 'macho') {
        const dylibs = [...llvm('llvm-objdump', ['--macho', '--private-headers', file]).matchAll(/cmd LC_LOAD(?:_WEAK)?_DYLIB\n[\s\S]*?name (\S+)/g)].map((m) => m[1]);
        expect(dylibs.length).toBeGreaterThan(0);
        expect(dylibs.filter((l) => !systemLibraries.macho.test(l))).toEqual([]);
        // Zig's Mach-O linker takes no export list: libc++'s replaceable operator
        // new/delete stay exported (harmless under the two-level namespace, where
        // no other image binds to them), beside the linker's own header symbols.
        const exports = llvm('llvm-nm', ['-g', '--defined-only', file]).split('\n').filter(Boolean).map((l) => l.split(/\s+/).at(-1)!);
        const other = exports.filter((s) => !/^__Z(nw|na|dl|da)[a-zA-Z0-9_]*$/.test(s) && !/^(___dso_handle|__mh_(dylib|bundle|execute)_header)$/.test(s));
        expect(other.sort()).toEqual(entry.map((s) => `_${s}`));
        // Bound by name at load: flat-namespace lookups (-undefined dynamic_lookup) are
        // the host's napi_* functions; everything else is libSystem's.
        const binds = llvm('llvm-objdump', ['--macho', '--bind', '--lazy-bind', '--weak-bind', file]);
        const flat: string[] = [];
        const others: string[] = [];
        let table = '';
        for (const line of binds.split('\n')) {
          if (/bind table:$/i.test(line)) table = line;
          const m = line.match(/\s(flat-namespace|libSystem|\S+)\s+(\S+)$/);
          if (!m || !/^__(DATA|DATA_CONST|TEXT)\b/.test(line.trim())) continue;
          // Weak definitions coalesce with the host's: libc++'s operator new/delete
          // (then both halves of each pair come from the same image).
          if (/^Weak/.test(table) && /^__Z(nw|na|dl|da)\w*$/.test(m[2])) continue;
          if (m[1] === 'flat-namespace') flat.push(m[2]);
          else if (m[1] !== 'libSystem') others.push(line.trim());
        }
        expect(flat.length).toBeGreaterThan(10);
        expect(flat.filter((s) => !isNodeApi(s))).toEqual([]);
        expect(others).toEqual([]);
      } else {
        // Zig builds libunwind (which its libc++ needs on Windows) with dllexport on its
        // API, and its linker takes no way to drop an explicit export: those stay
        // exported, unused by any host (Node binds only the module entry).
        const exp = llvm('llvm-readobj', ['--coff-exports', file]);
        const names = [...exp.matchAll(/Name: (\S+)/g)].map((m) => m[1]);
        expect(names.filter((s) => !/^(_Unwind_\w+|unw_\w+|_GCC_specific_handler)$/.test(s)).sort()).toEqual(entry);
        const imp = llvm('llvm-readobj', ['--coff-imports', file]);
        const byDll = new Map<string, string[]>();
        for (const block of imp.split(/Import \{/).slice(1)) {
          const dll = block.match(/Name: (\S+)/)![1];
          byDll.set(dll, [...block.matchAll(/Symbol: (\S+)/g)].map((m) => m[1]));
        }
        // No import of NODE.EXE: the napi_* functions are looked up by name in the
        // loading process (cmake/win32_host_napi.cc), so electron.exe serves as well.
        expect([...byDll.keys()].filter((d) => !systemLibraries.coff.test(d))).toEqual([]);
        const strings = readFileSync(file, 'latin1');
        for (const name of ['napi_get_typedarray_info', 'napi_create_async_work', 'napi_get_cb_info']) expect(strings).toContain(`${name}\0`);
      }
    });

    test.runIf(t.kind === 'macho')('needs macOS 11 or older', () => {
      const cmds = llvm('llvm-objdump', ['--macho', '--private-headers', file]);
      const minos = cmds.match(/cmd LC_BUILD_VERSION[\s\S]*?minos (\d+)\.(\d+)/) ?? cmds.match(/cmd LC_VERSION_MIN_MACOSX[\s\S]*?version (\d+)\.(\d+)/);
      expect(minos).not.toBeNull();
      expect(Number(minos![1])).toBeLessThanOrEqual(11);
    });

    test.runIf(t.arch === 'x86_64')('uses AVX only in the kernel code (AVX-512 only in the AVX-512 kernels)', () => {
      let avx: Map<string, string[]>;
      let allowed: (where: string, insn: string) => boolean;
      if (t.kind !== 'macho') {
        // ELF and COFF keep the kernels' sections (a PE section name may be cut to 8
        // characters: lr_avx51).
        avx = avxBy(llvm('llvm-objdump', ['-d', '--no-show-raw-insn', file]), /^Disassembly of section (\S+):/);
        allowed = (where, insn) => /^lr_avx51/.test(where) || (where === 'lr_avx2' && !/%zmm|%k\d/.test(insn));
      } else {
        // Zig's Mach-O linker merges every code section into __text, so the build's
        // unstripped copy (the same __text: strip -x drops only local symbols) says
        // which function each instruction is in; the kernels' functions are those the
        // AVX files' objects define (each ISA's kernels_<isa>.cc and kernels_<isa>_half.cc).
        const build = path.join(root, `build-prebuild-${t.target}`);
        const unstripped = path.join(build, 'Release/leaky_relu.node');
        const text = (f: string) => llvm('llvm-objdump', ['-s', '--section=__text', f]).split('\n').slice(3).join('\n');
        expect(text(unstripped)).toBe(text(file));
        const defined = (isa: string) =>
          new Set(
            [`kernels_${isa}.cc.o`, `kernels_${isa}_half.cc.o`].flatMap((o) =>
              llvm('llvm-nm', ['--defined-only', path.join(build, 'CMakeFiles/leaky_relu.dir/native', o)])
                .split('\n').filter(Boolean).map((l) => l.split(/\s+/).at(-1)),
            ),
          );
        const avx2 = defined('avx2');
        const avx512 = defined('avx512');
        avx = avxBy(llvm('llvm-objdump', ['-d', '--no-show-raw-insn', unstripped]), /^[0-9a-f]+ <(.+)>:$/);
        allowed = (where, insn) => avx512.has(where) || (avx2.has(where) && !/%zmm|%k\d/.test(insn));
      }
      const offenders: string[] = [];
      let inKernels = 0;
      for (const [where, insns] of avx) {
        for (const insn of insns) {
          if (allowed(where, insn)) inKernels++;
          else if (offenders.length < 10) offenders.push(`${where}: ${insn}`);
        }
      }
      expect(offenders).toEqual([]);
      // The kernels are there: this looks at real code.
      expect(inKernels).toBeGreaterThan(100);
    });
  });
});
