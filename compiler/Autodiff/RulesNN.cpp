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

/// ONNX ConvTranspose: the transposed convolution is the adjoint of conv2d,
/// so its input's gradient is a convolution and its filter's the filter
/// gradient of that convolution, with the roles of input and output
/// swapped.
static LogicalResult vjp(Conv2DBackwardInputOp op, VJPContext &c) {
  c.set(0, [&] {
    return Conv2DOp::create(c.b, c.loc, c.grad(), c.primal(op.getFilter()),
                            Value(), op.getStrides(), op.getPadding(),
                            op.getDilations(), op.getGroups());
  });
  c.set(1, [&] {
    return Conv2DBackwardFilterOp::create(
        c.b, c.loc, op.getFilter().getType(), c.primal(op.getGrad()), c.grad(),
        op.getStrides(), op.getPadding(), op.getDilations(), op.getGroups());
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
    int64_t count = 1;
    for (int64_t size : inType.getShape().drop_front(2))
      count *= size;
    Value spread = BroadcastOp::create(c.b, c.loc, inType, c.grad());
    return MulOp::create(
        c.b, c.loc, spread,
        c.scalar(inType.getElementType(), 1.0 / double(count)));
  });
  return success();
}

/// A per-channel [C] value reshaped to [1, C, 1, ...] to broadcast over
/// `like`.
static Value perChannel(VJPContext &c, Value value, Value like) {
  auto type = cast<RankedTensorType>(like.getType());
  SmallVector<int64_t> shape(type.getRank(), 1);
  shape[1] = type.getDimSize(1);
  return ReshapeOp::create(
      c.b, c.loc, RankedTensorType::get(shape, type.getElementType()), value);
}

/// Every dimension but the channel's.
static SmallVector<int64_t> nonChannelAxes(Value like) {
  SmallVector<int64_t> axes = {0};
  for (int64_t d = 2; d < cast<RankedTensorType>(like.getType()).getRank(); ++d)
    axes.push_back(d);
  return axes;
}

/// 1 / sqrt(var + epsilon), per channel.
static Value inverseStd(VJPContext &c, Value var, APFloat epsilon) {
  Type elementType = getElementTypeOrSelf(var);
  Value shifted = AddOp::create(
      c.b, c.loc, var, c.scalar(elementType, epsilon.convertToDouble()));
  return DivOp::create(c.b, c.loc, c.scalar(elementType, 1.0),
                       SqrtOp::create(c.b, c.loc, shifted));
}

/// Inference mode: the statistics are constants, so the op is affine in
/// each of x, scale and bias. The statistics (running state) get no
/// gradient.
static LogicalResult vjp(BatchNormOp op, VJPContext &c) {
  Value x = op.getInput(), g = c.grad();
  Value invStd = inverseStd(c, c.primal(op.getVar()), op.getEpsilon());
  c.set(0, [&] {
    Value factor = MulOp::create(c.b, c.loc, invStd, c.primal(op.getScale()));
    return MulOp::create(c.b, c.loc, g, perChannel(c, factor, x));
  });
  c.set(1, [&] {
    Value centered = SubOp::create(c.b, c.loc, c.primal(x),
                                   perChannel(c, c.primal(op.getMean()), x));
    Value xhat = MulOp::create(c.b, c.loc, centered, perChannel(c, invStd, x));
    return ReduceSumOp::create(c.b, c.loc, MulOp::create(c.b, c.loc, g, xhat),
                               nonChannelAxes(x), /*keep_dims=*/false);
  });
  c.set(2, [&] {
    return ReduceSumOp::create(c.b, c.loc, g, nonChannelAxes(x),
                               /*keep_dims=*/false);
  });
  return success();
}

/// Training mode (AUTODIFF.md): with xhat the normalized input,
/// dx = (g - mean(g) - xhat * mean(g * xhat)) * invstd * scale,
/// dscale = sum(g * xhat), dbias = sum(g), sums and means per channel.
static LogicalResult vjp(BatchNormTrainOp op, VJPContext &c) {
  Value x = op.getInput(), g = c.grad();
  if (!g)
    return success(); // only the statistics are used: nothing to propagate
  auto type = cast<RankedTensorType>(x.getType());
  Type elementType = type.getElementType();
  SmallVector<int64_t> axes = nonChannelAxes(x);
  Value invStd = inverseStd(c, c.primal(op.getBatchVar()), op.getEpsilon());
  Value centered = SubOp::create(c.b, c.loc, c.primal(x),
                                 perChannel(c, c.primal(op.getBatchMean()), x));
  Value xhat = MulOp::create(c.b, c.loc, centered, perChannel(c, invStd, x));
  Value gx = MulOp::create(c.b, c.loc, g, xhat);
  c.set(0, [&] {
    Value invCount = VJPState::inverseCount(c.b, c.loc, x, axes, 1.0);
    Value meanG = MulOp::create(
        c.b, c.loc, ReduceSumOp::create(c.b, c.loc, g, axes, true), invCount);
    Value meanGx = MulOp::create(
        c.b, c.loc, ReduceSumOp::create(c.b, c.loc, gx, axes, true), invCount);
    Value centeredG =
        SubOp::create(c.b, c.loc, SubOp::create(c.b, c.loc, g, meanG),
                      MulOp::create(c.b, c.loc, xhat, meanGx));
    Value factor = MulOp::create(c.b, c.loc, invStd, c.primal(op.getScale()));
    return MulOp::create(c.b, c.loc, centeredG, perChannel(c, factor, x));
  });
  c.set(1, [&] { return ReduceSumOp::create(c.b, c.loc, gx, axes, false); });
  c.set(2, [&] { return ReduceSumOp::create(c.b, c.loc, g, axes, false); });
  return success();
}

/// With xhat the normalized input and d = g * scale, over the normalized
/// dimensions: dx = invstd * (d - mean(d) - xhat * mean(d * xhat));
/// dscale = sum(g * xhat) and dbias = sum(g) over the leading dimensions.
/// The statistics are recomputed from the input.
static LogicalResult vjp(LayerNormOp op, VJPContext &c) {
  Value x = c.primal(op.getInput()), g = c.grad();
  auto type = cast<RankedTensorType>(x.getType());
  Type elementType = type.getElementType();
  int64_t axis = op.getAxis();
  SmallVector<int64_t> leading, trailing;
  for (int64_t d = 0; d < type.getRank(); ++d)
    (d < axis ? leading : trailing).push_back(d);
  double count =
      double(cast<RankedTensorType>(op.getScale().getType()).getNumElements());
  Value invCount = c.scalar(elementType, 1.0 / count);
  auto meanOver = [&](Value v) -> Value {
    return MulOp::create(c.b, c.loc,
                         ReduceSumOp::create(c.b, c.loc, v, trailing, true),
                         invCount);
  };
  Value centered = SubOp::create(c.b, c.loc, x, meanOver(x));
  Value var = meanOver(MulOp::create(c.b, c.loc, centered, centered));
  Value invStd = inverseStd(c, var, op.getEpsilon());
  Value xhat = MulOp::create(c.b, c.loc, centered, invStd);
  c.set(0, [&] {
    Value d = MulOp::create(c.b, c.loc, g, c.primal(op.getScale()));
    Value dx = SubOp::create(
        c.b, c.loc, SubOp::create(c.b, c.loc, d, meanOver(d)),
        MulOp::create(c.b, c.loc, xhat,
                      meanOver(MulOp::create(c.b, c.loc, d, xhat))));
    return MulOp::create(c.b, c.loc, dx, invStd);
  });
  auto sumLeading = [&](Value v) -> Value {
    return leading.empty()
               ? v
               : ReduceSumOp::create(c.b, c.loc, v, leading, false).getResult();
  };
  c.set(1, [&] { return sumLeading(MulOp::create(c.b, c.loc, g, xhat)); });
  c.set(2, [&] { return sumLeading(g); });
  return success();
}

/// Inference dropout is the identity.
static LogicalResult vjp(DropoutOp, VJPContext &c) {
  c.set(0, [&] { return c.grad(); });
  return success();
}

/// The forward pass's mask, kept: never redrawn.
static LogicalResult vjp(DropoutTrainOp op, VJPContext &c) {
  if (!c.grad())
    return success();
  c.set(0, [&] {
    return MulOp::create(c.b, c.loc, c.grad(), c.primal(op.getMask()));
  });
  return success();
}

void attachNNRules(MLIRContext *ctx) {
  attachRules<Conv2DOp, MaxPool2DOp, AvgPool2DOp, GlobalAvgPoolOp, BatchNormOp,
              BatchNormTrainOp, LayerNormOp, DropoutOp, DropoutTrainOp,
              Conv2DBackwardInputOp>(ctx);
}

} // namespace nncc::autodiff
