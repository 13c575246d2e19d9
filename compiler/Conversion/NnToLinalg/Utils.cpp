//===- Utils.cpp - helpers shared by the nn -> linalg patterns --*- C++ -*-===//

#include "compiler/Conversion/NnToLinalg/NnToLinalg.h"
#include "dialects/Nn/IR/NnShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;

namespace nncc::lowering {

TypedAttr scalarAttr(Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return FloatAttr::get(floatType, value);
  return IntegerAttr::get(type, static_cast<int64_t>(value));
}

Value getBatchSize(OpBuilder &b, Location loc) {
  Operation *parent = b.getInsertionBlock()->getParentOp();
  auto func = isa<FunctionOpInterface>(parent)
                  ? cast<FunctionOpInterface>(parent)
                  : parent->getParentOfType<FunctionOpInterface>();
  assert(func && "a dynamic size outside a function");
  for (BlockArgument arg : func.getArguments())
    if (auto type = dyn_cast<RankedTensorType>(arg.getType()))
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.isDynamicDim(d))
          return tensor::DimOp::create(b, loc, arg, d);
  llvm_unreachable("a dynamic size in a function without a batch argument");
}

SmallVector<Value> getDynamicSizes(OpBuilder &b, Location loc,
                                   RankedTensorType type) {
  SmallVector<Value> sizes;
  if (type.getNumDynamicDims() != 0)
    sizes.assign(type.getNumDynamicDims(), getBatchSize(b, loc));
  return sizes;
}

Value reducedCount(OpBuilder &b, Location loc, RankedTensorType type,
                   AffineMap keptMap, Type scalarType) {
  double count = 1;
  bool hasBatch = false;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (keptMap.isFunctionOfDim(d))
      continue;
    if (type.isDynamicDim(d))
      hasBatch = true;
    else
      count *= double(type.getDimSize(d));
  }
  Value result =
      arith::ConstantOp::create(b, loc, scalarAttr(scalarType, count));
  if (!hasBatch)
    return result;
  Value batch =
      arith::IndexCastOp::create(b, loc, b.getI64Type(), getBatchSize(b, loc));
  return arith::MulFOp::create(
      b, loc, result, arith::SIToFPOp::create(b, loc, scalarType, batch));
}

SmallVector<OpFoldResult> getMixedSizes(OpBuilder &b, Location loc,
                                        RankedTensorType type) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t size : type.getShape())
    sizes.push_back(ShapedType::isDynamic(size)
                        ? OpFoldResult(getBatchSize(b, loc))
                        : OpFoldResult(b.getIndexAttr(size)));
  return sizes;
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(
      values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); });
}

Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 getDynamicSizes(b, loc, type));
}

Value createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                   TypedAttr value) {
  Value scalar = arith::ConstantOp::create(b, loc, value);
  Value empty = createEmpty(b, loc, type);
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

Value padTensor(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, TypedAttr value) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> lowOfr, highOfr;
  for (size_t i = 0; i < shape.size(); ++i) {
    // The batch is never padded (nn.pad's verifier).
    if (!ShapedType::isDynamic(shape[i]))
      shape[i] += low[i] + high[i];
    lowOfr.push_back(b.getIndexAttr(low[i]));
    highOfr.push_back(b.getIndexAttr(high[i]));
  }
  Value padValue = arith::ConstantOp::create(b, loc, value);
  auto padded = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(b, loc, padded, input, lowOfr, highOfr,
                               padValue);
}

bool windowsAreDisjoint(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> padding,
                        ArrayRef<int64_t> dilations) {
  return strides == kernel &&
         llvm::all_of(padding, [](int64_t p) { return p == 0; }) &&
         llvm::all_of(dilations, [](int64_t d) { return d == 1; });
}

SmallVector<Value> windowOffsetViews(OpBuilder &b, Location loc, Value input,
                                     RankedTensorType outType,
                                     ArrayRef<int64_t> kernel,
                                     ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> padding,
                                     ArrayRef<int64_t> dilations) {
  auto inType = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> in = inType.getShape(), out = outType.getShape();
  if (!windowsAreDisjoint(kernel, strides, padding, dilations) ||
      llvm::any_of(in.drop_front(), ShapedType::isDynamic) ||
      llvm::any_of(out.drop_front(), ShapedType::isDynamic) ||
      out[2] * kernel[0] > in[2] || out[3] * kernel[1] > in[3])
    return {};
  // [N, C, OH * KH, OW * KW] (the whole windows), viewed as
  // [N, C, OH, KH, OW, KW].
  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(b, loc, input, 0), b.getIndexAttr(in[1]),
      b.getIndexAttr(out[2] * kernel[0]), b.getIndexAttr(out[3] * kernel[1])};
  SmallVector<OpFoldResult> zeros(4, b.getIndexAttr(0)),
      ones(4, b.getIndexAttr(1));
  Value whole = input;
  if (out[2] * kernel[0] != in[2] || out[3] * kernel[1] != in[3])
    whole = tensor::ExtractSliceOp::create(b, loc, input, zeros, sizes, ones);
  auto windowsType = RankedTensorType::get(
      {in[0], in[1], out[2], kernel[0], out[3], kernel[1]},
      inType.getElementType());
  SmallVector<OpFoldResult> windowsShape = {sizes[0],
                                            b.getIndexAttr(in[1]),
                                            b.getIndexAttr(out[2]),
                                            b.getIndexAttr(kernel[0]),
                                            b.getIndexAttr(out[3]),
                                            b.getIndexAttr(kernel[1])};
  Value windows = tensor::ExpandShapeOp::create(
      b, loc, windowsType, whole,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}},
      windowsShape);
  auto viewType = RankedTensorType::get({in[0], in[1], out[2], out[3]},
                                        inType.getElementType());
  SmallVector<Value> views;
  for (int64_t a = 0; a < kernel[0]; ++a)
    for (int64_t c = 0; c < kernel[1]; ++c) {
      SmallVector<OpFoldResult> offsets = {
          b.getIndexAttr(0), b.getIndexAttr(0), b.getIndexAttr(0),
          b.getIndexAttr(a), b.getIndexAttr(0), b.getIndexAttr(c)};
      SmallVector<OpFoldResult> viewSizes = {
          sizes[0],          b.getIndexAttr(in[1]),  b.getIndexAttr(out[2]),
          b.getIndexAttr(1), b.getIndexAttr(out[3]), b.getIndexAttr(1)};
      views.push_back(tensor::ExtractSliceOp::create(
          b, loc, viewType, windows, offsets, viewSizes,
          SmallVector<OpFoldResult>(6, b.getIndexAttr(1))));
    }
  return views;
}

Value padSpatially(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> padding) {
  Type elementType = cast<RankedTensorType>(input.getType()).getElementType();
  return padTensor(b, loc, input, {0, 0, padding[0], padding[1]},
                   {0, 0, padding[2], padding[3]},
                   scalarAttr(elementType, 0.0));
}

BroadcastOperand broadcastOperand(OpBuilder &b, Location loc, Value operand,
                                  ArrayRef<int64_t> outputShape,
                                  unsigned numLoops) {
  auto type = cast<RankedTensorType>(operand.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t offset = outputShape.size() - shape.size();
  SmallVector<int64_t> kept;
  for (int64_t i = 0, e = shape.size(); i < e; ++i)
    if (!(shape[i] == 1 && outputShape[i + offset] != 1))
      kept.push_back(i);

  SmallVector<AffineExpr> results;
  for (int64_t k : kept)
    results.push_back(b.getAffineDimExpr(k + offset));
  AffineMap map = AffineMap::get(numLoops, 0, results, b.getContext());
  if (kept.size() == shape.size())
    return {operand, map};

  // Fold each broadcast (unit) dimension into the group of the next kept
  // dimension; trailing ones join the last group.
  SmallVector<ReassociationIndices> groups;
  int64_t next = 0;
  for (int64_t k : kept) {
    ReassociationIndices group;
    for (; next <= k; ++next)
      group.push_back(next);
    groups.push_back(group);
  }
  for (; !groups.empty() && next < static_cast<int64_t>(shape.size()); ++next)
    groups.back().push_back(next);
  SmallVector<int64_t> collapsedShape;
  for (int64_t k : kept)
    collapsedShape.push_back(shape[k]);
  auto collapsedType =
      RankedTensorType::get(collapsedShape, type.getElementType());
  Value collapsed =
      tensor::CollapseShapeOp::create(b, loc, collapsedType, operand, groups);
  return {collapsed, map};
}

Value buildGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                   ArrayRef<AffineMap> inputMaps, Value init, AffineMap outMap,
                   ScalarBodyFn body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(outMap);
  SmallVector<utils::IteratorType> iterators(outMap.getNumDims(),
                                             utils::IteratorType::reduction);
  for (AffineExpr expr : outMap.getResults())
    iterators[cast<AffineDimExpr>(expr).getPosition()] =
        utils::IteratorType::parallel;
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             iterators,
             [&](OpBuilder &nested, Location l, ValueRange args) {
               linalg::YieldOp::create(nested, l,
                                       ValueRange{body(nested, l, args)});
             })
      .getResult(0);
}

Type sumAccumulatorType(Type elementType) {
  auto floatType = dyn_cast<FloatType>(elementType);
  if (!floatType || floatType.getWidth() >= 64)
    return elementType;
  return Float64Type::get(elementType.getContext());
}

Value castElements(OpBuilder &b, Location loc, Value value, Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  Type from = type.getElementType();
  if (from == elementType)
    return value;
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  return buildGeneric(
      b, loc, value, identity, createEmpty(b, loc, type.clone(elementType)),
      identity, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        if (elementType.getIntOrFloatBitWidth() < from.getIntOrFloatBitWidth())
          return arith::TruncFOp::create(nb, l, elementType, a[0]);
        return arith::ExtFOp::create(nb, l, elementType, a[0]);
      });
}

AffineMap dropDimsMap(MLIRContext *ctx, unsigned rank,
                      ArrayRef<unsigned> kept) {
  SmallVector<AffineExpr> results;
  for (unsigned d : kept)
    results.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, results, ctx);
}

Value reshapeTensor(OpBuilder &b, Location loc, Value input,
                    RankedTensorType type) {
  auto inType = cast<RankedTensorType>(input.getType());
  if (inType == type)
    return input;
  // The batch (`?`) makes the flat size dynamic too; the expansion then
  // takes the result's sizes, the batch among them.
  int64_t flatSize =
      inType.hasStaticShape() ? inType.getNumElements() : ShapedType::kDynamic;
  auto flatType = RankedTensorType::get({flatSize}, inType.getElementType());
  auto allDims = [](int64_t rank) {
    ReassociationIndices group;
    for (int64_t i = 0; i < rank; ++i)
      group.push_back(i);
    return group;
  };
  // Rank 0 tensors take an empty reassociation in both directions.
  auto reassociation = [&](int64_t rank) {
    return rank == 0 ? SmallVector<ReassociationIndices>{}
                     : SmallVector<ReassociationIndices>{allDims(rank)};
  };
  Value flat = input;
  if (inType.getRank() > 1)
    flat = tensor::CollapseShapeOp::create(b, loc, flatType, input,
                                           reassociation(inType.getRank()));
  else if (inType.getRank() == 0)
    flat = tensor::ExpandShapeOp::create(b, loc, flatType, input,
                                         reassociation(0));
  if (type.getRank() == 1)
    return flat;
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat,
                                           reassociation(0));
  if (type.hasStaticShape())
    return tensor::ExpandShapeOp::create(b, loc, type, flat,
                                         reassociation(type.getRank()));
  return tensor::ExpandShapeOp::create(b, loc, type, flat,
                                       reassociation(type.getRank()),
                                       getMixedSizes(b, loc, type));
}

/// The reassociation between a rank-`rank` tensor and its form with
/// dimension `dim` split in two.
static SmallVector<ReassociationIndices> groupReassociation(int64_t rank,
                                                            int64_t dim) {
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0, split = 0; i < rank; ++i) {
    if (i == dim) {
      reassociation.push_back({split, split + 1});
      split += 2;
    } else {
      reassociation.push_back({split++});
    }
  }
  return reassociation;
}

RankedTensorType splitGroupsType(RankedTensorType type, int64_t dim,
                                 int64_t groups) {
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] /= groups;
  shape.insert(shape.begin() + dim, groups);
  return RankedTensorType::get(shape, type.getElementType());
}

Value splitGroups(OpBuilder &b, Location loc, Value value, int64_t dim,
                  int64_t groups) {
  auto type = cast<RankedTensorType>(value.getType());
  return tensor::ExpandShapeOp::create(
      b, loc, splitGroupsType(type, dim, groups), value,
      groupReassociation(type.getRank(), dim));
}

Value mergeGroups(OpBuilder &b, Location loc, Value value, int64_t dim,
                  RankedTensorType type) {
  return tensor::CollapseShapeOp::create(
      b, loc, type, value, groupReassociation(type.getRank(), dim));
}

SmallVector<int64_t>
poolHighPadding(RankedTensorType inType, RankedTensorType outType,
                ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations) {
  SmallVector<int64_t> high = {0, 0};
  for (int i = 0; i < 2; ++i)
    high.push_back(nn::coveringEndPadding(
        outType.getDimSize(2 + i), inType.getDimSize(2 + i), kernel[i],
        strides[i], dilations[i], padding[i], padding[i + 2]));
  return high;
}

Value poolDivisors(OpBuilder &b, Location loc, RankedTensorType inType,
                   RankedTensorType outType, ArrayRef<int64_t> kernel,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                   bool countPadding) {
  Type elementType = outType.getElementType();
  SmallVector<int64_t> counts[2];
  for (int i = 0; i < 2; ++i)
    for (int64_t o = 0; o < outType.getDimSize(2 + i); ++o)
      counts[i].push_back(nn::windowElementCount(
          o, inType.getDimSize(2 + i), kernel[i], strides[i], padding[i],
          padding[i + 2], countPadding));
  SmallVector<Attribute> divisors;
  for (int64_t rows : counts[0])
    for (int64_t cols : counts[1])
      divisors.push_back(scalarAttr(elementType, double(rows * cols)));
  auto divisorType = RankedTensorType::get(
      {outType.getDimSize(2), outType.getDimSize(3)}, elementType);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(divisorType, divisors));
}

} // namespace nncc::lowering
