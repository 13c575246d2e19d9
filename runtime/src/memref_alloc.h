//===- memref_alloc.h - MLIR memref allocation hooks --------------*- C -*-===//
//
// Functions that MLIR-generated code calls for memref.alloc/memref.dealloc
// when lowered with finalize-memref-to-llvm{use-generic-functions=1}. The
// names and signatures are fixed by MLIR (LLVM::lookupOrCreateGeneric*Fn in
// mlir/Dialect/LLVMIR/FunctionCallUtils.h): index arguments are i64 and
// pointers are opaque, which is size_t and void * on the 64-bit targets nncc
// supports. They are private to nncc: applications never call them, so they
// are not in nnrt.h.
//
// The leading underscore makes these names reserved in C; MLIR chose them and
// the generated objects reference them, so there is no way around it.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_MEMREF_ALLOC_H
#define NNRT_SRC_MEMREF_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// memref.alloc without use-aligned-alloc: returns `size` bytes, aligned to at
/// least NNRT_DEFAULT_ALIGNMENT, or NULL on failure. MLIR over-allocates and
/// aligns the pointer itself, then passes this same pointer to free.
void *_mlir_memref_to_llvm_alloc(size_t size);

/// memref.alloc with use-aligned-alloc: returns `size` bytes aligned to the
/// larger of `alignment` and NNRT_DEFAULT_ALIGNMENT, or NULL on failure.
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);

/// memref.dealloc: releases memory from either function above. NULL is a
/// no-op.
void _mlir_memref_to_llvm_free(void *ptr);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // NNRT_SRC_MEMREF_ALLOC_H
