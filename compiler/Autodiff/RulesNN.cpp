//===- RulesNN.cpp - gradients of convolution and pooling -------*- C++ -*-===//
//
// Rules of NnNNOps.td. The convolution and pooling gradients are the
// backward helpers of NnTrainOps.td; max pooling routes its gradient through
// the argmax of each window (nn.max_pool2d_indices), never through an
// equality mask, which would give a tie's gradient twice.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Rules.h"

using namespace mlir;

namespace nncc::autodiff {

using namespace nn;

static LogicalResult vjp(Conv2DOp op, VJPContext &c) {
  c.set(0, [&] {
    return Conv2DBackwardInputOp::create(
        c.b, c.loc, op.getInput().getType(), c.grad(), c.primal(op.getFilter()),
        op.getStrides(), op.getPadding(), op.getDilations(), op.getGroups());
  });
  c.set(1, [&] {
    return Conv2DBackwardFilterOp::create(
        c.b, c.loc, op.getFilter().getType(), c.grad(), c.primal(op.getInput()),
        op.getStrides(), op.getPadding(), op.getDilations(), op.getGroups());
  });
  if (op.getBias())
    c.set(2, [&] {
      return ReduceSumOp::create(c.b, c.loc, c.grad(),
                                 ArrayRef<int64_t>{0, 2, 3},
                                 /*keep_dims=*/false);
    });
  return success();
}

static LogicalResult vjp(MaxPool2DOp op, VJPContext &c) {
  c.set(0, [&] {
    RankedTensorType type = op.getType();
    Value indices = MaxPool2DIndicesOp::create(
        c.b, c.loc, type.clone(c.b.getI64Type()), c.primal(op.getInput()),
        op.getKernelShape(), op.getStrides(), op.getPadding(),
        op.getDilations(), op.getCeilMode());
    return MaxPool2DBackwardOp::create(c.b, c.loc, op.getInput().getType(),
                                       c.grad(), indices, op.getKernelShape(),
                                       op.getStrides(), op.getPadding(),
                                       op.getDilations());
  });
  return success();
}

static LogicalResult vjp(AvgPool2DOp op, VJPContext &c) {
  c.set(0, [&] {
    return AvgPool2DBackwardOp::create(
        c.b, c.loc, op.getInput().getType(), c.grad(), op.getKernelShape(),
        op.getStrides(), op.getPadding(), op.getCeilMode(),
        op.getCountIncludePad());
  });
  return success();
}

/// Every element of a plane gets the plane's gradient / its element count.
static LogicalResult vjp(GlobalAvgPoolOp op, VJPContext &c) {
  c.set(0, [&] {
    RankedTensorType inType = op.getInput().getType();
    int64_t count =
        inType.getNumElements() / (inType.getDimSize(0) * inType.getDimSize(1));
    Value spread = BroadcastOp::create(c.b, c.loc, inType, c.grad());
    return MulOp::create(
        c.b, c.loc, spread,
        c.scalar(inType.getElementType(), 1.0 / double(count)));
  });
  return success();
}

void attachNNRules(MLIRContext *ctx) {
  attachRules<Conv2DOp, MaxPool2DOp, AvgPool2DOp, GlobalAvgPoolOp>(ctx);
}

} // namespace nncc::autodiff
