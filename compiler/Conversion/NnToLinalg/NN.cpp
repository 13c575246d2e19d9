//===- NN.cpp - nn NN ops to linalg -----------------------------*- C++ -*-===//
//
// The NN category (NnNNOps.td): nn.conv2d becomes linalg's NCHW
// convolutions, the pooling ops its NCHW pooling ops over a padded input, and
// nn.global_avg_pool a sum reduction and a division.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NnToLinalg/NnToLinalg.h"
#include "dialects/Nn/IR/NnOps.h"
#include "dialects/Nn/IR/NnShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace nncc;
using namespace nncc::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct Conv2DLowering : OpConversionPattern<nn::Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    ArrayRef<int64_t> pad = op.getPadding();
    Value input =
        padTensor(rewriter, loc, adaptor.getInput(), {0, 0, pad[0], pad[1]},
                  {0, 0, pad[2], pad[3]}, scalarAttr(elementType, 0.0));

    // Accumulate into the broadcast bias, so no separate add is needed.
    Value init;
    if (Value bias = adaptor.getBias()) {
      MLIRContext *ctx = getContext();
      AffineMap biasMap = AffineMap::get(4, 0, {getAffineDimExpr(1, ctx)}, ctx);
      init = buildGeneric(
          rewriter, loc, bias, biasMap, createEmpty(rewriter, loc, type),
          rewriter.getMultiDimIdentityMap(4),
          [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    } else {
      init = createFilled(rewriter, loc, type, scalarAttr(elementType, 0.0));
    }

    Attribute strides = rewriter.getI64TensorAttr(op.getStrides());
    Attribute dilations = rewriter.getI64TensorAttr(op.getDilations());
    Value filter = adaptor.getFilter();
    int64_t groups = op.getGroups();
    if (groups == 1) {
      rewriter.replaceOp(op, linalg::Conv2DNchwFchwOp::create(
                                 rewriter, loc, TypeRange{type},
                                 ValueRange{input, filter}, ValueRange{init},
                                 strides, dilations)
                                 .getResults());
      return success();
    }

    // Grouped: split the channel dimensions into (group, per-group).
    auto split = [&](Value value, int64_t dim) {
      auto valueType = cast<RankedTensorType>(value.getType());
      SmallVector<int64_t> shape(valueType.getShape());
      shape[dim] /= groups;
      shape.insert(shape.begin() + dim, groups);
      SmallVector<ReassociationIndices> reassociation;
      for (int64_t i = 0, out = 0; i < valueType.getRank(); ++i) {
        if (i == dim) {
          reassociation.push_back({out, out + 1});
          out += 2;
        } else {
          reassociation.push_back({out++});
        }
      }
      auto splitType = RankedTensorType::get(shape, elementType);
      return std::make_pair(tensor::ExpandShapeOp::create(
                                rewriter, loc, splitType, value, reassociation)
                                .getResult(),
                            reassociation);
    };
    Value groupedInput = split(input, 1).first;
    Value groupedFilter = split(filter, 0).first;
    auto [groupedInit, outReassociation] = split(init, 1);
    auto conv = linalg::Conv2DNgchwGfchwOp::create(
        rewriter, loc, TypeRange{groupedInit.getType()},
        ValueRange{groupedInput, groupedFilter}, ValueRange{groupedInit},
        strides, dilations);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, type, conv.getResult(0), outReassociation);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Windowed pooling
//===----------------------------------------------------------------------===//

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
  SmallVector<int64_t> high = poolHighPadding(
      inType, type, kernel, op.getStrides(), padding, dilations);
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
    Value divisor = poolDivisors(rewriter, loc, op.getInput().getType(), type,
                                 op.getKernelShape(), op.getStrides(),
                                 op.getPadding(), op.getCountIncludePad());

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

//===----------------------------------------------------------------------===//
// Global average pooling
//===----------------------------------------------------------------------===//

struct GlobalAvgPoolLowering : OpConversionPattern<nn::GlobalAvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::GlobalAvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    Type elementType = inType.getElementType();
    unsigned rank = inType.getRank();
    auto reducedType = RankedTensorType::get(
        {inType.getDimSize(0), inType.getDimSize(1)}, elementType);
    AffineMap full = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced = dropDimsMap(getContext(), rank, {0, 1});
    Value sum = buildGeneric(
        rewriter, loc, adaptor.getInput(), full,
        createFilled(rewriter, loc, reducedType, scalarAttr(elementType, 0.0)),
        reduced, [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::AddFOp::create(b, l, args[0], args[1]);
        });
    int64_t count =
        inType.getNumElements() / (inType.getDimSize(0) * inType.getDimSize(1));
    AffineMap identity2 = rewriter.getMultiDimIdentityMap(2);
    Value mean = buildGeneric(
        rewriter, loc, sum, identity2, createEmpty(rewriter, loc, reducedType),
        identity2, [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value divisor = arith::ConstantOp::create(
              b, l, scalarAttr(elementType, double(count)));
          return arith::DivFOp::create(b, l, args[0], divisor);
        });
    SmallVector<ReassociationIndices> reassociation = {{0}, {}};
    for (unsigned d = 1; d < rank; ++d)
      reassociation[1].push_back(d);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, op.getType(), mean,
                                                       reassociation);
    return success();
  }
};

} // namespace

void nncc::populateNnNNToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, MaxPool2DLowering, AvgPool2DLowering,
               GlobalAvgPoolLowering>(patterns.getContext());
}
