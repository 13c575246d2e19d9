//===- TransposedProducts.cpp - C = A W^T as C^T = W A^T ------------------===//
//
// A train step's dense layers multiply their input A[M, K] by the
// transpose of weights W[N, K] that change every step, so the transpose
// cannot be folded at compile time: the product's B panels are transposed
// from W's rows on every call, K x N floats moved (packColumnPanel). When W
// is much larger than A and C, the product's transpose C^T = W A^T moves
// fewer: A transposed (M x K) and C^T back (M x N). The MLP's first layer
// at batch 64 (W 256 x 784): 200704 floats moved, now 66560.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Cpu/Tiling.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace nncc::cpu {

bool computeTransposedProduct(RewriterBase &rewriter, linalg::MatmulOp matmul,
                              const CpuMachine &machine) {
  if (matmul.hasUserDefinedMaps() || !matmul.hasPureTensorSemantics() ||
      !hasStaticShapes(matmul) || !allF32(matmul))
    return false;
  auto transpose = matmul.getInputs()[1].getDefiningOp<linalg::TransposeOp>();
  if (!transpose || !transpose.hasPureTensorSemantics() ||
      !llvm::equal(transpose.getPermutation(), ArrayRef<int64_t>{1, 0}) ||
      matchPattern(transpose.getInput(), m_Constant()))
    return false;
  Value a = matmul.getInputs()[0], w = transpose.getInput();
  Value init = matmul.getOutputs()[0];
  int64_t m = cast<ShapedType>(a.getType()).getDimSize(0);
  int64_t n = cast<ShapedType>(w.getType()).getDimSize(0);
  int64_t k = cast<ShapedType>(w.getType()).getDimSize(1);
  // M becomes the vectors' dimension: whole vectors only (a batch of 1
  // would be a product one float wide). And W at least twice the floats
  // that the two transposes move instead, so that a layer near the
  // balance keeps its fused epilogue.
  if (m % machine.lanes() != 0 || k * n < 2 * (m * k + m * n))
    return false;

  Location loc = matmul.getLoc();
  rewriter.setInsertionPoint(matmul);
  // The accumulator's start, transposed: a fill is filled again.
  Value start;
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, {n, m}, rewriter.getF32Type());
    start = linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], empty)
                .getResult(0);
  } else {
    start = transposed(rewriter, loc, init, {1, 0});
  }
  Value product =
      linalg::MatmulOp::create(
          rewriter, loc, ValueRange{w, transposed(rewriter, loc, a, {1, 0})},
          ValueRange{start})
          .getResult(0);
  rewriter.replaceOp(matmul, transposed(rewriter, loc, product, {1, 0}));
  return true;
}

} // namespace nncc::cpu
