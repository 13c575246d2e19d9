//===- Reduction.cpp - nn softmax and global pooling to linalg --*- C++ -*-===//

#include "compiler/Conversion/NnToLinalg/NnToLinalg.h"
#include "dialects/Nn/IR/NnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace nncc;
using namespace nncc::lowering;

namespace {

/// The map of a rank-`rank` loop nest onto the dimensions in `kept`.
AffineMap dropDimsMap(MLIRContext *ctx, unsigned rank,
                      ArrayRef<unsigned> kept) {
  SmallVector<AffineExpr> results;
  for (unsigned d : kept)
    results.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, results, ctx);
}

struct SoftmaxLowering : OpConversionPattern<nn::SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    unsigned rank = type.getRank(), axis = op.getAxis();
    SmallVector<unsigned> kept;
    SmallVector<int64_t> reducedShape;
    for (unsigned d = 0; d < rank; ++d)
      if (d != axis) {
        kept.push_back(d);
        reducedShape.push_back(type.getDimSize(d));
      }
    auto reducedType = RankedTensorType::get(reducedShape, elementType);
    AffineMap full = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced = dropDimsMap(getContext(), rank, kept);
    Value x = adaptor.getInput();

    // Subtracting the max keeps exp from overflowing.
    auto floatType = cast<FloatType>(elementType);
    auto lowest = FloatAttr::get(
        floatType, APFloat::getInf(floatType.getFloatSemantics(), true));
    Value max =
        buildGeneric(rewriter, loc, x, full,
                     createFilled(rewriter, loc, reducedType, lowest), reduced,
                     [](OpBuilder &b, Location l, ValueRange args) -> Value {
                       return arith::MaximumFOp::create(b, l, args[0], args[1]);
                     });
    Value exp =
        buildGeneric(rewriter, loc, ValueRange{x, max}, {full, reduced},
                     createEmpty(rewriter, loc, type), full,
                     [](OpBuilder &b, Location l, ValueRange args) -> Value {
                       Value shifted =
                           arith::SubFOp::create(b, l, args[0], args[1]);
                       return math::ExpOp::create(b, l, shifted);
                     });
    Value sum = buildGeneric(
        rewriter, loc, exp, full,
        createFilled(rewriter, loc, reducedType, scalarAttr(elementType, 0.0)),
        reduced, [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::AddFOp::create(b, l, args[0], args[1]);
        });
    Value result =
        buildGeneric(rewriter, loc, ValueRange{exp, sum}, {full, reduced},
                     createEmpty(rewriter, loc, type), full,
                     [](OpBuilder &b, Location l, ValueRange args) -> Value {
                       return arith::DivFOp::create(b, l, args[0], args[1]);
                     });
    rewriter.replaceOp(op, result);
    return success();
  }
};

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

void nncc::populateNnReductionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<SoftmaxLowering, GlobalAvgPoolLowering>(patterns.getContext());
}
