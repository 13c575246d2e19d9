//===- Passes.td - nncc conversion passes ------------------*- tablegen -*-===//

#ifndef NNCC_COMPILER_CONVERSION_PASSES_TD
#define NNCC_COMPILER_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNnToLinalg : Pass<"convert-nn-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lower nn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every nn op becomes named linalg ops where they exist (matmul,
    convolution, pooling, transpose, fill) and linalg.generic otherwise.
    Broadcast operands are collapsed so that every indexing map stays a
    projected permutation, which later tiling and vectorization need. The
    pass fails on any nn op it cannot lower.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"
  ];
}

#endif // NNCC_COMPILER_CONVERSION_PASSES_TD
