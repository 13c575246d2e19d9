//===- LowerVectors.cpp - n-D vector ops to what LLVM selects well -*- C++
//-*-===//
//
// After bufferization: the accumulator transfers leave the K loops, sibling
// K loops over the same steps become one where their accumulators fit the
// registers, then the n-D vector ops of the register tiles are unrolled into
// 1-D ops the LLVM backend turns into FMAs, broadcasts and plain vector loads
// and stores (with AVX-512, masked ones for a ragged width narrower than a
// register). The order follows the schedule that reached peak (TOOLCHAIN.md
// "CPU code generation"); left to convert-vector-to-llvm's defaults the same
// tiles run 25x slower.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Codegen/Cpu/Prefetch.h"
#include "compiler/Codegen/Cpu/StridedReads.h"
#include "compiler/Codegen/Cpu/TileSizes.h"

#include "llvm/Support/MathExtras.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nncc {
#define GEN_PASS_DEF_CPULOWERVECTORS
#include "compiler/Codegen/Cpu/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

/// Applies one stage of the lowering; the stages must not mix (e.g. a
/// contraction must become outer products before transfers are unrolled).
LogicalResult applyStage(Operation *root,
                         function_ref<void(RewritePatternSet &)> populate) {
  RewritePatternSet patterns(root->getContext());
  populate(patterns);
  return applyPatternsGreedily(root, std::move(patterns));
}

/// Whether `loop` is the K loop of a register tile: innermost, carrying
/// only vectors, and writing no memory (only its iteration arguments change).
bool isAccumulationLoop(scf::ForOp loop) {
  if (loop.getNumRegionIterArgs() == 0 ||
      !llvm::all_of(loop.getResultTypes(),
                    [](Type type) { return isa<VectorType>(type); }))
    return false;
  WalkResult walk = loop.getBody()->walk([](Operation *op) {
    if (isa<LoopLikeOpInterface>(op))
      return WalkResult::interrupt();
    if (isMemoryEffectFree(op))
      return WalkResult::advance();
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    return effects && effects.onlyHasEffect<MemoryEffects::Read>()
               ? WalkResult::advance()
               : WalkResult::interrupt();
  });
  return !walk.wasInterrupted();
}

/// The accumulator and per-step load registers of an accumulation loop: its
/// vectors' registers, and one row of each (the B row a K step loads).
std::pair<int64_t, int64_t> loopRegisters(scf::ForOp loop, int64_t lanes) {
  int64_t accumulators = 0, loads = 0;
  for (Type type : loop.getResultTypes()) {
    auto vector = cast<VectorType>(type);
    int64_t row = llvm::divideCeil(vector.getShape().back(), lanes);
    accumulators += vector.getNumElements() / vector.getShape().back() * row;
    loads += row;
  }
  return {accumulators, loads};
}

/// Adjacent K loops over the same steps (a row of tiles whose full columns
/// are one tile, and its peeled remainder: LeNet-5's filter gradient of 25
/// taps as 16 + 9) become one loop when their accumulators fit the
/// registers together: each step then shares the broadcasts of A and keeps
/// twice the FMAs in flight (two 6 x 16 and 6 x 9 loops each wait on the FMA
/// latency, 4 cycles for 6 FMAs).
void fuseSiblingAccumulations(func::FuncOp func,
                              const nncc::CpuMachine &machine) {
  SmallVector<scf::ForOp> loops;
  func.walk([&](scf::ForOp loop) {
    if (isAccumulationLoop(loop))
      loops.push_back(loop);
  });
  IRRewriter rewriter(func.getContext());
  llvm::SmallPtrSet<Operation *, 16> fused;
  for (scf::ForOp first : loops) {
    if (fused.contains(first))
      continue;
    while (auto next = dyn_cast_or_null<scf::ForOp>(first->getNextNode())) {
      if (!isAccumulationLoop(next) ||
          next.getLowerBound() != first.getLowerBound() ||
          next.getUpperBound() != first.getUpperBound() ||
          next.getStep() != first.getStep() ||
          llvm::any_of(first->getUsers(),
                       [&](Operation *user) { return next->isAncestor(user); }))
        break;
      auto [accumulators, loads] = loopRegisters(first, machine.lanes());
      auto [moreAccumulators, moreLoads] = loopRegisters(next, machine.lanes());
      if (!nncc::fitsRegisterTile(accumulators + moreAccumulators,
                                  loads + moreLoads, machine))
        break;
      fused.insert(next);
      first = fuseIndependentSiblingForLoops(first, next, rewriter);
    }
  }
}

/// A transfer_read of a memref whose map reads one dimension along the
/// vector's first and broadcasts the rest (weights of rows of filters read
/// for a tile [m, w] of images or pixels: (d0, 0)) as m scalar loads, each
/// broadcast to a row. The permutation-map lowering reads the m values as
/// one vector, broadcasts it to [w, m] and transposes that, which LLVM
/// scalarized through the stack for w = 64 (the images-innermost
/// convolution, tileBatchInnermostConv: 6x slower than direct).
struct BroadcastRowsRead : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    VectorType type = read.getVectorType();
    AffineMap map = read.getPermutationMap();
    if (type.getRank() != 2 || type.isScalable() || read.getMask() ||
        !isa<MemRefType>(read.getBase().getType()) ||
        !read.getInBoundsValues()[0])
      return failure();
    auto row = dyn_cast<AffineDimExpr>(map.getResult(0));
    auto broadcast = dyn_cast<AffineConstantExpr>(map.getResult(1));
    if (!row || !broadcast || broadcast.getValue() != 0)
      return failure();
    Location loc = read.getLoc();
    VectorType rowType =
        VectorType::get(type.getShape().drop_front(), type.getElementType());
    Value result = ub::PoisonOp::create(rewriter, loc, type);
    SmallVector<Value> indices(read.getIndices());
    Value first = indices[row.getPosition()];
    for (int64_t i = 0; i < type.getDimSize(0); ++i) {
      indices[row.getPosition()] = arith::AddIOp::create(
          rewriter, loc, first,
          arith::ConstantIndexOp::create(rewriter, loc, i));
      Value scalar =
          memref::LoadOp::create(rewriter, loc, read.getBase(), indices);
      Value splat = vector::BroadcastOp::create(rewriter, loc, rowType, scalar);
      result = vector::InsertOp::create(rewriter, loc, splat, result,
                                        ArrayRef<int64_t>{i});
    }
    rewriter.replaceOp(read, result);
    return success();
  }
};

/// The vector a 1-D f32 vector narrower than one register of `lanes`, of a
/// width that is not a power of two, is loaded and stored as under a mask
/// (the next power of two), or null. LLVM splits a ragged load or store into
/// power-of-two pieces it reassembles with inserts (14 lanes, a row of a
/// 14x14 image: 8 + 4 + 2, three loads and two inserts), since the lanes
/// past the end may not be readable; the arithmetic it widens to the next
/// power of two anyway. Wider ragged vectors (28 lanes) stay as they are:
/// LLVM scalarized the shuffle between 32 and 28 lanes.
VectorType maskedType(VectorType type, int64_t lanes) {
  if (type.getRank() != 1 || type.isScalable() ||
      !type.getElementType().isF32())
    return {};
  int64_t width = type.getDimSize(0);
  if (width >= lanes || llvm::isPowerOf2_64(width))
    return {};
  return VectorType::get({int64_t(llvm::NextPowerOf2(width))},
                         type.getElementType());
}

/// The mask of `wide`'s lanes that hold `narrow`'s.
Value leadingMask(PatternRewriter &rewriter, Location loc, VectorType wide,
                  VectorType narrow) {
  return vector::ConstantMaskOp::create(
      rewriter, loc, VectorType::get(wide.getShape(), rewriter.getI1Type()),
      narrow.getShape());
}

/// vector.load of a ragged width as a masked load of the wider vector.
struct MaskRaggedLoad : OpRewritePattern<vector::LoadOp> {
  MaskRaggedLoad(MLIRContext *context, int64_t lanes)
      : OpRewritePattern(context), lanes(lanes) {}

  LogicalResult matchAndRewrite(vector::LoadOp load,
                                PatternRewriter &rewriter) const override {
    VectorType type = load.getVectorType();
    VectorType wide = maskedType(type, lanes);
    // Lanes taken out one by one (a blocked convolution's broadcast input
    // pixels) LLVM loads as scalars straight into broadcasts; from a masked
    // vector it would shuffle each out (LeNet-5's conv2 1.6x slower).
    if (!wide || llvm::any_of(load->getUsers(), [](Operation *user) {
          return isa<vector::ExtractOp, vector::ExtractStridedSliceOp,
                     vector::ShuffleOp>(user);
        }))
      return failure();
    Location loc = load.getLoc();
    Value zero = arith::ConstantOp::create(
        rewriter, loc, wide,
        DenseElementsAttr::get(wide, rewriter.getF32FloatAttr(0)));
    Value loaded = vector::MaskedLoadOp::create(
        rewriter, loc, wide, load.getBase(), load.getIndices(),
        leadingMask(rewriter, loc, wide, type), zero);
    rewriter.replaceOpWithNewOp<vector::ExtractStridedSliceOp>(
        load, loaded, ArrayRef<int64_t>{0}, type.getShape(),
        ArrayRef<int64_t>{1});
    return success();
  }

  int64_t lanes;
};

/// vector.store of a ragged width as a masked store of the wider vector.
struct MaskRaggedStore : OpRewritePattern<vector::StoreOp> {
  MaskRaggedStore(MLIRContext *context, int64_t lanes)
      : OpRewritePattern(context), lanes(lanes) {}

  LogicalResult matchAndRewrite(vector::StoreOp store,
                                PatternRewriter &rewriter) const override {
    VectorType type = store.getVectorType();
    VectorType wide = maskedType(type, lanes);
    if (!wide)
      return failure();
    Location loc = store.getLoc();
    Value widened = vector::InsertStridedSliceOp::create(
        rewriter, loc, store.getValueToStore(),
        ub::PoisonOp::create(rewriter, loc, wide), ArrayRef<int64_t>{0},
        ArrayRef<int64_t>{1});
    rewriter.replaceOpWithNewOp<vector::MaskedStoreOp>(
        store, store.getBase(), store.getIndices(),
        leadingMask(rewriter, loc, wide, type), widened);
    return success();
  }

  int64_t lanes;
};

struct CpuLowerVectorsPass
    : nncc::impl::CpuLowerVectorsBase<CpuLowerVectorsPass> {
  using CpuLowerVectorsBase::CpuLowerVectorsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    linalg::hoistRedundantVectorTransfers(func, /*verifyNonZeroTrip=*/true);
    nncc::CpuMachine machine;
    machine.vectorBits = vectorWidth;
    fuseSiblingAccumulations(func, machine);
    SmallVector<scf::ForOp> kLoops;
    func.walk([&](scf::ForOp loop) {
      if (isAccumulationLoop(loop))
        kLoops.push_back(loop);
    });
    nncc::prefetchEpilogueReads(func, kLoops, machine);
    nncc::prefetchNextBlockReads(func, kLoops, machine);
    nncc::prefetchNextTileAccumulators(func, kLoops, machine);
    nncc::prefetchStreamedReads(func, kLoops, machine);
    nncc::prefetchNextChunkReads(func, kLoops, machine);

    auto stages = {
        +[](RewritePatternSet &patterns) {
          patterns.add<BroadcastRowsRead>(patterns.getContext(),
                                          /*benefit=*/2);
          nncc::populateStridedReadPatterns(patterns);
          vector::populateVectorContractLoweringPatterns(
              patterns, vector::VectorContractLowering::OuterProduct);
          vector::populateVectorTransferPermutationMapLoweringPatterns(
              patterns);
          vector::populateVectorMultiReductionLoweringPatterns(
              patterns, vector::VectorMultiReductionLowering::InnerParallel);
        },
        +[](RewritePatternSet &patterns) {
          VectorTransferToSCFOptions options;
          options.targetRank = 1;
          options.unroll = true;
          populateVectorToSCFConversionPatterns(patterns, options);
        },
        +[](RewritePatternSet &patterns) {
          vector::populateVectorTransferLoweringPatterns(patterns,
                                                         /*maxRank=*/1);
          vector::populateVectorShapeCastLoweringPatterns(patterns);
          // 16 x 16 blocks (an AVX-512 transpose block) as the 64 two-input
          // shuffles of the textbook sequence; other shapes as one shuffle
          // of the flattened vector, which LLVM splits itself.
          vector::populateVectorTransposeLoweringPatterns(
              patterns, vector::VectorTransposeLowering::Shuffle16x16);
          vector::populateVectorOuterProductLoweringPatterns(patterns);
          vector::populateVectorBroadcastLoweringPatterns(patterns);
        },
    };
    for (auto populate : stages)
      if (failed(applyStage(func, populate)))
        return signalPassFailure();
    // Masks are cheap only with AVX-512 (its k registers); AVX2's
    // vmaskmovps stores are microcoded on AMD.
    if (machine.masksRaggedVectors() &&
        failed(applyStage(func, [&](RewritePatternSet &patterns) {
          patterns.add<MaskRaggedLoad, MaskRaggedStore>(
              patterns.getContext(), int64_t(machine.lanes()));
        })))
      return signalPassFailure();
  }
};

} // namespace
