//===- Pooling.cpp - nn pooling ops to linalg -------------------*- C++ -*-===//

#include "compiler/Conversion/NnToLinalg/NnToLinalg.h"
#include "dialects/Nn/IR/NnShapes.h"
#include "dialects/Nn/IR/NnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <algorithm>

using namespace mlir;
using namespace nncc;
using namespace nncc::lowering;

namespace {

/// Padding at the bottom/right so that every window, including the
/// ceil-mode overhang, lies inside the padded input.
SmallVector<int64_t>
highPadding(RankedTensorType inType, RankedTensorType outType,
            ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
            ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations) {
  SmallVector<int64_t> high = {0, 0};
  for (int i = 0; i < 2; ++i)
    high.push_back(nn::coveringEndPadding(
        outType.getDimSize(2 + i), inType.getDimSize(2 + i), kernel[i],
        strides[i], dilations[i], padding[i], padding[i + 2]));
  return high;
}

/// Runs the named pooling op `PoolOp` over the input padded with `padValue`,
/// accumulating into an output filled with `initValue`.
template <typename PoolOp, typename NnOp>
Value buildPool(ConversionPatternRewriter &rewriter, NnOp op, Value input,
                ArrayRef<int64_t> dilations, TypedAttr padValue,
                TypedAttr initValue) {
  Location loc = op.getLoc();
  RankedTensorType type = op.getType();
  auto inType = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> kernel = op.getKernelShape();
  ArrayRef<int64_t> padding = op.getPadding();
  SmallVector<int64_t> high =
      highPadding(inType, type, kernel, op.getStrides(), padding, dilations);
  Value padded = padTensor(rewriter, loc, input, {0, 0, padding[0], padding[1]},
                           high, padValue);
  Value window =
      tensor::EmptyOp::create(rewriter, loc, kernel, type.getElementType());
  Value init = createFilled(rewriter, loc, type, initValue);
  return PoolOp::create(rewriter, loc, TypeRange{type},
                        ValueRange{padded, window}, ValueRange{init},
                        rewriter.getI64TensorAttr(op.getStrides()),
                        rewriter.getI64TensorAttr(dilations))
      .getResult(0);
}

struct MaxPool2DLowering : OpConversionPattern<nn::MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto floatType = cast<FloatType>(op.getType().getElementType());
    auto lowest =
        FloatAttr::get(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/true));
    rewriter.replaceOp(op, buildPool<linalg::PoolingNchwMaxOp>(
                               rewriter, op, adaptor.getInput(),
                               op.getDilations(), lowest, lowest));
    return success();
  }
};

/// Number of elements each window of one dimension averages over.
SmallVector<int64_t> windowCounts(int64_t outSize, int64_t inSize,
                                  int64_t kernel, int64_t stride,
                                  int64_t padBegin, int64_t padEnd,
                                  bool countPadding) {
  SmallVector<int64_t> counts;
  for (int64_t o = 0; o < outSize; ++o)
    counts.push_back(nn::windowElementCount(o, inSize, kernel, stride,
                                            padBegin, padEnd, countPadding));
  return counts;
}

struct AvgPool2DLowering : OpConversionPattern<nn::AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    TypedAttr zero = scalarAttr(elementType, 0.0);
    Value sum = buildPool<linalg::PoolingNchwSumOp>(
        rewriter, op, adaptor.getInput(), {1, 1}, zero, zero);

    // The divisors depend only on the output position: a constant [OH, OW].
    auto inType = op.getInput().getType();
    ArrayRef<int64_t> kernel = op.getKernelShape(), pad = op.getPadding();
    SmallVector<int64_t> counts[2];
    for (int i = 0; i < 2; ++i)
      counts[i] = windowCounts(type.getDimSize(2 + i), inType.getDimSize(2 + i),
                               kernel[i], op.getStrides()[i], pad[i],
                               pad[i + 2], op.getCountIncludePad());
    SmallVector<Attribute> divisors;
    for (int64_t rows : counts[0])
      for (int64_t cols : counts[1])
        divisors.push_back(scalarAttr(elementType, double(rows * cols)));
    auto divisorType = RankedTensorType::get(
        {type.getDimSize(2), type.getDimSize(3)}, elementType);
    Value divisor = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(divisorType, divisors));

    MLIRContext *ctx = getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    AffineMap spatial = AffineMap::get(
        4, 0, {getAffineDimExpr(2, ctx), getAffineDimExpr(3, ctx)}, ctx);
    rewriter.replaceOp(
        op,
        buildGeneric(
            rewriter, loc, ValueRange{sum, divisor}, {identity, spatial},
            createEmpty(rewriter, loc, type), identity,
            [](OpBuilder &b, Location l, ValueRange args) {
              return arith::DivFOp::create(b, l, args[0], args[1]).getResult();
            }));
    return success();
  }
};

} // namespace

void nncc::populateNnPoolingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPool2DLowering, AvgPool2DLowering>(patterns.getContext());
}
