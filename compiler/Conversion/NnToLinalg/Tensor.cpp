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
          rewriter, loc, input, result, indexAttrs(rewriter, offsets),
          getMixedSizes(rewriter, loc, inType), indexAttrs(rewriter, strides));
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
        op, op.getType(), adaptor.getInput(),
        indexAttrs(rewriter, op.getStarts()),
        getMixedSizes(rewriter, op.getLoc(), op.getType()),
        indexAttrs(rewriter, op.getSteps()));
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
        op, adaptor.getGrad(), zeros, indexAttrs(rewriter, op.getStarts()),
        getMixedSizes(rewriter, op.getLoc(), op.getGrad().getType()),
        indexAttrs(rewriter, op.getSteps()));
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

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

/// One element converted from `x`'s type to `to`: see nn.cast. The types
/// are signless; `fromUnsigned` and `toUnsigned` say how to read them.
Value convertScalar(OpBuilder &b, Location loc, Value x, Type to,
                    bool fromUnsigned, bool toUnsigned) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (to.isInteger(1)) {
    Value zero = arith::ConstantOp::create(b, loc, scalarAttr(from, 0.0));
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
  }
  if (fromFloat && toFloat)
    return fromFloat.getWidth() < toFloat.getWidth()
               ? arith::ExtFOp::create(b, loc, to, x).getResult()
               : arith::TruncFOp::create(b, loc, to, x).getResult();
  if (fromFloat)
    return toUnsigned ? arith::FPToUIOp::create(b, loc, to, x).getResult()
                      : arith::FPToSIOp::create(b, loc, to, x).getResult();
  bool zeroExtends = from.isInteger(1) || fromUnsigned;
  if (toFloat)
    return zeroExtends ? arith::UIToFPOp::create(b, loc, to, x).getResult()
                       : arith::SIToFPOp::create(b, loc, to, x).getResult();
  if (from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth())
    return arith::TruncIOp::create(b, loc, to, x);
  return zeroExtends ? arith::ExtUIOp::create(b, loc, to, x).getResult()
                     : arith::ExtSIOp::create(b, loc, to, x).getResult();
}

struct CastLowering : OpConversionPattern<nn::CastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    Type to = type.getElementType();
    rewriter.replaceOp(
        op, buildGeneric(rewriter, loc, adaptor.getInput(), identity,
                         createEmpty(rewriter, loc, type), identity,
                         [&](OpBuilder &b, Location l, ValueRange args) {
                           return convertScalar(b, l, args[0], to,
                                                isUnsignedOperand(op, 0),
                                                isUnsignedResult(op, 0));
                         }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gather and pad: loops over the result that read the input with
// tensor.extract at a computed position
//===----------------------------------------------------------------------===//

/// An index read from an indices tensor, as an `index` in [0, size): a
/// negative one counts from the end.
Value normalizeIndex(OpBuilder &b, Location loc, Value index, int64_t size) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  Value wrapped = arith::AddIOp::create(
      b, loc, i, arith::ConstantIndexOp::create(b, loc, size));
  return arith::SelectOp::create(b, loc, negative, wrapped, i);
}

/// The loops of a gather's result visit [outer..., index dims..., inner...];
/// the indices are read along the index dims.
AffineMap gatherIndicesMap(MLIRContext *ctx, int64_t axis, int64_t indexRank,
                           int64_t numLoops) {
  SmallVector<AffineExpr> results;
  for (int64_t k = 0; k < indexRank; ++k)
    results.push_back(getAffineDimExpr(axis + k, ctx));
  return AffineMap::get(numLoops, 0, results, ctx);
}

struct GatherLowering : OpConversionPattern<nn::GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    RankedTensorType inType = op.getInput().getType();
    int64_t axis = op.getAxis();
    int64_t indexRank = op.getIndices().getType().getRank();
    int64_t rank = type.getRank();
    Value input = adaptor.getInput();
    rewriter.replaceOp(
        op,
        buildGeneric(rewriter, loc, adaptor.getIndices(),
                     gatherIndicesMap(getContext(), axis, indexRank, rank),
                     createEmpty(rewriter, loc, type),
                     rewriter.getMultiDimIdentityMap(rank),
                     [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                       SmallVector<Value> position;
                       for (int64_t d = 0; d < axis; ++d)
                         position.push_back(linalg::IndexOp::create(b, l, d));
                       position.push_back(normalizeIndex(
                           b, l, args[0], inType.getDimSize(axis)));
                       for (int64_t d = axis + indexRank; d < rank; ++d)
                         position.push_back(linalg::IndexOp::create(b, l, d));
                       return tensor::ExtractOp::create(b, l, input, position);
                     }));
    return success();
  }
};

/// Sums each gathered entry's gradient back at its index: loops over the
/// input's dimensions (parallel) and the index dimensions (a reduction).
struct GatherBackwardLowering : OpConversionPattern<nn::GatherBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::GatherBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis(), rank = type.getRank();
    int64_t indexRank = op.getIndices().getType().getRank();
    int64_t numLoops = rank + indexRank;
    MLIRContext *ctx = getContext();
    // Loops: [input dims..., index dims...].
    SmallVector<AffineExpr> gradResults, indexResults, outResults;
    for (int64_t d = 0; d < rank; ++d)
      outResults.push_back(getAffineDimExpr(d, ctx));
    for (int64_t k = 0; k < indexRank; ++k)
      indexResults.push_back(getAffineDimExpr(rank + k, ctx));
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        llvm::append_range(gradResults, indexResults);
      else
        gradResults.push_back(getAffineDimExpr(d, ctx));
    }
    SmallVector<AffineMap> maps = {
        AffineMap::get(numLoops, 0, gradResults, ctx),
        AffineMap::get(numLoops, 0, indexResults, ctx),
        AffineMap::get(numLoops, 0, outResults, ctx)};
    SmallVector<utils::IteratorType> iterators(numLoops,
                                               utils::IteratorType::parallel);
    for (int64_t k = 0; k < indexRank; ++k)
      iterators[rank + k] = utils::IteratorType::reduction;
    Value init = createFilled(rewriter, loc, type,
                              scalarAttr(type.getElementType(), 0.0));
    int64_t size = type.getDimSize(axis);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type},
        ValueRange{adaptor.getGrad(), adaptor.getIndices()}, init, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                    normalizeIndex(b, l, args[1], size),
                                    linalg::IndexOp::create(b, l, axis));
          Value sum = arith::AddFOp::create(b, l, args[2], args[0]);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, hit, sum, args[2])});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// The input position a padded position reads in "edge" or "reflect" mode.
Value padSourceIndex(OpBuilder &b, Location loc, Value i, int64_t low,
                     int64_t size, bool reflect) {
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value shifted = arith::SubIOp::create(b, loc, i, constant(low));
  if (!reflect)
    return arith::MinSIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, shifted, constant(0)),
        constant(size - 1));
  // Mirror at 0 (-j -> j) and at size - 1 (size - 1 + j -> size - 1 - j).
  Value mirrored = arith::SubIOp::create(b, loc, constant(0), shifted);
  Value below = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                      shifted, constant(0));
  Value folded = arith::SelectOp::create(b, loc, below, mirrored, shifted);
  Value over = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, folded,
                                     constant(size - 1));
  Value back = arith::SubIOp::create(b, loc, constant(2 * (size - 1)), folded);
  return arith::SelectOp::create(b, loc, over, back, folded);
}

struct PadLowering : OpConversionPattern<nn::PadOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    RankedTensorType inType = op.getInput().getType();
    if (op.getMode() == "constant") {
      rewriter.replaceOp(
          op, padTensor(rewriter, loc, adaptor.getInput(), op.getLow(),
                        op.getHigh(),
                        scalarAttr(type.getElementType(),
                                   op.getValue().convertToDouble())));
      return success();
    }
    bool reflect = op.getMode() == "reflect";
    Value input = adaptor.getInput();
    int64_t rank = type.getRank();
    rewriter.replaceOp(
        op,
        buildGeneric(
            rewriter, loc, ValueRange{}, {}, createEmpty(rewriter, loc, type),
            rewriter.getMultiDimIdentityMap(rank),
            [&](OpBuilder &b, Location l, ValueRange) -> Value {
              SmallVector<Value> position;
              for (int64_t d = 0; d < rank; ++d)
                position.push_back(
                    inType.isDynamicDim(d) // the batch: not padded
                        ? linalg::IndexOp::create(b, l, d).getResult()
                        : padSourceIndex(b, l, linalg::IndexOp::create(b, l, d),
                                         op.getLow()[d], inType.getDimSize(d),
                                         reflect));
              return tensor::ExtractOp::create(b, l, input, position);
            }));
    return success();
  }
};

/// The size as an index, converted to the result's float scalar.
struct DimSizeLowering : OpConversionPattern<nn::DimSizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::DimSizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value size =
        tensor::DimOp::create(rewriter, loc, adaptor.getInput(), op.getAxis());
    Value asInt =
        arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), size);
    Value asFloat =
        arith::SIToFPOp::create(rewriter, loc, type.getElementType(), asInt);
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, type,
                                                        ValueRange{asFloat});
    return success();
  }
};

} // namespace

void nncc::populateNnTensorToLinalgPatterns(RewritePatternSet &patterns) {
  patterns
      .add<DimSizeLowering, ConstantLowering, ReshapeLowering,
           TransposeLowering, BroadcastLowering, OneHotLowering, ConcatLowering,
           SliceLowering, SliceBackwardLowering, CastLowering, GatherLowering,
           GatherBackwardLowering, PadLowering>(patterns.getContext());
}
