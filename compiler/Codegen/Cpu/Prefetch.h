//===- Prefetch.h - prefetch of epilogue operands ------------*- C++ -*-===//
//-*-===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_PREFETCH_H
#define NNCC_COMPILER_CODEGEN_CPU_PREFETCH_H

#include "compiler/Codegen/Cpu/TileSizes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace nncc {

/// Before each register tile's K loop in `func` (after bufferization), a
/// prefetch of every cache line that the tile's epilogue reads after the
/// loop from a memref larger than CpuMachine::cacheBytes (a residual add's
/// other operand), at most CpuMachine::prefetchMaxLines per read.
void prefetchEpilogueReads(mlir::func::FuncOp func, const CpuMachine &machine);

/// In each register tile's K loop over the last dimension of an operand
/// (a 1x1 convolution's input channels of a block), whose enclosing loop
/// steps over another dimension of it (the blocks of input channels), a
/// prefetch before the loop of the lines the loop will read in the next
/// block, at most CpuMachine::prefetchMaxLines.
void prefetchNextBlockReads(mlir::func::FuncOp func, const CpuMachine &machine);

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_CPU_PREFETCH_H
