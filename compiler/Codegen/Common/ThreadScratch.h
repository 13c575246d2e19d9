//===- ThreadScratch.h - per-thread buffers of parallel loops ---*- C++ -*-===//
//
// A buffer that the body of a parallel loop (an scf.forall) allocates, such
// as the packed panel of a column of tiles, cannot come from the runtime
// context inside the body. nncc-cpu-parallelize gives each thread a slice of
// one scratch buffer instead, laid out here; nncc-measure-workspace counts
// the slices in the memory contract with the same layout.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_COMPILER_CODEGEN_COMMON_THREADSCRATCH_H
#define NNCC_COMPILER_CODEGEN_COMMON_THREADSCRATCH_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace nncc {

/// The alignment of the scratch buffer and of each buffer in a slice: a cache
/// line (and a zmm load's alignment).
inline constexpr int64_t kThreadScratchAlignment = 64;

/// The buffers a parallel loop's body allocates, at their byte offsets in one
/// thread's slice of `bytes` bytes (each on a cache line). No buffers and 0
/// bytes when the body allocates nothing.
struct ThreadScratch {
  llvm::SmallVector<std::pair<mlir::memref::AllocOp, int64_t>> buffers;
  int64_t bytes = 0;
};

/// Lays out the buffers `loop`'s body allocates. Fails when one cannot live
/// in a slice: a dynamic size, a non-identity layout, an alignment above
/// kThreadScratchAlignment, or a life that is not one pass of the block that
/// allocates it (no dealloc in that block, or one elsewhere); a chunk runs
/// its iterations one after another, so a buffer freed in its block is dead
/// before the next pass allocates it again.
mlir::FailureOr<ThreadScratch> planThreadScratch(mlir::scf::ForallOp loop);

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_COMMON_THREADSCRATCH_H
