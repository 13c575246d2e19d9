//===- TransposeTiling.cpp - 2-D transposes in vector blocks --------------===//
//
// Left to the loop lowering, a transpose moves one element at a time, and
// either its reads or its writes touch a new cache line with every element.
// In blocks, each block is a few vector reads, shuffles in registers and
// vector writes (chooseTransposeBlock gives the block's sides).
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Tiling.h"

using namespace mlir;

namespace nncc::cpu {

LogicalResult tileTranspose(RewriterBase &rewriter,
                            linalg::TransposeOp transpose,
                            const CpuMachine &machine) {
  auto type = dyn_cast<RankedTensorType>(transpose.getInit().getType());
  if (!transpose.hasPureTensorSemantics() || !type || !type.hasStaticShape() ||
      type.getRank() != 2 || !type.getElementType().isF32())
    return failure();
  int64_t rows = chooseTransposeBlock(type.getDimSize(0), machine);
  int64_t columns = chooseTransposeBlock(type.getDimSize(1), machine);
  if (rows == 0 || columns == 0)
    return failure();
  // Rows of blocks are the threads' loop when the transpose is large and
  // not already in one (a column's panel, transposed in its task).
  scf::SCFTilingOptions::LoopType rowLoop =
      staticIterations(transpose) >= machine.parallelMinIterations &&
              !transpose->getParentOfType<scf::ForallOp>()
          ? scf::SCFTilingOptions::LoopType::ForallOp
          : scf::SCFTilingOptions::LoopType::ForOp;
  Operation *row = tileOp(rewriter, transpose, {rows, 0}, rowLoop);
  if (!row)
    return failure();
  Operation *block = tileOp(rewriter, row, {0, columns});
  if (!block)
    return failure();
  return vectorizeOp(rewriter, block);
}

} // namespace nncc::cpu
