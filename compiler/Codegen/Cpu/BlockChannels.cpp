//===- BlockChannels.cpp - convolutions over blocks of channels ----------===//
//
// nncc-cpu-block-channels (docs/design-notes.md "CPU tiling"): every 2-D
// convolution with a constant filter and channel counts that split into
// blocks of whole vectors is rewritten over the blocked layout
// [N, C / b, H, W, b], the block's channels innermost:
//
//   y[n, fb, oh, ow, fi] += x[n, cb, oh * sh + kh * dh, ow * sw + kw * dw, ci]
//                           * Wp[fb, cb, kh, kw, ci, fi]
//
// between a linalg.pack of its input and a linalg.unpack of its result.
// The packs and unpacks are then moved through the elementwise ops and pads
// between convolutions, where an unpack meets a pack of the same blocks and
// both vanish: a chain of convolutions (a ResNet) runs in the blocked layout
// from its first blocked convolution to its last, and the packs and unpacks
// left (at the model's input, output, pooling) become copies.
//
// Its register tiles (tileBlockedConv) have their vectors along the block's
// output channels, whole vectors at any image size, and broadcast the input
// pixels of a row read in place: no im2col copy, no panel copy.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Codegen/Cpu/Tiling.h"

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
/// one K step's b output channels adjacent, the next step's following.
Value packFilter(RewriterBase &rewriter, Location loc, DenseElementsAttr values,
                 ArrayRef<int64_t> shape, int64_t block) {
  int64_t filters = shape[0], channels = shape[1], taps = shape[2] * shape[3];
  SmallVector<float> packed(values.getNumElements());
  auto source = values.getValues<float>();
  int64_t next = 0;
  for (int64_t fb = 0; fb < filters / block; ++fb)
    for (int64_t cb = 0; cb < channels / block; ++cb)
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t ci = 0; ci < block; ++ci)
          for (int64_t fi = 0; fi < block; ++fi)
            packed[next++] =
                source[((fb * block + fi) * channels + cb * block + ci) * taps +
                       tap];
  auto type = RankedTensorType::get(
      {filters / block, channels / block, shape[2], shape[3], block, block},
      rewriter.getF32Type());
  return arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(type, ArrayRef(packed)));
}

/// Rewrites `conv` over blocks of `block` channels (see above).
void blockConv(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp conv,
               DenseElementsAttr filterValues, int64_t block) {
  Location loc = conv.getLoc();
  MLIRContext *context = rewriter.getContext();
  Value input = conv.getInputs()[0];
  Value init = conv.getOutputs()[0];
  ArrayRef<int64_t> x = cast<ShapedType>(input.getType()).getShape();
  ArrayRef<int64_t> f =
      cast<ShapedType>(conv.getInputs()[1].getType()).getShape();
  auto outputType = cast<RankedTensorType>(init.getType());
  ArrayRef<int64_t> y = outputType.getShape();
  Type element = outputType.getElementType();
  auto strides = llvm::to_vector(conv.getStrides().getValues<int64_t>());
  auto dilations = llvm::to_vector(conv.getDilations().getValues<int64_t>());
  OpFoldResult tile = rewriter.getIndexAttr(block);

  rewriter.setInsertionPoint(conv);
  auto pack = [&](Value value, ArrayRef<int64_t> shape) -> Value {
    Value empty =
        tensor::EmptyOp::create(rewriter, loc,
                                ArrayRef<int64_t>{shape[0], shape[1] / block,
                                                  shape[2], shape[3], block},
                                element);
    return linalg::PackOp::create(rewriter, loc, value, empty, {1}, {tile})
        .getResult();
  };
  Value packedInput = pack(input, x);
  Value filter = packFilter(rewriter, loc, filterValues, f, block);
  // The accumulator's fill or bias broadcast is made in the blocked shape
  // (the bias viewed as [F / b, b]), so that it still fuses into the tiles.
  SmallVector<int64_t> accShape = {y[0], y[1] / block, y[2], y[3], block};
  Value acc = refill(rewriter, loc, init, accShape, {{0}, {1}, {2}, {3}, {1}});
  if (!acc)
    acc = pack(init, y);

  AffineExpr n, fb, oh, ow, fi, cb, kh, kw, ci;
  bindDims(context, n, fb, oh, ow, fi, cb, kh, kw, ci);
  SmallVector<AffineMap> maps = {
      AffineMap::get(9, 0,
                     {n, cb, oh * strides[0] + kh * dilations[0],
                      ow * strides[1] + kw * dilations[1], ci},
                     context),
      AffineMap::get(9, 0, {fb, cb, kh, kw, ci, fi}, context),
      AffineMap::get(9, 0, {n, fb, oh, ow, fi}, context)};
  SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
  iterators.append(4, utils::IteratorType::reduction);
  auto blocked = linalg::GenericOp::create(
      rewriter, loc, acc.getType(), ValueRange{packedInput, filter},
      ValueRange{acc}, maps, iterators, buildMulAdd);
  blocked->setAttr(kBlockedConvAttr, rewriter.getUnitAttr());
  Value empty = tensor::EmptyOp::create(rewriter, loc, y, element);
  rewriter.replaceOpWithNewOp<linalg::UnPackOp>(conv, blocked.getResult(0),
                                                empty, ArrayRef<int64_t>{1},
                                                ArrayRef<OpFoldResult>{tile});
}

/// Whether `unpack` undoes blockConv's packing: channels (dimension 1) in
/// blocks of `block`, nothing else moved.
bool isChannelUnpack(linalg::UnPackOp unpack, int64_t block) {
  return unpack && unpack.getOuterDimsPerm().empty() &&
         unpack.getInnerDimsPos() == ArrayRef<int64_t>{1} &&
         unpack.getStaticInnerTiles() == ArrayRef<int64_t>{block};
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
      if (auto unpack = input.getDefiningOp<linalg::UnPackOp>())
        if (unpack.getInnerDimsPos() == ArrayRef<int64_t>{1} &&
            unpack.getStaticInnerTiles().size() == 1)
          block = unpack.getStaticInnerTiles()[0];
    if (!block)
      return failure();
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getResult(0).getType());
    ArrayRef<int64_t> shape = type.getShape();
    if (shape[1] % block != 0)
      return failure();
    SmallVector<int64_t> packedShape = {shape[0], shape[1] / block, shape[2],
                                        shape[3], block};
    OpFoldResult tile = rewriter.getIndexAttr(block);
    SmallVector<Value> inputs;
    for (Value input : op.getDpsInputs()) {
      auto unpack = input.getDefiningOp<linalg::UnPackOp>();
      if (isChannelUnpack(unpack, block)) {
        inputs.push_back(unpack.getSource());
        continue;
      }
      Type element = getElementTypeOrSelf(input.getType());
      Value empty =
          tensor::EmptyOp::create(rewriter, loc, packedShape, element);
      inputs.push_back(
          linalg::PackOp::create(rewriter, loc, input, empty, {1}, {tile})
              .getResult());
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, packedShape,
                                         type.getElementType());
    SmallVector<AffineMap> maps(
        op.getNumDpsInputs() + 1,
        AffineMap::getMultiDimIdentityMap(5, rewriter.getContext()));
    auto blocked = linalg::GenericOp::create(
        rewriter, loc, init.getType(), inputs, ValueRange{init}, maps,
        SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel));
    rewriter.inlineRegionBefore(op.getRegion(), blocked.getRegion(),
                                blocked.getRegion().begin());
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
    rewriter.replaceOpWithNewOp<linalg::UnPackOp>(op, blocked.getResult(0),
                                                  empty, ArrayRef<int64_t>{1},
                                                  ArrayRef<OpFoldResult>{tile});
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

struct CpuBlockChannelsPass
    : nncc::impl::CpuBlockChannelsBase<CpuBlockChannelsPass> {
  using CpuBlockChannelsBase::CpuBlockChannelsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *context = &getContext();
    CpuMachine machine;
    machine.vectorBits = vectorWidth;

    SmallVector<
        std::tuple<linalg::Conv2DNchwFchwOp, DenseElementsAttr, int64_t>>
        convs;
    func.walk([&](linalg::Conv2DNchwFchwOp conv) {
      DenseElementsAttr values;
      int64_t block = chooseChannelBlock(conv, machine);
      if (block && matchPattern(conv.getInputs()[1], m_Constant(&values)))
        convs.push_back({conv, values, block});
    });
    if (convs.empty())
      return;
    IRRewriter rewriter(context);
    for (auto [conv, values, block] : convs)
      blockConv(rewriter, conv, values, block);

    // Packs up and unpacks down, through the elementwise ops and pads
    // between convolutions, until they meet and cancel.
    RewritePatternSet patterns(context);
    patterns.add<BlockElementwise>(context);
    linalg::populateDataLayoutPropagationPatterns(
        patterns, [](OpOperand *) { return true; });
    linalg::PackOp::getCanonicalizationPatterns(patterns, context);
    linalg::UnPackOp::getCanonicalizationPatterns(patterns, context);
    tensor::PadOp::getCanonicalizationPatterns(patterns, context);
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();

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
};

} // namespace
