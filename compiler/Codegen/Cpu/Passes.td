//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_PASSES_TD
#define NNCC_COMPILER_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def PrepareEntryAbi : Pass<"nncc-prepare-entry-abi", "::mlir::ModuleOp"> {
  let summary = "Shape public functions for the generated C API";
  let description = [{
    Runs before bufferization on every public function (a model entry):
    - its tensor arguments are the caller's input buffers, which the C API
      takes as `const` pointers: they are marked
      `bufferization.writable = false` so bufferization never reuses them as
      scratch space;
    - each returned value becomes a separate caller-provided output buffer:
      a value returned more than once is copied (linalg.copy) so that every
      result is a distinct tensor.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def StridedCopyToLinalg
    : Pass<"nncc-strided-copy-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Turn strided memref.copy into linalg.copy";
  let description = [{
    Bufferization copies into strided views (e.g. the interior of a padded
    buffer). Lowered as they are, such copies call `memrefCopy` from MLIR's
    C runner utilities, which generated objects cannot link against. As
    linalg.copy they become ordinary loops. Copies between contiguous buffers
    are left alone: they lower to memcpy.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // NNCC_COMPILER_CODEGEN_CPU_PASSES_TD
