//===- ConvGrad.cpp - convolution gradients as contractions -----*- C++ -*-===//
//
// Faster forms of nn.conv2d_backward_input and nn.conv2d_backward_filter for
// the common case, tried before the gather forms of Grad.cpp (which handle
// every case, but as scalar loops that no code generator tiles):
//
// - The input gradient is itself a stride-1 convolution: of the gradient,
//   padded by the kernel's extent less the forward padding (for a strided
//   convolution, its elements spread strides apart over zeros), with the
//   filter flipped in space and its two channel dimensions swapped. It
//   becomes linalg.conv_2d_nchw_fchw, which the code generators already
//   turn into register-tiled contractions.
// - The filter gradient is a matmul per image, dY[n] [F, OH*OW] times the
//   image's patches [OH*OW, C*KH*KW] (an im2col copy with the patch
//   innermost, so the product's rows are contiguous). The per-image
//   products are summed in sumAccumulatorType and rounded once, as the
//   gather form does: each f32 sum then spans one image, not the batch.
//   With few filters at unit strides and dilations it is a per-image
//   correlation of the input with the gradient instead (no patches; the
//   matmul would be only F rows wide), summed over the batch the same way;
//   with one or two vectors' worth of filters, a correlation with the
//   filters innermost (no patches either; see
//   Conv2DBackwardFilterFiltersInnermost).
//
// All apply to ungrouped convolutions whose temporaries (the padded
// gradient or input, the patches, the per-image products) stay under
// kConvGradCopyLimitBytes; the others keep the gather forms.
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

/// The cap on each temporary these forms add, in bytes. A dynamic batch
/// counts as one image: its size is the caller's choice.
constexpr int64_t kConvGradCopyLimitBytes = int64_t(64) << 20;

/// The most filters for which a filter gradient is a correlation rather
/// than a batch matmul: the matmul's rows are the filters, so with fewer
/// than a vector's worth its FMAs wait on each other (the direct
/// convolution's threshold, CpuMachine::directConvMaxFilters, for the same
/// reason).
constexpr int64_t kCorrelationMaxFilters = 8;

/// The filter counts whose gradient is a correlation with the filters
/// innermost, vectorized along them: multiples of 16 (whole vectors of 4, 8
/// or 16 f32 lanes) up to 32. LeNet-5's second layer (16 filters) measured;
/// wider layers keep the batch matmul until measured.
constexpr int64_t kFiltersInnermostMultiple = 16;
constexpr int64_t kFiltersInnermostMax = 32;

/// Whether a tensor of `shape` with `elementType` elements fits the cap.
bool fitsCopyLimit(ArrayRef<int64_t> shape, Type elementType) {
  int64_t bytes = elementType.getIntOrFloatBitWidth() / 8;
  for (int64_t size : shape)
    bytes *= ShapedType::isDynamic(size) ? 1 : size;
  return bytes <= kConvGradCopyLimitBytes;
}

/// f32 and f64 only: a narrower float would sum an image's products in its
/// own precision.
bool hasContractionElementType(RankedTensorType type) {
  return type.getElementType().isF32() || type.getElementType().isF64();
}

/// The sum over the batch (dimension 0) of per-image products [N, ...], in
/// sumAccumulatorType and rounded once, the batch the outer loop so that
/// the inner loop runs along rows.
Value sumOverImages(OpBuilder &b, Location loc, Value products) {
  auto type = cast<RankedTensorType>(products.getType());
  Type elementType = type.getElementType();
  Type accType = sumAccumulatorType(elementType);
  unsigned rank = type.getRank();
  auto sumType = RankedTensorType::get(type.getShape().drop_front(), accType);
  Value sum = buildGeneric(
      b, loc, products, b.getMultiDimIdentityMap(rank),
      createFilled(b, loc, sumType, scalarAttr(accType, 0.0)),
      dropDimsMap(b.getContext(), rank, llvm::to_vector(llvm::seq(1u, rank))),
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value product = args[0];
        if (accType != elementType)
          product = arith::ExtFOp::create(nb, l, accType, product);
        return arith::AddFOp::create(nb, l, args[1], product);
      });
  return castElements(b, loc, sum, elementType);
}

/// dx = conv2d(pad(spread(dy)), flip(filter)^T), stride 1, the forward
/// dilation. Along one spatial dimension with stride s and kernel extent
/// E = d * (K - 1) + 1, spread(dy)[j] = dy[j / s] where s divides j, else 0
/// (D = (OH - 1) * s + 1 elements), and
/// dx[h] = sum over k of spread(dy)[h + pad - k * d] * w[k]
///       = sum over k' of dypad[h + k' * d] * w[K - 1 - k'],
/// with spread(dy) padded by E - 1 - pad before and H + E - 1 - D - that
/// after.
struct Conv2DBackwardInputAsConv
    : OpConversionPattern<nn::Conv2DBackwardInputOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2DBackwardInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    auto gradType = op.getGrad().getType();
    auto filterType = op.getFilter().getType();
    ArrayRef<int64_t> strides = op.getStrides(), pad = op.getPadding(),
                      dilations = op.getDilations();
    if (op.getGroups() != 1 || !hasContractionElementType(type))
      return rewriter.notifyMatchFailure(op, "grouped");
    SmallVector<int64_t> low = {0, 0}, high = {0, 0};
    SmallVector<int64_t> paddedShape(gradType.getShape().take_front(2));
    for (int i = 0; i < 2; ++i) {
      int64_t extent = dilations[i] * (filterType.getDimSize(2 + i) - 1) + 1;
      // The gradient with strides[i] - 1 zeros between its elements.
      int64_t spread = (gradType.getDimSize(2 + i) - 1) * strides[i] + 1;
      low.push_back(extent - 1 - pad[i]);
      high.push_back(type.getDimSize(2 + i) + extent - 1 - spread - low.back());
      paddedShape.push_back(type.getDimSize(2 + i) + extent - 1);
    }
    bool strided = llvm::any_of(strides, [](int64_t s) { return s != 1; });
    if (strided && gradType.isDynamicDim(0))
      return rewriter.notifyMatchFailure(op, "strided, dynamic batch");
    if (llvm::any_of(low, [](int64_t p) { return p < 0; }) ||
        llvm::any_of(high, [](int64_t p) { return p < 0; }))
      return rewriter.notifyMatchFailure(op, "padding beyond the kernel");
    if (!fitsCopyLimit(paddedShape, type.getElementType()))
      return rewriter.notifyMatchFailure(op, "padded gradient too large");

    Location loc = op.getLoc();
    Type elementType = type.getElementType();
    Value grad;
    if (!strided) {
      grad = padTensor(rewriter, loc, adaptor.getGrad(), low, high,
                       scalarAttr(elementType, 0.0));
    } else {
      // The gradient's elements strides apart in a zero tensor. Of the
      // multiply-adds, 1 / (sh * sw) are with its own elements, the rest
      // with the zeros; the gather form did only the first, but as scalar
      // loops with bounds tests: with this form ResNet-18's train step
      // (batch 2, 64x64, one thread) took 0.61x the time.
      grad = tensor::InsertSliceOp::create(
          rewriter, loc, adaptor.getGrad(),
          createFilled(rewriter, loc,
                       RankedTensorType::get(paddedShape, elementType),
                       scalarAttr(elementType, 0.0)),
          getAsIndexOpFoldResult(getContext(), {0, 0, low[2], low[3]}),
          getAsIndexOpFoldResult(getContext(), gradType.getShape()),
          getAsIndexOpFoldResult(getContext(), {1, 1, strides[0], strides[1]}));
    }
    // flipped[c, f, kh, kw] = filter[f, c, KH - 1 - kh, KW - 1 - kw], read
    // with tensor.extract: an indexing map with a negative coefficient
    // would not survive tiling (slices are sized as if maps only grew).
    int64_t kh = filterType.getDimSize(2), kw = filterType.getDimSize(3);
    auto flippedType = RankedTensorType::get(
        {filterType.getDimSize(1), filterType.getDimSize(0), kh, kw},
        elementType);
    Value filter = adaptor.getFilter();
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    Value flipped = buildGeneric(
        rewriter, loc, ValueRange{}, {},
        createEmpty(rewriter, loc, flippedType), identity,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          auto index = [&](unsigned dim) {
            return linalg::IndexOp::create(b, l, dim).getResult();
          };
          auto reversed = [&](unsigned dim, int64_t size) -> Value {
            Value last = arith::ConstantIndexOp::create(b, l, size - 1);
            return arith::SubIOp::create(b, l, last, index(dim));
          };
          return tensor::ExtractOp::create(
              b, l, filter,
              ValueRange{index(1), index(0), reversed(2, kh), reversed(3, kw)});
        });
    Value init = createFilled(rewriter, loc, type, scalarAttr(elementType, 0));
    rewriter.replaceOp(op, linalg::Conv2DNchwFchwOp::create(
                               rewriter, loc, TypeRange{type},
                               ValueRange{grad, flipped}, ValueRange{init},
                               rewriter.getI64TensorAttr({1, 1}),
                               rewriter.getI64TensorAttr(dilations))
                               .getResults());
    return success();
  }
};

/// dW[f, (c, kh, kw)] = sum over n of (sum over p of dy[n, f, p] *
/// patches[n, p, (c, kh, kw)]), p = (oh, ow) and patches[n, oh, ow, c, kh,
/// kw] = xpad[n, c, oh * sh + kh * dh, ow * sw + kw * dw].
struct Conv2DBackwardFilterAsMatmul
    : OpConversionPattern<nn::Conv2DBackwardFilterOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2DBackwardFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    auto gradType = op.getGrad().getType();
    Type elementType = type.getElementType();
    int64_t batch = gradType.getDimSize(0), filters = type.getDimSize(0);
    int64_t outH = gradType.getDimSize(2), outW = gradType.getDimSize(3);
    int64_t patch =
        type.getDimSize(1) * type.getDimSize(2) * type.getDimSize(3);
    SmallVector<int64_t> patchesShape = {batch,
                                         outH,
                                         outW,
                                         type.getDimSize(1),
                                         type.getDimSize(2),
                                         type.getDimSize(3)};
    if (op.getGroups() != 1 || !hasContractionElementType(type))
      return rewriter.notifyMatchFailure(op, "grouped");
    if (!fitsCopyLimit(patchesShape, elementType) ||
        !fitsCopyLimit({batch, filters, patch}, elementType))
      return rewriter.notifyMatchFailure(op, "patches too large");

    Location loc = op.getLoc();
    ArrayRef<int64_t> strides = op.getStrides(), pad = op.getPadding(),
                      dilations = op.getDilations();
    Value input = padSpatially(rewriter, loc, adaptor.getInput(), pad);
    // Loops (n, oh, ow, c, kh, kw).
    MLIRContext *ctx = getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap inputMap =
        AffineMap::get(6, 0,
                       {d(0), d(3), d(1) * strides[0] + d(4) * dilations[0],
                        d(2) * strides[1] + d(5) * dilations[1]},
                       ctx);
    auto patchesType = RankedTensorType::get(patchesShape, elementType);
    Value patches = buildGeneric(
        rewriter, loc, input, inputMap, createEmpty(rewriter, loc, patchesType),
        rewriter.getMultiDimIdentityMap(6),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });

    // Per image: [F, P] x [P, C*KH*KW].
    int64_t positions = outH * outW;
    Value lhs = tensor::CollapseShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({batch, filters, positions}, elementType),
        adaptor.getGrad(), SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    Value rhs = tensor::CollapseShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({batch, positions, patch}, elementType), patches,
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3, 4, 5}});
    auto productsType =
        RankedTensorType::get({batch, filters, patch}, elementType);
    Value products =
        linalg::BatchMatmulOp::create(
            rewriter, loc, TypeRange{productsType}, ValueRange{lhs, rhs},
            ValueRange{createFilled(rewriter, loc, productsType,
                                    scalarAttr(elementType, 0.0))})
            .getResult(0);

    Value sum = sumOverImages(rewriter, loc, products);
    rewriter.replaceOp(op,
                       tensor::ExpandShapeOp::create(
                           rewriter, loc, type, sum,
                           SmallVector<ReassociationIndices>{{0}, {1, 2, 3}}));
    return success();
  }
};

/// Whether `op` is an ungrouped f32 convolution gradient of static shapes
/// at unit strides and dilations, whose padded input and per-image products
/// (`productsShape`, batch first) fit the cap: what the correlation forms
/// below take.
bool isUnitCorrelation(nn::Conv2DBackwardFilterOp op,
                       ArrayRef<int64_t> productsShape) {
  RankedTensorType type = op.getType();
  auto inputType = op.getInput().getType();
  auto unit = [](ArrayRef<int64_t> values) {
    return llvm::all_of(values, [](int64_t v) { return v == 1; });
  };
  if (op.getGroups() != 1 || !type.getElementType().isF32() ||
      !type.hasStaticShape() || !op.getGrad().getType().hasStaticShape() ||
      !inputType.hasStaticShape() || !unit(op.getStrides()) ||
      !unit(op.getDilations()))
    return false;
  // The padded input (its rows widened to whole vectors by the CPU code
  // generator) and the per-image products stay under the cap.
  ArrayRef<int64_t> pad = op.getPadding();
  SmallVector<int64_t> paddedShape(inputType.getShape());
  paddedShape[2] += pad[0] + pad[2];
  paddedShape[3] += pad[1] + pad[3];
  return fitsCopyLimit(paddedShape, type.getElementType()) &&
         fitsCopyLimit(productsShape, type.getElementType());
}

/// `value` transposed by `permutation` into a new tensor of `shape`.
Value transposed(OpBuilder &b, Location loc, Value value,
                 ArrayRef<int64_t> shape, ArrayRef<int64_t> permutation) {
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(value.getType()).getElementType());
  return linalg::TransposeOp::create(b, loc, value, createEmpty(b, loc, type),
                                     permutation)
      .getResult()
      .front();
}

/// The per-image products of a correlation: a generic over 7 loops of
/// `grad` and `input` by their maps into a zero `productsShape` tensor.
Value correlate(OpBuilder &b, Location loc, Value grad, AffineMap gradMap,
                Value input, AffineMap inputMap,
                ArrayRef<int64_t> productsShape, AffineMap productMap) {
  Type f32 = b.getF32Type();
  return buildGeneric(
      b, loc, ValueRange{grad, input}, {gradMap, inputMap},
      createFilled(b, loc, RankedTensorType::get(productsShape, f32),
                   scalarAttr(f32, 0.0)),
      productMap, [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
        return arith::AddFOp::create(nb, l, product, args[2]);
      });
}

/// dW[f, c, kh, kw] = sum over n of (sum over (oh, ow) of dy[n, f, oh, ow] *
/// xpad[n, c, oh + kh, ow + kw]), for few filters at unit strides and
/// dilations: the per-image sums are one generic over (n, f, c, kh, kw,
/// oh, ow), a correlation of each image's input with its gradient, which
/// the CPU code generator runs vectorized along ow without copying patches
/// (ConvTiling.cpp, tileFilterCorrelation); the batch matmul's product of
/// [F, OH*OW] by [OH*OW, C*KH*KW] would be F rows wide, its patches copied
/// in pieces of KW elements (LeNet-5's first layer: 6 rows, 5-float
/// pieces, the copy two thirds of its time).
struct Conv2DBackwardFilterAsCorrelation
    : OpConversionPattern<nn::Conv2DBackwardFilterOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2DBackwardFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    SmallVector<int64_t> productsShape = {op.getGrad().getType().getDimSize(0)};
    llvm::append_range(productsShape, type.getShape());
    if (type.getDimSize(0) > kCorrelationMaxFilters ||
        !isUnitCorrelation(op, productsShape))
      return rewriter.notifyMatchFailure(op, "not a few-filter correlation");

    Location loc = op.getLoc();
    Value input =
        padSpatially(rewriter, loc, adaptor.getInput(), op.getPadding());
    // Loops (n, f, c, kh, kw, oh, ow).
    MLIRContext *ctx = getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    Value products = correlate(
        rewriter, loc, adaptor.getGrad(),
        AffineMap::get(7, 0, {d(0), d(1), d(5), d(6)}, ctx), input,
        AffineMap::get(7, 0, {d(0), d(2), d(5) + d(3), d(6) + d(4)}, ctx),
        productsShape,
        AffineMap::get(7, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx));
    rewriter.replaceOp(op, sumOverImages(rewriter, loc, products));
    return success();
  }
};

/// The same correlation with the filters innermost, for one or two
/// vectors' worth of them (kFiltersInnermostMultiple): the gradient
/// transposed per image to dyT[n, oh, ow, f], the per-image sums
/// p[n, c, kh, kw, f] = sum over (oh, ow) of xpad[n, c, oh + kh, ow + kw] *
/// dyT[n, oh, ow, f], which the CPU code generator runs as register tiles
/// of (c, kh, kw) broadcasts of the input by vectors of filters, read in
/// place (ConvTiling.cpp, tileFiltersInnermostCorrelation), and their sum
/// over the batch transposed once to [F, C, KH, KW]. The batch matmul
/// copied every image's patches (LeNet-5's second layer: 100 x 150 floats
/// in pieces of 5, a quarter of that layer's filter gradient) and read its
/// [16, 100] gradient rows as 16 broadcasts per vector of patches.
struct Conv2DBackwardFilterFiltersInnermost
    : OpConversionPattern<nn::Conv2DBackwardFilterOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2DBackwardFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    auto gradType = op.getGrad().getType();
    int64_t filters = type.getDimSize(0), batch = gradType.getDimSize(0);
    // [N, C, KH, KW, F].
    SmallVector<int64_t> productsShape = {batch};
    llvm::append_range(productsShape, type.getShape().drop_front());
    productsShape.push_back(filters);
    if (filters % kFiltersInnermostMultiple != 0 ||
        filters > kFiltersInnermostMax || !isUnitCorrelation(op, productsShape))
      return rewriter.notifyMatchFailure(op, "not a filters-innermost case");

    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    Value input =
        padSpatially(rewriter, loc, adaptor.getInput(), op.getPadding());
    Value gradT = transposed(
        rewriter, loc, adaptor.getGrad(),
        {batch, gradType.getDimSize(2), gradType.getDimSize(3), filters},
        {0, 2, 3, 1});
    // Loops (n, c, kh, kw, f, oh, ow).
    MLIRContext *ctx = getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    Value products = correlate(
        rewriter, loc, gradT,
        AffineMap::get(7, 0, {d(0), d(5), d(6), d(4)}, ctx), input,
        AffineMap::get(7, 0, {d(0), d(1), d(5) + d(2), d(6) + d(3)}, ctx),
        productsShape,
        AffineMap::get(7, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx));
    // [C, KH, KW, F] as [C * KH * KW, F], transposed.
    Value sum = sumOverImages(rewriter, loc, products);
    int64_t patch = type.getNumElements() / filters;
    Value rows = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({patch, filters}, f32), sum,
        SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
    Value filterRows =
        transposed(rewriter, loc, rows, {filters, patch}, {1, 0});
    rewriter.replaceOp(op,
                       tensor::ExpandShapeOp::create(
                           rewriter, loc, type, filterRows,
                           SmallVector<ReassociationIndices>{{0}, {1, 2, 3}}));
    return success();
  }
};

} // namespace

void nncc::populateNnConvGradContractionPatterns(RewritePatternSet &patterns) {
  // Benefit 2: tried before the gather forms, which match every op.
  patterns.add<Conv2DBackwardInputAsConv, Conv2DBackwardFilterAsMatmul>(
      patterns.getContext(), /*benefit=*/2);
  // Benefit 3: tried before the batch matmul, which takes its cases too.
  patterns.add<Conv2DBackwardFilterAsCorrelation,
               Conv2DBackwardFilterFiltersInnermost>(patterns.getContext(),
                                                     /*benefit=*/3);
}
