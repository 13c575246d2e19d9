//===- TileAndVectorize.cpp - register tiles for linalg on tensors -*- C++
//-*-===//
//
// The CPU strategy in front of bufferization (docs/design-notes.md "CPU
// tiling"):
//
// 1. Elementwise chains fuse into one linalg.generic.
// 2. Each contraction (matmul, batch matmul, any generic contraction) with
//    its elementwise consumer as the root: the root is tiled into register
//    tiles by an scf.forall (the parallel loop the thread pool splits), the
//    contraction and the fill of its accumulator are fused into the tile,
//    and K is streamed by an scf.for. Tile sizes come from TileSizes.h.
// 3. The tiles are vectorized; the accumulator tile is hoisted out of the K
//    loop so it lives in registers.
//
// An op that cannot be tiled or vectorized is left as it was: the later
// lowering turns it into plain loops, so this pass only ever speeds code up.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Codegen/Cpu/TileSizes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace nncc {
#define GEN_PASS_DEF_CPUTILEANDVECTORIZE
#include "compiler/Codegen/Cpu/Passes.h.inc"
} // namespace nncc

using namespace mlir;
using namespace nncc;

namespace {

/// Static loop sizes of an op (negative where dynamic).
SmallVector<int64_t> loopSizes(linalg::LinalgOp op) {
  return op.getStaticLoopRanges();
}

/// The elementwise linalg.generic that consumes `op`'s only result through an
/// identity map, if it is the result's only user: the epilogue to fuse.
linalg::GenericOp findEpilogue(linalg::LinalgOp op) {
  if (op->getNumResults() != 1 || !op->getResult(0).hasOneUse())
    return nullptr;
  OpOperand &use = *op->getResult(0).getUses().begin();
  auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!consumer || !linalg::isElementwise(consumer) ||
      consumer.getNumDpsInits() != 1 || !consumer.isDpsInput(&use))
    return nullptr;
  if (!consumer.getMatchingIndexingMap(&use).isIdentity() ||
      !consumer.getIndexingMapMatchingResult(consumer->getResult(0))
           .isIdentity())
    return nullptr;
  return consumer;
}

/// Tile sizes of the contraction's loops (0: not tiled here) from the cost
/// model: batch and outer m/n dimensions by 1, the innermost m and n by the
/// register tile, K not at all (the K loop comes next).
SmallVector<int64_t>
parallelTileSizes(linalg::LinalgOp op,
                  const linalg::ContractionDimensions &dims,
                  const CpuMachine &machine, MatmulTile &tile) {
  SmallVector<int64_t> sizes = loopSizes(op);
  SmallVector<int64_t> tiles(sizes.size(), 0);
  for (unsigned d : dims.batch)
    tiles[d] = 1;
  for (unsigned d : dims.m)
    tiles[d] = 1;
  for (unsigned d : dims.n)
    tiles[d] = 1;
  int64_t k = 1;
  for (unsigned d : dims.k)
    k = sizes[d] < 0 || k < 0 ? -1 : k * sizes[d];
  tile =
      chooseMatmulTile(sizes[dims.m.back()], sizes[dims.n.back()], k, machine);
  tiles[dims.m.back()] = tile.m;
  tiles[dims.n.back()] = tile.n;
  return tiles;
}

/// Is every operand and result of `op` a statically shaped tensor?
bool hasStaticShapes(Operation *op) {
  auto isStatic = [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return !shaped || shaped.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

/// Should `conv` run as an im2col copy and a contraction?
bool useIm2Col(linalg::Conv2DNchwFchwOp conv, const CpuMachine &machine) {
  if (!conv.hasPureTensorSemantics() || !hasStaticShapes(conv) ||
      !llvm::all_of(conv->getOperandTypes(), [](Type type) {
        return getElementTypeOrSelf(type).isF32();
      }))
    return false;
  // Input [N, C, H, W], filter [F, C, KH, KW], output [N, F, OH, OW].
  ArrayRef<int64_t> filter =
      cast<ShapedType>(conv.getInputs()[1].getType()).getShape();
  ArrayRef<int64_t> output =
      cast<ShapedType>(conv.getOutputs()[0].getType()).getShape();
  int64_t copyBytes =
      output[0] * filter[1] * filter[2] * filter[3] * output[2] * output[3] * 4;
  return copyBytes <= machine.im2colLimitBytes;
}

/// Vectorizes every linalg op in `scope` that has static shapes.
void vectorizeOpsIn(RewriterBase &rewriter, Operation *scope) {
  SmallVector<linalg::LinalgOp> ops;
  scope->walk([&](linalg::LinalgOp op) {
    if (hasStaticShapes(op) && linalg::hasVectorizationImpl(op))
      ops.push_back(op);
  });
  for (linalg::LinalgOp op : ops) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::VectorizationResult> result =
        linalg::vectorize(rewriter, op);
    if (failed(result))
      continue;
    if (op->getNumResults())
      rewriter.replaceOp(op, result->replacements);
    else
      rewriter.eraseOp(op);
  }
}

/// Tiles one contraction (and its epilogue) into vectorized register tiles.
/// Returns the scf.forall over the tiles, or null when it does not apply.
Operation *tileContraction(RewriterBase &rewriter, linalg::LinalgOp contraction,
                           const CpuMachine &machine) {
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(contraction);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return nullptr;
  if (!contraction.hasPureTensorSemantics() ||
      !llvm::all_of(contraction->getOperandTypes(), [](Type type) {
        auto element = getElementTypeOrSelf(type);
        return element.isF32();
      }))
    return nullptr;

  MatmulTile tile;
  SmallVector<int64_t> tiles =
      parallelTileSizes(contraction, *dims, machine, tile);

  // The root is the epilogue when there is one: its loops are the
  // contraction's output dimensions, in the output's order.
  TilingInterface root = cast<TilingInterface>(contraction.getOperation());
  SmallVector<int64_t> rootTiles;
  AffineMap outputMap =
      contraction.getMatchingIndexingMap(contraction.getDpsInitOperand(0));
  if (linalg::GenericOp epilogue = findEpilogue(contraction)) {
    if (!outputMap.isProjectedPermutation())
      return nullptr;
    root = cast<TilingInterface>(epilogue.getOperation());
    for (unsigned i = 0; i < outputMap.getNumResults(); ++i)
      rootTiles.push_back(tiles[outputMap.getDimPosition(i)]);
  } else {
    rootTiles = tiles;
  }

  scf::SCFTilingOptions tiling;
  tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), rootTiles));
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  // Fuse only the contraction and the fill of its accumulator: any other
  // producer would be recomputed once per tile.
  Operation *contractionOp = contraction.getOperation();
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        Operation *op = producer.getOwner();
        if (op == contractionOp || isa<linalg::FillOp>(op))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, root, options);
  if (failed(tiled) || tiled->loops.empty())
    return nullptr;
  for (OpResult result : root->getResults())
    rewriter.replaceAllUsesWith(result, tiled->replacements.lookup(result));
  Operation *forall = tiled->loops.front().getOperation();

  // The fused contraction: stream K one register step at a time.
  linalg::LinalgOp tiledContraction;
  for (Operation *op : tiled->tiledAndFusedOps)
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
      if (linalgOp->getName() == contraction->getName() &&
          linalgOp.getNumReductionLoops() > 0)
        tiledContraction = linalgOp;
  if (tiledContraction) {
    SmallVector<int64_t> kTiles(tiles.size(), 0);
    for (unsigned d : dims->k)
      kTiles[d] = 1;
    kTiles[dims->k.back()] = tile.k;
    scf::SCFTilingOptions kTiling;
    kTiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), kTiles));
    rewriter.setInsertionPoint(tiledContraction);
    FailureOr<scf::SCFTilingResult> kTiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(tiledContraction.getOperation()),
        kTiling);
    if (succeeded(kTiled))
      rewriter.replaceOp(tiledContraction, kTiled->replacements);
  }
  vectorizeOpsIn(rewriter, forall);
  return forall;
}

/// Canonicalizes what vectorization left: transfers fold their slices, and
/// the accumulator's read and write leave the K loops.
void cleanUpVectorCode(func::FuncOp func) {
  MLIRContext *context = func.getContext();
  RewritePatternSet patterns(context);
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

    // 1. Elementwise chains into one generic (single-use producers only, so
    //    nothing is computed twice).
    {
      RewritePatternSet patterns(context);
      linalg::populateElementwiseOpsFusionPatterns(
          patterns, [](OpOperand *operand) {
            Operation *producer = operand->get().getDefiningOp();
            return producer && producer->hasOneUse();
          });
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // 2. Convolutions become contractions over an im2col copy of their
    //    input, when the copy is small enough (TileSizes.h).
    {
      SmallVector<linalg::Conv2DNchwFchwOp> convs;
      func.walk([&](linalg::Conv2DNchwFchwOp conv) {
        if (useIm2Col(conv, machine))
          convs.push_back(conv);
      });
      IRRewriter rewriter(context);
      for (linalg::Conv2DNchwFchwOp conv : convs) {
        rewriter.setInsertionPoint(conv);
        (void)linalg::rewriteInIm2Col(rewriter, conv);
      }
    }

    // 3. Register tiles for contractions.
    SmallVector<linalg::LinalgOp> contractions;
    func.walk([&](linalg::LinalgOp op) {
      if (linalg::isaContractionOpInterface(op))
        contractions.push_back(op);
    });
    IRRewriter rewriter(context);
    for (linalg::LinalgOp op : contractions)
      (void)tileContraction(rewriter, op, machine);

    // 4. Clean up the vector code.
    cleanUpVectorCode(func);
  }
};

} // namespace
