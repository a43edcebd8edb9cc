// Windows builds with MinGW-style toolchains (Zig): the napi_* functions are looked up
// by name in the process that loads the addon, instead of being imported from NODE.EXE.
// node-gyp's builds get the same effect from a delay-load hook that hands the import of
// node.exe the running executable; Zig's linker has no delay-load, and a plain import of
// NODE.EXE fails in any host of another name (electron.exe). Each napi_* symbol the addon
// calls is a two-instruction trampoline through a pointer that a static constructor
// fills when the DLL loads (before napi_register_module_v1 runs), from node.dll if the
// process has one (a shared-library Node), else from the executable. A function the host
// lacks gets a stub returning napi_generic_failure. CMakeLists.txt generates
// napi_names.inc (LR_NAPI(name) for every name of node-api-headers' node_api.def) and
// compiles the addon with NAPI_EXTERN empty, so that the addon's calls are plain calls
// to these trampolines and nothing here is exported.
#include <windows.h>

extern "C" {
#define LR_NAPI(name) void* leaky_relu_host_##name = nullptr;
#include "napi_names.inc"
#undef LR_NAPI

// napi_status napi_generic_failure: the answer of a function this host does not have.
int leaky_relu_napi_missing() { return 9; }
}

namespace {

struct ResolveHostNodeApi {
  ResolveHostNodeApi() {
    HMODULE node_dll = GetModuleHandleW(L"node.dll");
    HMODULE host = GetModuleHandleW(nullptr);
    FARPROC p;
#define LR_NAPI(name)                                                     \
  p = node_dll != nullptr ? GetProcAddress(node_dll, #name) : nullptr;    \
  if (p == nullptr) p = GetProcAddress(host, #name);                      \
  leaky_relu_host_##name = p != nullptr ? reinterpret_cast<void*>(p)      \
                                        : reinterpret_cast<void*>(&leaky_relu_napi_missing);
#include "napi_names.inc"
#undef LR_NAPI
  }
};

const ResolveHostNodeApi resolve_host_node_api;

}  // namespace

#if defined(__x86_64__)
#define LR_NAPI(name) ".globl " #name "\n.p2align 4\n" #name ":\n  jmp *leaky_relu_host_" #name "(%rip)\n"
#elif defined(__aarch64__)
#define LR_NAPI(name)                                             \
  ".globl " #name "\n.p2align 2\n" #name ":\n"                    \
  "  adrp x16, leaky_relu_host_" #name "\n"                       \
  "  ldr x16, [x16, :lo12:leaky_relu_host_" #name "]\n"           \
  "  br x16\n"
#else
#error "win32_host_napi.cc: x86-64 or arm64 only"
#endif
__asm__(".text\n"
#include "napi_names.inc"
);
#undef LR_NAPI
