// The section attribute that keeps each AVX kernel file's code in a named section of its
// own, which survives stripping: the packaging tests disassemble the shipped binaries and
// check that no code outside these sections uses AVX. Only macros: the AVX files may
// include nothing with inline or template code (see native/kernels_avx2.cc).
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
