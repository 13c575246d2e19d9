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
// madvise's MADV_HUGEPAGE is a Linux extension, hidden by -std=c11 too.
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include "nnrt/nnrt.h"

#include "context_impl.h"

#include <stdint.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

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

void *nnrt_alloc_block(size_t size) {
  // Blocks of megabytes (a call's workspace) start on a 2 MiB boundary and
  // ask Linux for transparent huge pages (where the system leaves that to
  // madvise, as Debian does): code that walks a buffer's rows kilobytes
  // apart (an im2col matrix, column by column) otherwise misses the TLB on
  // nearly every row.
  const size_t huge = (size_t)2 << 20;
  if (size < huge)
    return nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, size);
  size = (size + huge - 1) / huge * huge;
  void *ptr = nnrt_aligned_alloc(huge, size);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (ptr)
    (void)madvise(ptr, size, MADV_HUGEPAGE);
#endif
  return ptr;
}
