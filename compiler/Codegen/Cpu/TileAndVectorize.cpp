//===- TileAndVectorize.cpp - register tiles for linalg on tensors ------===//
//
// The CPU strategy in front of bufferization (docs/design-notes.md "CPU
// tiling"), in order:
//
// 1. Elementwise chains fuse into one linalg.generic.
// 2. Convolutions over blocks of channels (nncc-cpu-block-channels) run as
//    register tiles of pixels by a block's output channels, one kernel tap
//    per step; 2-D convolutions with few filters run direct (register tiles
//    of filters by output columns, one kernel tap per step), or with the
//    images innermost when their input is padded along its columns (an
//    input gradient) and the batch is whole vectors; the others become
//    an im2col copy and a batched contraction (image by image when one
//    image's product is work for the threads, planConv), constant filters
//    packed into panels of the tile's rows, their elementwise consumers
//    collapsed to the contraction's shape.
// 3. Matmuls with a constant B read it in packed panels [N/w, K, w]; those
//    with a large B that is the transpose of a computed W compute their
//    transpose instead (C^T = W A^T).
// 4. Each f32 contraction, with its elementwise consumer as the root, is
//    tiled into register tiles: an scf.forall over rows of tiles (the loop
//    the thread pool splits) and an scf.for over the tiles of a row, peeled,
//    in the order that keeps B's panel in cache (with columns outermost,
//    each column's panel copied contiguous first); the contraction and the
//    initialization of its accumulator are fused in, K is streamed by an
//    scf.for, and the tiles are vectorized. Sizes come from the cost model
//    (TileSizes.h).
// 5. 2-D transposes move in blocks of vector registers, shuffled in
//    registers (TransposeTiling.cpp).
// 6. Other ops with enough iterations get their outer loop split by an
//    scf.forall, for the thread pool.
// 7. All-parallel ops with short rows that read them contiguously (im2col
//    copies, unfused elementwise ops) get every other loop tiled by 1 and
//    each row vectorized whole.
// 8. The vector code is cleaned up; the accumulator leaves the K loop and
//    lives in registers.
//
// An op that cannot be handled is left as it was: the later lowering turns
// it into plain loops.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Codegen/Cpu/Tiling.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace nncc {
#define GEN_PASS_DEF_CPUTILEANDVECTORIZE
#include "compiler/Codegen/Cpu/Passes.h.inc"
} // namespace nncc

using namespace mlir;
using namespace nncc;
using namespace nncc::cpu;

namespace {

/// Whether, with every loop but the last at 0, each of `op`'s input maps
/// reads along the last loop contiguously (or not at all), so that a row
/// vectorizes to plain vector loads: an im2col copy with unit strides, not
/// one with strides.
bool readsRowsContiguously(linalg::GenericOp op) {
  unsigned rank = op.getNumLoops(), last = rank - 1;
  MLIRContext *context = op.getContext();
  SmallVector<AffineExpr> zeros(rank, getAffineConstantExpr(0, context));
  zeros[last] = getAffineDimExpr(last, context);
  for (AffineMap map : op.getIndexingMapsArray()) {
    for (AffineExpr expr : map.getResults()) {
      if (!expr.isFunctionOfDim(last))
        continue;
      AffineExpr row = simplifyAffineExpr(expr.replaceDims(zeros), rank, 0);
      if (row != zeros[last])
        return false;
    }
  }
  return true;
}

/// Whether `consumer` reads `operand` along fewer of its loops than it has,
/// i.e. each element of the operand for several iterations.
bool readsBroadcast(linalg::LinalgOp consumer, OpOperand *operand) {
  AffineMap map = consumer.getMatchingIndexingMap(operand);
  return map.getNumResults() < map.getNumDims();
}

/// Vectorizes the rows of an op whose last loop is parallel and whose rows
/// are short (at most CpuMachine::rowVectors vectors): every other loop is
/// tiled by 1, the unit dimensions dropped, and the row becomes one vector
/// read and write per operand. These are im2col copies (rows of OW
/// elements) and unfused elementwise ops over small images: LLVM leaves such
/// short loops scalar (an im2col row of 14 was 14 scalar moves).
///
/// Reductions over outer loops (a filter gradient's sum over the batch,
/// [N, F, C * KH * KW] -> [F, C * KH * KW] in f64) take the same path: the
/// reduction loops become scf.fors around a row that adds into the
/// accumulator's row, in the order the loops had, so the sums keep their
/// order of addition. Their rows may be long; they run in the largest
/// divisor of the row that fits. Left as loops, they were scalar: LeNet-5's
/// conv2 filter gradient sum took 3% of its train step.
LogicalResult vectorizeRows(RewriterBase &rewriter, linalg::GenericOp op,
                            const CpuMachine &machine) {
  // Whole bytes only: a vector of i1 is stored as packed bits, a tensor of
  // i1 one byte per element.
  auto wholeBytes = [](Type type) {
    Type element = getElementTypeOrSelf(type);
    return element.isIntOrFloat() && element.getIntOrFloatBitWidth() % 8 == 0;
  };
  if (!op.hasPureTensorSemantics() || !hasStaticShapes(op) ||
      !llvm::all_of(op->getOperandTypes(), wholeBytes) ||
      !llvm::all_of(op->getResultTypes(), wholeBytes) || op.getNumLoops() < 2 ||
      op.getIteratorTypesArray().back() != utils::IteratorType::parallel ||
      !readsRowsContiguously(op) ||
      !op.getBody()->getOps<tensor::ExtractOp>().empty())
    return failure();
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  unsigned elementBits = 0;
  for (Type type : op->getOperandTypes())
    elementBits = std::max(elementBits,
                           getElementTypeOrSelf(type).getIntOrFloatBitWidth());
  int64_t row = chooseRowTile(sizes.back(), op.getNumReductionLoops() != 0,
                              elementBits, machine);
  if (row == 0)
    return failure();

  SmallVector<int64_t> tiles(sizes.size(), 1);
  tiles.back() = row == sizes.back() ? 0 : row;
  auto tile = dyn_cast_or_null<linalg::GenericOp>(tileOp(rewriter, op, tiles));
  if (!tile)
    return failure();
  SmallVector<unsigned> unit;
  for (unsigned d = 0; d + 1 < sizes.size(); ++d)
    unit.push_back(d);
  Operation *rowOp = dropDims(rewriter, tile, unit);
  if (!rowOp)
    return failure();
  return vectorizeOp(rewriter, rowOp);
}

/// Gives each product's accumulator its own fill or bias broadcast. CSE
/// merges identical ones (the zero biases of batch norms folded at their
/// initial statistics), and one shared by several products can be rebuilt in
/// none of their shapes (refill), nor fused into their tiles: it became a
/// pass over memory that every tile read back, and kept their rows from K
/// blocking. The elementwise fusion folds splat inputs into the bodies, so a
/// zero bias broadcast is by now a generic that yields a constant: a fill,
/// which it becomes first.
void giveEachProductItsInit(func::FuncOp func) {
  IRRewriter rewriter(func.getContext());
  SmallVector<linalg::GenericOp> constantGenerics;
  func.walk([&](linalg::GenericOp op) {
    if (op.getNumDpsInputs() == 0 && op.getNumDpsInits() == 1 &&
        op.getNumReductionLoops() == 0 && op.hasPureTensorSemantics() &&
        op.getIndexingMapsArray()[0].isIdentity())
      constantGenerics.push_back(op);
  });
  for (linalg::GenericOp op : constantGenerics) {
    Value value = op.getBody()->getTerminator()->getOperand(0);
    if (value.getParentBlock() == op.getBody())
      continue;
    rewriter.setInsertionPoint(op);
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, value, op.getDpsInits()[0]);
  }
  SmallVector<Operation *> inits;
  func.walk([&](linalg::LinalgOp op) {
    if ((isa<linalg::FillOp>(op) || isBroadcastInit(op)) &&
        op.hasPureTensorSemantics() && !op->hasOneUse())
      inits.push_back(op);
  });
  for (Operation *init : inits) {
    SmallVector<OpOperand *> uses = llvm::to_vector(llvm::map_range(
        init->getResult(0).getUses(), [](OpOperand &use) { return &use; }));
    rewriter.setInsertionPointAfter(init);
    for (OpOperand *use : llvm::drop_begin(uses)) {
      Value copy = rewriter.clone(*init)->getResult(0);
      rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(copy); });
    }
  }
}

/// An insert_slice that fills all of an empty tensor with a tensor of the
/// same elements (the same shape but for unit dimensions) becomes a reshape
/// of it. A row vectorization inside a fused loop writes its rows into a
/// rank-reduced slice of the tile's empty destination, which canonicalization
/// turns into an empty tensor of its own; inserted into the destination it
/// became a copy of the whole tile after bufferization (LeNet-5's fused
/// im2col copies: each image's patches copied twice).
struct InsertWholeIntoEmpty : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::InsertSliceOp insert,
                                PatternRewriter &rewriter) const override {
    RankedTensorType source = insert.getSourceType(),
                     dest = insert.getDestType();
    // The same type is insert_slice's own fold.
    if (!insert.getDest().getDefiningOp<tensor::EmptyOp>() ||
        !source.hasStaticShape() || !dest.hasStaticShape() ||
        source.getRank() >= dest.getRank() ||
        source.getNumElements() != dest.getNumElements() ||
        !llvm::all_of(insert.getMixedOffsets(), isZeroInteger) ||
        !llvm::all_of(insert.getMixedStrides(), isOneInteger))
      return failure();
    std::optional<SmallVector<ReassociationIndices>> groups =
        getReassociationIndicesForReshape(source, dest);
    if (!groups)
      return failure();
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        insert, dest, insert.getSource(), *groups);
    return success();
  }
};

/// Canonicalizes what vectorization left: transfers fold their slices, and
/// the accumulator's read and write leave the K loops.
void cleanUpVectorCode(func::FuncOp func) {
  MLIRContext *context = func.getContext();
  RewritePatternSet patterns(context);
  patterns.add<InsertWholeIntoEmpty>(context);
  tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorReductionToContractPatterns(patterns);
  vector::populateSinkVectorOpsPatterns(patterns);
  vector::TransferReadOp::getCanonicalizationPatterns(patterns, context);
  vector::TransferWriteOp::getCanonicalizationPatterns(patterns, context);
  linalg::FillOp::getCanonicalizationPatterns(patterns, context);
  tensor::ExtractSliceOp::getCanonicalizationPatterns(patterns, context);
  tensor::InsertSliceOp::getCanonicalizationPatterns(patterns, context);
  scf::ForOp::getCanonicalizationPatterns(patterns, context);
  affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
  affine::AffineMinOp::getCanonicalizationPatterns(patterns, context);
  (void)applyPatternsGreedily(func, std::move(patterns));

  IRRewriter rewriter(context);
  func.walk([&](scf::ForOp loop) {
    hoistLoopInvariantSubsets(rewriter,
                              cast<LoopLikeOpInterface>(loop.getOperation()));
  });
}

struct CpuTileAndVectorizePass
    : nncc::impl::CpuTileAndVectorizeBase<CpuTileAndVectorizePass> {
  using CpuTileAndVectorizeBase::CpuTileAndVectorizeBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *context = &getContext();
    CpuMachine machine;
    machine.vectorBits = vectorWidth;
    machine.l2Bytes = l2Bytes;

    // 1. Elementwise chains into one generic (single-use producers only, so
    //    nothing is computed twice; nor into a consumer that reads the
    //    producer broadcast over loops of its own, which would compute each
    //    element once per broadcast element: a max pool's argmax, fused into
    //    its gradient's routing over [N, C, OH, KH, KW, OW], was computed
    //    KH * KW times per window).
    {
      RewritePatternSet patterns(context);
      linalg::populateElementwiseOpsFusionPatterns(
          patterns, [](OpOperand *operand) {
            Operation *producer = operand->get().getDefiningOp();
            auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
            return producer && producer->hasOneUse() && consumer &&
                   !consumer->hasAttr(kBlockedConvAttr) &&
                   !readsBroadcast(consumer, operand);
          });
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // 1b. Elementwise ops compute into an input they read last.
    computeIntoDeadInputs(func);

    // 2. Convolutions become contractions over an im2col copy of their
    //    input, when the copy is small enough (TileSizes.h).
    bool packedFilters = false;
    {
      giveEachProductItsInit(func);
      SmallVector<std::pair<linalg::Conv2DNchwFchwOp, ConvPlan>> convs;
      func.walk([&](linalg::Conv2DNchwFchwOp conv) {
        ConvPlan plan = planConv(conv, machine);
        if (plan != ConvPlan::Loops)
          convs.push_back({conv, plan});
      });
      IRRewriter rewriter(context);
      SmallVector<linalg::Conv2DNgchwGfchwOp> depthwise;
      func.walk([&](linalg::Conv2DNgchwGfchwOp conv) {
        if (isDepthwiseConv(conv))
          depthwise.push_back(conv);
      });
      for (linalg::Conv2DNgchwGfchwOp conv : depthwise)
        (void)tileDepthwiseConv(rewriter, conv, machine);
      SmallVector<linalg::GenericOp> correlations, filtersInnermost, blocked;
      func.walk([&](linalg::GenericOp op) {
        if (isFilterCorrelation(op))
          correlations.push_back(op);
        else if (isFiltersInnermostCorrelation(op))
          filtersInnermost.push_back(op);
        else if (op->hasAttr(kBlockedConvAttr))
          blocked.push_back(op);
      });
      for (linalg::GenericOp op : correlations)
        (void)tileFilterCorrelation(rewriter, op, machine);
      for (linalg::GenericOp op : filtersInnermost)
        (void)tileFiltersInnermostCorrelation(rewriter, op, machine);
      for (linalg::GenericOp conv : blocked)
        if (failed(winogradConv(rewriter, conv, machine)))
          (void)tileBlockedConv(rewriter, conv, machine);
      for (auto [conv, plan] : convs) {
        if (prefersBatchInnermostConv(conv, machine) &&
            succeeded(tileBatchInnermostConv(rewriter, conv, machine)))
          continue;
        if (prefersDirectConv(conv, machine) &&
            succeeded(tileDirectConv(rewriter, conv, machine)))
          continue;
        if (plan == ConvPlan::Im2ColPerImage)
          conv = splitBatch(rewriter, conv);
        if (conv && hasStaticShapes(conv))
          packedFilters |= convertToIm2Col(rewriter, conv, machine);
      }
      // The epilogue (bias, batch norm, activation, residual add) of each
      // convolution consumes its product through the expand_shape back to
      // [N, F, OH, OW]: collapsing the epilogue to [N, F, OH * OW] instead
      // makes it the product's direct consumer, fused into its tiles below.
      RewritePatternSet patterns(context);
      // Not the bias broadcasts refill made in the product's shape: their
      // input is a reshape too (a packed filter's [F / r, r] view of it).
      linalg::populateFoldReshapeOpsByCollapsingPatterns(
          patterns, [](OpOperand *operand) {
            return isa_and_nonnull<tensor::ExpandShapeOp>(
                       operand->get().getDefiningOp()) &&
                   !isBroadcastInit(operand->getOwner());
          });
      if (!convs.empty() &&
          failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // 3. Products of a large transposed W as their transpose. Constant B
    // operands in packed panels; their elementwise consumers are
    // expanded to the packed result's [M, N / w, w] view to stay epilogues.
    {
      SmallVector<linalg::MatmulOp> matmuls;
      func.walk([&](linalg::MatmulOp matmul) { matmuls.push_back(matmul); });
      IRRewriter rewriter(context);
      bool packed = false;
      for (linalg::MatmulOp matmul : matmuls)
        if (!computeTransposedProduct(rewriter, matmul, machine))
          packed |= packConstantB(rewriter, matmul, machine);
      RewritePatternSet patterns(context);
      // Only into elementwise consumers: expanding a following matmul's A
      // would split its K into two reduction dimensions.
      linalg::populateFoldReshapeOpsByExpansionPatterns(
          patterns, [](OpOperand *operand) {
            auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
            return consumer && linalg::isElementwise(consumer) &&
                   isa_and_nonnull<tensor::CollapseShapeOp>(
                       operand->get().getDefiningOp());
          });
      if ((packed || packedFilters) &&
          failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // 4. Register tiles for contractions.
    SmallVector<linalg::LinalgOp> contractions;
    func.walk([&](linalg::LinalgOp op) {
      if (linalg::isaContractionOpInterface(op))
        contractions.push_back(op);
    });
    IRRewriter rewriter(context);
    for (linalg::LinalgOp op : contractions)
      (void)tileContraction(rewriter, op, machine);

    // 5. 2-D transposes in vector blocks.
    {
      SmallVector<linalg::TransposeOp> transposes;
      func.walk([&](linalg::TransposeOp op) { transposes.push_back(op); });
      for (linalg::TransposeOp op : transposes)
        (void)tileTranspose(rewriter, op, machine);
    }

    // 6. Every other op big enough: its outer parallel dimension split over
    //    the threads (the loops inside stay scalar; LLVM vectorizes them).
    {
      SmallVector<linalg::LinalgOp> others;
      func.walk([&](linalg::LinalgOp op) {
        if (!op->getParentOfType<scf::ForallOp>() &&
            op.hasPureTensorSemantics())
          others.push_back(op);
      });
      IRRewriter rewriter(context);
      for (linalg::LinalgOp op : others)
        (void)splitOuterLoop(rewriter, op, machine);
    }

    // 7. Short rows of what is left (copies, elementwise ops) as vectors.
    {
      SmallVector<linalg::GenericOp> rest;
      func.walk([&](linalg::GenericOp op) { rest.push_back(op); });
      IRRewriter rewriter(context);
      for (linalg::GenericOp op : rest)
        (void)vectorizeRows(rewriter, op, machine);
    }

    // 8. Clean up the vector code; then skip the kernel taps that read rows
    //    of zero padding.
    cleanUpVectorCode(func);
    startKBlocksFromFill(func);
    skipPaddedRows(func);
  }
};

} // namespace
