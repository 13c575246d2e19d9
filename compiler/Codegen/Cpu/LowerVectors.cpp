//===- LowerVectors.cpp - n-D vector ops to what LLVM selects well -*- C++
//-*-===//
//
// After bufferization: the accumulator transfers leave the K loops, then the
// n-D vector ops of the register tiles are unrolled into 1-D ops the LLVM
// backend turns into FMAs, broadcasts and plain vector loads and stores.
// The order follows the schedule that reached peak (TOOLCHAIN.md "CPU code
// generation"); left to convert-vector-to-llvm's defaults the same tiles run
// 25x slower.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Passes.h"
#include "compiler/Codegen/Cpu/TileSizes.h"

#include "llvm/Support/MathExtras.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
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

/// The width a 1-D f32 vector of `width` lanes, narrower than one register
/// of `lanes` and not a power of two, is loaded and stored at under a mask
/// (the next power of two), or 0. LLVM splits a ragged load or store into
/// power-of-two pieces it reassembles with inserts (14 lanes, a row of a
/// 14x14 image: 8 + 4 + 2, three loads and two inserts), since the lanes
/// past the end may not be readable; the arithmetic it widens to the next
/// power of two anyway. Wider ragged vectors (28 lanes) stay as they are:
/// LLVM scalarized the shuffle between 32 and 28 lanes.
int64_t maskedWidth(VectorType type, int64_t lanes) {
  if (type.getRank() != 1 || type.isScalable() ||
      !type.getElementType().isF32())
    return 0;
  int64_t width = type.getDimSize(0);
  if (width >= lanes || llvm::isPowerOf2_64(width))
    return 0;
  return int64_t(llvm::NextPowerOf2(width));
}

/// The mask of the first `width` of `wide` lanes.
Value leadingMask(PatternRewriter &rewriter, Location loc, int64_t wide,
                  int64_t width) {
  return vector::ConstantMaskOp::create(
      rewriter, loc, VectorType::get({wide}, rewriter.getI1Type()),
      ArrayRef<int64_t>{width});
}

/// A pattern on the 1-D loads or stores of a register of `lanes`.
template <typename OpTy> struct RaggedPattern : OpRewritePattern<OpTy> {
  RaggedPattern(MLIRContext *context, int64_t lanes)
      : OpRewritePattern<OpTy>(context), lanes(lanes) {}

  int64_t lanes;
};

/// vector.load of a ragged width as a masked load of the wider vector.
struct MaskRaggedLoad : RaggedPattern<vector::LoadOp> {
  using RaggedPattern::RaggedPattern;

  LogicalResult matchAndRewrite(vector::LoadOp load,
                                PatternRewriter &rewriter) const override {
    VectorType type = load.getVectorType();
    int64_t wide = maskedWidth(type, lanes);
    // Lanes taken out one by one (a blocked convolution's broadcast input
    // pixels) LLVM loads as scalars straight into broadcasts; from a masked
    // vector it would shuffle each out (LeNet-5's conv2 1.6x slower).
    if (!wide || llvm::any_of(load->getUsers(), [](Operation *user) {
          return isa<vector::ExtractOp, vector::ExtractStridedSliceOp,
                     vector::ShuffleOp>(user);
        }))
      return failure();
    Location loc = load.getLoc();
    auto wideType = VectorType::get({wide}, type.getElementType());
    Value mask = leadingMask(rewriter, loc, wide, type.getDimSize(0));
    Value zero = arith::ConstantOp::create(
        rewriter, loc, wideType,
        DenseElementsAttr::get(wideType, rewriter.getF32FloatAttr(0)));
    Value loaded = vector::MaskedLoadOp::create(
        rewriter, loc, wideType, load.getBase(), load.getIndices(), mask, zero);
    rewriter.replaceOpWithNewOp<vector::ExtractStridedSliceOp>(
        load, loaded, ArrayRef<int64_t>{0},
        ArrayRef<int64_t>{type.getDimSize(0)}, ArrayRef<int64_t>{1});
    return success();
  }
};

/// vector.store of a ragged width as a masked store of the wider vector.
struct MaskRaggedStore : RaggedPattern<vector::StoreOp> {
  using RaggedPattern::RaggedPattern;

  LogicalResult matchAndRewrite(vector::StoreOp store,
                                PatternRewriter &rewriter) const override {
    VectorType type = store.getVectorType();
    int64_t wide = maskedWidth(type, lanes);
    if (!wide)
      return failure();
    Location loc = store.getLoc();
    auto wideType = VectorType::get({wide}, type.getElementType());
    Value mask = leadingMask(rewriter, loc, wide, type.getDimSize(0));
    Value poison = ub::PoisonOp::create(rewriter, loc, wideType);
    Value widened = vector::InsertStridedSliceOp::create(
        rewriter, loc, store.getValueToStore(), poison, ArrayRef<int64_t>{0},
        ArrayRef<int64_t>{1});
    rewriter.replaceOpWithNewOp<vector::MaskedStoreOp>(
        store, store.getBase(), store.getIndices(), mask, widened);
    return success();
  }
};

struct CpuLowerVectorsPass
    : nncc::impl::CpuLowerVectorsBase<CpuLowerVectorsPass> {
  using CpuLowerVectorsBase::CpuLowerVectorsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    linalg::hoistRedundantVectorTransfers(func, /*verifyNonZeroTrip=*/true);

    auto stages = {
        +[](RewritePatternSet &patterns) {
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
    nncc::CpuMachine machine;
    machine.vectorBits = vectorWidth;
    if (machine.masksRaggedVectors() &&
        failed(applyStage(func, [&](RewritePatternSet &patterns) {
          patterns.add<MaskRaggedLoad, MaskRaggedStore>(
              patterns.getContext(), int64_t(machine.lanes()));
        })))
      return signalPassFailure();
  }
};

} // namespace
