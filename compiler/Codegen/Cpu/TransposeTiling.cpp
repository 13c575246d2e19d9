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
  // 2-D, or a batch of 2-D transposes: the result's second-to-last
  // dimension is the input's last, and every dimension before it is tiled
  // by 1 (A's micro-panels, packMicroPanels, whose batch dimensions stay in
  // place; a gradient [N, F, OH, OW] as [N, OH, OW, F], ConvGrad.cpp, a
  // transpose of [F, OW] per image and row).
  if (!transpose.hasPureTensorSemantics() || !type || !type.hasStaticShape() ||
      type.getRank() < 2 || !type.getElementType().isF32())
    return failure();
  int64_t rank = type.getRank();
  ArrayRef<int64_t> permutation = transpose.getPermutation();
  if (permutation[rank - 2] != rank - 1)
    return failure();
  int64_t rows = chooseTransposeBlock(type.getDimSize(rank - 2), machine);
  int64_t columns = chooseTransposeBlock(type.getDimSize(rank - 1), machine);
  if (rows == 0 || columns == 0)
    return failure();
  // Rows of blocks are the threads' loop when the transpose is large and
  // not already in one (a column's panel, transposed in its task).
  scf::SCFTilingOptions::LoopType rowLoop =
      staticIterations(transpose) >= machine.parallelMinIterations &&
              !transpose->getParentOfType<scf::ForallOp>()
          ? scf::SCFTilingOptions::LoopType::ForallOp
          : scf::SCFTilingOptions::LoopType::ForOp;
  SmallVector<int64_t> rowTiles(rank, 1), blockTiles(rank, 0);
  rowTiles[rank - 2] = rows;
  rowTiles[rank - 1] = 0;
  blockTiles[rank - 1] = columns;
  Operation *row = tileOp(rewriter, transpose, rowTiles, rowLoop);
  if (!row)
    return failure();
  Operation *block = tileOp(rewriter, row, blockTiles);
  if (!block)
    return failure();
  return vectorizeOp(rewriter, block);
}

} // namespace nncc::cpu
