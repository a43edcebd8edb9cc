// The section attribute that keeps each AVX kernel file's code in a named section of its
// own, which survives stripping: the packaging tests disassemble the shipped binaries and
// check that no code outside these sections uses AVX. Only macros: the AVX files include
// no inline or template code that a file built without their flags could share (their
// ISA's body header, kernels_avx2_body.h or kernels_avx512_body.h, is theirs alone).
// Every function of those files goes into its ISA's section. GCC ignores a section
// attribute on a template (PR 70435), so the table's entries are plain functions (each
// type's Forward and Backward) and `flatten` inlines the templates into them: no
// template code is left out of line, in .text. (always_inline on the body does that too,
// but GCC then laid the head peel out of line; flatten gives the code of the
// hand-written kernels.)
// No std:: template (std::min, ...) may be instantiated in an ISA-flagged file: its AVX
// copy, a COMDAT outside these sections, could be the one the linker keeps for the whole
// binary, and the scalar path would then die with SIGILL on an older CPU. The body
// headers' own templates and helpers are in an anonymous namespace: each file that
// includes one instantiates its own internal copy, which is no COMDAT, so the linker has
// nothing of it to share with another file (not even the other file of the same ISA).
#ifndef LEAKY_RELU_KERNEL_SECTION_H_
#define LEAKY_RELU_KERNEL_SECTION_H_

#if defined(_MSC_VER) && !defined(__clang__)
// MSVC (COFF): code_seg names the section; MSVC has no flatten, and its inliner already
// inlines the small template bodies into the entries at /O2.
#define LEAKY_RELU_KERNEL_CODE(name) __declspec(code_seg(name))
#define LEAKY_RELU_KERNEL_ENTRY(name) __declspec(code_seg(name))
#else
#if defined(__APPLE__)
// Mach-O wants "segment,section[,type,attributes]"; a bare name is an error there.
#define LEAKY_RELU_SECTION_NAME(name) "__TEXT," name ",regular,pure_instructions"
#else
// ELF, and COFF through clang or GCC (MinGW): the plain name.
#define LEAKY_RELU_SECTION_NAME(name) name
#endif
#define LEAKY_RELU_KERNEL_CODE(name) __attribute__((section(LEAKY_RELU_SECTION_NAME(name))))
#define LEAKY_RELU_KERNEL_ENTRY(name) __attribute__((section(LEAKY_RELU_SECTION_NAME(name)), flatten))
#endif

#endif  // LEAKY_RELU_KERNEL_SECTION_H_
