//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//

#ifndef NNCC_COMPILER_CODEGEN_CPU_PASSES_TD
#define NNCC_COMPILER_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SetTarget : Pass<"nncc-set-target", "::mlir::ModuleOp"> {
  let summary = "Record the target triple on the module";
  let description = [{
    Sets `llvm.target_triple`, which the translation to LLVM IR copies into
    the LLVM module, so that the IR at every later stage names its target.
  }];
  let options = [
    Option<"triple", "triple", "std::string", "\"\"",
           "Target triple (empty: the host's)">,
  ];
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
