//===- StridedReads.cpp - strided vector reads as contiguous loads -------===//

#include "compiler/Codegen/Cpu/StridedReads.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace {

/// Strides of at most this many elements are read contiguously: the
/// contiguous read loads s times the lanes it keeps.
constexpr int64_t maxStride = 4;

struct DeinterleaveStridedRead : OpRewritePattern<vector::TransferReadOp> {
  DeinterleaveStridedRead(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    VectorType type = read.getVectorType();
    auto memrefType = dyn_cast<MemRefType>(read.getBase().getType());
    if (!memrefType || type.getRank() != 1 || type.isScalable() ||
        memrefType.getElementType() != type.getElementType() ||
        read.getMask() || !read.getInBoundsValues()[0] ||
        read.getPermutationMap().getNumResults() != 1)
      return failure();
    auto dimExpr =
        dyn_cast<AffineDimExpr>(read.getPermutationMap().getResult(0));
    if (!dimExpr)
      return failure();
    unsigned dim = dimExpr.getPosition();
    int64_t rank = memrefType.getRank();
    SmallVector<int64_t> strides;
    int64_t offset;
    if (dim + 1 == rank ||
        failed(memrefType.getStridesAndOffset(strides, offset)))
      return failure();
    // The dimensions inside `dim` are one contiguous block of `stride`
    // elements, read at constant indices: lane `lane` of each block.
    int64_t stride = strides[dim];
    if (ShapedType::isDynamic(stride) || stride < 2 || stride > maxStride)
      return failure();
    int64_t block = 1, lane = 0;
    for (int64_t d = rank - 1; d > dim; --d) {
      std::optional<int64_t> index = getConstantIntValue(read.getIndices()[d]);
      if (strides[d] != block || memrefType.isDynamicDim(d) || !index)
        return failure();
      lane += *index * block;
      block *= memrefType.getDimSize(d);
    }
    if (block != stride)
      return failure();
    // The dimensions from `dim` on as one, and the blocks as one vector.
    Location loc = read.getLoc();
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < dim; ++d)
      groups.push_back({d});
    groups.emplace_back();
    for (int64_t d = dim; d < rank; ++d)
      groups.back().push_back(d);
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(memrefType, groups))
      return failure();
    Value flat =
        memref::CollapseShapeOp::create(rewriter, loc, read.getBase(), groups);
    SmallVector<Value> indices(read.getIndices().take_front(dim));
    indices.push_back(arith::MulIOp::create(
        rewriter, loc, read.getIndices()[dim],
        arith::ConstantIndexOp::create(rewriter, loc, stride)));
    int64_t lanes = type.getDimSize(0);
    auto blocksType = VectorType::get({lanes * stride}, type.getElementType());
    Value blocks =
        vector::TransferReadOp::create(rewriter, loc, blocksType, flat, indices,
                                       read.getPadding(), ArrayRef<bool>{true});
    SmallVector<int64_t> picked;
    for (int64_t i = 0; i < lanes; ++i)
      picked.push_back(lane + i * stride);
    rewriter.replaceOpWithNewOp<vector::ShuffleOp>(read, blocks, blocks,
                                                   picked);
    return success();
  }
};

} // namespace

void nncc::populateStridedReadPatterns(RewritePatternSet &patterns) {
  patterns.add<DeinterleaveStridedRead>(patterns.getContext());
}
