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
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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

/// Each operand goes into its place of a tensor.empty with insert_slice.
struct ConcatLowering : OpConversionPattern<nn::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis();
    Value result = createEmpty(rewriter, loc, type);
    int64_t offset = 0;
    for (Value input : adaptor.getInputs()) {
      auto inType = cast<RankedTensorType>(input.getType());
      SmallVector<int64_t> offsets(type.getRank(), 0),
          strides(type.getRank(), 1);
      offsets[axis] = offset;
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, ValueRange{}, ValueRange{},
          ValueRange{}, offsets, inType.getShape(), strides);
      offset += inType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<nn::SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), adaptor.getInput(), ValueRange{}, ValueRange{},
        ValueRange{}, op.getStarts(), op.getType().getShape(), op.getSteps());
    return success();
  }
};

/// Zeros with the gradient inserted where the slice read.
struct SliceBackwardLowering : OpConversionPattern<nn::SliceBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::SliceBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value zeros = createFilled(rewriter, op.getLoc(), type,
                               scalarAttr(type.getElementType(), 0.0));
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, adaptor.getGrad(), zeros, ValueRange{}, ValueRange{}, ValueRange{},
        op.getStarts(), op.getGrad().getType().getShape(), op.getSteps());
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
               BroadcastLowering, OneHotLowering, ConcatLowering, SliceLowering,
               SliceBackwardLowering>(patterns.getContext());
}
