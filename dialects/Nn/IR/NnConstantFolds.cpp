//===- NnConstantFolds.cpp - evaluating nn ops on constants -----*- C++ -*-===//
//
// Exporters compute shapes with small graphs of ordinary ops (PyTorch's
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape, TensorFlow's
// Cast/Mul/Range chains), and ONNX's function-expanded ops do the same.
// nncc needs static shapes, so these ops fold when their operands are
// constants: the importer folds every op it creates (NodeImporter::create)
// and then reads the shapes from the folded constants. The folds also take
// weight preprocessing (a Gemm's alpha * B) out of the generated code.
//
// Only tensors of at most kMaxFoldElements elements fold: the folds work
// element by element on attributes, which is slow for big tensors, and a
// folded big tensor would be a second copy in the object's data.
//
//===----------------------------------------------------------------------===//

#include "dialects/Nn/IR/NnOps.h"
#include "dialects/Nn/IR/NnShapes.h"

#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/APSInt.h"

#include <optional>

using namespace mlir;
using namespace nncc::nn;

namespace {

constexpr int64_t kMaxFoldElements = 1 << 16;

/// The constant an operand folded to, when it is a small dense tensor.
DenseElementsAttr smallConstant(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldElements)
    return {};
  return dense;
}

/// Row-major strides of `shape` as seen from a broadcast `resultShape`
/// (right-aligned; a size-1 or missing dimension has stride 0).
SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> shape,
                                      ArrayRef<int64_t> resultShape) {
  SmallVector<int64_t> strides(resultShape.size(), 0);
  int64_t stride = 1, offset = resultShape.size() - shape.size();
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    if (shape[d] != 1)
      strides[d + offset] = stride;
    stride *= shape[d];
  }
  return strides;
}

/// Calls `body(resultIndex, operandOffsets)` for every element of
/// `resultShape`, with each operand's linear offset under broadcasting.
void forEachBroadcast(ArrayRef<int64_t> resultShape,
                      ArrayRef<ArrayRef<int64_t>> operandShapes,
                      function_ref<void(ArrayRef<int64_t>)> body) {
  SmallVector<SmallVector<int64_t>> strides;
  for (ArrayRef<int64_t> shape : operandShapes)
    strides.push_back(broadcastStrides(shape, resultShape));
  int64_t rank = resultShape.size();
  SmallVector<int64_t> index(rank, 0), offsets(operandShapes.size(), 0);
  int64_t total = 1;
  for (int64_t size : resultShape)
    total *= size;
  for (int64_t linear = 0; linear < total; ++linear) {
    body(offsets);
    for (int64_t d = rank - 1; d >= 0; --d) {
      for (size_t o = 0; o < offsets.size(); ++o)
        offsets[o] += strides[o][d];
      if (++index[d] < resultShape[d])
        break;
      for (size_t o = 0; o < offsets.size(); ++o)
        offsets[o] -= strides[o][d] * resultShape[d];
      index[d] = 0;
    }
  }
}

using FloatFn = function_ref<std::optional<APFloat>(APFloat, APFloat)>;
/// Integers come as APSInt, signed or not as the element type says, so that
/// division, comparison and the like follow it.
using IntFn = function_ref<std::optional<APSInt>(APSInt, APSInt)>;

/// A broadcast binary op on two constants; std::nullopt from a callback
/// (e.g. integer division by zero) stops the fold.
Attribute foldBinary(Attribute lhsAttr, Attribute rhsAttr,
                     RankedTensorType type, FloatFn onFloat, IntFn onInt) {
  DenseElementsAttr lhs = smallConstant(lhsAttr), rhs = smallConstant(rhsAttr);
  if (!lhs || !rhs || type.getNumElements() > kMaxFoldElements)
    return {};
  ArrayRef<int64_t> shapes[] = {lhs.getType().getShape(),
                                rhs.getType().getShape()};
  bool failed = false;
  if (isa<FloatType>(type.getElementType())) {
    if (!onFloat)
      return {};
    auto l = llvm::to_vector(lhs.getValues<APFloat>());
    auto r = llvm::to_vector(rhs.getValues<APFloat>());
    SmallVector<APFloat> out;
    forEachBroadcast(type.getShape(), shapes, [&](ArrayRef<int64_t> at) {
      std::optional<APFloat> v = onFloat(l[at[0]], r[at[1]]);
      failed |= !v;
      out.push_back(v ? *v : l[at[0]]);
    });
    return failed ? Attribute() : DenseElementsAttr::get(type, out);
  }
  if (!onInt || type.getElementType().isInteger(1))
    return {};
  bool isUnsigned = type.getElementType().isUnsignedInteger();
  auto l = llvm::to_vector(lhs.getValues<APInt>());
  auto r = llvm::to_vector(rhs.getValues<APInt>());
  SmallVector<APInt> out;
  forEachBroadcast(type.getShape(), shapes, [&](ArrayRef<int64_t> at) {
    std::optional<APSInt> v =
        onInt(APSInt(l[at[0]], isUnsigned), APSInt(r[at[1]], isUnsigned));
    failed |= !v;
    out.push_back(v ? *v : l[at[0]]);
  });
  return failed ? Attribute() : DenseElementsAttr::get(type, out);
}

/// A comparison of two constants: `holds` gets the order of the elements
/// (-1, 0, 1), or std::nullopt for an unordered (NaN) pair.
Attribute foldCompare(Attribute lhsAttr, Attribute rhsAttr,
                      RankedTensorType type,
                      function_ref<bool(std::optional<int>)> holds) {
  DenseElementsAttr lhs = smallConstant(lhsAttr), rhs = smallConstant(rhsAttr);
  if (!lhs || !rhs || type.getNumElements() > kMaxFoldElements ||
      lhs.getElementType().isInteger(1))
    return {};
  ArrayRef<int64_t> shapes[] = {lhs.getType().getShape(),
                                rhs.getType().getShape()};
  SmallVector<bool> out;
  if (isa<FloatType>(lhs.getElementType())) {
    auto l = llvm::to_vector(lhs.getValues<APFloat>());
    auto r = llvm::to_vector(rhs.getValues<APFloat>());
    forEachBroadcast(type.getShape(), shapes, [&](ArrayRef<int64_t> at) {
      APFloat::cmpResult order = l[at[0]].compare(r[at[1]]);
      std::optional<int> cmp;
      if (order == APFloat::cmpLessThan)
        cmp = -1;
      else if (order == APFloat::cmpEqual)
        cmp = 0;
      else if (order == APFloat::cmpGreaterThan)
        cmp = 1;
      out.push_back(holds(cmp));
    });
  } else {
    bool isUnsigned = lhs.getElementType().isUnsignedInteger();
    auto l = llvm::to_vector(lhs.getValues<APInt>());
    auto r = llvm::to_vector(rhs.getValues<APInt>());
    forEachBroadcast(type.getShape(), shapes, [&](ArrayRef<int64_t> at) {
      const APInt &a = l[at[0]], &b = r[at[1]];
      bool less = isUnsigned ? a.ult(b) : a.slt(b);
      out.push_back(holds(less ? -1 : a == b ? 0 : 1));
    });
  }
  return DenseElementsAttr::get(type, out);
}

/// The elements of a small constant as attributes: the slow, type-agnostic
/// form that the data-movement folds share (i1 data is bit-packed, so raw
/// bytes would not do).
std::optional<SmallVector<Attribute>> elementsOf(Attribute attr) {
  DenseElementsAttr dense = smallConstant(attr);
  if (!dense)
    return std::nullopt;
  return llvm::to_vector(dense.getValues<Attribute>());
}

/// Row-major strides of a static shape.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Builds a constant of `type` from the input element each result index
/// maps to.
Attribute gatherElements(RankedTensorType type, ArrayRef<Attribute> input,
                         function_ref<int64_t(ArrayRef<int64_t>)> source) {
  if (type.getNumElements() > kMaxFoldElements)
    return {};
  SmallVector<Attribute> out;
  SmallVector<int64_t> index(type.getRank(), 0);
  for (int64_t linear = 0, e = type.getNumElements(); linear < e; ++linear) {
    out.push_back(input[source(index)]);
    for (int64_t d = type.getRank() - 1; d >= 0; --d) {
      if (++index[d] < type.getDimSize(d))
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::get(type, out);
}

} // namespace

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> { return a + b; },
      [](APSInt a, APSInt b) -> std::optional<APSInt> { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> { return a - b; },
      [](APSInt a, APSInt b) -> std::optional<APSInt> { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> { return a * b; },
      [](APSInt a, APSInt b) -> std::optional<APSInt> { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> { return a / b; },
      [](APSInt a, APSInt b) -> std::optional<APSInt> {
        if (b.isZero() ||
            (b.isSigned() && b.isAllOnes() && a.isMinSignedValue()))
          return std::nullopt;
        return a / b;
      });
}

OpFoldResult MaximumOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> {
        return llvm::maximum(a, b);
      },
      [](APSInt a, APSInt b) -> std::optional<APSInt> {
        return a >= b ? a : b;
      });
}

OpFoldResult MinimumOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](APFloat a, APFloat b) -> std::optional<APFloat> {
        return llvm::minimum(a, b);
      },
      [](APSInt a, APSInt b) -> std::optional<APSInt> {
        return a <= b ? a : b;
      });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](std::optional<int> c) { return c && *c == 0; });
}
OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](std::optional<int> c) { return c && *c < 0; });
}
OpFoldResult LessEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](std::optional<int> c) { return c && *c <= 0; });
}
OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](std::optional<int> c) { return c && *c > 0; });
}
OpFoldResult GreaterEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](std::optional<int> c) { return c && *c >= 0; });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = getType();
  DenseElementsAttr condition = smallConstant(adaptor.getCondition());
  if (condition && condition.isSplat() && getOnTrue().getType() == type &&
      getOnFalse().getType() == type)
    return condition.getSplatValue<bool>() ? getOnTrue() : getOnFalse();
  auto onTrue = elementsOf(adaptor.getOnTrue());
  auto onFalse = elementsOf(adaptor.getOnFalse());
  if (!condition || !onTrue || !onFalse ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  auto conditions = llvm::to_vector(condition.getValues<bool>());
  ArrayRef<int64_t> shapes[] = {condition.getType().getShape(),
                                getOnTrue().getType().getShape(),
                                getOnFalse().getType().getShape()};
  SmallVector<Attribute> out;
  forEachBroadcast(type.getShape(), shapes, [&](ArrayRef<int64_t> at) {
    out.push_back(conditions[at[0]] ? (*onTrue)[at[1]] : (*onFalse)[at[2]]);
  });
  return DenseElementsAttr::get(type, out);
}

//===----------------------------------------------------------------------===//
// Conversions and data movement
//===----------------------------------------------------------------------===//

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  DenseElementsAttr input = smallConstant(adaptor.getInput());
  if (!input)
    return {};
  Type from = input.getElementType(), to = getType().getElementType();
  SmallVector<Attribute> out;
  for (Attribute element : input.getValues<Attribute>()) {
    // Every element as a 64-bit integer (signed unless `from` is unsigned
    // or bool) or a float first.
    std::optional<APInt> intValue;
    std::optional<APFloat> floatValue;
    bool fromUnsigned = from.isInteger(1) || from.isUnsignedInteger();
    if (auto f = dyn_cast<FloatAttr>(element))
      floatValue = f.getValue();
    else if (fromUnsigned)
      intValue = cast<IntegerAttr>(element).getValue().zext(64);
    else
      intValue = cast<IntegerAttr>(element).getValue().sext(64);

    if (auto floatType = dyn_cast<FloatType>(to)) {
      APFloat value(floatType.getFloatSemantics());
      bool lost;
      if (floatValue) {
        value = *floatValue;
        value.convert(floatType.getFloatSemantics(),
                      APFloat::rmNearestTiesToEven, &lost);
      } else {
        value.convertFromAPInt(*intValue, /*isSigned=*/!fromUnsigned,
                               APFloat::rmNearestTiesToEven);
      }
      out.push_back(FloatAttr::get(to, value));
      continue;
    }
    unsigned width = to.getIntOrFloatBitWidth();
    if (width == 1) {
      bool nonZero = floatValue ? !floatValue->isZero() : !intValue->isZero();
      out.push_back(IntegerAttr::get(to, APInt(1, nonZero)));
      continue;
    }
    if (floatValue) {
      // Truncation towards zero; NaN and out-of-range values are undefined
      // in ONNX, so they do not fold.
      APSInt result(width, /*isUnsigned=*/to.isUnsignedInteger());
      bool exact;
      if (floatValue->convertToInteger(result, APFloat::rmTowardZero, &exact) ==
          APFloat::opInvalidOp)
        return {};
      out.push_back(IntegerAttr::get(to, result));
      continue;
    }
    out.push_back(IntegerAttr::get(to, intValue->sextOrTrunc(width)));
  }
  return DenseElementsAttr::get(getType(), out);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto input = elementsOf(adaptor.getInput());
  DenseElementsAttr indices = smallConstant(adaptor.getIndices());
  if (!input || !indices)
    return {};
  RankedTensorType inType = getInput().getType();
  int64_t axis = getAxis(), size = inType.getDimSize(axis);
  SmallVector<int64_t> positions;
  for (const APInt &index : indices.getValues<APInt>()) {
    int64_t i = index.getSExtValue();
    if (i < -size || i >= size)
      return {};
    positions.push_back(i < 0 ? i + size : i);
  }
  SmallVector<int64_t> inStrides = stridesOf(inType.getShape());
  SmallVector<int64_t> indexStrides = stridesOf(indices.getType().getShape());
  int64_t indexRank = indices.getType().getRank();
  return gatherElements(getType(), *input,
                        [&](ArrayRef<int64_t> at) -> int64_t {
                          int64_t offset = 0, position = 0;
                          for (int64_t d = 0; d < axis; ++d)
                            offset += at[d] * inStrides[d];
                          for (int64_t k = 0; k < indexRank; ++k)
                            position += at[axis + k] * indexStrides[k];
                          offset += positions[position] * inStrides[axis];
                          for (int64_t d = axis + 1; d < inType.getRank(); ++d)
                            offset += at[d - 1 + indexRank] * inStrides[d];
                          return offset;
                        });
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto input = elementsOf(adaptor.getInput());
  if (!input)
    return {};
  SmallVector<int64_t> strides = stridesOf(getInput().getType().getShape());
  ArrayRef<int64_t> starts = getStarts(), steps = getSteps();
  return gatherElements(getType(), *input, [&](ArrayRef<int64_t> at) {
    int64_t offset = 0;
    for (size_t d = 0; d < at.size(); ++d)
      offset += (starts[d] + at[d] * steps[d]) * strides[d];
    return offset;
  });
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  SmallVector<SmallVector<Attribute>> inputs;
  for (Attribute attr : adaptor.getInputs()) {
    auto elements = elementsOf(attr);
    if (!elements)
      return {};
    inputs.push_back(std::move(*elements));
  }
  int64_t axis = getAxis();
  // Each input's first index along the axis, and its strides.
  SmallVector<int64_t> firsts;
  SmallVector<SmallVector<int64_t>> strides;
  int64_t first = 0;
  for (Value input : getInputs()) {
    auto type = cast<RankedTensorType>(input.getType());
    firsts.push_back(first);
    first += type.getDimSize(axis);
    strides.push_back(stridesOf(type.getShape()));
  }
  // gatherElements reads one flat list: lay the inputs end to end.
  SmallVector<Attribute> all;
  SmallVector<int64_t> bases;
  for (const SmallVector<Attribute> &input : inputs) {
    bases.push_back(all.size());
    llvm::append_range(all, input);
  }
  return gatherElements(getType(), all, [&](ArrayRef<int64_t> at) {
    size_t which = llvm::upper_bound(firsts, at[axis]) - firsts.begin() - 1;
    int64_t offset = bases[which];
    for (size_t d = 0; d < at.size(); ++d)
      offset += (d == size_t(axis) ? at[d] - firsts[which] : at[d]) *
                strides[which][d];
    return offset;
  });
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // A constant spread over the batch stays a broadcast: constants are
  // static.
  if (!getType().hasStaticShape())
    return {};
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat())
    return dense.resizeSplat(getType());
  auto input = elementsOf(adaptor.getInput());
  if (!input)
    return {};
  RankedTensorType type = getType();
  SmallVector<int64_t> strides =
      broadcastStrides(getInput().getType().getShape(), type.getShape());
  return gatherElements(type, *input, [&](ArrayRef<int64_t> at) {
    int64_t offset = 0;
    for (size_t d = 0; d < at.size(); ++d)
      offset += at[d] * strides[d];
    return offset;
  });
}
