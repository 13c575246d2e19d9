//===- StridedReads.h - strided reads as contiguous loads ---*- C++ -*-===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_STRIDEDREADS_H
#define NNCC_COMPILER_CODEGEN_CPU_STRIDEDREADS_H

#include "mlir/IR/PatternMatch.h"

namespace nncc {

/// A 1-D vector.transfer_read along a memref dimension of a small static
/// stride s whose inner dimensions are one contiguous block of s elements,
/// read at constant inner indices (a 2x2 max pool's view [.., OW, KW] read
/// along OW at kw = 0 or 1), as a contiguous read of the n blocks and a
/// shuffle of every s-th lane. Reads of the same blocks at other inner
/// indices read the same vector, which CSE then shares. Without it the
/// vector lowering reads the n elements one by one (LeNet-5's first max
/// pool: 56 scalar loads and inserts for 14 outputs).
void populateStridedReadPatterns(mlir::RewritePatternSet &patterns);

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_CPU_STRIDEDREADS_H
