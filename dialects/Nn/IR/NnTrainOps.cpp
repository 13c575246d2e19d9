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

/// `starts` and `steps` have one entry per dimension and the window of
/// `window` elements fits in `full`.
static LogicalResult verifySliceWindow(Operation *op, RankedTensorType full,
                                       RankedTensorType window,
                                       ArrayRef<int64_t> starts,
                                       ArrayRef<int64_t> steps) {
  int64_t rank = full.getRank();
  if (window.getRank() != rank || (int64_t)starts.size() != rank ||
      (int64_t)steps.size() != rank)
    return op->emitOpError("needs one start and one step per dimension of ")
           << full;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = window.getDimSize(d);
    // The batch can only be taken whole.
    if (full.isDynamicDim(d) || window.isDynamicDim(d)) {
      if (full.isDynamicDim(d) && window.isDynamicDim(d) && starts[d] == 0 &&
          steps[d] == 1)
        continue;
      return op->emitOpError("dimension ")
             << d << " (the batch) of " << full << " can only be taken whole";
    }
    if (starts[d] < 0 || steps[d] < 1 || size < 1 ||
        starts[d] + (size - 1) * steps[d] >= full.getDimSize(d))
      return op->emitOpError("dimension ")
             << d << ": " << size << " elements from " << starts[d] << " every "
             << steps[d] << " do not fit in " << full;
  }
  return success();
}

LogicalResult SliceOp::verify() {
  return verifySliceWindow(*this, getInput().getType(), getType(), getStarts(),
                           getSteps());
}

LogicalResult SliceBackwardOp::verify() {
  return verifySliceWindow(*this, getType(), getGrad().getType(), getStarts(),
                           getSteps());
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef name = getOperationName();
  if (!adaptor.getAxisAttr())
    return emitOptionalError(loc, name, ": requires attribute 'axis'");
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, name, ": needs at least one operand");
  auto first = cast<RankedTensorType>(inputs.front().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, name, ": axis ", axis,
                             " is out of range for rank ", first.getRank());
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    bool compatible = type.getRank() == first.getRank() &&
                      type.getElementType() == first.getElementType();
    for (int64_t d = 0; compatible && d < type.getRank(); ++d)
      compatible = d == axis || type.getDimSize(d) == first.getDimSize(d);
    if (!compatible)
      return emitOptionalError(loc, name, ": ", type, " and ", first,
                               " differ outside axis ", axis);
    if (type.isDynamicDim(axis))
      return emitOptionalError(loc, name, ": cannot concatenate along axis ",
                               axis, " of ", type, ", the batch");
    shape[axis] += type.getDimSize(axis);
  }
  inferred.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult GatherBackwardOp::verify() {
  RankedTensorType type = getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= type.getRank())
    return emitOpError("axis ") << axis << " is out of range for " << type;
  return expectType(*this, "grad",
                    getGatherType(type, getIndices().getType(), axis),
                    getGrad().getType());
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

/// input [N, C, ...] and every per-channel operand [C] of its element type.
static LogicalResult verifyChannels(Operation *op, RankedTensorType input,
                                    ValueRange perChannel) {
  if (input.getRank() < 2)
    return op->emitOpError("input must be [N, C, ...], got ") << input;
  auto expected =
      RankedTensorType::get({input.getDimSize(1)}, input.getElementType());
  for (Value value : perChannel)
    if (value.getType() != expected)
      return op->emitOpError("per-channel operands must be ")
             << expected << ", got " << value.getType();
  return success();
}

LogicalResult BatchNormOp::verify() {
  return verifyChannels(*this, getInput().getType(),
                        {getScale(), getBias(), getMean(), getVar()});
}

LogicalResult BatchNormTrainOp::verify() {
  return verifyChannels(*this, getInput().getType(),
                        {getScale(), getBias(), getBatchMean(), getBatchVar()});
}

LogicalResult LayerNormOp::verify() {
  RankedTensorType type = getInput().getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= type.getRank())
    return emitOpError("axis ") << axis << " is out of range for " << type;
  auto expected = RankedTensorType::get(type.getShape().drop_front(axis),
                                        type.getElementType());
  if (getScale().getType() != expected)
    return emitOpError("scale and bias must be ")
           << expected << ", got " << getScale().getType();
  return success();
}

/// Dropout ratios are in [0, 1): 1 would scale the kept elements by 1/0.
static LogicalResult verifyRatio(Operation *op, APFloat ratio) {
  double value = ratio.convertToDouble();
  if (!(value >= 0 && value < 1))
    return op->emitOpError("ratio must be in [0, 1), got ") << value;
  return success();
}

LogicalResult DropoutOp::verify() { return verifyRatio(*this, getRatio()); }

LogicalResult DropoutTrainOp::verify() {
  return verifyRatio(*this, getRatio());
}

LogicalResult LrScheduleOp::verify() {
  if (getPeriod() < 1)
    return emitOpError("period must be at least 1, got ") << getPeriod();
  if (getWarmup() < 0)
    return emitOpError("warmup must be non-negative, got ") << getWarmup();
  if (!(getGamma().convertToDouble() > 0) ||
      !(getMinLr().convertToDouble() >= 0))
    return emitOpError("gamma must be positive and min_lr non-negative");
  return success();
}

LogicalResult ClipCoefficientOp::verify() {
  if (!(getMaxNorm().convertToDouble() > 0))
    return emitOpError("max_norm must be positive, got ")
           << getMaxNorm().convertToDouble();
  return success();
}

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

/// Gradient, state operands and every tensor result have the parameter's
/// type; only the learning rate (last) and Adam's step (i64) are scalars.
static LogicalResult verifyUpdate(Operation *op) {
  Type param = op->getOperand(0).getType();
  for (Value operand : op->getOperands().drop_back())
    if (!getElementTypeOrSelf(operand).isInteger(64) &&
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
