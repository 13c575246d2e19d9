//===- RulesTensor.cpp - gradients of the data-movement ops -----*- C++ -*-===//
//
// Rules of NnTensorOps.td: moving data moves its gradient back.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Rules.h"

using namespace mlir;

namespace nncc::autodiff {

using namespace nn;

static LogicalResult vjp(ReshapeOp op, VJPContext &c) {
  c.set(0, [&] {
    return ReshapeOp::create(c.b, c.loc, op.getInput().getType(), c.grad());
  });
  return success();
}

static LogicalResult vjp(TransposeOp op, VJPContext &c) {
  c.set(0, [&] {
    ArrayRef<int64_t> perm = op.getPerm();
    SmallVector<int64_t> inverse(perm.size());
    for (size_t i = 0; i < perm.size(); ++i)
      inverse[perm[i]] = i;
    return TransposeOp::create(c.b, c.loc, c.grad(), inverse);
  });
  return success();
}

static LogicalResult vjp(BroadcastOp op, VJPContext &c) {
  c.set(0, [&] { return c.reduceTo(c.grad(), op.getInput()); });
  return success();
}

void attachTensorRules(MLIRContext *ctx) {
  attachRules<ReshapeOp, TransposeOp, BroadcastOp>(ctx);
}

} // namespace nncc::autodiff
