//===- BlockChannels.cpp - convolutions over blocks of channels ----------===//
//
// nncc-cpu-block-channels (docs/design-notes.md "CPU tiling"): every 2-D
// convolution whose channel counts split into blocks of whole vectors (with
// a constant filter, packed at compile time, or, reading a few input
// channels unblocked, a parameter, packed when it runs) is rewritten over
// the blocked layout [N, C / b, H, W, b], the block's channels innermost:
//
//   y[n, fb, oh, ow, fi] += x[n, cb, oh * sh + kh * dh, ow * sw + kw * dw, ci]
//                           * Wp[fb, cb, kh, kw, ci, fi]
//
// between a linalg.pack of its input and a linalg.unpack of its result; so
// are depthwise convolutions (y[n, cb, oh, ow, ci] += x[...] * Wp[cb, kh, kw,
// ci]), max poolings, and a first layer's convolution of a few colours (its
// input read unblocked). b is one for the whole function. The packs and
// unpacks are then moved through the elementwise ops and pads between them,
// where an unpack meets a pack of the same blocks and both vanish: a ResNet
// runs in the blocked layout from its first layer to its global pooling,
// and the packs and unpacks left become copies.
//
// The register tiles (tileBlockedConv) have their vectors along the block's
// output channels, whole vectors at any image size, and broadcast the input
// pixels of a row read in place: no im2col copy, no panel copy.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Codegen/Cpu/Tiling.h"
#include "compiler/Codegen/Cpu/WidenChannels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nncc {
#define GEN_PASS_DEF_CPUBLOCKCHANNELS
#include "compiler/Codegen/Cpu/Passes.h.inc"
} // namespace nncc

using namespace mlir;
using namespace nncc;
using namespace nncc::cpu;

namespace {

/// The filter Wp[F / b, C / b, KH, KW, b (ci), b (fi)] of W[F, C, KH, KW]:
/// one K step's b output channels adjacent, the next step's following. With
/// the input channels unblocked (fewer than a vector), Wp[F / b, KH, KW, C,
/// b (fi)].
Value packFilter(RewriterBase &rewriter, Location loc, DenseElementsAttr values,
                 ArrayRef<int64_t> shape, int64_t block, bool blockedInput) {
  int64_t filters = shape[0], channels = shape[1], taps = shape[2] * shape[3];
  int64_t inner = blockedInput ? block : channels;
  SmallVector<float> packed(values.getNumElements());
  auto source = values.getValues<float>();
  int64_t next = 0;
  for (int64_t fb = 0; fb < filters / block; ++fb)
    for (int64_t cb = 0; cb < channels / inner; ++cb)
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t ci = 0; ci < inner; ++ci)
          for (int64_t fi = 0; fi < block; ++fi)
            packed[next++] =
                source[((fb * block + fi) * channels + cb * inner + ci) * taps +
                       tap];
  SmallVector<int64_t> packedShape = {
      filters / block, channels / block, shape[2], shape[3], block, block};
  if (!blockedInput)
    packedShape = {filters / block, shape[2], shape[3], channels, block};
  auto type = RankedTensorType::get(packedShape, rewriter.getF32Type());
  return arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(type, ArrayRef(packed)));
}

/// packFilter for a filter known only when the code runs (a parameter of a
/// training step): the same layout, made by a transpose of W viewed as
/// [F / b, b (fi), C / b, b (ci), KH, KW] (or [F / b, b (fi), C, KH, KW])
/// on every call. It reads each weight once, where the convolution reads it
/// once per output pixel.
Value packFilterAtRuntime(RewriterBase &rewriter, Location loc, Value filter,
                          ArrayRef<int64_t> shape, int64_t block,
                          bool blockedInput) {
  int64_t filters = shape[0], channels = shape[1];
  SmallVector<int64_t> split = {filters / block, block, channels, shape[2],
                                shape[3]};
  SmallVector<ReassociationIndices> groups = {{0, 1}, {2}, {3}, {4}};
  // From (fb, fi, c, kh, kw) to (fb, kh, kw, c, fi).
  SmallVector<int64_t> permutation = {0, 3, 4, 2, 1};
  if (blockedInput) {
    split = {filters / block, block,    channels / block,
             block,           shape[2], shape[3]};
    groups = {{0, 1}, {2, 3}, {4}, {5}};
    // From (fb, fi, cb, ci, kh, kw) to (fb, cb, kh, kw, ci, fi).
    permutation = {0, 2, 4, 5, 3, 1};
  }
  Type f32 = rewriter.getF32Type();
  Value view = tensor::ExpandShapeOp::create(
      rewriter, loc, RankedTensorType::get(split, f32), filter, groups);
  return transposed(rewriter, loc, view, permutation);
}

/// What the rewrites of convolutions and poolings over blocks share: packing
/// [N, C, H, W] values to [N, C / b, H, W, b], the accumulator, the marked
/// generic, and the unpack of its result.
struct Blocker {
  RewriterBase &rewriter;
  Location loc;
  int64_t block;

  OpFoldResult tile() const { return rewriter.getIndexAttr(block); }

  RankedTensorType blockedType(Value nchw) const {
    auto type = cast<RankedTensorType>(nchw.getType());
    ArrayRef<int64_t> shape = type.getShape();
    return RankedTensorType::get(
        {shape[0], shape[1] / block, shape[2], shape[3], block},
        type.getElementType());
  }

  Value pack(Value nchw) const {
    RankedTensorType type = blockedType(nchw);
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    return linalg::PackOp::create(rewriter, loc, nchw, empty, {1}, {tile()})
        .getResult();
  }

  /// The accumulator's fill or bias broadcast made again in the blocked
  /// shape (the bias viewed as [F / b, b]), so that it still fuses into the
  /// tiles; any other initial value packed.
  Value accumulator(Value init) const {
    Value acc = refill(rewriter, loc, init, blockedType(init).getShape(),
                       {{0}, {1}, {2}, {3}, {1}});
    return acc ? acc : pack(init);
  }

  /// The generic over blocks, marked for tileBlockedConv, and its result
  /// unpacked to [N, C, H, W].
  Value build(ValueRange inputs, Value acc, ArrayRef<AffineMap> maps,
              unsigned reductions,
              function_ref<void(OpBuilder &, Location, ValueRange)> body) {
    SmallVector<utils::IteratorType> iterators(5,
                                               utils::IteratorType::parallel);
    iterators.append(reductions, utils::IteratorType::reduction);
    auto blocked =
        linalg::GenericOp::create(rewriter, loc, acc.getType(), inputs,
                                  ValueRange{acc}, maps, iterators, body);
    blocked->setAttr(kBlockedConvAttr, rewriter.getUnitAttr());
    return unpack(blocked.getResult(0));
  }

  /// [N, C / b, H, W, b] back to [N, C, H, W].
  Value unpack(Value blocked) const {
    auto type = cast<RankedTensorType>(blocked.getType());
    ArrayRef<int64_t> shape = type.getShape();
    Value empty = tensor::EmptyOp::create(
        rewriter, loc,
        ArrayRef<int64_t>{shape[0], shape[1] * block, shape[2], shape[3]},
        type.getElementType());
    return linalg::UnPackOp::create(rewriter, loc, blocked, empty,
                                    ArrayRef<int64_t>{1},
                                    ArrayRef<OpFoldResult>{tile()})
        .getResult();
  }
};

/// The row and column of the input a window tap reads: oh * s + kh * d.
std::pair<AffineExpr, AffineExpr> windowIndices(DenseIntElementsAttr strides,
                                                DenseIntElementsAttr dilations,
                                                AffineExpr oh, AffineExpr ow,
                                                AffineExpr kh, AffineExpr kw) {
  auto s = llvm::to_vector(strides.getValues<int64_t>());
  auto d = llvm::to_vector(dilations.getValues<int64_t>());
  return {oh * s[0] + kh * d[0], ow * s[1] + kw * d[1]};
}

/// The maps of a channelwise window op over (n, cb, oh, ow, ci, kh, kw): the
/// input x[n, cb, oh * s + kh * d, ow * s + kw * d, ci], `second` (a
/// depthwise filter's [cb, kh, kw, ci] or a pooling's window [kh, kw]) and
/// the output y[n, cb, oh, ow, ci].
SmallVector<AffineMap> channelwiseMaps(
    MLIRContext *context, DenseIntElementsAttr strides,
    DenseIntElementsAttr dilations,
    function_ref<SmallVector<AffineExpr>(AffineExpr cb, AffineExpr kh,
                                         AffineExpr kw, AffineExpr ci)>
        second) {
  AffineExpr n, cb, oh, ow, ci, kh, kw;
  bindDims(context, n, cb, oh, ow, ci, kh, kw);
  auto [row, column] = windowIndices(strides, dilations, oh, ow, kh, kw);
  return {AffineMap::get(7, 0, {n, cb, row, column, ci}, context),
          AffineMap::get(7, 0, second(cb, kh, kw, ci), context),
          AffineMap::get(7, 0, {n, cb, oh, ow, ci}, context)};
}

/// Rewrites `conv` over blocks of `block` channels (see above); its filter
/// packed at compile time when `filterValues` holds it, else when it runs.
void blockConv(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp conv,
               DenseElementsAttr filterValues, int64_t block) {
  MLIRContext *context = rewriter.getContext();
  Value input = conv.getInputs()[0];
  ArrayRef<int64_t> f =
      cast<ShapedType>(conv.getInputs()[1].getType()).getShape();
  rewriter.setInsertionPoint(conv);
  Blocker blocker{rewriter, conv.getLoc(), block};
  // A first layer's colours stay unblocked (chooseChannelBlock).
  bool blockedInput = f[1] % block == 0;
  Value filter = filterValues ? packFilter(rewriter, conv.getLoc(),
                                           filterValues, f, block, blockedInput)
                              : packFilterAtRuntime(rewriter, conv.getLoc(),
                                                    conv.getInputs()[1], f,
                                                    block, blockedInput);
  Value acc = blocker.accumulator(conv.getOutputs()[0]);
  AffineExpr n, fb, oh, ow, fi, cb, kh, kw, ci;
  bindDims(context, n, fb, oh, ow, fi, cb, kh, kw, ci);
  SmallVector<AffineMap> maps;
  if (blockedInput) {
    auto [row, column] =
        windowIndices(conv.getStrides(), conv.getDilations(), oh, ow, kh, kw);
    maps = {AffineMap::get(9, 0, {n, cb, row, column, ci}, context),
            AffineMap::get(9, 0, {fb, cb, kh, kw, ci, fi}, context),
            AffineMap::get(9, 0, {n, fb, oh, ow, fi}, context)};
    input = blocker.pack(input);
  } else {
    // Loops (n, fb, oh, ow, fi, kh, kw, c): the input channel last, the
    // unit reduction of a tap (tileBlockedConv).
    AffineExpr c;
    bindDims(context, n, fb, oh, ow, fi, kh, kw, c);
    auto [row, column] =
        windowIndices(conv.getStrides(), conv.getDilations(), oh, ow, kh, kw);
    maps = {AffineMap::get(8, 0, {n, c, row, column}, context),
            AffineMap::get(8, 0, {fb, kh, kw, c, fi}, context),
            AffineMap::get(8, 0, {n, fb, oh, ow, fi}, context)};
  }
  rewriter.replaceOp(conv, blocker.build({input, filter}, acc, maps,
                                         blockedInput ? 4 : 3, buildMulAdd));
}

/// The filter Wp[G / b, KH, KW, b] of a depthwise W[G, 1, 1, KH, KW].
Value packDepthwiseFilter(RewriterBase &rewriter, Location loc,
                          DenseElementsAttr values, ArrayRef<int64_t> shape,
                          int64_t block) {
  int64_t groups = shape[0], taps = shape[3] * shape[4];
  SmallVector<float> packed(values.getNumElements());
  auto source = values.getValues<float>();
  int64_t next = 0;
  for (int64_t cb = 0; cb < groups / block; ++cb)
    for (int64_t tap = 0; tap < taps; ++tap)
      for (int64_t ci = 0; ci < block; ++ci)
        packed[next++] = source[(cb * block + ci) * taps + tap];
  auto type = RankedTensorType::get({groups / block, shape[3], shape[4], block},
                                    rewriter.getF32Type());
  return arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(type, ArrayRef(packed)));
}

/// Rewrites a depthwise `conv` ([N, G, 1, H, W] viewed as [N, G, H, W]) over
/// blocks of `block` channels:
///
///   y[n, cb, oh, ow, ci] += x[n, cb, oh * sh + kh * dh, ow * sw + kw * dw, ci]
///                           * Wp[cb, kh, kw, ci]
void blockDepthwise(RewriterBase &rewriter, linalg::Conv2DNgchwGfchwOp conv,
                    DenseElementsAttr filterValues, int64_t block) {
  MLIRContext *context = rewriter.getContext();
  ArrayRef<int64_t> f =
      cast<ShapedType>(conv.getInputs()[1].getType()).getShape();
  SmallVector<ReassociationIndices> groups = {{0}, {1, 2}, {3}, {4}};
  rewriter.setInsertionPoint(conv);
  Blocker blocker{rewriter, conv.getLoc(), block};
  // [N, G, 1, H, W] as [N, G, H, W]: the source of the view the lowering
  // made (a new view would hide it from the propagation below, which then
  // moved the packs through the views instead of cancelling them).
  auto flatten = [&](Value value) -> Value {
    auto view = value.getDefiningOp<tensor::ExpandShapeOp>();
    if (view && view.getReassociationIndices() == groups)
      return view.getSrc();
    return tensor::CollapseShapeOp::create(rewriter, conv.getLoc(), value,
                                           groups);
  };
  Value input = blocker.pack(flatten(conv.getInputs()[0]));
  Value filter =
      packDepthwiseFilter(rewriter, conv.getLoc(), filterValues, f, block);
  Value acc = blocker.accumulator(flatten(conv.getOutputs()[0]));
  SmallVector<AffineMap> maps = channelwiseMaps(
      context, conv.getStrides(), conv.getDilations(),
      [](AffineExpr cb, AffineExpr kh, AffineExpr kw, AffineExpr ci) {
        return SmallVector<AffineExpr>{cb, kh, kw, ci};
      });
  Value unpacked = blocker.build({input, filter}, acc, maps, 2, buildMulAdd);
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
      conv, conv.getOutputs()[0].getType(), unpacked, groups);
}

/// Rewrites a max pooling `pool` over blocks of `block` channels:
///
///   y[n, cb, oh, ow, ci] = max(y, x[n, cb, oh * sh + kh * dh,
///                                   ow * sw + kw * dw, ci])
///
/// so that the layout stays blocked through it (ResNet's pooling after its
/// first layer), each window a max of channel vectors.
void blockPool(RewriterBase &rewriter, linalg::PoolingNchwMaxOp pool,
               int64_t block) {
  MLIRContext *context = rewriter.getContext();
  rewriter.setInsertionPoint(pool);
  Blocker blocker{rewriter, pool.getLoc(), block};
  Value acc = blocker.accumulator(pool.getOutputs()[0]);
  // The pooling's shape-only window operand gives the loops (kh, kw) their
  // extent, as it does the named op's.
  SmallVector<AffineMap> maps =
      channelwiseMaps(context, pool.getStrides(), pool.getDilations(),
                      [](AffineExpr, AffineExpr kh, AffineExpr kw, AffineExpr) {
                        return SmallVector<AffineExpr>{kh, kw};
                      });
  rewriter.replaceOp(
      pool, blocker.build(
                {blocker.pack(pool.getInputs()[0]), pool.getInputs()[1]}, acc,
                maps, 2, [](OpBuilder &b, Location l, ValueRange args) {
                  Value max = arith::MaximumFOp::create(b, l, args[0], args[2]);
                  linalg::YieldOp::create(b, l, max);
                }));
}

/// The block of `value` when it is the unpack of a blocked result: its
/// channels (dimension 1) in blocks, nothing else moved; else 0.
int64_t unpackedBlock(Value value) {
  auto unpack = value.getDefiningOp<linalg::UnPackOp>();
  if (!unpack || !unpack.getOuterDimsPerm().empty() ||
      unpack.getInnerDimsPos() != ArrayRef<int64_t>{1})
    return 0;
  return unpack.getStaticInnerTiles()[0];
}

/// An elementwise op over [N, C, H, W] (identity maps) that reads unpacked
/// blocked results runs over the blocks instead, its other inputs packed,
/// and its result unpacked. Upstream's propagation moves an unpack through
/// an op with one unpacked operand only; a residual add of two
/// convolutions has two.
struct BlockElementwise : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumLoops() != 4 || op.getNumReductionLoops() != 0 ||
        op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics() ||
        !llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }))
      return failure();
    int64_t block = 0;
    for (Value input : op.getDpsInputs())
      block = block ? block : unpackedBlock(input);
    auto type = cast<RankedTensorType>(op.getResult(0).getType());
    if (!block || ShapedType::isDynamic(block) ||
        type.getShape()[1] % block != 0)
      return failure();
    Blocker blocker{rewriter, op.getLoc(), block};
    SmallVector<Value> inputs;
    for (Value input : op.getDpsInputs())
      inputs.push_back(unpackedBlock(input) == block
                           ? input.getDefiningOp<linalg::UnPackOp>().getSource()
                           : blocker.pack(input));
    RankedTensorType blockedType = blocker.blockedType(op.getResult(0));
    Value init =
        tensor::EmptyOp::create(rewriter, op.getLoc(), blockedType.getShape(),
                                blockedType.getElementType());
    SmallVector<AffineMap> maps(
        op.getNumDpsInputs() + 1,
        AffineMap::getMultiDimIdentityMap(5, rewriter.getContext()));
    auto blocked = linalg::GenericOp::create(
        rewriter, op.getLoc(), blockedType, inputs, ValueRange{init}, maps,
        SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel));
    rewriter.inlineRegionBefore(op.getRegion(), blocked.getRegion(),
                                blocked.getRegion().begin());
    rewriter.replaceOp(op, blocker.unpack(blocked.getResult(0)));
    return success();
  }
};

/// How a pack or unpack of one dimension in blocks of b, without padding
/// or other permutation, is a copy: the unpacked shape with that dimension
/// split into [n / b, b] (`split`, and its reassociation `groups`), and the
/// permutation of `split` that moves the b to the end (`toBlocked`).
struct Relayout {
  RankedTensorType split;
  SmallVector<ReassociationIndices> groups;
  SmallVector<int64_t> toBlocked;
};

template <typename OpTy>
std::optional<Relayout> relayoutOf(OpTy op, RankedTensorType unpacked) {
  if (!op.getOuterDimsPerm().empty() || op.getInnerDimsPos().size() != 1 ||
      ShapedType::isDynamic(op.getStaticInnerTiles()[0]))
    return std::nullopt;
  int64_t dim = op.getInnerDimsPos()[0];
  int64_t block = op.getStaticInnerTiles()[0];
  // An unpack to fewer channels than the blocks hold (a slice of a widened
  // value folded into it) is no plain copy.
  if (unpacked.getShape()[dim] % block != 0)
    return std::nullopt;
  Relayout relayout;
  SmallVector<int64_t> shape(unpacked.getShape());
  shape[dim] /= block;
  shape.insert(shape.begin() + dim + 1, block);
  relayout.split = RankedTensorType::get(shape, unpacked.getElementType());
  for (int64_t d = 0, next = 0; d < unpacked.getRank(); ++d) {
    relayout.groups.push_back({next++});
    if (d == dim)
      relayout.groups.back().push_back(next++);
  }
  for (int64_t d = 0; d <= unpacked.getRank(); ++d)
    if (d != dim + 1)
      relayout.toBlocked.push_back(d);
  relayout.toBlocked.push_back(dim + 1);
  return relayout;
}

/// The packs left, as copies: the source viewed as `split`, transposed.
LogicalResult lowerRelayout(RewriterBase &rewriter, linalg::PackOp pack) {
  rewriter.setInsertionPoint(pack);
  std::optional<Relayout> relayout = relayoutOf(pack, pack.getSourceType());
  if (!relayout || pack.getPaddingValue())
    return linalg::lowerPack(rewriter, pack);
  // A vector of channels (a widened convolution's mask of its channels) is
  // its blocks already: a view, of a constant a constant.
  if (isIdentityPermutation(relayout->toBlocked)) {
    DenseElementsAttr values;
    if (matchPattern(pack.getSource(), m_Constant(&values)))
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          pack, values.reshape(pack.getDestType()));
    else
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          pack, pack.getDestType(), pack.getSource(), relayout->groups);
    return success();
  }
  Value split =
      tensor::ExpandShapeOp::create(rewriter, pack.getLoc(), relayout->split,
                                    pack.getSource(), relayout->groups);
  rewriter.replaceOpWithNewOp<linalg::TransposeOp>(pack, split, pack.getDest(),
                                                   relayout->toBlocked);
  return success();
}

/// The unpacks left, as copies: transposed to `split`, viewed unpacked.
LogicalResult lowerRelayout(RewriterBase &rewriter, linalg::UnPackOp unpack) {
  rewriter.setInsertionPoint(unpack);
  std::optional<Relayout> relayout = relayoutOf(unpack, unpack.getDestType());
  if (!relayout)
    return linalg::lowerUnPack(rewriter, unpack);
  Value empty = tensor::EmptyOp::create(rewriter, unpack.getLoc(),
                                        relayout->split.getShape(),
                                        relayout->split.getElementType());
  Value split = linalg::TransposeOp::create(
                    rewriter, unpack.getLoc(), unpack.getSource(), empty,
                    invertPermutationVector(relayout->toBlocked))
                    .getResult()[0];
  rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
      unpack, unpack.getDestType(), split, relayout->groups);
  return success();
}

/// The convolutions that run over blocks, with their constant filters, and
/// the one block for the function: the largest that every one of them can
/// use (packs and unpacks of different blocks would not cancel); 0 when
/// there are none.
struct BlockPlan {
  SmallVector<std::pair<Operation *, DenseElementsAttr>> convs;
  int64_t block = 0;
};

BlockPlan planBlocks(func::FuncOp func, const CpuMachine &machine) {
  BlockPlan plan;
  auto consider = [&](auto conv) {
    DenseElementsAttr values;
    int64_t largest = chooseChannelBlock(conv, machine);
    if (!largest || !matchPattern(conv.getInputs()[1], m_Constant(&values)))
      return;
    plan.convs.push_back({conv, values});
    plan.block = plan.block ? std::min(plan.block, largest) : largest;
  };
  func.walk([&](Operation *op) {
    if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op))
      consider(conv);
    else if (auto conv = dyn_cast<linalg::Conv2DNgchwGfchwOp>(op))
      consider(conv);
  });
  return plan;
}

/// Whether every convolution of `func` that would run blocked at one vector
/// (its channels split into one, or widen to one) can run at `block`: its
/// channels split into it, or widen to it (chooseWidenedChannels). A block
/// of one vector makes register tiles one vector wide, one broadcast per
/// multiply-add; two halve the broadcasts. With AVX2, MobileNet-V2's 24
/// channels had held the whole model at 8: widened to 32, its blocks of 16
/// took 0.85-0.88x the time at batch 16 and 0.88-0.91x at batch 1 (one and
/// two threads, the AVX2 Zen 3), for a third more multiply-adds in the
/// 24-channel layers.
static bool allBlockAt(func::FuncOp func, int64_t block,
                       const CpuMachine &machine) {
  bool all = true;
  func.walk([&](Operation *op) {
    if (!isa<linalg::Conv2DNchwFchwOp, linalg::Conv2DNgchwGfchwOp>(op) ||
        !matchPattern(op->getOperand(1), m_Constant()))
      return;
    if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op)) {
      int64_t own = chooseChannelBlock(conv, machine);
      bool blocked =
          own || chooseWidenedChannels(conv, machine.lanes(), machine);
      if (blocked && own < block &&
          !chooseWidenedChannels(conv, block, machine))
        all = false;
      return;
    }
    int64_t own =
        chooseChannelBlock(cast<linalg::Conv2DNgchwGfchwOp>(op), machine);
    if (own && own < block)
      all = false;
  });
  return all;
}

/// Whether `conv` reads its input unblocked: fewer input channels than a
/// vector (chooseChannelBlock). Only such convolutions are blocked with a
/// filter packed at run time: with blocked inputs as well (packFilterAtRuntime
/// builds their filter too), ResNet-18's train step (batch 2, 64x64) took
/// the same time (1.00x, five interleaved rounds, one thread) and 1.38x as
/// long to compile (72 vs 52 s). Its gradients then agreed with float64's
/// (test/models/resnet18-train.test); against PyTorch's fp32 ones they had
/// differed at a relu input 1.5e-5 from 0 that the other summation order
/// routed the other way.
static bool readsUnblocked(linalg::Conv2DNchwFchwOp conv,
                           const CpuMachine &machine) {
  return cast<ShapedType>(conv.getInputs()[1].getType()).getShape()[1] <
         int64_t(machine.lanes());
}

struct CpuBlockChannelsPass
    : nncc::impl::CpuBlockChannelsBase<CpuBlockChannelsPass> {
  using CpuBlockChannelsBase::CpuBlockChannelsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *context = &getContext();
    CpuMachine machine;
    machine.vectorBits = vectorWidth;

    IRRewriter rewriter(context);
    // Convolutions whose channels do not split into the block (one vector
    // when none does) take part with their channels rounded up to it.
    int64_t first = planBlocks(func, machine).block;
    int64_t target = first ? first : machine.lanes();
    if (target == machine.lanes() && allBlockAt(func, 2 * target, machine))
      target *= 2;
    widenChannels(rewriter, func, target, machine);
    BlockPlan plan = planBlocks(func, machine);
    if (!plan.convs.empty() && failed(blockConstantFilters(func, plan)))
      return signalPassFailure();

    // Convolutions whose filters are parameters (a training step) and that
    // read their input unblocked run over blocks too, each at its own
    // block, the filter packed on every call, the result unpacked in place:
    // moved through the step's other ops, the unpacks had taken its
    // backward pass into the blocked layout, with transposes around the
    // convolutions that cannot run blocked there and a padding that
    // skipPaddedRows no longer saw (LeNet-5's SGD step 1.12x the time).
    SmallVector<linalg::Conv2DNchwFchwOp> atRuntime;
    func.walk([&](linalg::Conv2DNchwFchwOp conv) {
      if (!matchPattern(conv.getInputs()[1], m_Constant()) &&
          chooseChannelBlock(conv, machine) && readsUnblocked(conv, machine))
        atRuntime.push_back(conv);
    });
    for (linalg::Conv2DNchwFchwOp conv : atRuntime)
      blockConv(rewriter, conv, {}, chooseChannelBlock(conv, machine));

    // The packs and unpacks left are copies: a transpose of a reshape.
    SmallVector<Operation *> relayouts;
    func.walk([&](Operation *op) {
      if (isa<linalg::PackOp, linalg::UnPackOp>(op))
        relayouts.push_back(op);
    });
    for (Operation *op : relayouts) {
      LogicalResult lowered =
          isa<linalg::PackOp>(op)
              ? lowerRelayout(rewriter, cast<linalg::PackOp>(op))
              : lowerRelayout(rewriter, cast<linalg::UnPackOp>(op));
      if (failed(lowered))
        return signalPassFailure();
    }
  }

  /// Runs the convolutions with constant filters (`plan`) and the max
  /// poolings between them over blocks, and moves the packs and unpacks
  /// between them until they meet and cancel.
  LogicalResult blockConstantFilters(func::FuncOp func, const BlockPlan &plan) {
    MLIRContext *context = &getContext();
    IRRewriter rewriter(context);
    int64_t block = plan.block;
    for (auto [op, values] : plan.convs) {
      if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op))
        blockConv(rewriter, conv, values, block);
      else
        blockDepthwise(rewriter, cast<linalg::Conv2DNgchwGfchwOp>(op), values,
                       block);
    }
    // Max pooling between blocked convolutions runs blocked too.
    SmallVector<linalg::PoolingNchwMaxOp> pools;
    func.walk([&](linalg::PoolingNchwMaxOp pool) {
      auto type = cast<ShapedType>(pool.getOutputs()[0].getType());
      if (pool.hasPureTensorSemantics() && hasStaticShapes(pool) &&
          type.getElementType().isF32() && type.getShape()[1] % block == 0)
        pools.push_back(pool);
    });
    for (linalg::PoolingNchwMaxOp pool : pools)
      blockPool(rewriter, pool, block);

    // Packs up and unpacks down, through the elementwise ops and pads
    // between convolutions, until they meet and cancel.
    RewritePatternSet patterns(context);
    patterns.add<BlockElementwise>(context);
    linalg::populateDataLayoutPropagationPatterns(
        patterns, [](OpOperand *) { return true; });
    linalg::PackOp::getCanonicalizationPatterns(patterns, context);
    linalg::UnPackOp::getCanonicalizationPatterns(patterns, context);
    tensor::PadOp::getCanonicalizationPatterns(patterns, context);
    // A depthwise convolution's [N, G, 1, H, W] views of [N, G, H, W].
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, context);
    return applyPatternsGreedily(func, std::move(patterns));
  }
};

} // namespace
