//===- Prefetch.h - prefetch of a register tile's operands --*- C++ -*-===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_PREFETCH_H
#define NNCC_COMPILER_CODEGEN_CPU_PREFETCH_H

#include "compiler/Codegen/Cpu/TileSizes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace nncc {

/// Both take the register tiles' K loops of `func` (after bufferization;
/// LowerVectors.cpp's isAccumulationLoop finds them).
///
/// Before each of `kLoops`, a prefetch of every cache line that the tile's
/// epilogue reads after the loop from a memref larger than
/// CpuMachine::cacheBytes (a residual add's other operand), at most
/// CpuMachine::prefetchMaxLines per read.
void prefetchEpilogueReads(mlir::func::FuncOp func,
                           mlir::ArrayRef<mlir::scf::ForOp> kLoops,
                           const CpuMachine &machine);

/// In each of `kLoops` that runs over the last dimension of an operand
/// (a 1x1 convolution's input channels of a block), whose enclosing loop
/// steps over another dimension of it (the blocks of input channels), a
/// prefetch before the loop of the lines the loop will read in the next
/// block, at most CpuMachine::prefetchMaxLines.
void prefetchNextBlockReads(mlir::func::FuncOp func,
                            mlir::ArrayRef<mlir::scf::ForOp> kLoops,
                            const CpuMachine &machine);

/// In each of `kLoops` whose accumulators are read from and written back to
/// a tile of a memref larger than CpuMachine::cacheBytes (a K block of a
/// blocked product), a prefetch before the loop of the tile the enclosing
/// loop's next iteration reads back (at most CpuMachine::prefetchMaxLines
/// lines).
void prefetchNextTileAccumulators(mlir::func::FuncOp func,
                                  mlir::ArrayRef<mlir::scf::ForOp> kLoops,
                                  const CpuMachine &machine);

/// In each of `kLoops` of at least CpuMachine::prefetchMinSteps steps, a
/// prefetch beside each read that streams a large operand
/// (CpuMachine::streamedReadMinBytes and streamedReadRatio), the K index
/// that of its rows: of a whole row a step, the lines streamAheadBytes
/// further on in memory (the next rows belong to the next block of K once
/// the loop ends); of a piece of a row (columns the enclosing loop places:
/// a Winograd product's transformed filter), the same columns
/// streamAheadBytes of this stream further on, past the loop's end the
/// next columns' first rows.
void prefetchStreamedReads(mlir::func::FuncOp func,
                           mlir::ArrayRef<mlir::scf::ForOp> kLoops,
                           const CpuMachine &machine);

/// In each of `kLoops` nested in loops that read the same chunk of a
/// streamed operand again (CpuMachine::streamedReadMinBytes and
/// streamedReadRatio: the rows of a K-chunked convolution, each reading the
/// chunk's filter), inside the loop over the chunks, a prefetch beside each
/// such read of the lines it will read in the next chunk (the first of the
/// next block of chunks after the last).
void prefetchNextChunkReads(mlir::func::FuncOp func,
                            mlir::ArrayRef<mlir::scf::ForOp> kLoops,
                            const CpuMachine &machine);

} // namespace nncc

#endif // NNCC_COMPILER_CODEGEN_CPU_PREFETCH_H
