//===- VJPOpInterface.cpp - the interface and its shared helpers -*- C++
//-*-===//

#include "compiler/Autodiff/Rules.h"
#include "dialects/Nn/IR/NnOps.h"

#include "compiler/Autodiff/VJPOpInterface.cpp.inc"

using namespace mlir;

namespace nncc::autodiff {

Value VJPState::reduceToShape(OpBuilder &b, Location loc, Value grad,
                              RankedTensorType type) {
  auto gradType = cast<RankedTensorType>(grad.getType());
  if (gradType == type)
    return grad;
  ArrayRef<int64_t> from = gradType.getShape(), to = type.getShape();
  int64_t lead = from.size() - to.size();
  SmallVector<int64_t> axes;
  for (int64_t d = 0, e = from.size(); d < e; ++d)
    if (d < lead || (to[d - lead] == 1 && from[d] != 1))
      axes.push_back(d);
  Value sum = grad;
  if (!axes.empty())
    sum = nn::ReduceSumOp::create(b, loc, grad, axes, /*keep_dims=*/true);
  if (sum.getType() == type)
    return sum;
  return nn::ReshapeOp::create(b, loc, type, sum);
}

Value VJPState::scalar(OpBuilder &b, Location loc, Type elementType,
                       double value) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute element = isa<FloatType>(elementType)
                          ? Attribute(b.getFloatAttr(elementType, value))
                          : Attribute(b.getIntegerAttr(
                                elementType, static_cast<int64_t>(value)));
  return nn::ConstantOp::create(b, loc, DenseElementsAttr::get(type, element));
}

Value VJPState::inverseCount(OpBuilder &b, Location loc, Value like,
                             ArrayRef<int64_t> axes, double numerator) {
  auto type = cast<RankedTensorType>(like.getType());
  Type elementType = type.getElementType();
  double count = 1;
  std::optional<int64_t> batchAxis;
  for (int64_t axis : axes) {
    if (type.isDynamicDim(axis))
      batchAxis = axis;
    else
      count *= double(type.getDimSize(axis));
  }
  Value scaled = scalar(b, loc, elementType, numerator / count);
  if (!batchAxis)
    return scaled;
  Value batch = nn::DimSizeOp::create(
      b, loc, RankedTensorType::get({}, elementType), like, *batchAxis);
  return nn::DivOp::create(b, loc, scaled, batch);
}

void registerGradientRules(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, nn::NnDialect *) {
    attachMathRules(ctx);
    attachNNRules(ctx);
    attachTensorRules(ctx);
  });
}

} // namespace nncc::autodiff
