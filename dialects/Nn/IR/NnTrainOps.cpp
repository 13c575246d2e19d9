//===- NnTrainOps.cpp - verifiers of the training ops -----------*- C++ -*-===//
//
// The ops of NnTrainOps.td, and nn.broadcast and nn.one_hot, which the
// training pass uses most: the backward helpers must agree with the forward
// op they belong to, so they check their types with the forward op's own
// shape rules (inferConv2DType, inferPool2DType).
//
//===----------------------------------------------------------------------===//

#include "dialects/Nn/IR/NnOps.h"
#include "dialects/Nn/IR/NnShapes.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace nncc::nn;

/// Fails with a message when the type a forward op would give differs from
/// the one a backward op carries.
static LogicalResult expectType(Operation *op, StringRef what, Type expected,
                                Type actual) {
  if (expected == actual)
    return success();
  return op->emitOpError() << what << " must be " << expected << ", got "
                           << actual;
}

//===----------------------------------------------------------------------===//
// Tensor ops
//===----------------------------------------------------------------------===//

LogicalResult BroadcastOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  auto shape = broadcastShapes(in.getShape(), out.getShape());
  if (in.getRank() > out.getRank() || !shape ||
      ArrayRef<int64_t>(*shape) != out.getShape())
    return emitOpError("cannot broadcast ") << in << " to " << out;
  return success();
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (dense.isSplat())
      return dense.resizeSplat(getType());
  return {};
}

LogicalResult OneHotOp::verify() {
  ArrayRef<int64_t> in = getIndices().getType().getShape();
  ArrayRef<int64_t> out = getType().getShape();
  if (out.size() != in.size() + 1 || out.drop_back() != in || out.back() < 1)
    return emitOpError("result must have the indices' shape plus one "
                       "non-empty class dimension, got ")
           << getType() << " for " << getIndices().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Backward helpers
//===----------------------------------------------------------------------===//

LogicalResult Conv2DBackwardInputOp::verify() {
  SmallVector<Type> forward;
  if (failed(inferConv2DType(
          getLoc(), getOperationName(), getType(), getFilter().getType(), {},
          getStrides(), getPadding(), getDilations(), getGroups(), forward)))
    return failure();
  return expectType(*this, "grad", forward[0], getGrad().getType());
}

LogicalResult Conv2DBackwardFilterOp::verify() {
  SmallVector<Type> forward;
  if (failed(inferConv2DType(getLoc(), getOperationName(), getInput().getType(),
                             getType(), {}, getStrides(), getPadding(),
                             getDilations(), getGroups(), forward)))
    return failure();
  return expectType(*this, "grad", forward[0], getGrad().getType());
}

LogicalResult MaxPool2DIndicesOp::verify() {
  SmallVector<Type> forward;
  if (failed(inferPool2DType(getLoc(), getOperationName(), getInput().getType(),
                             getKernelShape(), getStrides(), getPadding(),
                             getDilations(), getCeilMode(), forward)))
    return failure();
  auto pooled = cast<RankedTensorType>(forward[0]);
  return expectType(*this, "result", pooled.clone(getType().getElementType()),
                    getType());
}

/// The pooled input's shape must give `grad`'s shape under the window.
static LogicalResult
verifyPoolBackward(Operation *op, RankedTensorType grad, RankedTensorType input,
                   ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                   ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations) {
  SmallVector<Type> forward;
  // Ceil mode only adds a last window; either mode may have produced grad.
  for (bool ceilMode : {false, true}) {
    forward.clear();
    if (failed(inferPool2DType(op->getLoc(), op->getName().getStringRef(),
                               input, kernel, strides, padding, dilations,
                               ceilMode, forward)))
      return failure();
    if (forward[0] == grad)
      return success();
  }
  return expectType(op, "grad", forward[0], grad);
}

LogicalResult MaxPool2DBackwardOp::verify() {
  if (getIndices().getType().getShape() != getGrad().getType().getShape())
    return emitOpError("indices and grad shapes differ");
  return verifyPoolBackward(*this, getGrad().getType(), getType(),
                            getKernelShape(), getStrides(), getPadding(),
                            getDilations());
}

LogicalResult AvgPool2DBackwardOp::verify() {
  SmallVector<Type> forward;
  if (failed(inferPool2DType(getLoc(), getOperationName(), getType(),
                             getKernelShape(), getStrides(), getPadding(),
                             /*dilations=*/{1, 1}, getCeilMode(), forward)))
    return failure();
  return expectType(*this, "grad", forward[0], getGrad().getType());
}

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

/// Gradient, state operands and every tensor result have the parameter's
/// type.
static LogicalResult verifyUpdate(Operation *op) {
  Type param = op->getOperand(0).getType();
  for (Value operand : op->getOperands().drop_back())
    if (cast<RankedTensorType>(operand.getType()).getRank() != 0 &&
        operand.getType() != param)
      return op->emitOpError("operands must have the parameter's type ")
             << param << ", got " << operand.getType();
  for (Type result : op->getResultTypes())
    if (result != param)
      return op->emitOpError("results must have the parameter's type ")
             << param << ", got " << result;
  return success();
}

LogicalResult SgdUpdateOp::verify() { return verifyUpdate(*this); }
LogicalResult MomentumUpdateOp::verify() { return verifyUpdate(*this); }
LogicalResult AdamUpdateOp::verify() { return verifyUpdate(*this); }
LogicalResult RmspropUpdateOp::verify() { return verifyUpdate(*this); }
LogicalResult AdagradUpdateOp::verify() { return verifyUpdate(*this); }
