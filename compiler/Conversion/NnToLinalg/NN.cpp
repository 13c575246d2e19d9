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
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

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
    Value input = padSpatially(rewriter, loc, adaptor.getInput(), pad);

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
    Value groupedInit = splitGroups(rewriter, loc, init, 1, groups);
    auto conv = linalg::Conv2DNgchwGfchwOp::create(
        rewriter, loc, TypeRange{groupedInit.getType()},
        ValueRange{splitGroups(rewriter, loc, input, 1, groups),
                   splitGroups(rewriter, loc, filter, 0, groups)},
        ValueRange{groupedInit}, strides, dilations);
    rewriter.replaceOp(op,
                       mergeGroups(rewriter, loc, conv.getResult(0), 1, type));
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

  /// The argmax a train step's backward pass takes of the same windows
  /// (nn.max_pool2d_indices, autodiff's rule), later in the block.
  static nn::MaxPool2DIndicesOp findIndices(nn::MaxPool2DOp op) {
    for (Operation *user : op.getInput().getUsers()) {
      auto indices = dyn_cast<nn::MaxPool2DIndicesOp>(user);
      if (indices && indices->getBlock() == op->getBlock() &&
          op->isBeforeInBlock(indices) &&
          indices.getKernelShape() == op.getKernelShape() &&
          indices.getStrides() == op.getStrides() &&
          indices.getPadding() == op.getPadding() &&
          indices.getDilations() == op.getDilations() &&
          indices.getCeilMode() == op.getCeilMode())
        return indices;
    }
    return nullptr;
  }

  /// The maximum and its index in one pass over the windows' views: the
  /// backward pass's own pass read the input again (LeNet-5's first pool,
  /// 1.2 MB at batch 64, in a 1.5 ms train step).
  static void lowerWithIndices(ConversionPatternRewriter &rewriter,
                               nn::MaxPool2DOp op,
                               nn::MaxPool2DIndicesOp indices,
                               ArrayRef<Value> views) {
    Location loc = op.getLoc();
    ArrayRef<int64_t> kernel = op.getKernelShape();
    int64_t width = op.getInput().getType().getDimSize(3);
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{op.getType(), indices.getType()}, views,
        ValueRange{createEmpty(rewriter, loc, op.getType()),
                   createEmpty(rewriter, loc, indices.getType())},
        SmallVector<AffineMap>(views.size() + 2, identity),
        SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          ValueRange window = args.take_front(views.size());
          Value best = window[0];
          for (Value next : window.drop_front())
            best = arith::MaximumFOp::create(b, l, best, next);
          linalg::YieldOp::create(
              b, l,
              ValueRange{best, windowArgmax(b, l, window, kernel, width)});
        });
    rewriter.replaceOp(op, generic.getResult(0));
    rewriter.replaceOp(indices, generic.getResult(1));
  }

  LogicalResult
  matchAndRewrite(nn::MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto floatType = cast<FloatType>(op.getType().getElementType());
    // Windows that neither overlap nor pad: the maximum of the views, one
    // elementwise op.
    SmallVector<Value> views =
        windowOffsetViews(rewriter, op.getLoc(), adaptor.getInput(),
                          op.getType(), op.getKernelShape(), op.getStrides(),
                          op.getPadding(), op.getDilations());
    if (!views.empty()) {
      AffineMap identity = rewriter.getMultiDimIdentityMap(4);
      if (nn::MaxPool2DIndicesOp indices = findIndices(op)) {
        lowerWithIndices(rewriter, op, indices, views);
        return success();
      }
      rewriter.replaceOp(
          op, buildGeneric(
                  rewriter, op.getLoc(), views,
                  SmallVector<AffineMap>(views.size(), identity),
                  createEmpty(rewriter, op.getLoc(), op.getType()), identity,
                  [&](OpBuilder &b, Location l, ValueRange args) {
                    Value best = args[0];
                    for (Value next : args.drop_front().drop_back())
                      best = arith::MaximumFOp::create(b, l, best, next);
                    return best;
                  }));
      return success();
    }
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
    int64_t count = 1;
    for (int64_t size : inType.getShape().drop_front(2))
      count *= size;
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

//===----------------------------------------------------------------------===//
// Batch normalization (nn.batch_norm, and nn.batch_norm_train of
// NnTrainOps.td, which shares its helpers)
//===----------------------------------------------------------------------===//

/// The map of a per-channel [C] operand in a loop nest over [N, C, ...].
AffineMap channelMap(OpBuilder &b, unsigned rank) {
  return AffineMap::get(rank, 0, {b.getAffineDimExpr(1)}, b.getContext());
}

/// (x - mean) * scale / sqrt(var + epsilon) + bias, per channel.
Value normalize(OpBuilder &b, Location loc, Value x, Value scale, Value bias,
                Value mean, Value var, double epsilon) {
  auto type = cast<RankedTensorType>(x.getType());
  unsigned rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap channel = channelMap(b, rank);
  return buildGeneric(
      b, loc, ValueRange{x, scale, bias, mean, var},
      {identity, channel, channel, channel, channel}, createEmpty(b, loc, type),
      identity, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value eps = arith::ConstantOp::create(
            nb, l, scalarAttr(a[0].getType(), epsilon));
        // 1 / sqrt: math.rsqrt would become a call to rsqrtf, which libm
        // does not have.
        Value one =
            arith::ConstantOp::create(nb, l, scalarAttr(a[0].getType(), 1.0));
        Value invStd = arith::DivFOp::create(
            nb, l, one,
            math::SqrtOp::create(nb, l,
                                 arith::AddFOp::create(nb, l, a[4], eps)));
        Value centered = arith::SubFOp::create(nb, l, a[0], a[3]);
        Value scaled = arith::MulFOp::create(
            nb, l, centered, arith::MulFOp::create(nb, l, invStd, a[1]));
        return arith::AddFOp::create(nb, l, scaled, a[2]);
      });
}

struct BatchNormLowering : OpConversionPattern<nn::BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, normalize(rewriter, op.getLoc(), adaptor.getInput(),
                                     adaptor.getScale(), adaptor.getBias(),
                                     adaptor.getMean(), adaptor.getVar(),
                                     op.getEpsilon().convertToDouble()));
    return success();
  }
};

/// The mean and biased variance of `x` over the loops `statsMap` leaves
/// out, as tensors of `statsType` (the loops it keeps): batch norm keeps the
/// channel, layer norm the leading dimensions. Two passes (the variance of
/// x minus the rounded mean, which normalize and the gradient subtract
/// too), each summing in sumAccumulatorType and rounding once at the end:
/// train-mode batch norm's gradient is only as exact as these statistics.
std::pair<Value, Value> meanAndVariance(OpBuilder &b, Location loc, Value x,
                                        AffineMap statsMap,
                                        RankedTensorType statsType) {
  auto type = cast<RankedTensorType>(x.getType());
  Type elementType = type.getElementType();
  Type accType = sumAccumulatorType(elementType);
  // A static count is a constant of the division's body; the batch's is
  // computed once, before it.
  Value batchCount = type.hasStaticShape()
                         ? Value()
                         : reducedCount(b, loc, type, statsMap, accType);
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  AffineMap same = b.getMultiDimIdentityMap(statsType.getRank());
  auto zeros = [&] {
    return createFilled(b, loc, statsType.clone(accType),
                        scalarAttr(accType, 0.0));
  };
  auto widen = [&](OpBuilder &nb, Location l, Value v) -> Value {
    if (accType == elementType)
      return v;
    return arith::ExtFOp::create(nb, l, accType, v);
  };
  auto divideByCount = [&](Value sum) {
    return buildGeneric(b, loc, sum, same, createEmpty(b, loc, statsType), same,
                        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          Value count = batchCount
                                            ? batchCount
                                            : reducedCount(nb, l, type,
                                                           statsMap, accType);
                          Value q = arith::DivFOp::create(nb, l, a[0], count);
                          if (accType == elementType)
                            return q;
                          return arith::TruncFOp::create(nb, l, elementType, q);
                        });
  };
  Value mean = divideByCount(buildGeneric(
      b, loc, x, identity, zeros(), statsMap,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::AddFOp::create(nb, l, a[1], widen(nb, l, a[0]));
      }));
  Value var = divideByCount(buildGeneric(
      b, loc, ValueRange{x, mean}, {identity, statsMap}, zeros(), statsMap,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value d = arith::SubFOp::create(nb, l, widen(nb, l, a[0]),
                                        widen(nb, l, a[1]));
        return arith::AddFOp::create(nb, l, a[2],
                                     arith::MulFOp::create(nb, l, d, d));
      }));
  return {mean, var};
}

/// The batch's mean and biased variance per channel, then the normalized
/// input.
struct BatchNormTrainLowering : OpConversionPattern<nn::BatchNormTrainOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::BatchNormTrainOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    auto [mean, var] =
        meanAndVariance(rewriter, loc, x, channelMap(rewriter, type.getRank()),
                        cast<RankedTensorType>(op.getBatchMean().getType()));
    Value y = normalize(rewriter, loc, x, adaptor.getScale(), adaptor.getBias(),
                        mean, var, op.getEpsilon().convertToDouble());
    rewriter.replaceOp(op, ValueRange{y, mean, var});
    return success();
  }
};

/// Mean and biased variance over the trailing dimensions from `axis`, then
/// the normalized, scaled and shifted input.
struct LayerNormLowering : OpConversionPattern<nn::LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank(), axis = op.getAxis();
    Type elementType = type.getElementType();
    auto leadingType =
        RankedTensorType::get(type.getShape().take_front(axis), elementType);
    double epsilon = op.getEpsilon().convertToDouble();
    MLIRContext *ctx = getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    SmallVector<unsigned> leadingDims, trailingDims;
    for (unsigned d = 0; d < rank; ++d)
      (d < axis ? leadingDims : trailingDims).push_back(d);
    AffineMap leading = dropDimsMap(ctx, rank, leadingDims);
    AffineMap trailing = dropDimsMap(ctx, rank, trailingDims);
    auto [mean, var] = meanAndVariance(rewriter, loc, x, leading, leadingType);
    rewriter.replaceOp(
        op, buildGeneric(
                rewriter, loc,
                ValueRange{x, mean, var, adaptor.getScale(), adaptor.getBias()},
                {identity, leading, leading, trailing, trailing},
                createEmpty(rewriter, loc, type), identity,
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Value eps = arith::ConstantOp::create(
                      b, l, scalarAttr(elementType, epsilon));
                  Value one = arith::ConstantOp::create(
                      b, l, scalarAttr(elementType, 1.0));
                  Value invStd = arith::DivFOp::create(
                      b, l, one,
                      math::SqrtOp::create(
                          b, l, arith::AddFOp::create(b, l, a[2], eps)));
                  Value xhat = arith::MulFOp::create(
                      b, l, arith::SubFOp::create(b, l, a[0], a[1]), invStd);
                  return arith::AddFOp::create(
                      b, l, arith::MulFOp::create(b, l, xhat, a[3]), a[4]);
                }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Dropout (nn.dropout, and nn.dropout_train of NnTrainOps.td)
//===----------------------------------------------------------------------===//

struct DropoutLowering : OpConversionPattern<nn::DropoutOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

/// splitmix64's finalizer of key + index * golden ratio: a well-mixed 64-bit
/// value per element, computed independently (so the loop stays parallel).
Value hashIndex(OpBuilder &b, Location loc, Value key, Value index) {
  auto c = [&](uint64_t v) {
    return arith::ConstantIntOp::create(b, loc, static_cast<int64_t>(v), 64);
  };
  auto mix = [&](Value z, int64_t shift, uint64_t factor) {
    Value shifted = arith::ShRUIOp::create(b, loc, z, c(shift));
    return arith::MulIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, z, shifted), c(factor));
  };
  Value z = arith::AddIOp::create(
      b, loc, key, arith::MulIOp::create(b, loc, index, c(0x9E3779B97F4A7C15)));
  z = mix(z, 30, 0xBF58476D1CE4E5B9);
  z = mix(z, 27, 0x94D049BB133111EB);
  return arith::XOrIOp::create(b, loc, z,
                               arith::ShRUIOp::create(b, loc, z, c(31)));
}

struct DropoutTrainLowering : OpConversionPattern<nn::DropoutTrainOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::DropoutTrainOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    unsigned rank = type.getRank();
    double ratio = op.getRatio().convertToDouble();
    uint64_t seed = static_cast<uint64_t>(op.getSeed());
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap scalar = AffineMap::get(rank, 0, {}, getContext());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type, type},
        ValueRange{adaptor.getInput(), adaptor.getStep()},
        ValueRange{createEmpty(rewriter, loc, type),
                   createEmpty(rewriter, loc, type)},
        {identity, scalar, identity, identity}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          // The element's row-major index.
          Value linear = arith::ConstantIndexOp::create(b, l, 0);
          for (unsigned d = 0; d < rank; ++d) {
            Value size =
                arith::ConstantIndexOp::create(b, l, type.getDimSize(d));
            linear = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, linear, size),
                linalg::IndexOp::create(b, l, d));
          }
          Value index =
              arith::IndexCastOp::create(b, l, b.getI64Type(), linear);
          Value key = arith::AddIOp::create(
              b, l, args[1],
              arith::ConstantIntOp::create(
                  b, l, static_cast<int64_t>(seed * 0xD1B54A32D192ED03ull),
                  64));
          Value hash = hashIndex(b, l, key, index);
          // The top 24 bits as a uniform number in [0, 1), compared in
          // integers: keep when u >= ratio.
          Value bits = arith::ShRUIOp::create(
              b, l, hash, arith::ConstantIntOp::create(b, l, 40, 64));
          int64_t threshold =
              static_cast<int64_t>(std::ceil(ratio * (1 << 24)));
          Value keep = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::uge, bits,
              arith::ConstantIntOp::create(b, l, threshold, 64));
          Type elementType = type.getElementType();
          Value scale = arith::ConstantOp::create(
              b, l, scalarAttr(elementType, 1.0 / (1.0 - ratio)));
          Value zero =
              arith::ConstantOp::create(b, l, scalarAttr(elementType, 0.0));
          Value mask = arith::SelectOp::create(b, l, keep, scale, zero);
          Value result = arith::MulFOp::create(b, l, args[0], mask);
          linalg::YieldOp::create(b, l, ValueRange{result, mask});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void nncc::populateNnNNToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, MaxPool2DLowering, AvgPool2DLowering,
               GlobalAvgPoolLowering, BatchNormLowering, BatchNormTrainLowering,
               LayerNormLowering, DropoutLowering, DropoutTrainLowering>(
      patterns.getContext());
}
