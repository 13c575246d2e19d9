//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_PASSES_TD
#define NNCC_COMPILER_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def MarkReadonlyInputs : Pass<"nncc-mark-readonly-inputs", "::mlir::ModuleOp"> {
  let summary = "Forbid bufferization from writing into model inputs";
  let description = [{
    The arguments of public functions are the caller's input buffers, which
    the generated C API takes as `const` pointers. One-shot bufferization
    would otherwise reuse them as scratch space; this pass marks each tensor
    argument of a public function `bufferization.writable = false`.
  }];
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
