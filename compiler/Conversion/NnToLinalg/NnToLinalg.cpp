//===- NnToLinalg.cpp - the convert-nn-to-linalg pass -----------*- C++ -*-===//

#include "compiler/Conversion/NnToLinalg/NnToLinalg.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Nn/IR/NnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace nncc {
#define GEN_PASS_DEF_CONVERTNNTOLINALG
#include "compiler/Conversion/Passes.h.inc"
} // namespace nncc

using namespace mlir;

namespace {

struct ConvertNnToLinalgPass
    : nncc::impl::ConvertNnToLinalgBase<ConvertNnToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    nncc::lowering::makeIntegersSignless(getOperation());
    RewritePatternSet patterns(ctx);
    nncc::populateNnMathToLinalgPatterns(patterns);
    nncc::populateNnNNToLinalgPatterns(patterns);
    nncc::populateNnTensorToLinalgPatterns(patterns);
    nncc::populateNnGradToLinalgPatterns(patterns);
    nncc::populateNnOptimizerToLinalgPatterns(patterns);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<nncc::nn::NnDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
