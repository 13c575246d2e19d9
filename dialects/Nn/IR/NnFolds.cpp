//===- NnFolds.cpp - constant folding of nn ops -----------------*- C++ -*-===//
//
// Folding keeps weight preprocessing out of the generated code: e.g. ONNX
// Gemm with transB=1 becomes a transpose of a constant, which folds here into
// a constant in the layout the matmul wants.
//
//===----------------------------------------------------------------------===//

#include "dialects/Nn/IR/NnOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace nncc::nn;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

namespace {
/// x * sigmoid(x) -> swish(x): one op, whose gradient rule needs only x.
struct MulBySigmoidToSwish : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    for (auto [x, other] : {std::pair(op.getLhs(), op.getRhs()),
                            std::pair(op.getRhs(), op.getLhs())}) {
      auto sigmoid = other.getDefiningOp<SigmoidOp>();
      if (sigmoid && sigmoid.getInput() == x && x.getType() == op.getType()) {
        rewriter.replaceOpWithNewOp<SwishOp>(op, x);
        return success();
      }
    }
    return failure();
  }
};
} // namespace

void MulOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *context) {
  patterns.add<MulBySigmoidToSwish>(context);
}

namespace {
/// Inference batch norm with constant scale, bias, mean and var is
/// y = x * a + c per channel, a = scale / sqrt(var + eps), c = bias -
/// mean * a. After a convolution with a constant filter (and bias) used only
/// here, a and c fold into the filter and bias; otherwise it becomes a
/// multiply and an add by per-channel constants.
struct FoldConstantBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr scale, bias, mean, var;
    if (!matchPattern(op.getScale(), m_Constant(&scale)) ||
        !matchPattern(op.getBias(), m_Constant(&bias)) ||
        !matchPattern(op.getMean(), m_Constant(&mean)) ||
        !matchPattern(op.getVar(), m_Constant(&var)))
      return failure();
    RankedTensorType type = op.getType();
    auto elementType = cast<FloatType>(type.getElementType());
    double eps = op.getEpsilon().convertToDouble();
    SmallVector<double> a, c;
    auto values = [](DenseElementsAttr attr) {
      SmallVector<double> out;
      for (const APFloat &v : attr.getValues<APFloat>())
        out.push_back(v.convertToDouble());
      return out;
    };
    SmallVector<double> s = values(scale), b = values(bias), m = values(mean),
                        v = values(var);
    for (size_t i = 0; i < s.size(); ++i) {
      a.push_back(s[i] / std::sqrt(v[i] + eps));
      c.push_back(b[i] - m[i] * a.back());
    }
    auto constant = [&](ArrayRef<int64_t> shape,
                        function_ref<double(int64_t)> element) -> Value {
      auto constType = RankedTensorType::get(shape, elementType);
      SmallVector<APFloat> out;
      for (int64_t i = 0; i < constType.getNumElements(); ++i) {
        APFloat f(element(i));
        bool lost;
        f.convert(elementType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &lost);
        out.push_back(f);
      }
      return ConstantOp::create(rewriter, op.getLoc(),
                                DenseElementsAttr::get(constType, out));
    };

    auto conv = op.getInput().getDefiningOp<Conv2DOp>();
    DenseElementsAttr filter, convBias;
    if (conv && conv->hasOneUse() &&
        matchPattern(conv.getFilter(), m_Constant(&filter)) &&
        (!conv.getBias() ||
         matchPattern(conv.getBias(), m_Constant(&convBias)))) {
      SmallVector<double> w = values(filter);
      SmallVector<double> cb =
          convBias ? values(convBias) : SmallVector<double>(a.size(), 0.0);
      int64_t perFilter = filter.getNumElements() / int64_t(a.size());
      ArrayRef<int64_t> filterShape = filter.getType().getShape();
      Value newFilter = constant(
          filterShape, [&](int64_t i) { return w[i] * a[i / perFilter]; });
      Value newBias = constant({int64_t(a.size())},
                               [&](int64_t i) { return cb[i] * a[i] + c[i]; });
      rewriter.replaceOpWithNewOp<Conv2DOp>(
          op, conv.getInput(), newFilter, newBias, conv.getStridesAttr(),
          conv.getPaddingAttr(), conv.getDilationsAttr(), conv.getGroupsAttr());
      rewriter.eraseOp(conv);
      return success();
    }

    SmallVector<int64_t> shape(type.getRank(), 1);
    shape[1] = type.getDimSize(1);
    Value mul = MulOp::create(rewriter, op.getLoc(), op.getInput(),
                              constant(shape, [&](int64_t i) { return a[i]; }));
    rewriter.replaceOpWithNewOp<AddOp>(
        op, mul, constant(shape, [&](int64_t i) { return c[i]; }));
    return success();
  }
};
} // namespace

void BatchNormOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<FoldConstantBatchNorm>(context);
}

OpFoldResult SumOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  return {};
}

OpFoldResult DimSizeOp::fold(FoldAdaptor) {
  int64_t size = getInput().getType().getDimSize(getAxis());
  if (ShapedType::isDynamic(size))
    return {};
  auto type = getType();
  return DenseElementsAttr::get(
      type, FloatAttr::get(type.getElementType(), double(size)));
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

/// Permutes the elements of a dense constant. Works on raw bytes so that one
/// routine serves every element type whose width is a whole number of bytes.
static DenseElementsAttr transposeConstant(DenseElementsAttr input,
                                           RankedTensorType resultType,
                                           ArrayRef<int64_t> perm) {
  if (input.isSplat())
    return input.resizeSplat(resultType);
  unsigned bits = input.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 != 0)
    return {};
  size_t elemBytes = bits / 8;
  ArrayRef<char> src = input.getRawData();
  ArrayRef<int64_t> inShape = input.getType().getShape();
  int64_t rank = inShape.size();

  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * inShape[d + 1];
  // Result dimension d walks input dimension perm[d].
  SmallVector<int64_t> strides(rank);
  for (int64_t d = 0; d < rank; ++d)
    strides[d] = inStrides[perm[d]];

  std::vector<char> dst(src.size());
  SmallVector<int64_t> index(rank, 0);
  ArrayRef<int64_t> outShape = resultType.getShape();
  int64_t total = resultType.getNumElements();
  for (int64_t linear = 0, offset = 0; linear < total; ++linear) {
    std::memcpy(&dst[linear * elemBytes], &src[offset * elemBytes], elemBytes);
    // Odometer increment of the result index, tracking the input offset.
    for (int64_t d = rank - 1; d >= 0; --d) {
      offset += strides[d];
      if (++index[d] < outShape[d])
        break;
      offset -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return DenseElementsAttr::getFromRawBuffer(resultType, dst);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i)
    identity &= perm[i] == static_cast<int64_t>(i);
  if (identity)
    return getInput();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return transposeConstant(dense, getType(), perm);
  return {};
}

namespace {
/// transpose(transpose(x, p), q) -> transpose(x, p[q]) (x itself when that
/// is the identity, by the folder).
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> perm;
    for (int64_t d : op.getPerm())
      perm.push_back(inner.getPerm()[d]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, inner.getInput(), perm);
    return success();
  }
};

/// (a @ b)^T -> b^T @ a^T for 2-D operands when one of them is itself a
/// transpose (which then cancels) and the other is no larger than the
/// product: a transpose of the product becomes a smaller one, or none. The
/// gradient of x @ w^T with respect to w is (x^T @ dy)^T: this makes it
/// dy^T @ x, in w's layout.
struct TransposeOfMatMul : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto matmul = op.getInput().getDefiningOp<MatMulOp>();
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!matmul || !type || type.getRank() != 2 ||
        op.getPerm() != ArrayRef<int64_t>{1, 0} || !matmul->hasOneUse())
      return failure();
    Value a = matmul.getLhs(), b = matmul.getRhs();
    auto aType = dyn_cast<RankedTensorType>(a.getType());
    auto bType = dyn_cast<RankedTensorType>(b.getType());
    if (!aType || !bType || aType.getRank() != 2 || bType.getRank() != 2 ||
        !aType.hasStaticShape() || !bType.hasStaticShape() ||
        !type.hasStaticShape())
      return failure();
    bool aTransposed = a.getDefiningOp<TransposeOp>() != nullptr;
    bool bTransposed = b.getDefiningOp<TransposeOp>() != nullptr;
    int64_t product = type.getNumElements();
    if (!(aTransposed && bType.getNumElements() <= product) &&
        !(bTransposed && aType.getNumElements() <= product))
      return failure();
    Location loc = op.getLoc();
    SmallVector<int64_t> swap = {1, 0};
    Value bt = TransposeOp::create(rewriter, loc, b, swap);
    Value at = TransposeOp::create(rewriter, loc, a, swap);
    rewriter.replaceOpWithNewOp<MatMulOp>(op, bt, at);
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<ComposeTransposes, TransposeOfMatMul>(context);
}

//===----------------------------------------------------------------------===//
// Padding folded into windows
//===----------------------------------------------------------------------===//

namespace {
/// The [top, left, bottom, right] padding an nn.pad adds to H and W, when it
/// pads only those (of an NCHW tensor) in constant mode with `value`.
std::optional<SmallVector<int64_t>>
spatialPadding(PadOp pad, function_ref<bool(double)> valueFits) {
  if (!pad || pad.getMode() != "constant" ||
      !valueFits(pad.getValue().convertToDouble()))
    return std::nullopt;
  ArrayRef<int64_t> low = pad.getLow(), high = pad.getHigh();
  if (low.size() != 4 || low[0] || low[1] || high[0] || high[1])
    return std::nullopt;
  return SmallVector<int64_t>{low[2], low[3], high[2], high[3]};
}

/// `padding` plus the folded pad's.
DenseI64ArrayAttr addPadding(Builder &b, ArrayRef<int64_t> padding,
                             ArrayRef<int64_t> extra) {
  SmallVector<int64_t> sum(padding);
  for (size_t i = 0; i < sum.size(); ++i)
    sum[i] += extra[i];
  return b.getDenseI64ArrayAttr(sum);
}

/// Which constant pads fold into each window op, and what folding changes
/// beyond the padding: zeros into a convolution; zeros into an average
/// pooling, which then counts its padding (allowed when it has none of its
/// own or counts it already); -inf, which never wins, into max pooling.
bool padFolds(Conv2DOp, double value) { return value == 0.0; }
bool padFolds(AvgPool2DOp op, double value) {
  bool ownPadding =
      llvm::any_of(op.getPadding(), [](int64_t p) { return p != 0; });
  return value == 0.0 && (!ownPadding || op.getCountIncludePad());
}
bool padFolds(MaxPool2DOp, double value) {
  return std::isinf(value) && value < 0;
}
void afterPadFold(Conv2DOp) {}
void afterPadFold(AvgPool2DOp op) { op.setCountIncludePad(true); }
void afterPadFold(MaxPool2DOp) {}

/// PyTorch exports padded average pooling (and TensorFlow padded
/// convolutions) as a Pad in front of the op: the pad becomes the op's own
/// padding.
template <typename OpTy> struct FoldPadIntoWindow : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto pad = op.getInput().template getDefiningOp<PadOp>();
    auto extra = spatialPadding(pad, [&](double v) { return padFolds(op, v); });
    if (!extra)
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(pad.getInput());
      op.setPaddingAttr(addPadding(rewriter, op.getPadding(), *extra));
      afterPadFold(op);
    });
    return success();
  }
};
} // namespace

void Conv2DOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                           MLIRContext *context) {
  patterns.add<FoldPadIntoWindow<Conv2DOp>>(context);
}
void AvgPool2DOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<FoldPadIntoWindow<AvgPool2DOp>>(context);
}
namespace {
/// max_pool2d(relu(x)) -> relu(max_pool2d(x)): relu is nondecreasing, so the
/// maximum of a window's relus is the relu of its maximum, bit for bit
/// (NaNs and signed zeros included), and the relu then runs on the pooled
/// tensor, a quarter of the size for 2x2 windows, fused into the pooling's
/// loop. A train step's backward pass follows: the relu's gradient at the
/// pooled size, the pooling's scattered straight into the convolution's
/// output gradient, and no window's gradient changes (where the windows'
/// maxima differ, relu is 0 at both and its gradient stops the pooling's).
/// Only without padding: a window of padding alone would be -inf before and
/// 0 after.
struct PoolBeforeRelu : OpRewritePattern<MaxPool2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPool2DOp op,
                                PatternRewriter &rewriter) const override {
    auto relu = op.getInput().getDefiningOp<ReluOp>();
    if (!relu || !relu->hasOneUse() ||
        llvm::any_of(op.getPadding(), [](int64_t p) { return p != 0; }))
      return failure();
    rewriter.modifyOpInPlace(
        op, [&] { op.getInputMutable().assign(relu.getInput()); });
    rewriter.setInsertionPointAfter(op);
    auto pooledRelu = ReluOp::create(rewriter, relu.getLoc(), op.getResult());
    rewriter.replaceAllUsesExcept(op.getResult(), pooledRelu.getResult(),
                                  pooledRelu);
    rewriter.eraseOp(relu);
    return success();
  }
};
} // namespace

void MaxPool2DOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<FoldPadIntoWindow<MaxPool2DOp>, PoolBeforeRelu>(context);
}

namespace {
/// reshape(pad(x)) -> pad(reshape(x)) when the reshape only adds or drops
/// size-1 dimensions: a 1-D pooling runs as a 2-D one on [N, C, 1, L], and
/// PyTorch pads [N, C, L] before it, so the pad can then fold into the
/// window (FoldPadIntoWindow).
struct SwapUnitReshapeAndPad : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto pad = op.getInput().getDefiningOp<PadOp>();
    if (!pad || pad.getMode() != "constant" || !pad->hasOneUse())
      return failure();
    ArrayRef<int64_t> padded = pad.getType().getShape();
    ArrayRef<int64_t> shape = op.getType().getShape();
    // Pair the dimensions other than 1 in order; every padded dimension
    // must be one of them (a padded dimension is at least 2 long, since
    // nothing is empty).
    SmallVector<int64_t> low(shape.size(), 0), high(shape.size(), 0);
    SmallVector<int64_t> unpadded(shape);
    size_t r = 0;
    for (size_t p = 0; p < padded.size(); ++p) {
      bool isPadded = pad.getLow()[p] != 0 || pad.getHigh()[p] != 0;
      if (padded[p] == 1)
        continue;
      while (r < shape.size() && shape[r] == 1)
        ++r;
      if (r == shape.size() || shape[r] != padded[p])
        return failure();
      if (isPadded) {
        low[r] = pad.getLow()[p];
        high[r] = pad.getHigh()[p];
        unpadded[r] -= low[r] + high[r];
      }
      ++r;
    }
    while (r < shape.size() && shape[r] == 1)
      ++r;
    if (r != shape.size())
      return failure();
    auto inner = ReshapeOp::create(
        rewriter, op.getLoc(), op.getType().clone(unpadded), pad.getInput());
    rewriter.replaceOpWithNewOp<PadOp>(op, op.getType(), inner,
                                       rewriter.getDenseI64ArrayAttr(low),
                                       rewriter.getDenseI64ArrayAttr(high),
                                       pad.getModeAttr(), pad.getValueAttr());
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<SwapUnitReshapeAndPad>(context);
}
