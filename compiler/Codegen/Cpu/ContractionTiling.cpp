//===- ContractionTiling.cpp - register tiles of contractions -------------===//
//
// Each f32 contraction and its epilogue into vectorized register tiles:
// rows or columns of tiles outermost (the parallel loop), peeled, K
// streamed one step at a time or K-blocked, B packed into panels.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Tiling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace nncc::cpu {

/// Tile sizes of the contraction's loops (0: not tiled here) from the cost
/// model: batch and outer m/n dimensions by 1, the innermost m and n by the
/// register tile, K not at all (the K loop comes next).
static SmallVector<int64_t>
parallelTileSizes(linalg::LinalgOp op,
                  const linalg::ContractionDimensions &dims,
                  const CpuMachine &machine, bool panelB, MatmulTile &tile) {
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
  tile = chooseMatmulTile(sizes[dims.m.back()], sizes[dims.n.back()], k,
                          machine, panelB);
  tiles[dims.m.back()] = tile.m;
  tiles[dims.n.back()] = tile.n;
  return tiles;
}

/// Whether the rows of tiles of an M x N x K product cannot all read B from
/// cache, so that columns of tiles go outermost (more than one row of tiles): B
/// larger than CpuMachine::cacheBytes, at least the whole of an L2 of 1 MiB or
/// more, or larger than half of the L2 while A fits in the other half. Columns
/// first keeps a column's panel of B in cache for every row, but every column
/// reads all of A again: on the Zen 3 (512 KiB L2), with the MLP's 64 x 784 x
/// 256 layer (B 800 KB, A 200 KB) columns first, MLP batch 64 inference took
/// 0.88-0.89x the time in the machine's fast phase and its SGD step 0.93x;
/// 512^3 (A 1 MiB, from L3 either way) took 1.27x then. On the Zen 5 (1 MiB
/// L2), 512^3 with B (1 MiB) filling the L2 took 0.85x the time columns first
/// on one thread (1.33 against 1.56 ms) and 0.86x on two; ResNet-50, whose 1x1
/// layers of 256 and 1024 channels have such a B, ran as fast either way. Hence
/// the whole-L2 rule, for the L2 sizes of the Zen 4 and 5 (1 MiB) and up,
/// measured on the Zen 5 only.
static bool isLargeProduct(int64_t m, int64_t n, int64_t k,
                           const MatmulTile &tile, const CpuMachine &machine) {
  int64_t bytesA = m * k * 4, bytesB = k * n * 4;
  return m > tile.m &&
         (bytesB > machine.cacheBytes ||
          (bytesB >= machine.l2Bytes &&
           machine.l2Bytes >= (int64_t(1) << 20)) ||
          (bytesB > machine.l2Bytes / 2 && bytesA <= machine.l2Bytes / 2));
}

/// A[M, K] in micro-panels of `rows` rows, Ap[M / rows, K, rows]: a register
/// tile's rows of one K step are adjacent and the next step's follow.
static Value packMicroPanels(RewriterBase &rewriter, Location loc, Value a,
                             int64_t rows) {
  ArrayRef<int64_t> shape = cast<ShapedType>(a.getType()).getShape();
  int64_t m = shape[0], k = shape[1];
  Type f32 = rewriter.getF32Type();
  Value rowsFirst = tensor::ExpandShapeOp::create(
      rewriter, loc, RankedTensorType::get({m / rows, rows, k}, f32), a,
      SmallVector<ReassociationIndices>{{0, 1}, {2}});
  // A transpose, not a generic: tileTranspose copies it in blocks of
  // vectors (16 steps of K by the tile's rows), where the generic's loops
  // gathered one K step's `rows` floats at a time.
  return transposed(rewriter, loc, rowsFirst, {0, 2, 1});
}

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
  MatmulTile tile = chooseMatmulTile(m, n, k, machine, /*panelB=*/true);
  int64_t width = tile.n;
  if (width >= n)
    return false;
  // An N that the panels do not divide (a classifier's 1000) is padded with
  // zero columns, which the result's slice drops: read as it is, each K
  // step of B was a line N floats from the last (ResNet-50's 8 MB
  // classifier at batch 1, and MobileNet-V2's 5 MB: 6% of its time).
  int64_t blocks = (n + width - 1) / width, padded = blocks * width;
  // A product whose A does not stay in cache either is blocked for the
  // caches (tilePackedBlocked) and reads A in micro-panels: read in place,
  // a tile's rows are K floats apart (at K = 1024 exactly 4 KiB: they and
  // C's rows evicted each other from L1's sets), and every panel of B
  // streamed all of A from memory.
  bool packA = isLargeProduct(m, n, k, tile, machine) && m % tile.m == 0 &&
               m * k * 4 >= machine.packedAMinBytes;
  Location loc = matmul.getLoc();
  MLIRContext *context = rewriter.getContext();
  Type f32 = rewriter.getF32Type();
  rewriter.setInsertionPoint(matmul);
  Value panels =
      packPanels(rewriter, loc, weights, k, n, width, /*transposed=*/false);

  // The accumulator: [M, nb, nt], or [M / mr, mr, nb, nt] with A packed.
  SmallVector<int64_t> accShape = {m, blocks, width};
  SmallVector<ReassociationIndices> groups = {{0}, {1, 2}};
  SmallVector<ReassociationIndices> refillGroups = {{0}, {1}, {1}};
  if (packA) {
    accShape = {m / tile.m, tile.m, blocks, width};
    groups = {{0, 1}, {2, 3}};
    refillGroups = {{0}, {0}, {1}, {1}};
  }
  auto accType = RankedTensorType::get(accShape, f32);
  // A broadcast of the bias cannot be split into padded panels: the init
  // is then padded (a copy of an M x N init).
  Value acc;
  if (padded == n || init.getDefiningOp<linalg::FillOp>())
    acc = refill(rewriter, loc, init, accType.getShape(), refillGroups);
  if (!acc) {
    Value whole = init;
    if (padded != n) {
      Value zero = arith::ConstantOp::create(rewriter, loc, f32,
                                             rewriter.getF32FloatAttr(0));
      whole =
          tensor::createPadHighOp(RankedTensorType::get({m, padded}, f32), init,
                                  zero, /*nofold=*/false, loc, rewriter);
    }
    acc = tensor::ExpandShapeOp::create(rewriter, loc, accType, whole, groups);
  }
  // Loops (mo, mi, nb, nt, k) over A's micro-panels, else (m, nb, nt, k).
  AffineExpr mo, mi, nb, nt, kk;
  Value lhs = a;
  SmallVector<AffineExpr> lhsExprs, accExprs;
  if (packA) {
    bindDims(context, mo, mi, nb, nt, kk);
    lhs = packMicroPanels(rewriter, loc, a, tile.m);
    lhsExprs = {mo, kk, mi};
    accExprs = {mo, mi, nb, nt};
  } else {
    bindDims(context, mo, nb, nt, kk);
    lhsExprs = {mo, kk};
    accExprs = {mo, nb, nt};
  }
  unsigned loops = packA ? 5 : 4;
  AffineMap lhsMap = AffineMap::get(loops, 0, lhsExprs, context);
  AffineMap accMap = AffineMap::get(loops, 0, accExprs, context);
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  auto product = linalg::GenericOp::create(
      rewriter, loc, accType, ValueRange{lhs, panels}, ValueRange{acc},
      {lhsMap, AffineMap::get(loops, 0, {nb, kk, nt}, context), accMap},
      iterators, buildMulAdd);
  Value result = tensor::CollapseShapeOp::create(
      rewriter, loc, RankedTensorType::get({m, padded}, f32),
      product.getResult(0), groups);
  if (padded != n)
    result = tensor::ExtractSliceOp::create(
        rewriter, loc, result, getAsIndexOpFoldResult(context, {0, 0}),
        getAsIndexOpFoldResult(context, {m, n}),
        getAsIndexOpFoldResult(context, {1, 1}));
  rewriter.replaceOp(matmul, result);
  return true;
}

/// In the tiles under `scope`: every op in 2-D (the contraction, its fill and
/// its epilogue, so the accumulator vector flows from one to the next
/// unchanged), and K streamed one register step at a time.
static void streamK(RewriterBase &rewriter, Operation *scope,
                    const MatmulTile &tile) {
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

/// The contraction that is `root` or that feeds it (its epilogue), if any.
static linalg::LinalgOp findContraction(TilingInterface root) {
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

/// Tiles `op` by `tiles` (0: not tiled; rows or columns of register tiles),
/// the outermost loop peeled, fusing what tileAndFuse does by default: the
/// contraction and the initialization that feed an epilogue, and another
/// contraction an epilogue adds (a residual branch's 1x1 convolution, which
/// left whole had one 16 x 49 accumulator vector that LLVM split and
/// spilled).
static void tileAlong(RewriterBase &rewriter, TilingInterface op,
                      ArrayRef<int64_t> tiles) {
  FailureOr<scf::SCFTileAndFuseResult> loop =
      tileAndFuse(rewriter, op, tiles, scf::SCFTilingOptions::LoopType::ForOp);
  if (succeeded(loop) && !loop->loops.empty())
    (void)peelColumns(rewriter,
                      cast<scf::ForOp>(loop->loops.front().getOperation()));
}

/// `root`'s loop `dim` by `size`, the others whole.
static SmallVector<int64_t> tilesAlong(TilingInterface root, unsigned dim,
                                       int64_t size) {
  SmallVector<int64_t> tiles(root.getLoopIteratorTypes().size(), 0);
  tiles[dim] = size;
  return tiles;
}

/// The tiles of `root`, K-blocked: an scf.for over blocks of `kBlock` of K,
/// the accumulators carried from block to block in the output, and in each
/// block the scf.for over the tiles `rootTiles` makes of the root (its
/// loops, which must be the contraction's output dimensions): the columns of
/// a row of tiles, whose tiles all read the block's A panel from L1
/// (chooseKBlock), or the rows of tiles of a panel of B, which all read the
/// block's piece of the panel from L1 (choosePanelKBlock). The
/// accumulator's initialization (before the blocks) and the epilogue (after
/// them) can no longer live in the tiles' registers; each becomes its own
/// loop over the tiles. Fails, changing nothing, when the contraction is not
/// a single-K contraction initialized by a fill or broadcast.
static LogicalResult tileKBlocked(RewriterBase &rewriter, TilingInterface root,
                                  ArrayRef<int64_t> rootTiles, int64_t kBlock) {
  linalg::LinalgOp contraction = findContraction(root);
  if (!contraction)
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(contraction);
  if (failed(dims) || dims->k.size() != 1 || dims->n.empty())
    return failure();
  AffineMap outputMap =
      contraction.getMatchingIndexingMap(contraction.getDpsInitOperand(0));
  if (!outputMap.isProjectedPermutation() ||
      (root.getOperation() != contraction.getOperation() &&
       rootTiles.size() != outputMap.getNumResults()))
    return failure();
  Operation *init = contraction.getDpsInits()[0].getDefiningOp();
  auto initOp = dyn_cast_or_null<TilingInterface>(init);
  if (!initOp || !(isa<linalg::FillOp>(init) || isBroadcastInit(init)))
    return failure();
  // The tiles of the output's dimensions, and of the contraction's loops.
  SmallVector<int64_t> outputTiles(outputMap.getNumResults(), 0);
  SmallVector<int64_t> contractionTiles(contraction.getNumLoops(), 0);
  for (unsigned i = 0, e = outputMap.getNumResults(); i < e; ++i) {
    unsigned d = outputMap.getDimPosition(i);
    outputTiles[i] = root.getOperation() == contraction.getOperation()
                         ? rootTiles[d]
                         : rootTiles[i];
    contractionTiles[d] = outputTiles[i];
  }

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

  tileAlong(rewriter, cast<TilingInterface>(blocks->tiledOps.front()),
            contractionTiles);
  tileAlong(rewriter, initOp, outputTiles);
  if (root.getOperation() != contraction.getOperation())
    tileAlong(rewriter, root, rootTiles);
  return success();
}

/// The scf.forall over rows of tiles (batch and m; the parallel loop), and
/// in it the scf.for over the tiles of a row, peeled; K-blocked when
/// `kBlock` is not 0 (tileKBlocked). With `fuseCopies` (each row
/// of tiles reads a slice of B no other row reads), a copy that makes B (an
/// im2col copy) is fused into the rows: each row copies its slice right
/// before its tiles read it, from L2, instead of all rows reading a copy of
/// the whole batch made before any of them ran (LeNet-5's 3.8 MB for its
/// second layer's filter gradient, read back from L3).
static LogicalResult
tileRowsThenColumns(RewriterBase &rewriter, TilingInterface root,
                    ArrayRef<int64_t> rootTiles, unsigned rootN,
                    const MatmulTile &tile, ArrayRef<int64_t> interchange,
                    scf::SCFTilingOptions::LoopType rowLoopType,
                    int64_t kBlock = 0, bool fuseCopies = false) {
  SmallVector<int64_t> rowTiles(rootTiles);
  rowTiles[rootN] = 0;
  FailureOr<scf::SCFTileAndFuseResult> rows = tileAndFuse(
      rewriter, root, rowTiles, rowLoopType, interchange,
      fuseCopies ? fuseContractionFillAndCopies() : fuseContractionAndFill(),
      /*throughReshapes=*/fuseCopies);
  if (failed(rows))
    return failure();
  Operation *rowLoop = rows->loops.front().getOperation();
  auto rowRoot = cast<TilingInterface>(rows->tiledAndFusedOps.front());
  SmallVector<int64_t> columns = tilesAlong(rowRoot, rootN, rootTiles[rootN]);
  if (kBlock == 0 || failed(tileKBlocked(rewriter, rowRoot, columns, kBlock)))
    tileAlong(rewriter, rowRoot, columns);
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
/// prefetcher's reach). When B is a transpose (a layer's weights W[N, K]
/// in a train step), the panel is transposed straight from W's rows, and
/// the transpose of all of W, written and read back once more, goes away.
static void packColumnPanel(RewriterBase &rewriter,
                            TilingInterface columnRoot) {
  linalg::LinalgOp contraction = findContraction(columnRoot);
  if (!contraction || contraction.getNumDpsInputs() != 2)
    return;
  OpOperand &b = *contraction.getDpsInputOperand(1);
  auto type = dyn_cast<RankedTensorType>(b.get().getType());
  auto slice = b.get().getDefiningOp<tensor::ExtractSliceOp>();
  if (!type || !type.hasStaticShape() || !slice)
    return;
  Location loc = contraction.getLoc();
  rewriter.setInsertionPoint(contraction);
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        type.getElementType());
  auto transpose = slice.getSource().getDefiningOp<linalg::TransposeOp>();
  if (transpose && transpose.hasPureTensorSemantics() && type.getRank() == 2 &&
      slice.getSourceType().getRank() == 2 &&
      llvm::equal(transpose.getPermutation(), ArrayRef<int64_t>{1, 0}) &&
      llvm::all_of(slice.getMixedStrides(), isOneInteger)) {
    auto swap = [](SmallVector<OpFoldResult> values) {
      std::swap(values[0], values[1]);
      return values;
    };
    Value rows = tensor::ExtractSliceOp::create(
        rewriter, loc, transpose.getInput(), swap(slice.getMixedOffsets()),
        swap(slice.getMixedSizes()), slice.getMixedStrides());
    Value panel = linalg::TransposeOp::create(rewriter, loc, rows, empty,
                                              ArrayRef<int64_t>{1, 0})
                      ->getResult(0);
    rewriter.modifyOpInPlace(contraction, [&] { b.set(panel); });
    return;
  }
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
static scf::ForallOp forToForall(RewriterBase &rewriter, scf::ForOp loop) {
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
static LogicalResult tileColumnsThenRows(RewriterBase &rewriter,
                                         TilingInterface root,
                                         ArrayRef<int64_t> rootTiles,
                                         unsigned rootN, const MatmulTile &tile,
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
    std::optional<APInt> fullColumns = loop.getStaticTripCount();
    // peelColumns returns the full columns' root first, in `loop`.
    if (fullColumns &&
        fullColumns->getSExtValue() >= machine.parallelColumnsMin &&
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

/// Marks the K loop of a blocked product (tilePackedBlocked).
static constexpr llvm::StringLiteral kKBlocksAttr = "nncc.k_blocks";

/// The K blocks of a blocked product start from registers, not from its
/// fill: in the first block each register tile's accumulators begin as the
/// fill's value instead of being read, and the fill of the task's block of C
/// goes (a memset of the whole of C, then read back: 5% of 2048^3). Every
/// tile is written in each block, so nothing reads the unfilled values.
static void startKBlocksFromFill(RewriterBase &rewriter, scf::ForOp kBlocks) {
  kBlocks->removeAttr(kKBlocksAttr);
  if (kBlocks.getInitArgs().size() != 1)
    return;
  auto fill = kBlocks.getInitArgs()[0].getDefiningOp<linalg::FillOp>();
  if (!fill || !fill->hasOneUse())
    return;
  // Whether `value` is (a slice of) the block of C the K blocks carry: their
  // iteration argument, or a nested loop's whose initial value is.
  Value carried = kBlocks.getRegionIterArgs()[0];
  auto isC = [&](Value value) {
    while (value != carried) {
      if (auto slice = value.getDefiningOp<tensor::ExtractSliceOp>()) {
        value = slice.getSource();
        continue;
      }
      auto arg = dyn_cast<BlockArgument>(value);
      auto loop = arg ? dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp())
                      : scf::ForOp();
      if (!loop || arg.getArgNumber() == 0)
        return false;
      value = loop.getInitArgs()[arg.getArgNumber() - 1];
    }
    return true;
  };
  // Every read of C must be a tile's accumulators before its K steps (the
  // initial value of their loop); any other read (a tile whose read stayed
  // in its loop) would see the unfilled block.
  SmallVector<vector::TransferReadOp> accumulators;
  bool onlyAccumulators = true;
  kBlocks.getBody()->walk([&](vector::TransferReadOp read) {
    if (!isa<RankedTensorType>(read.getBase().getType()) ||
        !isC(read.getBase()))
      return;
    bool startsLoop = llvm::any_of(read->getUsers(), [&](Operation *user) {
      auto loop = dyn_cast<scf::ForOp>(user);
      return loop && llvm::is_contained(loop.getInitArgs(), read.getResult());
    });
    if (startsLoop && read->hasOneUse())
      accumulators.push_back(read);
    else
      onlyAccumulators = false;
  });
  if (accumulators.empty() || !onlyAccumulators)
    return;
  for (vector::TransferReadOp read : accumulators) {
    Location loc = read.getLoc();
    rewriter.setInsertionPoint(read);
    Value first = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                        kBlocks.getInductionVar(),
                                        kBlocks.getLowerBound());
    auto select = scf::IfOp::create(rewriter, loc, read.getType(), first,
                                    /*withElseRegion=*/true);
    rewriter.setInsertionPointToStart(select.thenBlock());
    Value start = vector::BroadcastOp::create(rewriter, loc, read.getType(),
                                              fill.getInputs()[0]);
    scf::YieldOp::create(rewriter, loc, start);
    rewriter.setInsertionPointToStart(select.elseBlock());
    Operation *again = rewriter.clone(*read);
    scf::YieldOp::create(rewriter, loc, again->getResult(0));
    rewriter.replaceOp(read, select.getResults());
  }
  rewriter.replaceOp(fill, fill.getOutputs()[0]);
}

/// A large product over B packed in panels and A in micro-panels
/// (packConstantB's loops (mo, mi, nb, nt, k)), blocked for the caches
/// (chooseGemmBlocks): an scf.forall over tasks of rows by panels, the
/// accumulators' initialization fused into each; in each task an scf.for
/// over blocks of K, in which the task's rows of A for the block are packed
/// into micro-panels, then scf.fors over the task's panels and its
/// micro-panels (the register tiles), the tile read (from the fill's value
/// in the first block, startKBlocksFromFill) and written back per block.
/// Fails, changing nothing, for another form.
static LogicalResult tilePackedBlocked(RewriterBase &rewriter,
                                       linalg::LinalgOp contraction,
                                       const MatmulTile &tile,
                                       const CpuMachine &machine) {
  SmallVector<int64_t> sizes = contraction.getStaticLoopRanges();
  if (!isa<linalg::GenericOp>(contraction) || sizes.size() != 5 ||
      ShapedType::isDynamicShape(sizes) || sizes[1] != tile.m ||
      sizes[3] != tile.n)
    return failure();
  GemmBlocks blocks =
      chooseGemmBlocks(sizes[0] * sizes[1], sizes[4], sizes[2], tile, machine);
  // A's packing (packMicroPanels' transpose) goes with the tiles of A it
  // makes: into each task, then into each K block of the task, so that a
  // block packs its rows by K block into a buffer that stays in L2 (the
  // GotoBLAS order) instead of the whole of A going to memory and back.
  auto fuseTransposesAnd = [](scf::SCFTileAndFuseOptions::ControlFnTy base) {
    return [base](tensor::ExtractSliceOp slice, OpResult producer, bool isDest)
               -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
      if (isa<linalg::TransposeOp>(producer.getOwner()))
        return scf::SCFTileAndFuseOptions::ControlFnResult{};
      return base(slice, producer, isDest);
    };
  };
  FailureOr<scf::SCFTileAndFuseResult> tasks =
      tileAndFuse(rewriter, cast<TilingInterface>(contraction.getOperation()),
                  {blocks.rows / tile.m, 0, blocks.panels, 0, 0},
                  rowLoops(contraction, machine), /*interchange=*/{},
                  fuseTransposesAnd(fuseContractionAndFill()));
  if (failed(tasks))
    return failure();
  Operation *taskLoop = tasks->loops.front().getOperation();
  FailureOr<scf::SCFTileAndFuseResult> kBlocks = tileAndFuse(
      rewriter, cast<TilingInterface>(tasks->tiledAndFusedOps.front()),
      {0, 0, 0, 0, blocks.k}, scf::SCFTilingOptions::LoopType::ForOp,
      /*interchange=*/{}, fuseTransposesAnd(fuseNothing()));
  if (failed(kBlocks))
    return failure();
  // Panels, then micro-panels; nothing fused into them.
  (void)tileAndFuse(rewriter,
                    cast<TilingInterface>(kBlocks->tiledAndFusedOps.front()),
                    {1, 0, 1, 0, 0}, scf::SCFTilingOptions::LoopType::ForOp,
                    {2, 0, 1, 3, 4}, fuseNothing());
  simplifyTiles(taskLoop);
  streamK(rewriter, taskLoop, tile);
  vectorizeOpsIn(rewriter, taskLoop);
  // Marked for startKBlocksFromFill, which runs once the accumulators'
  // reads have left the K steps' loops (cleanUpVectorCode); simplifyTiles
  // may have replaced the loop tileAndFuse returned.
  taskLoop->walk([&](scf::ForOp loop) {
    if (loop.getInitArgs().size() == 1 &&
        loop.getInitArgs()[0].getDefiningOp<linalg::FillOp>())
      loop->setAttr(kKBlocksAttr, rewriter.getUnitAttr());
  });
  return success();
}

/// Panels of B outermost, K-blocked (choosePanelKBlock): a loop of
/// `panelLoopType` (the threads' loop, or a plain scf.for for a product too
/// small to share) over the panels (the root's loops `panelDims` by one, the
/// rest whole), and in each panel tileKBlocked over its rows of tiles
/// (`rowTiles`, the root's tiles with its n loops whole), so that a block of
/// the panel comes from L2 once and stays in L1 while every row of tiles
/// reads it. Without the blocks (a contraction tileKBlocked does not take)
/// the panel's rows of tiles run over all of K.
static LogicalResult
tilePanelsKBlocked(RewriterBase &rewriter, TilingInterface root,
                   ArrayRef<int64_t> panelDims, ArrayRef<int64_t> rowTiles,
                   const MatmulTile &tile, int64_t kBlock,
                   scf::SCFTilingOptions::LoopType panelLoopType) {
  SmallVector<int64_t> panelTiles(root.getLoopIteratorTypes().size(), 0);
  for (int64_t d : panelDims)
    panelTiles[d] = 1;
  FailureOr<scf::SCFTileAndFuseResult> panels =
      tileAndFuse(rewriter, root, panelTiles, panelLoopType, /*interchange=*/{},
                  fuseContractionAndFill());
  if (failed(panels))
    return failure();
  Operation *panelLoop = panels->loops.front().getOperation();
  auto panelRoot = cast<TilingInterface>(panels->tiledAndFusedOps.front());
  if (failed(tileKBlocked(rewriter, panelRoot, rowTiles, kBlock)))
    tileAlong(rewriter, panelRoot, rowTiles);
  simplifyTiles(panelLoop);
  streamK(rewriter, panelLoop, tile);
  vectorizeOpsIn(rewriter, panelLoop);
  return success();
}

LogicalResult tileContraction(RewriterBase &rewriter,
                              linalg::LinalgOp contraction,
                              const CpuMachine &machine) {
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(contraction);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();
  if (!contraction.hasPureTensorSemantics() || !allF32(contraction))
    return failure();

  // B in packed panels (packConstantB): each panel is its own n dimension.
  bool packedB = dims->n.size() > 1 && contraction.getNumDpsInputs() == 2 &&
                 matchPattern(contraction.getDpsInputs()[1], m_Constant());
  MatmulTile tile;
  SmallVector<int64_t> tiles =
      parallelTileSizes(contraction, *dims, machine, packedB, tile);

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

  // With B in packed panels each panel is its own n dimension, so the
  // parallel loop puts the panels outermost instead.
  SmallVector<int64_t> interchange;
  // The B a row of tiles reads: all of it for packed panels, which the row
  // loop may interchange; otherwise the outer n dimensions are tiled by one
  // with the rows (parallelTileSizes), so that a row reads B's slice at one
  // index of them: one image's patches of an im2col product over the batch
  // (LeNet-5's 150 x 100 floats, not the batch's 64 times that).
  SmallVector<int64_t> sizes = contraction.getStaticLoopRanges();
  int64_t k = 1, n = 1;
  for (unsigned d : dims->k)
    k *= std::max<int64_t>(sizes[d], 1);
  for (unsigned d : packedB ? ArrayRef(dims->n) : ArrayRef(dims->n).take_back())
    n *= std::max<int64_t>(sizes[d], 1);
  int64_t m = 1;
  for (unsigned d : dims->m)
    m *= std::max<int64_t>(sizes[d], 1);
  // Rows of tiles outermost unless B is too big to stay in cache while
  // every row streams all of it (TileSizes.h).
  bool bigB = isLargeProduct(m, n, k, tile, machine);
  // Panels outermost also when all of A fits half of L2 (every panel reads
  // it again): a panel then comes from L2 once, not once per row of tiles,
  // and stays in L1 while the rows read it, in blocks of K when all of it
  // does not fit (choosePanelKBlock). On the Xeon (Sapphire Rapids, 2 MiB
  // L2; 8 x 2 tiles, one thread, the variants timed in turn): 256^3 0.157 ms
  // against 0.169 rows first; 64 x 256 x 128 0.0198 against 0.0223; the
  // MLP's 64 x 784 x 256 layer 0.123-0.127 in blocks of 196 steps,
  // 0.130-0.136 unblocked, 0.134-0.138 rows first; 512^3 (A 1 MiB)
  // 1.47-1.51 ms either way. Blocks of 128 or 64 steps ran slower; packing A
  // into micro-panels as well (packMicroPanels) made 256^3 and 512^3 4-5%
  // slower. A single row of tiles (a batch-1 layer) reuses no panel, and
  // runs without blocks, but its panels are then the loop the threads share
  // (a row of tiles alone ran on one thread).
  bool aInL2 = m * k * int64_t(sizeof(float)) <= machine.l2Bytes / 2;
  bool panelsFirst = packedB && (bigB || aInL2);
  if (panelsFirst) {
    if (bigB &&
        succeeded(tilePackedBlocked(rewriter, contraction, tile, machine)))
      return success();
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
    if (int64_t panelKBlock =
            aInL2 && m > tile.m ? choosePanelKBlock(tile, k, machine) : 0) {
      // The rows of tiles: the root's tiles of its m and batch loops.
      SmallVector<int64_t> rowTiles(rootTiles.size(), 0);
      for (unsigned d : llvm::concat<unsigned>(dims->batch, dims->m))
        if (rootDim(d) >= 0)
          rowTiles[rootDim(d)] = rootTiles[rootDim(d)];
      return tilePanelsKBlocked(rewriter, root, first, rowTiles, tile,
                                panelKBlock, rowLoops(contraction, machine));
    }
    interchange = first;
    for (int64_t i = 0, e = rootTiles.size(); i < e; ++i)
      if (!llvm::is_contained(first, i))
        interchange.push_back(i);
    return tileRowsThenColumns(rewriter, root, rootTiles, rootN, tile,
                               interchange, rowLoops(contraction, machine));
  }
  // One row of tiles covers all of M: each row reads its own slice of B.
  bool rowsOwnB = dims->m.size() == 1 && sizes[dims->m.front()] == tile.m;
  return bigB
             ? tileColumnsThenRows(rewriter, root, rootTiles, rootN, tile,
                                   machine)
             : tileRowsThenColumns(rewriter, root, rootTiles, rootN, tile,
                                   /*interchange=*/{},
                                   rowLoops(contraction, machine),
                                   chooseKBlock(tile, n, k, machine), rowsOwnB);
}

void startKBlocksFromFill(Operation *scope) {
  SmallVector<scf::ForOp> loops;
  scope->walk([&](scf::ForOp loop) {
    if (loop->hasAttr(kKBlocksAttr))
      loops.push_back(loop);
  });
  IRRewriter rewriter(scope->getContext());
  for (scf::ForOp loop : loops)
    startKBlocksFromFill(rewriter, loop);
}

} // namespace nncc::cpu
