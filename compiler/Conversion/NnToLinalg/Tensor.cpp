//===- Tensor.cpp - nn Tensor ops to linalg ---------------------*- C++ -*-===//
//
// The Tensor category (NnTensorOps.td): nn.constant becomes arith.constant,
// nn.reshape collapse/expand_shape and nn.transpose linalg.transpose.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NnToLinalg/NnToLinalg.h"
#include "dialects/Nn/IR/NnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace nncc;
using namespace nncc::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

struct ConstantLowering : OpConversionPattern<nn::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "constant is not a typed attr");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

struct ReshapeLowering : OpConversionPattern<nn::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(),
                                         adaptor.getInput(), op.getType()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<nn::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value init = createEmpty(rewriter, op.getLoc(), op.getType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       adaptor.getInput(), init,
                                                       op.getPerm())
                               ->getResults());
    return success();
  }
};

struct BroadcastLowering : OpConversionPattern<nn::BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    BroadcastOperand in = broadcastOperand(rewriter, loc, adaptor.getInput(),
                                           type.getShape(), rank);
    rewriter.replaceOp(op,
                       buildGeneric(rewriter, loc, in.value, in.map,
                                    createEmpty(rewriter, loc, type),
                                    rewriter.getMultiDimIdentityMap(rank),
                                    [](OpBuilder &, Location, ValueRange args) {
                                      return args[0];
                                    }));
    return success();
  }
};

struct OneHotLowering : OpConversionPattern<nn::OneHotOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::OneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    Type elementType = type.getElementType();
    AffineMap indicesMap =
        rewriter.getMultiDimIdentityMap(rank).dropResult(rank - 1);
    rewriter.replaceOp(
        op,
        buildGeneric(
            rewriter, loc, adaptor.getIndices(), indicesMap,
            createEmpty(rewriter, loc, type),
            rewriter.getMultiDimIdentityMap(rank),
            [&](OpBuilder &b, Location l, ValueRange args) -> Value {
              // Comparing (rather than indexing by the label) keeps an
              // out-of-range label from reading out of bounds.
              Value cls = linalg::IndexOp::create(b, l, rank - 1);
              Value label =
                  arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
              Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                cls, label);
              Value one =
                  arith::ConstantOp::create(b, l, scalarAttr(elementType, 1.0));
              Value zero =
                  arith::ConstantOp::create(b, l, scalarAttr(elementType, 0.0));
              return arith::SelectOp::create(b, l, hit, one, zero);
            }));
    return success();
  }
};

} // namespace

void nncc::populateNnTensorToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ReshapeLowering, TransposeLowering,
               BroadcastLowering, OneHotLowering>(patterns.getContext());
}
