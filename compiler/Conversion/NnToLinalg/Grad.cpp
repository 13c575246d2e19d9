//===- Grad.cpp - nn backward helpers to linalg -----------------*- C++ -*-===//
//
// The backward helpers of NnTrainOps.td. Their results are computed in
// gather form: every element of an input gradient sums, in a
// linalg.generic, the contributions of the output positions whose window
// covers it, so no two iterations write one element and the loops stay
// parallel. Where a covering window's position is not an affine function of
// the loop indices (strides), the body computes it and reads the gradient
// with tensor.extract. The filter gradient is an affine correlation.
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

/// grad where `x` > 0, else negative(grad, x): the gradients of piecewise
/// activations.
Value buildPiecewiseGrad(
    OpBuilder &b, Operation *op, Value grad, Value x,
    function_ref<Value(OpBuilder &, Location, Value, Value)> negative) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  Location loc = op->getLoc();
  return buildGeneric(
      b, loc, ValueRange{grad, x}, {identity, identity},
      createEmpty(b, loc, type), identity,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value zero =
            arith::ConstantOp::create(nb, l, scalarAttr(args[0].getType(), 0));
        Value positive = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT,
                                               args[1], zero);
        return arith::SelectOp::create(nb, l, positive, args[0],
                                       negative(nb, l, args[0], args[1]));
      });
}

struct ReluGradLowering : OpConversionPattern<nn::ReluGradOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ReluGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double slope = op.getNegativeSlope().convertToDouble();
    rewriter.replaceOp(
        op, buildPiecewiseGrad(
                rewriter, op, adaptor.getGrad(), adaptor.getInput(),
                [&](OpBuilder &b, Location l, Value g, Value) -> Value {
                  if (slope == 0.0)
                    return arith::ConstantOp::create(
                        b, l, scalarAttr(g.getType(), 0.0));
                  Value s = arith::ConstantOp::create(
                      b, l, scalarAttr(g.getType(), slope));
                  return arith::MulFOp::create(b, l, g, s);
                }));
    return success();
  }
};

/// elu' is 1 where the result is positive, result + alpha elsewhere.
struct EluGradLowering : OpConversionPattern<nn::EluGradOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::EluGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double alpha = op.getAlpha().convertToDouble();
    rewriter.replaceOp(
        op, buildPiecewiseGrad(
                rewriter, op, adaptor.getGrad(), adaptor.getResultValue(),
                [&](OpBuilder &b, Location l, Value g, Value y) -> Value {
                  Value a = arith::ConstantOp::create(
                      b, l, scalarAttr(g.getType(), alpha));
                  return arith::MulFOp::create(
                      b, l, g, arith::AddFOp::create(b, l, y, a));
                }));
    return success();
  }
};

/// Index arithmetic inside a generic body.
struct IndexMath {
  OpBuilder &b;
  Location loc;

  Value constant(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value loop(unsigned dim) { return linalg::IndexOp::create(b, loc, dim); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t c) {
    return arith::MulIOp::create(b, loc, x, constant(c));
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }

  /// The output position whose window, at kernel offset `k`, covers input
  /// position `i` along one dimension: (i + pad - k * dilation) / stride
  /// when that is a whole number in [0, outSize). Returns (valid, position),
  /// the position clamped to 0 when invalid so that it can index safely.
  std::pair<Value, Value> coveringWindow(Value i, Value k, int64_t pad,
                                         int64_t dilation, int64_t stride,
                                         int64_t outSize) {
    Value offset = sub(add(i, constant(pad)), mul(k, dilation));
    Value zero = constant(0);
    Value valid = cmp(arith::CmpIPredicate::sge, offset, zero);
    Value safe = select(valid, offset, zero);
    Value position = arith::DivUIOp::create(b, loc, safe, constant(stride));
    if (stride != 1) {
      Value rem = arith::RemUIOp::create(b, loc, safe, constant(stride));
      valid = both(valid, cmp(arith::CmpIPredicate::eq, rem, zero));
    }
    valid = both(valid,
                 cmp(arith::CmpIPredicate::slt, position, constant(outSize)));
    return {valid, select(valid, position, zero)};
  }
};

/// dx[n, g, c, h, w] = sum over (f, kh, kw) of dy[n, g, f, oh, ow] *
/// filter[g, f, c, kh, kw] for the windows (oh, ow) that cover (h, w).
struct Conv2DBackwardInputLowering
    : OpConversionPattern<nn::Conv2DBackwardInputOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2DBackwardInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    int64_t groups = op.getGroups();
    auto gradType = op.getGrad().getType();
    ArrayRef<int64_t> strides = op.getStrides(), pad = op.getPadding(),
                      dilations = op.getDilations();
    Value grad = splitGroups(rewriter, loc, adaptor.getGrad(), 1, groups);
    Value filter = splitGroups(rewriter, loc, adaptor.getFilter(), 0, groups);
    Value init = createFilled(rewriter, loc, splitGroupsType(type, 1, groups),
                              scalarAttr(elementType, 0.0));
    // Loops (n, g, c, h, w, f, kh, kw).
    MLIRContext *ctx = getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap filterMap =
        AffineMap::get(8, 0, {d(1), d(5), d(2), d(6), d(7)}, ctx);
    AffineMap outMap =
        AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx);
    int64_t outH = gradType.getDimSize(2), outW = gradType.getDimSize(3);
    Value result = buildGeneric(
        rewriter, loc, filter, filterMap, init, outMap,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          IndexMath m{b, l};
          auto [validH, oh] = m.coveringWindow(m.loop(3), m.loop(6), pad[0],
                                               dilations[0], strides[0], outH);
          auto [validW, ow] = m.coveringWindow(m.loop(4), m.loop(7), pad[1],
                                               dilations[1], strides[1], outW);
          Value g = tensor::ExtractOp::create(
              b, l, grad, ValueRange{m.loop(0), m.loop(1), m.loop(5), oh, ow});
          Value product = arith::MulFOp::create(b, l, g, args[0]);
          Value sum = arith::AddFOp::create(b, l, args[1], product);
          return m.select(m.both(validH, validW), sum, args[1]);
        });
    rewriter.replaceOp(op, mergeGroups(rewriter, loc, result, 1, type));
    return success();
  }
};

/// dW[g, f, c, kh, kw] = sum over (n, oh, ow) of dy[n, g, f, oh, ow] *
/// xpad[n, g, c, oh * sh + kh * dh, ow * sw + kw * dw]: affine.
struct Conv2DBackwardFilterLowering
    : OpConversionPattern<nn::Conv2DBackwardFilterOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2DBackwardFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    int64_t groups = op.getGroups();
    ArrayRef<int64_t> strides = op.getStrides(), pad = op.getPadding(),
                      dilations = op.getDilations();
    Value input = padSpatially(rewriter, loc, adaptor.getInput(), pad);
    input = splitGroups(rewriter, loc, input, 1, groups);
    Value grad = splitGroups(rewriter, loc, adaptor.getGrad(), 1, groups);
    // Sums over N*H*W: accumulated in f64, rounded once (sumAccumulatorType).
    Type accType = sumAccumulatorType(elementType);
    Value init = createFilled(rewriter, loc,
                              splitGroupsType(type, 0, groups).clone(accType),
                              scalarAttr(accType, 0.0));
    // Loops (g, f, c, kh, kw, n, oh, ow).
    MLIRContext *ctx = getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap gradMap =
        AffineMap::get(8, 0, {d(5), d(0), d(1), d(6), d(7)}, ctx);
    AffineMap inputMap = AffineMap::get(
        8, 0,
        {d(5), d(0), d(2), d(6) * strides[0] + d(3) * dilations[0],
         d(7) * strides[1] + d(4) * dilations[1]},
        ctx);
    AffineMap outMap =
        AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx);
    Value result = buildGeneric(
        rewriter, loc, ValueRange{grad, input}, {gradMap, inputMap}, init,
        outMap, [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          if (accType != elementType)
            product = arith::ExtFOp::create(b, l, accType, product);
          return arith::AddFOp::create(b, l, args[2], product);
        });
    result = castElements(rewriter, loc, result, elementType);
    rewriter.replaceOp(op, mergeGroups(rewriter, loc, result, 0, type));
    return success();
  }
};

} // namespace

Value nncc::lowering::windowArgmax(OpBuilder &b, Location l, ValueRange window,
                                   ArrayRef<int64_t> kernel, int64_t width) {
  IndexMath m{b, l};
  Value best, where;
  for (int64_t i = 0, e = window.size(); i < e; ++i) {
    Value h = m.add(m.mul(m.loop(2), kernel[0]), m.constant(i / kernel[1]));
    Value w = m.add(m.mul(m.loop(3), kernel[1]), m.constant(i % kernel[1]));
    Value flat = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                            m.add(m.mul(h, width), w));
    if (i == 0) {
      best = window[0];
      where = flat;
      continue;
    }
    Value better =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, window[i], best);
    best = m.select(better, window[i], best);
    where = m.select(better, flat, where);
  }
  return where;
}

namespace {

/// One pass over each window keeping the running maximum and its flat
/// index: strict > keeps the first maximum, and the -inf padding never
/// wins over a real element. (Disjoint windows whose maximum the forward
/// pass takes too get their indices from its pass instead, NN.cpp.)
struct MaxPool2DIndicesLowering : OpConversionPattern<nn::MaxPool2DIndicesOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::MaxPool2DIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto inType = op.getInput().getType();
    auto floatType = cast<FloatType>(inType.getElementType());
    auto lowest = FloatAttr::get(
        floatType, APFloat::getInf(floatType.getFloatSemantics(), true));
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                      pad = op.getPadding(), dilations = op.getDilations();
    int64_t width = inType.getDimSize(3);
    // Windows that neither overlap nor pad: one elementwise pass over the
    // kernel offsets' views, in the same order as the reduction below.
    SmallVector<Value> views =
        windowOffsetViews(rewriter, loc, adaptor.getInput(), type, kernel,
                          strides, pad, dilations);
    if (!views.empty()) {
      AffineMap identity = rewriter.getMultiDimIdentityMap(4);
      rewriter.replaceOp(
          op, buildGeneric(rewriter, loc, views,
                           SmallVector<AffineMap>(views.size(), identity),
                           createEmpty(rewriter, loc, type), identity,
                           [&](OpBuilder &b, Location l, ValueRange args) {
                             return windowArgmax(b, l,
                                                 args.take_front(views.size()),
                                                 kernel, width);
                           }));
      return success();
    }
    auto valuesType = type.clone(floatType);
    SmallVector<int64_t> high =
        poolHighPadding(inType, valuesType, kernel, strides, pad, dilations);
    Value padded = padTensor(rewriter, loc, adaptor.getInput(),
                             {0, 0, pad[0], pad[1]}, high, lowest);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, floatType);
    Value best = createFilled(rewriter, loc, valuesType, lowest);
    Value where = createFilled(rewriter, loc, type,
                               scalarAttr(type.getElementType(), 0.0));
    // Loops (n, c, oh, ow, kh, kw).
    MLIRContext *ctx = getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap inputMap =
        AffineMap::get(6, 0,
                       {d(0), d(1), d(2) * strides[0] + d(4) * dilations[0],
                        d(3) * strides[1] + d(5) * dilations[1]},
                       ctx);
    AffineMap windowMap = AffineMap::get(6, 0, {d(4), d(5)}, ctx);
    AffineMap outMap = AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, ctx);
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators.append(2, utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valuesType, type}, ValueRange{padded, window},
        ValueRange{best, where}, {inputMap, windowMap, outMap, outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          IndexMath m{b, l};
          // Position in the unpadded input.
          Value h = m.sub(m.add(m.mul(m.loop(2), strides[0]),
                                m.mul(m.loop(4), dilations[0])),
                          m.constant(pad[0]));
          Value w = m.sub(m.add(m.mul(m.loop(3), strides[1]),
                                m.mul(m.loop(5), dilations[1])),
                          m.constant(pad[1]));
          Value flat = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                  m.add(m.mul(h, width), w));
          Value better = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                               args[0], args[2]);
          linalg::YieldOp::create(b, l,
                                  ValueRange{m.select(better, args[0], args[2]),
                                             m.select(better, flat, args[3])});
        });
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

/// Shared by the pooling backward ops: dx[n, c, h, w] sums, over the kernel
/// offsets (kh, kw), contribution(oh, ow) of each window (oh, ow) covering
/// (h, w); `contribution` returns (include?, value).
Value gatherWindows(
    OpBuilder &b, Location loc, RankedTensorType type,
    RankedTensorType gradType, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> pad,
    ArrayRef<int64_t> dilations,
    function_ref<std::pair<Value, Value>(IndexMath &, Value oh, Value ow)>
        contribution) {
  Value init =
      createFilled(b, loc, type, scalarAttr(type.getElementType(), 0.0));
  Value window = tensor::EmptyOp::create(b, loc, kernel, type.getElementType());
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // Loops (n, c, h, w, kh, kw); the window operand only carries the
  // kernel's extent.
  AffineMap windowMap = AffineMap::get(6, 0, {d(4), d(5)}, ctx);
  AffineMap outMap = AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, ctx);
  return buildGeneric(
      b, loc, window, windowMap, init, outMap,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        IndexMath m{nb, l};
        auto [validH, oh] =
            m.coveringWindow(m.loop(2), m.loop(4), pad[0], dilations[0],
                             strides[0], gradType.getDimSize(2));
        auto [validW, ow] =
            m.coveringWindow(m.loop(3), m.loop(5), pad[1], dilations[1],
                             strides[1], gradType.getDimSize(3));
        auto [include, value] = contribution(m, oh, ow);
        Value sum = arith::AddFOp::create(nb, l, args[1], value);
        return m.select(m.both(m.both(validH, validW), include), sum, args[1]);
      });
}

/// The max-pooling gradient when the windows tile the input exactly (kernel
/// == strides, no padding or dilation, H = OH * KH and W = OW * KW: LeNet-5's
/// 2x2 pools). Each input element is in one window, so dx is one pass over
/// [N, C, OH, KH, OW, KW], viewed back as [N, C, H, W], that compares the
/// element's flat index with its window's argmax: no sum over the kernel
/// offsets, no integer division, no gather. The loops run (n, c, oh, kh, kw,
/// ow): the innermost one reads the argmax and the gradient along a row of
/// windows, so a row vectorizes (OW lanes, written with stride KW); with kw
/// innermost, each row was KW lanes wide and the rest scalar. Null when the
/// windows do not tile the input.
Value routeTiledWindows(OpBuilder &b, Location loc, nn::MaxPool2DBackwardOp op,
                        Value grad, Value indices) {
  RankedTensorType type = op.getType();
  ArrayRef<int64_t> kernel = op.getKernelShape();
  ArrayRef<int64_t> gradShape = op.getGrad().getType().getShape();
  ArrayRef<int64_t> shape = type.getShape();
  if (!windowsAreDisjoint(kernel, op.getStrides(), op.getPadding(),
                          op.getDilations()) ||
      ShapedType::isDynamic(shape[2]) || ShapedType::isDynamic(shape[3]) ||
      shape[2] != gradShape[2] * kernel[0] ||
      shape[3] != gradShape[3] * kernel[1])
    return nullptr;
  auto windowsType = RankedTensorType::get(
      {shape[0], shape[1], gradShape[2], kernel[0], gradShape[3], kernel[1]},
      type.getElementType());
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // Loops (n, c, oh, kh, kw, ow).
  AffineMap windowMap = AffineMap::get(6, 0, {d(0), d(1), d(2), d(5)}, ctx);
  AffineMap outMap =
      AffineMap::get(6, 0, {d(0), d(1), d(2), d(3), d(5), d(4)}, ctx);
  int64_t width = shape[3];
  Value windows =
      buildGeneric(b, loc, ValueRange{indices, grad}, {windowMap, windowMap},
                   createEmpty(b, loc, windowsType), outMap,
                   [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                     IndexMath m{nb, l};
                     Value h = m.add(m.mul(m.loop(2), kernel[0]), m.loop(3));
                     Value w = m.add(m.mul(m.loop(5), kernel[1]), m.loop(4));
                     Value here = arith::IndexCastOp::create(
                         nb, l, nb.getI64Type(), m.add(m.mul(h, width), w));
                     Value hit = arith::CmpIOp::create(
                         nb, l, arith::CmpIPredicate::eq, args[0], here);
                     Value zero = arith::ConstantOp::create(
                         nb, l, nb.getZeroAttr(type.getElementType()));
                     return m.select(hit, args[1], zero);
                   });
  return tensor::CollapseShapeOp::create(
      b, loc, type, windows,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}});
}

struct MaxPool2DBackwardLowering
    : OpConversionPattern<nn::MaxPool2DBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::MaxPool2DBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value grad = adaptor.getGrad(), indices = adaptor.getIndices();
    if (Value routed =
            routeTiledWindows(rewriter, op.getLoc(), op, grad, indices)) {
      rewriter.replaceOp(op, routed);
      return success();
    }
    int64_t width = type.getDimSize(3);
    rewriter.replaceOp(
        op,
        gatherWindows(rewriter, op.getLoc(), type, op.getGrad().getType(),
                      op.getKernelShape(), op.getStrides(), op.getPadding(),
                      op.getDilations(), [&](IndexMath &m, Value oh, Value ow) {
                        SmallVector<Value> at = {m.loop(0), m.loop(1), oh, ow};
                        Value index =
                            tensor::ExtractOp::create(m.b, m.loc, indices, at);
                        Value here = arith::IndexCastOp::create(
                            m.b, m.loc, m.b.getI64Type(),
                            m.add(m.mul(m.loop(2), width), m.loop(3)));
                        Value hit = arith::CmpIOp::create(
                            m.b, m.loc, arith::CmpIPredicate::eq, index, here);
                        Value g =
                            tensor::ExtractOp::create(m.b, m.loc, grad, at);
                        return std::make_pair(hit, g);
                      }));
    return success();
  }
};

struct AvgPool2DBackwardLowering
    : OpConversionPattern<nn::AvgPool2DBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::AvgPool2DBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto gradType = op.getGrad().getType();
    // Each window's gradient divided by its divisor, once per window.
    Value divisor =
        poolDivisors(rewriter, loc, type, gradType, op.getKernelShape(),
                     op.getStrides(), op.getPadding(), op.getCountIncludePad());
    MLIRContext *ctx = getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    AffineMap spatial = AffineMap::get(
        4, 0, {getAffineDimExpr(2, ctx), getAffineDimExpr(3, ctx)}, ctx);
    Value scaled = buildGeneric(
        rewriter, loc, ValueRange{adaptor.getGrad(), divisor},
        {identity, spatial}, createEmpty(rewriter, loc, gradType), identity,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(b, l, args[0], args[1]);
        });
    rewriter.replaceOp(
        op,
        gatherWindows(
            rewriter, loc, type, gradType, op.getKernelShape(), op.getStrides(),
            op.getPadding(), {1, 1}, [&](IndexMath &m, Value oh, Value ow) {
              Value g = tensor::ExtractOp::create(
                  m.b, m.loc, scaled, ValueRange{m.loop(0), m.loop(1), oh, ow});
              Value yes = arith::ConstantIntOp::create(m.b, m.loc, 1, 1);
              return std::make_pair(yes, g);
            }));
    return success();
  }
};

} // namespace

void nncc::populateNnGradToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReluGradLowering, EluGradLowering, Conv2DBackwardInputLowering,
               Conv2DBackwardFilterLowering, MaxPool2DIndicesLowering,
               MaxPool2DBackwardLowering, AvgPool2DBackwardLowering>(
      patterns.getContext());
  populateNnConvGradContractionPatterns(patterns);
}
