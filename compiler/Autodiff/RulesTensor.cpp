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

/// Each operand's gradient is its part of the result's.
static LogicalResult vjp(ConcatOp op, VJPContext &c) {
  int64_t axis = op.getAxis(), offset = 0;
  for (auto [index, input] : llvm::enumerate(op.getInputs())) {
    auto type = cast<RankedTensorType>(input.getType());
    c.set(index, [&] {
      SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1);
      starts[axis] = offset;
      return SliceOp::create(c.b, c.loc, type, c.grad(), starts, steps);
    });
    offset += type.getDimSize(axis);
  }
  return success();
}

static LogicalResult vjp(SliceOp op, VJPContext &c) {
  c.set(0, [&] {
    return SliceBackwardOp::create(c.b, c.loc, op.getInput().getType(),
                                   c.grad(), op.getStarts(), op.getSteps());
  });
  return success();
}

static LogicalResult vjp(GatherOp op, VJPContext &c) {
  c.set(0, [&] {
    return GatherBackwardOp::create(c.b, c.loc, op.getInput().getType(),
                                    c.grad(), c.primal(op.getIndices()),
                                    op.getAxis());
  });
  return success();
}

/// Between float types the gradient converts back; to or from integers
/// there is none (integer values carry no gradient).
static LogicalResult vjp(CastOp op, VJPContext &c) {
  RankedTensorType inType = op.getInput().getType();
  if (!isa<FloatType>(inType.getElementType()))
    return success();
  c.set(0, [&] { return CastOp::create(c.b, c.loc, inType, c.grad()); });
  return success();
}

/// Constant padding: the gradient of the kept window. The edge and reflect
/// modes send several outputs' gradients to one input, which no rule sums
/// yet.
static LogicalResult vjp(PadOp op, VJPContext &c) {
  if (op.getMode() != "constant")
    return op.emitOpError("cannot differentiate '")
           << op.getMode() << "' padding yet (only constant padding)";
  c.set(0, [&] {
    RankedTensorType inType = op.getInput().getType();
    SmallVector<int64_t> steps(inType.getRank(), 1);
    return SliceOp::create(c.b, c.loc, inType, c.grad(), op.getLow(), steps);
  });
  return success();
}

/// The window nn.slice_backward wrote into zeros: a slice of the result's
/// gradient (3-D ConvTranspose places its depth taps with it).
static LogicalResult vjp(SliceBackwardOp op, VJPContext &c) {
  c.set(0, [&] {
    return SliceOp::create(c.b, c.loc, op.getGrad().getType(), c.grad(),
                           op.getStarts(), op.getSteps());
  });
  return success();
}

/// A size does not change with the values: no gradient.
static LogicalResult vjp(DimSizeOp, VJPContext &) { return success(); }

void attachTensorRules(MLIRContext *ctx) {
  attachRules<ReshapeOp, TransposeOp, BroadcastOp, ConcatOp, SliceOp, GatherOp,
              CastOp, PadOp, DimSizeOp, SliceBackwardOp>(ctx);
}

} // namespace nncc::autodiff
