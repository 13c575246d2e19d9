//===- alloc.c - Aligned heap allocation --------------------------*- C -*-===//
//
// The one place where libnnrt gets aligned heap memory. Everything else
// (contexts, buffers MLIR-generated code allocates) goes through here, so a
// different allocator, or a port to a platform without posix_memalign, only
// touches this file.
//
//===----------------------------------------------------------------------===//

// posix_memalign is POSIX, not C11; request it explicitly because the runtime
// is compiled with -std=c11, which hides POSIX declarations.
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "nnrt/nnrt.h"

#include <stdint.h>
#include <stdlib.h>

void *nnrt_aligned_alloc(size_t alignment, size_t size) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    return NULL;
  // posix_memalign rejects alignments below sizeof(void *); any smaller power
  // of two divides sizeof(void *), so raising it still honours the request.
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  // Objects larger than PTRDIFF_MAX break pointer subtraction, and the C
  // library would refuse them anyway; failing here keeps such sizes (usually
  // an overflowed size computation) away from the allocator and from memory
  // checkers, which report them as errors.
  if (alignment > PTRDIFF_MAX || size > (size_t)PTRDIFF_MAX - alignment)
    return NULL;
  // posix_memalign(size 0) may return NULL or a pointer, depending on the C
  // library; one byte guarantees a unique pointer, and NULL then always
  // means failure.
  if (size == 0)
    size = 1;
  void *ptr = NULL;
  if (posix_memalign(&ptr, alignment, size) != 0)
    return NULL;
  return ptr;
}

void nnrt_aligned_free(void *ptr) { free(ptr); }
