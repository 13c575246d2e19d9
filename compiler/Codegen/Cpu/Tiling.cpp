//===- Tiling.cpp - shared pieces of the CPU tiling -----------------------===//
//
// The helpers both the convolution and the contraction tiling use: tiling
// and fusing with the upstream TilingInterface drivers, peeling the last
// column of tiles, dropping unit dimensions, vectorizing, and rebuilding an
// accumulator's initialization in another shape.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Tiling.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace nncc::cpu {

bool allF32(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type type) {
    return getElementTypeOrSelf(type).isF32();
  });
}

void buildMulAdd(OpBuilder &builder, Location loc, ValueRange args) {
  Value mul = arith::MulFOp::create(builder, loc, args[0], args[1]);
  linalg::YieldOp::create(
      builder, loc,
      arith::AddFOp::create(builder, loc, mul, args[2]).getResult());
}

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

bool hasStaticShapes(Operation *op) {
  auto isStatic = [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return !shaped || shaped.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

int64_t staticIterations(linalg::LinalgOp op) {
  int64_t count = 1;
  for (int64_t size : op.getStaticLoopRanges())
    count = ShapedType::isDynamic(size) ? count : count * size;
  return count;
}

scf::SCFTilingOptions::LoopType rowLoops(linalg::LinalgOp op,
                                         const CpuMachine &machine) {
  bool parallel =
      !hasStaticShapes(op) || staticIterations(op) >= machine.parallelMinMacs;
  return parallel ? scf::SCFTilingOptions::LoopType::ForallOp
                  : scf::SCFTilingOptions::LoopType::ForOp;
}

Operation *tileOp(RewriterBase &rewriter, Operation *op,
                  ArrayRef<int64_t> tiles,
                  scf::SCFTilingOptions::LoopType loopType) {
  scf::SCFTilingOptions tiling;
  tiling.setLoopType(loopType);
  tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), tiles));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), tiling);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return nullptr;
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.front();
}

LogicalResult vectorizeOp(RewriterBase &rewriter, Operation *op) {
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::VectorizationResult> vectors =
      linalg::vectorize(rewriter, op);
  if (failed(vectors))
    return failure();
  rewriter.replaceOp(op, vectors->replacements);
  return success();
}

Operation *dropDims(RewriterBase &rewriter, linalg::GenericOp generic,
                    SmallVector<unsigned> dims) {
  linalg::ControlDropUnitDims options;
  options.rankReductionStrategy =
      linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
  options.controlFn = [dims](Operation *) { return dims; };
  rewriter.setInsertionPoint(generic);
  FailureOr<linalg::DropUnitDimsResult> dropped =
      linalg::dropUnitDims(rewriter, generic, options);
  if (failed(dropped))
    return nullptr;
  rewriter.replaceOp(generic, dropped->replacements);
  return dropped->resultOp.getOperation();
}

LogicalResult splitOuterLoop(RewriterBase &rewriter, linalg::LinalgOp op,
                             const CpuMachine &machine) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (staticIterations(op) < machine.parallelMinIterations)
    return failure();
  for (unsigned d = 0; d < sizes.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel)
      return failure();
    if (sizes[d] == 1)
      continue;
    SmallVector<int64_t> tiles(sizes.size(), 0);
    tiles[d] = 1;
    return success(tileOp(rewriter, op, tiles,
                          scf::SCFTilingOptions::LoopType::ForallOp) !=
                   nullptr);
  }
  return failure();
}

void unstrideInputs(RewriterBase &rewriter, linalg::GenericOp op) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  MLIRContext *context = op.getContext();
  bool changed = false;
  for (OpOperand *operand : op.getDpsInputOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand->get().getType());
    AffineMap map = maps[operand->getOperandNumber()];
    if (!type || !type.hasStaticShape())
      continue;
    SmallVector<AffineExpr> results(map.getResults());
    SmallVector<int64_t> sliceSizes(type.getShape()),
        strides(type.getRank(), 1);
    bool strided = false;
    for (auto [j, expr] : llvm::enumerate(results)) {
      auto mul = dyn_cast<AffineBinaryOpExpr>(expr);
      if (!mul || mul.getKind() != AffineExprKind::Mul)
        continue;
      auto dim = dyn_cast<AffineDimExpr>(mul.getLHS());
      auto factor = dyn_cast<AffineConstantExpr>(mul.getRHS());
      if (!dim || !factor || factor.getValue() < 2 ||
          ShapedType::isDynamic(sizes[dim.getPosition()]))
        continue;
      strides[j] = factor.getValue();
      sliceSizes[j] = sizes[dim.getPosition()];
      results[j] = dim;
      strided = true;
    }
    if (!strided)
      continue;
    rewriter.setInsertionPoint(op);
    SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0));
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, op.getLoc(), operand->get(), offsets,
        getAsIndexOpFoldResult(context, sliceSizes),
        getAsIndexOpFoldResult(context, strides));
    rewriter.modifyOpInPlace(op, [&] { operand->set(slice); });
    maps[operand->getOperandNumber()] =
        AffineMap::get(map.getNumDims(), 0, results, context);
    changed = true;
  }
  if (changed)
    rewriter.modifyOpInPlace(op, [&] {
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
}

/// The patterns that fold the sizes of peeled tiles to constants, so their
/// slices and ops get static shapes.
static FrozenRewritePatternSet tileSimplifications(MLIRContext *context) {
  RewritePatternSet patterns(context);
  affine::AffineMinOp::getCanonicalizationPatterns(patterns, context);
  affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
  tensor::ExtractSliceOp::getCanonicalizationPatterns(patterns, context);
  tensor::InsertSliceOp::getCanonicalizationPatterns(patterns, context);
  tensor::CastOp::getCanonicalizationPatterns(patterns, context);
  tensor::populateFoldTensorEmptyPatterns(patterns);
  linalg::populateLinalgTilingCanonicalizationPatterns(patterns);
  return FrozenRewritePatternSet(std::move(patterns));
}

void simplifyTiles(Operation *scope) {
  (void)applyPatternsGreedily(scope, tileSimplifications(scope->getContext()));
}

void simplifyTiles(ArrayRef<Operation *> ops) {
  if (ops.empty())
    return;
  GreedyRewriteConfig config;
  config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
  (void)applyOpPatternsGreedily(
      ops, tileSimplifications(ops.front()->getContext()), config);
}

Value packPanels(RewriterBase &rewriter, Location loc, DenseElementsAttr values,
                 int64_t k, int64_t n, int64_t width, bool transposed) {
  int64_t blocks = (n + width - 1) / width;
  SmallVector<float> packed(blocks * k * width, 0.0f);
  auto source = values.getValues<float>();
  for (int64_t nb = 0; nb < blocks; ++nb)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t nt = 0; nt < width; ++nt) {
        int64_t j = nb * width + nt;
        if (j < n)
          packed[(nb * k + kk) * width + nt] =
              source[transposed ? j * k + kk : kk * n + j];
      }
  auto type = RankedTensorType::get({blocks, k, width}, rewriter.getF32Type());
  return arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(type, ArrayRef(packed)));
}

Value transposed(RewriterBase &rewriter, Location loc, Value value,
                 ArrayRef<int64_t> permutation) {
  auto type = cast<RankedTensorType>(value.getType());
  Value empty = tensor::EmptyOp::create(
      rewriter, loc, applyPermutation(type.getShape(), permutation),
      type.getElementType());
  return linalg::TransposeOp::create(rewriter, loc, value, empty, permutation)
      ->getResult(0);
}

bool isEmpty(Value value) {
  if (auto slice = value.getDefiningOp<tensor::ExtractSliceOp>())
    value = slice.getSource();
  return value.getDefiningOp<tensor::EmptyOp>() != nullptr;
}

bool isBroadcastInit(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() != 0 ||
      !isEmpty(generic.getDpsInits()[0]) ||
      !generic.getIndexingMapsArray()[0].isProjectedPermutation() ||
      generic.getIndexingMapsArray()[0].getNumResults() >=
          generic.getNumLoops() ||
      !generic.getIndexingMapsArray()[1].isIdentity())
    return false;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  return yield.getNumOperands() == 1 &&
         yield.getOperand(0) == generic.getBody()->getArgument(0);
}

Value refill(RewriterBase &rewriter, Location loc, Value init,
             ArrayRef<int64_t> shape, ArrayRef<ReassociationIndices> groups) {
  Type element = getElementTypeOrSelf(init.getType());
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    if (!isEmpty(fill.getOutputs()[0]))
      return {};
    Value empty = tensor::EmptyOp::create(rewriter, loc, shape, element);
    return linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], empty)
        .getResult(0);
  }
  Operation *producer = init.getDefiningOp();
  if (!isBroadcastInit(producer))
    return {};
  auto broadcast = cast<linalg::GenericOp>(producer);
  MLIRContext *context = rewriter.getContext();
  // Each dimension the input reads is one new dimension, or several (a
  // split: the input is expanded to match).
  Value input = broadcast.getDpsInputs()[0];
  ArrayRef<int64_t> inputShape = cast<ShapedType>(input.getType()).getShape();
  SmallVector<AffineExpr> reads;
  SmallVector<ReassociationIndices> inputGroups;
  SmallVector<int64_t> expandedShape;
  for (AffineExpr expr : broadcast.getIndexingMapsArray()[0].getResults()) {
    int64_t old = cast<AffineDimExpr>(expr).getPosition();
    ReassociationIndices group;
    for (auto [index, covers] : llvm::enumerate(groups)) {
      if (!llvm::is_contained(covers, old))
        continue;
      if (covers.size() != 1)
        return {};
      group.push_back(expandedShape.size());
      expandedShape.push_back(shape[index]);
      reads.push_back(getAffineDimExpr(index, context));
    }
    if (group.empty())
      return {};
    inputGroups.push_back(group);
  }
  if (expandedShape.size() != inputShape.size())
    input = tensor::ExpandShapeOp::create(
        rewriter, loc,
        RankedTensorType::get(expandedShape, getElementTypeOrSelf(input)),
        input, inputGroups);
  unsigned rank = shape.size();
  Value empty = tensor::EmptyOp::create(rewriter, loc, shape, element);
  return linalg::GenericOp::create(
             rewriter, loc, empty.getType(), ValueRange{input},
             ValueRange{empty},
             SmallVector<AffineMap>{
                 AffineMap::get(rank, 0, reads, context),
                 AffineMap::getMultiDimIdentityMap(rank, context)},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &b, Location l, ValueRange args) {
               linalg::YieldOp::create(b, l, args[0]);
             })
      .getResult(0);
}

void vectorizeOpsIn(RewriterBase &rewriter, Operation *scope) {
  // A register tile is at most a few dozen vectors. What is much larger (a
  // row's accumulator initialization that its columns did not take in) is
  // left to the loop lowering: as one vector, a 4 x 3136 bias broadcast and
  // its transpose made LLVM take minutes to compile MobileNet-V2.
  constexpr int64_t kMaxElements = 4096;
  SmallVector<linalg::LinalgOp> ops;
  scope->walk([&](linalg::LinalgOp op) {
    if (hasStaticShapes(op) && linalg::hasVectorizationImpl(op) &&
        staticIterations(op) <= kMaxElements)
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

linalg::LinalgOp dropUnitBatchDims(RewriterBase &rewriter,
                                   linalg::LinalgOp op) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> unitBatch;
  for (unsigned d = 0; d < sizes.size(); ++d)
    if (sizes[d] == 1 && iterators[d] == utils::IteratorType::parallel)
      unitBatch.push_back(d);
  // Keep a parallel dimension, and two dimensions in all (a tile's, or one
  // of them and K).
  size_t parallel = llvm::count(iterators, utils::IteratorType::parallel);
  if (unitBatch.size() == parallel)
    unitBatch.pop_back();
  if (unitBatch.empty() || sizes.size() - unitBatch.size() < 2)
    return op;
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::GenericOp> generalized =
        linalg::generalizeNamedOp(rewriter, op);
    if (failed(generalized))
      return op;
    generic = *generalized;
  }
  Operation *dropped = dropDims(rewriter, generic, unitBatch);
  return dropped ? cast<linalg::LinalgOp>(dropped) : generic;
}

scf::SCFTileAndFuseOptions::ControlFnTy fuseContractionAndFill() {
  return
      [](tensor::ExtractSliceOp, OpResult producer,
         bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        Operation *op = producer.getOwner();
        auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
        if (linalgOp && (isa<linalg::FillOp, linalg::Conv2DNchwFchwOp>(op) ||
                         linalg::isaContractionOpInterface(linalgOp) ||
                         op->hasAttr(kBlockedConvAttr) || isBroadcastInit(op)))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      };
}

scf::SCFTileAndFuseOptions::ControlFnTy fuseContractionFillAndCopies() {
  return [base = fuseContractionAndFill()](tensor::ExtractSliceOp slice,
                                           OpResult producer, bool isDest)
             -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
    // Only a copy that nothing else reads (its users are the slices and
    // reshapes that lead to the tiles): fused, it is computed tile by tile,
    // and another reader would keep the whole copy too.
    auto feedsTilesOnly = llvm::all_of(producer.getUsers(), [](Operation *u) {
      return isa<tensor::ExtractSliceOp, tensor::CollapseShapeOp,
                 tensor::ExpandShapeOp>(u);
    });
    if (auto copy = dyn_cast<linalg::GenericOp>(producer.getOwner()))
      if (feedsTilesOnly && copy.getNumDpsInputs() == 1 &&
          copy.getNumDpsInits() == 1 && copy.getNumReductionLoops() == 0 &&
          copy.getBody()->getTerminator()->getOperand(0) ==
              copy.getBody()->getArgument(0))
        return scf::SCFTileAndFuseOptions::ControlFnResult{};
    return base(slice, producer, isDest);
  };
}

scf::SCFTileAndFuseOptions::ControlFnTy fuseNothing() {
  return
      [](tensor::ExtractSliceOp, OpResult,
         bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        return std::nullopt;
      };
}

FailureOr<scf::SCFTileAndFuseResult> tileAndFuse(
    RewriterBase &rewriter, TilingInterface root, ArrayRef<int64_t> tiles,
    scf::SCFTilingOptions::LoopType loopType, ArrayRef<int64_t> interchange,
    scf::SCFTileAndFuseOptions::ControlFnTy control, bool throughReshapes) {
  scf::SCFTilingOptions tiling;
  tiling.setLoopType(loopType);
  if (!interchange.empty())
    tiling.setInterchange(interchange);
  tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), tiles));
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(control);
  if (throughReshapes) {
    RewritePatternSet patterns(rewriter.getContext());
    tensor::populateBubbleUpExtractSliceOpPatterns(patterns);
    options.cleanupPatterns = FrozenRewritePatternSet(std::move(patterns));
  }
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, root, options);
  if (failed(tiled) || tiled->loops.empty())
    return failure();
  for (OpResult result : root->getResults())
    rewriter.replaceAllUsesWith(result, tiled->replacements.lookup(result));
  return tiled;
}

TilingInterface findTiledRoot(scf::ForOp loop) {
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  if (yield.getNumOperands() != 1)
    return nullptr;
  auto insert = yield.getOperand(0).getDefiningOp<tensor::InsertSliceOp>();
  if (!insert)
    return nullptr;
  return insert.getSource().getDefiningOp<TilingInterface>();
}

SmallVector<TilingInterface> peelColumns(RewriterBase &rewriter,
                                         scf::ForOp loop) {
  scf::ForOp remainder;
  bool peeled =
      succeeded(scf::peelForLoopAndSimplifyBounds(rewriter, loop, remainder));
  SmallVector<TilingInterface> roots;
  simplifyTiles(loop);
  if (TilingInterface tiledRoot = findTiledRoot(loop))
    roots.push_back(tiledRoot);
  if (!peeled)
    return roots;
  // The remainder runs once. Its tile sizes are `N - iv`, so they fold to
  // constants only once its body replaces the loop (iv = the constant start);
  // until then its slices and ops are dynamic, which vectorization skips
  // (the tile then ran as scalar loops: a third of a ResNet layer's time).
  // The canonicalization that makes them static may rebuild the root, so it
  // is found again by a marker attribute; it touches the tile's ops only, as
  // the caller may hold other ops of the scope (contractions still to tile).
  TilingInterface tiledRoot = findTiledRoot(remainder);
  if (!tiledRoot)
    return roots;
  constexpr StringLiteral kMarker = "nncc.remainder_root";
  tiledRoot->setAttr(kMarker, rewriter.getUnitAttr());
  Operation *scope = remainder->getParentOp();
  SmallVector<Operation *> tileOps;
  Operation *yield = remainder.getBody()->getTerminator();
  remainder.getBody()->walk([&](Operation *op) {
    if (op != yield)
      tileOps.push_back(op);
  });
  if (succeeded(remainder.promoteIfSingleIteration(rewriter)))
    simplifyTiles(tileOps);
  else
    simplifyTiles(remainder);
  scope->walk([&](TilingInterface op) {
    if (op->hasAttr(kMarker)) {
      op->removeAttr(kMarker);
      roots.push_back(op);
    }
  });
  return roots;
}

} // namespace nncc::cpu
