//===- memref_alloc.c - MLIR memref allocation hooks --------------*- C -*-===//
//
// Routes the heap allocations of MLIR-generated code through
// nnrt_aligned_alloc. Using the generic hooks instead of malloc/free lets the
// runtime guarantee cache-line alignment for every temporary buffer (aligned
// vector loads from its start, no false sharing between the starts of buffers
// that different threads write), and keeps all model memory behind one
// allocator.
//
//===----------------------------------------------------------------------===//

#include "memref_alloc.h"

#include "nnrt/nnrt.h"

#include <stdint.h>

/// Smallest power of two >= `value`, or 0 if it does not fit in size_t (which
/// nnrt_aligned_alloc then rejects, making the allocation fail cleanly).
static size_t round_up_to_power_of_two(size_t value) {
  size_t result = 1;
  while (result < value) {
    if (result > SIZE_MAX / 2)
      return 0;
    result *= 2;
  }
  return result;
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  return nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, size);
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  // MLIR only emits power-of-two alignments today, but rounding up instead of
  // failing keeps a surprising value from turning into a NULL buffer.
  alignment = round_up_to_power_of_two(alignment);
  if (alignment != 0 && alignment < NNRT_DEFAULT_ALIGNMENT)
    alignment = NNRT_DEFAULT_ALIGNMENT;
  return nnrt_aligned_alloc(alignment, size);
}

void _mlir_memref_to_llvm_free(void *ptr) { nnrt_aligned_free(ptr); }
