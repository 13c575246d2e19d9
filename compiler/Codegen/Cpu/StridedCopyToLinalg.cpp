//===- StridedCopyToLinalg.cpp - the nncc-strided-copy-to-linalg pass -----===//

#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Codegen/Cpu/Tiling.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace nncc {
#define GEN_PASS_DEF_STRIDEDCOPYTOLINALG
#include "compiler/Codegen/Cpu/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

/// How many trailing dimensions of `type` are contiguous (each stride the
/// next one's times its size, the last 1); 0 for a dynamic layout.
int64_t contiguousTrailingDims(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      !type.hasStaticShape() || strides.empty() || strides.back() != 1)
    return 0;
  int64_t count = 1;
  for (int64_t d = type.getRank() - 2; d >= 0; --d) {
    if (ShapedType::isDynamic(strides[d]) ||
        strides[d] != strides[d + 1] * type.getDimSize(d + 1))
      break;
    ++count;
  }
  return count;
}

/// `value` with its last `count` dimensions (contiguous) collapsed into one.
Value collapseTrailing(OpBuilder &builder, Location loc, Value value,
                       int64_t count) {
  int64_t rank = cast<MemRefType>(value.getType()).getRank();
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < rank - count; ++d)
    groups.push_back({d});
  ReassociationIndices last;
  for (int64_t d = rank - count; d < rank; ++d)
    last.push_back(d);
  groups.push_back(last);
  return memref::CollapseShapeOp::create(builder, loc, value, groups);
}

struct StridedCopyToLinalgPass
    : nncc::impl::StridedCopyToLinalgBase<StridedCopyToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      auto source = cast<MemRefType>(copy.getSource().getType());
      auto target = cast<MemRefType>(copy.getTarget().getType());
      if (!source.getLayout().isIdentity() || !target.getLayout().isIdentity())
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder builder(copy);
      Value source = copy.getSource(), target = copy.getTarget();
      // The dimensions contiguous on both sides as one: a padded blocked
      // tensor's interior, [N, C / b, H, W, b] in [N, C / b, H + 2, W + 2,
      // b], is rows of W * b floats, which the loops then copy as vectors;
      // left as W rows of b, they ran as scalar moves.
      int64_t contiguous =
          std::min(contiguousTrailingDims(cast<MemRefType>(source.getType())),
                   contiguousTrailingDims(cast<MemRefType>(target.getType())));
      if (contiguous > 1) {
        source = collapseTrailing(builder, copy.getLoc(), source, contiguous);
        target = collapseTrailing(builder, copy.getLoc(), target, contiguous);
      }
      linalg::CopyOp::create(builder, copy.getLoc(), source, target);
      copy.erase();
    }
    // The copies and fills that bufferization made (a pad's fill and the
    // copy of its interior) came after the tiling pass and ran on the
    // calling thread alone: the large ones are split over the threads.
    SmallVector<linalg::LinalgOp> made;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() &&
          isa<linalg::CopyOp, linalg::MapOp, linalg::FillOp>(
              op.getOperation()) &&
          !op->getParentOfType<scf::ForallOp>())
        made.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    nncc::CpuMachine machine;
    for (linalg::LinalgOp op : made)
      (void)nncc::cpu::splitOuterLoop(rewriter, op, machine);
  }
};

} // namespace
