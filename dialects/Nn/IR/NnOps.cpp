//===- NnOps.cpp - nn op verifiers and result-type inference ----*- C++ -*-===//

#include "dialects/Nn/IR/NnOps.h"
#include "dialects/Nn/IR/NnDTypes.h"
#include "dialects/Nn/IR/NnShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace nncc::nn;

namespace {

/// Checks that an i64 array attribute has `size` entries, all >= `minValue`.
LogicalResult checkArray(std::optional<Location> loc, StringRef op,
                         StringRef name, ArrayRef<int64_t> values, size_t size,
                         int64_t minValue) {
  if (values.size() != size)
    return emitOptionalError(loc, op, ": '", name, "' must have ", size,
                             " entries, got ", values.size());
  for (int64_t v : values)
    if (v < minValue)
      return emitOptionalError(loc, op, ": '", name,
                               "' entries must be >= ", minValue, ", got ", v);
  return success();
}

/// The parser infers result types before it verifies attributes, so
/// inference must not assume required attributes are present.
LogicalResult requireAttrs(std::optional<Location> loc, StringRef op,
                           ArrayRef<std::pair<StringRef, Attribute>> attrs) {
  for (auto [name, attr] : attrs)
    if (!attr)
      return emitOptionalError(loc, op, ": requires attribute '", name, "'");
  return success();
}

LogicalResult inferBroadcast(std::optional<Location> loc, StringRef op,
                             Value lhs, Value rhs,
                             SmallVectorImpl<Type> &inferred) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  auto shape = broadcastShapes(lhsType.getShape(), rhsType.getShape());
  if (!shape)
    return emitOptionalError(loc, op, ": operand shapes ", lhsType, " and ",
                             rhsType, " are not broadcast-compatible");
  inferred.push_back(RankedTensorType::get(*shape, lhsType.getElementType()));
  return success();
}

/// Shared by the pooling ops: checks the window attributes and infers
/// [N, C, OH, OW].
} // namespace

LogicalResult
nncc::nn::inferPool2DType(std::optional<Location> loc, StringRef op,
                          RankedTensorType type, ArrayRef<int64_t> kernel,
                          ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                          ArrayRef<int64_t> dilations, bool ceilMode,
                          SmallVectorImpl<Type> &inferred) {
  if (type.getRank() != 4)
    return emitOptionalError(loc, op, ": input must be 4-D (NCHW), got ", type);
  if (failed(checkArray(loc, op, "kernel_shape", kernel, 2, 1)) ||
      failed(checkArray(loc, op, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, op, "padding", padding, 4, 0)) ||
      failed(checkArray(loc, op, "dilations", dilations, 2, 1)))
    return failure();
  SmallVector<int64_t> shape(type.getShape().take_front(2));
  for (int i = 0; i < 2; ++i) {
    // Padding wider than the window would make windows of pure padding.
    if (padding[i] >= kernel[i] * dilations[i] ||
        padding[i + 2] >= kernel[i] * dilations[i])
      return emitOptionalError(loc, op,
                               ": padding must be smaller than the window");
    int64_t size =
        windowOutputSize(type.getDimSize(2 + i), kernel[i], strides[i],
                         padding[i], padding[i + 2], dilations[i], ceilMode);
    if (size < 1)
      return emitOptionalError(loc, op, ": window does not fit in input ",
                               type);
    shape.push_back(size);
  }
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Math ops (NnMathOps.td)
//===----------------------------------------------------------------------===//

#define NN_INFER_BROADCAST(OP)                                                 \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferBroadcast(loc, getOperationName(), adaptor.getLhs(),           \
                          adaptor.getRhs(), inferred);                         \
  }
NN_INFER_BROADCAST(AddOp)
NN_INFER_BROADCAST(SubOp)
NN_INFER_BROADCAST(MulOp)
NN_INFER_BROADCAST(DivOp)
NN_INFER_BROADCAST(MaximumOp)
NN_INFER_BROADCAST(MinimumOp)
NN_INFER_BROADCAST(PowOp)
#undef NN_INFER_BROADCAST

/// Comparisons broadcast like the arithmetic ops but give i1.
#define NN_INFER_COMPARE(OP)                                                   \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,          \
      SmallVectorImpl<Type> &inferred) {                                       \
    if (failed(inferBroadcast(loc, getOperationName(), adaptor.getLhs(),       \
                              adaptor.getRhs(), inferred)))                    \
      return failure();                                                        \
    inferred[0] =                                                              \
        cast<RankedTensorType>(inferred[0]).clone(IntegerType::get(ctx, 1));   \
    return success();                                                          \
  }
NN_INFER_COMPARE(EqualOp)
NN_INFER_COMPARE(LessOp)
NN_INFER_COMPARE(LessEqualOp)
NN_INFER_COMPARE(GreaterOp)
NN_INFER_COMPARE(GreaterEqualOp)
#undef NN_INFER_COMPARE

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  SmallVector<Type, 1> branches;
  if (failed(inferBroadcast(loc, getOperationName(), adaptor.getOnTrue(),
                            adaptor.getOnFalse(), branches)))
    return failure();
  auto type = cast<RankedTensorType>(branches[0]);
  auto condition = cast<RankedTensorType>(adaptor.getCondition().getType());
  auto shape = broadcastShapes(condition.getShape(), type.getShape());
  if (!shape)
    return emitOptionalError(loc, getOperationName(), ": condition ", condition,
                             " does not broadcast with ", type);
  inferred.push_back(type.clone(*shape));
  return success();
}

/// Softmax and log_softmax: the axis is a dimension of the input.
static LogicalResult verifyAxis(Operation *op, RankedTensorType type,
                                int64_t axis) {
  if (axis < 0 || axis >= type.getRank())
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << type.getRank();
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getInput().getType(), getAxis());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getInput().getType(), getAxis());
}

/// The reductions keep or drop the sorted, distinct `axes`.
template <typename Adaptor>
static LogicalResult inferReduceType(std::optional<Location> loc, StringRef op,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &inferred) {
  if (failed(requireAttrs(loc, op,
                          {{"axes", adaptor.getAxesAttr()},
                           {"keep_dims", adaptor.getKeepDimsAttr()}})))
    return failure();
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  SmallVector<int64_t> shape;
  size_t next = 0;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (next < axes.size() && axes[next] == d) {
      ++next;
      if (adaptor.getKeepDims())
        shape.push_back(1);
      continue;
    }
    shape.push_back(type.getDimSize(d));
  }
  if (next != axes.size())
    return emitOptionalError(loc, op,
                             ": axes must be sorted, distinct "
                             "dimensions of the rank-",
                             type.getRank(), " input");
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

#define NN_INFER_REDUCE(OP)                                                    \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferReduceType(loc, getOperationName(), adaptor, inferred);        \
  }
NN_INFER_REDUCE(ReduceSumOp)
NN_INFER_REDUCE(ReduceMaxOp)
NN_INFER_REDUCE(ReduceMinOp)
NN_INFER_REDUCE(ReduceProdOp)
#undef NN_INFER_REDUCE

/// arg_max and arg_min: the input's shape with `axis` kept as 1 or dropped.
template <typename Adaptor>
static LogicalResult
inferArgReduceType(MLIRContext *ctx, std::optional<Location> loc, StringRef op,
                   Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  if (failed(requireAttrs(
          loc, op,
          {{"axis", adaptor.getAxisAttr()},
           {"keep_dims", adaptor.getKeepDimsAttr()},
           {"select_last_index", adaptor.getSelectLastIndexAttr()}})))
    return failure();
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= type.getRank())
    return emitOptionalError(loc, op, ": axis ", axis,
                             " is out of range for rank ", type.getRank());
  SmallVector<int64_t> shape(type.getShape());
  if (adaptor.getKeepDims())
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  inferred.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}
LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferArgReduceType(ctx, loc, getOperationName(), adaptor, inferred);
}
LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferArgReduceType(ctx, loc, getOperationName(), adaptor, inferred);
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  StringRef op = getOperationName();
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitOptionalError(loc, op, ": operands must have rank >= 2, got ",
                             lhs, " and ", rhs);
  ArrayRef<int64_t> l = lhs.getShape(), r = rhs.getShape();
  if (l.back() != r[r.size() - 2])
    return emitOptionalError(loc, op, ": contraction sizes differ: ", lhs,
                             " and ", rhs);
  auto batch = broadcastShapes(l.drop_back(2), r.drop_back(2));
  if (!batch)
    return emitOptionalError(loc, op, ": batch dimensions of ", lhs, " and ",
                             rhs, " are not broadcast-compatible");
  batch->push_back(l[l.size() - 2]);
  batch->push_back(r.back());
  inferred.push_back(RankedTensorType::get(*batch, lhs.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// NN ops (NnNNOps.td)
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  if (failed(requireAttrs(loc, op,
                          {{"strides", adaptor.getStridesAttr()},
                           {"padding", adaptor.getPaddingAttr()},
                           {"dilations", adaptor.getDilationsAttr()},
                           {"groups", adaptor.getGroupsAttr()}})))
    return failure();
  RankedTensorType biasType;
  if (Value bias = adaptor.getBias())
    biasType = cast<RankedTensorType>(bias.getType());
  return inferConv2DType(
      loc, op, cast<RankedTensorType>(adaptor.getInput().getType()),
      cast<RankedTensorType>(adaptor.getFilter().getType()), biasType,
      adaptor.getStrides(), adaptor.getPadding(), adaptor.getDilations(),
      adaptor.getGroupsAttr().getInt(), inferred);
}

LogicalResult
nncc::nn::inferConv2DType(std::optional<Location> loc, StringRef op,
                          RankedTensorType input, RankedTensorType filter,
                          RankedTensorType biasType, ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> padding,
                          ArrayRef<int64_t> dilations, int64_t groups,
                          SmallVectorImpl<Type> &inferred) {
  if (input.getRank() != 4 || filter.getRank() != 4)
    return emitOptionalError(loc, op, ": input and filter must be 4-D, got ",
                             input, " and ", filter);
  if (input.getElementType() != filter.getElementType())
    return emitOptionalError(loc, op, ": element types differ");
  if (failed(checkArray(loc, op, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, op, "padding", padding, 4, 0)) ||
      failed(checkArray(loc, op, "dilations", dilations, 2, 1)))
    return failure();
  int64_t channels = input.getDimSize(1), filters = filter.getDimSize(0);
  if (groups < 1 || channels % groups != 0 || filters % groups != 0)
    return emitOptionalError(loc, op, ": groups (", groups,
                             ") must divide the input channels (", channels,
                             ") and the filters (", filters, ")");
  if (filter.getDimSize(1) * groups != channels)
    return emitOptionalError(loc, op, ": filter ", filter, " expects ",
                             filter.getDimSize(1) * groups,
                             " input channels, input ", input, " has ",
                             channels);
  if (biasType) {
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != filters ||
        biasType.getElementType() != input.getElementType())
      return emitOptionalError(loc, op, ": bias must be a ", filters,
                               "-element vector, got ", biasType);
  }
  SmallVector<int64_t> shape = {input.getDimSize(0), filters};
  for (int i = 0; i < 2; ++i) {
    int64_t size =
        windowOutputSize(input.getDimSize(2 + i), filter.getDimSize(2 + i),
                         strides[i], padding[i], padding[i + 2], dilations[i],
                         /*ceilMode=*/false);
    if (size < 1)
      return emitOptionalError(loc, op, ": filter ", filter,
                               " does not fit in the padded input ", input);
    shape.push_back(size);
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  if (failed(requireAttrs(loc, getOperationName(),
                          {{"kernel_shape", adaptor.getKernelShapeAttr()},
                           {"strides", adaptor.getStridesAttr()},
                           {"padding", adaptor.getPaddingAttr()},
                           {"dilations", adaptor.getDilationsAttr()},
                           {"ceil_mode", adaptor.getCeilModeAttr()}})))
    return failure();
  return inferPool2DType(loc, getOperationName(),
                         cast<RankedTensorType>(adaptor.getInput().getType()),
                         adaptor.getKernelShape(), adaptor.getStrides(),
                         adaptor.getPadding(), adaptor.getDilations(),
                         adaptor.getCeilMode(), inferred);
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  if (failed(requireAttrs(
          loc, getOperationName(),
          {{"kernel_shape", adaptor.getKernelShapeAttr()},
           {"strides", adaptor.getStridesAttr()},
           {"padding", adaptor.getPaddingAttr()},
           {"ceil_mode", adaptor.getCeilModeAttr()},
           {"count_include_pad", adaptor.getCountIncludePadAttr()}})))
    return failure();
  return inferPool2DType(loc, getOperationName(),
                         cast<RankedTensorType>(adaptor.getInput().getType()),
                         adaptor.getKernelShape(), adaptor.getStrides(),
                         adaptor.getPadding(),
                         /*dilations=*/{1, 1}, adaptor.getCeilMode(), inferred);
}

LogicalResult
GlobalAvgPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  if (type.getRank() < 3)
    return emitOptionalError(loc, getOperationName(),
                             ": input must have rank >= 3 (N, C, spatial...), "
                             "got ",
                             type);
  SmallVector<int64_t> shape(type.getShape().take_front(2));
  shape.append(type.getRank() - 2, 1);
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Tensor ops (NnTensorOps.td); their folders are in NnFolds.cpp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  if (!in.hasStaticShape() || !out.hasStaticShape()) {
    if (isBatchReshape(in.getShape(), out.getShape()))
      return success();
    return emitOpError("cannot reshape ")
           << in << " to " << out
           << ": a reshape keeps the batch (`?`) apart, with as many elements "
              "before and after it";
  }
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << in << " (" << in.getNumElements() << " elements) to " << out
           << " (" << out.getNumElements() << " elements)";
  return success();
}

LogicalResult DimSizeOp::verify() {
  int64_t rank = getInput().getType().getRank();
  auto axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  if (failed(requireAttrs(loc, getOperationName(),
                          {{"perm", adaptor.getPermAttr()}})))
    return failure();
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (static_cast<int64_t>(perm.size()) != type.getRank())
    return emitOptionalError(loc, getOperationName(), ": perm has ",
                             perm.size(), " entries for rank ", type.getRank());
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= type.getRank() || seen[p])
      return emitOptionalError(loc, getOperationName(),
                               ": perm is not a permutation of 0..",
                               type.getRank() - 1);
    seen[p] = true;
    shape.push_back(type.getDimSize(p));
  }
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

RankedTensorType nncc::nn::getGatherType(RankedTensorType input,
                                         RankedTensorType indices,
                                         int64_t axis) {
  SmallVector<int64_t> shape(input.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, input.getShape().drop_front(axis + 1));
  return RankedTensorType::get(shape, input.getElementType());
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (failed(requireAttrs(loc, getOperationName(),
                          {{"axis", adaptor.getAxisAttr()}})))
    return failure();
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= type.getRank())
    return emitOptionalError(loc, getOperationName(), ": axis ", axis,
                             " is out of range for rank ", type.getRank());
  if (type.isDynamicDim(axis))
    return emitOptionalError(loc, getOperationName(), ": cannot gather along ",
                             "axis ", axis, " of ", type, ", the batch");
  inferred.push_back(getGatherType(type, indices, axis));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  if (failed(requireAttrs(
          loc, op,
          {{"low", adaptor.getLowAttr()}, {"high", adaptor.getHighAttr()}})))
    return failure();
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  size_t rank = type.getRank();
  if (failed(checkArray(loc, op, "low", adaptor.getLow(), rank, 0)) ||
      failed(checkArray(loc, op, "high", adaptor.getHigh(), rank, 0)))
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  for (size_t d = 0; d < rank; ++d) {
    int64_t extra = adaptor.getLow()[d] + adaptor.getHigh()[d];
    if (ShapedType::isDynamic(shape[d]) && extra != 0)
      return emitOptionalError(loc, op, ": cannot pad dimension ", d, " of ",
                               type, ", the batch");
    if (!ShapedType::isDynamic(shape[d]))
      shape[d] += extra;
  }
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult PadOp::verify() {
  StringRef mode = getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitOpError("mode must be constant, reflect or edge, got '")
           << mode << "'";
  RankedTensorType type = getInput().getType();
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (mode == "reflect" && !type.isDynamicDim(d) &&
        std::max(getLow()[d], getHigh()[d]) >= type.getDimSize(d))
      return emitOpError("reflect padding of dimension ")
             << d << " must be smaller than its size " << type.getDimSize(d);
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Nn/IR/NnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Model state
//===----------------------------------------------------------------------===//

LogicalResult ParameterOp::verify() {
  auto type = dyn_cast<RankedTensorType>(getInitialValue().getType());
  if (!type || !type.hasStaticShape())
    return emitOpError("initial value must be a statically shaped tensor, got ")
           << getInitialValue().getType();
  if (!lookupDType(type.getElementType()))
    return emitOpError("element type ")
           << type.getElementType()
           << " cannot be model state: the C API does not support it";
  return success();
}
