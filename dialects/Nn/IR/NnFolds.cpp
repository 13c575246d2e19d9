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

OpFoldResult SumOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  return {};
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
