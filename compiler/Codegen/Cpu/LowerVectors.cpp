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

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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

struct CpuLowerVectorsPass
    : nncc::impl::CpuLowerVectorsBase<CpuLowerVectorsPass> {
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
  }
};

} // namespace
