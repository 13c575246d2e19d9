//===- ConvTiling.cpp - convolutions on the CPU ---------------------------===//
//
// How each 2-D convolution runs (planConv): direct, as rows of kernel taps
// (few filters, depthwise; with the images innermost for a padded input
// gradient), or as an im2col copy and a contraction (with
// its filter packed into panels when constant, image by image when one
// image is work for the threads).
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Tiling.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

namespace nncc::cpu {

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

namespace {

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

/// The vector multiply-adds in `scope` as vector.fma.
void fuseMulAdds(Operation *scope) {
  RewritePatternSet patterns(scope->getContext());
  patterns.add<MulAddToFma>(scope->getContext());
  (void)applyPatternsGreedily(scope, std::move(patterns));
}

} // namespace

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

namespace {

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

} // namespace

/// Tiles `conv` into rows (its accumulator's initialization fused), columns
/// of whole vectors with the remainder peeled, then scf.for loops over the
/// kernel taps, each tap one [m, w] multiply-add of a broadcast weight by an
/// input row read in place; the accumulator rows stay in registers across
/// the taps.
static LogicalResult tileTaps(RewriterBase &rewriter, linalg::LinalgOp conv,
                              const TapTiling &tiling,
                              const CpuMachine &machine) {
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
        isa<linalg::GenericOp>(column)
            ? cast<linalg::GenericOp>(column)
            : linalg::generalizeNamedOp(rewriter,
                                        cast<linalg::LinalgOp>(column));
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
  fuseMulAdds(rowLoop);
  return success();
}

/// The padding of `value` before and after along `dim`, when it is a 4-D
/// tensor.pad with zeros of static sizes that pads `dim`: {low, unpadded
/// size}.
static std::optional<std::pair<int64_t, int64_t>> zeroPadding(Value value,
                                                              unsigned dim) {
  auto pad = value.getDefiningOp<tensor::PadOp>();
  if (!pad || pad.getSourceType().getRank() != 4 ||
      pad.getSourceType().isDynamicDim(dim) ||
      ShapedType::isDynamic(pad.getStaticLow()[dim]) ||
      ShapedType::isDynamic(pad.getStaticHigh()[dim]) ||
      pad.getStaticLow()[dim] + pad.getStaticHigh()[dim] == 0)
    return std::nullopt;
  Value zero = pad.getConstantPaddingValue();
  if (!zero || !matchPattern(zero, m_AnyZeroFloat()))
    return std::nullopt;
  return std::make_pair(pad.getStaticLow()[dim],
                        pad.getSourceType().getDimSize(dim));
}

bool prefersBatchInnermostConv(linalg::Conv2DNchwFchwOp conv,
                               const CpuMachine &machine) {
  Value input = conv.getInputs()[0];
  auto pad = input.getDefiningOp<tensor::PadOp>();
  if (!prefersDirectConv(conv, machine) ||
      !llvm::all_of(conv.getDilations().getValues<int64_t>(),
                    [](int64_t d) { return d == 1; }) ||
      !conv.getOutputs()[0].getDefiningOp<linalg::FillOp>() ||
      !zeroPadding(input, 3) || !pad.getSourceType().hasStaticShape() ||
      ShapedType::isDynamicShape(pad.getStaticLow()) ||
      ShapedType::isDynamicShape(pad.getStaticHigh()))
    return false;
  // Padded along the rows and columns only, over whole vectors of images.
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  return low[0] == 0 && high[0] == 0 && low[1] == 0 && high[1] == 0 &&
         pad.getSourceType().getDimSize(0) % machine.lanes() == 0;
}

/// `value` [R, S...] as [S..., R] or back (`toBatchLast`): a 2-D transpose
/// of its view as [R, S] ([S, R]), which tileTranspose moves in blocks.
static Value moveBatch(RewriterBase &rewriter, Location loc, Value value,
                       bool toBatchLast) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t d = 0; d < rank; ++d)
    groups[toBatchLast ? d != 0 : d == rank - 1].push_back(d);
  Value flat = tensor::CollapseShapeOp::create(rewriter, loc, value, groups);
  Value moved = transposed(rewriter, loc, flat, {1, 0});
  SmallVector<int64_t> movedShape(shape);
  if (toBatchLast)
    std::rotate(movedShape.begin(), movedShape.begin() + 1, movedShape.end());
  else
    std::rotate(movedShape.begin(), movedShape.end() - 1, movedShape.end());
  SmallVector<ReassociationIndices> movedGroups(2);
  for (int64_t d = 0; d < rank; ++d)
    movedGroups[toBatchLast ? d == rank - 1 : d != 0].push_back(d);
  return tensor::ExpandShapeOp::create(
      rewriter, loc, RankedTensorType::get(movedShape, type.getElementType()),
      moved, movedGroups);
}

LogicalResult tileBatchInnermostConv(RewriterBase &rewriter,
                                     linalg::Conv2DNchwFchwOp conv,
                                     const CpuMachine &machine) {
  auto pad = conv.getInputs()[0].getDefiningOp<tensor::PadOp>();
  auto fill = conv.getOutputs()[0].getDefiningOp<linalg::FillOp>();
  Value filter = conv.getInputs()[1];
  auto outputType = cast<RankedTensorType>(conv.getResultTypes()[0]);
  ArrayRef<int64_t> output = outputType.getShape();
  Type f32 = outputType.getElementType();
  Location loc = conv.getLoc();
  MLIRContext *context = rewriter.getContext();
  rewriter.setInsertionPoint(conv);

  // The input as [C, H, W, N], padded as before along H and W.
  Value input = moveBatch(rewriter, loc, pad.getSource(), /*toBatchLast=*/true);
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  Value paddedInput =
      tensor::PadOp::create(
          rewriter, loc, /*resultType=*/Type(), input,
          getAsIndexOpFoldResult(context, {0, low[2], low[3], 0}),
          getAsIndexOpFoldResult(context, {0, high[2], high[3], 0}),
          pad.getConstantPaddingValue())
          .getResult();

  // out[f, oh, ow, n] += in[c, oh + kh, ow + kw, n] * w[f, c, kh, kw] over
  // loops (f, oh, ow, n, c, kh, kw).
  AffineExpr f, oh, ow, n, c, kh, kw;
  bindDims(context, f, oh, ow, n, c, kh, kw);
  SmallVector<AffineMap> maps = {
      AffineMap::get(7, 0, {c, oh + kh, ow + kw, n}, context),
      AffineMap::get(7, 0, {f, c, kh, kw}, context),
      AffineMap::get(7, 0, {f, oh, ow, n}, context)};
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.append(3, utils::IteratorType::reduction);
  Value init = linalg::FillOp::create(
                   rewriter, loc, fill.getInputs()[0],
                   ValueRange{tensor::EmptyOp::create(
                       rewriter, loc,
                       {output[1], output[2], output[3], output[0]}, f32)})
                   .getResult(0);
  auto batchLast = linalg::GenericOp::create(
      rewriter, loc, init.getType(), ValueRange{paddedInput, filter},
      ValueRange{init}, maps, iterators,
      [](OpBuilder &b, Location l, ValueRange args) {
        buildMulAdd(b, l, args);
      });
  rewriter.replaceOp(conv, moveBatch(rewriter, loc, batchLast.getResult(0),
                                     /*toBatchLast=*/false));

  // Rows over (rows of filters, output pixel), columns of images, taps over
  // (c, kh, kw): out[f, oh, ow, 0:N] += w[f, c, kh, kw] * in[c, oh + kh,
  // ow + kw, 0:N].
  MatmulTile tile = chooseMatmulTile(output[1], output[0], 1, machine);
  TapTiling tiling;
  tiling.rowTiles = {tile.m, 1, 1, 0, 0, 0, 0};
  tiling.columnDim = 3;
  tiling.columns = output[0];
  tiling.width = tile.n;
  tiling.rowDims = {1, 2};
  tiling.tapDims = {2, 3, 4};
  return tileTaps(rewriter, batchLast, tiling, machine);
}

/// A kernel-row loop of a convolution's taps, found from one of its reads of
/// the padded input at row oh + kh along a dimension `dim` (stride and
/// dilation 1): the loop over kh (from 0, step 1), oh, defined outside it,
/// and the rows the read spans (its vector's size along `dim`, or 1 when
/// that is not one of its dimensions). Rows or columns alike.
struct KernelRowLoop {
  scf::ForOp loop;
  Value oh;
  int64_t rows = 1;
};

static std::optional<KernelRowLoop> kernelRowLoop(vector::TransferReadOp read,
                                                  unsigned dim) {
  if (read.getIndices().size() != 4)
    return std::nullopt;
  MLIRContext *context = read.getContext();
  int64_t rows = 1;
  AffineMap map = read.getPermutationMap();
  for (unsigned i = 0; i < map.getNumResults(); ++i)
    if (map.getResult(i) == getAffineDimExpr(dim, context))
      rows = read.getVectorType().getDimSize(i);
  auto row = read.getIndices()[dim].getDefiningOp<affine::AffineApplyOp>();
  if (!row || row.getMapOperands().size() != 2 ||
      row.getAffineMap() != AffineMap::get(0, 2,
                                           getAffineSymbolExpr(0, context) +
                                               getAffineSymbolExpr(1, context)))
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    auto loop = scf::getForInductionVarOwner(row.getMapOperands()[i]);
    Value oh = row.getMapOperands()[1 - i];
    if (loop && loop.isDefinedOutsideOfLoop(oh) &&
        matchPattern(loop.getLowerBound(), m_Zero()) &&
        matchPattern(loop.getStep(), m_One()))
      return KernelRowLoop{loop, oh, rows};
  }
  return std::nullopt;
}

/// Whether `read`'s value (or its broadcast) is only a factor of vector.fma
/// products that add into an accumulation the loops carry (an iteration
/// argument, or another product's sum), so that a zero read adds nothing.
static bool onlyMultiplied(vector::TransferReadOp read) {
  SmallVector<Value> values = {read.getResult()};
  while (!values.empty()) {
    Value value = values.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (isa<vector::BroadcastOp>(user)) {
        values.push_back(user->getResult(0));
        continue;
      }
      auto fma = dyn_cast<vector::FMAOp>(user);
      if (!fma || use.get() == fma.getAcc())
        return false;
      Value acc = fma.getAcc();
      if (!isa<BlockArgument>(acc) && !acc.getDefiningOp<vector::FMAOp>())
        return false;
    }
  }
  return true;
}

/// Taps whose input rows are all in the zero padding above or below the
/// input add nothing. In `scope`, each kernel-row loop over the reads of
/// `padded` (r rows each) along `dim` becomes kh in [max(0, low - oh -
/// (r - 1)), min(KH, low + H - oh)). The input gradient of a 5x5
/// convolution, a convolution of the output gradient padded by 4 on each
/// side (LeNet-5's 10 rows to 18), had 29% of its taps in the padding
/// rows; with the images innermost (tileBatchInnermostConv), columns are
/// skipped alike, and half of the taps were in the padding.
static void skipPaddedRows(RewriterBase &rewriter, Operation *scope,
                           Value padded, unsigned dim) {
  std::optional<std::pair<int64_t, int64_t>> padding = zeroPadding(padded, dim);
  if (!padding)
    return;
  auto [low, height] = *padding;
  // Each kernel-row loop, with its oh and rows; none whose reads disagree.
  llvm::MapVector<Operation *, KernelRowLoop> loops;
  llvm::SmallPtrSet<Operation *, 4> rejected;
  scope->walk([&](vector::TransferReadOp read) {
    if (read.getBase() != padded)
      return;
    std::optional<KernelRowLoop> found = kernelRowLoop(read, dim);
    if (!found)
      return;
    auto [it, inserted] = loops.insert({found->loop, *found});
    if (!inserted &&
        (it->second.oh != found->oh || it->second.rows != found->rows))
      rejected.insert(found->loop);
  });
  for (auto [op, taps] : loops) {
    auto loop = cast<scf::ForOp>(op);
    if (rejected.contains(op))
      continue;
    // Every read of the padded input inside must be one of these taps, and
    // only multiplied into an accumulation (a zero adds nothing).
    bool onlyTaps = true;
    loop->walk([&](vector::TransferReadOp read) {
      if (read.getBase() == padded) {
        std::optional<KernelRowLoop> found = kernelRowLoop(read, dim);
        onlyTaps &= found && found->loop == loop && onlyMultiplied(read);
      }
    });
    if (!onlyTaps)
      continue;
    rewriter.setInsertionPoint(loop);
    Location loc = loop.getLoc();
    auto index = [&](int64_t value) {
      return arith::ConstantIndexOp::create(rewriter, loc, value).getResult();
    };
    Value oh = taps.oh;
    Value first = arith::MaxSIOp::create(
        rewriter, loc, index(0),
        arith::SubIOp::create(rewriter, loc, index(low - (taps.rows - 1)), oh));
    Value end = arith::MinSIOp::create(
        rewriter, loc, loop.getUpperBound(),
        arith::SubIOp::create(rewriter, loc, index(low + height), oh));
    rewriter.modifyOpInPlace(loop, [&] {
      loop.setLowerBound(first);
      loop.setUpperBound(end);
    });
  }
}

LogicalResult tileDirectConv(RewriterBase &rewriter,
                             linalg::Conv2DNchwFchwOp conv,
                             const CpuMachine &machine) {
  // Loops (n, f, oh, ow, c, kh, kw); a column's (f, ow, c, kh, kw).
  ArrayRef<int64_t> output =
      cast<ShapedType>(conv.getOutputs()[0].getType()).getShape();
  MatmulTile tile = chooseMatmulTile(output[1], output[3], 1, machine);
  int64_t rows = chooseConvRows(tile, output[2], machine);
  TapTiling tiling;
  tiling.rowTiles = {1, tile.m, rows, 0, 0, 0, 0};
  tiling.columnDim = 3;
  tiling.columns = output[3];
  tiling.width = tile.n;
  // A tile of several output rows keeps oh: its taps multiply-add an
  // [m, rows, w] accumulator, reading `rows` input rows per tap.
  if (rows == 1) {
    tiling.rowDims = {0, 2};
    tiling.tapDims = {2, 3, 4};
  } else {
    tiling.rowDims = {0};
    tiling.tapDims = {3, 4, 5};
  }
  return tileTaps(rewriter, conv, tiling, machine);
}

/// Whether `op` is a static f32 generic over 7 loops, the last 2 reducing,
/// with `maps` as its indexing maps (over dimensions d(0) to d(6)) and the
/// body p + a * b: a filter gradient's correlation.
static bool isCorrelation(
    linalg::GenericOp op,
    function_ref<SmallVector<AffineMap>(MLIRContext *,
                                        function_ref<AffineExpr(unsigned)>)>
        maps) {
  if (!op.hasPureTensorSemantics() || !hasStaticShapes(op) || !allF32(op) ||
      op.getNumLoops() != 7 || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 2)
    return false;
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  if (op.getIndexingMapsArray() != maps(ctx, d))
    return false;
  return linalg::detail::isContractionBody(
      op.getRegion().front(), [](Operation *multiply, Operation *add) {
        return isa<arith::MulFOp>(multiply) && isa<arith::AddFOp>(add);
      });
}

bool isFilterCorrelation(linalg::GenericOp op) {
  return isCorrelation(op, [](MLIRContext *ctx, auto d) {
    return SmallVector<AffineMap>{
        AffineMap::get(7, 0, {d(0), d(1), d(5), d(6)}, ctx),
        AffineMap::get(7, 0, {d(0), d(2), d(5) + d(3), d(6) + d(4)}, ctx),
        AffineMap::get(7, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)};
  });
}

LogicalResult tileFilterCorrelation(RewriterBase &rewriter,
                                    linalg::GenericOp op,
                                    const CpuMachine &machine) {
  // Loops (n, f, c, kh, kw, oh, ow).
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  int64_t lanes = machine.lanes(), filters = sizes[1], kh = sizes[3];
  int64_t vectors = llvm::divideCeil(sizes[6], lanes);
  int64_t extra = vectors * lanes - sizes[6];
  // Rows of filters: the largest divisor of F whose m x KH accumulators,
  // m gradient rows and KH input rows fit the registers.
  int64_t rows = 1;
  for (int64_t m = 1; m <= filters; ++m)
    if (filters % m == 0 && fitsRegisterTile(m * kh, m + kh, machine))
      rows = m;
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  Type f32 = rewriter.getF32Type();
  Value zero =
      arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
  // Zero columns up to whole vectors: ow to vectors * lanes, the input's
  // rows as far as the last tap reads. An input already padded with zeros
  // (the convolution's padding) is padded once, from its source.
  auto padColumns = [&](Value value) -> Value {
    if (extra == 0)
      return value;
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape.back() += extra;
    SmallVector<OpFoldResult> low(4, rewriter.getIndexAttr(0)),
        high(4, rewriter.getIndexAttr(0));
    auto padded = value.getDefiningOp<tensor::PadOp>();
    Value padding = padded ? padded.getConstantPaddingValue() : Value();
    if (padding && matchPattern(padding, m_AnyZeroFloat()) &&
        !padded.getNofold() &&
        getConstantIntValue(padded.getMixedHighPad().back())) {
      low = padded.getMixedLowPad();
      high = padded.getMixedHighPad();
      value = padded.getSource();
    }
    high.back() =
        rewriter.getIndexAttr(*getConstantIntValue(high.back()) + extra);
    return tensor::PadOp::create(rewriter, loc,
                                 RankedTensorType::get(shape, f32), value, low,
                                 high, zero);
  };
  Value grad = padColumns(op.getDpsInputOperand(0)->get());
  Value input = padColumns(op.getDpsInputOperand(1)->get());
  auto gradType = cast<RankedTensorType>(grad.getType());
  Value gradRows = tensor::ExpandShapeOp::create(
      rewriter, loc,
      RankedTensorType::get({gradType.getDimSize(0), gradType.getDimSize(1),
                             gradType.getDimSize(2), vectors, lanes},
                            f32),
      grad, SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
  // Loops (n, f, c, kh, kw, l, oh, j).
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<int64_t> lanesShape(sizes.begin(), sizes.begin() + 5);
  lanesShape.push_back(lanes);
  auto lanesType = RankedTensorType::get(lanesShape, f32);
  Value lanesInit =
      linalg::FillOp::create(
          rewriter, loc, zero,
          tensor::EmptyOp::create(rewriter, loc, lanesShape, f32).getResult())
          .getResult(0);
  SmallVector<utils::IteratorType> iterators(6, utils::IteratorType::parallel);
  iterators.append(2, utils::IteratorType::reduction);
  auto laneSums = linalg::GenericOp::create(
      rewriter, loc, TypeRange{lanesType}, ValueRange{gradRows, input},
      ValueRange{lanesInit},
      SmallVector<AffineMap>{
          AffineMap::get(8, 0, {d(0), d(1), d(6), d(7), d(5)}, ctx),
          AffineMap::get(
              8, 0, {d(0), d(2), d(6) + d(3), d(7) * lanes + d(5) + d(4)}, ctx),
          AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4), d(5)}, ctx)},
      iterators, [](OpBuilder &b, Location l, ValueRange args) {
        Value product = arith::MulFOp::create(b, l, args[0], args[1]);
        linalg::YieldOp::create(
            b, l, ValueRange{arith::AddFOp::create(b, l, product, args[2])});
      });
  // Each product is the sum of its lanes, added to the correlation's init.
  SmallVector<utils::IteratorType> sumIterators(5,
                                                utils::IteratorType::parallel);
  sumIterators.push_back(utils::IteratorType::reduction);
  auto sum = linalg::GenericOp::create(
      rewriter, loc, op.getResultTypes(), ValueRange{laneSums.getResult(0)},
      ValueRange{op.getDpsInitOperand(0)->get()},
      SmallVector<AffineMap>{
          rewriter.getMultiDimIdentityMap(6),
          AffineMap::get(6, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)},
      sumIterators, [](OpBuilder &b, Location l, ValueRange args) {
        linalg::YieldOp::create(
            b, l, ValueRange{arith::AddFOp::create(b, l, args[0], args[1])});
      });
  rewriter.replaceOp(op, sum.getResults());
  // Loops (n, f, c, kh, kw, l, oh, j); a row's (f, kh, l, oh, j) once its
  // unit n, c and kw go; each tap (oh, j) an [m, KH, V] multiply-add.
  TapTiling tiling;
  tiling.rowTiles = {1, rows, 1, 0, 1, 0, 0, 0};
  tiling.columnDim = 5;
  tiling.columns = lanes;
  tiling.width = lanes;
  tiling.rowDims = {0, 2, 4};
  tiling.tapDims = {3, 4};
  return tileTaps(rewriter, laneSums, tiling, machine);
}

bool isFiltersInnermostCorrelation(linalg::GenericOp op) {
  return isCorrelation(op, [](MLIRContext *ctx, auto d) {
    return SmallVector<AffineMap>{
        AffineMap::get(7, 0, {d(0), d(5), d(6), d(4)}, ctx),
        AffineMap::get(7, 0, {d(0), d(1), d(5) + d(2), d(6) + d(3)}, ctx),
        AffineMap::get(7, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)};
  });
}

LogicalResult tileFiltersInnermostCorrelation(RewriterBase &rewriter,
                                              linalg::GenericOp op,
                                              const CpuMachine &machine) {
  // Loops (n, c, kh, kw, f, oh, ow).
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  std::optional<CorrelationTile> tile =
      chooseCorrelationTile(sizes[1], sizes[2], sizes[3], sizes[4], machine);
  if (!tile)
    return failure();
  // A row's (c, kh, kw, f, oh, ow) once its unit dimensions go; each tap
  // (oh, ow) a [c, kh, KW, w] multiply-add.
  TapTiling tiling;
  tiling.rowTiles = {1, tile->channels, tile->kernelRows, 0, 0, 0, 0};
  tiling.columnDim = 4;
  tiling.columns = sizes[4];
  tiling.width = tile->width;
  tiling.rowDims = {0};
  if (tile->channels == 1)
    tiling.rowDims.push_back(1);
  if (tile->kernelRows == 1)
    tiling.rowDims.push_back(2);
  unsigned left = 7 - tiling.rowDims.size();
  tiling.tapDims = {left - 2, left - 1};
  return tileTaps(rewriter, op, tiling, machine);
}

void skipPaddedRows(Operation *scope) {
  IRRewriter rewriter(scope->getContext());
  SmallVector<Value> padded;
  scope->walk([&](tensor::PadOp pad) { padded.push_back(pad.getResult()); });
  for (Value value : padded)
    for (unsigned dim = 0; dim < 4; ++dim)
      skipPaddedRows(rewriter, scope, value, dim);
}

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

/// The largest of 4, 2 and 1 vectors of channels that divides `channels`, or
/// 0.
static int64_t largestBlock(ArrayRef<int64_t> channels,
                            const CpuMachine &machine) {
  for (int64_t block = 4 * machine.lanes(); block >= machine.lanes();
       block /= 2)
    if (llvm::all_of(channels, [&](int64_t c) { return c % block == 0; }))
      return block;
  return 0;
}

/// Whether `conv` may run over blocks of channels at all: f32, static, and
/// enough filters not to prefer the direct convolution.
static bool mayBlock(linalg::Conv2DNchwFchwOp conv, const CpuMachine &machine) {
  return conv.hasPureTensorSemantics() && hasStaticShapes(conv) &&
         allF32(conv) && !prefersDirectConv(conv, machine);
}

int64_t chooseChannelBlock(linalg::Conv2DNchwFchwOp conv,
                           const CpuMachine &machine) {
  if (!mayBlock(conv, machine))
    return 0;
  ArrayRef<int64_t> filter =
      cast<ShapedType>(conv.getInputs()[1].getType()).getShape();
  // A first layer's few input channels (less than a vector: the colours)
  // stay as they are; only its output is blocked.
  if (filter[1] < int64_t(machine.lanes()))
    return largestBlock({filter[0]}, machine);
  return largestBlock({filter[0], filter[1]}, machine);
}

std::optional<std::pair<int64_t, int64_t>>
chooseWidenedChannels(linalg::Conv2DNchwFchwOp conv, int64_t block,
                      const CpuMachine &machine) {
  if (!mayBlock(conv, machine) || chooseChannelBlock(conv, machine) >= block)
    return std::nullopt;
  ArrayRef<int64_t> filter =
      cast<ShapedType>(conv.getInputs()[1].getType()).getShape();
  int64_t filters = llvm::alignTo(filter[0], block);
  int64_t channels = filter[1] < int64_t(machine.lanes())
                         ? filter[1]
                         : int64_t(llvm::alignTo(filter[1], block));
  // At most half as many multiply-adds again (24 -> 32 channels: a third).
  if (2 * filters * channels > 3 * filter[0] * filter[1])
    return std::nullopt;
  return std::make_pair(filters, channels);
}

int64_t chooseChannelBlock(linalg::Conv2DNgchwGfchwOp conv,
                           const CpuMachine &machine) {
  // Input [N, G, 1, H, W], filter [G, 1, 1, KH, KW]: depthwise only.
  if (!conv.hasPureTensorSemantics() || !hasStaticShapes(conv) || !allF32(conv))
    return 0;
  ArrayRef<int64_t> filter =
      cast<ShapedType>(conv.getInputs()[1].getType()).getShape();
  if (filter[1] != 1 || filter[2] != 1)
    return 0;
  return largestBlock({filter[0]}, machine);
}

/// The taps of a column of a blocked convolution `conv` (tileBlockedConv),
/// its row dimensions already dropped: one scf.for per tap dimension, each
/// step a [pixels, channels] multiply-add ([blocks, pixels, channels] for a
/// tile that spans several output blocks).
static LogicalResult tileBlockedTaps(RewriterBase &rewriter,
                                     linalg::GenericOp conv, bool spansBlocks) {
  // A column's loops: (ow, fi), or (fb, ow, fi) when the tile spans blocks,
  // and the taps, (cb, kh, kw, ci), (kh, kw, c) when the input is not
  // blocked, or (kh, kw) when depthwise or pooling.
  unsigned channelDim = spansBlocks ? 2 : 1;
  SmallVector<unsigned> taps;
  for (unsigned d = channelDim + 1; d < conv.getNumLoops(); ++d)
    taps.push_back(d);
  SmallVector<int64_t> tiles(conv.getNumLoops(), 0);
  for (unsigned d : taps)
    tiles[d] = 1;
  auto tap = dyn_cast_or_null<linalg::GenericOp>(tileOp(rewriter, conv, tiles));
  if (!tap)
    return failure();
  // A depthwise (or pooling) tap reads the pixels' channel vectors: an
  // elementwise [m, w] op with the filter's. The others keep their last
  // tap, an input channel, as a unit reduction, so that the tap is a
  // contraction [m, 1] x [1, w] of broadcast pixels, which lowers to an
  // outer product (a broadcast along w became a transpose).
  bool channelwise = tap.getIndexingMapsArray()[0].isFunctionOfDim(channelDim);
  if (!channelwise)
    taps.pop_back();
  auto dropped =
      dyn_cast_or_null<linalg::GenericOp>(dropDims(rewriter, tap, taps));
  if (!dropped)
    return failure();
  // The tap's loops (fb, ow, fi, ci) as (ow, fb, ci, fi): the filter read
  // [fb, ci, fi] in its own order, broadcast along the leading pixels, which
  // folds into the contraction as an outer product. In the column's order
  // the filter's vectors were read broadcast along the middle dimension, a
  // [blocks, pixels, w] operand that the contraction lowering multiplied
  // and reduced as such; with ci last, read transposed, element by element
  // (LLVM put the vectors together again, but MobileNet-V2 took twice as
  // long to compile).
  if (spansBlocks && !channelwise) {
    if (dropped.getNumLoops() != 4)
      return failure();
    FailureOr<linalg::GenericOp> interchanged =
        linalg::interchangeGenericOp(rewriter, dropped, {1, 0, 3, 2});
    if (failed(interchanged))
      return failure();
    dropped = *interchanged;
  }
  unstrideInputs(rewriter, dropped);
  return success();
}

/// The loop order of a blocked convolution's parallel loop over `loops`
/// loops (n, fb, oh, ...): the one that moves fewer bytes from beyond L2.
/// Rows first (images, rows, then output blocks) read each input row once,
/// from cache for all the blocks of a row, and the whole filter once per
/// output row unless it stays in L2 (up to 3/4 of it, 1.5 MiB: the filter
/// and a row's input); blocks first (output blocks, images, rows) read each
/// block's filter once, from cache for all the images' rows, and the whole
/// input once per block unless it fits CpuMachine::cacheBytes. Blocks
/// first won for:
/// - ResNet's 7x7 x 512 layers at batch 1 (a block's filter, up to 1.2 MB,
///   then comes from L2 for every row; rows first streamed the model's
///   filters from memory per row), and ResNet-18 at batch 16 (464 -> 430
///   ms, one thread, three runs each);
/// - ResNet-50 at batch 16, whose 1x1 2048 -> 512 layers (a 4 MiB filter,
///   6.4 MB of input) rows first streamed the filter 112 times (470 MB),
///   blocks first the input 8 times (51 MB): the whole model 0.96x the time
///   (and batch 1 0.97x, through its downsampling blocks);
/// rows first for MobileNet-V2's 112 x 112 x 96 inputs (4.8 MB an image)
/// and its 1.2 MB filter of 960 -> 320 channels at batch 16 (blocks first
/// 1.02x the time). A residual branch's convolution that only `epilogue`
/// uses (fused into the same tiles) counts too.
static SmallVector<int64_t> blockedConvOrder(linalg::GenericOp conv,
                                             linalg::GenericOp epilogue,
                                             unsigned loops,
                                             const CpuMachine &machine) {
  auto order = llvm::to_vector(llvm::seq<int64_t>(0, loops));
  auto bytes = [](Value value) {
    auto type = cast<ShapedType>(value.getType());
    return type.getNumElements() * type.getElementTypeBitWidth() / 8;
  };
  SmallVector<linalg::GenericOp> convs = {conv};
  if (epilogue)
    for (Value input : epilogue.getDpsInputs()) {
      auto branch = input.getDefiningOp<linalg::GenericOp>();
      if (branch && branch != conv && branch->hasAttr(kBlockedConvAttr) &&
          branch->hasOneUse())
        convs.push_back(branch);
    }
  int64_t filterBytes = 0, inputBytes = 0;
  for (linalg::GenericOp op : convs) {
    filterBytes += bytes(op.getInputs()[1]);
    inputBytes += bytes(op.getInputs()[0]);
  }
  SmallVector<int64_t> sizes = conv.getStaticLoopRanges();
  int64_t rows = sizes[0] * sizes[2], blocks = sizes[1];
  auto traffic = [&](int64_t once, int64_t fits, int64_t times) {
    return once > fits ? once * times : once;
  };
  int64_t filterTraffic =
      traffic(filterBytes, machine.cacheBytes * 3 / 2, rows);
  int64_t inputTraffic = traffic(inputBytes, machine.cacheBytes, blocks);
  if (filterTraffic + inputBytes > inputTraffic + filterBytes)
    std::swap(order[0], order[1]);
  else
    std::rotate(order.begin() + 1, order.begin() + 2, order.begin() + 3);
  return order;
}

/// The end of tileBlockedConv in each tile under `rowLoop`: the row's unit
/// dimensions dropped from every op (the convolutions, their
/// initializations, the epilogue): the image, the output block unless the
/// tile spans several, and the output row; then the taps, and the vectors.
static void finishBlockedTiles(RewriterBase &rewriter, Operation *rowLoop,
                               bool spansBlocks = false) {
  simplifyTiles(rowLoop);
  SmallVector<linalg::LinalgOp> tiled;
  rowLoop->walk([&](linalg::LinalgOp op) { tiled.push_back(op); });
  for (linalg::LinalgOp op : tiled) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::GenericOp> generic =
        isa<linalg::GenericOp>(op) ? cast<linalg::GenericOp>(op)
                                   : linalg::generalizeNamedOp(rewriter, op);
    if (failed(generic))
      continue;
    SmallVector<unsigned> rowDims = {0, 1, 2};
    if (spansBlocks)
      rowDims = {0, 2};
    auto dropped = dyn_cast_or_null<linalg::GenericOp>(
        dropDims(rewriter, *generic, rowDims));
    if (dropped && dropped.getNumReductionLoops() > 0)
      (void)tileBlockedTaps(rewriter, dropped, spansBlocks);
  }
  simplifyTiles(rowLoop);
  vectorizeOpsIn(rewriter, rowLoop);
  fuseMulAdds(rowLoop);
}

/// Whether `op` has no effects (a linalg op on tensors, a slice) and its
/// results are used by nothing but such ops, `depth` deep: what the tiling
/// leaves of an op it fused (the original, its original consumer, the
/// slices fusion took of it), erased by the clean-up.
static bool feedsNothing(Operation *op, int depth = 3) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  bool noEffects =
      linalgOp ? linalgOp.hasPureTensorSemantics() : isMemoryEffectFree(op);
  if (!noEffects || depth == 0 || op->hasTrait<OpTrait::IsTerminator>())
    return false;
  return llvm::all_of(op->getUsers(), [&](Operation *user) {
    return feedsNothing(user, depth - 1);
  });
}

/// The tiles of `width` of a block's b output channels (width < b) read a
/// constant filter Wp[FB, ..., b] (BlockChannels.cpp, packFilter) through
/// slices [.., width] at channel offsets t * width under `scope`: each step
/// of a tile then reads `width` floats of every b, and its filter is b /
/// width times as many cache lines as it uses (ResNet-18's 7x7 x 512 layers
/// with AVX2, 2 ymm of every 4: a third of perf's samples on that load).
/// The filter is regrouped as the constant Wq[FB, b / width, ..., width],
/// and each slice is taken from it at (.., t, .., 0), dropping the unit t:
/// the same values, a tile's filter one contiguous run per block of input
/// channels. Nothing changes unless every use of the filter is such a slice
/// or feeds nothing (the convolution the tiles were fused from, which the
/// clean-up erases with the old constant).
static void regroupFilter(RewriterBase &rewriter, Value filter, int64_t width,
                          Operation *scope) {
  auto constant = filter.getDefiningOp<arith::ConstantOp>();
  auto values = constant ? dyn_cast<DenseElementsAttr>(constant.getValue())
                         : DenseElementsAttr();
  auto type = dyn_cast<RankedTensorType>(filter.getType());
  if (!values || !values.getElementType().isF32() || !type ||
      type.getRank() < 3)
    return;
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = type.getRank(), block = shape.back();
  if (width >= block || block % width != 0)
    return;
  SmallVector<tensor::ExtractSliceOp> slices;
  for (Operation *user : filter.getUsers()) {
    // The convolution the tiles were fused from is left, feeding nothing.
    if (feedsNothing(user))
      continue;
    auto slice = dyn_cast<tensor::ExtractSliceOp>(user);
    if (!slice || !scope->isAncestor(slice) || !slice.hasUnitStride())
      return;
    std::optional<int64_t> size =
        getConstantIntValue(slice.getMixedSizes().back());
    std::optional<int64_t> offset =
        getConstantIntValue(slice.getMixedOffsets().back());
    if (size != width || (offset && *offset % width != 0) ||
        slice.getResultType().getRank() != rank)
      return;
    slices.push_back(slice);
  }
  if (slices.empty())
    return;

  // Wq[f, t, m, i] = Wp[f, m, t * width + i], m the middle dimensions.
  int64_t groups = block / width, middle = 1;
  for (int64_t d = 1; d + 1 < rank; ++d)
    middle *= shape[d];
  auto source = values.getValues<float>();
  SmallVector<float> regrouped(values.getNumElements());
  int64_t next = 0;
  for (int64_t f = 0; f < shape[0]; ++f)
    for (int64_t t = 0; t < groups; ++t)
      for (int64_t m = 0; m < middle; ++m)
        for (int64_t i = 0; i < width; ++i)
          regrouped[next++] = source[(f * middle + m) * block + t * width + i];
  SmallVector<int64_t> regroupedShape = {shape[0], groups};
  regroupedShape.append(shape.begin() + 1, shape.end() - 1);
  regroupedShape.push_back(width);
  rewriter.setInsertionPoint(constant);
  Value wq = arith::ConstantOp::create(
      rewriter, constant.getLoc(),
      DenseElementsAttr::get(
          RankedTensorType::get(regroupedShape, rewriter.getF32Type()),
          ArrayRef(regrouped)));

  MLIRContext *context = rewriter.getContext();
  AffineExpr d0 = getAffineDimExpr(0, context);
  for (tensor::ExtractSliceOp slice : slices) {
    rewriter.setInsertionPoint(slice);
    SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
    SmallVector<OpFoldResult> sizes = slice.getMixedSizes();
    OpFoldResult group = affine::makeComposedFoldedAffineApply(
        rewriter, slice.getLoc(), d0.floorDiv(width), {offsets.back()});
    offsets.back() = rewriter.getIndexAttr(0);
    offsets.insert(offsets.begin() + 1, group);
    sizes.insert(sizes.begin() + 1, rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> strides(rank + 1, rewriter.getIndexAttr(1));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        slice, slice.getResultType(), wq, offsets, sizes, strides);
  }
}

/// regroupFilter for the filters of every convolution tiled under `scope`:
/// a residual branch's convolution fuses into the tiles of the one whose
/// epilogue adds it.
static void regroupFilters(RewriterBase &rewriter, Operation *scope,
                           int64_t width) {
  llvm::SetVector<Value> filters;
  scope->walk([&](tensor::ExtractSliceOp slice) {
    if (slice.getSource().getDefiningOp<arith::ConstantOp>())
      filters.insert(slice.getSource());
  });
  for (Value filter : filters)
    regroupFilter(rewriter, filter, width, scope);
}

/// tileBlockedConv for a convolution whose filter each output row would
/// stream again from L2 or L3 (chooseBlockedConvKChunk: ResNet's 7x7 x 512
/// layers, 1.2 MB a block of filters): tasks over (output block, image,
/// the tile's channels) in parallel, each running over chunks of `chunk`
/// input channels, and in each chunk over the rows and their columns of
/// tiles, the accumulators read and written back per chunk. A chunk's
/// filter then stays in L1 for all the rows. The fill fuses into the task;
/// the epilogue, which needs the whole sum, runs after the convolution.
static LogicalResult tileBlockedConvKBlocked(RewriterBase &rewriter,
                                             linalg::GenericOp conv,
                                             const MatmulTile &tile,
                                             int64_t chunk,
                                             const CpuMachine &machine) {
  // Loops (n, fb, oh, ow, fi, cb, kh, kw, ci).
  SmallVector<int64_t> sizes = conv.getStaticLoopRanges();
  SmallVector<int64_t> taskTiles(sizes.size(), 0);
  taskTiles[0] = taskTiles[1] = 1;
  if (sizes[4] > tile.n)
    taskTiles[4] = tile.n;
  FailureOr<scf::SCFTileAndFuseResult> tasks =
      tileAndFuse(rewriter, cast<TilingInterface>(conv.getOperation()),
                  taskTiles, rowLoops(conv, machine),
                  blockedConvOrder(conv, {}, sizes.size(), machine));
  if (failed(tasks))
    return failure();
  Operation *taskLoop = tasks->loops.front().getOperation();
  regroupFilters(rewriter, taskLoop, tile.n);
  SmallVector<int64_t> stepTiles(sizes.size(), 0);
  stepTiles[5] = 1;
  stepTiles[8] = chunk;
  stepTiles[2] = 1;
  if (tile.m < sizes[3])
    stepTiles[3] = tile.m;
  // Nothing fused into the steps (fuseNothing).
  FailureOr<scf::SCFTileAndFuseResult> steps = tileAndFuse(
      rewriter, cast<TilingInterface>(tasks->tiledAndFusedOps.front()),
      stepTiles, scf::SCFTilingOptions::LoopType::ForOp,
      {5, 8, 2, 3, 0, 1, 4, 6, 7}, fuseNothing());
  if (failed(steps))
    return failure();
  if (tile.m < sizes[3])
    (void)peelColumns(rewriter,
                      cast<scf::ForOp>(steps->loops.back().getOperation()));
  finishBlockedTiles(rewriter, taskLoop);
  return success();
}

LogicalResult tileBlockedConv(RewriterBase &rewriter, linalg::GenericOp conv,
                              const CpuMachine &machine) {
  // Loops (n, fb, oh, ow, fi) and the taps (BlockChannels.cpp); its
  // epilogue's (n, fb, oh, ow, fi).
  SmallVector<int64_t> sizes = conv.getStaticLoopRanges();
  if (sizes.size() < 7 || ShapedType::isDynamicShape(sizes))
    return failure();
  // Fused into the tiles of a convolution whose epilogue adds it.
  if (feedsNothing(conv))
    return failure();
  // The chunk of input channels a tile of `width` output channels runs
  // over, or 0 when its filter per output row is small enough.
  auto kChunk = [&](int64_t width) -> int64_t {
    if (sizes.size() != 9)
      return 0;
    return chooseBlockedConvKChunk(sizes[5] * sizes[8], sizes[8],
                                   sizes[6] * sizes[7], width, machine);
  };
  MatmulTile tile = chooseBlockedConvTile(sizes[3], sizes[4], 1, machine);
  if (int64_t chunk = kChunk(std::min(tile.n, sizes[4])))
    return tileBlockedConvKBlocked(rewriter, conv, tile, chunk, machine);
  // A tile of a short row may span output blocks (blockSpanMaxPixels),
  // unless each output channel reads its own input channel (depthwise,
  // pooling), which no broadcast would share, or the blocks' filter would
  // be too large to read whole for each row.
  if (!conv.getIndexingMapsArray()[0].isFunctionOfDim(4) &&
      sizes[3] <= machine.blockSpanMaxPixels) {
    MatmulTile spanning =
        chooseBlockedConvTile(sizes[3], sizes[4], sizes[1], machine);
    if (!kChunk(spanning.n))
      tile = spanning;
  }
  int64_t spanned = std::max<int64_t>(tile.n / sizes[4], 1);
  // The elementwise consumer (bias, activation, residual add) is the root,
  // so that it runs on the accumulators before the tile's one store.
  linalg::GenericOp epilogue = findEpilogue(conv);
  Operation *root = epilogue ? epilogue.getOperation() : conv.getOperation();
  unsigned rootLoops = cast<linalg::LinalgOp>(root).getNumLoops();
  SmallVector<int64_t> rowTiles(rootLoops, 0);
  rowTiles[0] = rowTiles[2] = 1;
  rowTiles[1] = spanned;
  if (sizes[4] > tile.n)
    rowTiles[4] = tile.n;
  FailureOr<scf::SCFTileAndFuseResult> rows = tileAndFuse(
      rewriter, cast<TilingInterface>(root), rowTiles, rowLoops(conv, machine),
      blockedConvOrder(conv, epilogue, rootLoops, machine));
  if (failed(rows))
    return failure();
  Operation *rowLoop = rows->loops.front().getOperation();
  regroupFilters(rewriter, rowLoop, tile.n);
  // Columns of `tile.m` pixels, the remainder peeled.
  if (tile.m < sizes[3]) {
    SmallVector<int64_t> columnTiles(rootLoops, 0);
    columnTiles[3] = tile.m;
    FailureOr<scf::SCFTileAndFuseResult> columns = tileAndFuse(
        rewriter, cast<TilingInterface>(rows->tiledAndFusedOps.front()),
        columnTiles, scf::SCFTilingOptions::LoopType::ForOp);
    if (failed(columns))
      return failure();
    (void)peelColumns(rewriter,
                      cast<scf::ForOp>(columns->loops.front().getOperation()));
  }
  finishBlockedTiles(rewriter, rowLoop, spanned > 1);
  return success();
}

} // namespace nncc::cpu
