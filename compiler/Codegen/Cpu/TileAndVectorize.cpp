//===- TileAndVectorize.cpp - register tiles for linalg on tensors ------===//
//
// The CPU strategy in front of bufferization (docs/design-notes.md "CPU
// tiling"), in order:
//
// 1. Elementwise chains fuse into one linalg.generic.
// 2. 2-D convolutions with few filters run direct (register tiles of
//    filters by output columns, one kernel tap per step); the others become
//    an im2col copy and a batched contraction (image by image when one
//    image's product is work for the threads, planConv), constant filters
//    packed into panels of the tile's rows, their elementwise consumers
//    collapsed to the contraction's shape.
// 3. Matmuls with a constant B read it in packed panels [N/w, K, w].
// 4. Each f32 contraction, with its elementwise consumer as the root, is
//    tiled into register tiles: an scf.forall over rows of tiles (the loop
//    the thread pool splits) and an scf.for over the tiles of a row, peeled,
//    in the order that keeps B's panel in cache (with columns outermost,
//    each column's panel copied contiguous first); the contraction and the
//    initialization of its accumulator are fused in, K is streamed by an
//    scf.for, and the tiles are vectorized. Sizes come from the cost model
//    (TileSizes.h).
// 5. Other ops with enough iterations get their outer loop split by an
//    scf.forall, for the thread pool.
// 6. All-parallel ops with short rows that read them contiguously (im2col
//    copies, unfused elementwise ops) get every other loop tiled by 1 and
//    each row vectorized whole.
// 7. The vector code is cleaned up; the accumulator leaves the K loop and
//    lives in registers.
//
// An op that cannot be handled is left as it was: the later lowering turns
// it into plain loops.
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

namespace {

/// Are all of `op`'s operands f32 (or f32 tensors)?
bool allF32(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type type) {
    return getElementTypeOrSelf(type).isF32();
  });
}

/// The body of a multiply-accumulate contraction: out += in0 * in1.
void buildMulAdd(OpBuilder &builder, Location loc, ValueRange args) {
  Value mul = arith::MulFOp::create(builder, loc, args[0], args[1]);
  linalg::YieldOp::create(
      builder, loc,
      arith::AddFOp::create(builder, loc, mul, args[2]).getResult());
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
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
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

/// The product of `op`'s static loop sizes (dynamic ones left out): its
/// iteration count, or a lower bound on it.
int64_t staticIterations(linalg::LinalgOp op) {
  int64_t count = 1;
  for (int64_t size : op.getStaticLoopRanges())
    count = ShapedType::isDynamic(size) ? count : count * size;
  return count;
}

/// The loop for the rows of tiles of `op`: an scf.forall (the threads'
/// loop) unless `op` has fewer than CpuMachine::parallelMinMacs iterations,
/// when waking a worker would cost more than it saves; a dynamic size (the
/// batch) counts as large.
scf::SCFTilingOptions::LoopType rowLoops(linalg::LinalgOp op,
                                         const CpuMachine &machine) {
  bool parallel =
      !hasStaticShapes(op) || staticIterations(op) >= machine.parallelMinMacs;
  return parallel ? scf::SCFTilingOptions::LoopType::ForallOp
                  : scf::SCFTilingOptions::LoopType::ForOp;
}

/// How `conv` runs: as one im2col copy and contraction for the whole batch,
/// image by image (an scf.for over the batch around them), or as loops.
///
/// Image by image whenever one image's product is big enough for the
/// threads to share (CpuMachine::parallelMinMacs): its copy (ResNet-18's:
/// 1.8-7 MB) is then written and read while it is still in cache, where the
/// whole batch's (16 images: 58 MB) went to memory and back, and ResNet-18's
/// layers ran at half the speed at batch 16 as at batch 1. Whole batches
/// otherwise (LeNet-5's second layer: 240K multiply-adds an image), so that
/// the batch is work for the threads, within the copy limit.
enum class ConvPlan { Loops, Im2Col, Im2ColPerImage };

ConvPlan planConv(linalg::Conv2DNchwFchwOp conv, const CpuMachine &machine) {
  if (!conv.hasPureTensorSemantics() || !hasStaticShapes(conv) || !allF32(conv))
    return ConvPlan::Loops;
  // Input [N, C, H, W], filter [F, C, KH, KW], output [N, F, OH, OW].
  ArrayRef<int64_t> filter =
      cast<ShapedType>(conv.getInputs()[1].getType()).getShape();
  ArrayRef<int64_t> output =
      cast<ShapedType>(conv.getOutputs()[0].getType()).getShape();
  int64_t imageElements =
      filter[1] * filter[2] * filter[3] * output[2] * output[3];
  int64_t imageBytes = imageElements * 4;
  if (imageBytes > machine.im2colLimitBytes)
    return ConvPlan::Loops;
  bool smallImage = imageElements * output[1] < machine.parallelMinMacs;
  if (output[0] == 1 ||
      (smallImage && output[0] * imageBytes <= machine.im2colLimitBytes))
    return ConvPlan::Im2Col;
  return ConvPlan::Im2ColPerImage;
}

/// Tiles `op` with `tiles` (0: not tiled) by loops of `loopType` and
/// replaces it; returns its one tiled copy, or null (leaving `op`) when the
/// tiling fails.
Operation *tileOp(RewriterBase &rewriter, Operation *op,
                  ArrayRef<int64_t> tiles,
                  scf::SCFTilingOptions::LoopType loopType =
                      scf::SCFTilingOptions::LoopType::ForOp) {
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

/// Drops the unit loop dimensions `dims` of `generic` (slicing its operands
/// to match) and replaces it; returns the new op, or null (leaving
/// `generic`) when that fails.
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

/// The patterns that fold the sizes of peeled tiles to constants, so their
/// slices and ops get static shapes.
FrozenRewritePatternSet tileSimplifications(MLIRContext *context) {
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

/// Simplifies the tiles in `scope` (tileSimplifications).
void simplifyTiles(Operation *scope) {
  (void)applyPatternsGreedily(scope, tileSimplifications(scope->getContext()));
}

/// Simplifies `ops` (the ops of a tile) and only them and the ops that
/// replace them (tileSimplifications): other ops of the scope may be held
/// by the caller.
void simplifyTiles(ArrayRef<Operation *> ops) {
  if (ops.empty())
    return;
  GreedyRewriteConfig config;
  config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
  (void)applyOpPatternsGreedily(
      ops, tileSimplifications(ops.front()->getContext()), config);
}

/// A constant f32 matrix M of K x N (`values` row-major, or `transposed`:
/// stored as N x K, a filter [F, C*KH*KW]) packed into panels of `width`
/// columns, Mp[nb, kk, nt] = M(kk, nb * width + nt), as the constant
/// [N / width, K, width]: a register tile's `width` values of one K step are
/// adjacent, and the next step's follow.
Value packPanels(RewriterBase &rewriter, Location loc, DenseElementsAttr values,
                 int64_t k, int64_t n, int64_t width, bool transposed) {
  SmallVector<float> packed(k * n);
  auto source = values.getValues<float>();
  int64_t blocks = n / width;
  for (int64_t nb = 0; nb < blocks; ++nb)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t nt = 0; nt < width; ++nt) {
        int64_t j = nb * width + nt;
        packed[(nb * k + kk) * width + nt] =
            source[transposed ? j * k + kk : kk * n + j];
      }
  auto type = RankedTensorType::get({blocks, k, width}, rewriter.getF32Type());
  return arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(type, ArrayRef(packed)));
}

/// Whether `value` is a tensor.empty or a slice of one (a tile of it).
bool isEmpty(Value value) {
  if (auto slice = value.getDefiningOp<tensor::ExtractSliceOp>())
    value = slice.getSource();
  return value.getDefiningOp<tensor::EmptyOp>() != nullptr;
}

/// Whether `op` fills an empty tensor by broadcasting its one input along
/// some dimensions (a layer's bias as the initial accumulator of its
/// convolution or matmul). Not a plain copy (packColumnPanel's).
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

/// When `init` is a fill of an empty tensor, or a broadcast into one
/// (isBroadcastInit) that reads no dimension `groups` collapses, the same
/// initialization of a new empty tensor of `shape`, whose dimension i covers
/// the dimensions groups[i] of `init`'s (an old dimension split into several
/// new ones is in each of their groups); else null. The accumulator's
/// initialization then fuses into the tiles (a vector constant or broadcast)
/// instead of being a pass over the whole output that the tiles read back.
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

/// Rewrites `conv` as an im2col copy and a batched contraction:
///
///   col[n, c, kh, kw, oh, ow] = x[n, c, oh * sh + kh * dh, ow * sw + kw * dw]
///   y[n, f, p] += w[f, (c, kh, kw)] * col[n, (c, kh, kw), p],  p = (oh, ow)
///
/// The copy iterates with ow innermost, so that for unit strides it reads and
/// writes rows of contiguous elements (plain loops the LLVM vectorizer turns
/// into vector copies); upstream's rewriteInIm2Col iterates over the
/// flattened (c, kh, kw) and (oh, ow) and computes a division and a
/// remainder per element.
///
/// A constant filter (inference) is packed at compile time into panels of
/// the register tile's height r, Wp[F / r, K, r], and the product runs over
/// (n, fb, ft, p, k) into [N, F / r, r, OH * OW]:
///
///   y[n, fb, ft, p] += Wp[fb, k, ft] * col[n, k, p]
///
/// so that a tile's r filter values of one K step are adjacent and the next
/// step's follow: the tile's broadcasts stream one panel. Read from W[F, K],
/// they came from r rows K floats apart (ResNet's last layers: 16 rows 18 KB
/// apart, 4 KiB pages of the object's constants), and the K loop stalled on
/// them. The result is collapsed back to [N, F, OH * OW]; its elementwise
/// consumers are expanded to the packed shape later (step 3), to stay
/// epilogues. Returns whether the filter was packed.
bool convertToIm2Col(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp conv,
                     const CpuMachine &machine) {
  Location loc = conv.getLoc();
  MLIRContext *context = rewriter.getContext();
  Value input = conv.getInputs()[0];
  Value filter = conv.getInputs()[1];
  Value init = conv.getOutputs()[0];
  auto filterType = cast<RankedTensorType>(filter.getType());
  auto outputType = cast<RankedTensorType>(init.getType());
  Type element = outputType.getElementType();
  ArrayRef<int64_t> f = filterType.getShape(), y = outputType.getShape();
  auto strides = llvm::to_vector(conv.getStrides().getValues<int64_t>());
  auto dilations = llvm::to_vector(conv.getDilations().getValues<int64_t>());

  rewriter.setInsertionPoint(conv);
  AffineExpr n, c, kh, kw, oh, ow;
  bindDims(context, n, c, kh, kw, oh, ow);
  SmallVector<AffineMap> copyMaps = {
      AffineMap::get(6, 0,
                     {n, c, oh * strides[0] + kh * dilations[0],
                      ow * strides[1] + kw * dilations[1]},
                     context),
      AffineMap::getMultiDimIdentityMap(6, context)};
  Value empty = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{y[0], f[1], f[2], f[3], y[2], y[3]},
      element);
  auto copy = linalg::GenericOp::create(
      rewriter, loc, empty.getType(), ValueRange{input}, ValueRange{empty},
      copyMaps,
      SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
      [](OpBuilder &b, Location l, ValueRange args) {
        linalg::YieldOp::create(b, l, args[0]);
      });
  Value col = tensor::CollapseShapeOp::create(
      rewriter, loc, copy.getResult(0),
      ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}});
  SmallVector<ReassociationIndices> outputGroups = {{0}, {1}, {2, 3}};
  int64_t filters = f[0], depth = f[1] * f[2] * f[3], pixels = y[2] * y[3];
  AffineExpr b, m, p, k;
  bindDims(context, b, m, p, k);
  auto iterators = [](unsigned parallel) {
    SmallVector<utils::IteratorType> types(parallel,
                                           utils::IteratorType::parallel);
    types.push_back(utils::IteratorType::reduction);
    return types;
  };

  // Constant filters (inference) are packed (see above).
  DenseElementsAttr filterValues;
  int64_t rows = chooseMatmulTile(filters, pixels, depth, machine).m;
  // In an image loop (splitBatch) the filter is a whole-tensor slice of the
  // constant.
  Value filterSource = filter;
  if (auto slice = filter.getDefiningOp<tensor::ExtractSliceOp>())
    if (slice.getSourceType() == slice.getResultType() &&
        areAllConstantIntValue(slice.getMixedOffsets(), 0) &&
        areAllConstantIntValue(slice.getMixedStrides(), 1))
      filterSource = slice.getSource();
  if (matchPattern(filterSource, m_Constant(&filterValues)) &&
      filterValues.getElementType().isF32() && filters % rows == 0) {
    // Wp[fb, kk, ft] = W[fb * rows + ft, kk].
    int64_t blocks = filters / rows;
    Value panels = packPanels(rewriter, loc, filterValues, depth, filters, rows,
                              /*transposed=*/true);
    // The product is [N, F / rows, rows, OH * OW]; the accumulator comes in
    // that shape too (refilled when it is a fill or a bias broadcast).
    SmallVector<int64_t> accShape = {y[0], blocks, rows, pixels};
    SmallVector<ReassociationIndices> packedGroups = {{0}, {1, 2}, {3}};
    Value acc = refill(rewriter, loc, init, accShape, {{0}, {1}, {1}, {2, 3}});
    if (!acc)
      acc = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get(accShape, element),
          tensor::CollapseShapeOp::create(rewriter, loc, init, outputGroups),
          packedGroups);
    AffineExpr fb, ft;
    bindDims(context, b, fb, ft, p, k);
    auto product = linalg::GenericOp::create(
        rewriter, loc, acc.getType(), ValueRange{panels, col}, ValueRange{acc},
        {AffineMap::get(5, 0, {fb, k, ft}, context),
         AffineMap::get(5, 0, {b, k, p}, context),
         AffineMap::get(5, 0, {b, fb, ft, p}, context)},
        iterators(4), buildMulAdd);
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc, product.getResult(0), packedGroups);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(conv, outputType, flat,
                                                       outputGroups);
    return true;
  }

  Value weights = tensor::CollapseShapeOp::create(
      rewriter, loc, filter, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  // A zero (or constant) accumulator is filled again in the collapsed shape,
  // so that the fill fuses into the tiles (a vector constant) instead of
  // being a memset of the whole output the tiles then read back.
  Value acc = refill(rewriter, loc, init, {y[0], y[1], pixels}, outputGroups);
  if (!acc)
    acc = tensor::CollapseShapeOp::create(rewriter, loc, init, outputGroups);
  auto product = linalg::GenericOp::create(
      rewriter, loc, acc.getType(), ValueRange{weights, col}, ValueRange{acc},
      {AffineMap::get(4, 0, {m, k}, context),
       AffineMap::get(4, 0, {b, k, p}, context),
       AffineMap::get(4, 0, {b, m, p}, context)},
      iterators(3), buildMulAdd);
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
      conv, outputType, product.getResult(0), outputGroups);
  return false;
}

/// A matmul whose B is a constant (a layer's weights) reads B in packed
/// panels: B[K, N] becomes the constant Bp[N / w, K, w] (w the register
/// tile's width), and the matmul a contraction over (m, nb, nt, k):
///
///   C[m, nb, nt] += A[m, k] * Bp[nb, k, nt]
///
/// so that the K x w panel a column of tiles reads is contiguous instead of
/// K rows N floats apart (at N = 1024, one page per K step: TLB and cache-set
/// misses held a 1024^3 product to a fifth of peak). The result and the
/// accumulator are viewed as [M, N / w, w]; a zero accumulator is filled
/// again in that shape so it still fuses into the tiles. Returns whether it
/// rewrote.
bool packConstantB(RewriterBase &rewriter, linalg::MatmulOp matmul,
                   const CpuMachine &machine) {
  if (matmul.hasUserDefinedMaps() || !matmul.hasPureTensorSemantics() ||
      !hasStaticShapes(matmul))
    return false;
  Value a = matmul.getInputs()[0], b = matmul.getInputs()[1];
  Value init = matmul.getOutputs()[0];
  DenseElementsAttr weights;
  if (!matchPattern(b, m_Constant(&weights)) ||
      !weights.getElementType().isF32() ||
      !getElementTypeOrSelf(a.getType()).isF32())
    return false;
  ArrayRef<int64_t> bShape = cast<ShapedType>(b.getType()).getShape();
  int64_t m = cast<ShapedType>(a.getType()).getShape()[0];
  int64_t k = bShape[0], n = bShape[1];
  int64_t width = chooseMatmulTile(m, n, k, machine).n;
  if (width >= n || n % width != 0)
    return false;

  int64_t blocks = n / width;
  Location loc = matmul.getLoc();
  MLIRContext *context = rewriter.getContext();
  Type f32 = rewriter.getF32Type();
  rewriter.setInsertionPoint(matmul);
  Value panels =
      packPanels(rewriter, loc, weights, k, n, width, /*transposed=*/false);

  SmallVector<ReassociationIndices> groups = {{0}, {1, 2}};
  auto accType = RankedTensorType::get({m, blocks, width}, f32);
  Value acc = refill(rewriter, loc, init, accType.getShape(), {{0}, {1}, {1}});
  if (!acc)
    acc = tensor::ExpandShapeOp::create(rewriter, loc, accType, init, groups);
  AffineExpr dm, nb, nt, kk;
  bindDims(context, dm, nb, nt, kk);
  auto product = linalg::GenericOp::create(
      rewriter, loc, accType, ValueRange{a, panels}, ValueRange{acc},
      {AffineMap::get(4, 0, {dm, kk}, context),
       AffineMap::get(4, 0, {nb, kk, nt}, context),
       AffineMap::get(4, 0, {dm, nb, nt}, context)},
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::parallel, utils::IteratorType::reduction},
      buildMulAdd);
  rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
      matmul, matmul.getResultTypes()[0], product.getResult(0), groups);
  return true;
}

/// Tiles the first parallel dimension of more than one iteration of `op` by
/// 1 with an scf.forall (a parallel loop for nncc-cpu-parallelize), when the
/// op has at least CpuMachine::parallelMinIterations iterations: below
/// that, waking a thread costs more than it saves.
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

/// Vectorizes the rows of an all-parallel op that are short (at most
/// CpuMachine::rowVectors vectors): every other loop is tiled by 1, the unit
/// dimensions dropped, and the row becomes one vector read and write per
/// operand. These are im2col copies (rows of OW elements) and unfused
/// elementwise ops over small images: LLVM leaves such short loops scalar
/// (an im2col row of 14 was 14 scalar moves).
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
      op.getNumReductionLoops() != 0 || !readsRowsContiguously(op) ||
      !op.getBody()->getOps<tensor::ExtractOp>().empty())
    return failure();
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  int64_t row = sizes.back();
  if (row < 2 || row > machine.rowVectors * machine.lanes())
    return failure();

  SmallVector<int64_t> tiles(sizes.size(), 1);
  tiles.back() = 0;
  auto tile = dyn_cast_or_null<linalg::GenericOp>(tileOp(rewriter, op, tiles));
  if (!tile)
    return failure();
  SmallVector<unsigned> unit;
  for (unsigned d = 0; d + 1 < sizes.size(); ++d)
    unit.push_back(d);
  Operation *rowOp = dropDims(rewriter, tile, unit);
  if (!rowOp)
    return failure();
  rewriter.setInsertionPoint(rowOp);
  FailureOr<linalg::VectorizationResult> vectors =
      linalg::vectorize(rewriter, rowOp);
  if (failed(vectors))
    return failure();
  rewriter.replaceOp(rowOp, vectors->replacements);
  return success();
}

/// A register tile of a batched contraction has parallel dimensions of size
/// 1 besides its m and n (the image of an im2col contraction, the batch of a
/// batch matmul); they are dropped, so that it vectorizes to a plain 2-D
/// contraction (a 3-D one lowers to far worse code). So is a unit m or n of
/// a tile one row or column wide, the remainder of a row of tiles: with it
/// kept as the vectors' last dimension, a 16 x 1 tile lowered to 16 scalar
/// FMAs per K step, as many as a full 16 x 16 tile; without it, to one FMA
/// of the 16 rows by a broadcast. Returns the op to use from now on.
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

/// Fusion control: only the contraction or convolution (or its tiled copy)
/// and the initialization of its accumulator (fills, broadcasts).
scf::SCFTileAndFuseOptions::ControlFnTy fuseContractionAndFill() {
  return
      [](tensor::ExtractSliceOp, OpResult producer,
         bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        Operation *op = producer.getOwner();
        auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
        if (linalgOp && (isa<linalg::FillOp, linalg::Conv2DNchwFchwOp>(op) ||
                         linalg::isaContractionOpInterface(linalgOp) ||
                         isBroadcastInit(op)))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      };
}

/// Tiles `root` with `tiles` (0: not tiled) by loops of `loopType`, fusing
/// the producers `control` accepts (by default the contraction and
/// initializations that feed it); replaces the root's uses.
FailureOr<scf::SCFTileAndFuseResult>
tileAndFuse(RewriterBase &rewriter, TilingInterface root,
            ArrayRef<int64_t> tiles, scf::SCFTilingOptions::LoopType loopType,
            ArrayRef<int64_t> interchange = {},
            scf::SCFTileAndFuseOptions::ControlFnTy control =
                fuseContractionAndFill()) {
  scf::SCFTilingOptions tiling;
  tiling.setLoopType(loopType);
  if (!interchange.empty())
    tiling.setInterchange(interchange);
  tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), tiles));
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(control);
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, root, options);
  if (failed(tiled) || tiled->loops.empty())
    return failure();
  for (OpResult result : root->getResults())
    rewriter.replaceAllUsesWith(result, tiled->replacements.lookup(result));
  return tiled;
}

/// An scf.for over the images of `conv`'s batch around a convolution of one
/// image and its epilogue (findEpilogue), so that the epilogue still
/// consumes the convolution's result directly; returns that convolution.
/// Only `conv` and its accumulator's initialization join the loop: another
/// convolution feeding the same epilogue (a residual add of two branches)
/// would come in as a convolution of one image that nothing rewrites (it
/// ran as scalar loops).
linalg::Conv2DNchwFchwOp splitBatch(RewriterBase &rewriter,
                                    linalg::Conv2DNchwFchwOp conv) {
  linalg::GenericOp epilogue = findEpilogue(conv);
  Operation *root = epilogue ? epilogue.getOperation() : conv.getOperation();
  SmallVector<int64_t> tiles(cast<linalg::LinalgOp>(root).getNumLoops(), 0);
  tiles[0] = 1;
  Operation *convOp = conv.getOperation();
  auto control = [convOp](tensor::ExtractSliceOp, OpResult producer, bool)
      -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
    Operation *op = producer.getOwner();
    if (op == convOp || isa<linalg::FillOp>(op) || isBroadcastInit(op))
      return scf::SCFTileAndFuseOptions::ControlFnResult{};
    return std::nullopt;
  };
  FailureOr<scf::SCFTileAndFuseResult> images =
      tileAndFuse(rewriter, cast<TilingInterface>(root), tiles,
                  scf::SCFTilingOptions::LoopType::ForOp, {}, control);
  if (failed(images))
    return nullptr;
  // The originals are dead now; erased, so that the other convolutions'
  // uses (findEpilogue) count only live ones.
  if (root->use_empty())
    rewriter.eraseOp(root);
  if (root != convOp && convOp->use_empty())
    rewriter.eraseOp(convOp);
  for (Operation *op : images->tiledAndFusedOps)
    if (auto tiled = dyn_cast<linalg::Conv2DNchwFchwOp>(op))
      return tiled;
  return nullptr;
}

/// The tiled root in the body of a loop over tiles: the op whose result the
/// loop inserts into the value it yields.
TilingInterface findTiledRoot(scf::ForOp loop) {
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  if (yield.getNumOperands() != 1)
    return nullptr;
  auto insert = yield.getOperand(0).getDefiningOp<tensor::InsertSliceOp>();
  if (!insert)
    return nullptr;
  return insert.getSource().getDefiningOp<TilingInterface>();
}

/// In the tiles under `scope`: every op in 2-D (the contraction, its fill and
/// its epilogue, so the accumulator vector flows from one to the next
/// unchanged), and K streamed one register step at a time.
void streamK(RewriterBase &rewriter, Operation *scope, const MatmulTile &tile) {
  SmallVector<linalg::LinalgOp> tiledOps;
  scope->walk([&](linalg::LinalgOp op) { tiledOps.push_back(op); });
  SmallVector<linalg::LinalgOp> tiledContractions;
  for (linalg::LinalgOp op : tiledOps) {
    op = dropUnitBatchDims(rewriter, op);
    if (linalg::isaContractionOpInterface(op) && op.getNumReductionLoops() > 0)
      tiledContractions.push_back(op);
  }
  for (linalg::LinalgOp tiledContraction : tiledContractions) {
    FailureOr<linalg::ContractionDimensions> tiledDims =
        linalg::inferContractionDims(tiledContraction);
    if (failed(tiledDims) || tiledDims->k.empty())
      continue;
    SmallVector<int64_t> kTiles(tiledContraction.getNumLoops(), 0);
    for (unsigned d : tiledDims->k)
      kTiles[d] = 1;
    kTiles[tiledDims->k.back()] = tile.k;
    scf::SCFTilingOptions kTiling;
    kTiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), kTiles));
    rewriter.setInsertionPoint(tiledContraction);
    FailureOr<scf::SCFTilingResult> kTiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(tiledContraction.getOperation()),
        kTiling);
    if (succeeded(kTiled))
      rewriter.replaceOp(tiledContraction, kTiled->replacements);
  }
}

/// Peels `loop` (a loop over the tiles of a row) and returns the roots of
/// its full and remainder tiles.
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

/// acc + a * b on vectors as one vector.fma: the taps of a direct
/// convolution vectorize to a multiply and an add, which LLVM keeps apart.
struct MulAddToFma : OpRewritePattern<arith::AddFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::AddFOp add,
                                PatternRewriter &rewriter) const override {
    if (!isa<VectorType>(add.getType()))
      return failure();
    for (auto [product, acc] : {std::pair(add.getRhs(), add.getLhs()),
                                std::pair(add.getLhs(), add.getRhs())}) {
      auto mul = product.getDefiningOp<arith::MulFOp>();
      if (!mul || !mul->hasOneUse())
        continue;
      rewriter.replaceOpWithNewOp<vector::FMAOp>(add, mul.getLhs(),
                                                 mul.getRhs(), acc);
      return success();
    }
    return failure();
  }
};

/// Whether `conv` runs as a direct convolution (tileDirectConv) rather than
/// through im2col: few filters, so that the im2col copy (C*KH*KW*OH*OW per
/// image) would cost about as much as the product (F multiply-adds per
/// copied element), unit strides (each kernel offset reads a contiguous
/// input row) and output rows of at most 4 vectors (one register row).
bool prefersDirectConv(linalg::Conv2DNchwFchwOp conv,
                       const CpuMachine &machine) {
  if (!conv.hasPureTensorSemantics() || !hasStaticShapes(conv) || !allF32(conv))
    return false;
  ArrayRef<int64_t> output =
      cast<ShapedType>(conv.getOutputs()[0].getType()).getShape();
  auto strides = conv.getStrides().getValues<int64_t>();
  return output[1] <= machine.directConvMaxFilters &&
         llvm::all_of(strides, [](int64_t s) { return s == 1; }) &&
         output[3] <= 4 * int64_t(machine.lanes());
}

/// How a convolution's loops are tiled into rows of taps (tileTaps).
struct TapTiling {
  /// Tiles of the row loop (an scf.forall, or an scf.for for a small
  /// convolution): 1 for each unit dimension of a row, the tile's height for
  /// the rows of filters, 0 for the rest.
  SmallVector<int64_t> rowTiles;
  /// The output-column dimension, tiled by `width` whole vectors.
  unsigned columnDim = 0;
  int64_t columns = 0, width = 0;
  /// The row's unit dimensions, dropped from each column.
  SmallVector<unsigned> rowDims;
  /// The kernel tap dimensions, after the drop: tiled by 1 and dropped.
  SmallVector<unsigned> tapDims;
};

/// Tiles `conv` into rows (its accumulator's initialization fused), columns
/// of whole vectors with the remainder peeled, then scf.for loops over the
/// kernel taps, each tap one [m, w] multiply-add of a broadcast weight by an
/// input row read in place; the accumulator rows stay in registers across
/// the taps.
LogicalResult tileTaps(RewriterBase &rewriter, linalg::LinalgOp conv,
                       const TapTiling &tiling, const CpuMachine &machine) {
  FailureOr<scf::SCFTileAndFuseResult> rows =
      tileAndFuse(rewriter, cast<TilingInterface>(conv.getOperation()),
                  tiling.rowTiles, rowLoops(conv, machine));
  if (failed(rows))
    return failure();
  Operation *rowLoop = rows->loops.front().getOperation();
  auto tiledConv = dyn_cast<linalg::LinalgOp>(rows->tiledAndFusedOps.front());
  if (!tiledConv)
    return failure();
  // Columns of whole vectors, the remainder peeled, as for contractions.
  SmallVector<Operation *> columns = {tiledConv};
  if (tiling.width < tiling.columns) {
    SmallVector<int64_t> columnTiles(conv.getNumLoops(), 0);
    columnTiles[tiling.columnDim] = tiling.width;
    Operation *column = tileOp(rewriter, tiledConv, columnTiles);
    if (!column)
      return failure();
    columns.clear();
    for (TilingInterface root :
         peelColumns(rewriter, column->getParentOfType<scf::ForOp>()))
      columns.push_back(root);
  }
  for (Operation *column : columns) {
    // The row's unit dimensions go first, so that the accumulator the taps
    // carry is a plain [m, w] tile; then one tap at a time, each an [m, w]
    // multiply-add once its unit dimensions go too.
    rewriter.setInsertionPoint(column);
    FailureOr<linalg::GenericOp> generic =
        linalg::generalizeNamedOp(rewriter, cast<linalg::LinalgOp>(column));
    if (failed(generic))
      return failure();
    auto row = dyn_cast_or_null<linalg::GenericOp>(
        dropDims(rewriter, *generic, tiling.rowDims));
    if (!row)
      return failure();
    SmallVector<int64_t> tapTiles(row.getNumLoops(), 0);
    for (unsigned d : tiling.tapDims)
      tapTiles[d] = 1;
    auto tap =
        dyn_cast_or_null<linalg::GenericOp>(tileOp(rewriter, row, tapTiles));
    if (!tap || !dropDims(rewriter, tap, tiling.tapDims))
      return failure();
  }
  simplifyTiles(rowLoop);
  vectorizeOpsIn(rewriter, rowLoop);
  RewritePatternSet patterns(rewriter.getContext());
  patterns.add<MulAddToFma>(rewriter.getContext());
  (void)applyPatternsGreedily(rowLoop, std::move(patterns));
  return success();
}

/// A direct convolution: rows over (image, rows of filters, output row),
/// taps over (c, kh, kw): out[f, 0:OW] += w[f, c, kh, kw] * in[c, oh + kh *
/// dh, kw * dw : + OW].
LogicalResult tileDirectConv(RewriterBase &rewriter,
                             linalg::Conv2DNchwFchwOp conv,
                             const CpuMachine &machine) {
  // Loops (n, f, oh, ow, c, kh, kw); a column's (f, ow, c, kh, kw).
  ArrayRef<int64_t> output =
      cast<ShapedType>(conv.getOutputs()[0].getType()).getShape();
  MatmulTile tile = chooseMatmulTile(output[1], output[3], 1, machine);
  TapTiling tiling;
  tiling.rowTiles = {1, tile.m, 1, 0, 0, 0, 0};
  tiling.columnDim = 3;
  tiling.columns = output[3];
  tiling.width = tile.n;
  tiling.rowDims = {0, 2};
  tiling.tapDims = {2, 3, 4};
  return tileTaps(rewriter, conv, tiling, machine);
}

/// Whether `conv` is a depthwise convolution (one input and one output
/// channel per group) that tileDepthwiseConv handles: f32, static, unit
/// strides (each tap reads a contiguous input row).
bool isDepthwiseConv(linalg::Conv2DNgchwGfchwOp conv) {
  if (!conv.hasPureTensorSemantics() || !hasStaticShapes(conv) || !allF32(conv))
    return false;
  // Input [N, G, C/G, H, W], filter [G, F/G, C/G, KH, KW].
  ArrayRef<int64_t> filter =
      cast<ShapedType>(conv.getInputs()[1].getType()).getShape();
  auto strides = conv.getStrides().getValues<int64_t>();
  return filter[1] == 1 && filter[2] == 1 &&
         llvm::all_of(strides, [](int64_t s) { return s == 1; });
}

/// A depthwise convolution (MobileNet's): rows over (image, channel, output
/// row), taps over (kh, kw): out[g, 0:OW] += w[g, kh, kw] * in[g, oh + kh *
/// dh, kw * dw : + OW]. Left to the loop lowering it ran scalar.
LogicalResult tileDepthwiseConv(RewriterBase &rewriter,
                                linalg::Conv2DNgchwGfchwOp conv,
                                const CpuMachine &machine) {
  // Loops (n, g, fg, oh, ow, c, kh, kw); a column's (ow, c, kh, kw).
  ArrayRef<int64_t> output =
      cast<ShapedType>(conv.getOutputs()[0].getType()).getShape();
  TapTiling tiling;
  tiling.rowTiles = {1, 1, 1, 1, 0, 0, 0, 0};
  tiling.columnDim = 4;
  tiling.columns = output[4];
  tiling.width = chooseMatmulTile(1, output[4], 1, machine).n;
  tiling.rowDims = {0, 1, 2, 3};
  tiling.tapDims = {1, 2, 3};
  return tileTaps(rewriter, conv, tiling, machine);
}

/// The contraction that is `root` or that feeds it (its epilogue), if any.
linalg::LinalgOp findContraction(TilingInterface root) {
  auto isContraction = [](Operation *op) {
    auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
    return linalgOp && linalg::isaContractionOpInterface(linalgOp) &&
           linalgOp.getNumReductionLoops() > 0;
  };
  if (isContraction(root))
    return cast<linalg::LinalgOp>(root.getOperation());
  for (Value operand : root->getOperands())
    if (isContraction(operand.getDefiningOp()))
      return operand.getDefiningOp<linalg::LinalgOp>();
  return nullptr;
}

/// Tiles `op`, an op of the output's shape (an epilogue, or the fill of an
/// accumulator), by columns of `width` along dimension `n`, peeled. Fuses
/// what tileAndFuse does by default: another contraction the epilogue adds
/// (a residual branch's 1x1 convolution) gets tiles of its own (left whole,
/// its 16 x 49 accumulator was one vector LLVM split and spilled).
void tileOutputColumns(RewriterBase &rewriter, TilingInterface op, unsigned n,
                       int64_t width) {
  SmallVector<int64_t> tiles(op.getLoopIteratorTypes().size(), 0);
  tiles[n] = width;
  FailureOr<scf::SCFTileAndFuseResult> columns =
      tileAndFuse(rewriter, op, tiles, scf::SCFTilingOptions::LoopType::ForOp);
  if (succeeded(columns))
    (void)peelColumns(rewriter,
                      cast<scf::ForOp>(columns->loops.front().getOperation()));
}

/// The columns of a row of tiles, K-blocked (chooseKBlock): an scf.for over
/// blocks of `kBlock` of K, the accumulators carried from block to block in
/// the row's output, and in each block the peeled scf.for over the columns,
/// whose tiles all read the block's A panel from L1. The accumulator's
/// initialization (before the blocks) and the epilogue (after them) can no
/// longer live in the tiles' registers; each becomes its own loop over the
/// row's columns. Fails, changing nothing, when the row's contraction is not
/// a single-K contraction initialized by a fill or broadcast.
LogicalResult tileRowColumnsKBlocked(RewriterBase &rewriter,
                                     TilingInterface rowRoot, unsigned rootN,
                                     int64_t width, int64_t kBlock) {
  linalg::LinalgOp contraction = findContraction(rowRoot);
  if (!contraction)
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(contraction);
  if (failed(dims) || dims->k.size() != 1 || dims->n.empty())
    return failure();
  AffineMap outputMap =
      contraction.getMatchingIndexingMap(contraction.getDpsInitOperand(0));
  std::optional<unsigned> outputN = outputMap.getResultPosition(
      getAffineDimExpr(dims->n.back(), rewriter.getContext()));
  if (!outputN)
    return failure();
  Operation *init = contraction.getDpsInits()[0].getDefiningOp();
  auto initOp = dyn_cast_or_null<TilingInterface>(init);
  if (!initOp || !(isa<linalg::FillOp>(init) || isBroadcastInit(init)))
    return failure();

  SmallVector<int64_t> kTiles(contraction.getNumLoops(), 0);
  kTiles[dims->k.front()] = kBlock;
  scf::SCFTilingOptions kTiling;
  kTiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), kTiles));
  rewriter.setInsertionPoint(contraction);
  FailureOr<scf::SCFTilingResult> blocks = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(contraction.getOperation()), kTiling);
  if (failed(blocks) || blocks->loops.empty())
    return failure();
  rewriter.replaceOp(contraction, blocks->replacements);

  SmallVector<int64_t> columnTiles(kTiles.size(), 0);
  columnTiles[dims->n.back()] = width;
  auto blockContraction = cast<TilingInterface>(blocks->tiledOps.front());
  FailureOr<scf::SCFTileAndFuseResult> columns =
      tileAndFuse(rewriter, blockContraction, columnTiles,
                  scf::SCFTilingOptions::LoopType::ForOp);
  if (succeeded(columns))
    (void)peelColumns(rewriter,
                      cast<scf::ForOp>(columns->loops.front().getOperation()));
  tileOutputColumns(rewriter, initOp, *outputN, width);
  if (rowRoot.getOperation() != contraction.getOperation())
    tileOutputColumns(rewriter, rowRoot, rootN, width);
  return success();
}

/// The scf.forall over rows of tiles (batch and m; the parallel loop), and
/// in it the scf.for over the tiles of a row, peeled; K-blocked when
/// `kBlock` is not 0 (tileRowColumnsKBlocked).
LogicalResult tileRowsThenColumns(RewriterBase &rewriter, TilingInterface root,
                                  ArrayRef<int64_t> rootTiles, unsigned rootN,
                                  const MatmulTile &tile,
                                  ArrayRef<int64_t> interchange,
                                  scf::SCFTilingOptions::LoopType rowLoopType,
                                  int64_t kBlock = 0) {
  SmallVector<int64_t> rowTiles(rootTiles);
  rowTiles[rootN] = 0;
  FailureOr<scf::SCFTileAndFuseResult> rows =
      tileAndFuse(rewriter, root, rowTiles, rowLoopType, interchange);
  if (failed(rows))
    return failure();
  Operation *rowLoop = rows->loops.front().getOperation();
  auto rowRoot = cast<TilingInterface>(rows->tiledAndFusedOps.front());
  if (kBlock == 0 || failed(tileRowColumnsKBlocked(rewriter, rowRoot, rootN,
                                                   rootTiles[rootN], kBlock))) {
    SmallVector<int64_t> columnTiles(rootTiles.size(), 0);
    columnTiles[rootN] = rootTiles[rootN];
    FailureOr<scf::SCFTileAndFuseResult> columns = tileAndFuse(
        rewriter, rowRoot, columnTiles, scf::SCFTilingOptions::LoopType::ForOp);
    if (succeeded(columns))
      (void)peelColumns(
          rewriter, cast<scf::ForOp>(columns->loops.front().getOperation()));
  }
  simplifyTiles(rowLoop);
  streamK(rewriter, rowLoop, tile);
  vectorizeOpsIn(rewriter, rowLoop);
  return success();
}

/// Copies the B panel a column of tiles reads (a K x width slice of rows
/// N floats apart) into a contiguous buffer, once per column, before the
/// rows of tiles read it: every row of tiles then streams the panel
/// linearly from cache instead of touching K scattered rows (K lines per
/// vector column: at N = 784 the rows are 3 KB apart, past the stride
/// prefetcher's reach).
void packColumnPanel(RewriterBase &rewriter, TilingInterface columnRoot) {
  linalg::LinalgOp contraction = findContraction(columnRoot);
  if (!contraction || contraction.getNumDpsInputs() != 2)
    return;
  OpOperand &b = *contraction.getDpsInputOperand(1);
  auto type = dyn_cast<RankedTensorType>(b.get().getType());
  if (!type || !type.hasStaticShape() ||
      !b.get().getDefiningOp<tensor::ExtractSliceOp>())
    return;
  Location loc = contraction.getLoc();
  rewriter.setInsertionPoint(contraction);
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        type.getElementType());
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(type.getRank(), rewriter.getContext());
  auto copy = linalg::GenericOp::create(
      rewriter, loc, type, ValueRange{b.get()}, ValueRange{empty},
      SmallVector<AffineMap>{identity, identity},
      SmallVector<utils::IteratorType>(type.getRank(),
                                       utils::IteratorType::parallel),
      [](OpBuilder &builder, Location l, ValueRange args) {
        linalg::YieldOp::create(builder, l, args[0]);
      });
  rewriter.modifyOpInPlace(contraction, [&] { b.set(copy.getResult(0)); });
}

/// `loop`, a loop over tiles that inserts each tile's result into its one
/// iter_arg, as the scf.forall that does the same with the tiles in
/// parallel; null (and `loop` unchanged) when it is not of that form. The
/// body is moved, so the ops in it stay valid.
scf::ForallOp forToForall(RewriterBase &rewriter, scf::ForOp loop) {
  if (loop.getNumRegionIterArgs() != 1)
    return nullptr;
  BlockArgument destination = loop.getRegionIterArgs()[0];
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  auto insert = yield.getOperand(0).getDefiningOp<tensor::InsertSliceOp>();
  if (!insert || insert.getDest() != destination || !insert->hasOneUse())
    return nullptr;
  // Each tile reads and writes its own slice of the destination only.
  for (Operation *user : destination.getUsers())
    if (user != insert && !isa<tensor::ExtractSliceOp>(user))
      return nullptr;
  Location loc = loop.getLoc();
  rewriter.setInsertionPoint(loop);
  auto forall = scf::ForallOp::create(
      rewriter, loc, {getAsOpFoldResult(loop.getLowerBound())},
      {getAsOpFoldResult(loop.getUpperBound())},
      {getAsOpFoldResult(loop.getStep())}, loop.getInitArgs(), std::nullopt);
  scf::InParallelOp terminator = forall.getTerminator();
  rewriter.inlineBlockBefore(loop.getBody(), terminator,
                             forall.getBody()->getArguments());
  rewriter.setInsertionPointToStart(terminator.getBody());
  tensor::ParallelInsertSliceOp::create(
      rewriter, loc, insert.getSource(), insert.getDest(),
      insert.getMixedOffsets(), insert.getMixedSizes(),
      insert.getMixedStrides());
  rewriter.eraseOp(yield);
  rewriter.eraseOp(insert);
  rewriter.replaceOp(loop, forall.getResults());
  return forall;
}

/// The scf.for over columns of tiles, peeled, and in each an scf.forall over
/// the rows of tiles of that column: the K x width panel of B a column reads
/// stays in cache while every row uses it. With rows outermost, each row
/// streamed all of B (ResNet's im2col matrices: megabytes) from memory.
///
/// With many columns (CpuMachine::parallelColumnsMin), the full columns are
/// the parallel loop instead, an scf.forall with an scf.for over the rows of
/// each: every thread packs its own panels (a buffer per thread, Parallelize
/// .cpp) and the layer is one parallel loop, not one per column. The
/// remainder column keeps its rows parallel.
LogicalResult tileColumnsThenRows(RewriterBase &rewriter, TilingInterface root,
                                  ArrayRef<int64_t> rootTiles, unsigned rootN,
                                  const MatmulTile &tile,
                                  const CpuMachine &machine) {
  SmallVector<int64_t> columnTiles(rootTiles.size(), 0);
  columnTiles[rootN] = rootTiles[rootN];
  FailureOr<scf::SCFTileAndFuseResult> columns = tileAndFuse(
      rewriter, root, columnTiles, scf::SCFTilingOptions::LoopType::ForOp);
  // N a single tile wide: no loop, the root itself is the column.
  SmallVector<TilingInterface> columnRoots{root};
  scf::ForallOp parallelColumns;
  if (succeeded(columns)) {
    auto loop = cast<scf::ForOp>(columns->loops.front().getOperation());
    columnRoots = peelColumns(rewriter, loop);
    std::optional<int64_t> fullColumns =
        loop.getStaticTripCount()
            ? std::optional<int64_t>(loop.getStaticTripCount()->getSExtValue())
            : std::nullopt;
    // peelColumns returns the full columns' root first, in `loop`.
    if (fullColumns && *fullColumns >= machine.parallelColumnsMin &&
        !columnRoots.empty() &&
        columnRoots.front()->getParentOp() == loop.getOperation())
      parallelColumns = forToForall(rewriter, loop);
  }
  SmallVector<int64_t> rowTiles(rootTiles);
  rowTiles[rootN] = 0;
  for (TilingInterface columnRoot : columnRoots) {
    bool inParallelColumn =
        parallelColumns &&
        columnRoot->getParentOp() == parallelColumns.getOperation();
    packColumnPanel(rewriter, columnRoot);
    FailureOr<scf::SCFTileAndFuseResult> rows = tileAndFuse(
        rewriter, columnRoot, rowTiles,
        inParallelColumn ? scf::SCFTilingOptions::LoopType::ForOp
                         : scf::SCFTilingOptions::LoopType::ForallOp);
    if (failed(rows))
      continue;
    // The rows only: the panel copy in front is vectorized by rows later
    // (vectorizeRows), and the tile simplifications would fold it away (an
    // identity copy on tensors).
    Operation *scope = rows->loops.front().getOperation();
    simplifyTiles(scope);
    streamK(rewriter, scope, tile);
    vectorizeOpsIn(rewriter, scope);
  }
  return success();
}

/// Tiles one contraction (and its epilogue) into vectorized register tiles.
/// Fails (leaving the IR as it was) when it does not apply.
///
/// Two levels: an scf.forall over rows of tiles (batch and m by the register
/// tile's height; the parallel loop, an scf.for for a small product) and an
/// scf.for over the tiles of a row (n by its width), peeled so that every full
/// tile is static and the last, narrower one is static too (its width is the
/// remainder); in either order (see tileColumnsThenRows). K is then streamed by
/// one more scf.for in each tile.
LogicalResult tileContraction(RewriterBase &rewriter,
                              linalg::LinalgOp contraction,
                              const CpuMachine &machine) {
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(contraction);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();
  if (!contraction.hasPureTensorSemantics() || !allF32(contraction))
    return failure();

  MatmulTile tile;
  SmallVector<int64_t> tiles =
      parallelTileSizes(contraction, *dims, machine, tile);

  // The root is the epilogue when there is one: its loops are the
  // contraction's output dimensions, in the output's order.
  TilingInterface root = cast<TilingInterface>(contraction.getOperation());
  SmallVector<int64_t> rootTiles;
  AffineMap outputMap =
      contraction.getMatchingIndexingMap(contraction.getDpsInitOperand(0));
  if (!outputMap.isProjectedPermutation())
    return failure();
  unsigned rootN = dims->n.back();
  if (linalg::GenericOp epilogue = findEpilogue(contraction)) {
    root = cast<TilingInterface>(epilogue.getOperation());
    for (unsigned i = 0; i < outputMap.getNumResults(); ++i) {
      rootTiles.push_back(tiles[outputMap.getDimPosition(i)]);
      if (outputMap.getDimPosition(i) == dims->n.back())
        rootN = i;
    }
  } else {
    rootTiles = tiles;
  }

  // Rows of tiles outermost unless B is too big to stay in cache while
  // every row streams all of it (TileSizes.h).
  SmallVector<int64_t> sizes = contraction.getStaticLoopRanges();
  int64_t k = 1, n = 1;
  for (unsigned d : dims->k)
    k *= std::max<int64_t>(sizes[d], 1);
  for (unsigned d : dims->n)
    n *= std::max<int64_t>(sizes[d], 1);
  int64_t m = 1;
  for (unsigned d : dims->m)
    m *= std::max<int64_t>(sizes[d], 1);
  bool bigB = m > tile.m && k * n * 4 > machine.cacheBytes;
  // B in packed panels (packConstantB): each panel is its own n dimension,
  // so the parallel loop puts the panels outermost instead.
  SmallVector<int64_t> interchange;
  bool packedB = dims->n.size() > 1 && contraction.getNumDpsInputs() == 2 &&
                 matchPattern(contraction.getDpsInputs()[1], m_Constant());
  if (bigB && packedB) {
    auto rootDim = [&](unsigned d) -> int64_t {
      if (root.getOperation() == contraction.getOperation())
        return d;
      for (unsigned i = 0; i < outputMap.getNumResults(); ++i)
        if (outputMap.getDimPosition(i) == d)
          return i;
      return -1;
    };
    SmallVector<int64_t> first;
    for (unsigned d : ArrayRef(dims->n).drop_back())
      first.push_back(rootDim(d));
    if (llvm::is_contained(first, -1))
      return failure();
    interchange = first;
    for (int64_t i = 0, e = rootTiles.size(); i < e; ++i)
      if (!llvm::is_contained(first, i))
        interchange.push_back(i);
    return tileRowsThenColumns(rewriter, root, rootTiles, rootN, tile,
                               interchange,
                               scf::SCFTilingOptions::LoopType::ForallOp);
  }
  return bigB ? tileColumnsThenRows(rewriter, root, rootTiles, rootN, tile,
                                    machine)
              : tileRowsThenColumns(rewriter, root, rootTiles, rootN, tile,
                                    /*interchange=*/{},
                                    rowLoops(contraction, machine),
                                    chooseKBlock(tile, n, k, machine));
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
      for (auto [conv, plan] : convs) {
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

    // 3. Constant B operands in packed panels; their elementwise consumers are
    // expanded to the packed result's [M, N / w, w] view to stay epilogues.
    {
      SmallVector<linalg::MatmulOp> matmuls;
      func.walk([&](linalg::MatmulOp matmul) { matmuls.push_back(matmul); });
      IRRewriter rewriter(context);
      bool packed = false;
      for (linalg::MatmulOp matmul : matmuls)
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

    // 5. Every other op big enough: its outer parallel dimension split over
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

    // 6. Short rows of what is left (copies, elementwise ops) as vectors.
    {
      SmallVector<linalg::GenericOp> rest;
      func.walk([&](linalg::GenericOp op) { rest.push_back(op); });
      IRRewriter rewriter(context);
      for (linalg::GenericOp op : rest)
        (void)vectorizeRows(rewriter, op, machine);
    }

    // 7. Clean up the vector code.
    cleanUpVectorCode(func);
  }
};

} // namespace
