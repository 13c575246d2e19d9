//===- Prefetch.cpp - prefetch of a register tile's epilogue operands ----===//
//
// A register tile's epilogue (a residual add after a convolution's K loop)
// reads its other operand once, when the loop is done; when that operand is
// larger than the caches it comes from memory, and the tile waits for it
// with its accumulators full (ResNet-50's 56 x 56 x 256 residual adds at
// batch 16 spent 40% of their samples on those loads). A prefetch of each
// of its cache lines before the K loop overlaps the misses with the loop.
// See docs/design-notes.md "CPU tiling".
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Prefetch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {

/// Whether `loop` is a register tile's K loop: it carries vectors and runs
/// no loop inside.
bool isKLoop(scf::ForOp loop) {
  if (loop.getNumRegionIterArgs() == 0 ||
      !llvm::all_of(loop.getResultTypes(),
                    [](Type type) { return isa<VectorType>(type); }))
    return false;
  return !loop.getBody()
              ->walk(
                  [](LoopLikeOpInterface) { return WalkResult::interrupt(); })
              .wasInterrupted();
}

/// The bytes of the memref that `value` views (through subviews).
int64_t rootBytes(Value value) {
  while (auto subview = value.getDefiningOp<memref::SubViewOp>())
    value = subview.getSource();
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return 0;
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}

/// The reads after `loop` in its block, of views of memrefs of at least
/// `minBytes`, whose indices and memref are known before the loop (a
/// subview made after the loop from values known before it moves in front
/// of the loop: the tile of the output a residual add computes into).
SmallVector<vector::TransferReadOp>
epilogueReads(scf::ForOp loop, int64_t minBytes, DominanceInfo &dominance) {
  SmallVector<vector::TransferReadOp> reads;
  auto known = [&](Value value) {
    return dominance.properlyDominates(value, loop);
  };
  for (Operation *op = loop->getNextNode(); op; op = op->getNextNode()) {
    auto read = dyn_cast<vector::TransferReadOp>(op);
    if (!read || !read.getPermutationMap().isMinorIdentity() ||
        rootBytes(read.getBase()) < minBytes ||
        !llvm::all_of(read.getIndices(), known))
      continue;
    Value base = read.getBase();
    if (auto subview = base.getDefiningOp<memref::SubViewOp>();
        subview && !known(base) && subview->getBlock() == loop->getBlock() &&
        llvm::all_of(subview->getOperands(), known))
      subview->moveBefore(loop);
    if (known(base))
      reads.push_back(read);
  }
  return reads;
}

} // namespace

void nncc::prefetchEpilogueReads(func::FuncOp func, const CpuMachine &machine) {
  SmallVector<scf::ForOp> loops;
  func.walk([&](scf::ForOp loop) {
    if (isKLoop(loop))
      loops.push_back(loop);
  });
  DominanceInfo dominance(func);
  IRRewriter rewriter(func.getContext());
  constexpr int64_t kLineBytes = 64;
  for (scf::ForOp loop : loops) {
    for (vector::TransferReadOp read :
         epilogueReads(loop, machine.cacheBytes, dominance)) {
      VectorType vector = read.getVectorType();
      auto type = cast<MemRefType>(read.getBase().getType());
      int64_t lineElements = kLineBytes * 8 / type.getElementTypeBitWidth();
      ArrayRef<int64_t> shape = vector.getShape();
      int64_t rank = type.getRank(), vectorRank = shape.size();
      if (vectorRank == 0)
        continue;
      // One prefetch per line of each innermost row of the vector.
      int64_t rows = vector.getNumElements() / shape.back();
      int64_t lines = llvm::divideCeil(shape.back(), lineElements);
      if (rows * lines > machine.prefetchMaxLines)
        continue;
      rewriter.setInsertionPoint(loop);
      Location loc = read.getLoc();
      for (int64_t row = 0; row < rows; ++row)
        for (int64_t line = 0; line < lines; ++line) {
          SmallVector<Value> indices = llvm::to_vector(read.getIndices());
          // The row's position in the leading vector dimensions.
          int64_t rest = row;
          SmallVector<int64_t> offsets(vectorRank, 0);
          for (int64_t d = vectorRank - 2; d >= 0; --d) {
            offsets[d] = rest % shape[d];
            rest /= shape[d];
          }
          offsets.back() = line * lineElements;
          for (int64_t d = 0; d < vectorRank; ++d) {
            if (offsets[d] == 0)
              continue;
            Value &index = indices[rank - vectorRank + d];
            index = arith::AddIOp::create(
                rewriter, loc, index,
                arith::ConstantIndexOp::create(rewriter, loc, offsets[d]));
          }
          memref::PrefetchOp::create(rewriter, loc, read.getBase(), indices,
                                     /*isWrite=*/false, /*localityHint=*/3,
                                     /*isDataCache=*/true);
        }
    }
  }
}
